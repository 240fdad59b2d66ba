//! Authentication of a delivery, over the raw body and the request headers only.
//!
//! ENS authenticates with static headers that the brand configures on the webhook
//! ([`StaticHeaders`]). Brands whose gateway signs the body add an HMAC-SHA256 signature
//! ([`HmacSha256`]), and relays may speak Standard Webhooks ([`StandardWebhooks`]).
//! [`RotatingHeaders`] is a static header whose accepted values can change while the receiver
//! runs (a credential rotation). An [`Auth`]
//! combines any of them: every one must pass. Nothing here knows about a web framework.

mod error;
mod from_env;
mod hmac_sha256;
mod keyed;
mod rotating_headers;
mod standard_webhooks;
mod static_headers;

pub use error::AuthError;
pub use from_env::EnvError;
pub use hmac_sha256::{HmacSha256, SignatureEncoding};
pub use rotating_headers::RotatingHeaders;
pub use standard_webhooks::{InvalidSecret, StandardWebhooks};
pub use static_headers::StaticHeaders;

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

use http::HeaderMap;

use crate::clock::{Clock, SystemClock};

/// What a [`Verifier`] sees of a request: its headers, its exact body, and the time.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    /// The request headers.
    pub headers: &'a HeaderMap,
    /// The request body, exactly as received.
    pub body: &'a [u8],
    /// When the request is being verified.
    pub now: SystemTime,
}

/// One way of checking that a request came from ENS (or the brand's gateway).
///
/// Implement it for checks of your own; [`Auth`] runs every verifier it holds.
pub trait Verifier: fmt::Debug + Send + Sync + 'static {
    /// Passes, or says why the request is not authentic.
    fn verify(&self, request: &SignedRequest<'_>) -> Result<(), AuthError>;
}

/// The authentication a receiver requires: one or more [`Verifier`]s, all of which must pass.
///
/// ```
/// use capillary_ens_receiver::{Auth, HmacSha256, StaticHeaders};
///
/// let auth = Auth::new(StaticHeaders::basic("ens", "s3cret").accept_basic("ens", "n3w-s3cret"))
///     .and(HmacSha256::new("x-signature", "gateway-key").prefix("sha256="));
/// assert!(format!("{auth:?}").contains("[redacted]"));
/// ```
#[derive(Clone)]
pub struct Auth {
    verifiers: Vec<Arc<dyn Verifier>>,
    clock: Arc<dyn Clock>,
}

impl Auth {
    /// Requires `verifier` to pass.
    pub fn new(verifier: impl Verifier) -> Self {
        Self {
            verifiers: vec![Arc::new(verifier)],
            clock: Arc::new(SystemClock),
        }
    }

    /// Accepts every request. Only for local experiments: ENS events carry customer data.
    pub fn allow_unauthenticated() -> Self {
        Self {
            verifiers: Vec::new(),
            clock: Arc::new(SystemClock),
        }
    }

    /// Also requires `verifier` to pass.
    pub fn and(mut self, verifier: impl Verifier) -> Self {
        self.verifiers.push(Arc::new(verifier));
        self
    }

    /// Takes "now" from `clock` instead of the system clock.
    pub fn with_clock(mut self, clock: impl Clock) -> Self {
        self.clock = Arc::new(clock);
        self
    }

    /// Checks a request against every verifier, at the clock's current time.
    pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), AuthError> {
        self.verify_at(headers, body, self.clock.now())
    }

    /// Checks a request against every verifier, at `now`.
    pub fn verify_at(
        &self,
        headers: &HeaderMap,
        body: &[u8],
        now: SystemTime,
    ) -> Result<(), AuthError> {
        let request = SignedRequest { headers, body, now };
        self.verifiers
            .iter()
            .try_for_each(|verifier| verifier.verify(&request))
    }

    /// The current time by this auth's clock.
    pub fn now(&self) -> SystemTime {
        self.clock.now()
    }
}

impl fmt::Debug for Auth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Auth")
            .field("verifiers", &self.verifiers)
            .field("clock", &crate::clock::DebugClock)
            .finish()
    }
}

/// Compares two byte strings in time independent of their contents.
pub(crate) fn constant_time_eq(left: &[u8], right: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    left.len() == right.len() && bool::from(left.ct_eq(right))
}
