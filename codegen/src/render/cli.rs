//! The command-line crate (`generated/cli/`, package `atlas-backup-cli`, binary
//! `atlas-backup`): the hand-written runtime of `codegen/cli-runtime/` and one generated
//! module, `commands.rs`, of static tables (operations, flags, body fields, waiters and
//! their links), each operation and waiter naming the library's builder it drives (no code
//! per operation). Names come from [`crate::names::cli`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{File, header, ident, lit, rust_type};
use crate::error::Error;
use crate::ir::links::LinkSource;
use crate::ir::{Api, Operation, ParamLocation, ResponseKind, TypeDef, TypeId, TypeKind, TypeRef};
use crate::names::cli as names;

/// The manifest: explicit versions, so that the crate builds outside this workspace too. Its
/// `[package]` table and the library's version are [`super::manifest::render_cli`]'s.
const MANIFEST: &str = r#"[package]
@package@

[lib]
name = "atlas_backup_cli"
path = "src/lib.rs"

[[bin]]
name = "atlas-backup"
path = "src/main.rs"

[dependencies]
atlas-backup = { path = ".." }
clap = { version = "4.6.9", features = ["string"] }
clap_complete = "4.6.12"
futures = "0.3.34"
humantime = "2.4.0"
indicatif = "0.18.6"
reqwest = { version = "0.13.5", default-features = false }
serde = { version = "1.0.228", features = ["derive"] }
serde_json = { version = "1.0.145", features = ["raw_value"] }
serde_yaml = "0.9.34"
strsim = "0.11.1"
tokio = { version = "1.54.1", features = ["rt", "time", "signal", "macros"] }
toml = "1.2.2"
"#;

/// Every file of the command-line crate, paths relative to the generated crate's root.
pub fn render(api: &Api, spec_name: &str) -> Result<Vec<File>, Error> {
    let rust_header = header(spec_name, "//");
    let manifest = super::manifest::render_cli(MANIFEST, &api.crate_version)?;
    let mut files = vec![
        File { path: "cli/Cargo.toml".to_owned(), contents: format!("{}{manifest}", header(spec_name, "#")) },
        File { path: "cli/README.md".to_owned(), contents: include_str!("templates/cli/README.md").to_owned() },
        File { path: "cli/LICENSE".to_owned(), contents: super::LICENSE.to_owned() },
    ];
    for (path, text) in crate::runtime::CLI {
        files.push(File { path: (*path).to_owned(), contents: format!("{rust_header}\n{text}") });
    }
    let text = commands(api);
    files.push(File { path: "cli/src/commands.rs".to_owned(), contents: format!("{rust_header}\n{text}") });
    files.push(File { path: "cli/COMMANDS.md".to_owned(), contents: format!("<!--\n{}-->\n{}", header(spec_name, ""), surface(api)) });
    Ok(files)
}

/// Every command and flag of the command line, as a reviewable list (`cli/COMMANDS.md`):
/// a spec change shows its effect on the command line in review.
pub fn surface(api: &Api) -> String {
    let mut out = String::from(
        "# atlas-backup commands\n\nGlobal flags: `-o/--output json|yaml|ndjson`, `--outputFile PATH`, `-P/--profile NAME`, `--base-url URL`, `--dry-run`, `--curl`, `--debug`, `--quiet`, `--har FILE`.\n",
    );
    let mut order: Vec<&Operation> = api.operations.iter().collect();
    // Each key once per operation (a heck conversion): the sort is stable, as sort_by_key's.
    order.sort_by_cached_key(|o| names::tag_command(&o.tag));
    let mut tag = String::new();
    for op in order {
        let t = names::tag_command(&op.tag);
        if t != tag {
            let _ = write!(out, "\n## {t} ({})\n", names::kebab(&t));
            tag = t.clone();
        }
        let aliases: Vec<String> = op.command_aliases.iter().map(|a| format!("`{a}`")).collect();
        let aliases = if aliases.is_empty() { String::new() } else { format!(" ({})", aliases.join(", ")) };
        let _ = write!(out, "\n- `atlas-backup {t} {}`{aliases}: {} {}", op.command, op.method.as_str(), op.path);
        if op.deprecated {
            out.push_str(" (deprecated)");
        }
        out.push('\n');
        let dates: Vec<&str> = op.versions.iter().filter_map(version_name).collect();
        if !dates.is_empty() {
            let _ = writeln!(out, "  - `--version` (`--api-version`) {}", dates.join("|"));
        }
        for p in &op.params {
            out.push_str(&flag_line(api, p));
        }
        if let Some(b) = &op.body {
            let _ = writeln!(out, "  - `--file PATH` or piped stdin{} | `--template`", if b.required { " (required)" } else { "" });
        }
        if op.pagination.is_some() {
            out.push_str("  - `--all`, `--concurrency N`\n");
        }
        for l in api.wait_links.iter().filter(|l| api.operations[l.operation].operation_id == op.operation_id) {
            let _ = writeln!(out, "  - `--wait` (waiter `{}`), `--wait-timeout`, `--min-delay`, `--max-delay`", api.waiters[l.waiter].name);
        }
    }
    out.push_str("\n## wait\n");
    for w in &api.waiters {
        let op = &api.operations[w.operation];
        let _ = writeln!(
            out,
            "\n- `atlas-backup wait {}` (`{}`): polls `{}`; `--wait-timeout`, `--min-delay`, `--max-delay`",
            w.name,
            names::kebab(&w.name),
            op.command
        );
        for p in &op.params {
            out.push_str(&flag_line(api, p));
        }
    }
    out
}

