//! Group commit: concurrent acknowledgements share one statement and one commit.
//!
//! Each acknowledgement queues its delivery with a reply channel. A writer takes the first
//! waiting delivery, gathers more for the configured window or until the batch is full, and
//! stores them with one [`InboxStore::insert`]; then it answers every waiter. Under load the
//! queue that builds up during one commit becomes the next batch, so one fsync acknowledges
//! many deliveries.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, mpsc, oneshot};
use tokio::time::Instant;

use crate::InboxError;
use crate::record::{Arrival, NewDelivery, Stored};
use crate::store::InboxStore;

type Reply = oneshot::Sender<Result<Stored, Arc<InboxError>>>;

/// The sending side: cheap to clone, one per [`Inbox`](crate::Inbox).
#[derive(Clone)]
pub(crate) struct GroupCommit {
    queue: mpsc::Sender<(NewDelivery, Reply)>,
}

impl GroupCommit {
    /// Starts `writers` writer tasks over `store`.
    pub(crate) fn start(
        store: Arc<dyn InboxStore>,
        window: Duration,
        batch: usize,
        writers: usize,
    ) -> Self {
        let (queue, receiver) = mpsc::channel(batch.saturating_mul(8).max(64));
        let receiver = Arc::new(Mutex::new(receiver));
        for _ in 0..writers.max(1) {
            let writer = Writer {
                store: Arc::clone(&store),
                receiver: Arc::clone(&receiver),
                window,
                batch,
            };
            tokio::spawn(writer.run());
        }
        Self { queue }
    }

    /// Stores `delivery`, answering after its commit.
    pub(crate) async fn store(&self, delivery: NewDelivery) -> Result<Stored, Arc<InboxError>> {
        let (reply, answer) = oneshot::channel();
        let closed = || Arc::new(InboxError::unavailable("the inbox writer has stopped"));
        self.queue
            .send((delivery, reply))
            .await
            .map_err(|_| closed())?;
        answer.await.map_err(|_| closed())?
    }
}

struct Writer {
    store: Arc<dyn InboxStore>,
    receiver: Arc<Mutex<mpsc::Receiver<(NewDelivery, Reply)>>>,
    window: Duration,
    batch: usize,
}

impl Writer {
    async fn run(self) {
        while let Some(waiting) = self.gather().await {
            self.commit(waiting).await;
        }
    }

    /// The next batch; `None` once every sender is gone.
    async fn gather(&self) -> Option<Vec<(NewDelivery, Reply)>> {
        let mut receiver = self.receiver.lock().await;
        let first = receiver.recv().await?;
        let mut waiting = Vec::with_capacity(self.batch.min(1024));
        waiting.push(first);
        let deadline = Instant::now() + self.window;
        while waiting.len() < self.batch {
            match receiver.try_recv() {
                Ok(next) => waiting.push(next),
                Err(mpsc::error::TryRecvError::Disconnected) => break,
                Err(mpsc::error::TryRecvError::Empty) if self.window.is_zero() => break,
                Err(mpsc::error::TryRecvError::Empty) => {
                    match tokio::time::timeout_at(deadline, receiver.recv()).await {
                        Ok(Some(next)) => waiting.push(next),
                        Ok(None) | Err(_) => break,
                    }
                }
            }
        }
        Some(waiting)
    }

    async fn commit(&self, waiting: Vec<(NewDelivery, Reply)>) {
        // A key twice in one batch is stored once; the later copies are duplicates of it.
        let mut first_of: HashMap<&str, usize> = HashMap::with_capacity(waiting.len());
        let mut unique: Vec<Arrival> = Vec::with_capacity(waiting.len());
        let mut slot = Vec::with_capacity(waiting.len());
        for (delivery, _) in &waiting {
            match first_of.get(delivery.key.as_str()) {
                Some(&index) => {
                    unique[index].repeats += 1;
                    slot.push(Err(index));
                }
                None => {
                    first_of.insert(&delivery.key, unique.len());
                    slot.push(Ok(unique.len()));
                    unique.push(Arrival {
                        delivery: delivery.clone(),
                        repeats: 0,
                    });
                }
            }
        }
        let span = tracing::debug_span!("ens.inbox.commit", deliveries = waiting.len());
        let result = {
            let _entered = span.enter();
            self.store.insert(&unique)
        }
        .await;
        match result {
            Ok(stored) => {
                for ((_, reply), slot) in waiting.into_iter().zip(slot) {
                    let answer = match slot {
                        Ok(index) => stored.get(index).copied().unwrap_or(Stored::Duplicate),
                        Err(_) => Stored::Duplicate,
                    };
                    // A waiter that went away (the client hung up) needs no answer: its
                    // delivery is committed, and ENS's retry will be a duplicate.
                    let _ = reply.send(Ok(answer));
                }
            }
            Err(error) => {
                tracing::error!(error = %error, deliveries = waiting.len(), "inbox commit failed");
                let error = Arc::new(error);
                for (_, reply) in waiting {
                    let _ = reply.send(Err(Arc::clone(&error)));
                }
            }
        }
    }
}
