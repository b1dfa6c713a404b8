//! The command-line crate (`generated/cli/`, package `atlas-backup-cli`, binary
//! `atlas-backup`): the hand-written runtime of `codegen/cli-runtime/` and one generated
//! module, `commands.rs`, of static tables (operations, flags, body fields, waiters and
//! their links) and per-operation glue that fills the library's builders. Names come from
//! [`crate::names::cli`].

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use super::{File, header, ident, lit, rust_type};
use crate::error::Error;
use crate::ir::links::LinkSource;
use crate::ir::{Api, Operation, ParamLocation, ResponseKind, TypeDef, TypeId, TypeKind, TypeRef};
use crate::names::cli as names;

const RUNTIME: &[(&str, &str)] = &[
    ("cli/src/app.rs", include_str!("../../cli-runtime/app.rs")),
    ("cli/src/body.rs", include_str!("../../cli-runtime/body.rs")),
    ("cli/src/call.rs", include_str!("../../cli-runtime/call.rs")),
    ("cli/src/config.rs", include_str!("../../cli-runtime/config.rs")),
    ("cli/src/exit.rs", include_str!("../../cli-runtime/exit.rs")),
    ("cli/src/lib.rs", include_str!("../../cli-runtime/lib.rs")),
    ("cli/src/main.rs", include_str!("../../cli-runtime/main.rs")),
    ("cli/src/output.rs", include_str!("../../cli-runtime/output.rs")),
    ("cli/src/spec.rs", include_str!("../../cli-runtime/spec.rs")),
    ("cli/src/wait.rs", include_str!("../../cli-runtime/wait.rs")),
];

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
serde = "1.0.228"
serde_json = "1.0.145"
serde_path_to_error = "0.1.20"
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
    for (path, text) in RUNTIME {
        files.push(File { path: (*path).to_owned(), contents: format!("{rust_header}\n{text}") });
    }
    let text = commands(api);
    let text = super::print_text(&text, "cli/commands.rs", "the command tables")?;
    files.push(File { path: "cli/src/commands.rs".to_owned(), contents: format!("{rust_header}\n{text}") });
    files.push(File { path: "cli/COMMANDS.md".to_owned(), contents: format!("<!--\n{}-->\n{}", header(spec_name, ""), surface(api)) });
    Ok(files)
}

