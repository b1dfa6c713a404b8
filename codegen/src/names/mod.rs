//! Stage 3: every Rust identifier of the output, decided once.
//!
//! heck gives the case; this module then makes the result a valid identifier (ASCII only,
//! no leading digit), escapes keywords (raw identifiers, or a `_` suffix for the few that
//! cannot be raw), keeps clear of names the generated code itself uses, and resolves
//! collisions deterministically (first come in a stable order keeps the name, the others
//! get `2`, `3`, ...).

use std::collections::{BTreeMap, HashMap, HashSet};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::ir::{Api, Operation, ParamLocation, TypeDef, TypeKind, Waiter};

pub mod cli;
pub mod contract;
// The readers `build.rs` runs; compiled here for the tests that compare its tables.
#[cfg(test)]
mod read;

/// Keywords of Rust 2024 (strict and reserved).
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate", "do", "dyn", "else", "enum", "extern",
    "false", "final", "fn", "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv",
    "pub", "ref", "return", "self", "Self", "static", "struct", "super", "trait", "true", "try", "type", "typeof", "unsafe", "unsized",
    "use", "virtual", "where", "while", "yield",
];
/// Keywords that cannot be raw identifiers.
const NOT_RAW: &[&str] = &["crate", "self", "Self", "super", "_"];
/// Type names the generated code uses unqualified: a model may not shadow them.
const PRELUDE_TYPES: &[&str] = &[
    "Option",
    "Result",
    "String",
    "Vec",
    "Box",
    "Some",
    "None",
    "Ok",
    "Err",
    "Default",
    "Clone",
    "Debug",
    "PartialEq",
    "Serialize",
    "Deserialize",
    "Send",
    "Sync",
    "Sized",
    "Copy",
    "Eq",
    "Hash",
    "ToString",
    "Into",
    "From",
    "Iterator",
    "Fn",
    "FnMut",
    "FnOnce",
    "Drop",
];
/// Methods of the traits the generated types derive or implement (`Clone`, `Debug`,
/// `Default`, `PartialEq`): an inherent method of that name would hide the trait's.
const TRAIT_METHODS: &[&str] = &["clone", "clone_from", "fmt", "default", "eq", "ne"];
/// Methods the generator's own templates give request builders (`operation.askama`): the
/// body's setter, the version switch, `fill`, and a list operation's paging.
const TEMPLATE_BUILDER_METHODS: &[&str] = &["body", "api_version", "fill", "into_stream", "fetch_page", "collect_all"];
/// What every `operations/` file imports (see [`OPERATIONS_IMPORTS`]): no builder may take
/// these names.
const OPERATIONS_SCOPE: &[&str] = &["Request", "Result"];
/// The `use` that heads every `operations/` file: what each operation's `fill` names.
pub const OPERATIONS_IMPORTS: &str = "use crate::{request::Request, Result};";
/// The methods the struct template (`struct.askama`) gives every model.
const MODEL_METHODS: &[&str] = &["new"];
/// Every tag's feature at once, for builds without the default features.
pub const ALL_TAGS: &str = "all-tags";
/// The feature of the models that no operation reaches (on by default).
pub const UNREFERENCED_MODELS: &str = "unreferenced-models";
/// The query flags the runtime's `builder!` sets on every operation that has them.
const RUNTIME_FLAGS: &[&str] = &["envelope", "pretty"];

/// `value` made into a valid identifier in snake_case (fields, methods, modules).
pub fn snake_ident(value: &str, fallback: &str) -> String {
    snake_finish(snake_core(value), fallback)
}

/// `value` made into a valid identifier in UpperCamelCase (types, variants).
pub fn camel_ident(value: &str, fallback: &str, digit_prefix: &str) -> String {
    camel_finish(camel_core(value), fallback, digit_prefix)
}

/// The part of [`snake_ident`] that reads every character of `value`: heck's snake_case,
/// with what an identifier may not hold made `_`, trimmed of `_`.
fn snake_core(value: &str) -> String {
    let s: String = value.to_snake_case().chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
    match s.trim_matches('_') {
        trimmed if trimmed.len() == s.len() => s,
        trimmed => trimmed.to_owned(),
    }
}

/// The rest of [`snake_ident`]: the fallback for nothing left, no leading digit, keywords.
fn snake_finish(core: String, fallback: &str) -> String {
    let mut s = if core.is_empty() { fallback.to_owned() } else { core };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    escape_keyword(s)
}

/// The part of [`camel_ident`] that reads every character of `value`: heck's
/// UpperCamelCase, ASCII letters and digits only.
fn camel_core(value: &str) -> String {
    value.to_upper_camel_case().chars().filter(char::is_ascii_alphanumeric).collect()
}

/// The rest of [`camel_ident`]: the fallback for nothing left, no leading digit, keywords.
fn camel_finish(core: String, fallback: &str, digit_prefix: &str) -> String {
    let mut s = if core.is_empty() { fallback.to_owned() } else { core };
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert_str(0, digit_prefix);
    }
    escape_keyword(s)
}

/// [`snake_ident`] and [`camel_ident`] remembered by input for one naming pass: a
/// published spec repeats the same property, parameter and enum value names over hundreds
/// of types and operations, and heck's conversion was half of naming (v2 2026-08-12:
/// 27,788 conversions of 8,749 distinct names). A pass has its own (or each thread of it
/// one), so a name never depends on what was named before.
#[derive(Default)]
pub struct Cases {
    snake: HashMap<String, String>,
    camel: HashMap<String, String>,
}

impl Cases {
    /// [`snake_ident`], converting `value` once.
    fn snake_ident(&mut self, value: &str, fallback: &str) -> String {
        snake_finish(remembered(&mut self.snake, value, snake_core), fallback)
    }

    /// [`camel_ident`], converting `value` once.
    fn camel_ident(&mut self, value: &str, fallback: &str, digit_prefix: &str) -> String {
        camel_finish(remembered(&mut self.camel, value, camel_core), fallback, digit_prefix)
    }
}

