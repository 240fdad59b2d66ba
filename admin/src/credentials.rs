//! [`Credentials`]: how the client authenticates to the Capillary API.

use std::fmt;

use crate::SecretString;

/// The credentials sent in the `Authorization` header of every API call.
///
/// Capillary's v3 APIs take Basic authentication (user name and the MD5-hashed password,
/// as the org's API docs describe) or an OAuth bearer token. `Debug` never shows them.
///
/// ```
/// use capillary_ens_admin::Credentials;
///
/// let credentials = Credentials::basic("till.user", "5f4dcc3b5aa765d61d8327deb882cf99");
/// assert!(!format!("{credentials:?}").contains("5f4dcc"));
/// ```
#[derive(Clone)]
pub struct Credentials {
    kind: Kind,
    authorization: SecretString,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Basic,
    Bearer,
}

impl Credentials {
    /// Basic authentication with a user name and password.
    pub fn basic(user: &str, password: &str) -> Self {
        Self {
            kind: Kind::Basic,
            authorization: SecretString::basic_auth(user, password),
        }
    }

    /// An OAuth bearer token.
    pub fn bearer(token: &str) -> Self {
        Self {
            kind: Kind::Bearer,
            authorization: SecretString::bearer_auth(token),
        }
    }

    /// The `Authorization` header value.
    pub(crate) fn authorization(&self) -> &SecretString {
        &self.authorization
    }
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match self.kind {
            Kind::Basic => "Basic",
            Kind::Bearer => "Bearer",
        };
        f.debug_struct("Credentials")
            .field("scheme", &scheme)
            .field("value", &"[redacted]")
            .finish()
    }
}
