//! [`ApiRetryPolicy`] and [`Sleeper`]: when and how long the client waits before trying again.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};

/// When a failed call is tried again.
///
/// Retried: `429 Too Many Requests` for every method (the API did not process the call), and
/// `5xx` answers, timeouts and connection failures for the idempotent methods (`GET`, `PUT`,
/// `DELETE`) only, so a `POST` that may have created a webhook is never sent twice. The wait
/// is the API's `Retry-After` (delta-seconds or an HTTP-date) when it sends one, else
/// exponential backoff (from `backon`) from [`initial_backoff`](Self::initial_backoff),
/// doubling up to [`max_backoff`](Self::max_backoff), with jitter: each wait is stretched by a
/// random share of up to 100 %, so clients that failed together do not retry together
/// ([`jitter`](Self::jitter) turns it off). A `Retry-After` longer than
/// [`max_retry_after`](Self::max_retry_after) is not waited for: the 429 is returned.
///
/// ```
/// use std::time::Duration;
/// use capillary_ens_admin::ApiRetryPolicy;
///
/// let policy = ApiRetryPolicy::default().max_attempts(3).initial_backoff(Duration::from_millis(100));
/// let waits: Vec<Duration> = policy.backoffs().take(2).collect();
/// assert!(Duration::from_millis(100) <= waits[0] && waits[0] < Duration::from_millis(200));
/// assert!(Duration::from_millis(200) <= waits[1] && waits[1] < Duration::from_millis(400));
/// assert_eq!(ApiRetryPolicy::none().attempts(), 1);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ApiRetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
    jitter: bool,
}

impl Default for ApiRetryPolicy {
    /// 4 attempts, backoff from 500 ms up to 30 s with jitter, `Retry-After` honoured up to
    /// 60 s (the log APIs' limits are per minute).
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(60),
            jitter: true,
        }
    }
}

impl ApiRetryPolicy {
    /// Never retries.
    pub fn none() -> Self {
        Self::default().max_attempts(1)
    }

    /// Makes at most `attempts` attempts in all (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Waits `backoff` before the first retry when the API gives no `Retry-After`.
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Never backs off longer than `backoff`.
    pub fn max_backoff(mut self, backoff: Duration) -> Self {
        self.max_backoff = backoff;
        self
    }

    /// Gives up instead of waiting when the API asks for a longer `Retry-After`.
    pub fn max_retry_after(mut self, limit: Duration) -> Self {
        self.max_retry_after = limit;
        self
    }

    /// The number of attempts, first one included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// Stretches each backoff by a random share (on by default); `false` waits exactly the
    /// doubling schedule.
    pub fn jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The waits before retries 1, 2, 3 … when the API gives no `Retry-After`.
    pub fn backoffs(&self) -> impl Iterator<Item = Duration> + use<> {
        let schedule = ExponentialBuilder::new()
            .with_factor(2.0)
            .with_min_delay(self.initial_backoff)
            .with_max_delay(self.max_backoff)
            .without_max_times();
        if self.jitter {
            schedule.with_jitter().build()
        } else {
            schedule.build()
        }
    }

    /// The wait before the next retry: the API's `retry_after` if it sent one, else the next
    /// of `backoffs` (which advances on every retry, so the schedule follows the attempt
    /// count); `None` to give up on a `Retry-After` beyond the limit.
    pub(crate) fn delay(
        &self,
        retry_after: Option<Duration>,
        backoffs: &mut impl Iterator<Item = Duration>,
    ) -> Option<Duration> {
        let backoff = backoffs.next().unwrap_or(self.max_backoff);
        match retry_after {
            Some(wait) if wait > self.max_retry_after => None,
            Some(wait) => Some(wait),
            None => Some(backoff),
        }
    }
}

/// A boxed future that sleeps.
pub type SleepFuture = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// How the client waits between attempts. Inject your own to test retries without waiting.
///
/// ```
/// use std::sync::{Arc, Mutex};
/// use std::time::Duration;
/// use capillary_ens_admin::{SleepFuture, Sleeper};
///
/// /// Records each wait and returns at once.
/// #[derive(Debug, Default, Clone)]
/// struct Recorder(Arc<Mutex<Vec<Duration>>>);
///
/// impl Sleeper for Recorder {
///     fn sleep(&self, duration: Duration) -> SleepFuture {
///         self.0.lock().unwrap().push(duration);
///         Box::pin(async {})
///     }
/// }
/// ```
pub trait Sleeper: fmt::Debug + Send + Sync + 'static {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> SleepFuture;
}

/// Sleeps on the tokio timer. The default.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        Box::pin(tokio::time::sleep(duration))
    }
}