/// Every command and flag of the command line, as a reviewable list (`cli/COMMANDS.md`):
/// a spec change shows its effect on the command line in review.
pub fn surface(api: &Api) -> String {
    let mut out = String::from("# atlas-backup commands\n\nGlobal flags: `-o/--output json|yaml|ndjson`, `--profile NAME`, `--base-url URL`, `--dry-run`, `--curl`, `--debug`, `--quiet`.\n");
    let mut order: Vec<&Operation> = api.operations.iter().collect();
    order.sort_by_key(|o| names::tag_command(&o.tag));
    let mut tag = String::new();
    for op in order {
        let t = names::tag_command(&op.tag);
        if t != tag {
            let _ = write!(out, "\n## {t} ({})\n", names::kebab(&t));
            tag = t.clone();
        }
        let _ = write!(out, "\n- `atlas-backup {t} {}` (`{}`): {} {}", op.operation_id, names::kebab(&op.operation_id), op.method.as_str(), op.path);
        if op.deprecated {
            out.push_str(" (deprecated)");
        }
        out.push('\n');
        for p in &op.params {
            out.push_str(&flag_line(api, p));
        }
        if let Some(b) = &op.body {
            let _ = writeln!(out, "  - `--file PATH`{} | `--template`", if b.required { " (required)" } else { "" });
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
        let _ = writeln!(out, "\n- `atlas-backup wait {}` (`{}`): polls `{}`; `--wait-timeout`, `--min-delay`, `--max-delay`", w.name, names::kebab(&w.name), op.operation_id);
        for p in &op.params {
            out.push_str(&flag_line(api, p));
        }
    }
    out
}

fn flag_line(api: &Api, p: &crate::ir::Param) -> String {
    let aliases = names::flag_aliases(&p.name);
    let aliases = if aliases.is_empty() { String::new() } else { format!(" ({})", aliases.iter().map(|a| format!("`--{a}`")).collect::<Vec<_>>().join(", ")) };
    let ty = match &p.ty {
        TypeRef::Vec(inner) => format!("{}...", kind_word(api, inner)),
        other => kind_word(api, other),
    };
    format!("  - `--{}`{aliases} {ty}{}\n", p.name, if p.required { " (required)" } else { "" })
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
    format!("&[{}]", values.iter().map(|v| lit(v)).collect::<Vec<_>>().join(", "))
}

fn opt(value: Option<&str>) -> String {
    value.map_or_else(|| "None".to_owned(), |v| format!("Some({})", lit(v)))
}

/// The generated module's text.
fn commands(api: &Api) -> String {
    let mut shapes = Shapes::default();
    let mut flags = Params::default();
    let mut out = String::from("#![allow(deprecated)]\n//! The spec's operations and waiters as tables, and the glue that fills the library's builders.\n\n");
    out.push_str("use crate::call::Values;\nuse crate::exit::Failure;\nuse crate::spec::*;\n\n");
    let about = format!("{} from the shell; every operation is `atlas-backup <tag> <operationId>`", api.title);
    let _ = writeln!(
        out,
        "pub static TABLES: crate::app::Tables = crate::app::Tables {{ about: {}, operations: OPERATIONS, waiters: WAITERS }};",
        lit(&about)
    );
    // Operations in the order of their commands: by tag, then as the spec lists them.
    let mut order: Vec<usize> = (0..api.operations.len()).collect();
    order.sort_by_key(|&i| names::tag_command(&api.operations[i].tag));
    let position: BTreeMap<usize, usize> = order.iter().enumerate().map(|(pos, &i)| (i, pos)).collect();
    let mut glue = String::new();
    out.push_str("static OPERATIONS: &[Operation] = &[\n");
    for &i in &order {
        let op = &api.operations[i];
        let fn_name = format!("op_{}", crate::names::plain(&op.method_ident));
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
        let versions: Vec<String> = op.versions.iter().filter_map(|v| v.date.clone()).collect();
        let _ = writeln!(
            out,
            "Operation {{ id: {id}, kebab: {kebab}, tag: {tag}, tag_kebab: {tag_kebab}, method: {method}, path: {path}, \
             summary: {summary}, description: {description}, versions: {versions}, roles: {roles}, deprecated: {deprecated}, \
             sunset: {sunset}, params: &[{params}], body: {body}, list: {list}, links: &[{links}], build: {fn_name} }},",
            id = lit(&op.operation_id),
            kebab = lit(&names::kebab(&op.operation_id)),
            tag_kebab = lit(&names::kebab(&tag)),
            tag = lit(&tag),
            method = lit(op.method.as_str()),
            path = lit(&op.path),
            summary = lit(op.summary.as_deref().unwrap_or("")),
            description = lit(op.description.as_deref().unwrap_or("")),
            versions = strs(&versions),
            roles = strs(&op.roles),
            deprecated = op.deprecated,
            sunset = opt(op.sunset.as_deref()),
            params = params.join(", "),
            list = op.pagination.is_some(),
            links = links.join(", "),
        );
        glue.push_str(&operation_glue(api, op, &fn_name));
    }
    out.push_str("];\n\nstatic WAITERS: &[Waiter] = &[\n");
    for w in &api.waiters {
        let op = &api.operations[w.operation];
        let fn_name = format!("wait_{}", crate::names::plain(&w.method_ident));
        let mut paths: Vec<Vec<String>> = Vec::new();
        for a in &w.acceptors {
            if let crate::ir::Matcher::Equals { path, .. } = &a.matcher
                && !paths.contains(path)
            {
                paths.push(path.clone());
            }
        }
        let paths: Vec<String> = paths.iter().map(|p| strs(p)).collect();
        let _ = writeln!(
            out,
            "Waiter {{ name: {}, kebab: {}, description: {}, operation: {}, state_paths: &[{}], min_delay: {}, max_delay: {}, build: {fn_name} }},",
            lit(&w.name),
            lit(&names::kebab(&w.name)),
            lit(w.description.as_deref().unwrap_or(&w.name)),
            position.get(&w.operation).copied().unwrap_or_default(),
            paths.join(", "),
            w.min_delay,
            w.max_delay,
        );
        let _ = writeln!(
            glue,
            "fn {fn_name}(client: &atlas_backup::Client, v: &Values) -> Result<Box<dyn crate::call::Wait>, Failure> {{\n    let b = {};\n    Ok(Box::new(b))\n}}\ncrate::wait!({});",
            setters(api, op, &w.method_ident, None),
            builder_path(&w.builder_ident)
        );
    }
    out.push_str("];\n\n");
    out.push_str(&flags.text);
    out.push_str(&shapes.text);
    out.push_str(&glue);
    out
}

fn param(api: &Api, p: &crate::ir::Param) -> String {
    let (kind, multiple) = match &p.ty {
        TypeRef::Vec(inner) => (kind(api, inner), true),
        other => (kind(api, other), false),
    };
    let aliases: Vec<String> = names::flag_aliases(&p.name);
    let location = match p.location {
        ParamLocation::Path => "Location::Path",
        ParamLocation::Query => "Location::Query",
        ParamLocation::Header => "Location::Header",
    };
    let mut help = p.doc.clone().unwrap_or_default().lines().next().unwrap_or("").to_owned();
    if let Some(pattern) = &p.pattern {
        help.push_str(&format!(" (must match {pattern})"));
    }
    let kind = match (kind, p.minimum, p.maximum) {
        (k, None, None) => k,
        (_, min, max) => format!("Kind::Integer {{ min: {min:?}, max: {max:?} }}"),
    };
    let default = p.default.as_ref().map(|d| match d {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    format!(
        "Param {{ name: {}, aliases: {}, location: {}, required: {}, kind: {kind}, multiple: {multiple}, help: {}, default: {}, deprecated: {} }}",
        lit(&p.name),
        strs(&aliases),
        location,
        p.required,
        lit(help.trim()),
        opt(default.as_deref()),
        p.deprecated
    )
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

/// The library's builder `client.<method>()` filled from the values `v`: `op`'s
/// parameters (name, setter and type), and the body of type `body`, as one `set!` of the
/// runtime.
fn setters(api: &Api, op: &Operation, method: &str, body: Option<String>) -> String {
    let params: Vec<String> = op
        .params
        .iter()
        .map(|p| {
            let ty = match &p.ty {
                TypeRef::String => "String".to_owned(),
                other => rust_type(api, other, "atlas_backup::models"),
            };
            format!("{} => {}: {ty}", lit(&p.name), ident(&p.ident))
        })
        .collect();
    let body = body.map(|ty| format!("; body: {ty}")).unwrap_or_default();
    format!("crate::set!(client.{}(), v; {}{body})", ident(method), params.join(", "))
}

fn operation_glue(api: &Api, op: &Operation, fn_name: &str) -> String {
    let body = op.body.as_ref().filter(|b| b.ty != TypeRef::Bytes).map(|b| rust_type(api, &b.ty, "atlas_backup::models"));
    let mut f = format!(
        "fn {fn_name}(client: &atlas_backup::Client, v: &Values) -> Result<Box<dyn crate::call::Call>, Failure> {{\n    let b = {};\n",
        setters(api, op, &op.method_ident, body)
    );
    let how = match (&op.response, op.pagination.is_some()) {
        (_, true) => "list",
        (ResponseKind::Json(_), false) => "json",
        (ResponseKind::Empty, false) => "empty",
        (ResponseKind::Bytes, false) => "bytes",
    };
    let builder = builder_path(&op.builder_ident);
    // `--api-version DATE`: the library's versioned builder switched to that version's
    // marker (its own answer type); the newest is the builder's default. Paging is the
    // newest version's only, so an older version of a list is sent as one call.
    let older: Vec<(&str, String)> = if op.is_versioned() {
        let newest = op.versions.last().map(|v| v.marker_ident.as_str());
        op.versions
            .iter()
            .filter(|v| Some(v.marker_ident.as_str()) != newest)
            .filter_map(|v| Some((v.date.as_deref()?, format!("atlas_backup::operations::{}", ident(&v.marker_ident)))))
            .collect()
    } else {
        Vec::new()
    };
    if older.is_empty() {
        if op.versions.len() > 1 {
            let _ = writeln!(
                f,
                "    if v.api_version().is_some() {{ return Err(Failure::usage(\"--api-version: the library calls this operation in its newest version only\")); }}"
            );
        }
        let _ = writeln!(f, "    Ok(Box::new(b))\n}}\ncrate::call!({how} {builder});");
        return f;
    }
    f.push_str("    match v.api_version() {\n");
    for (date, marker) in &older {
        let _ = writeln!(f, "        Some({}) => Ok(Box::new(b.api_version({marker}))),", lit(date));
    }
    f.push_str("        _ => Ok(Box::new(b)),\n    }\n}\n");
    let _ = writeln!(f, "crate::call!({how} {builder});");
    let older_how = if how == "list" { "json" } else { how };
    for (_, marker) in &older {
        let _ = writeln!(f, "crate::call!({older_how} {builder}<{marker}>);");
    }
    f
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
                            "Field {{ name: {}, required: {}, read_only: {}, shape: &{} }}",
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
                format!("Shape::Object {{ fields: &[{}], additional: {additional} }}", fields.join(", "))
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
