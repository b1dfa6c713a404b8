//! From `openapiv3::OpenAPI` to [`Api`]: resolves `$ref`s, turns inline schemas that need an
//! item of their own into [`TypeDef`]s, and checks what the parser cannot (dangling or
//! cyclic `$ref`s, duplicate operationIds, path templates against path parameters).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use heck::ToUpperCamelCase;
use indexmap::IndexMap;
use openapiv3::{
    AdditionalProperties, IntegerFormat, NumberFormat, OpenAPI, Parameter, ParameterSchemaOrContent,
    ReferenceOr, Schema, SchemaKind, StatusCode, StringFormat, Type, VariantOrUnknownOrEmpty,
};

use super::*;
use crate::error::{Error, Warning, pointer};
use crate::load::{Loaded, Source};

const SCHEMAS: &str = "#/components/schemas/";

/// Builds the IR of a parsed document.
pub fn lower(loaded: &Loaded) -> Result<Api, Error> {
    let doc = &loaded.doc;
    let mut cx = Lowerer {
        doc,
        source: &loaded.source,
        types: Vec::new(),
        components: HashMap::new(),
        warnings: Vec::new(),
        patterns: HashMap::new(),
    };
    let schemas = doc.components.as_ref().map(|c| &c.schemas);
    // Register every component first so that references can be resolved in any order.
    if let Some(schemas) = schemas {
        for (name, _) in schemas {
            let id = cx.push(TypeDef {
                wanted_name: name.clone(),
                ident: String::new(),
                pointer: pointer("#/components/schemas", name),
                owner: name.clone(),
                doc: None,
                deprecated: false,
                kind: TypeKind::Alias(TypeRef::Json),
                usage: Usage::default(),
                same_as: None,
            });
            cx.components.insert(name.clone(), id);
        }
        for (name, schema) in schemas {
            let at = pointer("#/components/schemas", name);
            let id = cx.components[name];
            let (kind, doc, deprecated) = match schema {
                ReferenceOr::Reference { reference } => {
                    let target = cx.resolve_ref(reference, &at)?;
                    (TypeKind::Alias(TypeRef::Named(target)), None, false)
                }
                ReferenceOr::Item(schema) => (
                    cx.definition(schema, name, name, &at)?,
                    schema.schema_data.description.clone(),
                    schema.schema_data.deprecated,
                ),
            };
            let def = &mut cx.types[id.0];
            def.kind = kind;
            def.doc = doc;
            def.deprecated = deprecated;
        }
        cx.check_alias_cycles()?;
    }
    let operations = cx.operations()?;
    let error_model = cx.error_model();
    let security = security_schemes(doc);
    let mut api = Api {
        title: doc.info.title.clone(),
        description: doc.info.description.clone(),
        version: doc.info.version.clone(),
        default_server: doc.servers.first().map(|s| s.url.clone()),
        types: cx.types,
        operations,
        error_model,
        security,
        waiters: Vec::new(),
        wait_links: Vec::new(),
        warnings: cx.warnings,
    };
    views::split_request_response(&mut api);
    views::box_cycles(&mut api);
    api.waiters = waiters::lower(loaded, &api)?;
    api.warnings.sort();
    api.warnings.dedup();
    Ok(api)
}

struct Lowerer<'a> {
    doc: &'a OpenAPI,
    source: &'a Source,
    types: Vec<TypeDef>,
    components: HashMap<String, TypeId>,
    warnings: Vec<Warning>,
    /// Whether the regex crate takes a pattern, by pattern: a published spec repeats a few
    /// dozen patterns over hundreds of parameters, and compiling one is most of lowering an
    /// operation.
    patterns: HashMap<String, bool>,
}

