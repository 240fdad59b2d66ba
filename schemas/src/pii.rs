//! [`Pii`], the wrapper that keeps personal data out of logs.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Personal data (a name, mobile number, email, external id, card number …) from a payload.
///
/// `Debug` prints `[redacted]`, so a payload can be logged with `{:?}` without leaking the
/// customer's data. Serialization is transparent: the value is written as it arrived, so
/// forwarding a payload loses nothing. Read the value with [`Pii::expose`], which makes every
/// place that touches personal data easy to find.
///
/// ```
/// use capillary_ens_schemas::Pii;
///
/// let mobile = Pii::new("919876543210".to_string());
/// assert_eq!(format!("{mobile:?}"), "[redacted]");
/// assert_eq!(mobile.expose(), "919876543210");
/// assert_eq!(serde_json::to_string(&mobile).unwrap(), "\"919876543210\"");
/// ```
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Pii<T>(T);

impl<T> Pii<T> {
    /// Wraps a personal value.
    pub const fn new(value: T) -> Self {
        Self(value)
    }

    /// Borrows the personal value.
    pub const fn expose(&self) -> &T {
        &self.0
    }

    /// Mutably borrows the personal value.
    pub fn expose_mut(&mut self) -> &mut T {
        &mut self.0
    }

    /// Unwraps the personal value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> From<T> for Pii<T> {
    fn from(value: T) -> Self {
        Self(value)
    }
}

impl From<&str> for Pii<String> {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl<T> fmt::Debug for Pii<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl<T: Serialize> Serialize for Pii<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Pii<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Self)
    }
}

/// With the feature `schemars`: the inner type's schema, marked `"x-pii": true`.
#[cfg(feature = "schemars")]
impl<T: schemars::JsonSchema> schemars::JsonSchema for Pii<T> {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> std::borrow::Cow<'static, str> {
        format!("Pii_{}", T::schema_name()).into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let mut schema = generator.subschema_for::<T>();
        schema.insert("x-pii".to_owned(), true.into());
        schema
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_even_inside_containers() {
        let values: Vec<Pii<String>> = vec!["asha.rao@example.com".into(), "919845012345".into()];
        let printed = format!("{values:?} {:#?}", Some(&values[0]));
        assert!(!printed.contains("example.com"), "{printed}");
        assert!(!printed.contains("9198"), "{printed}");
        assert_eq!(printed.matches("[redacted]").count(), 3);
    }

    #[test]
    fn round_trips_transparently() {
        let value: Pii<Vec<String>> = serde_json::from_str(r#"["LC001","LC002"]"#).unwrap();
        assert_eq!(value.expose(), &["LC001", "LC002"]);
        assert_eq!(
            serde_json::to_string(&value).unwrap(),
            r#"["LC001","LC002"]"#
        );
    }

    #[cfg(feature = "schemars")]
    #[test]
    fn schema_is_the_inner_schema_marked_as_pii() {
        let schema = schemars::schema_for!(Pii<String>);
        assert_eq!(schema.get("type"), Some(&"string".into()));
        assert_eq!(schema.get("x-pii"), Some(&true.into()));
    }
}
