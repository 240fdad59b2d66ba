//! The worker pool: claim due rows, process them, record how it went.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tracing::{Instrument, field};

use crate::backoff::backoff;
use crate::counters::Counter;
use crate::inbox::Inbox;
use crate::process::{Outcome, Processor};
use crate::record::{Claimed, ErrorKind, Finish, LastError};

/// Running workers and the retention task. Keep it for as long as they should run: dropping it
/// aborts them at once (a delivery being processed is claimed again when its lease expires);
/// [`shutdown`](Self::shutdown) stops them after their current delivery.
#[derive(Debug)]
pub struct Workers {
    stop: watch::Sender<bool>,
    tasks: JoinSet<()>,
}

impl Workers {
    pub(crate) fn start(inbox: &Inbox, processor: Arc<dyn Processor>) -> Self {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for index in 0..inbox.config().workers {
            let worker = Worker {
                inbox: inbox.clone(),
                processor: Arc::clone(&processor),
                stopped: stopped.clone(),
            };
            tasks.spawn(
                worker
                    .run()
                    .instrument(tracing::debug_span!("ens.inbox.worker", index)),
            );
        }
        tasks.spawn(retention(inbox.clone(), stopped));
        Self { stop, tasks }
    }

    /// Stops claiming, lets each worker finish its current delivery, and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        while self.tasks.join_next().await.is_some() {}
    }
}

struct Worker {
    inbox: Inbox,
    processor: Arc<dyn Processor>,
    stopped: watch::Receiver<bool>,
}

impl Worker {
    async fn run(mut self) {
        let config = self.inbox.config().clone();
        while !*self.stopped.borrow() {
            let claimed = self
                .inbox
                .store()
                .claim(self.inbox.now(), config.claim_batch, config.lease)
                .await;
            match claimed {
                Ok(rows) if rows.is_empty() => {
                    tokio::select! {
                        () = self.inbox.store().wait_for_work(config.poll_interval) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
                Ok(rows) => {
                    for row in rows {
                        process_one(&self.inbox, &*self.processor, row).await;
                    }
                }
                Err(error) => {
                    tracing::warn!(error = %error, "inbox claim failed; retrying");
                    tokio::select! {
                        () = tokio::time::sleep(config.poll_interval) => {}
                        _ = self.stopped.changed() => {}
                    }
                }
            }
        }
    }
}

/// Processes one claimed row and records the outcome; public through
/// [`Inbox::process_due`] for tests and one-shot commands.
pub(crate) async fn process_one(inbox: &Inbox, processor: &dyn Processor, claimed: Claimed) {
    let config = inbox.config();
    let span = tracing::info_span!(
        "ens.inbox.process",
        event_name = %claimed.event_name,
        event_id = claimed.event_id.as_deref().unwrap_or(""),
        attempt = claimed.attempt,
        outcome = field::Empty,
    );
    async {
        let finish = if claimed.attempt > config.max_attempts {
            // Each claim counts an attempt, and a failed last attempt is dead at once: a claim
            // past the limit means earlier leases expired without an answer (the process died
            // or hung in the handler).
            Some(Finish::Dead {
                error: LastError::new(ErrorKind::LeaseExpired),
            })
        } else {
            // Spawned, so a handler that panics fails this attempt instead of the worker.
            let outcome = match tokio::spawn(processor.process(claimed.clone())).await {
                Ok(outcome) => outcome,
                Err(_) => {
                    tracing::error!("an inbox handler panicked; the attempt counts as failed");
                    Outcome::Failed {
                        rate_limited: false,
                        retry_after: None,
                    }
                }
            };
            finish_for(&outcome, &claimed, inbox, config)
        };
        let Some(finish) = finish else {
            return;
        };
        let (outcome, finish_kind) = match &finish {
            Finish::Processed => ("processed", FinishKind::Processed),
            Finish::Retry { .. } => ("retrying", FinishKind::Retry),
            Finish::Dead { .. } => ("dead", FinishKind::Dead),
        };
        tracing::Span::current().record("outcome", outcome);
        if let Finish::Dead { error } = &finish {
            tracing::warn!(
                kind = error.kind.as_str(),
                path = error.path.as_deref().unwrap_or(""),
                "inbox delivery is a dead letter"
            );
        }
        match inbox.store().finish(&claimed, inbox.now(), finish).await {
            Ok(true) => {
                inbox.count(match &finish_kind {
                    FinishKind::Processed => Counter::Processed,
                    FinishKind::Retry => Counter::Retried,
                    FinishKind::Dead => Counter::DeadLettered,
                });
                tracing::debug!("inbox delivery {outcome}");
            }
            Ok(false) => tracing::warn!("inbox claim was taken over after its lease expired"),
            // The row stays processing until its lease expires, then is claimed again.
            Err(error) => tracing::error!(error = %error, "inbox could not record an outcome"),
        }
    }
    .instrument(span)
    .await
}

/// The kind of a [`Finish`], for counting after the store accepted it.
enum FinishKind {
    Processed,
    Retry,
    Dead,
}

/// What to record for `outcome`; `None` when the processor recorded it itself.
fn finish_for(
    outcome: &Outcome,
    claimed: &Claimed,
    inbox: &Inbox,
    config: &crate::InboxConfig,
) -> Option<Finish> {
    match outcome {
        Outcome::Handled | Outcome::Unhandled => Some(Finish::Processed),
        Outcome::Committed => {
            inbox.count(Counter::Processed);
            tracing::Span::current().record("outcome", "processed");
            None
        }
        Outcome::LostClaim => {
            tracing::Span::current().record("outcome", "lost_claim");
            None
        }
        Outcome::TypeMismatch { path } => Some(Finish::Dead {
            error: LastError {
                kind: ErrorKind::TypeMismatch,
                path: path.clone(),
            },
        }),
        Outcome::NotAnEvent => Some(Finish::Dead {
            error: LastError::new(ErrorKind::NotAnEvent),
        }),
        Outcome::Failed {
            rate_limited,
            retry_after,
        } => {
            let kind = if *rate_limited {
                ErrorKind::RateLimited
            } else {
                ErrorKind::Handler
            };
            let error = LastError::new(kind);
            if claimed.attempt >= config.max_attempts {
                return Some(Finish::Dead { error });
            }
            let wait = backoff(
                claimed.attempt,
                config.backoff_base,
                config.backoff_max,
                &claimed.key,
            )
            .max(retry_after.unwrap_or(Duration::ZERO));
            Some(Finish::Retry {
                at: inbox.now() + wait,
                error,
            })
        }
    }
}

/// Prunes processed rows older than the retention, in bounded batches, every interval.
async fn retention(inbox: Inbox, mut stopped: watch::Receiver<bool>) {
    while !*stopped.borrow() {
        if let Err(error) = inbox.prune().await {
            tracing::warn!(error = %error, "inbox pruning failed; will try again");
        }
        tokio::select! {
            () = tokio::time::sleep(inbox.config().prune_interval) => {}
            _ = stopped.changed() => {}
        }
    }
}
