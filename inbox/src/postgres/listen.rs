//! `LISTEN ens_inbox` on a connection of its own, waking this process's workers when any
//! replica stores new rows. On a lost connection it reconnects; workers poll meanwhile.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_postgres::{AsyncMessage, NoTls};

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
