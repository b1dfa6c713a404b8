//! Stage 3: every Rust identifier of the output, decided once.
//!
//! heck gives the case; this module then makes the result a valid identifier (ASCII only,
//! no leading digit), escapes keywords (raw identifiers, or a `_` suffix for the few that
//! cannot be raw), keeps clear of names the generated code itself uses, and resolves
//! collisions deterministically (first come in a stable order keeps the name, the others
//! get `2`, `3`, ...).

pub mod cli;

use std::collections::{BTreeMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::{Api, ParamLocation, TypeKind};

/// Keywords of Rust 2024 (strict and reserved).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro",
    "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return", "self", "Self", "static",
    "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use", "virtual",
    "where", "while", "yield",
];
/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];
/// Type names the generated code uses unqualified: a model may not shadow them.
const PRELUDE_TYPES: &[&str] = &[
    "Option", "Result", "String", "Vec", "Box", "Some", "None", "Ok", "Err", "Default", "Clone", "Debug",
    "PartialEq", "Serialize", "Deserialize", "Send", "Sync", "Sized", "Copy", "Eq", "Hash", "ToString",
    "Into", "From", "Iterator", "Fn", "FnMut", "FnOnce", "Drop",
];
/// Methods of `Client` that operations must not take.
const CLIENT_METHODS: &[&str] = &["builder", "new", "from_env", "base_url", "clone", "execute", "fmt"];
/// Methods of every request builder that parameter setters must not take.
const BUILDER_METHODS: &[&str] = &[
    "send", "send_with_metadata", "body", "timeout", "api_version", "into_stream", "collect_all", "new",
    "client", "clone", "fmt", "items_per_page_default", "concurrency", "fetch_page", "options", "version", "prepare",
    "operation",
];

/// `value` made into a valid identifier in snake_case (fields, methods, modules).
pub fn snake_ident(value: &str, fallback: &str) -> String {
    let mut s: String = value
        .to_snake_case()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' })
        .collect();
    s = s.trim_matches('_').to_owned();
    if s.is_empty() {
        s = fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

/// `value` made into a valid identifier in UpperCamelCase (types, variants).
pub fn camel_ident(value: &str, fallback: &str, digit_prefix: &str) -> String {
    let mut s: String = value.to_upper_camel_case().chars().filter(char::is_ascii_alphanumeric).collect();
    if s.is_empty() {
        s = fallback.to_owned();
    }
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, digit_prefix);
    }
    escape_keyword(s)
}

fn escape_keyword(s: String) -> String {
    if NOT_RAW.contains(&s.as_str()) {
        format!("{s}_")
    } else if KEYWORDS.contains(&s.as_str()) {
        format!("r#{s}")
    } else {
        s
    }
}

/// A module name must also be a file name, so keywords take a suffix, not `r#`.
fn module_ident(value: &str) -> String {
    let s = snake_ident(value, "module");
    match s.strip_prefix("r#") {
        Some(k) => format!("{k}_"),
        None if s == "mod" => "mod_".to_owned(),
        None => s,
    }
}

/// Hands out unique names: the first request for a base keeps it, later ones get a suffix.
#[derive(Default)]
struct Unique {
    taken: HashSet<String>,
}

impl Unique {
    fn with_reserved(reserved: &[&str]) -> Self {
        Unique { taken: reserved.iter().map(|s| s.to_string()).collect() }
    }

    fn claim(&mut self, base: &str, separator: &str) -> String {
        if self.taken.insert(base.to_owned()) {
            return base.to_owned();
        }
        let stem = base.strip_prefix("r#").unwrap_or(base);
        (2..)
            .map(|n| format!("{stem}{separator}{n}"))
            .find(|candidate| self.taken.insert(candidate.clone()))
            .unwrap_or_default()
    }
}

