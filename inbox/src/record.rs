//! What the inbox stores: a delivery on its way in ([`NewDelivery`]), one claimed for
//! processing ([`Claimed`]), and one as the operations commands show it ([`StoredDelivery`]).

use std::fmt;
use std::str::FromStr;
use std::time::SystemTime;

use bytes::Bytes;
use capillary_ens_receiver::{DedupKey, Delivery};
use capillary_ens_schemas::Envelope;

/// Where a stored delivery is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum State {
    /// Stored and acknowledged, not yet processed.
    Pending,
    /// Claimed by a worker whose lease has not expired.
    Processing,
    /// Processed: kept only to deduplicate ENS's retries until retention prunes it.
    Processed,
    /// A handler failed; it will be tried again at its next attempt time.
    Retrying,
    /// A dead letter: the attempts ran out, or the payload does not match its type.
    Dead,
}

impl State {
    /// Every state, in the order of a delivery's life.
    pub const ALL: [State; 5] = [
        State::Pending,
        State::Processing,
        State::Processed,
        State::Retrying,
        State::Dead,
    ];

    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Processing => "processing",
            State::Processed => "processed",
            State::Retrying => "retrying",
            State::Dead => "dead",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state name that is not one of [`State::ALL`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownState;

impl fmt::Display for UnknownState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "unknown inbox state (expected pending, processing, processed, retrying or dead)",
        )
    }
}

impl std::error::Error for UnknownState {}

impl FromStr for State {
    type Err = UnknownState;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        State::ALL
            .into_iter()
            .find(|state| state.as_str() == name)
            .ok_or(UnknownState)
    }
}

/// An authenticated delivery about to be stored. It holds no header and no credential: only
/// what ENS sent in the body, and when.
#[derive(Clone)]
pub struct NewDelivery {
    /// The deduplication key, the receiver's [`DedupKey`]: `<eventName>:<eventId>`, or
    /// `<eventName>#sha256:<hex>` when the event has no id.
    pub key: String,
    /// The event name.
    pub event_name: String,
    /// The event id, when the envelope has one.
    pub event_id: Option<String>,
    /// When the receiver authenticated it.
    pub received_at: SystemTime,
    /// The body, exactly as received.
    pub body: Bytes,
}

impl NewDelivery {
    /// The delivery of `body`, whose envelope was parsed as `envelope`; keyed like the
    /// receiver's [`DedupKey`].
    pub fn new(envelope: &Envelope, body: Bytes, received_at: SystemTime) -> Self {
        let key = DedupKey::for_delivery(envelope, &body);
        Self {
            key: key.as_str().to_owned(),
            event_name: envelope.event_name.as_str().to_owned(),
            event_id: envelope
                .event_id
                .as_deref()
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            received_at,
            body,
        }
    }

    /// The receiver's authenticated `delivery`, as stored.
    pub fn from_delivery(delivery: &Delivery) -> Self {
        Self {
            key: delivery.key().as_str().to_owned(),
            event_name: delivery.envelope.event_name.as_str().to_owned(),
            event_id: delivery
                .envelope
                .event_id
                .as_deref()
                .filter(|id| !id.is_empty())
                .map(str::to_owned),
            received_at: delivery.received_at,
            body: delivery.raw.clone(),
        }
    }
}

impl fmt::Debug for NewDelivery {
    // The body can hold personal data: only its length is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewDelivery")
            .field("key", &self.key)
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("received_at", &self.received_at)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// A delivery in a group commit's batch, with how many more copies of its key arrived in the
/// same batch (ENS re-sent it while the first copy waited): those count as duplicates.
#[derive(Clone, Debug)]
pub struct Arrival {
    /// The delivery.
    pub delivery: NewDelivery,
    /// Further copies of its key in the batch.
    pub repeats: u32,
}

/// How the acknowledgement of one delivery went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Stored {
    /// Newly stored; a worker will process it.
    New,
    /// The key was stored already (ENS re-sent it): nothing new to process.
    Duplicate,
}

/// A delivery claimed by a worker. The claim is fenced by `attempt`: finishing it succeeds only
/// while no other worker re-claimed the row after the lease expired.
#[derive(Clone)]
pub struct Claimed {
    /// The deduplication key.
    pub key: String,
    /// The event name.
    pub event_name: String,
    /// The event id, when there is one.
    pub event_id: Option<String>,
    /// When it was acknowledged.
    pub received_at: SystemTime,
    /// The body, exactly as received.
    pub body: Bytes,
    /// This attempt's number, from 1.
    pub attempt: u32,
}

