//! Wake-ups across replicas. [`start`]: `LISTEN ens_inbox` on a connection of its own, waking
//! this process's workers when any replica stores new rows (on a lost connection it
//! reconnects; workers poll meanwhile). [`Notifier`]: sends that `NOTIFY` after this process's
//! commits, outside them.

use std::sync::Arc;
use std::time::Duration;

use deadpool_postgres::Pool;
use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

/// The wake-up: one statement, so one round trip in an implicit transaction of its own (an
/// error rolls it back and leaves the connection clean). A transaction that `NOTIFY`s holds a
/// cluster-wide lock from its pre-commit until its commit returns; this one writes no WAL
/// before its commit record and asks for no flush (`synchronous_commit` off for itself: its
/// commit does not wait for the disk, and losing it to a crash loses only a wake-up), so it
/// holds that lock for microseconds, not for an fsync.
const WAKE_REPLICAS: &str =
    "SELECT set_config('synchronous_commit', 'off', true), pg_notify('ens_inbox', '')";

/// The shortest time between two wake-ups from one process. Under load a batch commits every
/// millisecond or so; a wake-up for each would be a statement and a transaction here, and a
/// message to every replica's listener and a claim by each of its waiting workers there.
/// Busy workers need no wake-up, and idle ones get this one at most 10 ms late (they poll
/// every second anyway).
const MIN_INTERVAL: Duration = Duration::from_millis(10);

/// Sends `NOTIFY ens_inbox` for this process after its commits, in a transaction of its own
/// (the insert transactions never `NOTIFY`, so they never wait for one another's commits).
/// A request after a quiet spell is sent at once; then at most one wake-up per
/// [`MIN_INTERVAL`]: requests made meanwhile are coalesced into the next one, which is sent
/// after them (so after their commits). Sending never fails the caller: a wake-up that cannot
/// be sent is logged at debug level, and the other replicas' workers find the rows when they
/// next poll.
#[derive(Clone)]
pub(crate) struct Notifier {
    requested: Arc<Notify>,
}

impl Notifier {
    /// Starts the sending task on `pool` (held weakly: the task never keeps the pool's
    /// connections open after the store is gone).
    pub(crate) fn start(pool: &Pool) -> Self {
        let requested = Arc::new(Notify::new());
        let signal = Arc::clone(&requested);
        let pool = pool.weak();
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = signal.notified() => {
                        let Some(pool) = pool.upgrade() else { return };
                        if let Err(error) = wake_replicas(&pool).await {
                            tracing::debug!(
                                error = %error,
                                "inbox wake-up not sent; other replicas' workers will poll"
                            );
                        }
                        tokio::time::sleep(MIN_INTERVAL).await;
                    }
                    () = tokio::time::sleep(Duration::from_secs(30)) => {}
                }
                // The store was dropped: nobody will ask any more.
                if Arc::strong_count(&signal) == 1 {
                    return;
                }
            }
        });
        Self { requested }
    }

    /// Asks for every replica's workers to be woken; returns at once.
    pub(crate) fn wake_replicas(&self) {
        self.requested.notify_one();
    }
}

/// Sends one wake-up now (see [`WAKE_REPLICAS`]).
pub(crate) async fn wake_replicas(
    pool: &Pool,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let client = pool.get().await?;
    client.batch_execute(WAKE_REPLICAS).await?;
    Ok(())
}

/// Starts the listener task.
pub(crate) fn start(config: tokio_postgres::Config, wake: Arc<Notify>) {
    tokio::spawn(async move {
        loop {
            if let Err(error) = listen(&config, &wake).await {
                tracing::debug!(error = %error, "inbox listener disconnected; workers poll");
            }
            // The store was dropped: nobody is waiting any more.
            if Arc::strong_count(&wake) == 1 {
                return;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
}

async fn listen(
    config: &tokio_postgres::Config,
    wake: &Arc<Notify>,
) -> Result<(), tokio_postgres::Error> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let (messages, mut received) = tokio::sync::mpsc::unbounded_channel();
    let driver = tokio::spawn(async move {
        loop {
            match std::future::poll_fn(|cx| connection.poll_message(cx)).await {
                Some(Ok(message)) => {
                    if messages.send(message).is_err() {
                        return;
                    }
                }
                Some(Err(_)) | None => return,
            }
        }
    });
    client.batch_execute("LISTEN ens_inbox").await?;
    // Rows may have arrived before LISTEN took effect.
    wake.notify_waiters();
    loop {
        tokio::select! {
            message = received.recv() => match message {
                Some(AsyncMessage::Notification(_)) => wake.notify_waiters(),
                Some(_) => {}
                None => break,
            },
            () = tokio::time::sleep(Duration::from_secs(30)) => {
                if Arc::strong_count(wake) == 1 {
                    break;
                }
            }
        }
    }
    driver.abort();
    Ok(())
}