/// `convert(value)`, from `memo` when it was converted before.
fn remembered(memo: &mut HashMap<String, String>, value: &str, convert: fn(&str) -> String) -> String {
    if let Some(converted) = memo.get(value) {
        return converted.clone();
    }
    let converted = convert(value);
    memo.insert(value.to_owned(), converted.clone());
    converted
}

/// The name an identifier spells, without the `r#` that makes a keyword one (`r#type` →
/// `type`): for docs and for names made from it.
pub fn plain(ident: &str) -> &str {
    raw_keyword(ident).unwrap_or(ident)
}

/// The keyword a raw identifier escapes (`r#type` → `type`); `None` for a plain one.
pub fn raw_keyword(ident: &str) -> Option<&str> {
    ident.strip_prefix("r#")
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

/// A module name must also be a file name, so keywords take a suffix, not `r#`, and a
/// long one is cut at a word to fit [`MODULE_MAX`] (a tag may be a sentence).
fn module_ident(value: &str) -> String {
    let mut s = snake_ident(value, "module");
    if s.len() > MODULE_MAX - SUFFIX_ROOM {
        s = snake_ident(&cut_at_word(&s, MODULE_MAX - SUFFIX_ROOM), "module");
    }
    match s.strip_prefix("r#") {
        Some(k) => format!("{k}_"),
        None if s == "mod" => "mod_".to_owned(),
        None => s,
    }
}

/// Hands out unique names: the first request for a base keeps it, later ones get a suffix.
#[derive(Default, Clone)]
struct Unique {
    taken: HashSet<String>,
    /// The names taken before the spec's: the runtime's, keywords, the templates'.
    reserved: HashSet<String>,
}

impl Unique {
    fn with_reserved<'a>(reserved: impl IntoIterator<Item = &'a str>) -> Self {
        let reserved: HashSet<String> = reserved.into_iter().map(str::to_owned).collect();
        Unique { taken: reserved.clone(), reserved }
    }

    fn reserve<'a>(&mut self, names: impl IntoIterator<Item = &'a str>) {
        for name in names {
            self.taken.insert(name.to_owned());
            self.reserved.insert(name.to_owned());
        }
    }

    /// Who holds `base` when a claim of it did not get it: `label` (what the reserved names
    /// are) or an earlier item of the spec.
    fn holder(&self, base: &str, label: &'static str) -> &'static str {
        if self.reserved.contains(base) { label } else { "taken by an earlier item of the spec" }
    }

    /// `base`, or the first of `{base}{separator}2`, `3`, ... that is free.
    fn claim(&mut self, base: &str, separator: &str) -> String {
        self.claim_or(base, None, separator)
    }

    /// `base`, else `then` (a longer name that says more), else numbered.
    fn claim_or(&mut self, base: &str, then: Option<&str>, separator: &str) -> String {
        for candidate in std::iter::once(base).chain(then) {
            if self.taken.insert(candidate.to_owned()) {
                return candidate.to_owned();
            }
        }
        let stem = base.strip_prefix("r#").unwrap_or(base);
        let mut n = 2u64;
        loop {
            let candidate = format!("{stem}{separator}{n}");
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
            n += 1;
        }
    }
}

/// Where renames are reported: a name the spec asked for that was taken is a warning of
/// the generation and a sentence of the item's docs ([`Api::renames`]).
#[derive(Default)]
struct Renames {
    warnings: Vec<crate::error::Warning>,
    docs: BTreeMap<(String, String), String>,
}

impl Renames {
    /// Records that `what` at `pointer` wanted `wanted` but got `got`, `wanted` being held
    /// by `holder`.
    fn note(&mut self, pointer: &str, what: &str, wanted: &str, got: &str, holder: &str) {
        if wanted != got {
            self.warnings.push(crate::error::Warning {
                kind: "renamed",
                pointer: pointer.to_owned(),
                message: format!("{what}: `{wanted}` is {holder}; named `{got}`"),
            });
            let mut what = what.to_owned();
            if let Some(first) = what.get_mut(..1) {
                first.make_ascii_uppercase();
            }
            let sentence = format!("{what} is named `{}` because `{}` is {holder}.", plain(got), plain(wanted));
            self.docs.insert((pointer.to_owned(), got.to_owned()), sentence);
        }
    }
}

/// What one part of naming (see [`assign`]) reported, for [`finish`].
pub struct Named(Renames);

/// Whether parameter `p` is one of Atlas's query flags (`envelope`, `pretty`) that the
/// runtime's `builder!` serves on every operation: optional, `false` unless set. Its setter
/// is the runtime's, so it keeps the runtime's name.
pub fn is_runtime_flag(p: &crate::ir::Param) -> bool {
    RUNTIME_FLAGS.contains(&p.name.as_str())
        && contract::contract().builder_methods.contains(&p.name)
        && p.location == ParamLocation::Query
        && p.ty == crate::ir::TypeRef::Bool
        && !p.required
        && !p.deprecated
        && matches!(p.default, None | Some(serde_json::Value::Bool(false)))
}

/// Fills every identifier in the IR, against the runtime's names ([`contract`]) and each
/// other; a name that had to change is reported in `api.warnings`. Fails, naming the item,
/// if an identifier is left that is not one (which would be a bug here, not in the spec).
///
/// The names are decided in parts that weigh no name of one against another's, so that
/// they can run at once on disjoint parts of the IR: the types' own names
/// ([`type_names`]), their members' ([`member_names`], type by type), the operations'
/// ([`assign_operations`]); then the variants named after types ([`union_variants`]).
/// [`finish`] reports what each part renamed in this order, which is the order of the
/// items.
///
/// So they run on both cores: a thread of its own names the types while this one names the
/// operations; then both name the types' members, in runs of [`MEMBER_RUN`] types taken by
/// whichever is free. What each part reports is put in one order afterwards, so the output
/// does not depend on which thread named what (the tests compare it with naming at once).
pub fn assign(api: &mut Api) -> Result<(), crate::error::Error> {
    assign_then(api, || ())
}

