//! [`NumberOrText`], for values the docs and the samples disagree on.

use std::fmt;

use serde::de::Unexpected;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::Decimal;
use crate::decimal::{FromReading, Reading};

/// A value that is a number in some payloads and text in others, where the docs say one
/// and the samples show the other (target values such as `"14.000"`, points written as
/// strings). A number, or a string holding one, is a [`Decimal`]; any other text is kept as
/// sent instead of failing the whole event.
///
/// ```
/// use capillary_ens_schemas::NumberOrText;
///
/// let value: NumberOrText = serde_json::from_str(r#""14.000""#).unwrap();
/// assert_eq!(value.to_f64(), Some(14.0));
/// let value: NumberOrText = serde_json::from_str(r#""N/A""#).unwrap();
/// assert_eq!(value.as_text(), Some("N/A"));
/// assert_eq!(serde_json::to_string(&value).unwrap(), r#""N/A""#);
/// ```
///
/// An empty string is not text here: an optional field holding `""` is `None`, and a required
/// one keeps it as `Text("")`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum NumberOrText {
    /// A number, or a string holding one (its digits kept as sent).
    Number(Decimal),
    /// Text that is not a number, exactly as it arrived.
    Text(String),
}

impl NumberOrText {
    /// The number, when the value is one.
    pub fn as_decimal(&self) -> Option<&Decimal> {
        match self {
            Self::Number(number) => Some(number),
            Self::Text(_) => None,
        }
    }

    /// The number as an `f64`, when the value is one.
    pub fn to_f64(&self) -> Option<f64> {
        self.as_decimal().map(Decimal::to_f64)
    }

    /// The text, when the value is not a number.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Self::Number(_) => None,
            Self::Text(text) => Some(text),
        }
    }
}

impl Default for NumberOrText {
    fn default() -> Self {
        Self::Number(Decimal::ZERO)
    }
}

impl fmt::Display for NumberOrText {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Number(number) => number.fmt(f),
            Self::Text(text) => f.write_str(text),
        }
    }
}

impl From<Decimal> for NumberOrText {
    fn from(value: Decimal) -> Self {
        Self::Number(value)
    }
}

impl From<i64> for NumberOrText {
    fn from(value: i64) -> Self {
        Self::Number(value.into())
    }
}

impl From<&str> for NumberOrText {
    /// A number when the text holds one, otherwise the text.
    fn from(value: &str) -> Self {
        match value.parse() {
            Ok(number) => Self::Number(number),
            Err(_) => Self::Text(value.to_owned()),
        }
    }
}

impl Serialize for NumberOrText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Number(number) => number.serialize(serializer),
            Self::Text(text) => serializer.serialize_str(text),
        }
    }
}

impl FromReading for NumberOrText {
    const EXPECTING: &'static str = "a number or a string";

    fn from_reading(reading: Reading<'_>) -> Result<Option<Self>, Unexpected<'static>> {
        match reading {
            Reading::Blank => Ok(None),
            Reading::Number(number) => Ok(Some(Self::Number(number))),
            Reading::Text(text) => Ok(Some(Self::Text(text.into_owned()))),
            Reading::Other(unexpected) => Err(unexpected),
        }
    }
}

impl<'de> Deserialize<'de> for NumberOrText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(crate::decimal::deserialize_reading(deserializer)?
            .unwrap_or_else(|| Self::Text(String::new())))
    }
}

/// With the feature `schemars`.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for NumberOrText {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NumberOrText".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["number", "string"] })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_become_decimals_and_other_text_is_kept() {
        for (json, expected) in [
            ("14", NumberOrText::Number(Decimal::from(14))),
            (
                "\"14.000\"",
                NumberOrText::Number(serde_json::from_str("\"14.000\"").unwrap()),
            ),
            ("\"N/A\"", NumberOrText::Text("N/A".into())),
            ("\"\"", NumberOrText::Text(String::new())),
        ] {
            let value: NumberOrText = serde_json::from_str(json).unwrap();
            assert_eq!(value, expected, "{json}");
            let back: NumberOrText =
                serde_json::from_str(&serde_json::to_string(&value).unwrap()).unwrap();
            assert_eq!(back, value, "{json}");
        }
        for json in ["true", "null", "{}", "[1]"] {
            assert!(
                serde_json::from_str::<NumberOrText>(json).is_err(),
                "{json}"
            );
        }
    }
}
