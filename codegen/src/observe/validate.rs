//! A JSON body against the type the generator gives it: the walk follows the IR (`allOf`
//! merged into structs, `oneOf` by its discriminator or by the first variant that fits,
//! nullable fields, formats, the integer and float widths of the type mapping), so what it
//! reports is what the generated client makes of the body, not a second reading of the
//! spec's JSON Schema.

use serde_json::Value;

use super::Kind;
use crate::error::pointer;
use crate::ir::{Api, Struct, TypeDef, TypeKind, TypeRef};
use crate::load::overlay::kind as json_type;

/// Where a value is: the component schema that describes it, the JSON pointer from that
/// schema's value to it (`*` for any array item or map value), and its pointer in the body.
#[derive(Debug, Clone)]
pub struct Place {
    pub schema: String,
    pub at: String,
    pub body: String,
}

impl Place {
    /// The root of a body described by `schema` (until the walk enters a component).
    pub fn root(schema: impl Into<String>) -> Self {
        Place { schema: schema.into(), at: String::new(), body: String::new() }
    }

    fn key(&self, key: &str) -> Place {
        Place { schema: self.schema.clone(), at: pointer(&self.at, key), body: pointer(&self.body, key) }
    }

    /// An array item or a map value: `*` in the schema's pointer, its place in the body.
    fn any(&self, in_body: &str) -> Place {
        Place { schema: self.schema.clone(), at: format!("{}/*", self.at), body: pointer(&self.body, in_body) }
    }
}

/// One disagreement of a body with its type.
#[derive(Debug, Clone)]
pub struct Observed {
    pub kind: Kind,
    pub place: Place,
    pub message: String,
    pub example: Value,
}

/// Walks bodies against the types of `api`.
pub struct Walk<'a> {
    api: &'a Api,
    pub found: Vec<Observed>,
}

/// Whether `t` is a component schema (`#/components/schemas/NAME`), which names the place
/// of what it holds.
fn component(t: &TypeDef) -> bool {
    t.pointer == pointer("#/components/schemas", &t.wanted_name)
}

impl<'a> Walk<'a> {
    pub fn new(api: &'a Api) -> Self {
        Walk { api, found: Vec::new() }
    }

    fn report(&mut self, kind: Kind, place: &Place, message: impl Into<String>, example: &Value) {
        self.found.push(Observed { kind, place: place.clone(), message: message.into(), example: example.clone() });
    }

    fn mismatch(&mut self, place: &Place, declared: &str, v: &Value) {
        self.report(Kind::TypeMismatch, place, format!("{} where {declared} is declared", json_type(v)), v);
    }

    /// `v` at `place` against `ty`.
    pub fn value(&mut self, ty: &TypeRef, v: &Value, place: &Place) {
        if v.is_null() && *ty != TypeRef::Json {
            self.report(Kind::NullNotAllowed, place, "null where the schema does not allow it", v);
            return;
        }
        match ty {
            TypeRef::String | TypeRef::Bytes if !v.is_string() => self.mismatch(place, "a string", v),
            TypeRef::Bool if !v.is_boolean() => self.mismatch(place, "a boolean", v),
            TypeRef::I32 => self.integer(v, place, i64::from(i32::MIN), i64::from(i32::MAX), "int32"),
            TypeRef::I64 => self.integer(v, place, i64::MIN, i64::MAX, "int64"),
            TypeRef::F32 | TypeRef::F64 if !v.is_number() => self.mismatch(place, "a number", v),
            TypeRef::DateTime => match v.as_str() {
                // What the generated `chrono::DateTime<Utc>` accepts (RFC 3339).
                Some(s) if s.parse::<chrono::DateTime<chrono::FixedOffset>>().is_err() => {
                    self.report(Kind::TypeMismatch, place, "a string that is not a date-time (RFC 3339)", v);
                }
                Some(_) => {}
                None => self.mismatch(place, "a date-time string", v),
            },
            TypeRef::Date => match v.as_str() {
                Some(s) if s.parse::<chrono::NaiveDate>().is_err() => {
                    self.report(Kind::TypeMismatch, place, "a string that is not a date (YYYY-MM-DD)", v);
                }
                Some(_) => {}
                None => self.mismatch(place, "a date string", v),
            },
            TypeRef::Vec(item) => match v.as_array() {
                Some(items) => {
                    for (i, x) in items.iter().enumerate() {
                        self.value(item, x, &place.any(&i.to_string()));
                    }
                }
                None => self.mismatch(place, "an array", v),
            },
            TypeRef::Map(value) => match v.as_object() {
                Some(map) => {
                    for (k, x) in map {
                        self.value(value, x, &place.any(k));
                    }
                }
                None => self.mismatch(place, "an object", v),
            },
            TypeRef::Named(id) => self.named(self.api.ty(*id), v, place),
            _ => {}
        }
    }

