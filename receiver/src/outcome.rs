//! How a delivery through the router ended, for the trace and the response body.

/// One delivery's outcome; each has a fixed message.
pub(crate) enum Outcome {
    Duplicate,
    InFlight,
    StoreFailed,
    Stored,
    Processed,
    HandlerFailed,
    Unhandled,
    Mismatched,
}

impl Outcome {
    pub(crate) fn as_str(&self) -> &'static str {
        match self {
            Outcome::Duplicate => "duplicate",
            Outcome::InFlight => "in_flight",
            Outcome::StoreFailed => "store_failed",
            Outcome::Stored => "stored",
            Outcome::Processed => "processed",
            Outcome::HandlerFailed => "handler_failed",
            Outcome::Unhandled => "unhandled",
            Outcome::Mismatched => "mismatched",
        }
    }

    /// The response body: static text, so answering allocates nothing.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Outcome::Duplicate => "duplicate: the event was received already",
            Outcome::InFlight => "the event is being processed; retry later",
            Outcome::StoreFailed => "the delivery could not be stored; retry later",
            Outcome::Stored => "stored",
            Outcome::Processed => "processed",
            Outcome::HandlerFailed => "the event could not be processed; retry later",
            Outcome::Unhandled => "acknowledged: no handler for this event",
            Outcome::Mismatched => {
                "acknowledged: the event does not match its type and was not handled"
            }
        }
    }
}