/// [`assign`], running `then` on this thread as soon as the operations are named, while the
/// other may still be naming members (`generate` drops the parsed spec there).
pub fn assign_then(api: &mut Api, then: impl FnOnce()) -> Result<(), crate::error::Error> {
    let Api { types, operations, waiters, .. } = api;
    let (mut heads, mut kinds) = split_types(types);
    let runs = std::sync::Mutex::new(kinds.chunks_mut(MEMBER_RUN).enumerate());
    let members = |cases: &mut Cases| {
        let mut named = Vec::new();
        while let Some((i, run)) = runs.lock().ok().and_then(|mut runs| runs.next()) {
            named.push((i, member_names(run, cases)));
        }
        named
    };
    // Taken by the other thread, or by this one after the operations when none starts.
    let heads = std::sync::Mutex::new(Some(&mut heads));
    let name_types = || {
        let heads = heads.lock().ok().and_then(|mut h| h.take())?;
        let mut cases = Cases::default();
        let named = type_names(heads, &mut cases);
        Some((named, members(&mut cases)))
    };
    let name_operations = || {
        let mut cases = Cases::default();
        let named = assign_operations(operations, waiters, &mut cases);
        then();
        (named, members(&mut cases))
    };
    let (there, (operations, more_members)) = crate::process::beside("atlas-codegen-names", name_types, name_operations);
    let (types, mut members) = there.flatten().or_else(name_types).ok_or_else(|| crate::error::Error::Render {
        template: "generate",
        item: "the spec's types".to_owned(),
        message: "naming the types did not run".to_owned(),
    })?;
    members.extend(more_members);
    members.sort_by_key(|&(i, _)| i);
    union_variants(&mut api.types, &mut Cases::default());
    let parts = std::iter::once(types).chain(members.into_iter().map(|(_, named)| named)).chain([operations]);
    finish(api, parts)
}

/// How many types' members one thread names at a time in [`assign`]: small enough that the
/// two threads end close together, large enough that taking a run costs nothing.
pub(crate) const MEMBER_RUN: usize = 64;

/// What [`type_names`] reads and writes of a type.
pub struct TypeHead<'a> {
    wanted_name: &'a str,
    owner: &'a str,
    pointer: &'a str,
    ident: &'a mut String,
}

/// Each type's head ([`type_names`]) and definition ([`member_names`]) apart, in the order
/// of `types`, to be named at once.
pub fn split_types(types: &mut [TypeDef]) -> (Vec<TypeHead<'_>>, Vec<&mut TypeKind>) {
    types
        .iter_mut()
        .map(|t| {
            let TypeDef { wanted_name, owner, pointer, ident, kind, .. } = t;
            (TypeHead { wanted_name, owner, pointer, ident }, kind)
        })
        .unzip()
}

/// The types' own names.
pub fn type_names(heads: &mut [TypeHead<'_>], cases: &mut Cases) -> Named {
    let mut renames = Renames::default();
    // Components before inline types, then by wanted name and position in the spec, so
    // that a component never loses its name to an inline schema.
    let mut order: Vec<usize> = (0..heads.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, tb) = (&heads[a], &heads[b]);
        let rank = |t: &TypeHead<'_>| t.owner != t.wanted_name;
        (rank(ta), ta.wanted_name, ta.pointer, a).cmp(&(rank(tb), tb.wanted_name, tb.pointer, b))
    });
    let mut type_names = Unique::with_reserved(PRELUDE_TYPES.iter().copied());
    for &i in &order {
        let t = &mut heads[i];
        let base = cases.camel_ident(t.wanted_name, "Model", "Model");
        *t.ident = type_names.claim(&base, "");
        let holder = type_names.holder(&base, "a type the generated code names unqualified");
        renames.note(t.pointer, &format!("schema `{}`", t.wanted_name), &base, t.ident, holder);
    }
    Named(renames)
}

