//! Support for the generated open enums: a variant per documented value plus `Other(String)`.

use std::fmt;
use std::marker::PhantomData;

use schemars::Schema;
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
pub(crate) fn schema(known: &[&str]) -> Schema {
    let mut schema = Schema::default();
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
