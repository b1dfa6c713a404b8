//! `models/`: one file per component schema, holding its type and the inline types that
//! belong to it.

use std::collections::BTreeMap;

use askama::Template;

use super::features::{self, Features};
use super::{Piece, docs, ident, lit, parse_file, print_file, render_template, rust_type, unparse};
use crate::error::Error;
use crate::ir::{Api, Field, TypeDef, TypeKind, TypeRef};

const MODELS: &str = "super";

struct FieldView {
    doc: String,
    serde: String,
    deprecated: String,
    name: String,
    ty: String,
}

struct SetterView {
    doc: String,
    method: String,
    arg: String,
    field: String,
    value: String,
}

#[derive(Template)]
#[template(path = "struct.askama", escape = "none")]
struct StructTemplate {
    doc: String,
    deprecated: String,
    name: String,
    default: bool,
    fields: Vec<FieldView>,
    additional: Option<String>,
    ctor_params: Vec<String>,
    ctor_inits: Vec<String>,
    setters: Vec<SetterView>,
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
    unknown_doc: String,
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
    unknown_doc: String,
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

fn type_doc(t: &TypeDef, note: Option<&str>) -> String {
    let mut lines = t.doc.as_deref().map(docs::lines).unwrap_or_default();
    if lines.is_empty() {
        lines.push(format!("`{}` of the API.", t.wanted_name));
    }
    if let Some(note) = note {
        lines.push(String::new());
        lines.push(note.to_owned());
    }
    docs::attrs(&lines)
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

fn field_doc(f: &Field) -> String {
    let mut lines = f.doc.as_deref().map(docs::lines).unwrap_or_default();
    let mut notes = Vec::new();
    if f.read_only {
        notes.push("Read-only: set by Atlas, never sent.");
    }
    if f.write_only {
        notes.push("Write-only: sent, never returned.");
    }
    if !notes.is_empty() {
        if !lines.is_empty() {
            lines.push(String::new());
        }
        lines.push(notes.join(" "));
    }
    docs::attrs(&lines)
}

fn render_struct(api: &Api, t: &TypeDef, s: &crate::ir::Struct, note: Option<&str>) -> Result<String, Error> {
    let name = ident(&t.ident);
    let mut fields = Vec::new();
    let mut ctor_params = Vec::new();
    let mut ctor_inits = Vec::new();
    let mut setters = Vec::new();
    for f in &s.fields {
        let fname = ident(&f.ident);
        let ty = field_type(api, f);
        let mut serde = format!("rename = {}", lit(&f.json_name));
        if !f.required {
            serde.push_str(", default, skip_serializing_if = \"Option::is_none\"");
        } else if f.nullable {
            serde.push_str(", default");
        }
        if f.required && !f.nullable {
            ctor_params.push(format!("{fname}: {ty}"));
            ctor_inits.push(fname.clone());
        } else {
            ctor_inits.push(format!("{fname}: None"));
            if t.usage.request {
                let inner = ty.strip_prefix("Option<").and_then(|t| t.strip_suffix('>')).unwrap_or(&ty).to_owned();
                let (arg, value) = if inner == "String" {
                    ("impl Into<String>".to_owned(), "value.into()".to_owned())
                } else if f.boxed {
                    (rust_type(api, &f.ty, MODELS), "Box::new(value)".to_owned())
                } else {
                    (inner, "value".to_owned())
                };
                let method = crate::names::snake_ident(&format!("with_{}", f.ident.trim_start_matches("r#")), "with");
                setters.push(SetterView {
                    doc: lit(&format!(" Sets `{}`.", f.json_name)),
                    method: ident(&method),
                    arg,
                    field: fname.clone(),
                    value,
                });
            }
        }
        fields.push(FieldView {
            doc: field_doc(f),
            serde,
            deprecated: deprecated(f.deprecated, "deprecated in the API spec"),
            name: fname,
            ty,
        });
    }
    let additional = s.additional.as_ref().map(|a| rust_type(api, a, MODELS));
    if additional.is_some() {
        ctor_inits.push("additional: Default::default()".to_owned());
    }
    let default = ctor_params.is_empty();
    let tmpl = StructTemplate {
        doc: type_doc(t, note),
        deprecated: deprecated(t.deprecated, "deprecated in the API spec"),
        name,
        default,
        fields,
        additional,
        ctor_params,
        ctor_inits,
        setters,
    };
    render_template(&tmpl, "struct.askama", &t.wanted_name)
}

fn render_type(api: &Api, t: &TypeDef, note: Option<&str>) -> Result<(String, &'static str), Error> {
    let doc = type_doc(t, note);
    let dep = deprecated(t.deprecated, "deprecated in the API spec");
    let name = ident(&t.ident);
    Ok(match &t.kind {
        TypeKind::Struct(s) => (render_struct(api, t, s, note)?, "struct.askama"),
        TypeKind::Enum(e) => {
            let tmpl = EnumTemplate {
                doc,
                deprecated: dep,
                name,
                variants: e
                    .variants
                    .iter()
                    .map(|v| VariantView {
                        doc: lit(&format!(" `{}`", v.value.replace('`', "'"))),
                        name: ident(&v.ident),
                        value: lit(&v.value),
                    })
                    .collect(),
                unknown: ident(&e.unknown_ident),
                unknown_doc: lit(&format!(" [`{}::{}`]", t.ident, e.unknown_ident)),
            };
            (render_template(&tmpl, "enum.askama", &t.wanted_name)?, "enum.askama")
        }
        TypeKind::IntEnum(e) => {
            let repr = rust_type(api, &e.repr, MODELS);
            let tmpl = IntEnumTemplate {
                doc,
                deprecated: dep,
                name,
                variants: e
                    .variants
                    .iter()
                    .map(|v| IntVariantView {
                        name: ident(&v.ident),
                        value: if repr == "i32" {
                            proc_macro2::Literal::i32_unsuffixed(i32::try_from(v.value).unwrap_or_default()).to_string()
                        } else {
                            proc_macro2::Literal::i64_unsuffixed(v.value).to_string()
                        },
                    })
                    .collect(),
                repr,
                unknown: ident(&e.unknown_ident),
                unknown_doc: lit(&format!(" [`{}::{}`]", t.ident, e.unknown_ident)),
            };
            (render_template(&tmpl, "int_enum.askama", &t.wanted_name)?, "int_enum.askama")
        }
        TypeKind::Tagged(tg) => {
            let tmpl = TaggedTemplate {
                doc,
                deprecated: dep,
                name,
                property: lit(&tg.property),
                tag_doc: lit(&format!(" The variant is chosen by the `{}` property.", tg.property)),
                variants: tg
                    .variants
                    .iter()
                    .map(|v| TaggedVariantView {
                        doc: lit(&format!(
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

/// The types of each `models/` module (one file each), modules and types in name order.
pub fn modules(api: &Api) -> Vec<(&str, Vec<&TypeDef>)> {
    let mut modules: BTreeMap<&str, Vec<&TypeDef>> = BTreeMap::new();
    for t in &api.types {
        modules.entry(t.module.as_str()).or_default().push(t);
    }
    let mut out: Vec<(&str, Vec<&TypeDef>)> = modules.into_iter().collect();
    for (_, types) in &mut out {
        types.sort_by(|a, b| a.ident.cmp(&b.ident));
    }
    out
}

/// Renders the file of one module of [`modules`].
pub fn render_module(api: &Api, features: &Features, types: &[&TypeDef]) -> Result<String, Error> {
    let module = types.first().map_or("", |t| t.module.as_str());
    let note = features.of_model_module(module).map(features::doc_note);
    let mut pieces = Vec::new();
    for t in types {
        let (text, template) = render_type(api, t, note.as_deref())?;
        pieces.push(Piece { text, template, item: format!("schema {} ({})", t.wanted_name, t.pointer) });
    }
    print_file("#![allow(deprecated)]\n", &pieces, "models", module)
}

/// Renders `models/mod.rs`, which declares and re-exports `modules`.
pub fn mod_rs(features: &Features, modules: &[&str]) -> Result<String, Error> {
    let mut mod_rs = String::from(
        "//! The API's schemas as Rust types.\n//!\n//! Field names are snake_case; each keeps its JSON name through `serde(rename)`.\n",
    );
    for module in modules {
        let m = ident(module);
        let cfg = features.model_module_cfg(module);
        mod_rs.push_str(&format!("{cfg}\nmod {m};\n{cfg}\npub use {m}::*;\n"));
    }
    let file = parse_file(&mod_rs).map_err(|e| Error::Render {
        template: "models/mod.rs",
        item: "the models module".to_owned(),
        message: e.to_string(),
    })?;
    Ok(unparse(&file))
}
