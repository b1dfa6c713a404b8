//! Types of the same shape, printed once.
//!
//! Upstream defines many schemas twice with the same wire shape: inline enums such as a
//! `status` or a `cloudProvider` under several schemas, and whole objects such as the
//! policy items of the compliance policy and of the schedule. Once names are assigned,
//! types whose definitions are equal (same fields with the same JSON and Rust names, types,
//! requiredness, read-only and write-only flags; same enum values and variant names) form
//! a class. The first of a class by name is printed; every other one becomes a second name
//! for it ([`TypeDef::same_as`], printed as a renaming re-export), so its public path and
//! everything reachable through it stay.
//!
//! Equality is decided on definitions whose references are replaced by their class, and
//! repeated until nothing merges: objects whose fields name enums that merged merge next.
//! Docs are not part of the shape (the printed type keeps its own docs). A type used as a
//! request by any member of its class is one for all of them, so all get the setters.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::*;

/// Marks every type that has the same shape as another one, and an earlier name (see the
/// module docs).
pub fn dedupe(api: &mut Api) {
    // The class of each type: the index of the type printed for it.
    let mut class: Vec<usize> = (0..api.types.len()).collect();
    loop {
        let mut firsts: BTreeMap<String, usize> = BTreeMap::new();
        let mut next = class.clone();
        // In name order, so that the first of a class is the one with the smallest name.
        let mut order: Vec<usize> = (0..api.types.len()).collect();
        order.sort_by(|&a, &b| (&api.types[a].ident, a).cmp(&(&api.types[b].ident, b)));
        for i in order {
            let Some(shape) = shape(api, &class, i) else { continue };
            let first = *firsts.entry(shape).or_insert(i);
            next[i] = first;
        }
        if next == class {
            break;
        }
        class = next;
    }
    for (i, &first) in class.iter().enumerate() {
        if first != i {
            api.types[i].same_as = Some(TypeId(first));
            let usage = api.types[i].usage;
            let printed = &mut api.types[first].usage;
            printed.request |= usage.request;
            printed.response |= usage.response;
        }
    }
    // Every name of a class tells the same truth about the one type behind it.
    for i in 0..api.types.len() {
        if let Some(first) = api.types[i].same_as {
            api.types[i].usage = api.types[first.0].usage;
        }
    }
}

/// The definition of type `i` with references replaced by their class; `None` for types
/// that are never merged: the error model (the runtime names it) and `pub type` aliases.
fn shape(api: &Api, class: &[usize], i: usize) -> Option<String> {
    let t = &api.types[i];
    if api.error_model == Some(TypeId(i)) {
        return None;
    }
    let ty = |r: &TypeRef| type_shape(class, r);
    let mut out = format!("deprecated={};", t.deprecated);
    match &t.kind {
        TypeKind::Struct(s) => {
            out.push_str("struct{");
            for f in &s.fields {
                let _ = write!(
                    out,
                    "{:?}:{}:{}:{}{}{}{}{}{};",
                    f.json_name,
                    f.ident,
                    ty(&f.ty),
                    u8::from(f.required),
                    u8::from(f.nullable),
                    u8::from(f.read_only),
                    u8::from(f.write_only),
                    u8::from(f.boxed),
                    u8::from(f.deprecated),
                );
            }
            let _ = write!(out, "}}+{}", s.additional.as_ref().map(ty).unwrap_or_default());
        }
        TypeKind::Enum(e) => {
            out.push_str("enum{");
            for v in &e.variants {
                let _ = write!(out, "{:?}={};", v.value, v.ident);
            }
            let _ = write!(out, "}}{}", e.unknown_ident);
        }
        TypeKind::IntEnum(e) => {
            let _ = write!(out, "int{}{{", ty(&e.repr));
            for v in &e.variants {
                let _ = write!(out, "{}={};", v.value, v.ident);
            }
            let _ = write!(out, "}}{}", e.unknown_ident);
        }
        TypeKind::Tagged(tg) => {
            let _ = write!(out, "tagged{:?}{{", tg.property);
            for v in &tg.variants {
                let _ = write!(out, "{:?}={}:{};", v.tags, v.ident, class[v.ty.0]);
            }
            let _ = write!(out, "}}{}", tg.unknown_ident);
        }
        TypeKind::Untagged(u) => {
            out.push_str("untagged{");
            for v in &u.variants {
                let _ = write!(out, "{}:{};", v.ident, ty(&v.ty));
            }
            let _ = write!(out, "}}{}", u.other_ident);
        }
        TypeKind::Alias(_) => return None,
    }
    Some(out)
}

fn type_shape(class: &[usize], r: &TypeRef) -> String {
    match r {
        TypeRef::Named(id) => format!("#{}", class[id.0]),
        TypeRef::Vec(inner) => format!("Vec<{}>", type_shape(class, inner)),
        TypeRef::Map(inner) => format!("Map<{}>", type_shape(class, inner)),
        other => format!("{other:?}"),
    }
}