impl fmt::Debug for Claimed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Claimed")
            .field("key", &self.key)
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("attempt", &self.attempt)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Why an attempt failed, as stored: a kind, a JSON path and a message that never quotes a
/// payload value.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastError {
    /// What failed: see [`ErrorKind`].
    pub kind: ErrorKind,
    /// The JSON path of the value that did not match its type, for [`ErrorKind::TypeMismatch`].
    pub path: Option<String>,
}

/// What made an attempt fail.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The handler returned an error (answered 503 inline).
    Handler,
    /// The handler asked to be retried later (answered 429 inline).
    RateLimited,
    /// The event's data does not match its type: it will fail the same way every time.
    TypeMismatch,
    /// The stored body is no longer an ENS event (it was, when acknowledged).
    NotAnEvent,
    /// The worker's lease expired too many times: the handler crashed or hung the process.
    LeaseExpired,
}

impl ErrorKind {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Handler => "handler",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::TypeMismatch => "type_mismatch",
            ErrorKind::NotAnEvent => "not_an_event",
            ErrorKind::LeaseExpired => "lease_expired",
        }
    }

    /// The kind named `name`, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        [
            ErrorKind::Handler,
            ErrorKind::RateLimited,
            ErrorKind::TypeMismatch,
            ErrorKind::NotAnEvent,
            ErrorKind::LeaseExpired,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == name)
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl LastError {
    /// An error of `kind`, with no path.
    pub fn new(kind: ErrorKind) -> Self {
        Self { kind, path: None }
    }

    /// An error of `kind` at the JSON path `path`.
    pub fn at(kind: ErrorKind, path: impl Into<String>) -> Self {
        Self {
            kind,
            path: Some(path.into()),
        }
    }

    /// The stored text: `kind` or `kind at path`.
    pub fn to_stored(&self) -> String {
        match &self.path {
            Some(path) => format!("{} at {path}", self.kind),
            None => self.kind.to_string(),
        }
    }

    /// Reads [`to_stored`](Self::to_stored)'s text back; text from a newer version reads as a
    /// handler error.
    pub fn from_stored(text: &str) -> Self {
        let (kind, path) = match text.split_once(" at ") {
            Some((kind, path)) => (kind, Some(path.to_owned())),
            None => (text, None),
        };
        Self {
            kind: ErrorKind::from_name(kind).unwrap_or(ErrorKind::Handler),
            path,
        }
    }
}

impl fmt::Display for LastError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_stored())
    }
}

/// How an attempt ended, as the worker reports it to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finish {
    /// Processed: keep the row until retention prunes it.
    Processed,
    /// Failed; try again at `at`.
    Retry {
        /// When the next attempt is due.
        at: SystemTime,
        /// Why this one failed.
        error: LastError,
    },
    /// Failed for good: a dead letter.
    Dead {
        /// Why.
        error: LastError,
    },
}

/// One stored delivery, as `ens inbox show` prints it.
#[derive(Clone)]
pub struct StoredDelivery {
    /// The deduplication key.
    pub key: String,
    /// The event name.
    pub event_name: String,
    /// The event id, when there is one.
    pub event_id: Option<String>,
    /// When it was acknowledged.
    pub received_at: SystemTime,
    /// Its state.
    pub state: State,
    /// Attempts so far.
    pub attempts: u32,
    /// When the next attempt is due (for pending and retrying rows).
    pub next_attempt_at: Option<SystemTime>,
    /// Until when the current claim holds (for processing rows).
    pub lease_until: Option<SystemTime>,
    /// Why the last attempt failed.
    pub last_error: Option<LastError>,
    /// When it was processed.
    pub processed_at: Option<SystemTime>,
    /// The body, exactly as received. It can hold personal data: redact before showing it.
    pub body: Bytes,
}

impl fmt::Debug for StoredDelivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StoredDelivery")
            .field("key", &self.key)
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("received_at", &self.received_at)
            .field("state", &self.state)
            .field("attempts", &self.attempts)
            .field("next_attempt_at", &self.next_attempt_at)
            .field("lease_until", &self.lease_until)
            .field("last_error", &self.last_error)
            .field("processed_at", &self.processed_at)
            .field("body_len", &self.body.len())
            .finish()
    }
}

