//! [`Delivery`]: a schema example with its top-level keys kept in order, shared by the
//! `auth_and_parse` bench and the `loopback_load` example so both send the same bodies.

// Each includer uses part of this file.
#![allow(dead_code)]

use capillary_ens_schemas::EventName;
use serde::Deserialize;
use serde_json::Value;

/// A delivery's top level with its keys in the order they were written.
///
/// `serde_json::Value` sorts keys, which would put `data` before `eventName`; ENS deliveries,
/// like the schema examples, name the event first and end with `data`, and the receiver's
/// single-pass parse relies on that order (with `data` first it takes two passes: see the
/// `ens_parse_tolerant_data_first` part).
#[derive(Clone)]
pub(crate) struct Delivery(pub(crate) Vec<(String, Value)>);

impl Delivery {
    /// `examples[0]` of an event's embedded JSON Schema.
    pub(crate) fn schema_example(name: EventName) -> Self {
        #[derive(Deserialize)]
        struct Schema {
            examples: Vec<Delivery>,
        }
        let schema: Schema =
            serde_json::from_str(name.json_schema().expect("a known event")).expect("schema JSON");
        schema.examples.into_iter().next().expect("an example")
    }

    pub(crate) fn get_mut(&mut self, key: &str) -> &mut Value {
        self.0
            .iter_mut()
            .find_map(|(name, value)| (name == key).then_some(value))
            .expect("the key is present")
    }

    /// Replaces the value of `key`, or adds the key just before `data`.
    pub(crate) fn set(&mut self, key: &str, value: Value) {
        if let Some((_, existing)) = self.0.iter_mut().find(|(name, _)| name == key) {
            *existing = value;
        } else {
            let at = self.0.iter().position(|(name, _)| name == "data");
            self.0
                .insert(at.unwrap_or(self.0.len()), (key.to_owned(), value));
        }
    }

    /// The same delivery with `data` moved first.
    pub(crate) fn data_first(&self) -> Self {
        let mut fields = self.0.clone();
        fields.sort_by_key(|(name, _)| name != "data");
        Self(fields)
    }

    pub(crate) fn to_vec(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("serializable")
    }
}

impl serde::Serialize for Delivery {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for Delivery {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Fields;
        impl<'de> serde::de::Visitor<'de> for Fields {
            type Value = Delivery;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Delivery, A::Error> {
                let mut fields = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    fields.push(entry);
                }
                Ok(Delivery(fields))
            }
        }
        deserializer.deserialize_map(Fields)
    }
}