    fn integer(&mut self, v: &Value, place: &Place, min: i64, max: i64, format: &str) {
        match v.as_i64() {
            Some(n) if (min..=max).contains(&n) => {}
            Some(_) => self.report(Kind::TypeMismatch, place, format!("an integer past {format}"), v),
            None if v.is_u64() => self.report(Kind::TypeMismatch, place, format!("an integer past {format}"), v),
            None if v.is_number() => {
                self.report(Kind::TypeMismatch, place, format!("a number that is not an integer where {format} is declared"), v)
            }
            None => self.mismatch(place, &format!("an integer ({format})"), v),
        }
    }

    fn named(&mut self, t: &'a TypeDef, v: &Value, place: &Place) {
        let entered;
        let place = if component(t) {
            entered = Place { schema: t.wanted_name.clone(), at: String::new(), body: place.body.clone() };
            &entered
        } else {
            place
        };
        match &t.kind {
            TypeKind::Alias(ty) => self.value(ty, v, place),
            TypeKind::Struct(s) => self.object(s, v, place),
            TypeKind::Enum(e) => match v.as_str() {
                Some(s) if !e.variants.iter().any(|variant| variant.value == s) => {
                    let listed: Vec<&str> = e.variants.iter().map(|variant| variant.value.as_str()).collect();
                    self.report(Kind::UnlistedEnumValue, place, format!("a value the enum does not list ({})", listed.join(", ")), v);
                }
                Some(_) => {}
                None => self.mismatch(place, "an enum string", v),
            },
            TypeKind::IntEnum(e) => {
                self.value(&e.repr, v, place);
                if let Some(n) = v.as_i64()
                    && !e.variants.iter().any(|variant| variant.value == n)
                {
                    let listed: Vec<String> = e.variants.iter().map(|variant| variant.value.to_string()).collect();
                    self.report(Kind::UnlistedEnumValue, place, format!("a value the enum does not list ({})", listed.join(", ")), v);
                }
            }
            TypeKind::Tagged(tagged) => {
                let Some(object) = v.as_object() else { return self.mismatch(place, "an object", v) };
                let at = place.key(&tagged.property);
                match object.get(&tagged.property) {
                    None => self.report(Kind::RequiredAbsent, &at, "the discriminator is absent", &keys(object)),
                    Some(Value::String(tag)) => match tagged.variants.iter().find(|variant| variant.tags.iter().any(|t| t == tag)) {
                        Some(variant) => self.named(self.api.ty(variant.ty), v, place),
                        None => {
                            let listed: Vec<&str> =
                                tagged.variants.iter().flat_map(|variant| variant.tags.iter().map(String::as_str)).collect();
                            let message = format!("a discriminator value the oneOf does not list ({})", listed.join(", "));
                            self.report(Kind::UnlistedEnumValue, &at, message, &Value::String(tag.clone()));
                        }
                    },
                    Some(other) => self.mismatch(&at, "a discriminator string", other),
                }
            }
            TypeKind::Untagged(untagged) => {
                // The client decodes the first variant that decodes (its unknown properties
                // and values are still reported); when none does, the closest one (fewest
                // disagreements) says what is wrong.
                let mut closest: Option<Vec<Observed>> = None;
                for variant in &untagged.variants {
                    let mut trial = Walk::new(self.api);
                    trial.value(&variant.ty, v, place);
                    if !trial.found.iter().any(|o| o.kind.breaks_decoding()) {
                        self.found.extend(trial.found);
                        return;
                    }
                    if closest.as_ref().is_none_or(|c| trial.found.len() < c.len()) {
                        closest = Some(trial.found);
                    }
                }
                self.found.extend(closest.unwrap_or_default());
            }
        }
    }

    fn object(&mut self, s: &Struct, v: &Value, place: &Place) {
        let Some(object) = v.as_object() else { return self.mismatch(place, "an object", v) };
        for field in &s.fields {
            let at = place.key(&field.json_name);
            match object.get(&field.json_name) {
                // A write-only property is never in an answer.
                None if field.required && !field.write_only => {
                    self.report(Kind::RequiredAbsent, &at, "a required property is absent", &keys(object));
                }
                None => {}
                Some(Value::Null) if field.nullable => {}
                Some(x) => self.value(&field.ty, x, &at),
            }
        }
        for (key, x) in object {
            if s.fields.iter().any(|f| f.json_name == *key) {
                continue;
            }
            match &s.additional {
                Some(ty) => self.value(ty, x, &place.any(key)),
                None => self.report(Kind::UndocumentedProperty, &place.key(key), "a property the schema does not describe", x),
            }
        }
    }
}

/// The keys an object has, as the example of what it lacks.
fn keys(object: &serde_json::Map<String, Value>) -> Value {
    Value::Array(object.keys().map(|k| Value::String(k.clone())).collect())
}
