//! `mock/` (the crate's feature `mock`): per operation, the rule method of `Mock` and the
//! typed view of the operation's request, one file per tag like `operations/`. The engine
//! they fill with data is the hand-written `runtime/mock.rs`.

use askama::Template;

// Templates mark their rows (`{{ self::ROW }}`): see `super::rows`.
use super::rows::ROW;

use super::features::Features;
use super::operations::example_setters;
use super::tag::{TagFile, operation_pieces, tag_module};
use super::types::{answer_type, body_type};
use super::{Piece, docs, ident, lit, print_text, reexport, render_template, rust_type};
use crate::error::Error;
use crate::ir::{Api, Method, Operation, Param, ParamLocation, ResponseKind, TypeKind, TypeRef};

/// The models, as the mock's files name them (they `use crate::models`).
const MODELS: &str = "models";

/// One row of the operation's `mock::runtime::view!`: a field of the view.
struct FieldView {
    name: String,
    /// How the field is kept and read: `(opt? how reader(args))` (see the runtime's `view!`).
    spec: String,
    /// Its doc, as literals.
    doc: String,
}

/// One operation's request view: a row of `mock::runtime::view!`.
#[derive(Template)]
#[template(path = "mock.askama", escape = "none")]
struct ViewTemplate {
    /// The view's doc, as literals.
    doc: String,
    view: String,
    fields: Vec<FieldView>,
}

/// One operation's rule method: a row of `mock::runtime::rule!`.
struct RuleView {
    /// Its doc, as literals.
    doc: String,
    method: String,
    view: String,
    output: String,
    operation_id: String,
    /// The method's name for messages, when its identifier does not spell it (a raw one);
    /// the runtime's `rule!` stringifies the identifier otherwise.
    method_name: Option<String>,
    success: u16,
    encode: &'static str,
}

/// A tag file's imports and its rule methods, in one `impl Mock`.
#[derive(Template)]
#[template(path = "mock_rules.askama", escape = "none")]
struct RulesTemplate {
    imports: Vec<String>,
    rules: Vec<RuleView>,
}

/// The rule method's name (see [`crate::names`]).
fn rule_method(op: &Operation) -> String {
    op.mock_rule_ident.clone()
}

fn view_name(op: &Operation) -> String {
    op.mock_view_ident.clone()
}

/// The number type an integer enum is sent as, when `ty` (or its items) is one: the view
/// reads the number and turns it into the enum.
fn int_repr(api: &Api, ty: &TypeRef) -> Option<String> {
    match ty {
        TypeRef::Vec(inner) => int_repr(api, inner),
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::IntEnum(e) => Some(rust_type(api, &e.repr, MODELS)),
            TypeKind::Alias(target) => int_repr(api, target),
            _ => None,
        },
        _ => None,
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

/// A field of a view: how it is kept, answered and read from the call (`read`, the
/// [`Call`] reader and its arguments), as a row of the runtime's `view!`.
fn field(api: &Api, name: &str, ty: &TypeRef, rust: String, required: bool, read: String, doc: &str) -> FieldView {
    // `str` answers `&str`, `list` a slice, `copy` the value, `borrow` a reference; `opt`
    // keeps an `Option` of it.
    let how = match ty {
        TypeRef::String => "str".to_owned(),
        TypeRef::Vec(_) | TypeRef::Bytes => format!("list({})", slice_item(api, ty)),
        ty if is_copy(api, ty) => format!("copy({rust})"),
        _ => format!("borrow({rust})"),
    };
    let opt = if required { "" } else { "opt " };
    FieldView { name: name.to_owned(), spec: format!("({opt}{how} {read})"), doc: docs::literals(&[doc.to_owned()]) }
}

/// The item type of a field stored as a `Vec`: a list's items, a binary body's bytes.
fn slice_item(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Vec(inner) => rust_type(api, inner, MODELS),
        _ => "u8".to_owned(),
    }
}

/// How a parameter is read from the call: the runtime's reader of its location, required or
/// not (`Call::path`, `Call::query_opt`, ...), and its arguments.
fn read_param(api: &Api, p: &Param) -> String {
    let list = matches!(p.ty, TypeRef::Vec(_));
    let location = match (p.location, list) {
        (ParamLocation::Path, _) => "path",
        (ParamLocation::Query, false) => "query",
        (ParamLocation::Query, true) => "query_list",
        (ParamLocation::Header, _) => "header",
    };
    // A path parameter is required (OpenAPI says so): its reader has the short name.
    let suffix = match (p.location, p.required) {
        (ParamLocation::Path, true) => "",
        (_, true) => "_req",
        (_, false) => "_opt",
    };
    let wire = lit(&p.name);
    // An integer enum is read as its number (the runtime's `view!` turns it into the enum).
    match int_repr(api, &p.ty) {
        Some(repr) => format!("{location}{suffix}::<{repr}>({wire})"),
        None => format!("{location}{suffix}({wire})"),
    }
}

