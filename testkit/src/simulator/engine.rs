//! [`Simulator`]: the discrete-event loop that delivers, retries and records.

use std::collections::HashSet;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};

use tokio::sync::Semaphore;

use super::builder::SimulatorBuilder;
use super::duplicates::DuplicateDecider;
use super::request::RequestShape;
use super::rng::SplitMix64;
use super::transport::Transport;
use super::{
    Attempt, AttemptOutcome, DeliveryLog, DeliveryReport, DeliveryState, Metrics, Outgoing,
    RetryPolicy, VirtualClock,
};

/// Delivers events to a receiver the way ENS does: real requests, virtual time.
///
/// Cloning is cheap and clones share everything (log, clock, connection limit). See the
/// [module documentation](super) for how time and concurrency work.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    shape: RequestShape,
    policy: RetryPolicy,
    attempt_timeout: Duration,
    max_connections: usize,
    queue_mode: bool,
    connections: Arc<Semaphore>,
    clock: VirtualClock,
    /// Events given so far, and which of them to duplicate.
    duplicates: Mutex<(usize, DuplicateDecider)>,
    reorder: Option<Mutex<SplitMix64>>,
    log: Mutex<Vec<DeliveryReport>>,
    /// Every `eventId` queued so far: a later delivery of one is a duplicate.
    queued_ids: Mutex<HashSet<String>>,
    /// Deliveries left retrying at a deadline, for [`Simulator::resume`].
    parked: Mutex<Vec<Job>>,
}