fn flag_line(api: &Api, p: &crate::ir::Param) -> String {
    let aliases = names::flag_aliases(&p.name);
    let aliases = if aliases.is_empty() {
        String::new()
    } else {
        format!(" ({})", aliases.iter().map(|a| format!("`--{a}`")).collect::<Vec<_>>().join(", "))
    };
    let ty = match &p.ty {
        TypeRef::Vec(inner) => format!("{}...", kind_word(api, inner)),
        other => kind_word(api, other),
    };
    format!("  - `--{}`{aliases} {ty}{}\n", names::flag(&p.name), if p.required { " (required)" } else { "" })
}

fn kind_word(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::I32 | TypeRef::I64 => "integer".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "number".to_owned(),
        TypeRef::Bool => "boolean".to_owned(),
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Enum(e) => e.variants.iter().map(|v| v.value.as_str()).collect::<Vec<_>>().join("|"),
            TypeKind::Alias(inner) => kind_word(api, inner),
            _ => "string".to_owned(),
        },
        _ => "string".to_owned(),
    }
}

/// The request builder's path in the library.
fn builder_path(name: &str) -> String {
    format!("atlas_backup::operations::{}", ident(name))
}

fn strs(values: &[String]) -> String {
    let mut out = String::from("&[");
    for (i, v) in values.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&lit(v));
    }
    out.push(']');
    out
}

fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({})", lit(v)))
}

/// Atlas's media type of an operation's preview.
const PREVIEW: &str = "application/vnd.atlas.preview+json";

/// What `--version` calls a version: its date, or `preview` for the preview media type (as
/// `atlas api` does); `None` for a media type that is neither (`application/json`).
fn version_name(v: &crate::ir::ApiVersion) -> Option<&str> {
    v.date.as_deref().or((v.media_type == PREVIEW).then_some("preview"))
}

/// The table's `call::<Builder>` of a builder type.
fn caller(builder: &str) -> String {
    format!("crate::call::call::<{builder}>")
}

/// The versions of `op` the command line offers (`--version DATE`), each with the builder
/// that calls it: the library's versioned builder switched to that version's marker when
/// the versions answer different types, else the one builder (told the date at run time).
fn versions(op: &Operation) -> String {
    let builder = builder_path(&op.builder_ident);
    let newest = op.versions.last().map(|v| v.marker_ident.as_str());
    let entries: Vec<String> = op
        .versions
        .iter()
        .filter_map(|v| {
            let date = version_name(v)?;
            let call = if op.is_versioned() && !v.marker_ident.is_empty() && Some(v.marker_ident.as_str()) != newest {
                caller(&format!("{builder}<atlas_backup::operations::{}>", ident(&v.marker_ident)))
            } else {
                caller(&builder)
            };
            Some(format!("Version {{ date: {}, call: {call} }}", lit(date)))
        })
        .collect();
    format!("&[{}]", entries.join(", "))
}

/// The schema an operation's answer is checked against, as the spec names it.
fn answer_schema(api: &Api, op: &Operation) -> Option<String> {
    match &op.response {
        ResponseKind::Json(TypeRef::Named(id)) => Some(api.ty(*id).wanted_name.clone()),
        ResponseKind::Json(other) => Some(rust_type(api, other, "models")),
        ResponseKind::Empty | ResponseKind::Bytes => None,
    }
}

