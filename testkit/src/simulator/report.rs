//! [`DeliveryReport`], [`Attempt`] and their states: what happened to one delivery.

use std::fmt;
use std::time::{Duration, SystemTime};

/// Where a delivery stands, as the ENS console shows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryState {
    /// A 2xx answer was received.
    Delivered,
    /// Given up: a final 4xx answer, or the retry window closed.
    Failed,
    /// At least one attempt failed and another one is scheduled.
    Retrying,
    /// Queued, not attempted yet.
    Pending,
}

impl DeliveryState {
    /// Whether the delivery is over (delivered or failed).
    pub fn is_final(self) -> bool {
        matches!(self, Self::Delivered | Self::Failed)
    }

    /// The lowercase name used in the log table.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Retrying => "retrying",
            Self::Pending => "pending",
        }
    }
}

impl fmt::Display for DeliveryState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How one HTTP attempt ended.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AttemptOutcome {
    /// The receiver answered with this status code.
    Status(u16),
    /// No complete answer within the attempt timeout (the receiver may still have acted).
    TimedOut,
    /// No answer: connection refused or reset, invalid URL, or the in-process receiver panicked.
    ConnectionError(String),
}

impl AttemptOutcome {
    /// Whether this attempt delivered the event (a 2xx status).
    pub fn is_success(&self) -> bool {
        matches!(self, Self::Status(code) if (200..300).contains(code))
    }

    /// Whether ENS tries again after this outcome: 429, 5xx, timeouts and connection errors
    /// (no answer at all, like a timeout). Every other status is final, 408 and 1xx/3xx
    /// included: ENS documents retries for 429, 5xx and timeouts only, and a receiver that
    /// relied on a retry of anything else would pass its tests here and lose events in
    /// production.
    pub fn is_retriable(&self) -> bool {
        match self {
            Self::Status(code) => *code == 429 || (500..600).contains(code),
            Self::TimedOut | Self::ConnectionError(_) => true,
        }
    }

    /// The status code, when the receiver answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Status(code) => Some(*code),
            _ => None,
        }
    }
}

impl fmt::Display for AttemptOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(code) => write!(f, "{code}"),
            Self::TimedOut => f.write_str("timeout"),
            Self::ConnectionError(_) => f.write_str("conn-error"),
        }
    }
}

/// One HTTP call made for a delivery.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Attempt {
    /// 1 for the first attempt, 2 for the first retry, …
    pub number: u32,
    /// When the attempt was made, in virtual time.
    pub at: SystemTime,
    /// How it ended.
    pub outcome: AttemptOutcome,
    /// How long it really took (the receiver really runs).
    pub elapsed: Duration,
}

/// Everything that happened to one delivery of one event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeliveryReport {
    /// The event's `eventId`, when it has one.
    pub event_id: Option<String>,
    /// The event's name, or `unknown` for bodies that are not events.
    pub event_name: String,
    /// Where the delivery stands.
    pub state: DeliveryState,
    /// Every attempt so far, oldest first.
    pub attempts: Vec<Attempt>,
    /// Whether this delivery repeats an event this simulator delivered before: an extra copy
    /// from [`Duplicates`](super::Duplicates), or the same `eventId` given again.
    pub duplicate: bool,
    /// When the delivery was queued, in virtual time; the retry window counts from here.
    pub queued_at: SystemTime,
    /// When the next attempt is due, while [`Retrying`](DeliveryState::Retrying).
    pub next_attempt_at: Option<SystemTime>,
}

impl DeliveryReport {
    pub(crate) fn queued(
        event_id: Option<String>,
        event_name: String,
        duplicate: bool,
        queued_at: SystemTime,
    ) -> Self {
        Self {
            event_id,
            event_name,
            state: DeliveryState::Pending,
            attempts: Vec::new(),
            duplicate,
            queued_at,
            next_attempt_at: None,
        }
    }

    /// Whether the event was delivered.
    pub fn is_delivered(&self) -> bool {
        self.state == DeliveryState::Delivered
    }

    /// When each attempt was made, counted from [`queued_at`](Self::queued_at) in virtual time.
    pub fn attempt_offsets(&self) -> Vec<Duration> {
        self.attempts
            .iter()
            .map(|attempt| self.offset(attempt.at))
            .collect()
    }

    /// The outcome of each attempt, oldest first.
    pub fn outcomes(&self) -> Vec<&AttemptOutcome> {
        self.attempts
            .iter()
            .map(|attempt| &attempt.outcome)
            .collect()
    }

    /// Virtual time from queueing to the first attempt: how long the delivery waited, e.g.
    /// behind an earlier event that was retrying in [queue mode](super::SimulatorBuilder::queue_mode).
    pub fn held_back(&self) -> Option<Duration> {
        self.attempts.first().map(|attempt| self.offset(attempt.at))
    }

    /// Virtual time from queueing to the start of the successful attempt, once delivered.
    pub fn delivery_time(&self) -> Option<Duration> {
        if !self.is_delivered() {
            return None;
        }
        let success = self
            .attempts
            .iter()
            .find(|attempt| attempt.outcome.is_success())?;
        Some(self.offset(success.at))
    }

    /// The attempts as `503@0s 429@30s 200@90s`, long histories shortened in the middle.
    pub fn attempts_summary(&self) -> String {
        const HEAD: usize = 3;
        const TAIL: usize = 2;
        let describe =
            |attempt: &Attempt| format!("{}@{}", attempt.outcome, seconds(self.offset(attempt.at)));
        if self.attempts.len() <= HEAD + TAIL + 1 {
            return self
                .attempts
                .iter()
                .map(describe)
                .collect::<Vec<_>>()
                .join(" ");
        }
        let head = self.attempts[..HEAD].iter().map(describe);
        let skipped = self.attempts.len() - HEAD - TAIL;
        let tail = self.attempts[self.attempts.len() - TAIL..]
            .iter()
            .map(describe);
        head.chain(std::iter::once(format!("…({skipped} more)…")))
            .chain(tail)
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn offset(&self, at: SystemTime) -> Duration {
        at.duration_since(self.queued_at).unwrap_or(Duration::ZERO)
    }
}

/// `90s`, or `0.250s` for fractions.
fn seconds(duration: Duration) -> String {
    match duration.subsec_millis() {
        0 => format!("{}s", duration.as_secs()),
        millis => format!("{}.{millis:03}s", duration.as_secs()),
    }
}
