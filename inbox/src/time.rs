//! Times as the databases store them: milliseconds since the Unix epoch.

use std::time::{Duration, SystemTime};

/// Milliseconds since the epoch (0 for earlier times, which the inbox never stores).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn to_millis(time: SystemTime) -> i64 {
    time.duration_since(SystemTime::UNIX_EPOCH)
        .map(|since| i64::try_from(since.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The time `millis` after the epoch.
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn from_millis(millis: i64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(u64::try_from(millis).unwrap_or(0))
}
