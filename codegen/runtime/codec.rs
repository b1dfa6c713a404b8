//! serde support shared by the generated models: open string enums and discriminated
//! unions that keep what they do not know instead of failing the whole response.

// A spec without enums or unions uses only some of these helpers.
#![allow(dead_code, unused_macros, unused_imports)]

use serde::de::{Deserializer, Error as _};
use serde::ser::{Error as _, Serializer};

/// `new()` and the setters of a model, from its table of fields, written once here instead
/// of a function body per model (the generator parses every body it prints).
///
/// `new!(Name(required: Type, ..) optional, ..; setters)` for a model with required fields:
/// `new` takes those and leaves the optional ones `None` (`+ additional` also empties the
/// map of keys the schema does not name); `new!(Name default; setters)` for one whose fields
/// are all optional, where `new()` is `Default`'s value. A setter is
/// `method(field "jsonName" into)` for a string (`impl Into<String>`),
/// `method(field "jsonName" boxed Type)` for a boxed field and `method(field "jsonName" Type)`
/// otherwise; it sets the field's `Option`.
macro_rules! new {
    ($name:ident default $(; $($setter:ident($($row:tt)*)),* $(,)?)?) => {
        impl $name {
            /// A value with every field empty (they are all optional).
            pub fn new() -> Self {
                Self::default()
            }
            $($($crate::codec::new!(@setter $setter $($row)*);)*)?
        }
    };
    (
        $name:ident($($req:ident: $ty:ty),* $(,)?) $($opt:ident),* $(+ $extra:ident)?
        $(; $($setter:ident($($row:tt)*)),* $(,)?)?
    ) => {
        impl $name {
            /// A value with the required fields set and the optional ones empty.
            #[allow(clippy::too_many_arguments)]
            pub fn new($($req: $ty),*) -> Self {
                Self { $($req,)* $($opt: None,)* $($extra: Default::default())? }
            }
            $($($crate::codec::new!(@setter $setter $($row)*);)*)?
        }
    };
    (@setter $setter:ident $field:ident $json:literal into) => {
        #[doc = concat!(" Sets `", $json, "`.")]
        pub fn $setter(self, value: impl Into<String>) -> Self {
            $crate::request::with(self, |s| s.$field = Some(value.into()))
        }
    };
    (@setter $setter:ident $field:ident $json:literal boxed $arg:ty) => {
        #[doc = concat!(" Sets `", $json, "`.")]
        pub fn $setter(self, value: $arg) -> Self {
            $crate::request::with(self, |s| s.$field = Some(Box::new(value)))
        }
    };
    (@setter $setter:ident $field:ident $json:literal $arg:ty) => {
        #[doc = concat!(" Sets `", $json, "`.")]
        pub fn $setter(self, value: $arg) -> Self {
            $crate::request::with(self, |s| s.$field = Some(value))
        }
    };
}
pub(crate) use new;

/// `Serialize` and `Deserialize` of a model struct, from its table of fields and JSON names:
/// `field("jsonName")` is always sent, `field["jsonName"]` is left out while `None`. That is
/// what serde's derive gives with `rename` on every field and `skip_serializing_if =
/// "Option::is_none"` on the bracketed ones, with the work in the generic functions below
/// instead of a few hundred lines of visitor per model (the derive's expansion was most of
/// what the compiler read of a generated crate). As with the derive, unknown keys are
/// skipped, a key twice is an error, and a missing field is `None` for an `Option` and an
/// error naming the field otherwise; fields are sent in the struct's order.
macro_rules! object {
    // `$key` is the JSON name of a field always sent, `$opt` of one left out while `None`;
    // each field has one of the two, and `$($key)? $($opt)?` is its name either way.
    ($name:ident; $($field:ident $(($key:literal))? $([$opt:literal])?),* $(,)?) => {
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                use ::serde::ser::SerializeStruct as _;
                let len = 0 $($(+ $crate::codec::sent($key))? $(+ $crate::codec::sent_if($opt, &self.$field))?)*;
                // Not `mut` for a struct without fields.
                #[allow(unused_mut)]
                let mut out = serializer.serialize_struct(stringify!($name), len)?;
                $(
                    $(out.serialize_field($key, &self.$field)?;)?
                    $($crate::codec::send_if(&mut out, $opt, &self.$field)?;)?
                )*
                out.end()
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                struct Visitor;
                impl<'de> ::serde::de::Visitor<'de> for Visitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("struct ", stringify!($name)))
                    }
                    fn visit_map<A: ::serde::de::MapAccess<'de>>(self, mut map: A) -> ::std::result::Result<$name, A::Error> {
                        $(let mut $field = None;)*
                        while let Some(key) = map.next_key::<$crate::codec::Key<'de>>()? {
                            // One `?` after the match, not one per arm, and `?` only on the
                            // fields that can be missing: each `?` is a way out of the function
                            // past every slot, and the borrow checker's work grows with the
                            // product of the two (it was most of a model crate's check).
                            // `take` is told its error type so that inference need not wait
                            // for the `?` to find it.
                            match key.0.as_ref() {
                                $($($key)? $($opt)? => $crate::codec::slot(&mut $field, &mut map, $($key)? $($opt)?),)*
                                _ => $crate::codec::skip(&mut map),
                            }?;
                        }
                        Ok($name { $($field: $($crate::codec::take::<_, A::Error>($field, $key)?)? $($crate::codec::opt($field, $opt))?,)* })
                    }
                }
                deserializer.deserialize_struct(stringify!($name), &[$($($key)? $($opt)?),*], Visitor)
            }
        }
    };
}
pub(crate) use object;

/// A field always sent counts one in the length `serialize_struct` is told (the key is
/// only there to say which field this is).
pub(crate) const fn sent(_key: &str) -> usize {
    1
}

