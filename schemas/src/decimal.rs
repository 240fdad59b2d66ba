//! [`Decimal`]: money, points and other quantities with the digits ENS sent.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, DeserializeSeed, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A decimal number exactly as ENS sent it: `2261.5` stays `2261.5`, `"600.000"` stays
/// `600.000`, `0.1` stays `0.1` (an `f64` would hold 0.1000000000000000055…).
///
/// Points, amounts and target values are decimals in ENS payloads; a field of this type
/// reads them as leniently as before (a JSON number, or a string holding one such as
/// `"600.000"`) and keeps the digits, so sums, comparisons and forwarding lose nothing.
/// Convert with [`Decimal::to_f64`], or with `to_rust_decimal` behind the `rust_decimal`
/// feature (enabling it changes no field's type).
///
/// ```
/// use capillary_ens_schemas::Decimal;
///
/// let amount: Decimal = serde_json::from_str("2261.50").unwrap();
/// assert_eq!(amount.to_string(), "2261.50");
/// assert_eq!(amount.to_f64(), 2261.5);
/// assert_eq!(serde_json::to_string(&amount).unwrap(), "2261.50");
/// let quantity: Decimal = serde_json::from_str(r#""600.000""#).unwrap();
/// assert_eq!(quantity.to_string(), "600.000");
/// // Sent as a string, written back as one.
/// assert_eq!(serde_json::to_string(&quantity).unwrap(), r#""600.000""#);
/// ```
///
/// **Digits, not values.** `==` and `Hash` compare the digits as written and whether they
/// came as a string: `2.5`, `2.50` and `"2.5"` all differ, as the sender's texts do. Compare
/// values with [`Decimal::to_f64`] or `rust_decimal`.
///
/// **Where the digits come from.** Read from JSON text (`serde_json::from_str`, `from_slice`,
/// `from_reader`, or a `serde_json::Value` via `from_value`), the number's own text is kept,
/// trailing zeros included. Another deserializer that hands over an `f64` gives the shortest
/// digits that round-trip (exact for up to 15 significant digits). Serialized with
/// `serde_json`, the digits are written as kept; integers and plain decimals that an `f64`
/// prints identically are written through `serialize_i64` / `serialize_f64`, so other
/// serializers see ordinary numbers for them.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Decimal {
    repr: Repr,
    /// Arrived as a JSON string (`"600.000"`): written back as one.
    quoted: bool,
}

#[derive(Clone, PartialEq, Eq, Hash)]
enum Repr {
    /// `mantissa / 10^scale`, written with exactly `scale` digits after the point.
    Fixed { mantissa: i64, scale: u8 },
    /// A valid JSON number that does not fit `Fixed` (an exponent, more than 18 digits, `-0`).
    Text(Box<str>),
}

/// Powers of ten exactly representable as `f64`, for `Fixed` values up to 18 decimals.
const POW10: [f64; 19] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18,
];

/// Integers up to this magnitude convert to `f64` exactly.
const EXACT_F64_INTEGER: u64 = 1 << 53;

/// Most digits a `Fixed` holds: `10^18 - 1` fits an `i64`.
const MAX_FIXED_DIGITS: usize = 18;

impl Decimal {
    /// Zero, written `0`.
    pub const ZERO: Decimal = Decimal::of(Repr::Fixed {
        mantissa: 0,
        scale: 0,
    });

    const fn of(repr: Repr) -> Self {
        Decimal {
            repr,
            quoted: false,
        }
    }

    /// The same digits, marked as sent inside a JSON string.
    fn quoted(self) -> Self {
        Decimal {
            quoted: true,
            ..self
        }
    }

    /// `mantissa × 10^-scale`, written with `scale` decimals: `Decimal::new(22615, 1)` is `2261.5`.
    /// A `scale` above 18 is written with an exponent instead.
    pub fn new(mantissa: i64, scale: u8) -> Self {
        if usize::from(scale) <= MAX_FIXED_DIGITS {
            Decimal::of(Repr::Fixed { mantissa, scale })
        } else {
            Decimal::of(Repr::Text(format!("{mantissa}e-{scale}").into_boxed_str()))
        }
    }

