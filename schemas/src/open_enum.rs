//! Support for the generated open enums: a variant per documented value plus `Other(String)`.

use std::fmt;
use std::marker::PhantomData;

use serde::Deserializer;
use serde::de::{self, Visitor};

/// Reads a string and maps it with the enum's `from_wire`, which never fails.
pub(crate) fn deserialize<'de, D, T>(
    deserializer: D,
    from_wire: fn(&str) -> T,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    deserializer.deserialize_str(OpenEnumVisitor {
        from_wire,
        marker: PhantomData,
    })
}

struct OpenEnumVisitor<T> {
    from_wire: fn(&str) -> T,
    marker: PhantomData<T>,
}

impl<T> Visitor<'_> for OpenEnumVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<T, E> {
        Ok((self.from_wire)(value))
    }
}

/// The JSON Schema of an open enum: any string, with the documented values listed.
#[cfg(feature = "schemars")]
pub(crate) fn schema(known: &[&str]) -> schemars::Schema {
    let mut schema = schemars::Schema::default();
    schema.insert("type".to_owned(), "string".into());
    schema.insert(
        "examples".to_owned(),
        known
            .iter()
            .map(|value| serde_json::Value::from(*value))
            .collect(),
    );
    schema
}

/// Implements the traits every generated open enum shares, from its `KNOWN`, `as_str` and
/// `from_wire`: `Default` (an empty `Other`), `Display` and `Serialize` (the wire text),
/// `From<&str>` and `Deserialize` (through `from_wire`, so they never fail), and
/// with the feature `schemars`, `schemars::JsonSchema` (any string, with the documented values as `examples`, named after
/// the type and identified by the calling module's path).
///
/// The generator writes `crate::open_enum::impl_open_enum!(RestrictionType);` after each open
/// enum's inherent impl.
macro_rules! impl_open_enum {
    ($name:ident) => {
        impl Default for $name {
            fn default() -> Self {
                Self::Other(String::new())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                Self::from_wire(value)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::open_enum::deserialize(deserializer, Self::from_wire)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for $name {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                stringify!($name).into()
            }

            fn schema_id() -> std::borrow::Cow<'static, str> {
                concat!(module_path!(), "::", stringify!($name)).into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                let known: Vec<&str> = Self::KNOWN.iter().map(Self::as_str).collect();
                $crate::open_enum::schema(&known)
            }
        }
    };
}

pub(crate) use impl_open_enum;