/// What the rule answers: the output type (the newest version's, as the builder's default)
/// and how a typed answer becomes a body.
fn output(api: &Api, op: &Operation) -> (String, &'static str) {
    let response = output_response(op);
    let into_body = match response {
        ResponseKind::Empty => "no_body",
        ResponseKind::Bytes => "raw_body",
        ResponseKind::Json(_) => "json",
    };
    (answer_type(api, response, MODELS), into_body)
}

/// The answer a rule gives: the newest version's for a versioned operation.
fn output_response(op: &Operation) -> &ResponseKind {
    let newest = op.versions.iter().rev().map(|v| &v.response).find(|r| matches!(r, ResponseKind::Json(_)));
    if op.is_versioned() { newest.unwrap_or(&op.response) } else { &op.response }
}

/// `[`Client::x`](crate::Client::x) (`xId`)`: where the operation's method, path, API
/// version and roles are documented.
fn client_link(op: &Operation) -> String {
    let m = crate::names::plain(&op.method_ident);
    format!("[`Client::{m}`](crate::Client::{m}) (`{}`)", op.operation_id)
}

/// An empty line and the sentence saying why `ident` (a rule or view of `op`) is not the
/// name it would have had, if it was renamed.
fn rename_note(api: &Api, op: &Operation, ident: &str) -> Vec<String> {
    api.rename_note(&op.pointer, ident).map(|sentence| vec![String::new(), sentence.to_owned()]).unwrap_or_default()
}

fn render_view(api: &Api, op: &Operation) -> Result<String, Error> {
    let mut fields = Vec::new();
    for p in &op.params {
        let name = ident(&p.ident);
        // A `format: binary` parameter is still text on the wire, and a `String` here.
        let ty = if p.ty == TypeRef::Bytes { TypeRef::String } else { p.ty.clone() };
        let rust = rust_type(api, &ty, MODELS);
        let doc =
            format!("`{}` ({} parameter{}), as the call sent it.", p.name, p.location.as_str(), if p.required { ", required" } else { "" });
        fields.push(field(api, &name, &ty, rust, p.required, read_param(api, p), &doc));
    }
    if let Some(b) = &op.body {
        let reader = if b.ty == TypeRef::Bytes { "bytes" } else { "json" };
        let rust = body_type(api, &b.ty, MODELS);
        let read = format!("{reader}_{}()", if b.required { "req" } else { "opt" });
        let doc = format!(
            "The request body (`{}`{}), decoded from what the call sent.",
            b.media_type,
            if b.required { ", required" } else { "" }
        );
        fields.push(field(api, "body", &b.ty, rust, b.required, read, &doc));
    }
    let method = rule_method(op);
    let m = crate::names::plain(&method);
    let mut lines = vec![format!(
        "A call of {} read back, typed: what [`Mock::{m}`](crate::mock::Mock::{m})'s [`matching`](Rule::matching) and [`Call::read`] see.",
        client_link(op)
    )];
    lines.extend(rename_note(api, op, &op.mock_view_ident));
    let tmpl = ViewTemplate { doc: docs::literals(&lines), view: ident(&view_name(op)), fields };
    render_template(&tmpl, "mock.askama", &op.operation_id)
}

fn rule_view(api: &Api, op: &Operation) -> RuleView {
    let (output, encode) = output(api, op);
    let method = rule_method(op);
    let builder = crate::names::plain(&op.builder_ident);
    let view = view_name(op);
    let mut lines = vec![format!(
        "A rule for {}: [`matching`](Rule::matching) sees a [`{view}`], [`then_output`](Rule::then_output) takes what [`{builder}::send`](crate::operations::{builder}::send) answers{}.",
        client_link(op),
        if op.is_versioned() { " in the newest API version" } else { "" }
    )];
    lines.extend(rename_note(api, op, &op.mock_rule_ident));
    let method_ident = ident(&method);
    let name = crate::names::plain(&method);
    RuleView {
        doc: docs::literals(&lines),
        method_name: (method_ident != name).then(|| lit(name)),
        method: method_ident,
        view: ident(&view),
        output,
        operation_id: lit(&op.operation_id),
        success: op.success_status,
        encode,
    }
}

