//! `mock/` (the crate's feature `mock`): per operation, the rule method of `Mock` and the
//! typed view of the operation's request, one file per tag like `operations/`. The engine
//! they fill with data is the hand-written `runtime/mock.rs`.

use askama::Template;

use super::operations::example_setters;
use super::features::Features;
use super::{docs, ident, lit, parse_file, render_template, rust_type, tag_module, unparse};
use crate::error::Error;
use crate::ir::{Api, Method, Operation, ParamLocation, ResponseKind, TypeKind, TypeRef};

const MODELS: &str = "crate::models";
const RUNTIME: &str = "crate::mock::runtime";

/// Methods `Mock` has of its own: a rule method of that name is suffixed `_rule`.
const MOCK_METHODS: &[&str] = &["new", "client_builder", "client", "calls", "verify", "rule", "lock", "answer", "clone", "fmt", "default"];

struct FieldView {
    doc: String,
    name: String,
    ty: String,
    returns: String,
    access: String,
    read: String,
}

#[derive(Template)]
#[template(path = "mock.askama", escape = "none")]
struct MockTemplate {
    rule_doc: String,
    method: String,
    view: String,
    view_doc: String,
    output: String,
    operation_id: String,
    method_name: String,
    success: u16,
    encode: &'static str,
    fields: Vec<FieldView>,
}

/// The rule method's name: the client's, unless `Mock` has a method of that name.
fn rule_method(op: &Operation) -> String {
    let name = op.method_ident.trim_start_matches("r#");
    if MOCK_METHODS.contains(&name) { format!("{name}_rule") } else { op.method_ident.clone() }
}

fn view_name(op: &Operation) -> String {
    format!("{}Request", op.builder_ident.trim_start_matches("r#"))
}

/// How a parameter's text reads back into its type: the inverse of the `Display` the
/// client sent it with.
fn parser(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::DateTime => format!("{RUNTIME}::date_time"),
        TypeRef::Vec(inner) => parser(api, inner),
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::IntEnum(e) => format!("{RUNTIME}::int_enum::<{}, _>", rust_type(api, &e.repr, MODELS)),
            TypeKind::Alias(target) => parser(api, target),
            _ => format!("{RUNTIME}::text"),
        },
        _ => format!("{RUNTIME}::text"),
    }
}

/// Whether the accessor answers the value itself rather than a reference.
fn is_copy(api: &Api, ty: &TypeRef) -> bool {
    match ty {
        TypeRef::Bool | TypeRef::I32 | TypeRef::I64 | TypeRef::F32 | TypeRef::F64 | TypeRef::DateTime | TypeRef::Date => true,
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::IntEnum(_) => true,
            TypeKind::Alias(target) => is_copy(api, target),
            _ => false,
        },
        _ => false,
    }
}

/// A field of a view: its stored type, accessor and how it is read from the call.
fn field(api: &Api, name: &str, ty: &TypeRef, rust: String, required: bool, read: String, doc: String) -> FieldView {
    let (returns, access) = match (ty, required) {
        (TypeRef::String, true) => ("&str".to_owned(), format!("&self.{name}")),
        (TypeRef::String, false) => ("Option<&str>".to_owned(), format!("self.{name}.as_deref()")),
        (TypeRef::Vec(_) | TypeRef::Bytes, true) => (format!("&[{}]", slice_item(&rust)), format!("&self.{name}")),
        (TypeRef::Vec(_) | TypeRef::Bytes, false) => (format!("Option<&[{}]>", slice_item(&rust)), format!("self.{name}.as_deref()")),
        (ty, true) if is_copy(api, ty) => (rust.clone(), format!("self.{name}")),
        (ty, false) if is_copy(api, ty) => (format!("Option<{rust}>"), format!("self.{name}")),
        (_, true) => (format!("&{rust}"), format!("&self.{name}")),
        (_, false) => (format!("Option<&{rust}>"), format!("self.{name}.as_ref()")),
    };
    let ty = if required { rust } else { format!("Option<{rust}>") };
    FieldView { doc, name: name.to_owned(), ty, returns, access, read }
}

/// How a field is read: `read` answers an `Option`, which must be `Some` when the field is
/// required (`wire` is its name in the API, for the message).
fn read_required(read: String, required: bool, wire: &str) -> String {
    if required { format!("{RUNTIME}::required({}, {read})?", lit(wire)) } else { read }
}

/// `T` of `Vec<T>`.
fn slice_item(vec: &str) -> &str {
    vec.strip_prefix("Vec<").and_then(|t| t.strip_suffix('>')).unwrap_or(vec)
}

