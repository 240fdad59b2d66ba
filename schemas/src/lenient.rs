//! Numbers as leniently as ENS sends them.
//!
//! Placeholder and hand-written payloads render integers as floats (`50952.0`, `1.73985783E12`)
//! and some quantities as decimal strings (`"600.000"`). Generated fields whose type contains
//! `i64` or `f64` use `#[serde(deserialize_with = "crate::lenient::deserialize")]`: an integer accepts any JSON number
//! with no fractional part and a string holding one; a float accepts any number and a decimal
//! string. Anything else is still an error, named at its JSON path. Serialization is the
//! ordinary one: numbers are written as numbers.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, DeserializeOwned, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

use crate::Pii;

/// A type with a lenient wire form that is read first and then converted.
pub(crate) trait Lenient: Sized {
    type Wire: DeserializeOwned;
    fn from_wire(wire: Self::Wire) -> Self;
}

pub(crate) fn deserialize<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    T::Wire::deserialize(deserializer).map(T::from_wire)
}

/// Largest magnitude below which every integer is exactly representable as an `f64`.
const EXACT_F64_INTEGER: f64 = 9_007_199_254_740_992.0;

pub(crate) struct LenientI64(i64);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(I64Visitor).map(LenientI64)
    }
}

struct I64Visitor;

impl I64Visitor {
    fn integral<E: de::Error>(self, value: f64) -> Result<i64, E> {
        if value.fract() == 0.0 && value.abs() <= EXACT_F64_INTEGER {
            // Exact: the value is integral and within the range where f64 holds integers exactly.
            Ok(value as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }
}

impl Visitor<'_> for I64Visitor {
    type Value = i64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer (`12`, `12.0` or `\"12\"`)")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
        i64::try_from(value).map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<i64, E> {
        self.integral(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<i64, E> {
        let trimmed = value.trim();
        if let Ok(integer) = trimmed.parse::<i64>() {
            return Ok(integer);
        }
        match trimmed.parse::<f64>() {
            Ok(float) if float.is_finite() => self.integral(float),
            _ => Err(E::invalid_value(Unexpected::Str(value), &self)),
        }
    }
}

pub(crate) struct LenientF64(f64);

impl<'de> Deserialize<'de> for LenientF64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(F64Visitor).map(LenientF64)
    }
}

struct F64Visitor;

impl Visitor<'_> for F64Visitor {
    type Value = f64;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a number (`2261.5` or `\"2261.5\"`)")
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        Ok(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<f64, E> {
        match value.trim().parse::<f64>() {
            Ok(float) if float.is_finite() => Ok(float),
            _ => Err(E::invalid_value(Unexpected::Str(value), &self)),
        }
    }
}

impl Lenient for i64 {
    type Wire = LenientI64;
    fn from_wire(wire: LenientI64) -> Self {
        wire.0
    }
}

impl Lenient for f64 {
    type Wire = LenientF64;
    fn from_wire(wire: LenientF64) -> Self {
        wire.0
    }
}

impl<T: Lenient> Lenient for Option<T> {
    type Wire = Option<T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        wire.map(T::from_wire)
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    type Wire = Vec<T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        wire.into_iter().map(T::from_wire).collect()
    }
}

impl<T: Lenient> Lenient for Pii<T> {
    type Wire = Pii<T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        Pii::new(T::from_wire(wire.into_inner()))
    }
}

impl<T: Lenient> Lenient for BTreeMap<String, T> {
    type Wire = BTreeMap<String, T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        wire.into_iter()
            .map(|(key, value)| (key, T::from_wire(value)))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Sample {
        #[serde(deserialize_with = "crate::lenient::deserialize")]
        integer: i64,
        #[serde(deserialize_with = "crate::lenient::deserialize", default)]
        float: Option<f64>,
        #[serde(deserialize_with = "crate::lenient::deserialize", default)]
        integers: Vec<i64>,
    }

    fn parse(json: &str) -> Result<Sample, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_accept_integral_floats_and_strings() {
        for (json, expected) in [
            (r#"{"integer": 50952}"#, 50952),
            (r#"{"integer": 50952.0}"#, 50952),
            (r#"{"integer": 1.73985783E12}"#, 1_739_857_830_000),
            (r#"{"integer": "-1"}"#, -1),
            (r#"{"integer": "12.000"}"#, 12),
        ] {
            assert_eq!(parse(json).unwrap().integer, expected, "{json}");
        }
    }

    #[test]
    fn integers_reject_fractions_and_junk() {
        for json in [
            r#"{"integer": 1.5}"#,
            r#"{"integer": "abc"}"#,
            r#"{"integer": 18446744073709551615}"#,
            r#"{"integer": 1e300}"#,
            r#"{"integer": true}"#,
            r#"{"integer": null}"#,
        ] {
            assert!(parse(json).is_err(), "{json}");
        }
    }

    #[test]
    fn floats_accept_decimal_strings() {
        let sample = parse(r#"{"integer": 1, "float": "600.000", "integers": [1, 2.0]}"#).unwrap();
        assert_eq!(sample.float, Some(600.0));
        assert_eq!(sample.integers, [1, 2]);
        assert!(parse(r#"{"integer": 1, "float": "NaN"}"#).is_err());
    }

    #[test]
    fn null_and_absent_options_are_none() {
        assert_eq!(
            parse(r#"{"integer": 1, "float": null}"#).unwrap().float,
            None
        );
        assert_eq!(parse(r#"{"integer": 1}"#).unwrap().float, None);
    }
}