    /// The nearest `f64`. Exact for integers up to 2^53; otherwise the correctly rounded value
    /// of the decimal, as parsing its text would give.
    pub fn to_f64(&self) -> f64 {
        match &self.repr {
            Repr::Fixed { mantissa, scale } if mantissa.unsigned_abs() <= EXACT_F64_INTEGER => {
                // Both operands are exact, so the one division rounds correctly.
                *mantissa as f64 / POW10[usize::from(*scale)]
            }
            Repr::Fixed { .. } => self.to_string().parse().unwrap_or(f64::NAN),
            Repr::Text(text) => text.parse().unwrap_or(f64::NAN),
        }
    }

    /// The value as an integer, when it is one exactly (`100`, `100.00`).
    pub fn to_i64(&self) -> Option<i64> {
        match &self.repr {
            Repr::Fixed { mantissa, scale } => {
                let divisor = 10_i64.checked_pow(u32::from(*scale))?;
                (mantissa % divisor == 0).then(|| mantissa / divisor)
            }
            Repr::Text(_) => {
                let value = self.to_f64();
                (value.fract() == 0.0 && value.abs() <= EXACT_F64_INTEGER as f64)
                    // Exact: integral and within the range where f64 holds integers exactly.
                    .then_some(value as i64)
            }
        }
    }

    /// Whether the value is zero (`0`, `0.00`, `-0`).
    pub fn is_zero(&self) -> bool {
        match &self.repr {
            Repr::Fixed { mantissa, .. } => *mantissa == 0,
            Repr::Text(_) => self.to_f64() == 0.0,
        }
    }

    /// Whether the value is below zero.
    pub fn is_negative(&self) -> bool {
        match &self.repr {
            Repr::Fixed { mantissa, .. } => *mantissa < 0,
            Repr::Text(text) => text.starts_with('-') && !self.is_zero(),
        }
    }

    /// Reads a decimal from text as ENS writes one: a JSON number, optionally with a `+`,
    /// leading zeros, a bare point (`5.`, `.5`) or surrounding spaces. `None` for anything
    /// else, and for values too large for an `f64`.
    fn parse_text(text: &str) -> Option<Self> {
        match Self::parse_plain(text.as_bytes()) {
            Some(number) => Some(number),
            None => Self::parse_text_general(text),
        }
    }

    /// The common case of [`Decimal::parse_text`] in one pass: `[-]digits[.digits]` with at
    /// most 18 digits in all, and not negative zero. `None` for anything else (spaces, a `+`,
    /// an exponent, more digits, `-0` …), which [`Decimal::parse_text_general`] then reads;
    /// whenever this gives `Some`, that path gives the same value.
    #[inline]
    fn parse_plain(bytes: &[u8]) -> Option<Self> {
        let (negative, body) = match bytes {
            [b'-', rest @ ..] => (true, rest),
            _ => (false, bytes),
        };
        // Wrapping: only a result of at most 18 digits is kept, and that never wraps.
        let mut magnitude: u64 = 0;
        let mut rest = body;
        while let [digit @ b'0'..=b'9', tail @ ..] = rest {
            magnitude = magnitude
                .wrapping_mul(10)
                .wrapping_add(u64::from(digit - b'0'));
            rest = tail;
        }
        let integer_digits = body.len() - rest.len();
        let mut scale = 0;
        if let [b'.', fraction @ ..] = rest {
            rest = fraction;
            while let [digit @ b'0'..=b'9', tail @ ..] = rest {
                magnitude = magnitude
                    .wrapping_mul(10)
                    .wrapping_add(u64::from(digit - b'0'));
                rest = tail;
            }
            scale = fraction.len() - rest.len();
        }
        let digits = integer_digits + scale;
        if !rest.is_empty()
            || digits == 0
            || digits > MAX_FIXED_DIGITS
            || (negative && magnitude == 0)
        {
            return None;
        }
        // Below 10^18, so it fits.
        let magnitude = magnitude as i64;
        Some(Decimal::of(Repr::Fixed {
            mantissa: if negative { -magnitude } else { magnitude },
            // At most 18, checked above.
            scale: scale as u8,
        }))
    }