/// What the rule answers: the output type (the newest version's, as the builder's default)
/// and how a typed answer becomes a body.
fn output(api: &Api, op: &Operation) -> (String, &'static str) {
    let newest = op.versions.iter().rev().map(|v| &v.response).find(|r| matches!(r, ResponseKind::Json(_)));
    let response = if op.is_versioned() { newest.unwrap_or(&op.response) } else { &op.response };
    match response {
        ResponseKind::Empty => ("()".to_owned(), "no_body"),
        ResponseKind::Bytes => ("bytes::Bytes".to_owned(), "raw_body"),
        ResponseKind::Json(ty) => (rust_type(api, ty, MODELS), "json"),
    }
}

fn render_operation(api: &Api, op: &Operation) -> Result<String, Error> {
    let mut fields = Vec::new();
    for p in &op.params {
        let name = ident(&p.ident);
        // A `format: binary` parameter is still text on the wire, and a `String` here.
        let ty = if p.ty == TypeRef::Bytes { TypeRef::String } else { p.ty.clone() };
        let rust = rust_type(api, &ty, MODELS);
        let wire = lit(&p.name);
        let parse = parser(api, &p.ty);
        let (read, location) = match (p.location, &p.ty) {
            (ParamLocation::Path, _) => (format!("call.path_value({wire}, {parse})?"), "path"),
            (ParamLocation::Query, TypeRef::Vec(_)) => (format!("call.query_values({wire}, {parse})?"), "query"),
            (ParamLocation::Query, _) => (format!("call.query_value({wire}, {parse})?"), "query"),
            (ParamLocation::Header, _) => (format!("call.header_value({wire}, {parse})?"), "header"),
        };
        let doc = docs::attrs(&[format!(
            "`{}` ({location} parameter{}), as the call sent it.",
            p.name,
            if p.required { ", required" } else { "" }
        )]);
        fields.push(field(api, &name, &ty, rust, p.required, read_required(read, p.required, &p.name), doc));
    }
    if let Some(b) = &op.body {
        let (rust, read) = match &b.ty {
            TypeRef::Bytes => ("Vec<u8>".to_owned(), "call.bytes_body()?".to_owned()),
            ty => (rust_type(api, ty, MODELS), "call.json_body()?".to_owned()),
        };
        let doc = docs::attrs(&[format!(
            "The request body (`{}`{}), decoded from what the call sent.",
            b.media_type,
            if b.required { ", required" } else { "" }
        )]);
        fields.push(field(api, "body", &b.ty, rust, b.required, read_required(read, b.required, "body"), doc));
    }
    let (output, encode) = output(api, op);
    let method = rule_method(op);
    let client_method = op.method_ident.trim_start_matches("r#");
    let builder = op.builder_ident.trim_start_matches("r#");
    let view = view_name(op);
    let request = format!("`{} {}`", op.method.as_str(), op.path);
    let rule_doc = docs::attrs(&[
        format!("A rule for [`Client::{client_method}`](crate::Client::{client_method}) (`{}`, {request}).", op.operation_id),
        String::new(),
        format!(
            "[`matching`](crate::mock::Rule::matching) sees the call as a [`{view}`]; [`then_output`](crate::mock::Rule::then_output) takes what [`{builder}::send`](crate::operations::{builder}::send) answers{}.",
            if op.is_versioned() { " in the newest API version" } else { "" }
        ),
    ]);
    let view_doc = docs::attrs(&[
        format!("A call of `{}` ({request}) as the mock read it back: its parameters and body, typed.", op.operation_id),
        String::new(),
        format!("Seen by [`Mock::{method}`](crate::mock::Mock::{method})'s [`matching`](crate::mock::Rule::matching); also [`Call::read`](crate::mock::Call::read)."),
    ]);
    let tmpl = MockTemplate {
        rule_doc,
        method: ident(&method),
        view: ident(&view),
        view_doc,
        output,
        operation_id: lit(&op.operation_id),
        method_name: lit(method.trim_start_matches("r#")),
        success: op.success_status,
        encode,
        fields,
    };
    render_template(&tmpl, "mock.askama", &op.operation_id)
}

/// Renders the file of one tag (the operations of one module of
/// [`super::operations::modules`]).
pub fn render_module(api: &Api, features: &Features, ops: &[&Operation]) -> Result<String, Error> {
    tag_module(ops, features, "mock", "mock.askama", "Mock rules of the operations tagged", |op| render_operation(api, op), |_| Ok(()))
}