/// `Ty { a: v, b: v }` with one field a line, indented `depth` levels of four spaces: the
/// tables are printed as written (not parsed and formatted again: with a few hundred
/// operations that was most of the command line's share of generation).
fn block(ty: &str, fields: &[(&str, String)], depth: usize) -> String {
    let pad = "    ".repeat(depth + 1);
    let len = fields.iter().map(|(name, value)| pad.len() + name.len() + value.len() + 4).sum::<usize>();
    let mut out = String::with_capacity(ty.len() + len + pad.len() + 4);
    out.push_str(ty);
    out.push_str(" {\n");
    for (name, value) in fields {
        out.push_str(&pad);
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str(",\n");
    }
    out.push_str(&pad[4..]);
    out.push('}');
    out
}

/// The generated module's text.
fn commands(api: &Api) -> String {
    let mut shapes = Shapes::default();
    let mut flags = Params::default();
    // The tables name deprecated builders too: the command warns when it runs one.
    let mut out = String::from(
        "#![allow(deprecated)]\n//! The spec's operations and waiters as tables; each names the library's builder it drives.\n\n",
    );
    out.push_str("use crate::spec::*;\n\n");
    let about = format!(
        "{} from the shell; every operation is `atlas-backup <tag> <operation>` (its short published name; the others are aliases)",
        api.title
    );
    let tables =
        block("crate::app::Tables", &[("about", lit(&about)), ("operations", "OPERATIONS".into()), ("waiters", "WAITERS".into())], 0);
    let _ = writeln!(out, "pub static TABLES: crate::app::Tables = {tables};\n");
    // Operations in the order of their commands: by tag, then as the spec lists them.
    let mut order: Vec<usize> = (0..api.operations.len()).collect();
    order.sort_by_cached_key(|&i| names::tag_command(&api.operations[i].tag));
    let position: BTreeMap<usize, usize> = order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
    out.push_str("static OPERATIONS: &[Operation] = &[\n");
    for &i in &order {
        let op = &api.operations[i];
        let tag = names::tag_command(&op.tag);
        let params: Vec<String> = op.params.iter().map(|p| format!("&{}", flags.of(api, p))).collect();
        let body = match &op.body {
            Some(b) if b.ty != TypeRef::Bytes => format!(
                "Some(Body {{ required: {}, type_name: {}, shape: &{} }})",
                b.required,
                lit(&rust_type(api, &b.ty, "models")),
                shapes.of(api, &b.ty)
            ),
            _ => "None".to_owned(),
        };
        let links: Vec<String> = api
            .wait_links
            .iter()
            .filter(|l| l.operation == i)
            .map(|l| {
                let params: Vec<String> = l
                    .params
                    .iter()
                    .map(|(name, source)| match source {
                        LinkSource::Request(from) => format!("({}, Source::Request({}))", lit(name), lit(from)),
                        LinkSource::Response(ptr) => format!("({}, Source::Response({}))", lit(name), lit(ptr)),
                    })
                    .collect();
                format!("Link {{ waiter: {}, params: &[{}] }}", l.waiter, params.join(", "))
            })
            .collect();
        let fields = [
            ("id", lit(&op.command)),
            ("aliases", strs(&op.command_aliases)),
            ("tag", lit(&tag)),
            ("tag_kebab", lit(&names::kebab(&tag))),
            ("method", lit(op.method.as_str())),
            ("path", lit(&op.path)),
            ("summary", lit(op.summary.as_deref().unwrap_or(""))),
            ("description", lit(op.description.as_deref().unwrap_or(""))),
            ("call", caller(&builder_path(&op.builder_ident))),
            ("versions", versions(op)),
            ("roles", strs(&op.roles)),
            ("deprecated", op.deprecated.to_string()),
            ("sunset", opt(op.sunset.as_deref())),
            ("params", format!("&[{}]", params.join(", "))),
            ("body", body),
            ("answer", opt(answer_schema(api, op).as_deref())),
            ("list", op.pagination.is_some().to_string()),
            ("links", format!("&[{}]", links.join(", "))),
        ];
        let _ = writeln!(out, "    {},", block("Operation", &fields, 1));
    }
    out.push_str("];\n\nstatic WAITERS: &[Waiter] = &[\n");
    for w in &api.waiters {
        let mut paths: Vec<Vec<String>> = Vec::new();
        for a in &w.acceptors {
            if let crate::ir::Matcher::Equals { path, .. } = &a.matcher
                && !paths.contains(path)
            {
                paths.push(path.clone());
            }
        }
        let paths: Vec<String> = paths.iter().map(|p| strs(p)).collect();
        let fields = [
            ("name", lit(&w.name)),
            ("kebab", lit(&names::kebab(&w.name))),
            ("description", lit(w.description.as_deref().unwrap_or(&w.name))),
            ("operation", position.get(&w.operation).copied().unwrap_or_default().to_string()),
            ("state_paths", format!("&[{}]", paths.join(", "))),
            ("min_delay", w.min_delay.to_string()),
            ("max_delay", w.max_delay.to_string()),
            ("wait", format!("crate::call::wait::<{}>", builder_path(&w.builder_ident))),
        ];
        let _ = writeln!(out, "    {},", block("Waiter", &fields, 1));
    }
    out.push_str("];\n\n");
    out.push_str(&flags.text);
    out.push_str(&shapes.text);
    out
}

