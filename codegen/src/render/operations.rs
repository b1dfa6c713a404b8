//! `operations/`: one file per tag, one request builder per operation.

use std::collections::BTreeMap;

use askama::Template;

use super::{docs, ident, lit, parse_items, print, render_template, rust_type};
use crate::error::Error;
use crate::ir::{Api, Operation, ParamLocation, ResponseKind, TypeRef};

const MODELS: &str = "crate::models";

struct ParamView {
    doc: String,
    field: String,
    ty: String,
    arg: String,
    value: String,
}

struct BodyView {
    doc: String,
    ty: String,
}

#[derive(Template)]
#[template(path = "operation.askama", escape = "none")]
struct OperationTemplate {
    doc: String,
    deprecated: String,
    method: String,
    builder: String,
    created_by: String,
    params: Vec<ParamView>,
    body: Option<BodyView>,
    output: String,
    operation_id: String,
    http_method: String,
    path: String,
    versions: Vec<String>,
    statements: Vec<String>,
    execute: String,
}

/// What an operation's docs say besides the spec's description: where it lives, which
/// version it speaks, who may call it, and whether it is going away.
fn operation_doc(op: &Operation) -> String {
    let mut lines = Vec::new();
    if let Some(summary) = &op.summary {
        lines.extend(docs::lines(summary));
    }
    if let Some(description) = &op.description {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.extend(docs::lines(description));
    }
    if !lines.is_empty() {
        lines.push(String::new());
    }
    lines.push(format!("- Request: `{} {}`", op.method.as_str(), op.path));
    lines.push(format!("- Operation ID: `{}`", op.operation_id));
    let dates: Vec<String> = op.versions.iter().filter_map(|v| v.date.clone()).collect();
    match dates.as_slice() {
        [] => {}
        [one] => lines.push(format!("- API version: `{one}`")),
        many => lines.push(format!(
            "- API versions: {} (default `{}`)",
            many.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "),
            many.last().map(String::as_str).unwrap_or_default()
        )),
    }
    if !op.roles.is_empty() {
        lines.push(format!("- Required role (any of): {}", op.roles.join(", ")));
    }
    if op.deprecated {
        lines.push(String::new());
        lines.push(match &op.sunset {
            Some(date) => format!("**Deprecated**: Atlas removes this endpoint on {date}."),
            None => "**Deprecated** in the API spec.".to_owned(),
        });
    }
    docs::attrs(&lines)
}

fn deprecation(op: &Operation) -> String {
    if !op.deprecated {
        return String::new();
    }
    let note = match &op.sunset {
        Some(date) => format!("deprecated by Atlas; the endpoint is removed (sunset) on {date}"),
        None => "deprecated by Atlas".to_owned(),
    };
    format!("#[deprecated(note = {})]", lit(&note))
}

fn rule(api_pattern: &str, min: Option<usize>, max: Option<usize>) -> String {
    let opt = |v: Option<usize>| v.map_or("None".to_owned(), |n| format!("Some({n})"));
    if api_pattern.is_empty() && min.is_none() && max.is_none() {
        return "crate::request::Rule::NONE".to_owned();
    }
    let pattern = if api_pattern.is_empty() {
        "None".to_owned()
    } else {
        format!("Some(&crate::patterns::{})", ident(api_pattern))
    };
    format!("crate::request::Rule {{ pattern: {pattern}, min_length: {}, max_length: {} }}", opt(min), opt(max))
}

