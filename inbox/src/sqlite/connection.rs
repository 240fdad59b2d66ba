//! The one writer connection, owned by its own thread: SQLite allows one writer at a time, so
//! every statement goes through it and nothing waits on a lock.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{mpsc, oneshot};

use crate::InboxError;

type Job = Box<dyn FnOnce(&mut Writer) + Send>;

/// How durable a commit is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Synchronous {
    /// `synchronous=FULL`: an acknowledged delivery survives power loss (the default: an
    /// acknowledgement tells ENS it may forget the event).
    #[default]
    Full,
    /// `synchronous=NORMAL`: survives a crash of the process but not of the machine; faster
    /// on slow disks.
    Normal,
}

impl Synchronous {
    fn pragma(self) -> &'static str {
        match self {
            Synchronous::Full => "FULL",
            Synchronous::Normal => "NORMAL",
        }
    }
}

/// The writer connection and the durability its next commit needs.
pub(crate) struct Writer {
    pub(crate) connection: Connection,
    /// The setting for acknowledgements.
    acknowledge: Synchronous,
    current: Synchronous,
}

impl Writer {
    /// Sets the durability of the next transaction: acknowledgements take the configured
    /// setting; claims and outcomes take NORMAL, since losing one to power loss only means
    /// the delivery is processed again (processing is at-least-once anyway, and the
    /// transactional handlers' writes are lost together with their outcome).
    pub(crate) fn durability(&mut self, for_acknowledgement: bool) -> rusqlite::Result<()> {
        let wanted = if for_acknowledgement {
            self.acknowledge
        } else {
            Synchronous::Normal
        };
        if wanted != self.current {
            self.connection
                .pragma_update(None, "synchronous", wanted.pragma())?;
            self.current = wanted;
        }
        Ok(())
    }
}

/// A handle on the writer thread.
#[derive(Clone, Debug)]
pub(crate) struct WriterThread {
    jobs: mpsc::UnboundedSender<Job>,
    path: PathBuf,
}

impl WriterThread {
    /// Opens `path` (creating it), sets WAL mode, the busy timeout and `synchronous`, runs the
    /// migrations and starts the thread.
    pub(crate) async fn open(
        path: &Path,
        synchronous: Synchronous,
        busy_timeout: Duration,
    ) -> Result<Self, InboxError> {
        let path = path.to_path_buf();
        let opened = path.clone();
        let (ready, is_ready) = oneshot::channel();
        let (jobs, mut queue) = mpsc::unbounded_channel::<Job>();
        std::thread::Builder::new()
            .name("ens-inbox-sqlite".into())
            .spawn(move || {
                let mut writer = match open_writer(&opened, synchronous, busy_timeout) {
                    Ok(writer) => {
                        let _ = ready.send(Ok(()));
                        writer
                    }
                    Err(error) => {
                        let _ = ready.send(Err(error));
                        return;
                    }
                };
                while let Some(job) = queue.blocking_recv() {
                    job(&mut writer);
                }
            })
            .map_err(InboxError::unavailable)?;
        is_ready
            .await
            .map_err(|_| InboxError::unavailable("the sqlite writer thread stopped"))?
            .map_err(InboxError::unavailable)?;
        Ok(Self { jobs, path })
    }

    /// Runs `job` on the writer connection.
    pub(crate) async fn run<R: Send + 'static>(
        &self,
        job: impl FnOnce(&mut Writer) -> rusqlite::Result<R> + Send + 'static,
    ) -> Result<R, InboxError> {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |writer| {
            let _ = reply.send(job(writer));
        });
        let stopped = || InboxError::unavailable("the sqlite writer thread stopped");
        self.jobs.send(job).map_err(|_| stopped())?;
        answer
            .await
            .map_err(|_| stopped())?
            .map_err(InboxError::unavailable)
    }

    /// The database file.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }
}

fn open_writer(
    path: &Path,
    synchronous: Synchronous,
    busy_timeout: Duration,
) -> rusqlite::Result<Writer> {
    // A missing directory is created, so `sqlite:target/inbox.db` works on a fresh checkout.
    if let Some(parent) = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| {
            rusqlite::Error::InvalidPath(format!("{}: {error}", parent.display()).into())
        })?;
    }
    let connection = Connection::open(path)?;
    connection.busy_timeout(busy_timeout)?;
    let mode: String = connection.query_row("PRAGMA journal_mode=WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "journal_mode is {mode}, not wal"
        )));
    }
    connection.pragma_update(None, "synchronous", synchronous.pragma())?;
    let mut connection = connection;
    super::schema::migrate(&mut connection)?;
    Ok(Writer {
        connection,
        acknowledge: synchronous,
        current: synchronous,
    })
}
