//! Numbers as leniently as ENS sends them.
//!
//! Placeholder and hand-written payloads render integers as floats (`50952.0`, `1.73985783E12`)
//! and some quantities as decimal strings (`"600.000"`). Generated fields whose type contains
//! `i64`, [`Decimal`], [`Timestamp`] or [`NumberOrText`] use
//! `#[serde(deserialize_with = "crate::lenient::deserialize")]`: an integer accepts any JSON
//! number with no fractional part and a string holding one; a decimal accepts any number and a
//! decimal string. In an optional field, `null` and a blank string (`""`) are absent. Anything
//! else is still an error, named at its JSON path. Serialization is the ordinary one.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, Unexpected, Visitor};
use serde::{Deserialize, Deserializer};

use crate::{Decimal, NumberOrText, Pii, Timestamp};

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

/// A single lenient value: read from whatever form it arrived in, or found blank (`""`).
pub(crate) trait Scalar: Sized {
    /// What an error says was expected.
    const EXPECTING: &'static str;
    /// The value, or `None` when it arrived as a blank string.
    fn deserialize_or_blank<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error>;

    /// The value in an optional field: `None` when it is `null` or blank.
    fn deserialize_optional<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_option(OptionalVisitor(PhantomData))
    }
}

/// Reads a scalar where it is required: a blank string is an error.
pub(crate) fn required<'de, D: Deserializer<'de>, T: Scalar>(
    deserializer: D,
) -> Result<T, D::Error> {
    T::deserialize_or_blank(deserializer)?
        .ok_or_else(|| de::Error::invalid_value(Unexpected::Str(""), &T::EXPECTING))
}

/// Largest magnitude below which every integer is exactly representable as an `f64`.
const EXACT_F64_INTEGER: f64 = 9_007_199_254_740_992.0;

pub(crate) struct LenientI64(i64);

impl<'de> Deserialize<'de> for LenientI64 {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        required(deserializer).map(LenientI64)
    }
}

impl Scalar for i64 {
    const EXPECTING: &'static str = "an integer (`12`, `12.0` or `\"12\"`)";

    fn deserialize_or_blank<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        deserializer.deserialize_any(I64Visitor)
    }
}

impl Scalar for Timestamp {
    const EXPECTING: &'static str = "epoch milliseconds (`1731926537000` or `\"1731926537000\"`)";

    fn deserialize_or_blank<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        Ok(i64::deserialize_or_blank(deserializer)?.map(Timestamp::from_millis))
    }
}

impl Scalar for Decimal {
    const EXPECTING: &'static str = "a decimal number (`2261.5` or `\"2261.5\"`)";

    fn deserialize_or_blank<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        crate::decimal::deserialize_reading(deserializer)
    }

    fn deserialize_optional<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        crate::decimal::deserialize_optional_reading(deserializer)
    }
}

impl Scalar for NumberOrText {
    const EXPECTING: &'static str = "a number or a string";

    fn deserialize_or_blank<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        crate::decimal::deserialize_reading(deserializer)
    }

    fn deserialize_optional<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Self>, D::Error> {
        crate::decimal::deserialize_optional_reading(deserializer)
    }
}

struct I64Visitor;

impl I64Visitor {
    fn integral<E: de::Error>(self, value: f64) -> Result<Option<i64>, E> {
        if value.fract() == 0.0 && value.abs() <= EXACT_F64_INTEGER {
            // Exact: the value is integral and within the range where f64 holds integers exactly.
            Ok(Some(value as i64))
        } else {
            Err(E::invalid_value(Unexpected::Float(value), &self))
        }
    }
}

