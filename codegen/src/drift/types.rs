//! The Rust types the generator gives a document's schemas, found by the spec pointer the
//! drift walk stands at. The document is lowered by [`crate::ir::lower`] (the generator's
//! one walk of `$ref`s and `allOf`, and its one type mapping) and named by
//! [`crate::names`]; the text of a type is [`crate::render::rust_type`]'s. Drift keeps its
//! own spec-level pointers; which Rust type sits there is decided here only by the IR.

use std::collections::HashMap;

use crate::error::{Error, pointer};
use crate::ir::{Api, ParamLocation, ResponseKind, TypeKind, TypeRef, WAITERS_EXTENSION};
use crate::load::Loaded;

/// The types of one document, by spec pointer.
pub(crate) struct Types {
    api: Api,
    by_pointer: HashMap<String, TypeRef>,
    /// `(operation pointer, name, location)` of each parameter.
    params: HashMap<(String, String, &'static str), TypeRef>,
}

impl Types {
    /// Lowers `loaded`. Waiter tables are left out: drift reports what they say about a
    /// change itself (a table generation would refuse must not stop the report).
    pub(crate) fn of(loaded: &Loaded) -> Result<Types, Error> {
        let has_waiters = loaded.doc.operations().any(|(_, _, op)| op.extensions.contains_key(WAITERS_EXTENSION));
        let stripped;
        let loaded = if has_waiters {
            let mut copy = loaded.clone();
            for item in copy.doc.paths.paths.values_mut() {
                if let openapiv3::ReferenceOr::Item(item) = item {
                    for op in [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten() {
                        op.extensions.shift_remove(WAITERS_EXTENSION);
                    }
                }
            }
            stripped = copy;
            &stripped
        } else {
            loaded
        };
        // Lowering recurses as deep as the schemas nest: a main thread's stack, as in
        // `generate`.
        let api = std::thread::scope(|s| {
            let thread = std::thread::Builder::new().name("atlas-drift-ir".to_owned()).stack_size(8 << 20);
            match thread.spawn_scoped(s, || crate::ir::lower(loaded)) {
                Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => crate::ir::lower(loaded),
            }
        })?;
        Types::index(api)
    }

    fn index(mut api: Api) -> Result<Types, Error> {
        crate::names::assign(&mut api)?;
        let mut by_pointer = HashMap::new();
        fn put(map: &mut HashMap<String, TypeRef>, at: &str, ty: &TypeRef) {
            map.entry(at.to_owned()).or_insert_with(|| ty.clone());
            match ty {
                TypeRef::Vec(inner) => put(map, &pointer(at, "items"), inner),
                TypeRef::Map(inner) => put(map, &pointer(at, "additionalProperties"), inner),
                _ => {}
            }
        }
        for (i, t) in api.types.iter().enumerate() {
            match &t.kind {
                TypeKind::Alias(ty) => put(&mut by_pointer, &t.pointer, ty),
                _ => put(&mut by_pointer, &t.pointer, &TypeRef::Named(crate::ir::TypeId(i))),
            }
            if let TypeKind::Struct(s) = &t.kind {
                for f in &s.fields {
                    put(&mut by_pointer, &f.pointer, &f.ty);
                }
                if let Some(a) = &s.additional {
                    put(&mut by_pointer, &pointer(&t.pointer, "additionalProperties"), a);
                }
            }
        }
        let mut params = HashMap::new();
        for op in &api.operations {
            for p in &op.params {
                let location = match p.location {
                    ParamLocation::Path => "path",
                    ParamLocation::Query => "query",
                    ParamLocation::Header => "header",
                };
                params.insert((op.pointer.clone(), p.name.clone(), location), p.ty.clone());
            }
            let content = |at: &str, mt: &str| pointer(&pointer(&pointer(at, "content"), mt), "schema");
            if let Some(b) = &op.body {
                put(&mut by_pointer, &content(&pointer(&op.pointer, "requestBody"), &b.media_type), &b.ty);
            }
            let responses = pointer(&pointer(&op.pointer, "responses"), &op.success_status.to_string());
            for v in &op.versions {
                if let ResponseKind::Json(ty) = &v.response {
                    put(&mut by_pointer, &content(&responses, &v.media_type), ty);
                }
            }
        }
        Ok(Types { api, by_pointer, params })
    }

    /// The type of the schema at `at` (a component, a property, an item, a body).
    pub(crate) fn at(&self, at: &str) -> Option<&TypeRef> {
        self.by_pointer.get(at)
    }

    /// The type of the parameter `name` in `location` of the operation at `op`.
    pub(crate) fn param(&self, op: &str, name: &str, location: &'static str) -> Option<&TypeRef> {
        self.params.get(&(op.to_owned(), name.to_owned(), location))
    }

    /// The Rust type a user writes for `ty`: named aliases are followed to what they stand
    /// for (a `pub type` of it).
    pub(crate) fn rust(&self, ty: &TypeRef) -> String {
        crate::render::rust_type(&self.api, self.resolve(ty), "models")
    }
}

impl Types {
    /// The values of the string enum at `path` (JSON names, outermost first) in the answer
    /// of the operation at `op`, with the field's pointer; `None` when the field is not an
    /// enum there.
    pub(crate) fn answer_enum(&self, op: &str, path: &[&str]) -> Option<(Vec<String>, String)> {
        let op = self.api.operations.iter().find(|o| o.pointer == op)?;
        let ResponseKind::Json(answer) = &op.response else { return None };
        let mut ty: &TypeRef = answer;
        let mut at = String::new();
        for name in path {
            let TypeRef::Named(id) = self.resolve(ty) else { return None };
            let TypeKind::Struct(s) = &self.api.ty(*id).kind else { return None };
            let f = s.fields.iter().find(|f| f.json_name == *name)?;
            ty = &f.ty;
            at = f.pointer.clone();
        }
        match self.resolve(ty) {
            TypeRef::Named(id) => match &self.api.ty(*id).kind {
                TypeKind::Enum(e) => Some((e.variants.iter().map(|v| v.value.clone()).collect(), at)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Follows named aliases to what they stand for.
    fn resolve<'t>(&'t self, mut ty: &'t TypeRef) -> &'t TypeRef {
        for _ in 0..self.api.types.len() {
            match ty {
                TypeRef::Named(id) => match &self.api.ty(*id).kind {
                    TypeKind::Alias(inner) => ty = inner,
                    _ => break,
                },
                _ => break,
            }
        }
        ty
    }
}
