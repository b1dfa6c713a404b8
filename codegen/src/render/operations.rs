//! `operations/`: one file per tag, one request builder per operation.

use std::collections::BTreeMap;

use askama::Template;

// Templates mark their rows (`{{ self::ROW }}`): see `super::rows`.
use super::rows::ROW;

use super::features::Features;
use super::tag::{TagFile, operation_pieces, tag_module};
use super::types::{answer_type, body_type};
use super::{Piece, docs, ident, lit, print_text, reexport, render_template, rust_type};
use crate::error::Error;
use crate::ir::{Api, ApiVersion, Operation, ParamLocation, ResponseKind, TypeKind, TypeRef};

/// How operation files name the models: `use crate::models;` heads each file that does.
pub(super) const MODELS: &str = "models";

struct ParamView {
    field: String,
    /// The spec's name, a literal (`"groupId"`), for `call!`.
    name: String,
    ty: String,
}

struct BodyView {
    ty: String,
}

/// A list operation's row of the runtime's `paginate::pages!`.
struct PagingView {
    page: String,
    /// The page number's type, `i32` or `i64`: how a page becomes its setter's argument.
    page_ty: &'static str,
    per_page: String,
    default_per_page: i64,
    item: String,
    /// The page's field of items, `?` after it when it may be absent.
    items: String,
    /// The page's field of `totalCount` (`?` after it when it may be absent), or nothing.
    total: String,
}

struct MarkerView {
    doc: String,
    name: String,
    media_type: String,
    output: String,
}

#[derive(Template)]
#[template(path = "operation.askama", escape = "none")]
struct OperationTemplate {
    summary: String,
    paging: Option<PagingView>,
    markers: Vec<MarkerView>,
    struct_generics: String,
    impl_generics: String,
    self_ty: String,
    params_ty: String,
    /// The builder as `builder!` takes it: `Name`, or `versioned Name`.
    macro_ty: String,
    version_arg: String,
    shared_setters: String,
    /// The shared setters that are Atlas's query flags (`envelope, pretty`), for `call!`.
    call_options: String,
    /// How `call!` sends: `json Output`, `empty` or `bytes`.
    send_kind: String,
    doc: String,
    /// `#[doc(alias = ...)]` on the `Client` method for each published name it is not named after.
    aliases: String,
    deprecated: String,
    method: String,
    builder: String,
    params: Vec<ParamView>,
    body: Option<BodyView>,
    /// The rows of `request::setter!`: each parameter's setter, then the body's.
    setters: Vec<String>,
    output: String,
    operation_id: String,
    http_method: String,
    path: String,
    versions: Vec<String>,
    /// The rows of `request::fill!` (empty: `fill` has nothing to put in).
    statements: Vec<String>,
}

/// The builder's docs, which are the operation's page: the spec's summary and description,
/// then the facts (method, path, operation ID, API version, roles, feature, deprecation and
/// sunset) and a compiled example. The `Client` method links here instead of repeating it.
fn operation_doc(api: &Api, op: &Operation, feature: Option<&str>) -> String {
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
    let dates: Vec<String> = op.versions.iter().filter_map(version_name).collect();
    let version = match dates.as_slice() {
        [] => String::new(),
        [one] => format!(", API version `{one}`"),
        many => format!(
            ", API versions {} (default `{}`)",
            many.iter().map(|d| format!("`{d}`")).collect::<Vec<_>>().join(", "),
            many.last().map(String::as_str).unwrap_or_default()
        ),
    };
    lines.push(format!("- `{} {}` (`{}`){version}", op.method.as_str(), op.path, op.operation_id));
    let sunsets: Vec<String> =
        op.versions.iter().filter_map(|v| Some(format!("`{}` on {}", version_name(v)?, v.sunset.as_deref()?))).collect();
    if !sunsets.is_empty() {
        lines.push(format!("- Atlas stops answering in version {}", sunsets.join(", ")));
    }
    if !op.roles.is_empty() {
        lines.push(format!("- Required role (any of): {}", op.roles.join(", ")));
    }
    if let Some(feature) = feature {
        lines.push(format!("- Cargo feature: `{feature}` (on by default)"));
    }
    let renames: Vec<&str> = [&op.method_ident, &op.builder_ident].into_iter().filter_map(|i| api.rename_note(&op.pointer, i)).collect();
    if !renames.is_empty() {
        lines.push(String::new());
        lines.push(renames.join(" "));
    }
    if op.deprecated {
        lines.push(String::new());
        lines.push(match &op.sunset {
            Some(date) => format!("**Deprecated**: Atlas removes this endpoint on {date}."),
            None => "**Deprecated** in the API spec.".to_owned(),
        });
    }
    lines.extend(example(api, op));
    docs::attrs(&lines)
}

