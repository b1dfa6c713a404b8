//! serde support shared by the generated models: open string enums and discriminated
//! unions that keep what they do not know instead of failing the whole response.

// A spec without enums or unions uses only some of these helpers.
#![allow(dead_code, unused_macros, unused_imports)]

use serde::de::{Deserializer, Error as _};
use serde::ser::{Error as _, Serializer};

/// `new()` of a model whose fields are all optional: the same value as `Default`, kept
/// as a constructor like every other model's, written once here instead of per model.
macro_rules! default_new {
    ($name:ident) => {
        impl $name {
            /// A value with every field empty (they are all optional).
            pub fn new() -> Self {
                Self::default()
            }
        }
    };
}
pub(crate) use default_new;

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
        map.entry(property.to_owned())
            .or_insert_with(|| serde_json::Value::String(tag.to_owned()));
    }
    serde::Serialize::serialize(&json, serializer)
}