/// The object-like parts of a schema, whether it was written as `type: object`, without a
/// type, or as the parts of an `allOf`.
#[derive(Default)]
struct ObjectParts<'s> {
    properties: IndexMap<String, (&'s ReferenceOr<Box<Schema>>, String)>,
    required: BTreeSet<String>,
    additional: Option<(&'s AdditionalProperties, String)>,
}

impl<'a> Lowerer<'a> {
    fn push(&mut self, def: TypeDef) -> TypeId {
        self.types.push(def);
        TypeId(self.types.len() - 1)
    }

    fn pattern_supported(&mut self, pattern: &str) -> bool {
        if let Some(&ok) = self.patterns.get(pattern) {
            return ok;
        }
        let ok = regex::Regex::new(pattern).is_ok();
        self.patterns.insert(pattern.to_owned(), ok);
        ok
    }

    fn warn(&mut self, kind: &'static str, at: &str, message: impl Into<String>) {
        self.warnings.push(Warning {
            kind,
            pointer: at.to_owned(),
            message: message.into(),
        });
    }

    fn resolve_ref(&self, reference: &str, at: &str) -> Result<TypeId, Error> {
        let at_ref = pointer(at, "$ref");
        if let Some(name) = reference.strip_prefix(SCHEMAS) {
            let name = name.replace("~1", "/").replace("~0", "~");
            return self.components.get(&name).copied().ok_or_else(|| {
                self.source.error(
                    &at_ref,
                    format!("dangling $ref {reference:?}: there is no schema named {name:?} under #/components/schemas"),
                )
            });
        }
        Err(self.source.error(&at_ref, ref_problem(reference, "#/components/schemas/NAME")))
    }

    fn schema_of(&self, id: TypeId) -> Option<&'a ReferenceOr<Schema>> {
        let name = &self.types[id.0].wanted_name;
        self.doc.components.as_ref()?.schemas.get(name)
    }

    fn check_alias_cycles(&mut self) -> Result<(), Error> {
        for start in 0..self.types.len() {
            let mut seen = BTreeSet::new();
            let mut current = TypeId(start);
            while let TypeKind::Alias(TypeRef::Named(next)) = &self.types[current.0].kind {
                if !seen.insert(current) {
                    let at = self.types[start].pointer.clone();
                    return Err(self.source.error(
                        &at,
                        format!(
                            "cyclic $ref: {} refers back to itself through $ref only",
                            self.types[start].wanted_name
                        ),
                    ));
                }
                current = *next;
            }
        }
        Ok(())
    }

    /// Whether a schema used in place needs an item of its own.
    fn needs_item(schema: &Schema) -> bool {
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

    /// The type of a schema used in place (a property, an item, a parameter, a body).
    /// Schemas that need an item get a new [`TypeDef`] named `hint`.
    fn use_schema(
        &mut self,
        schema: &'a ReferenceOr<Schema>,
        hint: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(self.resolve_ref(reference, at)?)),
            ReferenceOr::Item(schema) => self.use_item(schema, hint, owner, at),
        }
    }

    fn use_boxed(
        &mut self,
        schema: &'a ReferenceOr<Box<Schema>>,
        hint: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeRef, Error> {
        match schema {
            ReferenceOr::Reference { reference } => Ok(TypeRef::Named(self.resolve_ref(reference, at)?)),
            ReferenceOr::Item(schema) => self.use_item(schema, hint, owner, at),
        }
    }

    fn use_item(&mut self, schema: &'a Schema, hint: &str, owner: &str, at: &str) -> Result<TypeRef, Error> {
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
    fn inline(&mut self, schema: &'a Schema, hint: &str, owner: &str, at: &str) -> Result<TypeRef, Error> {
        Ok(match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => match &s.format {
                VariantOrUnknownOrEmpty::Item(StringFormat::DateTime) => TypeRef::DateTime,
                VariantOrUnknownOrEmpty::Item(StringFormat::Date) => TypeRef::Date,
                VariantOrUnknownOrEmpty::Item(StringFormat::Binary) => TypeRef::Bytes,
                _ => TypeRef::String,
            },
            SchemaKind::Type(Type::Integer(i)) => {
                match i.format {
                    VariantOrUnknownOrEmpty::Item(IntegerFormat::Int32) => TypeRef::I32,
                    _ => TypeRef::I64,
                }
            }
            SchemaKind::Type(Type::Number(n)) => match n.format {
                VariantOrUnknownOrEmpty::Item(NumberFormat::Float) => TypeRef::F32,
                _ => TypeRef::F64,
            },
            SchemaKind::Type(Type::Boolean(_)) => TypeRef::Bool,
            SchemaKind::Type(Type::Array(a)) => match &a.items {
                Some(items) => TypeRef::Vec(Box::new(self.use_boxed(
                    items,
                    &format!("{hint}Item"),
                    owner,
                    &pointer(at, "items"),
                )?)),
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
                    TypeRef::Vec(Box::new(self.use_boxed(items, &format!("{hint}Item"), owner, &pointer(at, "items"))?))
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

    fn map_of(
        &mut self,
        additional: Option<&'a AdditionalProperties>,
        hint: &str,
        owner: &str,
        at: &str,
    ) -> Result<TypeRef, Error> {
        Ok(match additional {
            Some(AdditionalProperties::Schema(s)) => TypeRef::Map(Box::new(self.use_schema(
                s,
                &format!("{hint}Value"),
                owner,
                &pointer(at, "additionalProperties"),
            )?)),
            Some(AdditionalProperties::Any(true)) => TypeRef::Map(Box::new(TypeRef::Json)),
            _ => TypeRef::Json,
        })
    }

    /// The kind of a named type (a component, or an inline schema that needs an item).
    fn definition(&mut self, schema: &'a Schema, name: &str, owner: &str, at: &str) -> Result<TypeKind, Error> {
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
            SchemaKind::AllOf { all_of } if Self::needs_item(schema) => {
                let mut parts = ObjectParts::default();
                self.collect_all_of(&mut parts, all_of, at, &mut BTreeSet::new())?;
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
                if !any.all_of.is_empty() {
                    self.collect_all_of(&mut parts, &any.all_of, at, &mut BTreeSet::new())?;
                }
                if !any.one_of.is_empty() {
                    self.warn("oneOf-with-properties", at, "oneOf next to properties: only the properties are mapped");
                }
                collect_object(&mut parts, &any.properties, &any.required, any.additional_properties.as_ref(), at);
                self.structure(parts, name, owner)
            }
            _ => Ok(TypeKind::Alias(self.inline(schema, name, owner, at)?)),
        }
    }

    fn collect_all_of(
        &mut self,
        parts: &mut ObjectParts<'a>,
        all_of: &'a [ReferenceOr<Schema>],
        at: &str,
        seen: &mut BTreeSet<TypeId>,
    ) -> Result<(), Error> {
        for (i, part) in all_of.iter().enumerate() {
            let part_at = pointer(&pointer(at, "allOf"), &i.to_string());
            let (schema, schema_at) = match part {
                ReferenceOr::Reference { reference } => {
                    let id = self.resolve_ref(reference, &part_at)?;
                    if !seen.insert(id) {
                        return Err(self.source.error(&pointer(&part_at, "$ref"), format!("cyclic allOf through {reference:?}")));
                    }
                    match self.resolve_schema(id) {
                        Some(s) => (s, self.types[id.0].pointer.clone()),
                        None => continue,
                    }
                }
                ReferenceOr::Item(s) => (s, part_at.clone()),
            };
            match &schema.schema_kind {
                SchemaKind::Type(Type::Object(o)) => {
                    collect_object(parts, &o.properties, &o.required, o.additional_properties.as_ref(), &schema_at)
                }
                SchemaKind::AllOf { all_of } => self.collect_all_of(parts, all_of, &schema_at, seen)?,
                SchemaKind::Any(any) => {
                    if !any.all_of.is_empty() {
                        self.collect_all_of(parts, &any.all_of, &schema_at, seen)?;
                    }
                    collect_object(parts, &any.properties, &any.required, any.additional_properties.as_ref(), &schema_at);
                }
                _ => self.warn(
                    "allOf-part",
                    &part_at,
                    "allOf part that is not an object: its constraints are not merged into the struct",
                ),
            }
        }
        Ok(())
    }

    /// Follows component aliases (`X: {$ref: Y}`) to a schema body.
    fn resolve_schema(&self, mut id: TypeId) -> Option<&'a Schema> {
        for _ in 0..self.types.len() + 1 {
            match self.schema_of(id)? {
                ReferenceOr::Item(s) => return Some(s),
                ReferenceOr::Reference { reference } => {
                    let name = reference.strip_prefix(SCHEMAS)?;
                    id = *self.components.get(name)?;
                }
            }
        }
        None
    }

    fn structure(&mut self, parts: ObjectParts<'a>, name: &str, owner: &str) -> Result<TypeKind, Error> {
        let mut fields = Vec::with_capacity(parts.properties.len());
        for (json_name, (schema, prop_at)) in &parts.properties {
            let hint = format!("{name}{}", json_name.to_upper_camel_case());
            let ty = self.use_boxed(schema, &hint, owner, prop_at)?;
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
            Some((AdditionalProperties::Schema(s), ap_at)) => {
                Some(self.use_schema(s, &format!("{name}Value"), owner, &ap_at)?)
            }
            Some((AdditionalProperties::Any(true), _)) => Some(TypeRef::Json),
            _ => None,
        };
        Ok(TypeKind::Struct(Struct { fields, additional }))
    }

    fn one_of(
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
                    None => return Err(self.source.error(&map_at, format!("discriminator mapping names {target:?}, which is not a schema under #/components/schemas"))),
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
            let tags = mapped
                .remove(&id)
                .unwrap_or_else(|| vec![self.types[id.0].wanted_name.clone()]);
            variants.push(TaggedVariant { tags, ty: id, ident: String::new() });
        }
        // Mapping entries that the oneOf does not list are still valid answers.
        for (id, tags) in mapped {
            variants.push(TaggedVariant { tags, ty: id, ident: String::new() });
        }
        Ok(TypeKind::Tagged(Tagged {
            property: disc.property_name.clone(),
            variants,
            unknown_ident: String::new(),
        }))
    }

    /// The values of a list of schemas that are all string enums.
    fn string_enum_values(&self, schemas: &'a [ReferenceOr<Schema>]) -> Option<Vec<String>> {
        let mut values = Vec::new();
        for s in schemas {
            let schema = match s {
                ReferenceOr::Item(s) => s,
                ReferenceOr::Reference { reference } => {
                    let id = *self.components.get(reference.strip_prefix(SCHEMAS)?)?;
                    self.resolve_schema(id)?
                }
            };
            match &schema.schema_kind {
                SchemaKind::Type(Type::String(st)) if !st.enumeration.is_empty() => {
                    values.extend(st.enumeration.iter().flatten().cloned());
                }
                _ => return None,
            }
        }
        (!values.is_empty()).then_some(values)
    }

    fn operations(&mut self) -> Result<Vec<Operation>, Error> {
        let doc = self.doc;
        let mut ops = Vec::new();
        let mut seen_ids: HashMap<String, String> = HashMap::new();
        for (path, item) in &doc.paths.paths {
            let path_at = pointer("#/paths", path);
            if !path.starts_with('/') {
                return Err(self.source.error(&path_at, format!("path {path:?} must start with '/'")));
            }
            let item = match item {
                ReferenceOr::Item(item) => item,
                ReferenceOr::Reference { reference } => {
                    return Err(self.source.error(&pointer(&path_at, "$ref"), ref_problem(reference, "an inline path item")));
                }
            };
            let methods = [
                (Method::Get, &item.get),
                (Method::Put, &item.put),
                (Method::Post, &item.post),
                (Method::Delete, &item.delete),
                (Method::Options, &item.options),
                (Method::Head, &item.head),
                (Method::Patch, &item.patch),
                (Method::Trace, &item.trace),
            ];
            for (method, op) in methods {
                let Some(op) = op else { continue };
                let at = pointer(&path_at, &method.as_str().to_lowercase());
                let operation_id = match &op.operation_id {
                    Some(id) if !id.trim().is_empty() => id.clone(),
                    _ => {
                        let derived = derive_operation_id(method, path);
                        self.warn("missing-operation-id", &at, format!("no operationId: named {derived:?} from the method and path"));
                        derived
                    }
                };
                if let Some(first) = seen_ids.insert(operation_id.clone(), at.clone()) {
                    return Err(self.source.error(
                        &pointer(&at, "operationId"),
                        format!("duplicate operationId {operation_id:?}: already used at {first}"),
                    ));
                }
                ops.push(self.operation(method, path, &item.parameters, op, operation_id, &at)?);
            }
        }
        Ok(ops)
    }

    fn parameter(&self, p: &'a ReferenceOr<Parameter>, at: &str) -> Result<(&'a Parameter, String), Error> {
        match p {
            ReferenceOr::Item(p) => Ok((p, at.to_owned())),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/parameters/").ok_or_else(|| {
                    self.source.error(&pointer(at, "$ref"), ref_problem(reference, "#/components/parameters/NAME"))
                })?;
                let found = self.doc.components.as_ref().and_then(|c| c.parameters.get(name));
                match found {
                    Some(ReferenceOr::Item(p)) => Ok((p, pointer("#/components/parameters", name))),
                    Some(ReferenceOr::Reference { .. }) => Err(self.source.error(
                        &pointer("#/components/parameters", name),
                        "a parameter component that is itself a $ref is not supported",
                    )),
                    None => Err(self.source.error(
                        &pointer(at, "$ref"),
                        format!("dangling $ref {reference:?}: there is no parameter named {name:?} under #/components/parameters"),
                    )),
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn operation(
        &mut self,
        method: Method,
        path: &str,
        shared: &'a [ReferenceOr<Parameter>],
        op: &'a openapiv3::Operation,
        operation_id: String,
        at: &str,
    ) -> Result<Operation, Error> {
        let owner = operation_id.clone();
        let base = operation_id.to_upper_camel_case();
        // Path-level parameters first; an operation's own parameter of the same name and
        // location replaces it.
        let mut declared: IndexMap<(String, &'static str), (&'a Parameter, String)> = IndexMap::new();
        let path_at = at.rsplit_once('/').map_or(at, |(p, _)| p).to_owned();
        for (list, list_at) in [(shared, pointer(&path_at, "parameters")), (&op.parameters[..], pointer(at, "parameters"))] {
            for (i, p) in list.iter().enumerate() {
                let (p, p_at) = self.parameter(p, &pointer(&list_at, &i.to_string()))?;
                let location = match p {
                    Parameter::Path { .. } => "path",
                    Parameter::Query { .. } => "query",
                    Parameter::Header { .. } => "header",
                    Parameter::Cookie { .. } => "cookie",
                };
                declared.insert((p.parameter_data_ref().name.clone(), location), (p, p_at));
            }
        }
        let template: Vec<String> = path_params(path);
        for name in &template {
            if !declared.contains_key(&(name.clone(), "path")) {
                return Err(self.source.error(
                    at,
                    format!("the path template names {{{name}}} but the operation declares no path parameter {name:?}"),
                ));
            }
        }
        let mut params = Vec::new();
        for ((name, location), (p, p_at)) in &declared {
            let location = match *location {
                "path" => {
                    if !template.contains(name) {
                        return Err(self.source.error(
                            p_at,
                            format!("path parameter {name:?} does not appear in the path template {path:?}"),
                        ));
                    }
                    ParamLocation::Path
                }
                "query" => ParamLocation::Query,
                "header" => ParamLocation::Header,
                _ => {
                    self.warn("cookie-parameter", p_at, format!("cookie parameter {name:?} is not supported; no setter generated"));
                    continue;
                }
            };
            let data = p.parameter_data_ref();
            let hint = format!("{base}{}", name.to_upper_camel_case());
            let mut example = data.example.clone();
            let mut bounds = (None, None);
            let (ty, pattern, min_length, max_length, default) = match &data.format {
                ParameterSchemaOrContent::Schema(s) => {
                    let ty = self.use_schema(s, &hint, &owner, &pointer(p_at, "schema"))?;
                    let item = match s {
                        ReferenceOr::Item(s) => Some(s),
                        ReferenceOr::Reference { reference } => {
                            let id = self.resolve_ref(reference, &pointer(p_at, "schema"))?;
                            self.resolve_schema(id)
                        }
                    };
                    let (pattern, min, max) = match item.map(|s| &s.schema_kind) {
                        Some(SchemaKind::Type(Type::String(st))) => (st.pattern.clone(), st.min_length, st.max_length),
                        Some(SchemaKind::Type(Type::Integer(it))) => {
                            bounds = (
                                it.minimum.map(|m| if it.exclusive_minimum { m.saturating_add(1) } else { m }),
                                it.maximum.map(|m| if it.exclusive_maximum { m.saturating_sub(1) } else { m }),
                            );
                            (None, None, None)
                        }
                        _ => (None, None, None),
                    };
                    if example.is_none() {
                        example = item.and_then(|s| s.schema_data.example.clone());
                    }
                    (ty, pattern, min, max, item.and_then(|s| s.schema_data.default.clone()))
                }
                ParameterSchemaOrContent::Content(_) => {
                    self.warn("parameter-content", p_at, "parameter with `content` typed as a string");
                    (TypeRef::String, None, None, None, None)
                }
            };
            let pattern = match pattern {
                Some(p) if !self.pattern_supported(&p) => {
                    self.warn("pattern", p_at, format!("pattern {p:?} is not supported by the regex crate; not checked"));
                    None
                }
                other => other,
            };
            params.push(Param {
                name: name.clone(),
                ident: String::new(),
                location,
                required: data.required || location == ParamLocation::Path,
                ty,
                pattern,
                rule_ident: String::new(),
                min_length,
                max_length,
                minimum: bounds.0,
                maximum: bounds.1,
                default,
                example,
                doc: data.description.clone(),
                deprecated: data.deprecated.unwrap_or(false),
            });
        }
        let body = match &op.request_body {
            None => None,
            Some(rb) => {
                let rb_at = pointer(at, "requestBody");
                let (rb, rb_at) = match rb {
                    ReferenceOr::Item(rb) => (rb, rb_at),
                    ReferenceOr::Reference { reference } => {
                        let name = reference.strip_prefix("#/components/requestBodies/");
                        let found = name.and_then(|n| self.doc.components.as_ref()?.request_bodies.get(n));
                        match (name, found) {
                            (Some(n), Some(ReferenceOr::Item(rb))) => (rb, pointer("#/components/requestBodies", n)),
                            _ => {
                                return Err(self.source.error(
                                    &pointer(&rb_at, "$ref"),
                                    format!("dangling $ref {reference:?}: no such request body under #/components/requestBodies"),
                                ));
                            }
                        }
                    }
                };
                match newest_json(&rb.content) {
                    Some((mt, media)) => {
                        let schema_at = pointer(&pointer(&pointer(&rb_at, "content"), mt), "schema");
                        let ty = match &media.schema {
                            Some(s) => self.use_schema(s, &format!("{base}Request"), &owner, &schema_at)?,
                            None => TypeRef::Json,
                        };
                        Some(Body { media_type: mt.clone(), ty, required: rb.required, doc: rb.description.clone() })
                    }
                    None => rb.content.first().map(|(mt, _)| Body {
                        media_type: mt.clone(),
                        ty: TypeRef::Bytes,
                        required: rb.required,
                        doc: rb.description.clone(),
                    }),
                }
            }
        };
        let (success_status, response, versions) = self.success_response(op, &base, &owner, at)?;
        // Every other answer must resolve too, though only its status is used.
        let responses_at = pointer(at, "responses");
        for (code, r) in &op.responses.responses {
            let (r, r_at) = self.response(r, &pointer(&responses_at, &code.to_string()))?;
            for (mt, media) in &r.content {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema {
                    self.resolve_ref(reference, &pointer(&pointer(&pointer(&r_at, "content"), mt), "schema"))?;
                }
            }
        }
        let error_statuses = op
            .responses
            .responses
            .keys()
            .map(ToString::to_string)
            .filter(|s| !s.starts_with('2'))
            .chain(op.responses.default.iter().map(|_| "default".to_owned()))
            .collect();
        let sunset = op.extensions.get("x-sunset").map(|v| match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
        let roles = op
            .extensions
            .get("x-rolesRequirements")
            .and_then(|v| v.as_array())
            .map(|a| a.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect())
            .unwrap_or_default();
        let pagination = self.pagination(&params, &response);
        Ok(Operation {
            operation_id,
            method_ident: String::new(),
            builder_ident: String::new(),
            params_ident: String::new(),
            module: String::new(),
            method,
            path: path.to_owned(),
            tag: op.tags.first().cloned().unwrap_or_else(|| "Default".to_owned()),
            summary: op.summary.clone(),
            description: op.description.clone(),
            deprecated: op.deprecated,
            sunset,
            roles,
            params,
            body,
            versions,
            response,
            success_status,
            error_statuses,
            pagination,
            pointer: at.to_owned(),
        })
    }

    /// Atlas list operations: `pageNum` + `itemsPerPage` parameters and an object answer
    /// with an array `results`.
    fn pagination(&self, params: &[Param], response: &ResponseKind) -> Option<Pagination> {
        let page = params.iter().find(|p| p.name == "pageNum" && p.location == ParamLocation::Query)?;
        let per_page = params.iter().find(|p| p.name == "itemsPerPage" && p.location == ParamLocation::Query)?;
        let numeric = |t: &TypeRef| matches!(t, TypeRef::I32 | TypeRef::I64);
        if !numeric(&page.ty) || !numeric(&per_page.ty) {
            return None;
        }
        let ResponseKind::Json(TypeRef::Named(page_type)) = response else { return None };
        let TypeKind::Struct(s) = &self.types[page_type.0].kind else { return None };
        let results = s.fields.iter().find(|f| f.json_name == "results")?;
        let TypeRef::Vec(item) = &results.ty else { return None };
        let total = s.fields.iter().find(|f| f.json_name == "totalCount" && numeric(&f.ty));
        Some(Pagination {
            item: (**item).clone(),
            page_type: *page_type,
            results_field: results.json_name.clone(),
            total_field: total.map(|f| f.json_name.clone()),
            page_param: page.name.clone(),
            per_page_param: per_page.name.clone(),
            default_per_page: per_page.default.as_ref().and_then(serde_json::Value::as_i64).unwrap_or(100),
        })
    }

    fn response(&self, r: &'a ReferenceOr<openapiv3::Response>, at: &str) -> Result<(&'a openapiv3::Response, String), Error> {
        match r {
            ReferenceOr::Item(r) => Ok((r, at.to_owned())),
            ReferenceOr::Reference { reference } => {
                let name = reference.strip_prefix("#/components/responses/");
                let found = name.and_then(|n| self.doc.components.as_ref()?.responses.get(n));
                match (name, found) {
                    (Some(n), Some(ReferenceOr::Item(r))) => Ok((r, pointer("#/components/responses", n))),
                    _ => Err(self.source.error(
                        &pointer(at, "$ref"),
                        format!("dangling $ref {reference:?}: no such response under #/components/responses"),
                    )),
                }
            }
        }
    }

    fn success_response(
        &mut self,
        op: &'a openapiv3::Operation,
        base: &str,
        owner: &str,
        at: &str,
    ) -> Result<(u16, ResponseKind, Vec<ApiVersion>), Error> {
        let success = op.responses.responses.iter().find_map(|(code, r)| match code {
            StatusCode::Code(c) if (200..300).contains(c) => Some((*c, r)),
            StatusCode::Range(2) => Some((200, r)),
            _ => None,
        });
        let Some((status, r)) = success else {
            return Ok((200, ResponseKind::Empty, Vec::new()));
        };
        let r_at = pointer(&pointer(at, "responses"), &status.to_string());
        let (r, r_at) = self.response(r, &r_at)?;
        let mut media: Vec<(&String, &openapiv3::MediaType)> = r.content.iter().collect();
        media.sort_by(|a, b| atlas_version(a.0).cmp(&atlas_version(b.0)).then_with(|| a.0.cmp(b.0)));
        let several = media.iter().filter(|(mt, _)| is_json(mt)).count() > 1;
        let mut versions = Vec::with_capacity(media.len());
        for (mt, m) in media {
            let date = atlas_version(mt).map(str::to_owned);
            let response = if status == 204 {
                ResponseKind::Empty
            } else if is_json(mt) {
                match &m.schema {
                    Some(s) => {
                        let s_at = pointer(&pointer(&pointer(&r_at, "content"), mt), "schema");
                        // Inline answers of older versions get the version in their name.
                        let hint = match (&date, several) {
                            (Some(d), true) => format!("{base}Response{}", d.replace('-', "")),
                            _ => format!("{base}Response"),
                        };
                        ResponseKind::Json(self.use_schema(s, &hint, owner, &s_at)?)
                    }
                    None => ResponseKind::Json(TypeRef::Json),
                }
            } else {
                ResponseKind::Bytes
            };
            versions.push(ApiVersion { media_type: mt.clone(), date, response, marker_ident: String::new() });
        }
        if status == 204 || versions.is_empty() {
            return Ok((status, ResponseKind::Empty, versions));
        }
        // The newest JSON media type decides the default answer.
        let newest = newest_json(&r.content).map(|(mt, _)| mt);
        let kind = versions
            .iter()
            .find(|v| Some(&v.media_type) == newest)
            .map_or(ResponseKind::Bytes, |v| v.response.clone());
        Ok((status, kind, versions))
    }

    /// The schema that most error responses use.
    fn error_model(&self) -> Option<TypeId> {
        let mut counts: BTreeMap<TypeId, usize> = BTreeMap::new();
        let components = self.doc.components.as_ref();
        let mut count = |r: &ReferenceOr<openapiv3::Response>| {
            let r = match r {
                ReferenceOr::Item(r) => Some(r),
                ReferenceOr::Reference { reference } => reference
                    .strip_prefix("#/components/responses/")
                    .and_then(|n| components?.responses.get(n))
                    .and_then(|r| r.as_item()),
            };
            for media in r.iter().flat_map(|r| r.content.values()) {
                if let Some(ReferenceOr::Reference { reference }) = &media.schema
                    && let Some(id) = reference.strip_prefix(SCHEMAS).and_then(|n| self.components.get(n))
                {
                    *counts.entry(*id).or_default() += 1;
                }
            }
        };
        for (_, _, op) in self.doc.operations() {
            for (code, r) in &op.responses.responses {
                if !matches!(code, StatusCode::Code(c) if *c < 400) && !matches!(code, StatusCode::Range(r) if *r < 4) {
                    count(r);
                }
            }
            if let Some(r) = &op.responses.default {
                count(r);
            }
        }
        counts.into_iter().max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0))).map(|(id, _)| id)
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
    let variants = values
        .filter(|v| seen.insert(v.clone()))
        .map(|value| EnumVariant { value, ident: String::new() })
        .collect();
    TypeKind::Enum(StringEnum { variants, unknown_ident: String::new() })
}

fn ref_problem(reference: &str, expected: &str) -> String {
    match reference.split_once('#') {
        Some((file, _)) if !file.is_empty() => format!(
            "external $ref {reference:?} is not supported (it points into the file {file:?}); inline the schema under {expected}"
        ),
        None => format!(
            "external $ref {reference:?} is not supported (it names the file {reference:?}); inline the schema under {expected}"
        ),
        _ => format!("unsupported $ref {reference:?}: expected {expected}"),
    }
}

/// `{name}` segments of a path template, in order.
pub(crate) fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_owned());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// The media type the generated crate sends or accepts for a body: the newest JSON one (by
/// Atlas version date, then name). The drift engine compares bodies at the same one.
pub(crate) fn newest_json(content: &IndexMap<String, openapiv3::MediaType>) -> Option<(&String, &openapiv3::MediaType)> {
    content
        .iter()
        .filter(|(mt, _)| is_json(mt))
        .max_by(|(a, _), (b, _)| atlas_version(a).cmp(&atlas_version(b)).then_with(|| a.cmp(b)))
}