/// How docs name a version: its date, or `preview`.
fn version_name(v: &ApiVersion) -> Option<String> {
    v.date.clone().or_else(|| v.preview.then(|| "preview".to_owned()))
}

/// The `Client` method's summary, which `builder!` prints with the method and path and a
/// link to the builder (where the rest is: parameters, API version, roles, an example):
/// the spec's summary on one line without its closing full stop, or the operation ID.
/// A renamed method says why after the summary (the builder's page says it too).
fn method_summary(api: &Api, op: &Operation) -> String {
    let lines = op.summary.as_deref().map(docs::lines).unwrap_or_default();
    let summary = lines.iter().map(|l| l.trim()).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ");
    let summary = summary.trim_end_matches('.');
    let summary = if summary.is_empty() { op.operation_id.as_str() } else { summary };
    match api.rename_note(&op.pointer, &op.method_ident) {
        Some(note) => lit(&format!("{summary}. {}", note.trim_end_matches('.'))),
        None => lit(summary),
    }
}

/// A compiling (not run) example of the call: required parameters set from the spec's
/// examples, the body passed in, the answer awaited, on as few lines as fit.
fn example(api: &Api, op: &Operation) -> Vec<String> {
    let (mut args, setters) = example_setters(api, op);
    args.insert(0, "client: atlas_backup::Client".to_owned());
    let mut calls = vec![format!(".{}()", op.method_ident)];
    calls.extend(setters.iter().map(|s| s.trim_start().to_owned()));
    calls.push(if op.pagination.is_some() { ".collect_all()".to_owned() } else { ".send()".to_owned() });
    calls.push(".await?;".to_owned());
    // A heading ends the list of facts before it and needs no blank line after it.
    let mut lines = vec![String::new(), "# Example".to_owned(), "```no_run".to_owned()];
    if op.deprecated {
        lines.push("# #[allow(deprecated)]".to_owned());
    }
    lines.push(format!("# async fn example({}) -> Result<(), atlas_backup::Error> {{", args.join(", ")));
    // The calls fill lines of at most 90 characters (rustdoc's example width) rather than
    // one a line: a builder chain reads as well packed, and a page's example stays short.
    let mut line = "client".to_owned();
    for call in &calls {
        if line.len() + call.len() > 90 {
            lines.push(std::mem::replace(&mut line, "    ".to_owned()));
        }
        line.push_str(call);
    }
    lines.push(line);
    lines.push("# Ok(()) }".to_owned());
    lines.push("```".to_owned());
    lines
}

/// For an example call: the example function's arguments (besides the client) and the
/// builder calls that set the required parameters (from the spec's examples) and the body.
pub(super) fn example_setters(api: &Api, op: &Operation) -> (Vec<String>, Vec<String>) {
    let mut args = Vec::new();
    let mut calls = Vec::new();
    for p in op.params.iter().filter(|p| p.required) {
        let value = match example_value(p) {
            Some(value) => value,
            None => {
                let name = snake(&p.ident);
                args.push(format!("{name}: {}", public_type(api, &p.ty)));
                name
            }
        };
        calls.push(format!("    .{}({value})", p.ident));
    }
    if let Some(b) = &op.body {
        args.push(format!("body: {}", body_type(api, &b.ty, "atlas_backup::models")));
        calls.push("    .body(body)".to_owned());
    }
    (args, calls)
}

/// A literal example value of a parameter, from the spec's example where it has one;
/// `None` for a type that has no literal (the example takes it as an argument).
pub(super) fn example_value(p: &crate::ir::Param) -> Option<String> {
    Some(match (&p.ty, &p.example) {
        (TypeRef::String, Some(serde_json::Value::String(s))) => lit(s),
        (TypeRef::String, _) => lit(&format!("my-{}", p.name)),
        (TypeRef::Bool, _) => "true".to_owned(),
        (TypeRef::I32 | TypeRef::I64, Some(v)) if v.is_i64() => v.to_string(),
        (TypeRef::I32 | TypeRef::I64, _) => "1".to_owned(),
        _ => return None,
    })
}

