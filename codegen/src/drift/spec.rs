//! Read access to one document for the drift engine: `$ref` resolution with clear errors,
//! a flat view of a schema with `allOf` merged, operations, and which component schemas
//! the operations reach (and in which direction). Schema `$ref`s and `allOf` parts are
//! walked by [`crate::load::schemas`], the walk the generator's lowering uses; what is
//! merged from each part, and with which pointer, is drift's own.

use std::collections::{BTreeMap, BTreeSet};

use openapiv3::{
    AdditionalProperties, OpenAPI, Operation, Parameter, PathItem, ReferenceOr, RequestBody, Response, Schema, SchemaData, SchemaKind,
    Type, VariantOrUnknownOrEmpty,
};

use super::model::Usage;
use super::types::Types;
use crate::error::{Error, pointer};
use crate::load::refs::{self, PARAMETERS, REQUEST_BODIES, RESPONSES, Section};
use crate::load::schemas::{self, Broken, Order, SCHEMAS, SchemaRef};
use crate::load::{Loaded, names};

/// A property of a merged schema.
#[derive(Debug, Clone)]
pub(crate) struct Prop<'a> {
    pub schema: SchemaRef<'a>,
    pub ptr: String,
    /// The component the property was merged from (through an `allOf` or `oneOf` `$ref`);
    /// `None` when the schema itself declares it.
    pub origin: Option<&'a str>,
}

#[derive(Debug, Clone)]
pub(crate) enum Additional<'a> {
    /// `additionalProperties: true` (or `{}`).
    Any,
    Schema(SchemaRef<'a>, String),
}

/// `discriminator`, or the SDK-flattened `x-xgen-discriminator`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Disc {
    pub property: String,
    /// Tag → target component (None in the flattened form, which lists properties instead).
    pub mapping: BTreeMap<String, Option<String>>,
    pub flattened: bool,
}

/// One schema with its `$ref`s followed and its `allOf` parts merged, as the generator sees
/// it: one struct of all the parts' properties.
#[derive(Debug, Clone, Default)]
pub(crate) struct Merged<'a> {
    pub ptr: String,
    pub typ: Option<String>,
    pub format: Option<String>,
    pub pattern: Option<String>,
    pub enumeration: Option<BTreeSet<String>>,
    pub bounds: BTreeMap<&'static str, f64>,
    pub props: BTreeMap<String, Prop<'a>>,
    pub required: BTreeSet<String>,
    pub additional: Option<Additional<'a>>,
    pub items: Option<(SchemaRef<'a>, String)>,
    /// `oneOf` / `anyOf` alternatives, or else the targets of a discriminator mapping
    /// (the "inheritance" form: variants that `allOf` this schema).
    pub variants: Vec<(SchemaRef<'a>, String)>,
    /// The variants come from the discriminator mapping (its rule reports them).
    pub variants_from_mapping: bool,
    pub discriminator: Option<Disc>,
    pub nullable: bool,
    pub read_only: bool,
    pub write_only: bool,
    pub deprecated: bool,
    pub description: Option<&'a str>,
    /// Components merged in through `allOf` (at any depth).
    pub parts: BTreeSet<&'a str>,
}

impl Merged<'_> {
    /// The `type`, or the one its keywords imply.
    pub(crate) fn effective_type(&self) -> Option<&str> {
        match &self.typ {
            Some(t) => Some(t.as_str()),
            None if !self.props.is_empty() || self.additional.is_some() => Some("object"),
            None if self.items.is_some() => Some("array"),
            None => None,
        }
    }

    pub(crate) fn is_polymorphic(&self) -> bool {
        !self.variants.is_empty()
    }
}

pub(crate) type WireProps<'a> = (BTreeMap<String, Prop<'a>>, BTreeSet<String>, BTreeSet<&'a str>);

/// An operation with what is needed to match and compare it.
#[derive(Debug, Clone)]
pub(crate) struct Op<'a> {
    /// Upper case: `GET`.
    pub method: String,
    pub path: &'a str,
    /// The path with parameter names blanked (`/a/{}`), for matching.
    pub path_key: String,
    pub id: Option<&'a str>,
    pub op: &'a Operation,
    pub item: &'a PathItem,
    pub ptr: String,
}

impl Op<'_> {
    pub(crate) fn display_id(&self) -> String {
        self.id.map(str::to_owned).unwrap_or_else(|| format!("{} {}", self.method, self.path))
    }
}