/// The names inside the definitions of a run of types, in their order: fields and their
/// setters, enum variants. Each type's are its own, so a run's report is the same whatever
/// runs are named before it.
pub fn member_names(kinds: &mut [&mut TypeKind], cases: &mut Cases) -> Named {
    let mut renames = Renames::default();
    let struct_setters = Unique::with_reserved(MODEL_METHODS.iter().chain(TRAIT_METHODS).copied());
    let mut with = String::new();
    for kind in kinds.iter_mut() {
        match &mut **kind {
            TypeKind::Struct(s) => {
                let mut fields = Unique::default();
                // The catch-all map of `additionalProperties` is printed as `additional`.
                if s.additional.is_some() {
                    fields.reserve(["additional"]);
                }
                let mut setters = struct_setters.clone();
                for f in &mut s.fields {
                    let base = cases.snake_ident(&f.json_name, "field");
                    f.ident = fields.claim(&base, "_");
                    renames.note(
                        &f.pointer,
                        &format!("property `{}`", f.json_name),
                        &base,
                        &f.ident,
                        fields.holder(&base, "the `additionalProperties` field"),
                    );
                    with.clear();
                    with.push_str("with_");
                    with.push_str(plain(&f.ident));
                    f.setter_ident = setters.claim(&cases.snake_ident(&with, "with"), "_");
                }
            }
            TypeKind::Enum(e) => {
                let mut variants = Unique::default();
                for v in &mut e.variants {
                    v.ident = variants.claim(&cases.camel_ident(&v.value, "Empty", "V"), "");
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
    Named(renames)
}

/// The variants of tagged and untagged enums, named after their tags or their types (so
/// after [`type_names`]); nothing here is renamed with a report.
pub fn union_variants(types: &mut [TypeDef], cases: &mut Cases) {
    let idents: Vec<String> = types.iter().map(|t| t.ident.clone()).collect();
    for t in types.iter_mut() {
        match &mut t.kind {
            TypeKind::Tagged(tagged) => {
                let mut variants = Unique::default();
                for v in &mut tagged.variants {
                    let from = v.tags.first().unwrap_or_else(|| &idents[v.ty.0]);
                    v.ident = variants.claim(&cases.camel_ident(from, "Variant", "V"), "");
                }
                tagged.unknown_ident = variants.claim("Unknown", "");
            }
            TypeKind::Untagged(u) => {
                let mut variants = Unique::default();
                for v in &mut u.variants {
                    v.ident = variants.claim(&cases.camel_ident(&v.wanted_name, "Variant", "V"), "");
                }
                u.other_ident = variants.claim("Other", "");
            }
            _ => {}
        }
    }
}

/// The names of the operations and what hangs off them: client methods, builders and their
/// setters, modules and features, mock rules and views, waiters, commands, rules.
pub fn assign_operations(operations: &mut [Operation], waiters: &mut [Waiter], cases: &mut Cases) -> Named {
    let contract = contract::contract();
    let mut renames = Renames::default();
    // Operations, in spec order (which `lower` preserved).
    let client_methods = contract.client_methods.iter().map(String::as_str).chain(TRAIT_METHODS.iter().copied());
    let mut methods = Unique::with_reserved(client_methods);
    let mut builders = Unique::with_reserved(PRELUDE_TYPES.iter().chain(OPERATIONS_SCOPE).copied());
    // A tag's module is a file of `operations/` and of `mock/`, and names a `models/` file:
    // none may be named like its parent (clippy's `module_inception`) or `mod.rs`.
    let mut op_modules = Unique::with_reserved(["mod_", "mod", "operations", "mock", "models"]);
    let features_taken = contract.features.iter().map(String::as_str).chain([ALL_TAGS, UNREFERENCED_MODELS]);
    let mut feature_names = Unique::with_reserved(features_taken);
    let mut tag_modules: BTreeMap<String, (String, String)> = BTreeMap::new();
    let mut tags: Vec<String> = operations.iter().map(|o| o.tag.clone()).collect();
    tags.sort();
    tags.dedup();
    for tag in tags {
        let m = op_modules.claim(&module_ident(&tag), "_");
        let feature = feature_names.claim(&kebab(&m), "-");
        tag_modules.insert(tag, (m, feature));
    }
    let polled: Vec<usize> = waiters.iter().map(|w| w.operation).collect();
    let builder_methods = || {
        contract
            .builder_methods
            .iter()
            .map(String::as_str)
            .chain(TEMPLATE_BUILDER_METHODS.iter().copied())
            .chain(TRAIT_METHODS.iter().copied())
    };
    let builder_setters = Unique::with_reserved(builder_methods());
    let mut mock_rules = Unique::with_reserved(contract.mock_methods.iter().map(String::as_str).chain(TRAIT_METHODS.iter().copied()));
    let mut mock_views = Unique::with_reserved(contract.mock_items.iter().map(String::as_str).chain(PRELUDE_TYPES.iter().copied()));
    for (index, op) in operations.iter_mut().enumerate() {
        let what = format!("operation `{}`", op.operation_id);
        let base = cases.snake_ident(&op.operation_id, "operation");
        op.method_ident = methods.claim(&base, "_");
        renames.note(&op.pointer, &what, &base, &op.method_ident, methods.holder(&base, "a method of the runtime's `Client`"));
        let base = cases.camel_ident(&op.operation_id, "Operation", "Op");
        op.builder_ident = builders.claim(&base, "");
        renames.note(&op.pointer, &what, &base, &op.builder_ident, builders.holder(&base, "a type every operations file names"));
        (op.module, op.feature) = tag_modules.get(&op.tag).cloned().unwrap_or_else(|| ("operations_".to_owned(), "operations".to_owned()));
        if op.is_versioned() {
            for (i, v) in op.versions.iter_mut().enumerate() {
                let suffix = match v.date.as_deref() {
                    Some(d) => format!("V{}", d.replace('-', "_")),
                    None if v.preview => "VPreview".to_owned(),
                    None => format!("V{i}"),
                };
                v.marker_ident = builders.claim(&format!("{}{suffix}", op.builder_ident), "");
            }
        }
        // The rule keeps the client's name unless `Mock` has a method of that name.
        let rule = format!("{}_rule", plain(&op.method_ident));
        op.mock_rule_ident = mock_rules.claim_or(&op.method_ident, Some(&rule), "_");
        let holder = mock_rules.holder(&op.method_ident, "a method of the runtime's `Mock`");
        renames.note(&op.pointer, &format!("mock rule of {what}"), &op.method_ident, &op.mock_rule_ident, holder);
        let base = format!("{}Request", plain(&op.builder_ident));
        op.mock_view_ident = mock_views.claim(&base, "");
        let holder = mock_views.holder(&base, "an item of the runtime's `mock` module");
        renames.note(&op.pointer, &format!("mock view of {what}"), &base, &op.mock_view_ident, holder);
        let mut setters = builder_setters.clone();
        // A waiter's builder takes the polled operation's setters beside its own methods.
        if polled.contains(&index) {
            setters.reserve(contract.waiter_methods.iter().map(String::as_str));
        }
        // Path parameters first (they are the ones users must set), in the order the path
        // names them.
        let path = op.path.clone();
        op.params.sort_by_key(|p| match p.location {
            ParamLocation::Path => (0, path.find(&format!("{{{}}}", p.name)).unwrap_or(usize::MAX)),
            ParamLocation::Query => (1, 0),
            ParamLocation::Header => (2, 0),
        });
        for p in &mut op.params {
            if is_runtime_flag(p) {
                p.ident = p.name.clone();
                continue;
            }
            let base = cases.snake_ident(&p.name, "param");
            p.ident = setters.claim(&base, "_");
            let label = if builder_methods().any(|m| m == base) {
                "a method of every request builder"
            } else {
                "a method of the waiter that polls this operation"
            };
            let holder = setters.holder(&base, label);
            renames.note(&op.pointer, &format!("parameter `{}` of {what}", p.name), &base, &p.ident, holder);
        }
    }
    // Waiters after the operations, so that an operation never loses its name to one.
    for w in waiters.iter_mut() {
        let base = snake_ident(&format!("wait_until_{}", w.name.to_snake_case()), "wait_until");
        w.method_ident = methods.claim(&base, "_");
        renames.note(
            &w.pointer,
            &format!("waiter `{}`", w.name),
            &base,
            &w.method_ident,
            methods.holder(&base, "a method of the runtime's `Client`"),
        );
        let base = camel_ident(&format!("WaitUntil_{}", w.name), "WaitUntil", "W");
        w.builder_ident = builders.claim(&base, "");
        renames.note(
            &w.pointer,
            &format!("waiter `{}`", w.name),
            &base,
            &w.builder_ident,
            builders.holder(&base, "a type every operations file names"),
        );
    }
    cli::assign_commands(operations, &mut renames);
    // Command-line flags: a parameter named like one of the command line's own flags.
    for op in operations.iter() {
        for p in op.params.iter().filter(|p| cli::is_built_in(&p.name)) {
            let what = format!("command-line flag of parameter `{}` of operation `{}`", p.name, op.operation_id);
            renames.note(&op.pointer, &what, &p.name, &cli::flag(&p.name), "a flag of the command line itself");
        }
    }
    // Last: a private type, so it gives way to every public name.
    for op in operations.iter_mut() {
        op.params_ident = builders.claim(&format!("{}Params", op.builder_ident), "");
    }
    // Rules are glob-imported into the operations files: they keep clear of the builders
    // (a tuple struct is also a value).
    rule_names(operations, builders.taken, cases);
    Named(renames)
}

/// Reports what the parts of naming renamed, in the order of `parts` (see [`assign`]),
/// after what `api` held; fails if an identifier is left that is not one.
pub fn finish(api: &mut Api, parts: impl IntoIterator<Item = Named>) -> Result<(), crate::error::Error> {
    for Named(renames) in parts {
        api.warnings.extend(renames.warnings);
        api.renames.extend(renames.docs);
    }
    check(api)
}

/// A rule is a pattern and length bounds; parameters with the same one share its static.
type RuleKey = (Option<String>, Option<usize>, Option<usize>);

/// Names each distinct rule of the string parameters after what it checks: the words
/// that end the names of every parameter that has it (`ID` for `groupId`, `jobId`, ...),
/// then, when that is taken, the length bounds (`ID_LEN_24`); never after one parameter
/// of several.
fn rule_names(operations: &mut [Operation], taken: HashSet<String>, cases: &mut Cases) {
    let mut users: BTreeMap<RuleKey, Vec<String>> = BTreeMap::new();
    for p in operations.iter().flat_map(|o| &o.params) {
        if p.pattern.is_some() || p.min_length.is_some() || p.max_length.is_some() {
            let name = cases.snake_ident(&p.name, "value").trim_start_matches("r#").to_owned();
            users.entry((p.pattern.clone(), p.min_length, p.max_length)).or_default().push(name);
        }
    }
    let mut names = Unique { taken, reserved: HashSet::new() };
    let mut named: BTreeMap<RuleKey, String> = BTreeMap::new();
    for (key, params) in users {
        let base = rule_base(&params);
        let bounds = match (key.1, key.2) {
            (Some(a), Some(b)) if a == b => format!("{base}_LEN_{a}"),
            (Some(a), Some(b)) => format!("{base}_LEN_{a}_TO_{b}"),
            (Some(a), None) => format!("{base}_MIN_LEN_{a}"),
            (None, Some(b)) => format!("{base}_MAX_LEN_{b}"),
            (None, None) => format!("{base}_PATTERN"),
        };
        let ident = names.claim_or(&base, Some(&bounds), "_");
        named.insert(key, ident);
    }
    for p in operations.iter_mut().flat_map(|o| &mut o.params) {
        if let Some(ident) = named.get(&(p.pattern.clone(), p.min_length, p.max_length)) {
            p.rule_ident = ident.clone();
        }
    }
}

/// The snake_case words that end every name of `params` (all of one name when they share
/// it), upper-cased; `VALUE` when they share none.
fn rule_base(params: &[String]) -> String {
    let split: Vec<Vec<&str>> = params.iter().map(|p| p.split('_').filter(|w| !w.is_empty()).collect()).collect();
    let shortest = split.iter().map(Vec::len).min().unwrap_or(0);
    let mut common = 0;
    while common < shortest {
        let word = split[0][split[0].len() - 1 - common];
        if split.iter().all(|s| s[s.len() - 1 - common] == word) {
            common += 1;
        } else {
            break;
        }
    }
    let words: Vec<&str> = split.first().map(|s| s[s.len() - common..].to_vec()).unwrap_or_default();
    let base = words.join("_").to_uppercase();
    if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("VALUE{}", if base.is_empty() { String::new() } else { format!("_{base}") })
    } else {
        base
    }
}

/// `cloud_backups` → `cloud-backups` (keyword modules keep no trailing `_`).
fn kebab(module: &str) -> String {
    let name = plain(module).trim_matches('_').replace('_', "-");
    if name.is_empty() { "tag".to_owned() } else { name }
}

/// The longest name of a module (its file is `{name}.rs`) that names give out, suffix
/// included. File systems allow 255 bytes; the bound is far below that so that a module
/// name stays readable in a path, a `use` and an error message, and just above the
/// longest two-tag name of `spec/` (`shared_tier_restore_jobs_or_shared_tier_snapshots`,
/// 49 bytes), which says more than a count would.
pub const MODULE_MAX: usize = 53;

/// Room left in [`MODULE_MAX`] for the suffix `Unique` may add (`_2` ... `_999`).
const SUFFIX_ROOM: usize = 4;

/// The names of the `models/` modules, one per set of features: `common` for the models
/// always compiled (`None`), else what needs them, the `operations/` module of each tag and
/// `unreferenced` for the models no operation reaches, joined by `_or_`
/// (`cloud_backups_or_legacy_backup`).
///
/// A set of many tags would join into a name longer than a file name may be (a model
/// shared by 36 of the 40 tags of the whole Atlas spec), so a name over
/// [`MODULE_MAX`] keeps the first members that fit and counts the rest
/// (`alert_configurations_or_alerts_and_34_more`): it still says which features need it
/// and how many, and it is the same for the same sets on any machine. Two sets that
/// shorten alike are told apart by `Unique`'s suffix, in the order of `sets` (sorted by
/// the caller), so the names are deterministic and collision-free.
pub fn model_modules(sets: &[Option<Vec<&str>>]) -> Vec<String> {
    let mut names = Unique::with_reserved(["mod"]);
    sets.iter()
        .map(|set| {
            let base = match set {
                None => "common".to_owned(),
                Some(members) if members.is_empty() => "common".to_owned(),
                Some(members) => {
                    let words: Vec<&str> = members.iter().map(|m| plain(m).trim_end_matches('_')).collect();
                    bounded_join(&words, MODULE_MAX - SUFFIX_ROOM)
                }
            };
            names.claim(&module_ident(&base), "_")
        })
        .collect()
}

/// `members` joined by `_or_` if that is at most `max` bytes, else as many leading
/// members as fit followed by `_and_{n}_more`, the first member cut at a word (`_`)
/// boundary when even it alone does not fit.
fn bounded_join(members: &[&str], max: usize) -> String {
    let all = members.join("_or_");
    if all.len() <= max {
        return all;
    }
    if let [one] = members {
        return cut_at_word(one, max);
    }
    let mut kept = String::new();
    for (i, member) in members.iter().enumerate() {
        let tail = format!("_and_{}_more", members.len() - i - 1);
        let joined = if i == 0 { (*member).to_owned() } else { format!("{kept}_or_{member}") };
        if joined.len() + tail.len() > max {
            if i == 0 {
                kept = cut_at_word(member, max.saturating_sub(tail.len()));
            } else {
                return format!("{kept}_and_{}_more", members.len() - i);
            }
        } else {
            kept = joined;
        }
    }
    kept
}

/// The longest prefix of snake_case `name` of at most `max` bytes that ends at a word
/// boundary (or in a word, when the first word alone is longer).
fn cut_at_word(name: &str, max: usize) -> String {
    if name.len() <= max {
        return name.to_owned();
    }
    // `name` is ASCII (made by `module_ident`), so every index is a char boundary.
    let cut = name.get(..max).unwrap_or(name);
    match cut.rfind('_') {
        Some(i) if i > 0 => cut[..i].to_owned(),
        _ => cut.to_owned(),
    }
}

/// Every identifier `assign` filled must be one: an empty or broken name would panic where
/// it becomes a token. The first that is not is the error; what names it is only written
/// for that one.
fn check(api: &Api) -> Result<(), crate::error::Error> {
    let bad = |ident: &str| {
        let plain = ident.strip_prefix("r#").unwrap_or(ident);
        plain.is_empty()
            || plain.starts_with(|c: char| c.is_ascii_digit())
            || !plain.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            || plain == "_"
    };
    let error = |what: String, ident: &str| {
        Err(crate::error::Error::Render { template: "names", item: what, message: format!("`{ident}` is not a Rust identifier") })
    };
    for t in &api.types {
        if bad(&t.ident) {
            return error(format!("schema {} ({})", t.wanted_name, t.pointer), &t.ident);
        }
        if let TypeKind::Struct(s) = &t.kind {
            for f in &s.fields {
                if bad(&f.ident) {
                    return error(format!("property {} ({})", f.json_name, f.pointer), &f.ident);
                }
                if bad(&f.setter_ident) {
                    return error(format!("the setter of {} ({})", f.json_name, f.pointer), &f.setter_ident);
                }
            }
        }
    }
    for op in &api.operations {
        let at = |what: &str| format!("{what} of operation {} ({})", op.operation_id, op.pointer);
        for (what, ident) in [
            ("the method", &op.method_ident),
            ("the builder", &op.builder_ident),
            ("the parameters", &op.params_ident),
            ("the module", &op.module),
            ("the mock rule", &op.mock_rule_ident),
            ("the mock view", &op.mock_view_ident),
        ] {
            if bad(ident) {
                return error(at(what), ident);
            }
        }
        for p in &op.params {
            if bad(&p.ident) {
                return error(at(&format!("parameter {}", p.name)), &p.ident);
            }
        }
    }
    for w in &api.waiters {
        for ident in [&w.method_ident, &w.builder_ident] {
            if bad(ident) {
                return error(format!("waiter {} ({})", w.name, w.pointer), ident);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inputs that stress heck's word boundaries and what `names` does after it: acronyms,
    /// digits, separators, keywords, non-ASCII, nothing left.
    const TRICKY: &[&str] = &[
        "groupId",
        "GroupID",
        "HTTPServerURL",
        "ipv6Address",
        "v1.0",
        "2fa",
        "_2fa",
        "__x__",
        "a__b",
        "x-request-id",
        "type",
        "Type",
        "self",
        "Self",
        "super",
        "crate",
        "_",
        "",
        "$",
        "+",
        "-1",
        "1.0",
        "AWS",
        "aws_region",
        "ÄrgerÜber",
        "naïve café",
        "日本",
        "a日b",
        "with_type",
        "with__2fa",
        "camelCase_snake_case",
        "ABC123def",
        "abc123DEF",
        "Snapshot IDs",
        "mod",
        "enum",
        "r#type",
        "UNKNOWN",
        "Unknown",
        "V1",
        "m10",
        "M10",
        "clusterName",
        "cluster_name",
        "CLUSTER_NAME",
        "cluster-name",
        "cluster name",
        "a.b.c",
        "oneOf",
        "API",
        "APIKey",
        "apiKey",
        "X",
        "x",
        "0",
        "00",
        "9lives",
    ];

    /// The conversions remembered for a pass give the names the direct conversions give,
    /// whether an input is met first or again, and whatever was converted before it.
    #[test]
    fn remembered_conversions_are_the_direct_ones() {
        let mut cases = Cases::default();
        for round in 0..2 {
            for (i, value) in TRICKY.iter().enumerate() {
                for (fallback, prefix) in [("field", "V"), ("Model", "Model"), ("x", "")] {
                    assert_eq!(cases.snake_ident(value, fallback), snake_ident(value, fallback), "snake {value:?} round {round}");
                    assert_eq!(
                        cases.camel_ident(value, fallback, prefix),
                        camel_ident(value, fallback, prefix),
                        "camel {value:?} round {round}"
                    );
                }
                // The same input after a different one, in a fresh pass.
                let mut fresh = Cases::default();
                let other = TRICKY[(i + 7) % TRICKY.len()];
                fresh.snake_ident(other, "f");
                fresh.camel_ident(other, "F", "V");
                assert_eq!(fresh.snake_ident(value, "f"), snake_ident(value, "f"), "{value:?} after {other:?}");
                assert_eq!(fresh.camel_ident(value, "F", "V"), camel_ident(value, "F", "V"), "{value:?} after {other:?}");
            }
        }
        // What the direct conversions give for some of them, so that a change to heck or
        // to the rules shows here too.
        for (value, snake, camel) in [
            ("groupId", "group_id", "GroupId"),
            ("HTTPServerURL", "http_server_url", "HttpServerUrl"),
            ("x-request-id", "x_request_id", "XRequestId"),
            ("type", "r#type", "Type"),
            ("Self", "self_", "Self_"),
            ("2fa", "_2fa", "V2fa"),
            ("$", "field", "Empty"),
            ("naïve café", "na_ve_caf", "NaveCaf"),
            ("with__2fa", "with_2fa", "With2fa"),
        ] {
            assert_eq!(snake_ident(value, "field"), snake, "{value:?}");
            assert_eq!(camel_ident(value, "Empty", "V"), camel, "{value:?}");
        }
    }

    /// Naming in parts, members in runs of any length, gives what naming in one pass gives:
    /// the same names, warnings and rename notes, in the same order.
    /// Every name decided in one pass on one thread, the parts one after the other: what
    /// [`assign`] on two threads, in runs, must give.
    fn assign_at_once(api: &mut Api) -> Result<(), crate::error::Error> {
        let mut cases = Cases::default();
        let (mut heads, mut kinds) = split_types(&mut api.types);
        let Named(mut renames) = type_names(&mut heads, &mut cases);
        let Named(members) = member_names(&mut kinds, &mut cases);
        renames.warnings.extend(members.warnings);
        renames.docs.extend(members.docs);
        union_variants(&mut api.types, &mut cases);
        let operations = assign_operations(&mut api.operations, &mut api.waiters, &mut Cases::default());
        finish(api, [Named(renames), operations])
    }

    #[test]
    fn naming_in_parts_is_naming_at_once() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for spec in
            ["tests/fixtures/clashes.yaml", "tests/fixtures/same_shape.yaml", "tests/fixtures/enums.yaml", "../spec/atlas-backup.yaml"]
        {
            let loaded = crate::load::load(&dir.join(spec)).expect("the spec loads");
            let lowered = crate::ir::lower(&loaded).expect("the spec lowers");
            let mut whole = lowered.clone();
            assign_at_once(&mut whole).expect("every name is valid");
            let mut on_two_threads = lowered.clone();
            assign(&mut on_two_threads).expect("every name is valid");
            assert_eq!(format!("{on_two_threads:?}"), format!("{whole:?}"), "{spec}, on two threads");
            for run in [1, 3, 64, usize::MAX] {
                let mut api = lowered.clone();
                let mut cases = Cases::default();
                let operations = assign_operations(&mut api.operations, &mut api.waiters, &mut Cases::default());
                let (mut heads, mut kinds) = split_types(&mut api.types);
                let types = type_names(&mut heads, &mut cases);
                // Runs named backwards, each with a pass of its own, then put in order.
                let run = run.min(kinds.len().max(1));
                let mut members: Vec<(usize, Named)> =
                    kinds.chunks_mut(run).enumerate().rev().map(|(i, run)| (i, member_names(run, &mut Cases::default()))).collect();
                members.sort_by_key(|&(i, _)| i);
                union_variants(&mut api.types, &mut cases);
                finish(&mut api, std::iter::once(types).chain(members.into_iter().map(|(_, n)| n)).chain([operations]))
                    .expect("every name is valid");
                assert_eq!(format!("{api:?}"), format!("{whole:?}"), "{spec}, runs of {run}");
            }
        }
    }

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
        let mut t = Unique::with_reserved(PRELUDE_TYPES.iter().copied());
        assert_eq!(t.claim("Result", ""), "Result2");
    }

    #[test]
    fn rules_are_named_after_what_every_parameter_sharing_them_ends_with() {
        for (params, want) in [
            (&["group_id", "snapshot_id"][..], "ID"),
            (&["cluster_name"], "CLUSTER_NAME"),
            (&["restore_job_id", "export_bucket_id", "job_id"], "ID"),
            (&["name", "cluster_name"], "NAME"),
            (&["alpha", "beta"], "VALUE"),
            (&["_2fa"], "VALUE_2FA"),
        ] {
            let params: Vec<String> = params.iter().map(|p| (*p).to_owned()).collect();
            assert_eq!(rule_base(&params), want, "{params:?}");
        }
    }

    #[test]
    fn model_modules_say_which_features_need_them() {
        let sets = [
            None,
            Some(vec!["cloud_backups"]),
            Some(vec!["cloud_backups", "legacy_backup"]),
            Some(vec!["unreferenced"]),
            Some(vec!["common"]),
            Some(vec!["type_"]),
        ];
        assert_eq!(
            model_modules(&sets),
            ["common", "cloud_backups", "cloud_backups_or_legacy_backup", "unreferenced", "common_2", "type_"]
        );
    }

    /// Long sets keep the members that fit and count the rest; names stay unique, bounded
    /// and identifiers whatever the members.
    #[test]
    fn model_module_names_are_bounded() {
        let many: Vec<String> = (0..40).map(|i| format!("tag_number_{i}")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        let long = "a_tag_whose_name_is_a_whole_sentence_about_what_it_holds_and_more";
        let spec_like = ["flex_restore_jobs", "flex_snapshots", "shared_tier_restore_jobs", "shared_tier_snapshots", "unreferenced"];
        for (members, want) in [
            (&["cloud_backups", "legacy_backup"][..], "cloud_backups_or_legacy_backup"),
            (&spec_like[..], "flex_restore_jobs_or_flex_snapshots_and_3_more"),
            (&many[..], "tag_number_0_or_tag_number_1_and_38_more"),
            (&[long], "a_tag_whose_name_is_a_whole_sentence_about_what"),
            (&[long, "b"], "a_tag_whose_name_is_a_whole_sentence_and_1_more"),
            (&["x"; 3][..], "x_or_x_or_x"),
        ] {
            let got = bounded_join(members, MODULE_MAX - SUFFIX_ROOM);
            assert_eq!(got, want, "{members:?}");
            assert!(got.len() <= MODULE_MAX - SUFFIX_ROOM, "{got}");
        }
        // Sets that shorten alike are told apart; every name fits and is an identifier.
        // Twelve sets of 13 tags that differ only past the first two, and one more.
        let sets: Vec<Option<Vec<&str>>> =
            (0..12).map(|i| Some([&many[..2], &[many[2 + i]], &many[20..30]].concat())).chain([Some(many[1..].to_vec())]).collect();
        let names = model_modules(&sets);
        assert_eq!(names[0], "tag_number_0_or_tag_number_1_and_11_more");
        assert_eq!(names[1], "tag_number_0_or_tag_number_1_and_11_more_2");
        assert_eq!(names[11], "tag_number_0_or_tag_number_1_and_11_more_12");
        assert_eq!(names[12], "tag_number_1_or_tag_number_2_and_37_more");
        let distinct: HashSet<&String> = names.iter().collect();
        assert_eq!(distinct.len(), names.len(), "{names:?}");
        for name in &names {
            assert!(name.len() <= MODULE_MAX && snake_ident(name, "x") == *name, "{name}");
        }
        // A tag's module is bounded the same way.
        assert_eq!(module_ident(long), "a_tag_whose_name_is_a_whole_sentence_about_what");
        assert_eq!(module_ident(&format!("type_{}", "x".repeat(60))), "type_");
    }

    #[test]
    fn features_are_kebab_case_of_modules() {
        for (module, want) in [("cloud_backups", "cloud-backups"), ("type_", "type"), ("_", "tag"), ("mock_2", "mock-2")] {
            assert_eq!(kebab(module), want);
        }
    }

    /// The clash fixture: each name the runtime or the templates hold is given way.
    #[test]
    fn names_the_runtime_holds_are_renamed_and_reported() {
        let spec = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/clashes.yaml");
        let loaded = crate::load::load(&spec).expect("the fixture loads");
        let mut api = crate::ir::lower(&loaded).expect("the fixture lowers");
        assign(&mut api).expect("every name is valid");
        let op = |id: &str| api.operations.iter().find(|o| o.operation_id == id).expect("the operation");
        for (id, method, rule, module, feature) in [
            ("executeJson", "execute_json_2", "execute_json_2", "mock_2", "mock-2"),
            ("baseUrl", "base_url_2", "base_url_2", "default", "default-2"),
            ("build", "build", "build", "mock_2", "mock-2"),
            ("verify", "verify", "verify_rule", "default", "default-2"),
            ("verifyRule", "verify_rule", "verify_rule_rule", "default", "default-2"),
        ] {
            let o = op(id);
            assert_eq!(
                (o.method_ident.as_str(), o.mock_rule_ident.as_str(), o.module.as_str(), o.feature.as_str()),
                (method, rule, module, feature),
                "{id}"
            );
        }
        let setters: Vec<&str> = op("getThing").params.iter().map(|p| p.ident.as_str()).collect();
        assert_eq!(setters, ["wait_2", "min_delay_2", "max_delay_2"]);
        let setters: Vec<&str> = op("build").params.iter().map(|p| p.ident.as_str()).collect();
        assert_eq!(setters, ["timeout_2", "send_2"]);
        let types: Vec<&str> = api.types.iter().map(|t| t.ident.as_str()).collect();
        assert!(types.contains(&"Request") && types.contains(&"Client") && types.contains(&"Error"), "{types:?}");
        // The rename is in the item's docs as well as in the warnings.
        assert_eq!(
            api.rename_note(&op("executeJson").pointer, "execute_json_2"),
            Some("Operation `executeJson` is named `execute_json_2` because `execute_json` is a method of the runtime's `Client`.")
        );
        assert_eq!(api.rename_note(&op("build").pointer, "build"), None);
        // So is a mock rule's: `Mock` has a `verify` of its own.
        assert_eq!(
            api.rename_note(&op("verify").pointer, "verify_rule"),
            Some("Mock rule of operation `verify` is named `verify_rule` because `verify` is a method of the runtime's `Mock`.")
        );
        assert_eq!(
            api.rename_note(&op("verifyRule").pointer, "verify_rule_rule"),
            Some(
                "Mock rule of operation `verifyRule` is named `verify_rule_rule` because `verify_rule` is taken by an earlier item of the spec."
            )
        );
        assert!(
            api.warnings.iter().any(|w| w.kind == "renamed"
                && w.message == "mock rule of operation `verify`: `verify` is a method of the runtime's `Mock`; named `verify_rule`"),
            "{:?}",
            api.warnings
        );
        assert!(
            api.warnings.iter().any(|w| w.kind == "renamed" && w.message.contains("`execute_json` is a method of the runtime's `Client`")),
            "{:?}",
            api.warnings
        );
        // `--wait` is the command line's own: the parameter `wait` gets another flag.
        assert!(
            api.warnings.iter().any(|w| w.kind == "renamed"
                && w.message == "command-line flag of parameter `wait` of operation `getThing`: `wait` is a flag of the command line itself; named `waitParam`"),
            "{:?}",
            api.warnings
        );
        assert_eq!(cli::flag("wait"), "waitParam");
    }
}
