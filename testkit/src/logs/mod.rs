//! Prove that secrets and personal data never reach the logs.
//!
//! A [`LogCapture`] records everything the code under test emits through `tracing`, from
//! every thread, formatted as `tracing_subscriber::fmt` writes it (no colours, no time):
//! level, span names with their fields (`delivery{event_id=e-1}:`), target, message and
//! fields. Spans also get a line when they open and when they close, so fields recorded on a
//! span show up even if nothing is logged inside it. Then the test asserts on the text:
//!
//! ```
//! use capillary_ens_testkit::logs::LogCapture;
//!
//! let logs = LogCapture::install();
//!
//! let span = tracing::info_span!("delivery", event_id = "e-1");
//! span.in_scope(|| tracing::info!(customer_id = 42, "points issued"));
//!
//! logs.assert_contains("event_id=\"e-1\"")
//!     .assert_contains("customer_id=42")
//!     .assert_absent(&["919876543210", "priya@example.com", "t0ken"]);
//! ```
//!
//! [`assert_absent`](LogCapture::assert_absent) panics naming each forbidden value that
//! appeared (masked, like `"919…210"`), how often, and the first line it is on, with every
//! forbidden value masked in that line too. It also panics when nothing was captured at all,
//! because an empty log proves nothing; assert on something expected as well, such as an id,
//! so that the test fails if the logging it guards moves elsewhere.
//!
//! # Every thread, one capture at a time
//!
//! `tracing::subscriber::set_default` is per thread: it misses what tasks log on the worker
//! threads of a multi-thread tokio runtime, and what `spawn_blocking` logs. So the first
//! capture in a test binary installs one subscriber as the process's global default, at
//! `TRACE`, and every capture reads from it. It works the same in `#[tokio::test]`
//! (current-thread) and `#[tokio::test(flavor = "multi_thread")]`, and for spawned tasks.
//!
//! The global subscriber cannot tell which test an event belongs to, so captures take turns:
//! [`LogCapture::install`] waits until any other capture in the binary has been dropped.
//! Tests that capture thus run one after another, while tests that do not capture keep
//! running in parallel and their events, if any, are captured too. For exact results keep
//! log-capturing tests in their own test file (each file in `tests/` is its own binary).
//!
//! Installing fails, with a panic that says why, if another global subscriber was set first in
//! the same binary (a `fmt().init()` in a test or in the code under test): events on other
//! threads would then be missed. A subscriber set with `set_default` on the test's own thread
//! takes precedence there, so do not combine the two. Events emitted before the capture is
//! installed are not captured.

mod active;
mod leaks;
mod subscriber;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use tracing::Level;

use active::{Buffer, Turn};
use leaks::Case;

/// Lines of the capture shown when an expected text is missing.
const SHOWN_LINES: usize = 400;

/// Everything logged through `tracing`, from every thread, while this value is alive.
///
/// See the [module docs](self) for the format and for how captures take turns.
pub struct LogCapture {
    level: Level,
    buffer: Buffer,
    _turn: Turn,
}

impl LogCapture {
    /// Captures events and spans at every level, `TRACE` included.
    ///
    /// Waits while another capture in this test binary is alive. Panics if another global
    /// `tracing` subscriber is installed, or if this thread already holds a capture.
    #[track_caller]
    pub fn install() -> Self {
        Self::at(Level::TRACE)
    }

    /// Captures events and spans at `level` and more severe ones: `LogCapture::at(Level::INFO)`
    /// records `INFO`, `WARN` and `ERROR`, the logs a production filter typically keeps.
    ///
    /// Waits and panics like [`install`](Self::install).
    #[track_caller]
    pub fn at(level: Level) -> Self {
        subscriber::ensure_installed();
        let buffer: Buffer = Arc::new(Mutex::new(Vec::new()));
        let turn = Turn::take(level, Arc::clone(&buffer));
        Self {
            level,
            buffer,
            _turn: turn,
        }
    }

    /// The text captured so far (invalid UTF-8, if any, replaced).
    pub fn contents(&self) -> String {
        let bytes = self.buffer.lock().unwrap_or_else(PoisonError::into_inner);
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// Whether nothing has been captured yet.
    pub fn is_empty(&self) -> bool {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
    }

    /// Whether the captured text contains `text`.
    pub fn contains(&self, text: &str) -> bool {
        self.contents().contains(text)
    }

    /// Panics unless something has been captured.
    #[track_caller]
    pub fn assert_captured_something(&self) -> &Self {
        assert!(
            !self.is_empty(),
            "the log capture is empty: nothing was logged at {} or above since it was \
             installed, so asserting on the logs proves nothing; check that the code under \
             test ran and logs through `tracing`, and that no subscriber set with `set_default` \
             on this thread takes the events",
            self.level,
        );
        self
    }

    /// Panics, showing the captured text, unless it contains `expected`.
    #[track_caller]
    pub fn assert_contains(&self, expected: &str) -> &Self {
        let contents = self.contents();
        assert!(
            contents.contains(expected),
            "the captured logs do not contain {expected:?}; captured at {} and above:\n{}",
            self.level,
            first_lines(&contents),
        );
        self
    }

    /// Panics if any of `forbidden` appears in the captured text, byte for byte, or if
    /// nothing was captured.
    ///
    /// The message names every value that appeared by its index in `forbidden` and a masked
    /// form (`"919…210"`), with how many times and the first line it appears on, shown with
    /// all forbidden values masked. Panics as well if a forbidden value is empty.
    #[track_caller]
    pub fn assert_absent(&self, forbidden: &[&str]) -> &Self {
        self.assert_absent_with(forbidden, Case::Exact)
    }

    /// Like [`assert_absent`](Self::assert_absent), with letters compared in lower case, so
    /// `"Priya"` also matches `priya` and `PRIYA`.
    #[track_caller]
    pub fn assert_absent_ignoring_case(&self, forbidden: &[&str]) -> &Self {
        self.assert_absent_with(forbidden, Case::Ignored)
    }

    #[track_caller]
    fn assert_absent_with(&self, forbidden: &[&str], case: Case) -> &Self {
        if let Some(index) = forbidden.iter().position(|value| value.is_empty()) {
            panic!("forbidden[{index}] is empty, and every log contains the empty string");
        }
        self.assert_captured_something();
        if let Some(report) = leaks::report(&self.contents(), forbidden, case) {
            panic!("{report}");
        }
        self
    }
}

impl fmt::Debug for LogCapture {
    /// The level and the size of the capture, never its text, which may hold what leaked.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let bytes = self
            .buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len();
        f.debug_struct("LogCapture")
            .field("level", &format_args!("{}", self.level))
            .field("bytes", &bytes)
            .finish()
    }
}

/// `text`, cut after [`SHOWN_LINES`] lines.
fn first_lines(text: &str) -> String {
    let total = text.lines().count();
    if total <= SHOWN_LINES {
        return text.to_owned();
    }
    let shown: Vec<&str> = text.lines().take(SHOWN_LINES).collect();
    format!(
        "{}\n… ({} more lines)",
        shown.join("\n"),
        total - SHOWN_LINES
    )
}
