//! Opening an inbox by URL: `sqlite:path`, a plain file path, or `postgres://…`.

use std::path::PathBuf;

use crate::{Inbox, InboxConfig, InboxError};

/// Where an inbox lives, parsed from the text users type.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InboxUrl {
    /// A SQLite file: `sqlite:path`, `sqlite://path`, or a path with no scheme.
    Sqlite {
        /// The database file.
        path: PathBuf,
        /// `?synchronous=normal` asks for NORMAL instead of FULL.
        synchronous_normal: bool,
    },
    /// A PostgreSQL connection string: `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl std::fmt::Debug for InboxUrl {
    // A PostgreSQL URL can carry a password: show only the scheme.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InboxUrl::Sqlite {
                path,
                synchronous_normal,
            } => f
                .debug_struct("Sqlite")
                .field("path", path)
                .field("synchronous_normal", synchronous_normal)
                .finish(),
            InboxUrl::Postgres(_) => f.write_str("Postgres(..)"),
        }
    }
}

impl InboxUrl {
    /// Parses `url`.
    ///
    /// ```
    /// use capillary_ens_inbox::InboxUrl;
    /// use std::path::PathBuf;
    ///
    /// let sqlite = InboxUrl::parse("sqlite:target/inbox.db").unwrap();
    /// assert_eq!(sqlite, InboxUrl::Sqlite { path: PathBuf::from("target/inbox.db"), synchronous_normal: false });
    /// assert_eq!(InboxUrl::parse("inbox.db").unwrap(), InboxUrl::parse("sqlite://inbox.db").unwrap());
    /// assert!(matches!(InboxUrl::parse("postgres://localhost/app"), Ok(InboxUrl::Postgres(_))));
    /// assert!(InboxUrl::parse("mysql://localhost/app").is_err());
    /// ```
    pub fn parse(url: &str) -> Result<Self, InboxError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(InboxUrl::Postgres(url.to_owned()));
        }
        let rest = if let Some(rest) = url.strip_prefix("sqlite://") {
            rest
        } else if let Some(rest) = url.strip_prefix("sqlite:") {
            rest
        } else if url.contains("://") {
            return Err(InboxError::invalid_url(
                "expected sqlite:path, a file path, or postgres://",
            ));
        } else {
            url
        };
        let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
        if path.is_empty() {
            return Err(InboxError::invalid_url("the sqlite path is empty"));
        }
        let mut synchronous_normal = false;
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            match pair.to_ascii_lowercase().as_str() {
                "synchronous=normal" => synchronous_normal = true,
                "synchronous=full" => synchronous_normal = false,
                _ => {
                    return Err(InboxError::invalid_url(
                        "the only sqlite option is synchronous=full|normal",
                    ));
                }
            }
        }
        Ok(InboxUrl::Sqlite {
            path: PathBuf::from(path),
            synchronous_normal,
        })
    }
}

/// Opens the inbox at `url` (migrating its schema) with `config`. Must be called inside a
/// Tokio runtime.
pub async fn open(url: &str, config: InboxConfig) -> Result<Inbox, InboxError> {
    match InboxUrl::parse(url)? {
        #[cfg(feature = "sqlite")]
        InboxUrl::Sqlite {
            path,
            synchronous_normal,
        } => {
            let synchronous = if synchronous_normal {
                crate::Synchronous::Normal
            } else {
                crate::Synchronous::Full
            };
            let options = crate::SqliteOptions::default().synchronous(synchronous);
            let store = crate::SqliteStore::open_with(path, options).await?;
            Ok(Inbox::new(store, config))
        }
        #[cfg(feature = "postgres")]
        InboxUrl::Postgres(url) => {
            let store = crate::PostgresStore::connect(&url).await?;
            Ok(Inbox::new(store, config))
        }
        #[allow(unreachable_patterns)]
        _ => {
            let _ = config;
            Err(InboxError::invalid_url(
                "this build does not include that backend (cargo features sqlite, postgres)",
            ))
        }
    }
}
