//! [`Secret`]: key material whose `Debug` never shows it and whose memory is wiped on drop.

use std::fmt;

use secrecy::{ExposeSecret, SecretSlice};

use crate::auth::constant_time_eq;

/// A shared secret: a header value, an HMAC key or a Standard Webhooks key.
///
/// `Debug` prints `Secret([redacted])`, so configurations can be logged safely. The bytes live
/// in a [`secrecy::SecretSlice`], zeroed when the last copy is dropped; equality is compared
/// in constant time.
///
/// ```
/// use capillary_ens_receiver::Secret;
///
/// let secret = Secret::from("hunter2");
/// assert_eq!(format!("{secret:?}"), "Secret([redacted])");
/// assert_eq!(secret.expose(), b"hunter2");
/// ```
#[derive(Clone)]
pub struct Secret(SecretSlice<u8>);

impl Secret {
    /// A secret from raw bytes.
    pub fn new(bytes: impl Into<Vec<u8>>) -> Self {
        Self(SecretSlice::from(bytes.into()))
    }

    /// The secret's bytes.
    pub fn expose(&self) -> &[u8] {
        self.0.expose_secret()
    }
}

impl ExposeSecret<[u8]> for Secret {
    fn expose_secret(&self) -> &[u8] {
        self.expose()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        constant_time_eq(self.expose(), other.expose())
    }
}

impl Eq for Secret {}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value.as_bytes())
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value.into_bytes())
    }
}

impl From<Vec<u8>> for Secret {
    fn from(value: Vec<u8>) -> Self {
        Self::new(value)
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}
