//! `LogCapture` sees what every thread logs, names leaked values without printing them, and
//! refuses to vouch for an empty log.
//!
//! The tests in this file take turns holding the one capture; each uses its own values so
//! that a test running beside another cannot be confused by the other's events.

use std::panic::{AssertUnwindSafe, catch_unwind};

use capillary_ens_testkit::logs::LogCapture;
use tracing::Level;

/// The message of the panic `f` raises; fails the test if it does not panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("the assertion should panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| {
            payload
                .downcast_ref::<&str>()
                .map(|text| (*text).to_owned())
        })
        .expect("a text panic message")
}

#[tokio::test(flavor = "current_thread")]
async fn captures_events_and_span_fields_on_a_current_thread_runtime() {
    let logs = LogCapture::install();

    let span = tracing::info_span!("delivery", event_id = "evt-current-1");
    span.in_scope(|| tracing::trace!(customer_id = 4201, "handled"));
    tokio::spawn(async { tracing::debug!("from a spawned task on the current thread") })
        .await
        .unwrap();

    logs.assert_contains("delivery{event_id=\"evt-current-1\"}")
        .assert_contains("customer_id=4201")
        .assert_contains("TRACE")
        .assert_contains("from a spawned task on the current thread");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn captures_spawned_tasks_on_worker_threads_and_blocking_threads() {
    let logs = LogCapture::install();

    let tasks: Vec<_> = (0..8)
        .map(|task| {
            tokio::spawn(async move {
                let span = tracing::info_span!("worker", event_id = %format!("evt-worker-{task}"));
                let _entered = span.enter();
                tracing::info!(task, "worker task ran");
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    tokio::task::spawn_blocking(|| tracing::warn!("from a blocking thread"))
        .await
        .unwrap();

    for task in 0..8 {
        logs.assert_contains(&format!("worker{{event_id=evt-worker-{task}}}"));
    }
    logs.assert_contains("from a blocking thread");
}

#[test]
fn captures_plain_threads() {
    let logs = LogCapture::install();

    std::thread::spawn(|| tracing::error!(order_id = 77_001, "from a plain thread"))
        .join()
        .unwrap();

    logs.assert_contains("order_id=77001");
}

#[test]
fn span_fields_recorded_later_appear_when_the_span_closes() {
    let logs = LogCapture::install();

    let span = tracing::info_span!("import", batch = tracing::field::Empty);
    span.record("batch", "batch-9001");
    drop(span);

    logs.assert_contains("batch=\"batch-9001\"");
}

#[test]
fn a_capture_at_info_leaves_out_debug_and_trace() {
    let logs = LogCapture::at(Level::INFO);

    tracing::debug!("debug-line-5150");
    tracing::trace!("trace-line-5150");
    tracing::info!("info-line-5150");

    logs.assert_contains("info-line-5150");
    assert!(!logs.contains("debug-line-5150"), "{}", logs.contents());
    assert!(!logs.contains("trace-line-5150"), "{}", logs.contents());
}

#[test]
fn assert_absent_passes_when_no_forbidden_value_appears() {
    let logs = LogCapture::install();

    tracing::info!(customer_id = 31_337, "customer updated");

    logs.assert_absent(&["919800031337", "ravi@example.com"])
        .assert_absent_ignoring_case(&["Ravi"]);
}

#[test]
fn assert_absent_names_the_leaked_value_masked_with_its_line() {
    let logs = LogCapture::install();
    tracing::info!(customer_id = 42, "customer updated");
    tracing::info!(mobile = "919876543210", customer_id = 42, "sms sent");
    tracing::info!("retrying 919876543210");

    let message = panic_message(|| {
        logs.assert_absent(&["never-logged", "919876543210"]);
    });

    assert!(
        message.contains("1 of 2 forbidden values appeared"),
        "{message}"
    );
    assert!(
        message.contains("forbidden[1] \"919…210\" (12 chars), 2 times, first on line 2"),
        "{message}"
    );
    assert!(
        message.contains("sms sent mobile=\"919…210\" customer_id=42"),
        "the line is shown with the value masked: {message}"
    );
    assert!(!message.contains("919876543210"), "{message}");
    assert!(!message.contains("never-logged"), "{message}");
}

#[test]
fn assert_absent_ignoring_case_finds_values_in_any_case() {
    let logs = LogCapture::install();
    tracing::info!("greeting PRIYANKA");

    logs.assert_absent(&["Priyanka"]);
    let message = panic_message(|| {
        logs.assert_absent_ignoring_case(&["Priyanka"]);
    });

    assert!(message.contains("forbidden[0] \"P…a\""), "{message}");
    assert!(message.contains("greeting P…A"), "{message}");
}

#[test]
fn an_empty_capture_proves_nothing() {
    let logs = LogCapture::install();

    let message = panic_message(|| {
        logs.assert_absent(&["919812345678"]);
    });
    assert!(message.contains("the log capture is empty"), "{message}");

    let message = panic_message(|| {
        logs.assert_captured_something();
    });
    assert!(message.contains("proves nothing"), "{message}");
}

#[test]
fn an_empty_forbidden_value_is_refused() {
    let logs = LogCapture::install();
    tracing::info!("something");

    let message = panic_message(|| {
        logs.assert_absent(&["x-1", ""]);
    });

    assert!(message.contains("forbidden[1] is empty"), "{message}");
}

#[test]
fn a_missing_expected_text_shows_what_was_captured() {
    let logs = LogCapture::install();
    tracing::info!("delivered evt-present-8");

    let message = panic_message(|| {
        logs.assert_contains("evt-absent-8");
    });

    assert!(
        message.contains("do not contain \"evt-absent-8\""),
        "{message}"
    );
    assert!(message.contains("delivered evt-present-8"), "{message}");
}

#[test]
fn captures_take_turns_and_start_empty() {
    let first = LogCapture::install();
    tracing::info!("turn-one-6006");
    first.assert_contains("turn-one-6006");
    drop(first);

    let second = LogCapture::install();
    assert!(!second.contains("turn-one-6006"), "{}", second.contents());
    tracing::info!("turn-two-6006");
    second.assert_contains("turn-two-6006");
}

#[test]
fn a_second_capture_on_the_same_thread_is_refused_instead_of_waiting_forever() {
    let _logs = LogCapture::install();

    let message = panic_message(|| {
        let _second = LogCapture::install();
    });

    assert!(
        message.contains("already active on this thread"),
        "{message}"
    );
}

#[test]
fn debug_shows_the_size_not_the_text() {
    let logs = LogCapture::install();
    tracing::info!("secret-in-debug-404");

    let printed = format!("{logs:?}");

    assert!(
        printed.starts_with("LogCapture { level: TRACE, bytes: "),
        "{printed}"
    );
    assert!(!printed.contains("secret-in-debug-404"), "{printed}");
}