/// The tag file's `use`s (each only when a rule or view needs it: an unused one is a
/// warning) and its `impl Mock` of rule methods.
fn render_rules(api: &Api, ops: &[&Operation], item: &str) -> Result<String, Error> {
    let rules: Vec<RuleView> = ops.iter().map(|op| rule_view(api, op)).collect();
    let mut runtime: Vec<&str> = rules.iter().map(|r| r.encode).collect();
    runtime.sort_unstable();
    runtime.dedup();
    let mut imports =
        vec!["crate::mock::{Call, RequestView, Rule}".to_owned(), format!("crate::mock::runtime::{{{}}}", runtime.join(", "))];
    // Views name the models of parameters and bodies, rules those of answers.
    let answer = |op: &Operation| match output_response(op) {
        ResponseKind::Json(ty) => ty.named().is_some(),
        ResponseKind::Empty | ResponseKind::Bytes => false,
    };
    let names_models = |op: &&Operation| {
        answer(op) || op.body.as_ref().is_some_and(|b| b.ty.named().is_some()) || op.params.iter().any(|p| p.ty.named().is_some())
    };
    if ops.iter().any(names_models) {
        imports.push("crate::models".to_owned());
    }
    render_template(&RulesTemplate { imports, rules }, "mock_rules.askama", item)
}

/// Renders the file of one tag (the operations of one module of
/// [`super::operations::modules`]): its rules, then each operation's request view.
pub fn render_module(api: &Api, features: &Features, ops: &[&Operation]) -> Result<String, Error> {
    let item = ops.first().map_or_else(String::new, |o| format!("the rules of tag {}", o.tag));
    let text = render_rules(api, ops, &item)?;
    // First in the file: the `use`s and the rules, then the views they name.
    let mut pieces = vec![Piece { text, template: "mock_rules.askama", item }];
    pieces.extend(operation_pieces(ops, "mock.askama", |op| render_view(api, op))?);
    tag_module(TagFile { ops, what: "mock", doc: "Mock rules of the operations tagged", pieces }, features)
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
        let names: Vec<String> = ops.iter().map(|o| format!("[`{0}`](Mock::{0})", crate::names::plain(&rule_method(o)))).collect();
        lines.push(format!("Rules: {}.", names.join(", ")));
        lines.extend(example(api, op));
    }
    let mut text = docs::inner_attrs(&lines);
    text.push_str("mod runtime;\n");
    text.push_str("pub use runtime::{Answer, Call, MOCK_BASE_URL, Mock, RequestView, Rule};\n");
    for (module, _) in modules {
        // A tag's rules exist when its operations do (its cargo feature).
        text.push_str(&reexport(&features.tag_module_cfg(module), module));
    }
    print_text(&text, "mock/mod.rs", "the mock module")
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
        // The value the call below sets.
        let value = super::operations::example_value(p).unwrap_or_else(|| lit(""));
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
    lines.push(
        "assert_eq!(answer.err().and_then(|e| e.error_code().map(str::to_owned)).as_deref(), Some(\"RESOURCE_NOT_FOUND\"));".to_owned(),
    );
    lines.push("mock.verify();".to_owned());
    lines.push("# }".to_owned());
    lines.push("```".to_owned());
    lines
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    const PATHS: &str = "  /f/{fId}:\n    get:\n      operationId: getF\n      parameters:\n      - {name: fId, in: path, required: true, schema: {type: string}}\n      - {name: tags, in: query, schema: {type: array, items: {type: string}}}\n      - {name: page, in: query, required: true, schema: {type: integer, format: int32}}\n      responses: {'200': {description: ok, content: {application/gzip: {schema: {type: string, format: binary}}}}}";

    /// Each parameter is read by the runtime's reader of its location and optionality, and
    /// a raw answer is given as raw bytes: decided from the IR's types.
    #[test]
    fn readers_and_answers_follow_the_parameters_and_response() {
        let api = testing::api(&testing::spec(PATHS, "    Unused: {type: string}"));
        let op = &api.operations[0];
        let param = |name: &str| op.params.iter().find(|p| p.name == name).expect("the parameter");
        assert_eq!(read_param(&api, param("fId")), "path(\"fId\")");
        assert_eq!(read_param(&api, param("tags")), "query_list_opt(\"tags\")");
        assert_eq!(read_param(&api, param("page")), "query_req(\"page\")");
        assert_eq!(output(&api, op), ("bytes::Bytes".to_owned(), "raw_body"));
    }

    /// A rule that gives way to a method of the runtime's `Mock` says why in its docs; one
    /// that keeps the client's name says nothing more.
    #[test]
    fn a_renamed_rule_says_why_in_its_docs() {
        let paths = "  /v:\n    get:\n      operationId: verify\n      responses: {'204': {description: ok}}\n  /g:\n    get:\n      operationId: getG\n      responses: {'204': {description: ok}}";
        let api = testing::api(&testing::spec(paths, ""));
        let rule = |id: &str| rule_view(&api, api.operations.iter().find(|o| o.operation_id == id).expect("the operation"));
        let verify = rule("verify");
        assert_eq!((verify.method.as_str(), verify.method_name), ("verify_rule", None));
        let doc = &verify.doc;
        assert!(doc.contains("is named `verify_rule` because `verify` is a method of the runtime's `Mock`."), "{doc}");
        let doc = &rule("getG").doc;
        assert!(!doc.is_empty() && !doc.contains("is named"), "{doc}");
    }
}
