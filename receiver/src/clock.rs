//! [`Clock`]: where "now" comes from, so tests can set it.

use std::fmt;
use std::time::SystemTime;

/// The source of the current time for timestamp tolerances and idempotency TTLs.
///
/// [`SystemClock`] is the default; any `Fn() -> SystemTime` closure is a clock too, which is how
/// tests pin time:
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use capillary_ens_receiver::Clock;
///
/// let fixed = || SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005);
/// assert_eq!(fixed.now(), SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005));
/// ```
pub trait Clock: Send + Sync + 'static {
    /// The current time.
    fn now(&self) -> SystemTime;
}

/// The system's wall clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

impl<F> Clock for F
where
    F: Fn() -> SystemTime + Send + Sync + 'static,
{
    fn now(&self) -> SystemTime {
        self()
    }
}

/// Seconds since the Unix epoch, negative before it.
pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

pub(crate) struct DebugClock;

impl fmt::Debug for DebugClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}