pub(crate) fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// `2025-03-12` from `application/vnd.atlas.2025-03-12+json` (or `+gzip`, `+csv`).
pub(crate) fn atlas_version(media_type: &str) -> Option<&str> {
    let rest = media_type.strip_prefix("application/vnd.atlas.")?;
    let date = rest.split('+').next()?;
    let ok = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    ok.then_some(date)
}

fn derive_operation_id(method: Method, path: &str) -> String {
    let mut id = method.as_str().to_lowercase();
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        let word = segment.trim_start_matches('{').trim_end_matches('}');
        id.push_str(&word.to_upper_camel_case());
    }
    id
}

fn security_schemes(doc: &OpenAPI) -> Vec<SecurityScheme> {
    let Some(components) = &doc.components else { return Vec::new() };
    components
        .security_schemes
        .iter()
        .filter_map(|(name, s)| s.as_item().map(|s| (name.clone(), s)))
        .map(|(name, s)| match s {
            openapiv3::SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("digest") => {
                SecurityScheme::HttpDigest { name }
            }
            openapiv3::SecurityScheme::HTTP { scheme, .. } if scheme.eq_ignore_ascii_case("bearer") => {
                SecurityScheme::HttpBearer { name }
            }
            openapiv3::SecurityScheme::OAuth2 { flows, .. } => match &flows.client_credentials {
                Some(cc) => SecurityScheme::OAuth2ClientCredentials { name, token_url: cc.token_url.clone() },
                None => SecurityScheme::Other { name },
            },
            _ => SecurityScheme::Other { name },
        })
        .collect()
}