fn snake(ident: &str) -> String {
    crate::names::plain(ident).to_owned() + "_value"
}

/// A type as users name it (`atlas_backup::models::X`).
fn public_type(api: &Api, ty: &TypeRef) -> String {
    rust_type(api, ty, "atlas_backup::models")
}

/// The argument type of a parameter's setter, and how the setter stores it.
pub(super) fn setter_arg(api: &Api, p: &crate::ir::Param) -> (String, String) {
    if p.ty == TypeRef::String {
        ("impl Into<String>".to_owned(), "value.into()".to_owned())
    } else {
        (rust_type(api, &p.ty, MODELS), "value".to_owned())
    }
}

pub(super) fn deprecation(op: &Operation) -> String {
    if !op.deprecated {
        return String::new();
    }
    let note = match &op.sunset {
        Some(date) => format!("deprecated by Atlas; the endpoint is removed (sunset) on {date}"),
        None => "deprecated by Atlas".to_owned(),
    };
    format!("#[deprecated(note = {})]", lit(&note))
}

/// The `static` holding a string parameter's rule (in `patterns.rs`, glob-imported by
/// each operations file that names one: see [`render_module`]), as the last argument of its
/// `fill!` row: none for a parameter without a rule.
fn rule(p: &crate::ir::Param) -> String {
    if uses_rule(p) { format!(", {}", ident(&p.rule_ident)) } else { String::new() }
}

fn uses_rule(p: &crate::ir::Param) -> bool {
    !p.rule_ident.is_empty() && p.ty == TypeRef::String && matches!(p.location, ParamLocation::Path | ParamLocation::Query)
}

/// Whether a parameter is one of the runtime's (`envelope`, `pretty`): Atlas's query flags
/// that mean the same on every operation, optional and `false` unless set. The runtime's
/// `builder!` gives the setter, `CallOptions` holds the value and the request sends it after
/// the operation's other query parameters (where `spec/` lists them on every operation; the
/// order of query parameters means nothing to Atlas). Anything else by those names is an
/// ordinary parameter, with the spec's docs.
fn shared_setter(p: &crate::ir::Param) -> bool {
    crate::names::is_runtime_flag(p) && p.ident == p.name
}

