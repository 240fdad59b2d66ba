//! [`RotatingHeaders`]: a header check whose accepted values change while the receiver runs.

use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use super::static_headers::basic_value;
use super::{AuthError, SignedRequest, Verifier, constant_time_eq};
use crate::Secret;

/// Requires one header (e.g. `Authorization`) to hold one of a set of values that can change
/// at any time, so a running receiver can follow a credential rotation.
///
/// Clones share the set: keep one clone for [`Auth::new`](crate::Auth::new) and use another to
/// [`accept`](Self::accept) and [`retire`](Self::retire) values, or hand it to
/// `capillary-ens-admin`'s `HeaderRotation` (feature `receiver`), which does both in the order
/// that loses no event. Values are compared in constant time; `Debug` shows the header name and
/// how many values are accepted, never the values.
///
/// ```
/// use capillary_ens_receiver::{Auth, RotatingHeaders, Secret};
/// use http::HeaderMap;
///
/// let accepted = RotatingHeaders::bearer("old");
/// let auth = Auth::new(accepted.clone());
/// let mut headers = HeaderMap::new();
/// headers.insert("authorization", "Bearer new".parse().unwrap());
/// assert!(auth.verify(&headers, b"{}").is_err());
///
/// accepted.accept("Bearer new");
/// assert!(auth.verify(&headers, b"{}").is_ok());
/// assert!(accepted.retire(&Secret::from("Bearer old")));
/// assert_eq!(format!("{accepted:?}"), r#"RotatingHeaders { header: "authorization", accepted: 1 }"#);
/// ```
#[derive(Clone)]
pub struct RotatingHeaders {
    header: Arc<str>,
    values: Arc<RwLock<Vec<Secret>>>,
}

impl RotatingHeaders {
    /// Requires header `name` to equal `value` (more values can be accepted later).
    pub fn new(name: &str, value: impl Into<Secret>) -> Self {
        Self {
            header: Arc::from(name.to_ascii_lowercase()),
            values: Arc::new(RwLock::new(vec![value.into()])),
        }
    }

    /// Requires `Authorization: Basic <base64(user:password)>`.
    pub fn basic(user: &str, password: &str) -> Self {
        Self::new("authorization", basic_value(user, password))
    }

    /// Requires `Authorization: Bearer <token>`.
    pub fn bearer(token: &str) -> Self {
        Self::new("authorization", format!("Bearer {token}"))
    }

    /// The header checked, in lower case.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// Also accepts `value` from now on (no effect if it is accepted already).
    pub fn accept(&self, value: impl Into<Secret>) {
        let value = value.into();
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        if !values.iter().any(|accepted| same(accepted, &value)) {
            values.push(value);
        }
    }

    /// Stops accepting `value`; returns whether it was accepted. The last value cannot be
    /// retired (the check would then refuse everything): that returns `false`.
    pub fn retire(&self, value: &Secret) -> bool {
        let mut values = self.values.write().unwrap_or_else(PoisonError::into_inner);
        let before = values.len();
        if before == 1 && same(&values[0], value) {
            return false;
        }
        values.retain(|accepted| !same(accepted, value));
        values.len() < before
    }

    /// Whether `value` is accepted now.
    pub fn accepts(&self, value: &Secret) -> bool {
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

fn same(left: &Secret, right: &Secret) -> bool {
    constant_time_eq(left.expose(), right.expose())
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
                matched | constant_time_eq(value.as_bytes(), accepted.expose())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_last_accepted_value_cannot_be_retired() {
        let accepted = RotatingHeaders::bearer("only");
        assert!(!accepted.retire(&Secret::from("Bearer only")));
        assert_eq!(accepted.accepted_count(), 1);
        accepted.accept("Bearer only");
        assert_eq!(accepted.accepted_count(), 1, "accepting twice adds nothing");
        assert!(!format!("{accepted:?}").contains("only"));
    }

    #[test]
    fn a_retired_value_is_refused_and_the_others_stay() {
        let accepted = RotatingHeaders::basic("ens", "old");
        accepted.accept(super::basic_value("ens", "new"));
        assert!(accepted.retire(&Secret::from(super::basic_value("ens", "old"))));
        assert!(!accepted.accepts(&Secret::from(super::basic_value("ens", "old"))));
        assert!(accepted.accepts(&Secret::from(super::basic_value("ens", "new"))));
        assert_eq!(accepted.header(), "authorization");
    }
}
