//! Schemas: a schema used in place becomes a [`TypeRef`], and one that needs an item of its
//! own (objects, enums, `oneOf`, `allOf`) a [`TypeDef`] whose kind is built here.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, ReferenceOr, Schema, SchemaKind, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::{Lowerer, SCHEMAS};
use crate::error::{Error, pointer};
use crate::ir::*;
use crate::load::schemas::{Order, all_of, resolve};

/// The object-like parts of a schema, whether it was written as `type: object`, without a
/// type, or as the parts of an `allOf`.
#[derive(Default)]
struct ObjectParts<'s> {
    properties: IndexMap<String, (&'s ReferenceOr<Box<Schema>>, String)>,
    required: BTreeSet<String>,
    additional: Option<(&'s AdditionalProperties, String)>,
}

impl<'a> Lowerer<'a> {
    pub(super) fn schema_of(&self, id: TypeId) -> Option<&'a ReferenceOr<Schema>> {
        let name = &self.types[id.0].wanted_name;
        self.doc.components.as_ref()?.schemas.get(name)
    }

    pub(super) fn check_alias_cycles(&mut self) -> Result<(), Error> {
        for start in 0..self.types.len() {
            let mut seen = BTreeSet::new();
            let mut current = TypeId(start);
            while let TypeKind::Alias(TypeRef::Named(next)) = &self.types[current.0].kind {
                if !seen.insert(current) {
                    let at = self.types[start].pointer.clone();
                    return Err(self
                        .source
                        .error(&at, format!("cyclic $ref: {} refers back to itself through $ref only", self.types[start].wanted_name)));
                }
                current = *next;
            }
        }
        Ok(())
    }

    /// Whether a schema used in place needs an item of its own.
    pub(super) fn needs_item(schema: &Schema) -> bool {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => s.enumeration.iter().any(Option::is_some),
            SchemaKind::Type(Type::Integer(i)) => i.enumeration.iter().any(Option::is_some),
            SchemaKind::Type(Type::Object(o)) => !o.properties.is_empty(),
            SchemaKind::OneOf { .. } => true,
            SchemaKind::AllOf { all_of } => !(all_of.len() == 1 && matches!(all_of[0], ReferenceOr::Reference { .. })),
            SchemaKind::Any(any) => {
                !any.properties.is_empty()
                    || !any.all_of.is_empty()
                    || !any.one_of.is_empty()
                    || (any.typ.as_deref().is_none_or(|t| t == "string")
                        && !any.enumeration.is_empty()
                        && any.enumeration.iter().all(|v| v.is_string() || v.is_null()))
            }
            _ => false,
        }
    }

    /// The type of a schema used in place (a property, an item, a parameter, a body),
    /// inline or boxed (`openapiv3` boxes properties and items). Schemas that need an item
    /// get a new [`TypeDef`] named `hint`.
    pub(super) fn use_schema<S: Borrow<Schema>>(
        &mut self,
        schema: &'a ReferenceOr<S>,
        hint: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(self.resolve_ref(reference, at)?)),
            ReferenceOr::Item(schema) => self.use_item(<S as Borrow<Schema>>::borrow(schema), hint, owner, at),
        }
    }

    pub(super) fn use_item(&mut self, schema: &'a Schema, hint: &str, owner: &str, at: &str) -> Result<TypeRef, Error> {
        if Self::needs_item(schema) {
            let id = self.push(TypeDef {
                wanted_name: hint.to_owned(),
                ident: String::new(),
                pointer: at.to_owned(),
                owner: owner.to_owned(),
                doc: schema.schema_data.description.clone(),
                deprecated: schema.schema_data.deprecated,
                kind: TypeKind::Alias(TypeRef::Json),
                usage: Usage::default(),
                same_as: None,
            });
            let kind = self.definition(schema, hint, owner, at)?;
            self.types[id.0].kind = kind;
            return Ok(TypeRef::Named(id));
        }
        self.inline(schema, hint, owner, at)
    }

    /// Schemas that never need an item of their own.
    pub(super) fn inline(&mut self, schema: &'a Schema, hint: &str, owner: &str, at: &str) -> Result<TypeRef, Error> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Bytes,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(i)) => match i.format {
                VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                _ => TypeRef::I64,
            },
            SchemaKind::Type(Type::Number(n)) => match n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => TypeRef::Vec(Box::new(self.use_schema(items, &format!("{hint}Item"), owner, &pointer(at, "items"))?)),
                None => TypeRef::Vec(Box::new(TypeRef::Json)),
            },
            SchemaKind::Type(Type::Object(o)) => self.map_of(o.additional_properties.as_ref(), hint, owner, at)?,
            SchemaKind::AllOf { all_of } => match all_of.first() {
                Some(first) => self.use_schema(first, hint, owner, &pointer(at, "allOf/0"))?,
                None => TypeRef::Json,
            },
            SchemaKind::AnyOf { .. } => {
                self.warn("anyOf", at, "anyOf typed as serde_json::Value");
                TypeRef::Json
            }
            SchemaKind::Not { .. } => {
                self.warn("not", at, "`not` typed as serde_json::Value");
                TypeRef::Json
            }
            SchemaKind::OneOf { .. } => TypeRef::Json,
            SchemaKind::Any(any) => {
                if let Some(items) = &any.items {
                    TypeRef::Vec(Box::new(self.use_schema(items, &format!("{hint}Item"), owner, &pointer(at, "items"))?))
                } else if any.additional_properties.is_some() {
                    self.map_of(any.additional_properties.as_ref(), hint, owner, at)?
                } else if !any.any_of.is_empty() {
                    self.warn("anyOf", at, "anyOf typed as serde_json::Value");
                    TypeRef::Json
                } else {
                    match any.typ.as_deref() {
                        Some("string") => TypeRef::String,
                        Some("integer") => TypeRef::I64,
                        Some("number") => TypeRef::F64,
                        Some("boolean") => TypeRef::Bool,
                        Some("object") | None => TypeRef::Json,
                        Some(other) => {
                            self.warn("unknown-type", at, format!("unknown type {other:?} typed as serde_json::Value"));
                            TypeRef::Json
                        }
                    }
                }
            }
        })
    }

    pub(super) fn map_of(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        hint: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeRef, Error> {
        Ok(match additional {
            Some(AdditionalProperties::Schema(s)) => {
                TypeRef::Map(Box::new(self.use_schema(s, &format!("{hint}Value"), owner, &pointer(at, "additionalProperties"))?))
            }
            Some(AdditionalProperties::Any(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
            _ => TypeRef::Json,
        })
    }

    /// The kind of a named type (a component, or an inline schema that needs an item).
    pub(super) fn definition(&mut self, schema: &'a Schema, name: &str, owner: &str, at: &str) -> Result<TypeKind, Error> {
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) if s.enumeration.iter().any(Option::is_some) => {
                Ok(string_enum(s.enumeration.iter().flatten().cloned()))
            }
            SchemaKind::Type(Type::Integer(i)) if i.enumeration.iter().any(Option::is_some) => {
                let repr = match i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                    _ => TypeRef::I64,
                };
                let mut seen = BTreeSet::new();
                let variants = i
                    .enumeration
                    .iter()
                    .flatten()
                    .filter(|v| seen.insert(**v))
                    .map(|&value| IntVariant { value, ident: String::new() })
                    .collect();
                Ok(TypeKind::IntEnum(IntEnum { repr, variants, unknown_ident: String::new() }))
            }
            SchemaKind::Type(Type::Object(o)) if !o.properties.is_empty() => {
                let mut parts = ObjectParts::default();
                collect_object(&mut parts, &o.properties, &o.required, o.additional_properties.as_ref(), at);
                self.structure(parts, name, owner)
            }
            SchemaKind::OneOf { one_of } => self.one_of(schema, one_of, name, owner, at),
            SchemaKind::AllOf { .. } if Self::needs_item(schema) => {
                let mut parts = ObjectParts::default();
                self.collect_all_of(&mut parts, schema, at)?;
                self.structure(parts, name, owner)
            }
            SchemaKind::Any(any) if Self::needs_item(schema) => {
                if !any.one_of.is_empty() && any.properties.is_empty() {
                    return self.one_of(schema, &any.one_of, name, owner, at);
                }
                if any.properties.is_empty() && any.all_of.is_empty() {
                    let values = any.enumeration.iter().filter_map(|v| v.as_str().map(str::to_owned));
                    return Ok(string_enum(values));
                }
                let mut parts = ObjectParts::default();
                self.collect_all_of(&mut parts, schema, at)?;
                if !any.one_of.is_empty() {
                    self.warn("oneOf-with-properties", at, "oneOf next to properties: only the properties are mapped");
                }
                collect_object(&mut parts, &any.properties, &any.required, any.additional_properties.as_ref(), at);
                self.structure(parts, name, owner)
            }
            _ => Ok(TypeKind::Alias(self.inline(schema, name, owner, at)?)),
        }
    }

    /// The object parts of the `allOf` of `schema` (at `at`), each part's own `allOf`
    /// collected before its own properties: a property that several parts declare is typed
    /// by the last one and keeps the place of the first.
    fn collect_all_of(&mut self, parts: &mut ObjectParts<'a>, schema: &'a Schema, at: &str) -> Result<(), Error> {
        // The schema is not named as a root: for a component, merging itself again is found
        // one part deeper, at that part's `$ref`, which is where the error has always pointed.
        let walked = all_of(self.doc, schema, at, None, Order::PartsFirst).map_err(|b| self.broken(b))?;
        for part in walked {
            match &part.schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    collect_object(parts, &o.properties, &o.required, o.additional_properties.as_ref(), &part.at)
                }
                // Its parts are in the walk, before it.
                SchemaKind::AllOf { .. } => {}
                SchemaKind::Any(any) => collect_object(parts, &any.properties, &any.required, any.additional_properties.as_ref(), &part.at),
                _ => self.warn(
                    "allOf-part",
                    &part.listed_at,
                    "allOf part that is not an object: its constraints are not merged into the struct",
                ),
            }
        }
        Ok(())
    }

    /// Follows component aliases (`X: {$ref: Y}`) to a schema body.
    pub(super) fn resolve_schema(&self, id: TypeId) -> Option<&'a Schema> {
        let schema = self.schema_of(id)?;
        resolve(self.doc, schema.into(), &self.types[id.0].pointer).ok().map(|found| found.schema)
    }

    fn structure(&mut self, parts: ObjectParts<'a>, name: &str, owner: &str) -> Result<TypeKind, Error> {
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (json_name, (schema, prop_at)) in &parts.properties {
            let hint = format!("{name}{}", json_name.to_upper_camel_case());
            let ty = self.use_schema(schema, &hint, owner, prop_at)?;
            let data = match schema {
                ReferenceOr::Item(s) => Some(&s.schema_data),
                ReferenceOr::Reference { .. } => None,
            };
            // `readOnly`/`writeOnly` on the schema a property refers to (`created: {$ref:
            // ApiBSONTimestamp}` with ApiBSONTimestamp read-only) make the property so too;
            // its description and nullability stay the property's own business.
            let target = match schema {
                ReferenceOr::Reference { reference } => {
                    self.resolve_ref(reference, prop_at).ok().and_then(|id| self.resolve_schema(id)).map(|s| &s.schema_data)
                }
                ReferenceOr::Item(_) => None,
            };
            fields.push(Field {
                json_name: json_name.clone(),
                ident: String::new(),
                setter_ident: String::new(),
                ty,
                required: parts.required.contains(json_name),
                nullable: data.is_some_and(|d| d.nullable),
                read_only: data.or(target).is_some_and(|d| d.read_only),
                write_only: data.or(target).is_some_and(|d| d.write_only),
                boxed: false,
                doc: data.and_then(|d| d.description.clone()),
                deprecated: data.is_some_and(|d| d.deprecated),
                pointer: prop_at.clone(),
            });
        }
        let additional = match parts.additional {
            Some((AdditionalProperties::Schema(s), ap_at)) => Some(self.use_schema(s, &format!("{name}Value"), owner, &ap_at)?),
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            _ => None,
        };
        Ok(TypeKind::Struct(Struct { fields, additional }))
    }

    pub(super) fn one_of(
        &mut self,
        schema: &'a Schema,
        one_of: &'a [ReferenceOr<Schema>],
        name: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeKind, Error> {
        let Some(disc) = &schema.schema_data.discriminator else {
            // A oneOf of string enums (Atlas's event types) is one open enum of all values.
            if let Some(values) = self.string_enum_values(one_of) {
                return Ok(string_enum(values.into_iter()));
            }
            let mut variants = Vec::new();
            for (i, v) in one_of.iter().enumerate() {
                let v_at = pointer(&pointer(at, "oneOf"), &i.to_string());
                let ty = self.use_schema(v, &format!("{name}Variant{i}"), owner, &v_at)?;
                let wanted_name = match &ty {
                    TypeRef::Named(id) => self.types[id.0].wanted_name.clone(),
                    other => format!("{other:?}"),
                };
                variants.push(UntaggedVariant { wanted_name, ident: String::new(), ty });
            }
            return Ok(TypeKind::Untagged(Untagged { variants, other_ident: String::new() }));
        };
        let mut variants: Vec<TaggedVariant> = Vec::new();
        let mut mapped: BTreeMap<TypeId, Vec<String>> = BTreeMap::new();
        for (tag, target) in &disc.mapping {
            let map_at = pointer(&pointer(&pointer(at, "discriminator"), "mapping"), tag);
            let id = match target.strip_prefix(SCHEMAS) {
                Some(_) => self.resolve_ref(target, &map_at)?,
                // A bare schema name is allowed as a mapping value.
                None => match self.components.get(target.as_str()) {
                    Some(id) => *id,
                    None => {
                        return Err(self.source.error(
                            &map_at,
                            format!("discriminator mapping names {target:?}, which is not a schema under #/components/schemas"),
                        ));
                    }
                },
            };
            mapped.entry(id).or_default().push(tag.clone());
        }
        for (i, v) in one_of.iter().enumerate() {
            let v_at = pointer(&pointer(at, "oneOf"), &i.to_string());
            let ty = self.use_schema(v, &format!("{name}Variant{i}"), owner, &v_at)?;
            let Some(id) = ty.named().filter(|_| matches!(ty, TypeRef::Named(_))) else {
                self.warn("oneOf-variant", &v_at, "oneOf variant that is not an object cannot carry a discriminator; skipped");
                continue;
            };
            let tags = mapped.remove(&id).unwrap_or_else(|| vec![self.types[id.0].wanted_name.clone()]);
            variants.push(TaggedVariant { tags, ty: id, ident: String::new() });
        }
        // Mapping entries that the oneOf does not list are still valid answers.
        for (id, tags) in mapped {
            variants.push(TaggedVariant { tags, ty: id, ident: String::new() });
        }
        Ok(TypeKind::Tagged(Tagged { property: disc.property_name.clone(), variants, unknown_ident: String::new() }))
    }

    /// The values of a list of schemas that are all string enums.
    pub(super) fn string_enum_values(&self, schemas: &'a [ReferenceOr<Schema>]) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for s in schemas {
            let schema = resolve(self.doc, s.into(), "").ok()?.schema;
            match &schema.schema_kind {
                SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
                    values.extend(st.enumeration.iter().flatten().cloned());
                }
                _ => return None,
            }
        }
        (!values.is_empty()).then_some(values)
    }
}