fn render_operation(api: &Api, features: &Features, op: &Operation) -> Result<String, Error> {
    let feature = features.of_tag_module(&op.module);
    let mut params = Vec::new();
    let mut statements = Vec::new();
    let mut shared_setters = Vec::new();
    let mut setters = Vec::new();
    for p in &op.params {
        let field = ident(&p.ident);
        // Setter, field and query pair come from the runtime (`builder!`, `CallOptions`).
        if shared_setter(p) {
            shared_setters.push(field);
            continue;
        }
        let ty = rust_type(api, &p.ty, MODELS);
        let mut doc_lines = p.doc.as_deref().map(docs::lines).unwrap_or_default();
        let mut facts = vec![format!("`{}` ({} parameter{})", p.name, p.location.as_str(), if p.required { ", required" } else { "" })];
        if let Some(pattern) = &p.pattern {
            facts.push(format!("must match `{pattern}`"));
        }
        match (p.minimum, p.maximum) {
            (Some(min), Some(max)) => facts.push(format!("from {min} to {max}")),
            (Some(min), None) => facts.push(format!("at least {min}")),
            (None, Some(max)) => facts.push(format!("at most {max}")),
            (None, None) => {}
        }
        if let Some(default) = &p.default {
            facts.push(format!("default `{default}`"));
        }
        // The facts end the description's last paragraph: one line for most setters.
        let mut facts = facts.join("; ") + ".";
        if let Some(note) = api.rename_note(&op.pointer, &p.ident) {
            facts = format!("{facts} {note}");
        }
        match doc_lines.last_mut() {
            Some(last) if !last.is_empty() && !last.starts_with("```") => *last = format!("{last} {facts}"),
            _ => doc_lines.push(facts),
        }
        // `setter!` takes `into` for `impl Into<String>` (see `setter_arg`), else the type.
        let arg = if p.ty == TypeRef::String { "into" } else { &ty };
        setters.push(format!("{field}({arg}){}", docs::literals(&doc_lines)));
        params.push(ParamView { field: field.clone(), name: lit(&p.name), ty: ty.clone() });
        let name = lit(&p.name);
        // A row of `request::fill!`: the `Request` method that puts the parameter in (or
        // `path_display`, a path parameter of another type than a string) and its arguments.
        let call = match (p.location, &p.ty) {
            (ParamLocation::Path, TypeRef::String) => format!("path({name}, {field}{})", rule(p)),
            (ParamLocation::Path, _) => format!("path_display({name}, {field})"),
            (ParamLocation::Query, TypeRef::String) => format!("query_str({name}, {field}, {}{})", p.required, rule(p)),
            (ParamLocation::Query, TypeRef::I32 | TypeRef::I64) if p.minimum.is_some() || p.maximum.is_some() => {
                let min = p.minimum.map_or("i64::MIN".to_owned(), |n| n.to_string());
                let max = p.maximum.map_or("i64::MAX".to_owned(), |n| n.to_string());
                format!("query_int({name}, {field}, {}, {min}, {max})", p.required)
            }
            (ParamLocation::Query, TypeRef::Vec(_)) => format!("query_list({name}, {field}, {})", p.required),
            (ParamLocation::Query, _) if p.required => format!("required_query({name}, {field})"),
            (ParamLocation::Query, _) => format!("query({name}, {field})"),
            (ParamLocation::Header, _) => format!("header({name}, {field}, {})", p.required),
        };
        statements.push(call);
    }
    let body = op.body.as_ref().map(|b| {
        let ty = body_type(api, &b.ty, MODELS);
        let newest = op.versions.last().map(|v| v.media_type.as_str());
        statements.push(match b.ty {
            TypeRef::Bytes => format!("bytes_body({}, {})", b.required, lit(&b.media_type)),
            // The usual case, sent as the media type asked for (`accept`): the operation's
            // newest version, or the version a versioned builder chose.
            _ if op.is_versioned() || newest == Some(b.media_type.as_str()) => format!("json({})", b.required),
            _ => format!("json_body({}, {})", b.required, lit(&b.media_type)),
        });
        let mut lines = b.doc.as_deref().map(docs::lines).unwrap_or_default();
        let facts = format!("The request body (`{}`{}).", b.media_type, if b.required { ", required" } else { "" });
        match lines.last_mut() {
            Some(last) if !last.is_empty() && !last.starts_with("```") => *last = format!("{last} {facts}"),
            _ => lines.push(facts),
        }
        setters.push(format!("body({ty}){}", docs::literals(&lines)));
        BodyView { ty }
    });
    let output = answer_type(api, &op.response, MODELS);
    let paging = op.pagination.as_ref().and_then(|p| paging_view(api, op, p));
    let builder = ident(&op.builder_ident);
    let mut markers = Vec::new();
    let (struct_generics, impl_generics, self_ty, output, macro_ty, version_arg) = if op.is_versioned() {
        let newest = op.versions.iter().rev().find(|v| matches!(v.response, ResponseKind::Json(_)));
        let default = newest.map(|v| ident(&v.marker_ident)).unwrap_or_default();
        for v in &op.versions {
            let ResponseKind::Json(ty) = &v.response else { continue };
            markers.push(MarkerView {
                doc: docs::literal(&format!(
                    " Version `{}` of `{}` (`{}`), for [`{builder}::api_version`].{}",
                    version_name(v).unwrap_or_else(|| v.media_type.clone()),
                    op.operation_id,
                    v.media_type,
                    v.sunset.as_deref().map(|d| format!(" Atlas stops answering in it on {d}.")).unwrap_or_default()
                )),
                name: ident(&v.marker_ident),
                media_type: lit(&v.media_type),
                output: rust_type(api, ty, MODELS),
            });
        }
        (
            format!("<V = {default}>"),
            "<V: crate::version::ApiVersion>".to_owned(),
            format!("{builder}<V>"),
            "V::Output".to_owned(),
            format!("versioned {builder}"),
            ", V".to_owned(),
        )
    } else {
        (String::new(), String::new(), builder.clone(), output, builder.clone(), String::new())
    };
    let call_options = shared_setters.join(", ");
    let send_kind = match output.as_str() {
        "()" => "empty".to_owned(),
        "bytes::Bytes" => "bytes".to_owned(),
        json => format!("json {json}"),
    };
    if paging.is_some() {
        shared_setters.insert(0, "concurrency".to_owned());
    }
    let tmpl = OperationTemplate {
        summary: method_summary(api, op),
        paging,
        markers,
        struct_generics,
        impl_generics,
        self_ty,
        params_ty: ident(&op.params_ident),
        macro_ty,
        version_arg,
        shared_setters: shared_setters.join(", "),
        call_options,
        send_kind,
        doc: operation_doc(api, op, feature),
        // rustdoc refuses an alias equal to the item's own name.
        aliases: op.aliases().iter().filter(|a| **a != op.method_ident).map(|a| format!("#[doc(alias = {})] ", lit(a))).collect(),
        deprecated: deprecation(op),
        method: ident(&op.method_ident),
        builder,
        params,
        body,
        setters,
        output,
        operation_id: lit(&op.operation_id),
        http_method: op.method.as_str().to_owned(),
        path: lit(&op.path),
        versions: op.versions.iter().map(|v| lit(&v.media_type)).collect(),
        statements,
    };
    render_template(&tmpl, "operation.askama", &op.operation_id)
}