/// One delivery in the queue.
#[derive(Clone, Debug)]
struct Job {
    /// Its row in the log.
    index: usize,
    event: Outgoing,
    due: SystemTime,
    attempts_made: u32,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Simulator {
    /// Delivers over real HTTP (POST) to `url`.
    pub fn to_url(url: impl Into<String>) -> SimulatorBuilder {
        SimulatorBuilder::new(Transport::url(url.into()))
    }

    /// Delivers in process to `router` (through `tower::ServiceExt::oneshot`), at path `/`
    /// unless [`SimulatorBuilder::path`] says otherwise.
    pub fn to_router(router: axum::Router) -> SimulatorBuilder {
        SimulatorBuilder::new(Transport::router(router))
    }

    pub(crate) fn from_builder(builder: SimulatorBuilder) -> Self {
        Self {
            inner: Arc::new(Inner {
                transport: builder.transport,
                shape: builder.shape,
                policy: builder.policy,
                attempt_timeout: builder.attempt_timeout,
                max_connections: builder.max_connections,
                queue_mode: builder.queue_mode,
                connections: Arc::new(Semaphore::new(builder.max_connections)),
                clock: builder.clock.unwrap_or_default(),
                duplicates: Mutex::new((0, builder.duplicates.decider())),
                reorder: builder
                    .reorder
                    .map(|seed| Mutex::new(SplitMix64::new(seed))),
                log: Mutex::new(Vec::new()),
                queued_ids: Mutex::new(HashSet::new()),
                parked: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Delivers one event: every attempt until it is delivered or failed, in virtual time.
    ///
    /// Returns the report of the event's first delivery; a duplicate (see
    /// [`SimulatorBuilder::duplicates`]) is in [`log`](Self::log).
    pub async fn deliver(&self, event: impl Into<Outgoing>) -> DeliveryReport {
        self.deliver_one(event.into(), None).await
    }

    /// Like [`deliver`](Self::deliver), but stops at virtual time `deadline`: attempts due
    /// later are not made, and the report says [`Retrying`](DeliveryState::Retrying) with
    /// [`next_attempt_at`](DeliveryReport::next_attempt_at). The clock ends at `deadline` (or
    /// later, never earlier). [`resume`](Self::resume) carries on.
    pub async fn deliver_until(
        &self,
        event: impl Into<Outgoing>,
        deadline: SystemTime,
    ) -> DeliveryReport {
        self.deliver_one(event.into(), Some(deadline)).await
    }

    /// Delivers many events, up to the connection limit at once, duplicated and reordered as
    /// configured. Returns one report per delivery (duplicates included, marked), in the order
    /// they were queued.
    pub async fn deliver_all<I>(&self, events: I) -> Vec<DeliveryReport>
    where
        I: IntoIterator,
        I::Item: Into<Outgoing>,
    {
        self.deliver_many(events.into_iter().map(Into::into).collect(), None)
            .await
    }

    /// [`deliver_all`](Self::deliver_all) stopping at virtual time `deadline`, as
    /// [`deliver_until`](Self::deliver_until) does.
    pub async fn deliver_all_until<I>(&self, events: I, deadline: SystemTime) -> Vec<DeliveryReport>
    where
        I: IntoIterator,
        I::Item: Into<Outgoing>,
    {
        self.deliver_many(events.into_iter().map(Into::into).collect(), Some(deadline))
            .await
    }

    /// Carries on every delivery left retrying at a deadline, until each is final. Returns
    /// their reports.
    pub async fn resume(&self) -> Vec<DeliveryReport> {
        self.resume_inner(None).await
    }

    /// [`resume`](Self::resume), stopping again at virtual time `deadline`.
    pub async fn resume_until(&self, deadline: SystemTime) -> Vec<DeliveryReport> {
        self.resume_inner(Some(deadline)).await
    }

    /// A snapshot of every delivery so far, including ones still in progress.
    pub fn log(&self) -> DeliveryLog {
        DeliveryLog(lock(&self.inner.log).clone())
    }

    /// The figures the ENS console shows, from the current log.
    pub fn metrics(&self) -> Metrics {
        Metrics::from_log(&self.log())
    }

    /// The simulated "now", shared with this simulator.
    pub fn clock(&self) -> VirtualClock {
        self.inner.clock.clone()
    }

    async fn deliver_one(&self, event: Outgoing, deadline: Option<SystemTime>) -> DeliveryReport {
        let jobs = self.queue(vec![event]);
        let first = jobs.iter().map(|job| job.index).min();
        self.run(jobs.clone(), deadline).await;
        let log = lock(&self.inner.log);
        match first.and_then(|index| log.get(index)) {
            Some(report) => report.clone(),
            // Unreachable: one event always queues at least one delivery.
            None => {
                DeliveryReport::queued(None, "unknown".to_owned(), false, self.inner.clock.now())
            }
        }
    }

    async fn deliver_many(
        &self,
        events: Vec<Outgoing>,
        deadline: Option<SystemTime>,
    ) -> Vec<DeliveryReport> {
        let jobs = self.queue(events);
        let indices: Vec<usize> = jobs.iter().map(|job| job.index).collect();
        self.run(jobs, deadline).await;
        self.reports(&indices)
    }

    async fn resume_inner(&self, deadline: Option<SystemTime>) -> Vec<DeliveryReport> {
        let jobs = std::mem::take(&mut *lock(&self.inner.parked));
        let indices: Vec<usize> = jobs.iter().map(|job| job.index).collect();
        self.run(jobs, deadline).await;
        self.reports(&indices)
    }

    fn reports(&self, indices: &[usize]) -> Vec<DeliveryReport> {
        let log = lock(&self.inner.log);
        indices
            .iter()
            .filter_map(|index| log.get(*index).cloned())
            .collect()
    }

    /// Decides duplicates and order, and writes every delivery into the log as pending.
    fn queue(&self, events: Vec<Outgoing>) -> Vec<Job> {
        let mut marked: Vec<(Outgoing, bool)> = {
            let mut duplicates = lock(&self.inner.duplicates);
            let (given, decider) = &mut *duplicates;
            events
                .into_iter()
                .map(|event| {
                    *given += 1;
                    let twice = decider.duplicate(*given);
                    (event, twice)
                })
                .collect()
        };
        if let Some(rng) = &self.inner.reorder {
            lock(rng).shuffle(&mut marked);
        }
        let now = self.inner.clock.now();
        let mut log = lock(&self.inner.log);
        let mut queued_ids = lock(&self.inner.queued_ids);
        let mut jobs = Vec::new();
        for (event, twice) in marked {
            let copies = if twice { 2 } else { 1 };
            let seen_before = event
                .event_id()
                .is_some_and(|id| !queued_ids.insert(id.to_owned()));
            for copy in 0..copies {
                let index = log.len();
                log.push(DeliveryReport::queued(
                    event.event_id().map(str::to_owned),
                    event.event_name().to_owned(),
                    seen_before || copy == 1,
                    now,
                ));
                jobs.push(Job {
                    index,
                    event: event.clone(),
                    due: now,
                    attempts_made: 0,
                });
            }
        }
        jobs
    }

    /// The discrete-event loop: make the earliest due attempts, then schedule retries. In queue
    /// mode only the oldest unfinished delivery is attempted: it holds back the rest.
    async fn run(&self, mut queue: Vec<Job>, deadline: Option<SystemTime>) {
        while let Some(earliest) = self.next_due(&queue) {
            if deadline.is_some_and(|deadline| earliest > deadline) {
                lock(&self.inner.parked).append(&mut queue);
                break;
            }
            let now = self.inner.clock.advance_to(earliest);
            let head = queue.iter().map(|job| job.index).min();
            let queue_mode = self.inner.queue_mode;
            let (mut batch, rest): (Vec<Job>, Vec<Job>) = queue
                .into_iter()
                .partition(|job| job.due <= now && (!queue_mode || Some(job.index) == head));
            queue = rest;
            batch.sort_by_key(|job| (job.due, job.index));
            for job in self.attempt_batch(batch, now).await {
                queue.push(job);
            }
        }
        if let Some(deadline) = deadline {
            self.inner.clock.advance_to(deadline);
        }
    }

    /// When the next attempt is due: the earliest job's, or in queue mode the oldest job's.
    fn next_due(&self, queue: &[Job]) -> Option<SystemTime> {
        if self.inner.queue_mode {
            queue.iter().min_by_key(|job| job.index).map(|job| job.due)
        } else {
            queue.iter().map(|job| job.due).min()
        }
    }

    /// Makes one attempt for each job, at most `max_connections` at once, and returns the
    /// jobs that must be retried.
    async fn attempt_batch(&self, batch: Vec<Job>, at: SystemTime) -> Vec<Job> {
        let mut running = Vec::with_capacity(batch.len());
        for job in batch {
            // The semaphore is never closed; without a permit the attempt would still run.
            let permit = Arc::clone(&self.inner.connections)
                .acquire_owned()
                .await
                .ok();
            let simulator = self.clone();
            let event = job.event.clone();
            let number = job.attempts_made + 1;
            let handle = tokio::spawn(async move {
                let _permit = permit;
                simulator.attempt(&event, number, at).await
            });
            running.push((job, number, handle));
        }
        let mut retries = Vec::new();
        for (mut job, number, handle) in running {
            let attempt = handle.await.unwrap_or_else(|_| Attempt {
                number,
                at,
                outcome: AttemptOutcome::ConnectionError(
                    "the in-process receiver panicked".to_owned(),
                ),
                elapsed: Duration::ZERO,
            });
            job.attempts_made = number;
            if let Some(due) = self.record(job.index, attempt) {
                job.due = due;
                retries.push(job);
            }
        }
        retries
    }

    /// One request, bounded by the attempt timeout in real time.
    async fn attempt(&self, event: &Outgoing, number: u32, at: SystemTime) -> Attempt {
        let headers = self.inner.shape.headers(event, at);
        let started = Instant::now();
        let outcome = tokio::time::timeout(
            self.inner.attempt_timeout,
            self.inner.transport.send(headers, event.body().clone()),
        )
        .await
        .unwrap_or(AttemptOutcome::TimedOut);
        let elapsed = started.elapsed();
        tracing::debug!(
            event_name = event.event_name(),
            event_id = event.event_id(),
            attempt = number,
            outcome = %outcome,
            "ens simulator attempt"
        );
        Attempt {
            number,
            at,
            outcome,
            elapsed,
        }
    }

    /// Writes an attempt into the log and returns when the next one is due, if any.
    fn record(&self, index: usize, attempt: Attempt) -> Option<SystemTime> {
        let mut log = lock(&self.inner.log);
        let report = log.get_mut(index)?;
        let next = if attempt.outcome.is_success() || !attempt.outcome.is_retriable() {
            None
        } else {
            let policy = &self.inner.policy;
            let closes = report.queued_at.checked_add(policy.window());
            policy
                .delay_before_retry(attempt.number)
                .and_then(|delay| attempt.at.checked_add(delay))
                .filter(|due| closes.is_some_and(|closes| *due <= closes))
        };
        report.state = match (&next, attempt.outcome.is_success()) {
            (_, true) => DeliveryState::Delivered,
            (Some(_), false) => DeliveryState::Retrying,
            (None, false) => DeliveryState::Failed,
        };
        report.next_attempt_at = next;
        report.attempts.push(attempt);
        if report.state.is_final() {
            tracing::debug!(
                event_name = report.event_name.as_str(),
                event_id = report.event_id.as_deref(),
                attempts = report.attempts.len(),
                state = %report.state,
                "ens simulator delivery finished"
            );
        }
        next
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("transport", &self.inner.transport)
            .field("request", &self.inner.shape)
            .field("policy", &self.inner.policy)
            .field("attempt_timeout", &self.inner.attempt_timeout)
            .field("max_connections", &self.inner.max_connections)
            .field("queue_mode", &self.inner.queue_mode)
            .field("clock", &self.inner.clock)
            .field("deliveries", &lock(&self.inner.log).len())
            .finish()
    }
}
