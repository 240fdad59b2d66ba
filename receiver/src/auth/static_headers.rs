//! [`StaticHeaders`]: the header values a brand configures on its ENS webhook.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::{AuthError, SignedRequest, Verifier, constant_time_eq};
use crate::Secret;

/// Requires headers with fixed values, as ENS sends them (`webHookHeaders` on the webhook).
///
/// Each header may accept several values, so a credential can be rotated without losing
/// events: accept old and new, switch the webhook to the new one, then drop the old.
/// Values are compared in constant time.
///
/// ```
/// use capillary_ens_receiver::{Auth, StaticHeaders};
/// use http::HeaderMap;
///
/// let auth = Auth::new(StaticHeaders::bearer("t0ken").accept_bearer("n3w-t0ken"));
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer n3w-t0ken".parse().unwrap());
/// assert!(auth.verify(&headers, b"{}").is_ok());
/// headers.insert("authorization", "Bearer guess".parse().unwrap());
/// assert!(auth.verify(&headers, b"{}").is_err());
/// ```
#[derive(Clone, Debug, Default)]
pub struct StaticHeaders {
    headers: Vec<(String, Vec<Secret>)>,
}

impl StaticHeaders {
    /// Requires header `name` to equal `value`.
    pub fn require(name: &str, value: impl Into<Secret>) -> Self {
        Self::default().accept(name, value)
    }

    /// Requires `Authorization: Basic <base64(user:password)>`.
    pub fn basic(user: &str, password: &str) -> Self {
        Self::default().accept_basic(user, password)
    }

    /// Requires `Authorization: Bearer <token>`.
    pub fn bearer(token: &str) -> Self {
        Self::default().accept_bearer(token)
    }

    /// Also accepts `value` for header `name` (adding the header if it was not required yet).
    pub fn accept(mut self, name: &str, value: impl Into<Secret>) -> Self {
        let name = name.to_ascii_lowercase();
        let value = value.into();
        match self
            .headers
            .iter_mut()
            .find(|(existing, _)| *existing == name)
        {
            Some((_, values)) => values.push(value),
            None => self.headers.push((name, vec![value])),
        }
        self
    }

    /// Also accepts these Basic credentials.
    pub fn accept_basic(self, user: &str, password: &str) -> Self {
        self.accept("authorization", basic_value(user, password))
    }

    /// Also accepts this bearer token.
    pub fn accept_bearer(self, token: &str) -> Self {
        self.accept("authorization", format!("Bearer {token}"))
    }

    /// The headers and the first accepted value of each, as a sender would send them.
    pub fn first_values(&self) -> impl Iterator<Item = (&str, &Secret)> {
        self.headers
            .iter()
            .filter_map(|(name, values)| Some((name.as_str(), values.first()?)))
    }
}

/// `Basic <base64(user:password)>`.
pub(super) fn basic_value(user: &str, password: &str) -> String {
    let credentials = STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {credentials}")
}

impl Verifier for StaticHeaders {
    fn verify(&self, request: &SignedRequest<'_>) -> Result<(), AuthError> {
        for (name, accepted) in &self.headers {
            let mut sent = request.headers.get_all(name.as_str()).iter().peekable();
            if sent.peek().is_none() {
                return Err(AuthError::MissingHeader {
                    header: name.clone(),
                });
            }
            let is_authorization = name == "authorization";
            // Compare against every accepted value, so timing does not tell which one matched.
            let matched = sent.fold(false, |matched, value| {
                accepted.iter().fold(matched, |matched, secret| {
                    matched
                        | if is_authorization {
                            credentials_eq(value.as_bytes(), secret.expose())
                        } else {
                            constant_time_eq(value.as_bytes(), secret.expose())
                        }
                })
            });
            if !matched {
                return Err(AuthError::InvalidHeader {
                    header: name.clone(),
                });
            }
        }
        Ok(())
    }
}

/// `Authorization` values compared as RFC 9110 defines them: the scheme (`Basic`, `bearer`,
/// `BASIC`) in any case, one or more spaces, then the credentials exactly, in constant time.
/// A value without a scheme is compared whole.
fn credentials_eq(sent: &[u8], accepted: &[u8]) -> bool {
    match (split_scheme(sent), split_scheme(accepted)) {
        (Some((sent_scheme, sent_credentials)), Some((scheme, credentials))) => {
            sent_scheme.eq_ignore_ascii_case(scheme)
                & constant_time_eq(sent_credentials, credentials)
        }
        _ => constant_time_eq(sent, accepted),
    }
}

/// `Scheme credentials` split at the first space, the credentials without leading spaces.
fn split_scheme(value: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = value.iter().position(|&byte| byte == b' ')?;
    let (scheme, rest) = value.split_at(space);
    let start = rest.iter().position(|&byte| byte != b' ')?;
    Some((scheme, &rest[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_compare_in_any_case_and_credentials_exactly() {
        for sent in ["Bearer t0k", "bearer t0k", "BEARER t0k", "Bearer   t0k"] {
            assert!(credentials_eq(sent.as_bytes(), b"Bearer t0k"), "{sent}");
        }
        for sent in [
            "Bearer T0K",
            "Bearer t0k ",
            "Basic t0k",
            "Bearert0k",
            "t0k",
            "",
        ] {
            assert!(!credentials_eq(sent.as_bytes(), b"Bearer t0k"), "{sent}");
        }
    }
}
