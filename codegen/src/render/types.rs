//! The Rust spelling of the IR's types, decided here once: a use of a type, a request
//! body as its setter takes it, an answer as `send` gives it.

use crate::ir::{Api, ResponseKind, TypeRef};

/// The Rust type of a use of a type; `models` is the path of the models module from where
/// the type is printed. A `format: binary` string that is a field or a parameter is text
/// (`String`); only a whole body or answer is raw bytes ([`body_type`], [`answer_type`]).
pub(crate) fn rust_type(api: &Api, ty: &TypeRef, models: &str) -> String {
    match ty {
        TypeRef::String | TypeRef::Bytes => "String".to_owned(),
        TypeRef::Bool => "bool".to_owned(),
        TypeRef::I32 => "i32".to_owned(),
        TypeRef::I64 => "i64".to_owned(),
        TypeRef::F32 => "f32".to_owned(),
        TypeRef::F64 => "f64".to_owned(),
        TypeRef::DateTime => "chrono::DateTime<chrono::Utc>".to_owned(),
        TypeRef::Date => "chrono::NaiveDate".to_owned(),
        TypeRef::Json => "serde_json::Value".to_owned(),
        TypeRef::Vec(inner) => format!("Vec<{}>", rust_type(api, inner, models)),
        TypeRef::Map(inner) => format!("std::collections::BTreeMap<String, {}>", rust_type(api, inner, models)),
        TypeRef::Named(id) => format!("{models}::{}", super::ident(&api.ty(*id).ident)),
    }
}

/// A request body's type as `.body(..)` takes it: raw bytes are `Vec<u8>` (the runtime's
/// `bytes_body` sends them as they are), anything else is serialized as JSON.
pub(crate) fn body_type(api: &Api, ty: &TypeRef, models: &str) -> String {
    match ty {
        TypeRef::Bytes => "Vec<u8>".to_owned(),
        other => rust_type(api, other, models),
    }
}

/// What a call answers; the runtime's `builder!` decodes by it: `()` is an empty answer,
/// `bytes::Bytes` the raw body, anything else JSON.
pub(crate) fn answer_type(api: &Api, response: &ResponseKind, models: &str) -> String {
    match response {
        ResponseKind::Empty => "()".to_owned(),
        ResponseKind::Bytes => "bytes::Bytes".to_owned(),
        ResponseKind::Json(ty) => rust_type(api, ty, models),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing;
    use super::*;

    #[test]
    fn bytes_are_text_in_a_field_and_raw_as_a_body_or_answer() {
        let api = testing::api(&testing::spec("", ""));
        let list = TypeRef::Vec(Box::new(TypeRef::Bytes));
        for (got, want) in [
            (rust_type(&api, &TypeRef::Bytes, "m"), "String"),
            (rust_type(&api, &list, "m"), "Vec<String>"),
            (body_type(&api, &TypeRef::Bytes, "m"), "Vec<u8>"),
            (body_type(&api, &list, "m"), "Vec<String>"),
            (answer_type(&api, &ResponseKind::Bytes, "m"), "bytes::Bytes"),
            (answer_type(&api, &ResponseKind::Empty, "m"), "()"),
            (answer_type(&api, &ResponseKind::Json(TypeRef::Map(Box::new(TypeRef::I64))), "m"), "std::collections::BTreeMap<String, i64>"),
        ] {
            assert_eq!(got, want);
        }
    }
}
