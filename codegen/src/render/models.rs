//! `models/`: one file per component schema, holding its type and the inline types that
//! belong to it.

use std::collections::BTreeMap;

use askama::Template;

// Templates mark their rows (`{{ self::ROW }}`): see `super::rows`.
use super::rows::ROW;

use super::features::{self, Features};
use super::{Piece, docs, ident, lit, print_file, print_text, reexport, render_template, rust_type};
use crate::error::Error;
use crate::ir::{Api, Field, TypeDef, TypeId, TypeKind, TypeRef};

const MODELS: &str = "super";

struct FieldView {
    doc: String,
    serde: String,
    deprecated: String,
    name: String,
    ty: String,
}

#[derive(Template)]
#[template(path = "struct.askama", escape = "none")]
struct StructTemplate {
    doc: String,
    rename_all: String,
    /// The `codec::object!` invocation that gives `Serialize` and `Deserialize`, or empty
    /// when serde's derive does.
    object: String,
    deprecated: String,
    name: String,
    default: bool,
    fields: Vec<FieldView>,
    additional: Option<String>,
    /// The `codec::new!` invocation that gives `new` and the setters.
    new: String,
}

struct VariantView {
    doc: String,
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "enum.askama", escape = "none")]
struct EnumTemplate {
    doc: String,
    deprecated: String,
    name: String,
    variants: Vec<VariantView>,
    unknown: String,
}

struct IntVariantView {
    name: String,
    value: String,
}

#[derive(Template)]
#[template(path = "int_enum.askama", escape = "none")]
struct IntEnumTemplate {
    doc: String,
    deprecated: String,
    name: String,
    repr: String,
    variants: Vec<IntVariantView>,
    unknown: String,
}

struct TaggedVariantView {
    doc: String,
    name: String,
    ty: String,
    tag: String,
    patterns: String,
}

#[derive(Template)]
#[template(path = "tagged.askama", escape = "none")]
struct TaggedTemplate {
    doc: String,
    deprecated: String,
    name: String,
    property: String,
    tag_doc: String,
    variants: Vec<TaggedVariantView>,
    unknown: String,
}

struct UntaggedVariantView {
    name: String,
    ty: String,
}

#[derive(Template)]
#[template(path = "untagged.askama", escape = "none")]
struct UntaggedTemplate {
    doc: String,
    deprecated: String,
    name: String,
    variants: Vec<UntaggedVariantView>,
    other: String,
}

/// A second name of a type printed elsewhere ([`crate::ir::TypeDef::same_as`]).
#[derive(Template)]
#[template(path = "same.askama", escape = "none")]
struct SameTemplate {
    doc: String,
    name: String,
    first: String,
}

#[derive(Template)]
#[template(path = "alias.askama", escape = "none")]
struct AliasTemplate {
    doc: String,
    deprecated: String,
    name: String,
    ty: String,
}

/// `#[deprecated]` for a deprecated item.
fn deprecated(flag: bool, note: &str) -> String {
    if flag { format!("#[deprecated(note = {})]", lit(note)) } else { String::new() }
}

/// The type's docs, then `notes` (what is true of every type of its kind, the features it
/// needs), which close the last paragraph (unless that is a code block), as the notes of a
/// field do: a line of their own would be most of a short type's docs.
fn type_doc(api: &Api, t: &TypeDef, notes: &[&str]) -> String {
    let mut lines = t.doc.as_deref().map(docs::lines).unwrap_or_default();
    if lines.is_empty() {
        lines.push(format!("`{}` of the API.", t.wanted_name));
    }
    let renamed = api.rename_note(&t.pointer, &t.ident);
    let notes: Vec<&str> = notes.iter().copied().chain(renamed).filter(|n| !n.is_empty()).collect();
    if !notes.is_empty() {
        let notes = notes.join(" ");
        match lines.last_mut() {
            Some(last) if !last.is_empty() && !last.starts_with("```") => {
                last.push(' ');
                last.push_str(&notes);
            }
            _ => {
                lines.push(String::new());
                lines.push(notes);
            }
        }
    }
    docs::attrs(&lines)
}