/// Fills every identifier in the IR.
pub fn assign(api: &mut Api) {
    // Types: components before inline types, then by wanted name and position in the spec,
    // so that a component never loses its name to an inline schema.
    let mut order: Vec<usize> = (0..api.types.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&api.types[a], &api.types[b]);
        let rank = |t: &crate::ir::TypeDef| t.owner != t.wanted_name;
        (rank(ta), &ta.wanted_name, &ta.pointer, a).cmp(&(rank(tb), &tb.wanted_name, &tb.pointer, b))
    });
    let mut type_names = Unique::with_reserved(PRELUDE_TYPES);
    for &i in &order {
        let t = &mut api.types[i];
        let base = camel_ident(&t.wanted_name, "Model", "Model");
        t.ident = type_names.claim(&base, "");
    }
    for t in &mut api.types {
        match &mut t.kind {
            TypeKind::Struct(s) => {
                let mut fields = Unique::default();
                for f in &mut s.fields {
                    f.ident = fields.claim(&snake_ident(&f.json_name, "field"), "_");
                }
                // The catch-all map of `additionalProperties` is printed as `additional`.
                let _ = fields.claim("additional", "_");
            }
            TypeKind::Enum(e) => {
                let mut variants = Unique::default();
                for v in &mut e.variants {
                    v.ident = variants.claim(&camel_ident(&v.value, "Empty", "V"), "");
                }
                e.unknown_ident = variants.claim("Unknown", "");
            }
            TypeKind::IntEnum(e) => {
                let mut variants = Unique::default();
                for v in &mut e.variants {
                    let base = if v.value < 0 { format!("Minus{}", v.value.unsigned_abs()) } else { format!("V{}", v.value) };
                    v.ident = variants.claim(&base, "_");
                }
                e.unknown_ident = variants.claim("Unknown", "");
            }
            TypeKind::Tagged(_) | TypeKind::Untagged(_) | TypeKind::Alias(_) => {}
        }
    }
    // Variant names of tagged and untagged enums come from their types' names.
    let idents: Vec<String> = api.types.iter().map(|t| t.ident.clone()).collect();
    for t in &mut api.types {
        match &mut t.kind {
            TypeKind::Tagged(tagged) => {
                let mut variants = Unique::default();
                for v in &mut tagged.variants {
                    let from = v.tags.first().cloned().unwrap_or_else(|| idents[v.ty.0].clone());
                    v.ident = variants.claim(&camel_ident(&from, "Variant", "V"), "");
                }
                tagged.unknown_ident = variants.claim("Unknown", "");
            }
            TypeKind::Untagged(u) => {
                let mut variants = Unique::default();
                for v in &mut u.variants {
                    v.ident = variants.claim(&camel_ident(&v.wanted_name, "Variant", "V"), "");
                }
                u.other_ident = variants.claim("Other", "");
            }
            _ => {}
        }
    }

    // Operations, in spec order (which `lower` preserved).
    let mut methods = Unique::with_reserved(CLIENT_METHODS);
    let mut builders = Unique::with_reserved(PRELUDE_TYPES);
    let mut op_modules = Unique::with_reserved(&["mod_"]);
    let mut tag_modules: BTreeMap<String, String> = BTreeMap::new();
    let mut tags: Vec<String> = api.operations.iter().map(|o| o.tag.clone()).collect();
    tags.sort();
    tags.dedup();
    for tag in tags {
        let m = op_modules.claim(&module_ident(&tag), "_");
        tag_modules.insert(tag, m);
    }
    // A rule is a pattern and length bounds; parameters with the same one share its static.
    type RuleKey = (Option<String>, Option<usize>, Option<usize>);
    let mut rules: BTreeMap<RuleKey, String> = BTreeMap::new();
    let mut rule_names = Unique::default();
    for op in &mut api.operations {
        op.method_ident = methods.claim(&snake_ident(&op.operation_id, "operation"), "_");
        op.builder_ident = builders.claim(&camel_ident(&op.operation_id, "Operation", "Op"), "");
        op.module = tag_modules.get(&op.tag).cloned().unwrap_or_default();
        if op.is_versioned() {
            for (i, v) in op.versions.iter_mut().enumerate() {
                let suffix = v.date.as_deref().map_or_else(|| format!("V{i}"), |d| format!("V{}", d.replace('-', "_")));
                v.marker_ident = builders.claim(&format!("{}{suffix}", op.builder_ident), "");
            }
        }
        let mut setters = Unique::with_reserved(BUILDER_METHODS);
        // Path parameters first: they are the ones users must set.
        // Path parameters in the order the path names them.
        let path = op.path.clone();
        op.params.sort_by_key(|p| match p.location {
            ParamLocation::Path => (0, path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX)),
            ParamLocation::Query => (1, 0),
            ParamLocation::Header => (2, 0),
        });
        for p in &mut op.params {
            p.ident = setters.claim(&snake_ident(&p.name, "param"), "_");
            if p.pattern.is_some() || p.min_length.is_some() || p.max_length.is_some() {
                let key = (p.pattern.clone(), p.min_length, p.max_length);
                let ident = rules
                    .entry(key)
                    .or_insert_with(|| {
                        let base = snake_ident(&p.name, "rule").trim_start_matches("r#").to_uppercase();
                        rule_names.claim(&base, "_")
                    })
                    .clone();
                p.rule_ident = ident;
            }
        }
    }
    // Waiters after the operations, so that an operation never loses its name to one.
    for w in &mut api.waiters {
        w.method_ident = methods.claim(&snake_ident(&format!("wait_until_{}", w.name.to_snake_case()), "wait_until"), "_");
        w.builder_ident = builders.claim(&camel_ident(&format!("WaitUntil_{}", w.name), "WaitUntil", "W"), "");
    }
    // Last: a private type, so it gives way to every public name.
    for op in &mut api.operations {
        op.params_ident = builders.claim(&format!("{}Params", op.builder_ident), "");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(snake_ident("type", "f"), "r#type");
        assert_eq!(snake_ident("self", "f"), "self_");
        assert_eq!(camel_ident("Self", "T", "T"), "Self_");
        assert_eq!(module_ident("type"), "type_");
    }

    #[test]
    fn leading_digits_and_symbols() {
        assert_eq!(snake_ident("2fa", "f"), "_2fa");
        assert_eq!(camel_ident("1.0", "Empty", "V"), "V10");
        assert_eq!(camel_ident("+", "Empty", "V"), "Empty");
        assert_eq!(snake_ident("$", "field"), "field");
    }

    #[test]
    fn collisions_get_deterministic_suffixes() {
        let mut u = Unique::default();
        assert_eq!(u.claim("status", "_"), "status");
        assert_eq!(u.claim("status", "_"), "status_2");
        assert_eq!(u.claim("status", "_"), "status_3");
        let mut t = Unique::with_reserved(PRELUDE_TYPES);
        assert_eq!(t.claim("Result", ""), "Result2");
    }
}
