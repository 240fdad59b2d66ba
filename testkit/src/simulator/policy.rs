//! [`RetryPolicy`]: when ENS tries a failed delivery again, and when it gives up.

use std::time::Duration;

/// When a retriable failure is tried again, and for how long.
///
/// ENS documents exponential backoff for at least seven days without giving the exact
/// intervals; [`RetryPolicy::ens`] picks plausible ones. Retry `n` (counting from 1) is due
/// `min(initial × factor^(n-1), max_delay)` after the attempt that failed. A retry that would
/// fall later than `window` after the delivery was queued is not made: the delivery fails.
///
/// ```
/// use std::time::Duration;
/// use capillary_ens_testkit::simulator::RetryPolicy;
///
/// let policy = RetryPolicy::ens();
/// assert_eq!(policy.delay_before_retry(1), Some(Duration::from_secs(30)));
/// assert_eq!(policy.delay_before_retry(2), Some(Duration::from_secs(60)));
/// assert_eq!(policy.delay_before_retry(20), Some(Duration::from_secs(3600)));
/// assert_eq!(RetryPolicy::none().delay_before_retry(1), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    initial: Duration,
    factor: u32,
    max_delay: Duration,
    window: Duration,
    retries: bool,
}

impl RetryPolicy {
    /// The default: first retry after 30 s, each delay doubled, capped at one hour, for a
    /// window of seven days.
    pub fn ens() -> Self {
        Self::exponential(
            Duration::from_secs(30),
            2,
            Duration::from_secs(60 * 60),
            Duration::from_secs(7 * 24 * 60 * 60),
        )
    }

    /// First retry after `initial`, each next delay multiplied by `factor` (0 counts as 1) up
    /// to `max_delay`, while within `window` of the delivery being queued.
    pub fn exponential(
        initial: Duration,
        factor: u32,
        max_delay: Duration,
        window: Duration,
    ) -> Self {
        Self {
            initial,
            factor: factor.max(1),
            max_delay,
            window,
            retries: true,
        }
    }

    /// Never retries: the first failure is final.
    pub fn none() -> Self {
        Self {
            initial: Duration::ZERO,
            factor: 1,
            max_delay: Duration::ZERO,
            window: Duration::ZERO,
            retries: false,
        }
    }

    /// How long after the failed attempt retry number `retry` (1 for the first retry) is due,
    /// or `None` when this policy does not retry.
    pub fn delay_before_retry(&self, retry: u32) -> Option<Duration> {
        if !self.retries {
            return None;
        }
        let mut delay = self.initial;
        for _ in 1..retry {
            delay = delay.checked_mul(self.factor).unwrap_or(self.max_delay);
            if delay >= self.max_delay {
                break;
            }
        }
        Some(delay.min(self.max_delay))
    }

    /// How long after a delivery is queued retries may still be made.
    pub fn window(&self) -> Duration {
        self.window
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::ens()
    }
}