/// serde's own `rename_all = "camelCase"` of a field (serde_derive's rule, which is not
/// heck's: `r#` dropped, each `_` dropped and the letter after it upper-cased, the first
/// letter lower-cased), so the generator knows exactly which JSON names it gives.
fn serde_camel(ident: &str) -> String {
    let mut out = String::with_capacity(ident.len());
    let mut upper = false;
    for c in crate::names::plain(ident).chars() {
        if c == '_' {
            upper = true;
        } else if upper && !out.is_empty() {
            out.push(c.to_ascii_uppercase());
            upper = false;
        } else {
            out.push(if out.is_empty() { c.to_ascii_lowercase() } else { c });
            upper = false;
        }
    }
    out
}

/// serde's own name of a field without a rename rule: the identifier without `r#`.
fn serde_plain(ident: &str) -> String {
    crate::names::plain(ident).to_owned()
}

fn field_type(api: &Api, f: &Field) -> String {
    let mut ty = rust_type(api, &f.ty, MODELS);
    if f.boxed {
        ty = format!("Box<{ty}>");
    }
    if !f.required || f.nullable {
        ty = format!("Option<{ty}>");
    }
    ty
}

fn field_doc(api: &Api, f: &Field) -> String {
    let mut lines = f.doc.as_deref().map(docs::lines).unwrap_or_default();
    let mut notes: Vec<&str> = api.rename_note(&f.pointer, &f.ident).into_iter().collect();
    if f.read_only {
        notes.push("Read-only: set by Atlas, never sent.");
    }
    if f.write_only {
        notes.push("Write-only: sent, never returned.");
    }
    if !notes.is_empty() {
        let notes = notes.join(" ");
        // The note closes the last paragraph, unless that is a code block.
        match lines.last_mut() {
            Some(last) if !last.starts_with("```") => {
                last.push(' ');
                last.push_str(&notes);
            }
            Some(_) => {
                lines.push(String::new());
                lines.push(notes);
            }
            None => lines.push(notes),
        }
    }
    docs::attrs(&lines)
}

fn render_struct(api: &Api, t: &TypeDef, s: &crate::ir::Struct, note: &str) -> Result<String, Error> {
    let name = ident(&t.ident);
    // `rename_all = "camelCase"` when it names more fields right than serde's default does;
    // the others keep a `rename` of their own.
    let camel = s.fields.iter().filter(|f| serde_camel(&f.ident) == f.json_name).count();
    let plain = s.fields.iter().filter(|f| serde_plain(&f.ident) == f.json_name).count();
    let rule: fn(&str) -> String = if camel > plain { serde_camel } else { serde_plain };
    let mut fields = Vec::new();
    // `codec::new!`'s table: the required fields with their types, the optional ones, and a
    // setter per optional field of a type sent in requests.
    let mut required = Vec::new();
    let mut optional = Vec::new();
    let mut setters = Vec::new();
    // `Serialize` and `Deserialize` come from the runtime's `codec::object!` table of each
    // field's JSON name (bracketed when left out while `None`), except for a struct with
    // `additionalProperties`: it keeps serde's derive, whose `flatten` collects the keys the
    // schema does not name, and the `#[serde(...)]` attributes below are for that derive.
    let derive = s.additional.is_some();
    let mut wire = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.ident);
        let ty = field_type(api, f);
        // A missing `Option` field decodes as `None` without `default` (serde's derive
        // asks the field's own type what a missing value is).
        let mut serde = Vec::new();
        if rule(&f.ident) != f.json_name {
            serde.push(format!("rename = {}", lit(&f.json_name)));
        }
        if !f.required {
            serde.push("skip_serializing_if = \"Option::is_none\"".to_owned());
        }
        let serde = if serde.is_empty() || !derive { String::new() } else { format!("#[serde({})]", serde.join(", ")) };
        let key = lit(&f.json_name);
        wire.push(if f.required { format!("{fname}({key})") } else { format!("{fname}[{key}]") });
        if f.required && !f.nullable {
            required.push(format!("{fname}: {ty}"));
        } else {
            optional.push(fname.clone());
            if t.usage.request {
                // The setter takes the value the `Option` holds (unboxed: it boxes it).
                let arg = if matches!(f.ty, TypeRef::String | TypeRef::Bytes) && !f.boxed {
                    "into".to_owned()
                } else if f.boxed {
                    format!("boxed {}", rust_type(api, &f.ty, MODELS))
                } else {
                    rust_type(api, &f.ty, MODELS)
                };
                setters.push(format!("{}({fname} {key} {arg})", ident(&f.setter_ident)));
            }
        }
        fields.push(FieldView {
            doc: field_doc(api, f),
            serde,
            deprecated: deprecated(f.deprecated, "deprecated in the API spec"),
            name: fname,
            ty,
        });
    }
    let additional = s.additional.as_ref().map(|a| rust_type(api, a, MODELS));
    let default = required.is_empty();
    let setters = if setters.is_empty() { String::new() } else { format!("; {}", setters.join(", ")) };
    let new = if default {
        format!("{ROW}crate::codec::new!({name} default{setters});")
    } else {
        let extra = if additional.is_some() { " + additional" } else { "" };
        format!("{ROW}crate::codec::new!({name}({}) {}{extra}{setters});", required.join(", "), optional.join(", "))
    };
    let tmpl = StructTemplate {
        doc: type_doc(api, t, &[note]),
        rename_all: if camel > plain && derive { "#[serde(rename_all = \"camelCase\")]".to_owned() } else { String::new() },
        object: if derive { String::new() } else { format!("{ROW}crate::codec::object!({name}; {});", wire.join(", ")) },
        deprecated: deprecated(t.deprecated, "deprecated in the API spec"),
        name,
        default,
        fields,
        additional,
        new,
    };
    render_template(&tmpl, "struct.askama", &t.wanted_name)
}

