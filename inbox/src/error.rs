//! [`InboxError`]: the inbox's store could not answer.

use std::fmt;

/// The inbox's database could not do what was asked. Deliveries are answered 503 with
/// `Retry-After` while it lasts; nothing acknowledged is lost.
#[derive(Debug)]
#[non_exhaustive]
pub enum InboxError {
    /// The database is unreachable or failed the statement.
    Unavailable(Unavailable),
    /// The inbox URL cannot be opened.
    InvalidUrl(InvalidUrl),
    /// The database schema could not be brought up to date.
    Migration(MigrationFailed),
}

impl InboxError {
    /// An unavailable database, wrapping the driver's error.
    pub fn unavailable(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Unavailable(Unavailable(source.into()))
    }

    pub(crate) fn invalid_url(reason: &'static str) -> Self {
        Self::InvalidUrl(InvalidUrl(reason))
    }

    #[cfg(feature = "postgres")]
    pub(crate) fn migration(
        version: u32,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Self {
        Self::Migration(MigrationFailed {
            version,
            source: source.into(),
        })
    }
}

impl fmt::Display for InboxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InboxError::Unavailable(error) => error.fmt(f),
            InboxError::InvalidUrl(error) => error.fmt(f),
            InboxError::Migration(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for InboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InboxError::Unavailable(error) => Some(error),
            InboxError::InvalidUrl(error) => Some(error),
            InboxError::Migration(error) => Some(error),
        }
    }
}

/// The database is unreachable or failed a statement.
#[derive(Debug)]
pub struct Unavailable(Box<dyn std::error::Error + Send + Sync>);

impl fmt::Display for Unavailable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the inbox database is unavailable")
    }
}

impl std::error::Error for Unavailable {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// An inbox URL that names no backend this build supports.
#[derive(Debug)]
pub struct InvalidUrl(&'static str);

impl fmt::Display for InvalidUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid inbox url: {}", self.0)
    }
}

impl std::error::Error for InvalidUrl {}

/// A migration failed; the database is left at the previous version.
#[derive(Debug)]
pub struct MigrationFailed {
    version: u32,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl fmt::Display for MigrationFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "inbox migration {} failed", self.version)
    }
}

impl std::error::Error for MigrationFailed {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.source)
    }
}
