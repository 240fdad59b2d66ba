//! [`SecretArg`]: a secret given on the command line or in an environment variable.

use std::fmt;
use std::str::FromStr;

use secrecy::{ExposeSecret, SecretString};

/// A secret given on the command line: `Debug` never shows it, and its memory is wiped on drop.
#[derive(Clone)]
pub(crate) struct SecretArg(SecretString);

impl SecretArg {
    pub(crate) fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SecretArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl FromStr for SecretArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.is_empty() {
            Err("must not be empty".to_owned())
        } else {
            Ok(Self(SecretString::from(text)))
        }
    }
}

impl<'de> serde::Deserialize<'de> for SecretArg {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