fn paging_view(api: &Api, op: &Operation, p: &crate::ir::Pagination) -> Option<PagingView> {
    let param = |name: &str| op.params.iter().find(|q| q.name == name);
    let (page, per_page) = (param(&p.page_param)?, param(&p.per_page_param)?);
    let TypeKind::Struct(s) = &api.ty(p.page_type).kind else { return None };
    let field = |name: &str| s.fields.iter().find(|f| f.json_name == name);
    let results = field(&p.results_field)?;
    // `?`: the field may be absent (an `Option`).
    let maybe = |f: &crate::ir::Field| format!("{}{}", ident(&f.ident), if f.required && !f.nullable { "" } else { "?" });
    let items = maybe(results);
    let total = p.total_field.as_deref().and_then(field).map(maybe).unwrap_or_default();
    let page_ty = match page.ty {
        TypeRef::I32 => "i32",
        _ => "i64",
    };
    Some(PagingView {
        page: ident(&page.ident),
        page_ty,
        per_page: ident(&per_page.ident),
        default_per_page: p.default_per_page,
        item: rust_type(api, &p.item, MODELS),
        items,
        total,
    })
}

/// The operations of each `operations/` module (one file per tag), modules in name order
/// and operations in method order.
pub fn modules(api: &Api) -> Vec<(&str, Vec<&Operation>)> {
    let mut modules: BTreeMap<&str, Vec<&Operation>> = BTreeMap::new();
    for op in &api.operations {
        modules.entry(op.module.as_str()).or_default().push(op);
    }
    let mut out: Vec<(&str, Vec<&Operation>)> = modules.into_iter().collect();
    for (_, ops) in &mut out {
        ops.sort_by(|a, b| a.method_ident.cmp(&b.method_ident));
    }
    out
}

/// Whether the code of `op` (its builder, markers, paging and waiters, which answer what it
/// answers) names a model: a parameter's type other than the runtime's flags, the body's,
/// or an answer's.
fn names_models(op: &Operation) -> bool {
    let answer = |r: &ResponseKind| matches!(r, ResponseKind::Json(ty) if ty.named().is_some());
    op.params.iter().any(|p| !shared_setter(p) && p.ty.named().is_some())
        || op.body.as_ref().is_some_and(|b| b.ty.named().is_some())
        || answer(&op.response)
        || op.versions.iter().any(|v| answer(&v.response))
}

/// Renders the file of one module of [`modules`]: its imports, each operation's builder,
/// then `waiters` (the waiters polling these operations, which live next to them and so
/// under the same tag; rendered by the caller, since they are made from these builders).
pub fn render_module(api: &Api, features: &Features, ops: &[&Operation], waiters: Vec<Piece>) -> Result<String, Error> {
    let mut pieces = Vec::new();
    let import = |text: &str, item: &str| Piece { text: text.to_owned(), template: "operations", item: item.to_owned() };
    if ops.iter().any(|op| op.params.iter().any(uses_rule)) {
        pieces.push(import("use crate::patterns::*;", "the rules import"));
    }
    // Only where a type is named, or the import would be unused.
    if ops.iter().any(|op| names_models(op)) {
        pieces.push(import("use crate::models;", "the models import"));
    }
    // What every operation's `fill` names.
    if !ops.is_empty() {
        pieces.push(import(crate::names::OPERATIONS_IMPORTS, "the request import"));
    }
    pieces.extend(operation_pieces(ops, "operation.askama", |op| render_operation(api, features, op))?);
    pieces.extend(waiters);
    tag_module(TagFile { ops, what: "operations", doc: "Operations tagged", pieces }, features)
}

