//! [`Error::into_handler_error`]: a failed API call, answered to ENS so that it delivers again.

use std::time::Duration;

use capillary_ens_receiver::HandlerError;

use crate::Error;

/// How long ENS is asked to wait when Capillary rate limits without a `Retry-After`.
const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);

impl Error {
    /// The [`HandlerError`] to answer an ENS delivery with when a call made while handling it
    /// failed: `429` with Capillary's `Retry-After` (30 s without one) when Capillary rate
    /// limited, `503` otherwise. ENS retries both, with backoff, for days.
    ///
    /// Decide before calling this whether the error is worth a retry: a customer that does not
    /// exist ([`Error::NotFound`]) usually is not, and its event is better acknowledged.
    ///
    /// ```
    /// use capillary_ens_admin::Error;
    ///
    /// let error = Error::NotFound { what: "customer 42".into() };
    /// assert_eq!(error.into_handler_error().status().as_u16(), 503);
    /// ```
    pub fn into_handler_error(self) -> HandlerError {
        let rate_limited = self
            .api()
            .filter(|api| api.status == 429)
            .map(|api| api.retry_after.unwrap_or(DEFAULT_RETRY_AFTER));
        match rate_limited {
            Some(retry_after) => HandlerError::rate_limited(retry_after, self),
            None => HandlerError::unavailable(self),
        }
    }
}
