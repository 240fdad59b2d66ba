//! Failures scheduled for the next requests a mock receives (an outage, a rate limit).

use std::collections::VecDeque;

use http::StatusCode;

/// One scheduled failure: the status to answer and, for rate limits, the `Retry-After` seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Failure {
    /// The status to answer.
    pub(crate) status: StatusCode,
    /// The `Retry-After` header to send, in seconds.
    pub(crate) retry_after_secs: Option<u64>,
}

/// The failures still to answer, in order.
#[derive(Debug, Default)]
pub(crate) struct ScheduledFailures {
    queue: VecDeque<Failure>,
}

impl ScheduledFailures {
    /// Answers the next `count` requests with `failure`, after those already scheduled.
    pub(crate) fn push(&mut self, count: usize, failure: Failure) {
        self.queue.extend(std::iter::repeat_n(failure, count));
    }

    /// The failure for the request now being answered, if one is scheduled.
    pub(crate) fn take(&mut self) -> Option<Failure> {
        self.queue.pop_front()
    }
}

/// `status` as a [`StatusCode`], panicking with a clear message for test code that passes a
/// number that is no HTTP status.
pub(crate) fn status_code(status: u16) -> StatusCode {
    match StatusCode::from_u16(status) {
        Ok(code) => code,
        Err(_) => panic!("{status} is not an HTTP status code (use 100..=999, e.g. 503)"),
    }
}