    /// [`Decimal::parse_text`] for every form it accepts.
    fn parse_text_general(text: &str) -> Option<Self> {
        let bytes = text.trim().as_bytes();
        let (negative, rest) = match bytes.first() {
            Some(b'-') => (true, &bytes[1..]),
            Some(b'+') => (false, &bytes[1..]),
            _ => (false, bytes),
        };
        let (integer, rest) = split_digits(rest);
        let (fraction, rest) = match rest.split_first() {
            Some((b'.', after)) => split_digits(after),
            _ => (&[][..], rest),
        };
        if integer.is_empty() && fraction.is_empty() {
            return None;
        }
        let (exponent, rest) = match rest.first() {
            Some(b'e' | b'E') => {
                let sign = usize::from(matches!(rest.get(1), Some(b'+' | b'-')));
                let (digits, after) = split_digits(&rest[1 + sign..]);
                if digits.is_empty() {
                    return None;
                }
                (&rest[..1 + sign + digits.len()], after)
            }
            _ => (&[][..], rest),
        };
        if !rest.is_empty() {
            return None;
        }
        let leading_zeros = integer.iter().take_while(|&&digit| digit == b'0').count();
        let integer = &integer[leading_zeros..];
        let all_zero = integer.is_empty() && fraction.iter().all(|&digit| digit == b'0');
        if exponent.is_empty()
            && integer.len() + fraction.len() <= MAX_FIXED_DIGITS
            && !(negative && all_zero)
        {
            let magnitude = integer
                .iter()
                .chain(fraction)
                .fold(0_i64, |value, digit| value * 10 + i64::from(digit - b'0'));
            return Some(Decimal::of(Repr::Fixed {
                mantissa: if negative { -magnitude } else { magnitude },
                // At most 18, checked above.
                scale: fraction.len() as u8,
            }));
        }
        let mut canonical = String::with_capacity(bytes.len() + 2);
        if negative {
            canonical.push('-');
        }
        // Only ASCII digits, `e`/`E`, signs and a point were accepted above.
        canonical.push_str(std::str::from_utf8(integer).ok()?);
        if integer.is_empty() {
            canonical.push('0');
        }
        if !fraction.is_empty() {
            canonical.push('.');
            canonical.push_str(std::str::from_utf8(fraction).ok()?);
        }
        canonical.push_str(std::str::from_utf8(exponent).ok()?);
        canonical
            .parse::<f64>()
            .is_ok_and(f64::is_finite)
            .then(|| Decimal::of(Repr::Text(canonical.into_boxed_str())))
    }

    fn from_finite_f64(value: f64) -> Option<Self> {
        // `Display` for f64 prints the shortest digits that read back as the same f64.
        value
            .is_finite()
            .then(|| Self::parse_text(&value.to_string()))
            .flatten()
    }

    /// How `serde_json` would print `self.to_f64()` is exactly our digits: serialize as an f64.
    fn prints_as_f64(&self, value: f64) -> bool {
        // serde_json (ryu) switches to exponent notation outside this range.
        let plain = (1e-5..1e15).contains(&value.abs());
        plain && value.to_string() == self.to_string()
    }
}

fn split_digits(bytes: &[u8]) -> (&[u8], &[u8]) {
    let count = bytes
        .iter()
        .take_while(|byte| byte.is_ascii_digit())
        .count();
    bytes.split_at(count)
}

impl Default for Decimal {
    fn default() -> Self {
        Self::ZERO
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.repr {
            Repr::Fixed { mantissa, scale: 0 } => write!(f, "{mantissa}"),
            Repr::Fixed { mantissa, scale } => {
                let scale = usize::from(*scale);
                let digits = mantissa.unsigned_abs().to_string();
                let sign = if *mantissa < 0 { "-" } else { "" };
                if digits.len() > scale {
                    let (integer, fraction) = digits.split_at(digits.len() - scale);
                    write!(f, "{sign}{integer}.{fraction}")
                } else {
                    write!(f, "{sign}0.{digits:0>scale$}")
                }
            }
            Repr::Text(text) => f.write_str(text),
        }
    }
}

impl fmt::Debug for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.quoted {
            write!(f, "Decimal(\"{self}\")")
        } else {
            write!(f, "Decimal({self})")
        }
    }
}

