//! [`Counters`]: what this process did with deliveries since it started, for dashboards.
//!
//! [`Stats`](crate::Stats) are read from the database (every replica agrees, but each read is a
//! query); counters are this process's own, read without I/O. Each increment is also a
//! `tracing` event on the target `capillary_ens_inbox::metrics` with a
//! `monotonic_counter.<name> = 1` field, the convention `tracing-opentelemetry`'s metrics layer
//! turns into OpenTelemetry counters, so a brand already exporting traces gets the graphs for
//! free.

use std::sync::atomic::{AtomicU64, Ordering};

/// The events this process counted since it started; see [`Inbox::counters`](crate::Inbox::counters).
///
/// A brand typically graphs `stored` and `duplicates` (ENS traffic), `unavailable` (503s: the
/// database is down and ENS is retrying), `retried` (a downstream is failing) and
/// `dead_lettered` (something needs a person: alert on any increase).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Deliveries committed to the inbox.
    pub stored: u64,
    /// Deliveries answered 2xx as duplicates of a stored one.
    pub duplicates: u64,
    /// Deliveries that could not be stored (answered 503 with `Retry-After`).
    pub unavailable: u64,
    /// Deliveries whose processing succeeded.
    pub processed: u64,
    /// Failed attempts scheduled for another try.
    pub retried: u64,
    /// Deliveries that became dead letters.
    pub dead_lettered: u64,
}

/// One counter of [`Counters`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum Counter {
    Stored,
    Duplicate,
    Unavailable,
    Processed,
    Retried,
    DeadLettered,
}

/// The live cells behind [`Counters`], shared by an inbox's clones.
#[derive(Debug, Default)]
pub(crate) struct CounterCells {
    stored: AtomicU64,
    duplicates: AtomicU64,
    unavailable: AtomicU64,
    processed: AtomicU64,
    retried: AtomicU64,
    dead_lettered: AtomicU64,
}

impl CounterCells {
    /// Counts one `counter` and emits its metric event.
    pub(crate) fn add(&self, counter: Counter) {
        let cell = match counter {
            Counter::Stored => &self.stored,
            Counter::Duplicate => &self.duplicates,
            Counter::Unavailable => &self.unavailable,
            Counter::Processed => &self.processed,
            Counter::Retried => &self.retried,
            Counter::DeadLettered => &self.dead_lettered,
        };
        cell.fetch_add(1, Ordering::Relaxed);
        // One event per counter: field names must be literals for the metrics layer.
        match counter {
            Counter::Stored => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_stored = 1_u64 }, "stored");
            }
            Counter::Duplicate => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_duplicates = 1_u64 }, "duplicates");
            }
            Counter::Unavailable => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_unavailable = 1_u64 }, "unavailable");
            }
            Counter::Processed => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_processed = 1_u64 }, "processed");
            }
            Counter::Retried => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_retried = 1_u64 }, "retried");
            }
            Counter::DeadLettered => {
                tracing::event!(target: "capillary_ens_inbox::metrics", tracing::Level::TRACE, { monotonic_counter.ens_inbox_dead_lettered = 1_u64 }, "dead lettered");
            }
        }
    }

    /// The counts now.
    pub(crate) fn snapshot(&self) -> Counters {
        Counters {
            stored: self.stored.load(Ordering::Relaxed),
            duplicates: self.duplicates.load(Ordering::Relaxed),
            unavailable: self.unavailable.load(Ordering::Relaxed),
            processed: self.processed.load(Ordering::Relaxed),
            retried: self.retried.load(Ordering::Relaxed),
            dead_lettered: self.dead_lettered.load(Ordering::Relaxed),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    /// A `MakeWriter` into a shared buffer.
    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn each_count_is_a_metrics_event_for_the_opentelemetry_layer() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        let cells = CounterCells::default();
        tracing::subscriber::with_default(subscriber, || {
            cells.add(Counter::DeadLettered);
            cells.add(Counter::Stored);
        });
        let logged = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
        assert!(
            logged.contains("capillary_ens_inbox::metrics")
                && logged.contains("monotonic_counter.ens_inbox_dead_lettered=1")
                && logged.contains("monotonic_counter.ens_inbox_stored=1"),
            "{logged}"
        );
    }

    #[test]
    fn each_counter_counts_only_itself() {
        let cells = CounterCells::default();
        cells.add(Counter::Stored);
        cells.add(Counter::Stored);
        cells.add(Counter::Duplicate);
        cells.add(Counter::Unavailable);
        cells.add(Counter::Processed);
        cells.add(Counter::Retried);
        cells.add(Counter::DeadLettered);
        assert_eq!(
            cells.snapshot(),
            Counters {
                stored: 2,
                duplicates: 1,
                unavailable: 1,
                processed: 1,
                retried: 1,
                dead_lettered: 1,
            }
        );
    }
}
