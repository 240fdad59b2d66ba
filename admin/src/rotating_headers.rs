//! [`RotatingHeaders`]: a receiver-side header check whose accepted values change while the
//! receiver runs.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use capillary_ens_receiver::{AuthError, SignedRequest, Verifier};
use subtle::ConstantTimeEq;

use crate::SecretString;

/// Requires one header (e.g. `Authorization`) to hold one of a set of values that can change
/// at any time, so a running receiver can follow a credential rotation.
///
/// Clones share the set: keep one clone for [`capillary_ens_receiver::Auth::new`] and use another to
/// [`accept`](Self::accept) and [`retire`](Self::retire) values, or hand it to
/// [`HeaderRotation`](crate::HeaderRotation), which does both in the order that loses no
/// event. Values are compared in constant time; `Debug` shows the header name and how many
/// values are accepted, never the values.
///
/// ```
/// use capillary_ens_admin::{RotatingHeaders, SecretString};
/// use capillary_ens_receiver::Auth;
/// use http::HeaderMap;
///
/// let accepted = RotatingHeaders::new("Authorization", SecretString::bearer_auth("old"));
/// let auth = Auth::new(accepted.clone());
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer new".parse().unwrap());
/// assert!(auth.verify(&headers, b"{}").is_err());
///
/// accepted.accept(SecretString::bearer_auth("new"));
/// assert!(auth.verify(&headers, b"{}").is_ok());
/// assert_eq!(format!("{accepted:?}"), r#"RotatingHeaders { header: "authorization", accepted: 2 }"#);
/// ```
#[derive(Clone)]
pub struct RotatingHeaders {
    header: Arc<str>,
    values: Arc<RwLock<Vec<SecretString>>>,
}

impl RotatingHeaders {
    /// Requires header `name` to equal `value` (more values can be accepted later).
    pub fn new(name: &str, value: impl Into<SecretString>) -> Self {
        Self {
            header: Arc::from(name.to_ascii_lowercase()),
            values: Arc::new(RwLock::new(vec![value.into()])),
        }
    }

    /// Requires `Authorization: Basic <base64(user:password)>`.
    pub fn basic(user: &str, password: &str) -> Self {
        Self::new("authorization", SecretString::basic_auth(user, password))
    }

    /// Requires `Authorization: Bearer <token>`.
    pub fn bearer(token: &str) -> Self {
        Self::new("authorization", SecretString::bearer_auth(token))
    }

    /// The header checked, in lower case.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// Also accepts `value` from now on (no effect if it is accepted already).
    pub fn accept(&self, value: impl Into<SecretString>) {
        let value = value.into();
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        if !values.iter().any(|accepted| same(accepted, &value)) {
            values.push(value);
        }
    }

    /// Stops accepting `value`; returns whether it was accepted. The last value cannot be
    /// retired (the check would then refuse everything): that returns `false`.
    pub fn retire(&self, value: &SecretString) -> bool {
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        let before = values.len();
        if before == 1 && same(&values[0], value) {
            return false;
        }
        values.retain(|accepted| !same(accepted, value));
        values.len() < before
    }

    /// Whether `value` is accepted now.
    pub fn accepts(&self, value: &SecretString) -> bool {
        self.values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .fold(false, |found, accepted| found | same(accepted, value))
    }

    /// How many values are accepted now.
    pub fn accepted_count(&self) -> usize {
        self.values
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

fn same(left: &SecretString, right: &SecretString) -> bool {
    constant_time_eq(left.expose().as_bytes(), right.expose().as_bytes())
}

fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    left.len() == right.len() && bool::from(left.ct_eq(right))
}

impl Verifier for RotatingHeaders {
    fn verify(&self, request: &SignedRequest<'_>) -> Result<(), AuthError> {
        let mut sent = request.headers.get_all(&*self.header).iter().peekable();
        if sent.peek().is_none() {
            return Err(AuthError::MissingHeader {
                header: self.header.to_string(),
            });
        }
        let values = self.values.read().unwrap_or_else(PoisonError::into_inner);
        // Compare against every accepted value, so timing does not tell which one matched.
        let matched = sent.fold(false, |matched, value| {
            values.iter().fold(matched, |matched, accepted| {
                matched | constant_time_eq(value.as_bytes(), accepted.expose().as_bytes())
            })
        });
        if matched {
            Ok(())
        } else {
            Err(AuthError::InvalidHeader {
                header: self.header.to_string(),
            })
        }
    }
}

impl fmt::Debug for RotatingHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RotatingHeaders")
            .field("header", &&*self.header)
            .field("accepted", &self.accepted_count())
            .finish()
    }
}