fn param(api: &Api, p: &crate::ir::Param) -> String {
    let (kind, multiple) = match &p.ty {
        TypeRef::Vec(inner) => (kind(api, inner), true),
        other => (kind(api, other), false),
    };
    let flag = names::flag(&p.name);
    let aliases: Vec<String> = names::flag_aliases(&p.name);
    let location = match p.location {
        ParamLocation::Path => "Location::Path",
        ParamLocation::Query => "Location::Query",
        ParamLocation::Header => "Location::Header",
    };
    let mut help = p.doc.as_deref().and_then(|d| d.lines().next()).unwrap_or("").to_owned();
    if let Some(pattern) = &p.pattern {
        help.push_str(&format!(" (must match {pattern})"));
    }
    let kind = match (kind, p.minimum, p.maximum) {
        (k, None, None) => k,
        (_, min, max) => format!("Kind::Integer {{ min: {min:?}, max: {max:?} }}"),
    };
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let default = p.default.as_ref().map(text);
    let example = p.example.as_ref().map(text).unwrap_or_else(|| format!("[{}]", p.name));
    let fields = [
        ("name", lit(&p.name)),
        ("flag", lit(&flag)),
        ("aliases", strs(&aliases)),
        ("location", location.to_owned()),
        ("required", p.required.to_string()),
        ("kind", kind),
        ("multiple", multiple.to_string()),
        ("help", lit(help.trim())),
        ("default", opt(default.as_deref())),
        ("example", lit(&example)),
        ("deprecated", p.deprecated.to_string()),
    ];
    block("Param", &fields, 0)
}

/// The flag's value type; an enum lists its values (checked and completed by clap).
fn kind(api: &Api, ty: &TypeRef) -> String {
    match ty {
        TypeRef::Named(id) => match &api.ty(*id).kind {
            TypeKind::Enum(e) => format!("Kind::Enum({})", strs(&e.variants.iter().map(|v| v.value.clone()).collect::<Vec<_>>())),
            TypeKind::Alias(inner) => kind(api, inner),
            _ => "Kind::String".to_owned(),
        },
        TypeRef::I32 | TypeRef::I64 => "Kind::Integer { min: None, max: None }".to_owned(),
        TypeRef::F32 | TypeRef::F64 => "Kind::Number".to_owned(),
        TypeRef::Bool => "Kind::Boolean".to_owned(),
        _ => "Kind::String".to_owned(),
    }
}

/// The `static` flags of parameters, one per distinct definition, shared by the operations
/// that have it (most share `groupId`, the paging flags, `envelope` and `pretty`).
#[derive(Default)]
struct Params {
    /// The static's name of each rendered definition.
    names: BTreeMap<String, String>,
    taken: BTreeSet<String>,
    text: String,
}

impl Params {
    /// The name of the static defining `p`'s flag.
    fn of(&mut self, api: &Api, p: &crate::ir::Param) -> String {
        let value = param(api, p);
        if let Some(name) = self.names.get(&value) {
            return name.clone();
        }
        // A parameter defined differently by two operations gets a numbered second static.
        let mut n = 1;
        let mut name = names::param_static(&p.name, n);
        while self.taken.contains(&name) {
            n += 1;
            name = names::param_static(&p.name, n);
        }
        let _ = writeln!(self.text, "static {name}: Param = {value};");
        self.taken.insert(name.clone());
        self.names.insert(value, name.clone());
        name
    }
}

/// The `static` field tables of request bodies, one per type, made on demand.
#[derive(Default)]
struct Shapes {
    names: BTreeMap<String, String>,
    text: String,
}