/// Renders `mock/mod.rs`: the module's documentation with an example per tag, the engine
/// and the tags' modules, re-exported.
pub fn mod_rs(api: &Api, features: &Features, modules: &[(&str, Vec<&Operation>)]) -> Result<String, Error> {
    let mut lines = vec![
        "An in-process mock of the API, for testing code that uses the client (feature `mock`).".to_owned(),
        String::new(),
        "A [`Mock`] holds rules, one kind per operation, made by the method named like the client's. [`Mock::client`] is a real [`Client`](crate::Client) whose attempts the mock answers instead of a server; each is checked, intercepted, retried and decoded by the client's own code. [`Mock::verify`] panics, naming each expectation not met, and [`Mock::calls`] shows what was sent.".to_owned(),
        String::new(),
        "Matching sees each call's parameters and body, typed; the answers are a typed output ([`Rule::then_output`]), an Atlas error ([`Rule::then_api_error`]), a raw status and body, or a sequence of these ([`Rule::then_sequence`]) to script retries, pages and the states a resource goes through. A call no rule answers fails with [`Error::Mock`](crate::Error::Mock), naming the operation and why each of its rules did not answer.".to_owned(),
    ];
    for (_, ops) in modules {
        // A read makes the most natural example.
        let Some(op) = ops.iter().find(|o| o.method == Method::Get).or(ops.first()) else { continue };
        lines.push(String::new());
        lines.push(format!("# `{}`", op.tag));
        lines.push(String::new());
        let names: Vec<String> = ops.iter().map(|o| format!("[`{0}`](Mock::{0})", rule_method(o).trim_start_matches("r#"))).collect();
        lines.push(format!("Rules: {}.", names.join(", ")));
        lines.extend(example(api, op));
    }
    let mut text = docs::attrs(&lines).replace("#[doc", "#![doc");
    text.push_str("mod runtime;\n");
    text.push_str("pub use runtime::{Answer, Call, MOCK_BASE_URL, Mock, RequestView, Rule};\n");
    for (module, _) in modules {
        // A tag's rules exist when its operations do (its cargo feature).
        let m = ident(module);
        let cfg = features.tag_module_cfg(module);
        text.push_str(&format!("{cfg}\nmod {m};\n{cfg}\npub use {m}::*;\n"));
    }
    let file = parse_file(&text).map_err(|e| Error::Render {
        template: "mock/mod.rs",
        item: "the mock module".to_owned(),
        message: e.to_string(),
    })?;
    Ok(unparse(&file))
}

/// A compiling (not run) test of code that calls the operation: a rule that answers an
/// Atlas error, the call, and the checks.
fn example(api: &Api, op: &Operation) -> Vec<String> {
    let (args, setters) = example_setters(api, op);
    let method = rule_method(op);
    let first_string = op.params.iter().find(|p| p.required && p.ty == TypeRef::String);
    let mut lines = vec![
        String::new(),
        "```no_run".to_owned(),
        "# #[allow(deprecated)]".to_owned(),
        format!("# async fn example({}) {{", args.join(", ")),
        "use atlas_backup::mock::Mock;".to_owned(),
        String::new(),
        "let mock = Mock::new();".to_owned(),
        format!("mock.{method}()"),
    ];
    if let Some(p) = first_string {
        let value = setters
            .iter()
            .find_map(|s| s.trim().strip_prefix(&format!(".{}(", p.ident))?.strip_suffix(')').map(str::to_owned))
            .unwrap_or_else(|| lit(""));
        lines.push(format!("    .matching(|req| req.{}() == {value})", p.ident));
    }
    lines.push("    .then_api_error(404, \"RESOURCE_NOT_FOUND\", \"no such resource\")".to_owned());
    lines.push("    .times(1);".to_owned());
    lines.push(String::new());
    lines.push("// The code under test gets a real client.".to_owned());
    lines.push("let client = mock.client();".to_owned());
    lines.push("let answer = client".to_owned());
    lines.push(format!("    .{}()", op.method_ident));
    lines.extend(setters);
    lines.push("    .send()".to_owned());
    lines.push("    .await;".to_owned());
    lines.push("assert_eq!(answer.err().and_then(|e| e.error_code().map(str::to_owned)).as_deref(), Some(\"RESOURCE_NOT_FOUND\"));".to_owned());
    lines.push("mock.verify();".to_owned());
    lines.push("# }".to_owned());
    lines.push("```".to_owned());
    lines
}
