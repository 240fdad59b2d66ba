//! [`VirtualClock`]: the simulated "now" that retries and signatures are stamped with.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

/// The simulator's "now": moved forward by the simulation, never by waiting.
///
/// Clones share the same time. It implements [`capillary_ens_receiver::Clock`], so a receiver under test
/// can verify signature timestamps against the same virtual time the simulator signs with
/// (`Auth::with_clock(simulator.clock())`).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use capillary_ens_receiver::Clock;
/// use capillary_ens_testkit::simulator::VirtualClock;
///
/// let start = SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005);
/// let clock = VirtualClock::starting_at(start);
/// let shared = clock.clone();
/// clock.advance(Duration::from_secs(30));
/// assert_eq!(Clock::now(&shared), start + Duration::from_secs(30));
/// ```
#[derive(Clone, Debug)]
pub struct VirtualClock {
    now: Arc<Mutex<SystemTime>>,
}

impl VirtualClock {
    /// A clock that starts at the real current time.
    pub fn new() -> Self {
        Self::starting_at(SystemTime::now())
    }

    /// A clock that starts at `start`.
    pub fn starting_at(start: SystemTime) -> Self {
        Self {
            now: Arc::new(Mutex::new(start)),
        }
    }

    /// The current virtual time.
    pub fn now(&self) -> SystemTime {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Moves the clock forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        *now = now.checked_add(by).unwrap_or(*now);
    }

    /// Sets the clock to `time`, earlier or later than now.
    pub fn set(&self, time: SystemTime) {
        *self.now.lock().unwrap_or_else(PoisonError::into_inner) = time;
    }

    /// Moves the clock to `time` unless it is already later, and returns the new now.
    pub(crate) fn advance_to(&self, time: SystemTime) -> SystemTime {
        let mut now = self.now.lock().unwrap_or_else(PoisonError::into_inner);
        if time > *now {
            *now = time;
        }
        *now
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl capillary_ens_receiver::Clock for VirtualClock {
    fn now(&self) -> SystemTime {
        VirtualClock::now(self)
    }
}

/// Whole seconds since the Unix epoch, negative before it, as signature timestamps carry them.
pub(crate) fn unix_seconds(time: SystemTime) -> i64 {
    match time.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
    }
}