/// Renders `operations/mod.rs`, which declares and re-exports `modules`.
pub fn mod_rs(features: &Features, modules: &[&str]) -> Result<String, Error> {
    let mut mod_rs = String::from("//! One request builder per operation, grouped by the spec's tags.\n");
    for module in modules {
        mod_rs.push_str(&reexport(&features.tag_module_cfg(module), module));
    }
    print_text(&mod_rs, "operations/mod.rs", "the operations module")
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    const PATHS: &str = "  /a/{aId}:\n    get:\n      operationId: getA\n      parameters:\n      - {name: aId, in: path, required: true, example: abc, schema: {type: string}}\n      - {name: count, in: query, required: true, schema: {type: integer}}\n      responses: {'200': {description: ok, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\n  /b:\n    delete:\n      operationId: deleteB\n      parameters:\n      - {name: force, in: query, schema: {type: boolean}}\n      responses: {'204': {description: none}}";

    fn api() -> Api {
        testing::api(&testing::spec(PATHS, "    A: {type: object, properties: {name: {type: string}}}"))
    }

    fn op<'a>(api: &'a Api, id: &str) -> &'a Operation {
        api.operations.iter().find(|o| o.operation_id == id).expect("the operation")
    }

    /// The models import is decided from the IR: an answer of a model needs it, flags and an
    /// empty answer do not.
    #[test]
    fn only_operations_that_name_a_model_import_the_models() {
        let api = api();
        assert!(names_models(op(&api, "getA")));
        assert!(!names_models(op(&api, "deleteB")));
    }

    /// Examples come from the parameters' data: the spec's example, else one made from the
    /// parameter's name or type.
    #[test]
    fn example_calls_set_the_required_parameters_from_their_data() {
        let api = api();
        let (args, calls) = example_setters(&api, op(&api, "getA"));
        assert!(args.is_empty(), "{args:?}");
        assert_eq!(calls, ["    .a_id(\"abc\")", "    .count(1)"]);
        let (_, calls) = example_setters(&api, op(&api, "deleteB"));
        assert!(calls.is_empty(), "an optional parameter is not set: {calls:?}");
    }

    #[test]
    fn the_file_imports_what_its_operations_name_and_nothing_else() {
        let api = testing::api(&testing::spec(PATHS, "    A: {type: object, properties: {name: {type: string}}}"));
        let features = Features::new(&api);
        let ops: Vec<&Operation> = api.operations.iter().collect();
        let text = render_module(&api, &features, &ops, Vec::new()).expect("renders");
        assert!(text.contains("use crate::models;"), "{text}");
        assert!(!text.contains("use crate::patterns::*;"), "no rule is named: {text}");
        let delete_only: Vec<&Operation> = ops.iter().copied().filter(|o| o.operation_id == "deleteB").collect();
        let text = render_module(&api, &features, &delete_only, Vec::new()).expect("renders");
        assert!(!text.contains("use crate::models;"), "{text}");
    }

    /// The Client method is named after the stable name and found by rustdoc's search under
    /// every other name the operation is published under.
    #[test]
    fn the_client_method_carries_a_doc_alias_per_published_name() {
        let paths = "  /b:\n    delete:\n      operationId: deleteGroupB\n      x-xgen-operation-id-override: deleteB\n      x-rust-name: removeB\n      x-former-operation-ids: [dropB]\n      responses: {'204': {description: none}}";
        let api = testing::api(&testing::spec(paths, "    A: {type: object}"));
        let text = render_operation(&api, &Features::new(&api), op(&api, "removeB")).expect("renders");
        let method = text.find("remove_b ->").expect("the Client method");
        let attrs: Vec<&str> =
            text[..method].match_indices("#[doc(alias = ").map(|(i, _)| &text[i..]).map(|t| &t[14..t.find(')').unwrap_or(14)]).collect();
        assert_eq!(attrs, ["\"deleteB\"", "\"deleteGroupB\"", "\"dropB\""], "{text}");
    }
}
