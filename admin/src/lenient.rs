//! Deserializers that take what the API sends and never fail on a field of an unexpected type:
//! a value that cannot be read is `None` (or skipped in a list), so one odd field does not
//! lose a whole response.

use capillary_ens_schemas::{EventName, Pii};
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

/// Text from a string, number or boolean.
pub(crate) fn string<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<String>, D::Error> {
    Ok(as_string(Value::deserialize(deserializer)?))
}

/// An integer from an integer, an integral float (`10.0`) or a decimal string.
pub(crate) fn int<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<i64>, D::Error> {
    Ok(as_int(&Value::deserialize(deserializer)?))
}

/// A number from a number or a decimal string.
pub(crate) fn float<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<f64>, D::Error> {
    Ok(as_float(&Value::deserialize(deserializer)?))
}

/// A boolean from a boolean or the strings `"true"` / `"false"`.
pub(crate) fn boolean<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<bool>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Bool(flag) => Some(flag),
        Value::String(text) if text.eq_ignore_ascii_case("true") => Some(true),
        Value::String(text) if text.eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

/// A list of strings; entries that are not text are skipped, `null` is empty.
pub(crate) fn strings<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items.into_iter().filter_map(as_string).collect(),
        _ => Vec::new(),
    })
}

/// A list of event names; entries that are not strings are skipped, `null` is empty.
pub(crate) fn event_names<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<EventName>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(EventName::from_wire)
            .collect(),
        _ => Vec::new(),
    })
}

/// Trimmed text from a string, number or boolean; blank text is `None`.
pub(crate) fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    Ok(as_text(Value::deserialize(deserializer)?))
}

/// Trimmed text that must be there: blank or missing text fails, so the list entry that holds
/// it is skipped (see [`objects`]).
pub(crate) fn required_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<String, D::Error> {
    as_text(Value::deserialize(deserializer)?).ok_or_else(|| serde::de::Error::custom("blank text"))
}

/// A boolean as [`boolean`] reads it; anything else is `false`.
pub(crate) fn flag<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(boolean(deserializer)?.unwrap_or(false))
}

/// Personal text, trimmed; blank text is `None`.
pub(crate) fn pii_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Pii<String>>, D::Error> {
    Ok(as_text(Value::deserialize(deserializer)?).map(Pii::new))
}

/// Personal text, trimmed, that must be there: blank or missing text fails, so the entry of a
/// list read with [`objects`] that holds it is skipped.
pub(crate) fn required_pii_text<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Pii<String>, D::Error> {
    as_text(Value::deserialize(deserializer)?)
        .map(Pii::new)
        .ok_or_else(|| serde::de::Error::custom("blank text"))
}

/// A JSON object as a map, kept as personal data; anything else is empty.
pub(crate) fn pii_map<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Pii<Map<String, Value>>, D::Error> {
    Ok(Pii::new(match Value::deserialize(deserializer)? {
        Value::Object(map) => map,
        _ => Map::new(),
    }))
}

/// A list of objects read as `T`; entries that are not objects or do not read are skipped,
/// anything but a list is empty.
pub(crate) fn objects<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(match Value::deserialize(deserializer)? {
        Value::Array(items) => items
            .into_iter()
            .filter(Value::is_object)
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect(),
        _ => Vec::new(),
    })
}

/// An object read as `T`, else `None` (an array is not read as a struct).
pub(crate) fn one_object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = Value::deserialize(deserializer)?;
    Ok(value
        .is_object()
        .then(|| serde_json::from_value(value).ok())
        .flatten())
}

/// Any value that deserializes into `T`, else `None`.
pub(crate) fn object<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    Ok(serde_json::from_value(Value::deserialize(deserializer)?).ok())
}

pub(crate) fn as_string(value: Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text),
        Value::Number(number) => Some(number.to_string()),
        Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}

fn as_text(value: Value) -> Option<String> {
    let text = as_string(value)?;
    let trimmed = text.trim();
    (!trimmed.is_empty()).then(|| trimmed.to_owned())
}

pub(crate) fn as_int(value: &Value) -> Option<i64> {
    match value {
        Value::Number(number) => number.as_i64().or_else(|| {
            number
                .as_f64()
                .filter(|float| float.fract() == 0.0 && float.abs() < 9.0e15)
                .map(|float| float as i64)
        }),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
}

pub(crate) fn as_float(value: &Value) -> Option<f64> {
    match value {
        Value::Number(number) => number.as_f64(),
        Value::String(text) => text
            .trim()
            .parse()
            .ok()
            .filter(|float: &f64| float.is_finite()),
        _ => None,
    }
}