/// A field left out while `None` counts one when it is sent.
pub(crate) const fn sent_if<T>(_key: &str, value: &Option<T>) -> usize {
    value.is_some() as usize
}

/// Sends field `key` when it is `Some`, and tells the serializer it was skipped otherwise.
pub(crate) fn send_if<S: serde::ser::SerializeStruct, T: serde::Serialize>(
    out: &mut S,
    key: &'static str,
    value: &Option<T>,
) -> Result<(), S::Error> {
    match value {
        Some(_) => out.serialize_field(key, value),
        None => out.skip_field(key),
    }
}

/// An object key, borrowed from the input when it can be (no allocation per key).
pub(crate) struct Key<'de>(pub(crate) std::borrow::Cow<'de, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize_str(deserializer).map(Key)
    }
}

/// Reads the value of field `key` into its slot; a key seen twice is an error.
pub(crate) fn slot<'de, T: serde::Deserialize<'de>, A: serde::de::MapAccess<'de>>(
    slot: &mut Option<T>,
    map: &mut A,
    key: &'static str,
) -> Result<(), A::Error> {
    if slot.is_some() {
        return Err(serde::de::Error::duplicate_field(key));
    }
    *slot = Some(map.next_value()?);
    Ok(())
}

/// Skips the value of a key the model does not have.
pub(crate) fn skip<'de, A: serde::de::MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<serde::de::IgnoredAny>().map(drop)
}

/// The value of field `key` once the object has ended. A field that never came is asked of
/// the field's own type, as serde's derive does: `None` for an `Option`, an error naming the
/// field for anything else.
pub(crate) fn take<'de, T: serde::Deserialize<'de>, E: serde::de::Error>(slot: Option<T>, key: &'static str) -> Result<T, E> {
    match slot {
        Some(value) => Ok(value),
        None => T::deserialize(Missing(key, std::marker::PhantomData)),
    }
}

/// The value of a field left out while `None`: `None` when it never came or came as null,
/// which is what [`take`] gives for an `Option`, without its `?`. The key only ties the call
/// to the field's bracketed JSON name in `object!`'s table (as in [`sent_if`]).
pub(crate) fn opt<T>(slot: Option<Option<T>>, _key: &str) -> Option<T> {
    slot.flatten()
}

/// The value of a missing field: nothing for an `Option`, an error for anything else.
struct Missing<E>(&'static str, std::marker::PhantomData<E>);

impl<'de, E: serde::de::Error> Deserializer<'de> for Missing<E> {
    type Error = E;
    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, E> {
        Err(E::missing_field(self.0))
    }
    fn deserialize_option<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, E> {
        visitor.visit_none()
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The impls of an open string enum, from its table of variants and JSON values:
/// `as_str`, `From<&str>` (unlisted values become the catch-all variant), `Display`,
/// `FromStr`, `Serialize` and `Deserialize`. The enum itself is printed with its docs.
macro_rules! string_enum {
    ($name:ident, $unknown:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// The value as it appears in JSON.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$unknown(value) => value,
                }
            }
        }
        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::$unknown(other.to_owned()),
                }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(s: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(s))
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                $crate::codec::deserialize_str(deserializer).map(|s| Self::from(s.as_ref()))
            }
        }
    };
}
pub(crate) use string_enum;

/// The impls of an open integer enum sent as `$repr`, from its table of variants and
/// values: `value`, `From<$repr>` (unlisted values become the catch-all variant),
/// `Display`, `Serialize` and `Deserialize`.
macro_rules! int_enum {
    ($name:ident, $repr:ty, $unknown:ident { $($variant:ident = $value:literal),* $(,)? }) => {
        impl $name {
            /// The value as it appears in JSON.
            pub fn value(&self) -> $repr {
                match self {
                    $(Self::$variant => $value,)*
                    Self::$unknown(value) => *value,
                }
            }
        }
        impl ::std::convert::From<$repr> for $name {
            fn from(value: $repr) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::$unknown(other),
                }
            }
        }
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "{}", self.value())
            }
        }
        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.value(), serializer)
            }
        }
        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                <$repr as ::serde::Deserialize>::deserialize(deserializer).map(Self::from)
            }
        }
    };
}
pub(crate) use int_enum;

/// Reads a string, borrowing it when the input allows.
pub(crate) fn deserialize_str<'de, D: Deserializer<'de>>(deserializer: D) -> Result<std::borrow::Cow<'de, str>, D::Error> {
    struct Visitor;
    impl<'de> serde::de::Visitor<'de> for Visitor {
        type Value = std::borrow::Cow<'de, str>;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string")
        }
        fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Borrowed(v))
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v.to_owned()))
        }
        fn visit_string<E: serde::de::Error>(self, v: String) -> Result<Self::Value, E> {
            Ok(std::borrow::Cow::Owned(v))
        }
    }
    deserializer.deserialize_str(Visitor)
}

/// The discriminator value of a JSON object, if it has one.
pub(crate) fn tag_of<'v>(value: &'v serde_json::Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Decodes one variant of a discriminated union from the buffered object.
pub(crate) fn variant<'de, T: serde::de::DeserializeOwned, D: Deserializer<'de>>(value: serde_json::Value) -> Result<T, D::Error> {
    serde_json::from_value(value).map_err(D::Error::custom)
}

/// Serializes one variant of a discriminated union, making sure the discriminator is set.
pub(crate) fn serialize_tagged<S: Serializer, T: serde::Serialize>(
    serializer: S,
    property: &str,
    tag: &str,
    value: &T,
) -> Result<S::Ok, S::Error> {
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut json {
        map.entry(property.to_owned()).or_insert_with(|| serde_json::Value::String(tag.to_owned()));
    }
    serde::Serialize::serialize(&json, serializer)
}
