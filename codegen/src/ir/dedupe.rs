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

use std::collections::HashMap;
use std::fmt::Write as _;

use super::*;

/// Marks every type that has the same shape as another one, and an earlier name (see the
/// module docs).
pub fn dedupe(api: &mut Api) {
    dedupe_types(&mut api.types, api.error_model);
}

/// [`dedupe`] of `types` alone (`error_model` is never merged): what it reads and writes of
/// the IR, so that it can run beside the naming of the operations.
pub fn dedupe_types(types: &mut [TypeDef], error_model: Option<TypeId>) {
    // Each definition is written once, with a hole for each class it names: only the
    // classes change from one round to the next.
    let shapes: Vec<Option<Shape>> = (0..types.len()).map(|i| shape(types, error_model, i)).collect();
    // In name order, so that the first of a class is the one with the smallest name.
    let mut order: Vec<usize> = (0..types.len()).collect();
    order.sort_by(|&a, &b| (&types[a].ident, a).cmp(&(&types[b].ident, b)));
    // The class of each type: the index of the type printed for it.
    let mut class: Vec<usize> = (0..types.len()).collect();
    loop {
        let mut firsts: HashMap<String, usize> = HashMap::with_capacity(types.len());
        let mut next = class.clone();
        for &i in &order {
            let Some(shape) = &shapes[i] else { continue };
            let first = *firsts.entry(shape.with(&class)).or_insert(i);
            next[i] = first;
        }
        if next == class {
            break;
        }
        class = next;
    }
    for (i, &first) in class.iter().enumerate() {
        if first != i {
            types[i].same_as = Some(TypeId(first));
            let usage = types[i].usage;
            let printed = &mut types[first].usage;
            printed.request |= usage.request;
            printed.response |= usage.response;
        }
    }
    // Every name of a class tells the same truth about the one type behind it.
    for i in 0..types.len() {
        if let Some(first) = types[i].same_as {
            types[i].usage = types[first.0].usage;
        }
    }
}

/// A type's definition as text, but for the classes of the types it names: each is a hole
/// (where in `text`, which type), filled with that type's class by [`Shape::with`].
#[derive(Default)]
struct Shape {
    text: String,
    holes: Vec<(usize, usize)>,
}

impl Shape {
    /// The definition with every hole filled from `class`.
    fn with(&self, class: &[usize]) -> String {
        let mut out = String::with_capacity(self.text.len() + 6 * self.holes.len());
        let mut at = 0;
        for &(hole, ty) in &self.holes {
            out.push_str(&self.text[at..hole]);
            let _ = write!(out, "{}", class[ty]);
            at = hole;
        }
        out.push_str(&self.text[at..]);
        out
    }

    /// `value` as `{:?}` writes it, without the formatting machinery for the strings that
    /// need no escape (nearly all; writing shapes was most of `dedupe`).
    fn quoted(&mut self, value: &str) {
        if value.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
            self.text.push('"');
            self.text.push_str(value);
            self.text.push('"');
        } else {
            let _ = write!(self.text, "{value:?}");
        }
    }

    /// A hole for the class of type `ty`.
    fn class_of(&mut self, ty: usize) {
        self.holes.push((self.text.len(), ty));
    }

    /// A reference, with the class of the type it names.
    fn type_ref(&mut self, r: &TypeRef) {
        match r {
            TypeRef::Named(id) => {
                self.text.push('#');
                self.class_of(id.0);
            }
            TypeRef::Vec(inner) => {
                self.text.push_str("Vec<");
                self.type_ref(inner);
                self.text.push('>');
            }
            TypeRef::Map(inner) => {
                self.text.push_str("Map<");
                self.type_ref(inner);
                self.text.push('>');
            }
            other => {
                let _ = write!(self.text, "{other:?}");
            }
        }
    }
}

