//! [`Store`]: the brand's own SQLite database, holding customers and the messages sent.

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::Connection;

/// The tables this example needs; every statement is idempotent, so opening twice is harmless.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS customers (
    id                INTEGER PRIMARY KEY AUTOINCREMENT,
    capillary_id      INTEGER UNIQUE,
    external_id       TEXT UNIQUE,
    mobile            TEXT,
    email             TEXT,
    first_name        TEXT NOT NULL,
    last_name         TEXT,
    preferred_channel TEXT CHECK (preferred_channel IN ('sms', 'email'))
);
CREATE INDEX IF NOT EXISTS customers_by_mobile ON customers (mobile);

CREATE TABLE IF NOT EXISTS messages (
    message_key         TEXT PRIMARY KEY,
    event_id            TEXT NOT NULL,
    event_name          TEXT NOT NULL,
    customer_id         INTEGER,
    channel             TEXT NOT NULL,
    outcome             TEXT NOT NULL CHECK (outcome IN ('sent', 'rejected')),
    provider_message_id TEXT,
    settled_at_ms       INTEGER NOT NULL
);
";

/// The brand's SQLite database: [customers](crate::Customer) with their names and contacts,
/// and the [messages](crate::MessageRecord) sent. ENS deliveries are kept apart, in the
/// inbox's own file.
///
/// One connection behind a mutex; every call runs on tokio's blocking pool. Cloning is cheap
/// and clones share the connection.
///
/// ```
/// use example_pii_less_messaging::{Channel, Customer, CustomerKey, Store};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), example_pii_less_messaging::StoreError> {
/// let store = Store::open_in_memory()?;
/// store.add_customer(Customer::new("Asha").capillary_id(42).mobile("919800000001")).await?;
/// let found = store.find_customer(CustomerKey::capillary_id(42)).await?.unwrap();
/// assert_eq!(found.first_name.expose(), "Asha");
/// assert_eq!(found.channel(), Some(Channel::Sms));
/// assert_eq!(format!("{found:?}").contains("Asha"), false);
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct Store {
    connection: Arc<Mutex<Connection>>,
}

impl Store {
    /// Opens (or creates) the database file at `path` and creates the tables.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let connection = Connection::open(path).map_err(StoreError::new)?;
        // WAL lets a second process (a restarted app) read while this one writes.
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(StoreError::new)?;
        Self::with_connection(connection)
    }

    /// A private in-memory database, for examples and tests.
    pub fn open_in_memory() -> Result<Self, StoreError> {
        Self::with_connection(Connection::open_in_memory().map_err(StoreError::new)?)
    }

    fn with_connection(connection: Connection) -> Result<Self, StoreError> {
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(StoreError::new)?;
        connection.execute_batch(SCHEMA).map_err(StoreError::new)?;
        Ok(Self {
            connection: Arc::new(Mutex::new(connection)),
        })
    }

    /// Runs `work` with the connection on the blocking pool.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> rusqlite::Result<T> + Send + 'static,
    {
        let connection = Arc::clone(&self.connection);
        tokio::task::spawn_blocking(move || {
            // A panic mid-statement leaves SQLite consistent (it rolls back), so a poisoned
            // lock is still usable.
            let mut connection = connection.lock().unwrap_or_else(PoisonError::into_inner);
            work(&mut connection)
        })
        .await
        .map_err(StoreError::new)?
        .map_err(StoreError::new)
    }
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").finish_non_exhaustive()
    }
}

/// The database could not answer (I/O, a locked file, a constraint).
#[derive(Debug)]
#[non_exhaustive]
pub struct StoreError {
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl StoreError {
    fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self {
            source: source.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the brand's database failed")
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