/// Which deliveries a listing, a re-queue or a purge applies to.
#[derive(Clone, Debug, Default)]
#[non_exhaustive]
pub struct Filter {
    /// Only this state.
    pub state: Option<State>,
    /// Only this event name.
    pub event_name: Option<String>,
    /// Only the row with this key (`ens inbox retry <key>`).
    pub key: Option<String>,
    /// Only rows received before this time.
    pub received_before: Option<SystemTime>,
    /// At most this many rows (newest first for listings); `None` is no limit.
    pub limit: Option<usize>,
}

impl Filter {
    /// Every row.
    pub fn all() -> Self {
        Self::default()
    }

    /// Rows in `state`.
    pub fn state(state: State) -> Self {
        Self {
            state: Some(state),
            ..Self::default()
        }
    }

    /// Only rows of the event `name`.
    pub fn event_name(mut self, name: impl Into<String>) -> Self {
        self.event_name = Some(name.into());
        self
    }

    /// Only the row with `key`.
    pub fn key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// Only rows received before `time`.
    pub fn received_before(mut self, time: SystemTime) -> Self {
        self.received_before = Some(time);
        self
    }

    /// At most `limit` rows.
    pub fn limit(mut self, limit: usize) -> Self {
        self.limit = Some(limit);
        self
    }
}

/// How many rows are in each state, and the totals that outlive pruning.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct StateCounts {
    /// Processed rows pruned by retention so far.
    pub pruned: u64,
    /// Duplicate deliveries acknowledged without storing them again.
    pub duplicates: u64,
    /// Pending rows.
    pub pending: u64,
    /// Rows being processed.
    pub processing: u64,
    /// Processed rows not yet pruned.
    pub processed: u64,
    /// Rows waiting for a retry.
    pub retrying: u64,
    /// Dead letters.
    pub dead: u64,
}

impl StateCounts {
    /// Adds `count` rows in `state`.
    pub fn add(&mut self, state: State, count: u64) {
        match state {
            State::Pending => self.pending += count,
            State::Processing => self.processing += count,
            State::Processed => self.processed += count,
            State::Retrying => self.retrying += count,
            State::Dead => self.dead += count,
        }
    }

    /// All rows.
    pub fn total(&self) -> u64 {
        self.pending + self.processing + self.processed + self.retrying + self.dead
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_through_their_names() {
        for state in State::ALL {
            assert_eq!(state.as_str().parse::<State>(), Ok(state));
        }
        assert_eq!("done".parse::<State>(), Err(UnknownState));
    }

    #[test]
    fn last_errors_round_trip_through_their_stored_text() {
        for error in [
            LastError::new(ErrorKind::Handler),
            LastError::at(ErrorKind::TypeMismatch, "data.points[0].amount"),
            LastError::new(ErrorKind::LeaseExpired),
        ] {
            assert_eq!(LastError::from_stored(&error.to_stored()), error);
        }
    }

    #[test]
    fn keys_are_the_receivers_event_name_and_id_or_body_hash() {
        let mut envelope = Envelope::new(capillary_ens_schemas::EventName::PointsIssued);
        envelope.event_id = Some("e-1".into());
        let at = SystemTime::UNIX_EPOCH;
        let keyed = |envelope: &Envelope, body: &'static [u8]| {
            NewDelivery::new(envelope, Bytes::from_static(body), at).key
        };
        assert_eq!(keyed(&envelope, b"{}"), "pointsIssued:e-1");
        envelope.event_id = None;
        let hashed = keyed(&envelope, b"{}");
        assert!(hashed.starts_with("pointsIssued#sha256:"), "{hashed}");
        assert_ne!(hashed, keyed(&envelope, b"{ }"));
    }

    #[test]
    fn a_receiver_delivery_keeps_its_key_body_and_time() {
        let raw = Bytes::from_static(br#"{"eventName":"tierUpgraded","eventId":"e-7","data":{}}"#);
        let at = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(9);
        let delivery = Delivery::parse(raw.clone(), at).unwrap();
        let stored = NewDelivery::from_delivery(&delivery);
        assert_eq!(stored.key, delivery.key().as_str());
        assert_eq!((stored.body, stored.received_at), (raw, at));
        assert_eq!(stored.event_id.as_deref(), Some("e-7"));
    }
}