/// The definition of type `i` with references left to their class; `None` for types that
/// are never merged: the error model (the runtime names it) and `pub type` aliases.
fn shape(types: &[TypeDef], error_model: Option<TypeId>, i: usize) -> Option<Shape> {
    let t = &types[i];
    if error_model == Some(TypeId(i)) {
        return None;
    }
    let mut out = Shape::default();
    let _ = write!(out.text, "deprecated={};", t.deprecated);
    match &t.kind {
        TypeKind::Struct(s) => {
            out.text.push_str("struct{");
            for f in &s.fields {
                out.quoted(&f.json_name);
                out.text.push(':');
                out.text.push_str(&f.ident);
                out.text.push(':');
                out.type_ref(&f.ty);
                out.text.push(':');
                for flag in [f.required, f.nullable, f.read_only, f.write_only, f.boxed, f.deprecated] {
                    out.text.push(if flag { '1' } else { '0' });
                }
                out.text.push(';');
            }
            out.text.push_str("}+");
            if let Some(additional) = &s.additional {
                out.type_ref(additional);
            }
        }
        TypeKind::Enum(e) => {
            out.text.push_str("enum{");
            for v in &e.variants {
                out.quoted(&v.value);
                out.text.push('=');
                out.text.push_str(&v.ident);
                out.text.push(';');
            }
            let _ = write!(out.text, "}}{}", e.unknown_ident);
        }
        TypeKind::IntEnum(e) => {
            out.text.push_str("int");
            out.type_ref(&e.repr);
            out.text.push('{');
            for v in &e.variants {
                let _ = write!(out.text, "{}={};", v.value, v.ident);
            }
            let _ = write!(out.text, "}}{}", e.unknown_ident);
        }
        TypeKind::Tagged(tg) => {
            let _ = write!(out.text, "tagged{:?}{{", tg.property);
            for v in &tg.variants {
                let _ = write!(out.text, "{:?}={}:", v.tags, v.ident);
                out.class_of(v.ty.0);
                out.text.push(';');
            }
            let _ = write!(out.text, "}}{}", tg.unknown_ident);
        }
        TypeKind::Untagged(u) => {
            out.text.push_str("untagged{");
            for v in &u.variants {
                let _ = write!(out.text, "{}:", v.ident);
                out.type_ref(&v.ty);
                out.text.push(';');
            }
            let _ = write!(out.text, "}}{}", u.other_ident);
        }
        TypeKind::Alias(_) => return None,
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The definition of type `i` written out with the classes of `class` in one go (as
    /// `dedupe` wrote it before it kept the text between rounds).
    fn written_out(types: &[TypeDef], class: &[usize], i: usize) -> String {
        fn type_shape(class: &[usize], r: &TypeRef) -> String {
            match r {
                TypeRef::Named(id) => format!("#{}", class[id.0]),
                TypeRef::Vec(inner) => format!("Vec<{}>", type_shape(class, inner)),
                TypeRef::Map(inner) => format!("Map<{}>", type_shape(class, inner)),
                other => format!("{other:?}"),
            }
        }
        let t = &types[i];
        let ty = |r: &TypeRef| type_shape(class, r);
        let mut out = format!("deprecated={};", t.deprecated);
        match &t.kind {
            TypeKind::Struct(s) => {
                out.push_str("struct{");
                for f in &s.fields {
                    let flags = [f.required, f.nullable, f.read_only, f.write_only, f.boxed, f.deprecated].map(u8::from);
                    let flags: String = flags.iter().map(u8::to_string).collect();
                    let _ = write!(out, "{:?}:{}:{}:{flags};", f.json_name, f.ident, ty(&f.ty));
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
            TypeKind::Alias(_) => unreachable!("aliases have no shape"),
        }
        out
    }

    /// Strings are quoted as `{:?}` quotes them, escapes and all.
    #[test]
    fn quoted_is_debug() {
        for value in [
            "",
            "groupId",
            "a b",
            "~!#$%&'()*+,-./:;<=>?@[]^_`{|}",
            "say \"hi\"",
            "back\\slash",
            "tab\t",
            "new\nline",
            "\u{7f}",
            "é",
            "日本",
            "\u{200b}",
        ] {
            let mut shape = Shape::default();
            shape.quoted(value);
            assert_eq!(shape.text, format!("{value:?}"), "{value}");
        }
    }

    /// A shape filled with any classes is the definition written out with them.
    #[test]
    fn shapes_filled_are_definitions_written_out() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for spec in
            ["tests/fixtures/same_shape.yaml", "tests/fixtures/one_of.yaml", "tests/fixtures/enums.yaml", "../spec/atlas-backup.yaml"]
        {
            let loaded = crate::load::load(&dir.join(spec)).expect("the spec loads");
            // Unnamed (identifiers are `names`' and empty here): the text around them is what
            // is under test.
            let api = crate::ir::lower(&loaded).expect("the spec lowers");
            let n = api.types.len();
            let mut shaped = 0;
            for class in [(0..n).collect::<Vec<_>>(), (0..n).map(|i| n - 1 - i).collect(), (0..n).map(|i| i % 3 * 1000).collect()] {
                for i in 0..n {
                    if let Some(shape) = shape(&api.types, api.error_model, i) {
                        assert_eq!(shape.with(&class), written_out(&api.types, &class, i), "{spec}: {}", api.types[i].pointer);
                        shaped += 1;
                    }
                }
            }
            assert!(shaped > 0, "{spec} has no type with a shape");
        }
    }
}
