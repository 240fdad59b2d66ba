//! [`SecretString`]: a text value whose `Debug` never shows it and whose memory is wiped on drop.

use std::fmt;

use secrecy::ExposeSecret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A secret text value: a password, a token or a webhook header value.
///
/// `Debug` prints `"[redacted]"`; [`expose`](Self::expose) gives the text. The text lives in a
/// [`secrecy::SecretString`], zeroed when the last copy is dropped. It serializes as the plain
/// string, because that is what the API must receive.
///
/// ```
/// use capillary_ens_admin::SecretString;
///
/// let value = SecretString::from("Basic ZW5zOnMzY3JldA==");
/// assert_eq!(format!("{value:?}"), "\"[redacted]\"");
/// assert_eq!(value.expose(), "Basic ZW5zOnMzY3JldA==");
/// ```
#[derive(Clone)]
pub struct SecretString(secrecy::SecretString);

impl SecretString {
    /// Wraps `value`.
    pub fn new(value: impl Into<String>) -> Self {
        Self(secrecy::SecretString::from(value.into()))
    }

    /// The secret text.
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl ExposeSecret<str> for SecretString {
    fn expose_secret(&self) -> &str {
        self.expose()
    }
}

impl Default for SecretString {
    fn default() -> Self {
        Self::new(String::new())
    }
}

impl PartialEq for SecretString {
    fn eq(&self, other: &Self) -> bool {
        self.expose() == other.expose()
    }
}

impl Eq for SecretString {}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"[redacted]\"")
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.expose())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Header values are strings on the wire; a number or boolean is kept as its text.
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(match value {
            serde_json::Value::String(text) => Self::new(text),
            serde_json::Value::Null => Self::default(),
            other => Self::new(other.to_string()),
        })
    }
}

impl SecretString {
    /// The `Authorization` value for Basic credentials: `Basic <base64(user:password)>`.
    pub fn basic_auth(user: &str, password: &str) -> Self {
        use base64::Engine;
        let encoded =
            base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        Self::new(format!("Basic {encoded}"))
    }

    /// The `Authorization` value for a bearer token: `Bearer <token>`.
    pub fn bearer_auth(token: &str) -> Self {
        Self::new(format!("Bearer {token}"))
    }
}