fn render_type(api: &Api, t: &TypeDef, note: &str) -> Result<(String, &'static str), Error> {
    let doc = type_doc(api, t, &[note]);
    let dep = deprecated(t.deprecated, "deprecated in the API spec");
    let name = ident(&t.ident);
    if let Some(first) = t.same_as {
        let first = ident(&api.ty(first).ident);
        let same = format!("The same type as [`{first}`](crate::models::{first}): the API defines both with one shape.");
        // Without docs of its own, the line above is all it needs: rustdoc shows the type's.
        // The features are this name's own (those of its module): the type's may be more.
        let doc = if t.doc.is_some() {
            type_doc(api, t, &[&same, note])
        } else if note.is_empty() {
            docs::attrs(&[same])
        } else {
            docs::attrs(&[format!("{same} {note}")])
        };
        let tmpl = SameTemplate { doc, name, first };
        return Ok((render_template(&tmpl, "same.askama", &t.wanted_name)?, "same.askama"));
    }
    // Open enums say once what happens to values they do not list.
    let open = |unknown: &str| {
        let open = format!("Open: a value this version does not list decodes as [`{}::{unknown}`] and is sent back unchanged.", t.ident);
        type_doc(api, t, &[&open, note])
    };
    Ok(match &t.kind {
        TypeKind::Struct(s) => (render_struct(api, t, s, note)?, "struct.askama"),
        TypeKind::Enum(e) => {
            let tmpl = EnumTemplate {
                doc: open(&e.unknown_ident),
                deprecated: dep,
                name,
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantView {
                        doc: docs::literal(&format!(" `{}`", v.value.replace('`', "'"))),
                        name: ident(&v.ident),
                        value: lit(&v.value),
                    })
                    .collect(),
                unknown: ident(&e.unknown_ident),
            };
            (render_template(&tmpl, "enum.askama", &t.wanted_name)?, "enum.askama")
        }
        TypeKind::IntEnum(e) => {
            let repr = rust_type(api, &e.repr, MODELS);
            let tmpl = IntEnumTemplate {
                doc: open(&e.unknown_ident),
                deprecated: dep,
                name,
                variants: e
                    .variants
                    .iter()
                    .map(|v| IntVariantView {
                        name: ident(&v.ident),
                        value: if e.repr == TypeRef::I32 {
                            proc_macro2::Literal::i32_unsuffixed(i32::try_from(v.value).unwrap_or_default()).to_string()
                        } else {
                            proc_macro2::Literal::i64_unsuffixed(v.value).to_string()
                        },
                    })
                    .collect(),
                repr,
                unknown: ident(&e.unknown_ident),
            };
            (render_template(&tmpl, "int_enum.askama", &t.wanted_name)?, "int_enum.askama")
        }
        TypeKind::Tagged(tg) => {
            let tmpl = TaggedTemplate {
                doc,
                deprecated: dep,
                name,
                property: lit(&tg.property),
                tag_doc: docs::literal(&format!(" The variant is chosen by the `{}` property.", tg.property)),
                variants: tg
                    .variants
                    .iter()
                    .map(|v| TaggedVariantView {
                        doc: docs::literal(&format!(
                            " `{}`: {}",
                            tg.property,
                            v.tags.iter().map(|t| format!("`{t}`")).collect::<Vec<_>>().join(", ")
                        )),
                        name: ident(&v.ident),
                        ty: format!("{MODELS}::{}", ident(&api.ty(v.ty).ident)),
                        tag: lit(v.tags.first().map(String::as_str).unwrap_or_default()),
                        patterns: v.tags.iter().map(|t| lit(t)).collect::<Vec<_>>().join(" | "),
                    })
                    .collect(),
                unknown: ident(&tg.unknown_ident),
            };
            (render_template(&tmpl, "tagged.askama", &t.wanted_name)?, "tagged.askama")
        }
        TypeKind::Untagged(u) => {
            let tmpl = UntaggedTemplate {
                doc,
                deprecated: dep,
                name,
                variants: u
                    .variants
                    .iter()
                    .map(|v| UntaggedVariantView { name: ident(&v.ident), ty: rust_type(api, &v.ty, MODELS) })
                    .collect(),
                other: ident(&u.other_ident),
            };
            (render_template(&tmpl, "untagged.askama", &t.wanted_name)?, "untagged.askama")
        }
        TypeKind::Alias(r) => {
            let ty = match r {
                TypeRef::Named(_) | TypeRef::Vec(_) | TypeRef::Map(_) => rust_type(api, r, MODELS),
                other => rust_type(api, other, MODELS),
            };
            let tmpl = AliasTemplate { doc, deprecated: dep, name, ty };
            (render_template(&tmpl, "alias.askama", &t.wanted_name)?, "alias.askama")
        }
    })
}