/// A resolved parameter.
#[derive(Debug, Clone)]
pub(crate) struct Param<'a> {
    pub name: &'a str,
    pub location: &'static str,
    pub required: bool,
    pub deprecated: bool,
    pub schema: Option<(SchemaRef<'a>, String)>,
    /// Where the operation (or its path item) lists it.
    pub ptr: String,
}

pub(crate) struct Doc<'a> {
    pub loaded: &'a Loaded,
    pub doc: &'a OpenAPI,
    /// The generator's types of the document, lowered when a rule first needs one.
    types: std::cell::OnceCell<Types>,
}

pub(crate) fn path_key(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0usize;
    for c in path.chars() {
        match c {
            '{' => {
                depth += 1;
                if depth == 1 {
                    out.push('{');
                }
            }
            '}' if depth > 0 => {
                depth -= 1;
                if depth == 0 {
                    out.push('}');
                }
            }
            _ if depth > 0 => {}
            c => out.push(c),
        }
    }
    out
}

fn format_text<T: serde::Serialize>(f: &VariantOrUnknownOrEmpty<T>) -> Option<String> {
    match f {
        VariantOrUnknownOrEmpty::Item(v) => serde_json::to_value(v).ok().and_then(|v| v.as_str().map(str::to_owned)),
        VariantOrUnknownOrEmpty::Unknown(s) => Some(s.clone()),
        VariantOrUnknownOrEmpty::Empty => None,
    }
}

fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn set_bound(m: &mut Merged<'_>, key: &'static str, v: Option<f64>) {
    if let Some(v) = v {
        m.bounds.insert(key, v);
    }
}

impl<'a> Doc<'a> {
    pub(crate) fn new(loaded: &'a Loaded) -> Self {
        Doc { loaded, doc: &loaded.doc, types: std::cell::OnceCell::new() }
    }

    pub(crate) fn types(&self) -> Result<&Types, Error> {
        if let Some(t) = self.types.get() {
            return Ok(t);
        }
        let t = Types::of(self.loaded)?;
        Ok(self.types.get_or_init(|| t))
    }

    /// The Rust type the generator gives the schema at `ptr`; `None` where the IR has no
    /// type of its own for that place.
    pub(crate) fn rust_at(&self, ptr: &str) -> Result<Option<String>, Error> {
        let types = self.types()?;
        Ok(types.at(ptr).map(|t| types.rust(t)))
    }

    /// The Rust type of a parameter (`items` levels down into its arrays).
    pub(crate) fn rust_param(&self, op: &str, name: &str, location: &'static str, items: usize) -> Result<Option<String>, Error> {
        let types = self.types()?;
        let mut ty = types.param(op, name, location);
        for _ in 0..items {
            ty = match ty {
                Some(crate::ir::TypeRef::Vec(inner)) => Some(inner),
                _ => None,
            };
        }
        Ok(ty.map(|t| types.rust(t)))
    }

    pub(crate) fn error(&self, ptr: &str, message: impl Into<String>) -> Error {
        self.loaded.source.error(ptr, message)
    }

