//! [`Dispatch`]: what running a delivery's handler came to, with or without HTTP.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use capillary_ens_schemas::{EventName, ParseError};

use crate::handler::HandlerError;

/// The outcome of [`EnsRouter::dispatch`](crate::EnsRouter::dispatch): what became of one
/// delivery, and whether trying again could change it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Dispatch {
    /// A handler (typed, mismatch or fallback) ran and succeeded.
    Handled,
    /// The handler failed: retriable. The HTTP path answers with [`HandlerError::status`].
    Failed(HandlerError),
    /// A known event whose data does not match its type, for which a typed handler is
    /// registered but no mismatch handler or fallback is: it will fail the same way every
    /// time, so it is acknowledged, logged at `error` (event name, id, JSON path; never a
    /// value) and counted. A durable inbox keeps it as a dead letter.
    Mismatch(Mismatch),
    /// No handler is registered for the event (nor a fallback): acknowledged.
    NoHandler,
}

impl Dispatch {
    /// Whether trying again later could succeed: only for [`Dispatch::Failed`].
    pub fn is_retriable(&self) -> bool {
        matches!(self, Dispatch::Failed(_))
    }
}

/// A known event whose data does not match its type.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Mismatch {
    /// The event's name.
    pub event_name: EventName,
    /// The event's id, when it has one.
    pub event_id: Option<String>,
    /// Where the data failed to match; its message quotes no value.
    pub error: ParseError,
}

impl Mismatch {
    /// The JSON path of the value that did not match (`data.…`).
    pub fn path(&self) -> &str {
        self.error.path().unwrap_or("data")
    }
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} does not match its type at {}",
            self.event_name.as_str(),
            self.path()
        )
    }
}

/// Counts of deliveries acknowledged without a handler succeeding, shared by clones: read them
/// from a metrics endpoint or a test. [`EnsRouter::counters`](crate::EnsRouter::counters)
/// hands out the router's.
#[derive(Clone, Debug, Default)]
pub struct DispatchCounters {
    mismatched: Arc<AtomicU64>,
    unhandled: Arc<AtomicU64>,
}

impl DispatchCounters {
    /// Deliveries that ended as [`Dispatch::Mismatch`].
    pub fn mismatched(&self) -> u64 {
        self.mismatched.load(Ordering::Relaxed)
    }

    /// Deliveries that ended as [`Dispatch::NoHandler`].
    pub fn unhandled(&self) -> u64 {
        self.unhandled.load(Ordering::Relaxed)
    }

    pub(crate) fn count_mismatch(&self) {
        self.mismatched.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn count_unhandled(&self) {
        self.unhandled.fetch_add(1, Ordering::Relaxed);
    }
}
