//! [`IntOrString`], for ids that are numbers in one payload and strings in another.

use std::fmt;

use serde::de::{self, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An id that ENS sends as a JSON number in some payloads and as a string in others
/// (for example a reward's `transactionId`). It keeps whichever form arrived.
///
/// ```
/// use capillary_ens_schemas::IntOrString;
///
/// let id: IntOrString = serde_json::from_str("12344").unwrap();
/// assert_eq!(id, IntOrString::Int(12344));
/// assert_eq!(id.to_string(), "12344");
/// let id: IntOrString = serde_json::from_str("\"T-12344\"").unwrap();
/// assert_eq!(id.as_i64(), None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IntOrString {
    /// The id arrived as a JSON number.
    Int(i64),
    /// The id arrived as a JSON string.
    String(String),
}

impl IntOrString {
    /// The id as an integer: the number, or a string that holds one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Self::Int(value) => Some(*value),
            Self::String(value) => value.trim().parse().ok(),
        }
    }
}

impl Default for IntOrString {
    fn default() -> Self {
        Self::String(String::new())
    }
}

impl fmt::Display for IntOrString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Int(value) => write!(f, "{value}"),
            Self::String(value) => f.write_str(value),
        }
    }
}

impl From<i64> for IntOrString {
    fn from(value: i64) -> Self {
        Self::Int(value)
    }
}

impl From<&str> for IntOrString {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<String> for IntOrString {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl Serialize for IntOrString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Int(value) => serializer.serialize_i64(*value),
            Self::String(value) => serializer.serialize_str(value),
        }
    }
}

impl<'de> Deserialize<'de> for IntOrString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(IntOrStringVisitor)
    }
}

struct IntOrStringVisitor;

impl Visitor<'_> for IntOrStringVisitor {
    type Value = IntOrString;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer or a string")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<IntOrString, E> {
        Ok(IntOrString::Int(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<IntOrString, E> {
        i64::try_from(value)
            .map(IntOrString::Int)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<IntOrString, E> {
        if value.fract() == 0.0 && value.abs() <= 9_007_199_254_740_992.0 {
            Ok(IntOrString::Int(value as i64))
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<IntOrString, E> {
        Ok(IntOrString::String(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<IntOrString, E> {
        Ok(IntOrString::String(value))
    }
}

/// With the feature `schemars`: an integer or a string.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for IntOrString {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "IntOrString".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["integer", "string"] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_form_that_arrived() {
        for (json, expected) in [
            ("7", IntOrString::Int(7)),
            ("7.0", IntOrString::Int(7)),
            ("\"7\"", IntOrString::String("7".into())),
        ] {
            let parsed: IntOrString = serde_json::from_str(json).unwrap();
            assert_eq!(parsed, expected);
            let back: IntOrString =
                serde_json::from_str(&serde_json::to_string(&parsed).unwrap()).unwrap();
            assert_eq!(back, parsed);
        }
        assert!(serde_json::from_str::<IntOrString>("7.5").is_err());
        assert!(serde_json::from_str::<IntOrString>("null").is_err());
    }
}