/// The types of each `models/` module (one file per set of features, see
/// [`Features`]), modules and types in name order.
pub fn modules<'a>(api: &'a Api, features: &Features) -> Vec<(String, Vec<&'a TypeDef>)> {
    let mut modules: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
    for (i, t) in api.types.iter().enumerate() {
        modules.entry(features.model_module_of(TypeId(i))).or_default().push(t);
    }
    modules
        .into_iter()
        .map(|(m, mut types)| {
            types.sort_by(|a, b| a.ident.cmp(&b.ident));
            (m.to_owned(), types)
        })
        .collect()
}

/// Renders the file of one module of [`modules`].
pub fn render_module(api: &Api, features: &Features, module: &str, types: &[&TypeDef]) -> Result<String, Error> {
    let note = features.of_model_module(module).map(features::doc_note).unwrap_or_default();
    let mut pieces = Vec::new();
    for t in types {
        let (text, template) = render_type(api, t, &note)?;
        pieces.push(Piece { text, template, item: format!("schema {} ({})", t.wanted_name, t.pointer) });
    }
    print_file("#![allow(deprecated)]\n", &pieces, "models", module)
}

/// Renders `models/mod.rs`, which declares and re-exports `modules`.
pub fn mod_rs(features: &Features, modules: &[String]) -> Result<String, Error> {
    let mut mod_rs = String::from(
        "//! The API's schemas as Rust types.\n//!\n//! Field names are snake_case; each struct's JSON names are in its `codec::object!` table.\n",
    );
    for module in modules {
        mod_rs.push_str(&reexport(&features.model_module_cfg(module), module));
    }
    print_text(&mod_rs, "models/mod.rs", "the models module")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rule printed into `rename_all` decisions is serde's own: checked against what
    /// serde's derive sends for the same identifiers, keywords and leading digits included.
    #[test]
    fn serde_camel_is_what_serde_sends() {
        #[derive(serde::Serialize)]
        #[serde(rename_all = "camelCase")]
        #[allow(non_snake_case)]
        struct Fields {
            user_name: u8,
            self_: u8,
            r#type: u8,
            _2fa: u8,
            a_1b: u8,
            disk_size_gb_x: u8,
            already: u8,
        }
        let value = Fields { user_name: 0, self_: 0, r#type: 0, _2fa: 0, a_1b: 0, disk_size_gb_x: 0, already: 0 };
        let json = serde_json::to_value(value).unwrap_or_default();
        let sent: Vec<&str> = json.as_object().map(|o| o.keys().map(String::as_str).collect()).unwrap_or_default();
        let mut sent: Vec<String> = sent.into_iter().map(str::to_owned).collect();
        let mut ours: Vec<String> =
            ["user_name", "self_", "r#type", "_2fa", "a_1b", "disk_size_gb_x", "already"].iter().map(|f| serde_camel(f)).collect();
        sent.sort();
        ours.sort();
        assert_eq!(sent, ours);
        assert_eq!(serde_camel("user_name"), "userName");
        assert_eq!(serde_plain("r#type"), "type");
    }
}