fn collect_object<'s>(
    parts: &mut ObjectParts<'s>,
    properties: &'s IndexMap<String, ReferenceOr<Box<Schema>>>,
    required: &[String],
    additional: Option<&'s AdditionalProperties>,
    at: &str,
) {
    for (name, schema) in properties {
        let prop_at = pointer(&pointer(at, "properties"), name);
        parts.properties.insert(name.clone(), (schema, prop_at));
    }
    parts.required.extend(required.iter().cloned());
    if let Some(ap) = additional {
        parts.additional = Some((ap, pointer(at, "additionalProperties")));
    }
}

fn string_enum(values: impl Iterator<Item = String>) -> TypeKind {
    let mut seen = BTreeSet::new();
    let variants = values.filter(|v| seen.insert(v.clone())).map(|value| EnumVariant { value, ident: String::new() }).collect();
    TypeKind::Enum(StringEnum { variants, unknown_ident: String::new() })
}

#[cfg(test)]
mod tests {
    use super::super::test_spec::{err, ok, ty};
    use super::*;

    fn fields(api: &Api, name: &str) -> Vec<(String, bool)> {
        match &ty(api, name).kind {
            TypeKind::Struct(s) => s.fields.iter().map(|f| (f.json_name.clone(), f.required)).collect(),
            other => panic!("{name} is not a struct: {other:?}"),
        }
    }

