//! [`SecretString`]: a text value whose `Debug` never shows it.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret text value: a password, a token or a webhook header value.
///
/// `Debug` prints `"[redacted]"`; [`expose`](Self::expose) gives the text. It serializes as the
/// plain string, because that is what the API must receive.
///
/// ```
/// use capillary_ens_admin::SecretString;
///
/// let value = SecretString::from("Basic ZW5zOnMzY3JldA==");
/// assert_eq!(format!("{value:?}"), "\"[redacted]\"");
/// assert_eq!(value.expose(), "Basic ZW5zOnMzY3JldA==");
/// ```
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret text.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Header values are strings on the wire; a number or boolean is kept as its text.
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(match value {
            serde_json::Value::String(text) => Self(text),
            serde_json::Value::Null => Self(String::new()),
            other => Self(other.to_string()),
        })
    }
}

impl SecretString {
    /// The `Authorization` value for Basic credentials: `Basic <base64(user:password)>`.
    pub fn basic_auth(user: &str, password: &str) -> Self {
        use base64::Engine;
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self(format!("Basic {encoded}"))
    }

    /// The `Authorization` value for a bearer token: `Bearer <token>`.
    pub fn bearer_auth(token: &str) -> Self {
        Self(format!("Bearer {token}"))
    }
}