    pub(crate) fn schemas(&self) -> Option<&'a indexmap::IndexMap<String, ReferenceOr<Schema>>> {
        self.doc.components.as_ref().map(|c| &c.schemas)
    }

    pub(crate) fn component(&self, name: &str) -> Option<&'a ReferenceOr<Schema>> {
        self.schemas()?.get(name)
    }

    /// Follows `$ref`s (and component aliases `X: {$ref: Y}`) to a schema body. Answers the
    /// body, its pointer and the first component named on the way.
    pub(crate) fn resolve(&self, s: SchemaRef<'a>, ptr: &str) -> Result<(&'a Schema, String, Option<&'a str>), Error> {
        let found = schemas::resolve(self.doc, s, ptr).map_err(|b| self.broken(b))?;
        Ok((found.schema, found.at, found.name))
    }

    fn broken(&self, b: Broken) -> Error {
        self.error(&b.at, b.problem.message())
    }

    /// The schema at `s` with `allOf` parts merged into one object.
    pub(crate) fn merged(&self, s: SchemaRef<'a>, ptr: &str) -> Result<Merged<'a>, Error> {
        let (schema, at, name) = self.resolve(s, ptr)?;
        let mut m = Merged { ptr: at.clone(), ..Merged::default() };
        let data = &schema.schema_data;
        m.nullable = data.nullable;
        m.read_only = data.read_only;
        m.write_only = data.write_only;
        m.deprecated = data.deprecated;
        m.description = data.description.as_deref();
        m.discriminator = discriminator(data);
        Self::merge_into(&mut m, schema, &at, None);
        // The schema's own facts first, then its parts, each before its own parts: the
        // first `type`, `format`, property... merged is the one kept.
        let parts = schemas::all_of(self.doc, schema, &at, name, Order::PartFirst).map_err(|b| self.broken(b))?;
        for part in parts {
            m.parts.extend(part.name);
            let data = &part.schema.schema_data;
            m.nullable |= data.nullable;
            m.read_only |= data.read_only;
            m.write_only |= data.write_only;
            if m.discriminator.is_none() {
                m.discriminator = discriminator(data);
            }
            Self::merge_into(&mut m, part.schema, &part.at, part.origin);
        }
        if m.variants.is_empty()
            && let Some(d) = &data.discriminator
        {
            let mapping_at = pointer(&pointer(&at, "discriminator"), "mapping");
            for (tag, target) in &d.mapping {
                if target.strip_prefix(SCHEMAS).is_some_and(|t| Some(t) != name) {
                    m.variants.push((SchemaRef::Ref(target), pointer(&mapping_at, tag)));
                }
            }
            m.variants_from_mapping = !m.variants.is_empty();
        }
        Ok(m)
    }

    /// Merges what `schema` (at `at`) says itself into `m`, its `allOf` parts not included (the
    /// caller merges those, in the shared walk's order). `origin` is the component it came
    /// through.
    fn merge_into(m: &mut Merged<'a>, schema: &'a Schema, at: &str, origin: Option<&'a str>) {
        let set_type = |m: &mut Merged<'a>, t: &str| {
            if m.typ.is_none() {
                m.typ = Some(t.to_owned());
            }
        };
        let props = |m: &mut Merged<'a>, properties: &'a indexmap::IndexMap<String, ReferenceOr<Box<Schema>>>, required: &'a [String]| {
            let props_at = pointer(at, "properties");
            for (name, p) in properties {
                m.props.entry(name.clone()).or_insert_with(|| Prop { schema: p.into(), ptr: pointer(&props_at, name), origin });
            }
            m.required.extend(required.iter().cloned());
        };
        let additional = |m: &mut Merged<'a>, ap: Option<&'a AdditionalProperties>| match ap {
            Some(AdditionalProperties::Any(true)) => m.additional = Some(Additional::Any),
            Some(AdditionalProperties::Schema(s)) => {
                m.additional = Some(Additional::Schema(s.as_ref().into(), pointer(at, "additionalProperties")))
            }
            _ => {}
        };
        let variants = |m: &mut Merged<'a>, list: &'a [ReferenceOr<Schema>], key: &str| {
            for (i, v) in list.iter().enumerate() {
                m.variants.push((v.into(), pointer(&pointer(at, key), &i.to_string())));
            }
        };
        match &schema.schema_kind {
            SchemaKind::Type(Type::String(s)) => {
                set_type(m, "string");
                m.format = m.format.take().or_else(|| format_text(&s.format));
                m.pattern = m.pattern.take().or_else(|| s.pattern.clone());
                if !s.enumeration.is_empty() {
                    m.enumeration = Some(s.enumeration.iter().map(|v| v.clone().unwrap_or_else(|| "null".to_owned())).collect());
                }
                set_bound(m, "minLength", s.min_length.map(|v| v as f64));
                set_bound(m, "maxLength", s.max_length.map(|v| v as f64));
            }
            SchemaKind::Type(Type::Number(n)) => {
                set_type(m, "number");
                m.format = m.format.take().or_else(|| format_text(&n.format));
                if !n.enumeration.is_empty() {
                    m.enumeration =
                        Some(n.enumeration.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_else(|| "null".to_owned())).collect());
                }
                set_bound(m, "minimum", n.minimum);
                set_bound(m, "maximum", n.maximum);
            }
            SchemaKind::Type(Type::Integer(n)) => {
                set_type(m, "integer");
                m.format = m.format.take().or_else(|| format_text(&n.format));
                if !n.enumeration.is_empty() {
                    m.enumeration =
                        Some(n.enumeration.iter().map(|v| v.map(|x| x.to_string()).unwrap_or_else(|| "null".to_owned())).collect());
                }
                set_bound(m, "minimum", n.minimum.map(|v| v as f64));
                set_bound(m, "maximum", n.maximum.map(|v| v as f64));
            }
            SchemaKind::Type(Type::Boolean(_)) => set_type(m, "boolean"),
            SchemaKind::Type(Type::Object(o)) => {
                set_type(m, "object");
                props(m, &o.properties, &o.required);
                additional(m, o.additional_properties.as_ref());
            }
            SchemaKind::Type(Type::Array(a)) => {
                set_type(m, "array");
                if let Some(items) = &a.items {
                    m.items = Some((items.into(), pointer(at, "items")));
                }
                set_bound(m, "minItems", a.min_items.map(|v| v as f64));
                set_bound(m, "maxItems", a.max_items.map(|v| v as f64));
            }
            SchemaKind::OneOf { one_of } => variants(m, one_of, "oneOf"),
            SchemaKind::AnyOf { any_of } => variants(m, any_of, "anyOf"),
            // The caller merges the parts, in the shared walk's order.
            SchemaKind::AllOf { .. } => {}
            SchemaKind::Not { .. } => {}
            SchemaKind::Any(any) => {
                if let Some(t) = &any.typ {
                    set_type(m, t);
                }
                m.format = m.format.take().or_else(|| any.format.clone());
                m.pattern = m.pattern.take().or_else(|| any.pattern.clone());
                if !any.enumeration.is_empty() {
                    m.enumeration = Some(any.enumeration.iter().map(value_text).collect());
                }
                set_bound(m, "minimum", any.minimum);
                set_bound(m, "maximum", any.maximum);
                set_bound(m, "minLength", any.min_length.map(|v| v as f64));
                set_bound(m, "maxLength", any.max_length.map(|v| v as f64));
                set_bound(m, "minItems", any.min_items.map(|v| v as f64));
                set_bound(m, "maxItems", any.max_items.map(|v| v as f64));
                props(m, &any.properties, &any.required);
                additional(m, any.additional_properties.as_ref());
                if let Some(items) = &any.items {
                    m.items = Some((items.into(), pointer(at, "items")));
                }
                variants(m, &any.one_of, "oneOf");
                variants(m, &any.any_of, "anyOf");
            }
        }
    }

    /// The properties of a schema as the wire sees them: its own, plus, for a `oneOf`, the
    /// union of every variant's (a property is required when every variant requires it).
    /// This is what makes a `oneOf` comparable with its SDK-flattened form.
    /// The third value is every component the properties come from (allOf parts, variants).
    pub(crate) fn wire_props(&self, m: &Merged<'a>) -> Result<WireProps<'a>, Error> {
        let mut props = m.props.clone();
        let mut required = m.required.clone();
        let mut parts = m.parts.clone();
        if m.variants.is_empty() {
            return Ok((props, required, parts));
        }
        let mut common: Option<BTreeSet<String>> = None;
        for (v, v_at) in &m.variants {
            let vm = self.merged(*v, v_at)?;
            let origin = v.ref_name();
            parts.extend(origin);
            parts.extend(vm.parts.iter().copied());
            for (name, p) in vm.props {
                props.entry(name).or_insert(Prop { origin: p.origin.or(origin), ..p });
            }
            common = Some(match common {
                None => vm.required,
                Some(c) => c.intersection(&vm.required).cloned().collect(),
            });
        }
        required.extend(common.unwrap_or_default());
        Ok((props, required, parts))
    }

    /// Every operation, in document order.
    pub(crate) fn operations(&self) -> Result<Vec<Op<'a>>, Error> {
        let mut out = Vec::new();
        for (path, item) in self.doc.paths.iter() {
            let item_at = pointer("#/paths", path);
            let item = match item {
                ReferenceOr::Item(i) => i,
                ReferenceOr::Reference { reference } => {
                    return Err(self.error(
                        &pointer(&item_at, "$ref"),
                        format!("path item $ref {reference:?} is not supported: inline the path item"),
                    ));
                }
            };
            for (method, op) in item.iter() {
                out.push(Op {
                    method: method.to_ascii_uppercase(),
                    path,
                    path_key: path_key(path),
                    id: names::stable_name(op),
                    op,
                    item,
                    ptr: pointer(&item_at, method),
                });
            }
        }
        Ok(out)
    }

    /// Path-level and operation-level parameters (the operation's win), keyed by `in` + name.
    pub(crate) fn parameters(&self, op: &Op<'a>) -> Result<BTreeMap<(&'static str, &'a str), Param<'a>>, Error> {
        let mut out = BTreeMap::new();
        let item_at = pointer("#/paths", op.path);
        let lists = [(&op.item.parameters, pointer(&item_at, "parameters")), (&op.op.parameters, pointer(&op.ptr, "parameters"))];
        for (list, list_at) in lists {
            for (i, p) in list.iter().enumerate() {
                let listed_at = pointer(&list_at, &i.to_string());
                let (p, p_at) = self.resolved(&PARAMETERS, p, &listed_at)?;
                let location = match p {
                    Parameter::Query { .. } => "query",
                    Parameter::Header { .. } => "header",
                    Parameter::Path { .. } => "path",
                    Parameter::Cookie { .. } => "cookie",
                };
                let data = p.parameter_data_ref();
                let schema = match &data.format {
                    openapiv3::ParameterSchemaOrContent::Schema(s) => Some((s.into(), pointer(&p_at, "schema"))),
                    openapiv3::ParameterSchemaOrContent::Content(_) => None,
                };
                out.insert(
                    (location, data.name.as_str()),
                    Param {
                        name: &data.name,
                        location,
                        required: data.required,
                        deprecated: data.deprecated.unwrap_or(false),
                        schema,
                        ptr: listed_at,
                    },
                );
            }
        }
        Ok(out)
    }

    pub(crate) fn request_body(&self, op: &Op<'a>) -> Result<Option<(&'a RequestBody, String)>, Error> {
        let at = pointer(&op.ptr, "requestBody");
        op.op.request_body.as_ref().map(|rb| self.resolved(&REQUEST_BODIES, rb, &at)).transpose()
    }

    /// The item `r` is or the component its `$ref` names, with its pointer.
    fn resolved<T>(&self, section: &Section<T>, r: &'a ReferenceOr<T>, at: &str) -> Result<(&'a T, String), Error> {
        refs::resolve(self.doc, section, r, at).map_err(|d| self.error(&d.at, d.message))
    }

    /// Responses keyed by status text (`200`, `4XX`, `default`).
    pub(crate) fn responses(&self, op: &Op<'a>) -> Result<BTreeMap<String, (&'a Response, String)>, Error> {
        let at = pointer(&op.ptr, "responses");
        let mut out = BTreeMap::new();
        let all = op
            .op
            .responses
            .responses
            .iter()
            .map(|(code, r)| (code.to_string(), r))
            .chain(op.op.responses.default.iter().map(|r| ("default".to_owned(), r)));
        for (code, r) in all {
            let r_at = pointer(&at, &code);
            let resolved = self.resolved(&RESPONSES, r, &r_at)?;
            out.insert(code, resolved);
        }
        Ok(out)
    }

    /// The component schemas `s` names directly (inline sub-schemas are walked, `$ref`s are
    /// not followed), including discriminator mapping targets.
    pub(crate) fn direct_refs(&self, s: SchemaRef<'a>, out: &mut BTreeSet<&'a str>) {
        match s {
            SchemaRef::Ref(r) => {
                if let Some(n) = r.strip_prefix(SCHEMAS) {
                    out.insert(n);
                }
            }
            SchemaRef::Item(schema) => {
                if let Some(d) = &schema.schema_data.discriminator {
                    for target in d.mapping.values() {
                        out.insert(target.strip_prefix(SCHEMAS).unwrap_or(target));
                    }
                }
                let mut walk = |r: SchemaRef<'a>| self.direct_refs(r, out);
                match &schema.schema_kind {
                    SchemaKind::Type(Type::Object(o)) => {
                        o.properties.values().for_each(|p| walk(p.into()));
                        if let Some(AdditionalProperties::Schema(a)) = &o.additional_properties {
                            walk(a.as_ref().into());
                        }
                    }
                    SchemaKind::Type(Type::Array(a)) => {
                        if let Some(i) = &a.items {
                            walk(i.into());
                        }
                    }
                    SchemaKind::Type(_) => {}
                    SchemaKind::OneOf { one_of: l } | SchemaKind::AllOf { all_of: l } | SchemaKind::AnyOf { any_of: l } => {
                        l.iter().for_each(|v| walk(v.into()))
                    }
                    SchemaKind::Not { not } => walk(not.as_ref().into()),
                    SchemaKind::Any(any) => {
                        any.properties.values().for_each(|p| walk(p.into()));
                        if let Some(AdditionalProperties::Schema(a)) = &any.additional_properties {
                            walk(a.as_ref().into());
                        }
                        if let Some(i) = &any.items {
                            walk(i.into());
                        }
                        any.one_of.iter().chain(&any.all_of).chain(&any.any_of).for_each(|v| walk(v.into()));
                        if let Some(n) = &any.not {
                            walk(n.as_ref().into());
                        }
                    }
                }
            }
        }
    }

    /// Every component schema reachable from `roots` (name and the pointer that names it),
    /// following `$ref`s transitively. A `$ref` to a missing schema is an error.
    pub(crate) fn reach(
        &self,
        roots: &BTreeMap<&'a str, String>,
        memo: &mut BTreeMap<&'a str, BTreeSet<&'a str>>,
    ) -> Result<BTreeSet<&'a str>, Error> {
        let mut seen: BTreeSet<&'a str> = BTreeSet::new();
        let mut stack: Vec<(&'a str, String)> = roots.iter().map(|(n, at)| (*n, at.clone())).collect();
        while let Some((name, from)) = stack.pop() {
            if seen.contains(name) {
                continue;
            }
            let Some(schema) = self.component(name) else {
                return Err(
                    self.error(&from, format!("dangling $ref \"#/components/schemas/{name}\": no such schema under #/components/schemas"))
                );
            };
            seen.insert(name);
            let refs = memo.entry(name).or_insert_with(|| {
                let mut refs = BTreeSet::new();
                self.direct_refs(schema.into(), &mut refs);
                refs
            });
            let at = pointer("#/components/schemas", name);
            stack.extend(refs.iter().filter(|r| !seen.contains(*r)).map(|r| (*r, at.clone())));
        }
        Ok(seen)
    }

    /// Which component schemas the given operations send and receive.
    pub(crate) fn usage(&self, ops: &[&Op<'a>]) -> Result<BTreeMap<&'a str, Usage>, Error> {
        let mut request_roots: BTreeMap<&'a str, String> = BTreeMap::new();
        let mut response_roots: BTreeMap<&'a str, String> = BTreeMap::new();
        let add = |roots: &mut BTreeMap<&'a str, String>, s: SchemaRef<'a>, at: &str| {
            let mut refs = BTreeSet::new();
            self.direct_refs(s, &mut refs);
            for r in refs {
                roots.entry(r).or_insert_with(|| at.to_owned());
            }
        };
        for op in ops {
            for p in self.parameters(op)?.values() {
                if let Some((s, at)) = &p.schema {
                    add(&mut request_roots, *s, at);
                }
            }
            if let Some((rb, at)) = self.request_body(op)? {
                for (mt, media) in &rb.content {
                    if let Some(s) = &media.schema {
                        add(&mut request_roots, s.into(), &pointer(&pointer(&pointer(&at, "content"), mt), "schema"));
                    }
                }
            }
            for (r, at) in self.responses(op)?.values() {
                for (mt, media) in &r.content {
                    if let Some(s) = &media.schema {
                        add(&mut response_roots, s.into(), &pointer(&pointer(&pointer(at, "content"), mt), "schema"));
                    }
                }
            }
        }
        let mut memo = BTreeMap::new();
        let mut out: BTreeMap<&'a str, Usage> = BTreeMap::new();
        for name in self.reach(&request_roots, &mut memo)? {
            out.entry(name).or_default().request = true;
        }
        for name in self.reach(&response_roots, &mut memo)? {
            out.entry(name).or_default().response = true;
        }
        Ok(out)
    }
}

fn discriminator(data: &SchemaData) -> Option<Disc> {
    if let Some(d) = &data.discriminator {
        return Some(Disc {
            property: d.property_name.clone(),
            mapping: d
                .mapping
                .iter()
                .map(|(tag, target)| (tag.clone(), Some(target.strip_prefix(SCHEMAS).unwrap_or(target).to_owned())))
                .collect(),
            flattened: false,
        });
    }
    let x = data.extensions.get("x-xgen-discriminator")?;
    let property = x.get("propertyName")?.as_str()?.to_owned();
    let mapping = x.get("mapping").and_then(|m| m.as_object()).map(|m| m.keys().map(|k| (k.clone(), None)).collect()).unwrap_or_default();
    Some(Disc { property, mapping, flattened: true })
}