impl Shapes {
    /// The name of the static describing `ty`.
    fn of(&mut self, api: &Api, ty: &TypeRef) -> String {
        if let TypeRef::Named(id) = ty
            && let TypeKind::Alias(inner) = &api.ty(*id).kind
        {
            return self.of(api, inner);
        }
        let key = format!("{ty:?}");
        if let Some(name) = self.names.get(&key) {
            return name.clone();
        }
        let name = format!("SHAPE_{}", self.names.len());
        self.names.insert(key, name.clone());
        let value = match ty {
            TypeRef::String | TypeRef::Bytes => "Shape::String".to_owned(),
            TypeRef::Bool => "Shape::Boolean".to_owned(),
            TypeRef::I32 | TypeRef::I64 => "Shape::Integer".to_owned(),
            TypeRef::F32 | TypeRef::F64 => "Shape::Number".to_owned(),
            TypeRef::DateTime | TypeRef::Date => "Shape::Date".to_owned(),
            TypeRef::Json => "Shape::Any".to_owned(),
            TypeRef::Vec(inner) => format!("Shape::Array(&{})", self.of(api, inner)),
            TypeRef::Map(inner) => format!("Shape::Map(&{})", self.of(api, inner)),
            TypeRef::Named(id) => self.named(api, *id),
        };
        let _ = writeln!(self.text, "static {name}: Shape = {value};");
        name
    }

    fn named(&mut self, api: &Api, id: TypeId) -> String {
        let t: &TypeDef = api.ty(id);
        match &t.kind {
            TypeKind::Struct(s) => {
                let fields: Vec<String> = s
                    .fields
                    .iter()
                    .map(|f| {
                        format!(
                            "\n        Field {{ name: {}, required: {}, read_only: {}, shape: &{} }},",
                            lit(&f.json_name),
                            f.required,
                            f.read_only,
                            self.of(api, &f.ty)
                        )
                    })
                    .collect();
                let additional = match &s.additional {
                    Some(a) => format!("Some(&{})", self.of(api, a)),
                    None => "None".to_owned(),
                };
                let fields = if fields.is_empty() { "&[]".to_owned() } else { format!("&[{}\n    ]", fields.concat()) };
                block("Shape::Object", &[("fields", fields), ("additional", additional)], 0)
            }
            TypeKind::Enum(e) => format!("Shape::Enum({})", strs(&e.variants.iter().map(|v| v.value.clone()).collect::<Vec<_>>())),
            TypeKind::IntEnum(_) => "Shape::Integer".to_owned(),
            TypeKind::Tagged(tagged) => {
                let variants: Vec<String> = tagged
                    .variants
                    .iter()
                    .flat_map(|v| v.tags.iter().map(move |tag| (tag.clone(), v.ty)))
                    .collect::<Vec<_>>()
                    .into_iter()
                    .map(|(tag, ty)| format!("({}, &{})", lit(&tag), self.of(api, &TypeRef::Named(ty))))
                    .collect();
                format!("Shape::Tagged {{ property: {}, variants: &[{}] }}", lit(&tagged.property), variants.join(", "))
            }
            TypeKind::Untagged(_) => "Shape::Any".to_owned(),
            // Resolved in `of`; never reached.
            TypeKind::Alias(_) => "Shape::Any".to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn every_dated_version_and_the_preview_are_versions_of_the_command() {
        let paths = "  /things:\n    get:\n      operationId: getThings\n      responses:\n        '200':\n          description: ok\n          content:\n            application/vnd.atlas.2024-05-30+json: {schema: {type: object}}\n            application/vnd.atlas.2025-01-01+json: {schema: {type: object}}\n            application/vnd.atlas.preview+json: {schema: {type: object}}\n";
        let api = testing::api(&testing::spec(paths, ""));
        let op = &api.operations[0];
        // In the IR's order (the order issue 34 settles); the default is chosen at run time.
        let mut names: Vec<&str> = op.versions.iter().filter_map(version_name).collect();
        names.sort_unstable();
        assert_eq!(names, ["2024-05-30", "2025-01-01", "preview"]);
        let table = versions(op);
        // Each version names the builder that calls it (here the versioned builder's markers).
        assert!(table.contains("Version { date: \"preview\", call: crate::call::call::<atlas_backup::operations::GetThings<"), "{table}");
        assert!(
            table.contains("Version { date: \"2025-01-01\", call: crate::call::call::<atlas_backup::operations::GetThings> }"),
            "{table}"
        );
    }

    #[test]
    fn a_block_is_one_field_a_line() {
        assert_eq!(block("T", &[("a", "1".to_owned()), ("b", "&[]".to_owned())], 1), "T {\n        a: 1,\n        b: &[],\n    }");
    }
}