impl Visitor<'_> for I64Visitor {
    type Value = Option<i64>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(i64::EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Option<i64>, E> {
        Ok(Some(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Option<i64>, E> {
        i64::try_from(value)
            .map(Some)
            .map_err(|_| E::invalid_value(Unexpected::Unsigned(value), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Option<i64>, E> {
        self.integral(value)
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Option<i64>, E> {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if let Ok(integer) = trimmed.parse::<i64>() {
            return Ok(Some(integer));
        }
        match trimmed.parse::<f64>() {
            Ok(float) if float.is_finite() => self.integral(float),
            _ => Err(E::invalid_value(Unexpected::Str(value), &self)),
        }
    }
}

/// An optional scalar: absent, `null` and `""` are all `None`.
pub(crate) struct OptionalScalar<T>(Option<T>);

impl<'de, T: Scalar> Deserialize<'de> for OptionalScalar<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_optional(deserializer).map(OptionalScalar)
    }
}

struct OptionalVisitor<T>(PhantomData<T>);

impl<'de, T: Scalar> Visitor<'de> for OptionalVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}, or null", T::EXPECTING)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        T::deserialize_or_blank(deserializer)
    }
}

/// A lenient type that can be optional: `Option<T>` reads through [`Optional::OptionWire`].
pub(crate) trait Optional: Sized {
    type OptionWire: DeserializeOwned;
    fn from_option_wire(wire: Self::OptionWire) -> Option<Self>;
}

impl Lenient for i64 {
    type Wire = LenientI64;
    fn from_wire(wire: LenientI64) -> Self {
        wire.0
    }
}

macro_rules! lenient_scalar {
    ($($ty:ty),*) => {$(
        impl Optional for $ty {
            type OptionWire = OptionalScalar<$ty>;
            fn from_option_wire(wire: Self::OptionWire) -> Option<Self> {
                wire.0
            }
        }
    )*};
}

lenient_scalar!(i64, Decimal, Timestamp, NumberOrText);

macro_rules! lenient_self {
    ($($ty:ty),*) => {$(
        impl Lenient for $ty {
            type Wire = $ty;
            fn from_wire(wire: $ty) -> Self {
                wire
            }
        }
    )*};
}

lenient_self!(Decimal, Timestamp, NumberOrText);

impl<T: Optional> Lenient for Option<T> {
    type Wire = T::OptionWire;
    fn from_wire(wire: Self::Wire) -> Self {
        T::from_option_wire(wire)
    }
}

impl<T: Lenient> Lenient for Vec<T> {
    type Wire = Vec<T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        wire.into_iter().map(T::from_wire).collect()
    }
}

impl<T: Lenient> Optional for Vec<T> {
    type OptionWire = Option<Vec<T::Wire>>;
    fn from_option_wire(wire: Self::OptionWire) -> Option<Self> {
        wire.map(Self::from_wire)
    }
}

impl<T: Lenient> Lenient for Pii<T> {
    type Wire = Pii<T::Wire>;
    fn from_wire(wire: Self::Wire) -> Self {
        Pii::new(T::from_wire(wire.into_inner()))
    }
}

impl<T: Optional> Optional for Pii<T> {
    type OptionWire = Pii<T::OptionWire>;
    fn from_option_wire(wire: Self::OptionWire) -> Option<Self> {
        T::from_option_wire(wire.into_inner()).map(Pii::new)
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

impl<T: Lenient> Optional for BTreeMap<String, T> {
    type OptionWire = Option<BTreeMap<String, T::Wire>>;
    fn from_option_wire(wire: Self::OptionWire) -> Option<Self> {
        wire.map(Self::from_wire)
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
        float: Option<Decimal>,
        #[serde(deserialize_with = "crate::lenient::deserialize", default)]
        at: Option<Timestamp>,
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
        assert_eq!(sample.float.unwrap().to_string(), "600.000");
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

    #[test]
    fn blank_strings_are_absent_in_optional_fields_only() {
        let sample = parse(r#"{"integer": 1, "float": "", "at": " "}"#).unwrap();
        assert_eq!((sample.float, sample.at), (None, None));
        let sample = parse(r#"{"integer": 1, "float": null, "at": null}"#).unwrap();
        assert_eq!((sample.float, sample.at), (None, None));
        assert!(parse(r#"{"integer": ""}"#).is_err());
        assert!(parse(r#"{"integer": 1, "integers": [""]}"#).is_err());
        assert!(parse(r#"{"integer": 1, "float": "x"}"#).is_err());
    }
}