fn render_operation(api: &Api, op: &Operation) -> Result<String, Error> {
    let mut params = Vec::new();
    let mut statements = Vec::new();
    for p in &op.params {
        let field = ident(&p.ident);
        let ty = rust_type(api, &p.ty, MODELS);
        let (arg, value) = if p.ty == TypeRef::String {
            ("impl Into<String>".to_owned(), "value.into()".to_owned())
        } else {
            (ty.clone(), "value".to_owned())
        };
        let mut doc_lines = p.doc.as_deref().map(docs::lines).unwrap_or_default();
        let mut facts = vec![format!(
            "`{}` ({} parameter{})",
            p.name,
            match p.location {
                ParamLocation::Path => "path",
                ParamLocation::Query => "query",
                ParamLocation::Header => "header",
            },
            if p.required { ", required" } else { "" }
        )];
        if let Some(pattern) = &p.pattern {
            facts.push(format!("must match `{pattern}`"));
        }
        if let Some(default) = &p.default {
            facts.push(format!("default `{default}`"));
        }
        if !doc_lines.is_empty() {
            doc_lines.push(String::new());
        }
        doc_lines.push(facts.join("; ") + ".");
        params.push(ParamView { doc: docs::attrs(&doc_lines), field: field.clone(), ty: ty.clone(), arg, value });
        let name = lit(&p.name);
        let statement = match (p.location, &p.ty) {
            (ParamLocation::Path, TypeRef::String) => format!(
                "request.path({name}, self.{field}.as_deref(), {})?;",
                rule(&p.pattern_ident, p.min_length, p.max_length)
            ),
            (ParamLocation::Path, _) => format!(
                "request.path({name}, self.{field}.as_ref().map(ToString::to_string).as_deref(), crate::request::Rule::NONE)?;"
            ),
            (ParamLocation::Query, TypeRef::String) => format!(
                "request.query_str({name}, self.{field}.as_deref(), {}, {})?;",
                p.required,
                rule(&p.pattern_ident, p.min_length, p.max_length)
            ),
            (ParamLocation::Query, TypeRef::Vec(_)) => {
                format!("request.query_list({name}, self.{field}.as_ref(), {})?;", p.required)
            }
            (ParamLocation::Query, _) if p.required => {
                format!("request.required_query({name}, self.{field}.as_ref())?;")
            }
            (ParamLocation::Query, _) => format!("request.query({name}, self.{field}.as_ref());"),
            (ParamLocation::Header, _) => {
                format!("request.header({name}, self.{field}.as_ref(), {})?;", p.required)
            }
        };
        statements.push(statement);
    }
    let body = op.body.as_ref().map(|b| {
        let ty = match b.ty {
            TypeRef::Bytes => "Vec<u8>".to_owned(),
            ref other => rust_type(api, other, MODELS),
        };
        let call = if b.ty == TypeRef::Bytes { "bytes_body" } else { "json_body" };
        statements.push(format!("request.{call}(self.body.as_ref(), {}, {})?;", b.required, lit(&b.media_type)));
        let mut lines = b.doc.as_deref().map(docs::lines).unwrap_or_default();
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(format!("The request body (`{}`{}).", b.media_type, if b.required { ", required" } else { "" }));
        BodyView { doc: docs::attrs(&lines), ty }
    });
    let (output, execute) = match &op.response {
        ResponseKind::Empty => ("()".to_owned(), "execute_empty"),
        ResponseKind::Bytes => ("bytes::Bytes".to_owned(), "execute_bytes"),
        ResponseKind::Json(ty) => (rust_type(api, ty, MODELS), "execute_json"),
    };
    let tmpl = OperationTemplate {
        doc: operation_doc(op),
        deprecated: deprecation(op),
        method: ident(&op.method_ident),
        builder: ident(&op.builder_ident),
        created_by: lit(&format!(" [`Client::{}`](crate::Client::{}).", op.method_ident, op.method_ident)),
        params,
        body,
        output,
        operation_id: lit(&op.operation_id),
        http_method: op.method.as_str().to_owned(),
        path: lit(&op.path),
        versions: op.versions.iter().map(|v| lit(&v.media_type)).collect(),
        statements,
        execute: execute.to_owned(),
    };
    render_template(&tmpl, "operation.askama", &op.operation_id)
}

/// Renders `operations/mod.rs` and one file per tag.
pub fn render(api: &Api) -> Result<Vec<(String, String)>, Error> {
    let mut modules: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        modules.entry(op.module.as_str()).or_default().push(op);
    }
    let mut out = Vec::new();
    let mut mod_rs = String::from("//! One request builder per operation, grouped by the spec's tags.\n");
    for (module, mut ops) in modules {
        ops.sort_by(|a, b| a.method_ident.cmp(&b.method_ident));
        let mut items = Vec::new();
        for op in &ops {
            let text = render_operation(api, op)?;
            parse_items(&text, "operation.askama", &format!("operation {} ({})", op.operation_id, op.pointer), &mut items)?;
        }
        let tag = ops.first().map(|o| o.tag.as_str()).unwrap_or_default();
        let inner = format!("#![doc = {}]\n#![allow(deprecated)]\n", lit(&format!(" Operations tagged `{tag}`.")));
        let text = print(&inner, items, "operations", module)?;
        let m = ident(module);
        mod_rs.push_str(&format!("mod {m};\npub use {m}::*;\n"));
        out.push((format!("src/operations/{module}.rs"), text));
    }
    let file = syn::parse_file(&mod_rs).map_err(|e| Error::Render {
        template: "operations/mod.rs",
        item: "the operations module".to_owned(),
        message: e.to_string(),
    })?;
    out.push(("src/operations/mod.rs".to_owned(), prettyplease::unparse(&file)));
    Ok(out)
}