/// The text is not a decimal number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseDecimalError;

impl fmt::Display for ParseDecimalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("not a finite decimal number")
    }
}

impl std::error::Error for ParseDecimalError {}

impl FromStr for Decimal {
    type Err = ParseDecimalError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse_text(text).ok_or(ParseDecimalError)
    }
}

impl From<i64> for Decimal {
    fn from(value: i64) -> Self {
        Decimal::of(Repr::Fixed {
            mantissa: value,
            scale: 0,
        })
    }
}

impl From<i32> for Decimal {
    fn from(value: i32) -> Self {
        Self::from(i64::from(value))
    }
}

impl From<u32> for Decimal {
    fn from(value: u32) -> Self {
        Self::from(i64::from(value))
    }
}

impl TryFrom<f64> for Decimal {
    type Error = ParseDecimalError;

    /// The shortest digits that read back as `value`: `0.1` becomes `0.1`.
    fn try_from(value: f64) -> Result<Self, Self::Error> {
        Self::from_finite_f64(value).ok_or(ParseDecimalError)
    }
}

impl Serialize for Decimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.quoted {
            return serializer.collect_str(self);
        }
        if let Repr::Fixed { mantissa, scale: 0 } = self.repr {
            return serializer.serialize_i64(mantissa);
        }
        let value = self.to_f64();
        if self.prints_as_f64(value) {
            return serializer.serialize_f64(value);
        }
        serde_json::value::RawValue::from_string(self.to_string())
            .map_err(serde::ser::Error::custom)?
            .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Decimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::required(deserializer)
    }
}

/// With the feature `schemars`.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Decimal {
    fn schema_name() -> Cow<'static, str> {
        "Decimal".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["number", "string"], "description": "A decimal number; a string holding one is accepted." })
    }
}

