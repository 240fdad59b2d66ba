//! [`AcceptedHeaderValues`]: the receiver side of a [`HeaderRotation`](crate::HeaderRotation).

use std::fmt;

use crate::SecretString;

/// The values a running receiver accepts for one header, which a
/// [`HeaderRotation`](crate::HeaderRotation) changes while it switches the webhook.
///
/// With the feature `receiver`, `capillary_ens_receiver::RotatingHeaders` implements it: build
/// the receiver's `Auth` with one clone and hand another to the rotation. Implement it yourself
/// when the accepted values live elsewhere (a shared configuration store, another process).
pub trait AcceptedHeaderValues: fmt::Debug + Send + Sync {
    /// The header the receiver checks, e.g. `authorization`.
    fn header(&self) -> &str;

    /// Accepts `value` from now on, besides the values accepted already.
    fn accept(&self, value: &SecretString);

    /// Stops accepting `value`.
    fn retire(&self, value: &SecretString);
}

#[cfg(feature = "receiver")]
impl AcceptedHeaderValues for capillary_ens_receiver::RotatingHeaders {
    fn header(&self) -> &str {
        capillary_ens_receiver::RotatingHeaders::header(self)
    }

    fn accept(&self, value: &SecretString) {
        capillary_ens_receiver::RotatingHeaders::accept(self, value.expose());
    }

    fn retire(&self, value: &SecretString) {
        let value = capillary_ens_receiver::Secret::from(value.expose());
        capillary_ens_receiver::RotatingHeaders::retire(self, &value);
    }
}