    #[test]
    fn an_inline_enum_property_gets_a_type_named_after_its_place() {
        let api = ok(
            "paths: {}\ncomponents:\n  schemas:\n    Job:\n      type: object\n      required: [state]\n      properties:\n        state:\n          type: string\n          enum: [a, b, a]\n        tags:\n          type: array\n          items:\n            type: string\n",
        );
        assert_eq!(fields(&api, "Job"), vec![("state".to_owned(), true), ("tags".to_owned(), false)]);
        let state = ty(&api, "JobState");
        assert_eq!(state.owner, "Job");
        assert_eq!(state.pointer, "#/components/schemas/Job/properties/state");
        match &state.kind {
            TypeKind::Enum(e) => assert_eq!(e.variants.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), ["a", "b"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn all_of_merges_the_properties_of_its_parts() {
        let api = ok(
            "paths: {}\ncomponents:\n  schemas:\n    Base:\n      type: object\n      required: [id]\n      properties:\n        id: {type: string}\n    Full:\n      allOf:\n        - $ref: '#/components/schemas/Base'\n        - type: object\n          properties:\n            size: {type: integer, format: int32}\n",
        );
        assert_eq!(fields(&api, "Full"), vec![("id".to_owned(), true), ("size".to_owned(), false)]);
    }

    #[test]
    fn a_one_of_of_string_enums_is_one_enum() {
        let api = ok(
            "paths: {}\ncomponents:\n  schemas:\n    A: {type: string, enum: [x, y]}\n    B: {type: string, enum: [y, z]}\n    Event:\n      oneOf:\n        - $ref: '#/components/schemas/A'\n        - $ref: '#/components/schemas/B'\n",
        );
        match &ty(&api, "Event").kind {
            TypeKind::Enum(e) => assert_eq!(e.variants.iter().map(|v| v.value.as_str()).collect::<Vec<_>>(), ["x", "y", "z"]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn scalars_map_to_their_types() {
        let api = ok(
            "paths: {}\ncomponents:\n  schemas:\n    S:\n      type: object\n      properties:\n        a: {type: string, format: date-time}\n        b: {type: string, format: binary}\n        c: {type: integer}\n        d: {type: number, format: float}\n        e: {type: object, additionalProperties: {type: boolean}}\n",
        );
        let TypeKind::Struct(s) = &ty(&api, "S").kind else { panic!("struct") };
        let types: Vec<&TypeRef> = s.fields.iter().map(|f| &f.ty).collect();
        assert_eq!(types, [&TypeRef::DateTime, &TypeRef::Bytes, &TypeRef::I64, &TypeRef::F32, &TypeRef::Map(Box::new(TypeRef::Bool))]);
    }

    #[test]
    fn a_ref_only_cycle_is_refused() {
        let message = err(
            "paths: {}\ncomponents:\n  schemas:\n    A:\n      $ref: '#/components/schemas/B'\n    B:\n      $ref: '#/components/schemas/A'\n",
        );
        assert!(message.contains("cyclic $ref"), "{message}");
    }
}