/// What a piece of text turned out to be, for types that read numbers from text.
pub(crate) enum Reading<'a> {
    /// Empty or only spaces.
    Blank,
    /// A decimal number.
    Number(Decimal),
    /// Any other text, as sent.
    Text(Cow<'a, str>),
    /// Not a number or a string at all (`true`, an object …).
    Other(Unexpected<'static>),
}

impl<'a> Reading<'a> {
    /// Reads a JSON string's contents.
    pub(crate) fn of_str(text: Cow<'a, str>) -> Self {
        // The common case first, in one pass; blank text is never a plain number.
        if let Some(number) = Decimal::parse_plain(text.as_bytes()) {
            return Reading::Number(number.quoted());
        }
        if text.trim().is_empty() {
            return Reading::Blank;
        }
        match Decimal::parse_text(&text) {
            Some(number) => Reading::Number(number.quoted()),
            None => Reading::Text(text),
        }
    }

    /// Reads raw JSON text: a number, a string, or something else.
    fn of_raw_json(raw: &'a str) -> Self {
        match raw.as_bytes().first() {
            Some(b'"') => {
                let inner = &raw[1..raw.len() - 1];
                if inner.contains('\\') {
                    match serde_json::from_str::<String>(raw) {
                        Ok(text) => Self::of_str(Cow::Owned(text)),
                        Err(_) => Reading::Other(Unexpected::Other("a malformed string")),
                    }
                } else {
                    Self::of_str(Cow::Borrowed(inner))
                }
            }
            Some(b'-' | b'0'..=b'9') => match Decimal::parse_text(raw) {
                Some(number) => Reading::Number(number),
                None => Reading::Other(Unexpected::Other("a number out of range")),
            },
            Some(b'n') => Reading::Other(Unexpected::Unit),
            Some(b't' | b'f') => Reading::Other(Unexpected::Other("a boolean")),
            Some(b'[') => Reading::Other(Unexpected::Seq),
            Some(b'{') => Reading::Other(Unexpected::Map),
            _ => Reading::Other(Unexpected::Other("a value")),
        }
    }
}

/// A type read from a [`Reading`]: [`Decimal`] rejects text, `NumberOrText` keeps it.
pub(crate) trait FromReading: Sized {
    /// What the visitor says it expects.
    const EXPECTING: &'static str;
    /// `Ok(None)` for blank text; an error names what arrived instead, never its text.
    fn from_reading(reading: Reading<'_>) -> Result<Option<Self>, Unexpected<'static>>;
}

impl FromReading for Decimal {
    const EXPECTING: &'static str = "a decimal number (`2261.5` or `\"2261.5\"`)";

    fn from_reading(reading: Reading<'_>) -> Result<Option<Self>, Unexpected<'static>> {
        match reading {
            Reading::Blank => Ok(None),
            Reading::Number(number) => Ok(Some(number)),
            Reading::Text(_) => Err(Unexpected::Other("text that is not a number")),
            Reading::Other(unexpected) => Err(unexpected),
        }
    }
}

/// serde_json hands a value's raw JSON text to a newtype struct of this name (its
/// `RawValue` mechanism, enabled by the `raw_value` feature this crate depends on), which is
/// the only way to see a number's digits before they become an `f64`.
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// Reads a number-or-text type; `Ok(None)` for a blank string.
pub(crate) fn deserialize_reading<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromReading,
{
    deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, ReadingVisitor::<T>::new(false))
}

/// Reads an optional number-or-text type: `null` and a blank string are `None`.
///
/// The same single dispatch as [`deserialize_reading`], with no `deserialize_option` layer in
/// front: serde_json hands `null` over as raw text like any other value.
pub(crate) fn deserialize_optional_reading<'de, D, T>(
    deserializer: D,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: FromReading,
{
    deserializer.deserialize_newtype_struct(RAW_VALUE_TOKEN, ReadingVisitor::<T>::new(true))
}

struct ReadingVisitor<T> {
    /// In an optional field: `null` is `None` rather than an error.
    null_is_absent: bool,
    target: std::marker::PhantomData<T>,
}

impl<T> ReadingVisitor<T> {
    fn new(null_is_absent: bool) -> Self {
        ReadingVisitor {
            null_is_absent,
            target: std::marker::PhantomData,
        }
    }
}

impl<T: FromReading> ReadingVisitor<T> {
    fn finish<E: de::Error>(self, reading: Reading<'_>) -> Result<Option<T>, E> {
        T::from_reading(reading).map_err(|unexpected| E::invalid_type(unexpected, &self))
    }
}

impl<'de, T: FromReading> Visitor<'de> for ReadingVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        // serde_json's raw value: one entry, keyed by the token, whose value is the JSON text.
        match map.next_key_seed(TokenKey)? {
            Some(true) => {}
            _ => return Err(de::Error::invalid_type(Unexpected::Map, &self)),
        }
        // The value is judged after the entry is read, so an error names the field's path,
        // not the token.
        let reading = map.next_value_seed(RawReading::<T> {
            null_is_absent: self.null_is_absent,
            target: std::marker::PhantomData,
        })?;
        reading.map_err(|unexpected| de::Error::invalid_type(unexpected, &self))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.null_is_absent {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Option, &self))
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if self.null_is_absent {
            Ok(None)
        } else {
            Err(E::invalid_type(Unexpected::Unit, &self))
        }
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        if self.null_is_absent {
            deserialize_reading(deserializer)
        } else {
            Err(de::Error::invalid_type(Unexpected::Option, &self))
        }
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Self::Value, E> {
        self.finish(Reading::Number(Decimal::from(value)))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Self::Value, E> {
        match i64::try_from(value) {
            Ok(value) => self.visit_i64(value),
            Err(_) => self.finish(Reading::Number(Decimal::of(Repr::Text(
                value.to_string().into_boxed_str(),
            )))),
        }
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Self::Value, E> {
        match Decimal::from_finite_f64(value) {
            Some(number) => self.finish(Reading::Number(number)),
            None => Err(E::invalid_value(Unexpected::Float(value), &self)),
        }
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Self::Value, E> {
        self.finish(Reading::of_str(Cow::Borrowed(value)))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Self::Value, E> {
        self.finish(Reading::of_str(Cow::Owned(value)))
    }
}

/// Whether a map key is serde_json's raw-value token.
struct TokenKey;

impl<'de> DeserializeSeed<'de> for TokenKey {
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl Visitor<'_> for TokenKey {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<bool, E> {
        // A fixed-size comparison the compiler inlines, instead of a call to `bcmp`.
        const TOKEN: [u8; RAW_VALUE_TOKEN.len()] = *b"$serde_json::private::RawValue";
        Ok(<&[u8; RAW_VALUE_TOKEN.len()]>::try_from(key.as_bytes()).is_ok_and(|key| *key == TOKEN))
    }
}

/// The raw JSON text of a value, read into `T` (or what was wrong with it).
struct RawReading<T> {
    /// `null` is `None` rather than an error.
    null_is_absent: bool,
    target: std::marker::PhantomData<T>,
}

impl<'de, T: FromReading> DeserializeSeed<'de> for RawReading<T> {
    type Value = Result<Option<T>, Unexpected<'static>>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<T: FromReading> Visitor<'_> for RawReading<T> {
    type Value = Result<Option<T>, Unexpected<'static>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("raw JSON text")
    }

    fn visit_str<E: de::Error>(self, raw: &str) -> Result<Self::Value, E> {
        // JSON's whitespace is ASCII (serde_json hands over none around the value anyway).
        // The common case, a plain JSON number, with no detour through `of_raw_json`.
        if let Some(number) = Decimal::parse_plain(raw.as_bytes()) {
            return Ok(T::from_reading(Reading::Number(number)));
        }
        let reading = Reading::of_raw_json(raw.trim_ascii());
        if self.null_is_absent && matches!(reading, Reading::Other(Unexpected::Unit)) {
            return Ok(Ok(None));
        }
        Ok(T::from_reading(reading))
    }
}

#[cfg(feature = "rust_decimal")]
mod rust_decimal_conversions {
    use super::{Decimal, Repr};

    impl Decimal {
        /// The value as a [`rust_decimal::Decimal`]: exact, trailing zeros kept as its scale.
        /// Fails for values outside its range (about ±7.9 × 10^28) or precision (28 decimals).
        ///
        /// ```
        /// # #[cfg(feature = "rust_decimal")] {
        /// use capillary_ens_schemas::Decimal;
        ///
        /// let points: Decimal = "2261.50".parse().unwrap();
        /// assert_eq!(points.to_rust_decimal().unwrap().to_string(), "2261.50");
        /// # }
        /// ```
        pub fn to_rust_decimal(&self) -> Result<rust_decimal::Decimal, rust_decimal::Error> {
            match &self.repr {
                Repr::Fixed { mantissa, scale } => rust_decimal::Decimal::try_from_i128_with_scale(
                    i128::from(*mantissa),
                    u32::from(*scale),
                ),
                Repr::Text(text) if text.contains(['e', 'E']) => {
                    rust_decimal::Decimal::from_scientific(text)
                }
                Repr::Text(text) => rust_decimal::Decimal::from_str_exact(text),
            }
        }
    }

    impl TryFrom<&Decimal> for rust_decimal::Decimal {
        type Error = rust_decimal::Error;

        fn try_from(value: &Decimal) -> Result<Self, Self::Error> {
            value.to_rust_decimal()
        }
    }

    impl From<rust_decimal::Decimal> for Decimal {
        fn from(value: rust_decimal::Decimal) -> Self {
            let mantissa = value.mantissa();
            match i64::try_from(mantissa) {
                // rust_decimal's scale is at most 28.
                Ok(mantissa) if value.scale() <= 18 => Decimal::new(mantissa, value.scale() as u8),
                _ => Decimal::of(Repr::Text(value.to_string().into_boxed_str())),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<Decimal, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn keeps_the_digits_that_arrived() {
        for (json, text) in [
            ("2261.5", "2261.5"),
            ("2261.50", "2261.50"),
            ("0.1", "0.1"),
            ("0.269", "0.269"),
            ("-12.000", "-12.000"),
            ("100", "100"),
            ("1.73985783E12", "1.73985783E12"),
            (
                "123456789012345678901234567890.5",
                "123456789012345678901234567890.5",
            ),
            ("\"600.000\"", "600.000"),
            ("\" 14.000 \"", "14.000"),
            ("\"+5\"", "5"),
            ("\".5\"", "0.5"),
            ("\"007.50\"", "7.50"),
            ("-0.0", "-0.0"),
            ("0.000001", "0.000001"),
        ] {
            let decimal = parse(json).unwrap_or_else(|error| panic!("{json}: {error}"));
            assert_eq!(decimal.to_string(), text, "{json}");
            let written = serde_json::to_string(&decimal).unwrap();
            let expected = if json.starts_with('"') {
                format!("\"{text}\"")
            } else {
                text.to_owned()
            };
            assert_eq!(written, expected, "{json}");
            assert_eq!(parse(&written).unwrap(), decimal, "{json}");
        }
    }

    fn same_as_general_path(text: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let general = Decimal::parse_text_general(text);
        if let Some(plain) = Decimal::parse_plain(text.as_bytes()) {
            proptest::prop_assert_eq!(Some(&plain), general.as_ref(), "{}", text);
        }
        proptest::prop_assert_eq!(Decimal::parse_text(text), general, "{}", text);
        Ok(())
    }

    proptest::proptest! {
        /// The one-pass path agrees with the general one on number-like text: signs, spaces,
        /// leading zeros, bare points, exponents and more digits than fit.
        #[test]
        fn plain_path_reads_numbers_as_the_general_one(
            text in r"[ ]?[-+]?[0-9]{0,22}(\.[0-9]{0,22})?([eE][-+]?[0-9]{0,3})?[ ]?"
        ) {
            same_as_general_path(&text)?;
        }

        /// The same for any text, and for the digits any `f64` and `i64` print as.
        #[test]
        fn plain_path_agrees_on_anything(text in r"\PC{0,12}", float: f64, integer: i64) {
            same_as_general_path(&text)?;
            same_as_general_path(&float.to_string())?;
            same_as_general_path(&integer.to_string())?;
            same_as_general_path(&format!("{integer}.{}", integer.unsigned_abs()))?;
        }

        /// Through serde_json, any JSON number and numeric string reads as the general path
        /// reads its text, in required and optional fields alike.
        #[test]
        fn json_numbers_keep_their_digits(
            text in r"-?(0|[1-9][0-9]{0,20})(\.[0-9]{1,20})?([eE][-+]?[0-9]{1,2})?"
        ) {
            #[derive(Deserialize)]
            struct Fields {
                #[serde(deserialize_with = "crate::lenient::deserialize")]
                required: Decimal,
                #[serde(deserialize_with = "crate::lenient::deserialize", default)]
                optional: Option<Decimal>,
                #[serde(deserialize_with = "crate::lenient::deserialize", default)]
                quoted: Option<Decimal>,
            }
            let Some(expected) = Decimal::parse_text_general(&text) else {
                // Too large for an f64: an error either way.
                proptest::prop_assert!(parse(&text).is_err());
                return Ok(());
            };
            let json = format!(r#"{{"required": {text}, "optional": {text}, "quoted": "{text}"}}"#);
            let fields: Fields = serde_json::from_str(&json).unwrap();
            proptest::prop_assert_eq!(&fields.required, &expected);
            proptest::prop_assert_eq!(fields.optional.as_ref(), Some(&expected));
            proptest::prop_assert_eq!(fields.quoted, Some(expected.quoted()));
        }
    }

    #[test]
    fn optional_fields_read_null_and_blank_as_absent() {
        #[derive(Debug, Deserialize)]
        struct Fields {
            #[serde(deserialize_with = "crate::lenient::deserialize", default)]
            decimal: Option<Decimal>,
            #[serde(deserialize_with = "crate::lenient::deserialize", default)]
            either: Option<crate::NumberOrText>,
        }
        for json in [
            r#"{"decimal": null, "either": null}"#,
            r#"{"decimal": "", "either": " "}"#,
            "{}",
        ] {
            let fields: Fields = serde_json::from_str(json).unwrap();
            assert!(
                fields.decimal.is_none() && fields.either.is_none(),
                "{json}"
            );
        }
        // From a `Value` (no raw text) and through serde's buffering (`untagged`) too.
        let value = serde_json::json!({"decimal": null, "either": null});
        let fields: Fields = serde_json::from_value(value).unwrap();
        assert!(fields.decimal.is_none() && fields.either.is_none());
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Buffered {
            Fields(Fields),
        }
        let Buffered::Fields(fields) =
            serde_json::from_str(r#"{"decimal": null, "either": 5}"#).unwrap();
        assert!(fields.decimal.is_none());
        let Buffered::Fields(fields) =
            serde_json::from_str(r#"{"decimal": 2.50, "either": "x"}"#).unwrap();
        assert_eq!(fields.decimal.unwrap().to_f64(), 2.5);
        for json in [
            r#"{"decimal": true}"#,
            r#"{"decimal": "x"}"#,
            r#"{"decimal": {}}"#,
        ] {
            let error = serde_json::from_str::<Fields>(json)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("expected a decimal number (`2261.5` or `\"2261.5\"`)"),
                "{json}: {error}"
            );
        }
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        for json in [
            "\"abc\"",
            "\"\"",
            "\"  \"",
            "true",
            "null",
            "{}",
            "[]",
            "\"1e999\"",
            "1e999",
            "\"NaN\"",
            "\"inf\"",
            "\"1.2.3\"",
            "\"1e\"",
            "\"-\"",
        ] {
            assert!(parse(json).is_err(), "{json}");
        }
    }

    #[test]
    fn converts_to_f64_as_parsing_would() {
        for text in [
            "2261.5",
            "0.1",
            "-0.269",
            "123456789.123456789",
            "1.73985783E12",
            "9007199254740993",
        ] {
            let decimal: Decimal = text.parse().unwrap();
            assert_eq!(decimal.to_f64(), text.parse::<f64>().unwrap(), "{text}");
        }
        assert_eq!(Decimal::new(10000, 2).to_i64(), Some(100));
        assert_eq!(Decimal::new(10050, 2).to_i64(), None);
        assert!(Decimal::new(-1, 3).is_negative());
        assert!("-0.00".parse::<Decimal>().unwrap().is_zero());
    }

    #[test]
    fn reads_the_same_through_every_deserializer() {
        let json = r#"{"a": 2261.50, "b": "600.000"}"#;
        #[derive(Deserialize)]
        struct Pair {
            a: Decimal,
            b: Decimal,
        }
        let from_str: Pair = serde_json::from_str(json).unwrap();
        let from_reader: Pair = serde_json::from_reader(json.as_bytes()).unwrap();
        let value: serde_json::Value = serde_json::from_str(json).unwrap();
        let from_value: Pair = serde_json::from_value(value).unwrap();
        for pair in [from_str, from_reader] {
            assert_eq!(
                (pair.a.to_string(), pair.b.to_string()),
                ("2261.50".into(), "600.000".into())
            );
        }
        // A Value holds the number as an f64 already: the shortest digits.
        assert_eq!(from_value.a.to_string(), "2261.5");
        assert_eq!(from_value.b.to_string(), "600.000");
    }

    #[test]
    fn errors_name_the_field_not_the_token() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct Outer {
            points: Decimal,
        }
        let mut deserializer = serde_json::Deserializer::from_str(r#"{"points": "lots"}"#);
        let error = serde_path_to_error::deserialize::<_, Outer>(&mut deserializer).unwrap_err();
        assert_eq!(error.path().to_string(), "points");
        assert!(!error.to_string().contains("lots"), "{error}");
    }

    #[test]
    fn serializes_plain_values_as_ordinary_numbers() {
        let value = serde_json::to_value(Decimal::new(22615, 1)).unwrap();
        assert_eq!(value, serde_json::json!(2261.5));
        let value = serde_json::to_value(Decimal::from(7)).unwrap();
        assert_eq!(value, serde_json::json!(7));
    }

    #[cfg(feature = "rust_decimal")]
    #[test]
    fn converts_to_rust_decimal_exactly() {
        for text in ["2261.50", "-0.269", "1.5E3", "12345678901234567890.5"] {
            let decimal: Decimal = text.parse().unwrap();
            let exact = decimal.to_rust_decimal().unwrap();
            let back = Decimal::from(exact);
            assert_eq!(back.to_f64(), decimal.to_f64(), "{text}");
        }
        assert_eq!(
            Decimal::from(rust_decimal::Decimal::new(22615, 1)).to_string(),
            "2261.5"
        );
    }
}
