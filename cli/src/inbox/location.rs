//! `--inbox PATH|URL`: where the durable inbox lives, and opening it with the exit codes of
//! the table (a bad URL is a usage error, a missing SQLite file is not found, an unreachable
//! database a failure).

use std::fmt;
use std::str::FromStr;

use capillary_ens_inbox::{Inbox, InboxConfig, InboxError, InboxUrl, PostgresStore, SqliteStore};

use crate::exit::Stop;

/// An inbox location as typed: a SQLite file (`inbox.db`, `sqlite:inbox.db`) or a PostgreSQL
/// URL. `Debug` and [`describe`](Self::describe) never show a PostgreSQL password.
#[derive(Clone)]
pub(crate) struct InboxLocation {
    text: String,
    url: InboxUrl,
}

impl FromStr for InboxLocation {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let url = InboxUrl::parse(text).map_err(|error| error.to_string())?;
        Ok(Self {
            text: text.to_owned(),
            url,
        })
    }
}

impl fmt::Debug for InboxLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.url.fmt(f)
    }
}

impl InboxLocation {
    /// `the SQLite inbox inbox.db` or `the PostgreSQL inbox at host:5432/db`: for messages
    /// and logs, without credentials.
    pub(crate) fn describe(&self) -> String {
        match &self.url {
            InboxUrl::Sqlite { path, .. } => format!("the SQLite inbox {}", path.display()),
            InboxUrl::Postgres(url) => format!("the PostgreSQL inbox at {}", postgres_target(url)),
            _ => "the inbox".to_owned(),
        }
    }

    /// The backend's name, for logs.
    fn backend(&self) -> &'static str {
        match &self.url {
            InboxUrl::Sqlite { .. } => "sqlite",
            _ => "postgres",
        }
    }

    /// Opens an inbox that must already exist (the `ens inbox` commands): a SQLite file that
    /// does not exist is reported, never created empty.
    pub(crate) async fn open_existing(&self) -> Result<Inbox, Stop> {
        self.open_existing_with(InboxConfig::default()).await
    }

    /// [`open_existing`](Self::open_existing) with `config`.
    pub(crate) async fn open_existing_with(&self, config: InboxConfig) -> Result<Inbox, Stop> {
        if let InboxUrl::Sqlite { path, .. } = &self.url
            && !path.exists()
        {
            return Err(Stop::not_found(format!(
                "no inbox at {}: the file does not exist (`ens listen --inbox {}` creates it)",
                path.display(),
                path.display()
            )));
        }
        self.open(config).await
    }

    /// Creates the inbox's tables or brings them up to date; returns the schema version.
    pub(crate) async fn migrate(&self) -> Result<u32, Stop> {
        match &self.url {
            InboxUrl::Postgres(url) => {
                let store = PostgresStore::connect_with(url, 2, false)
                    .await
                    .map_err(|error| self.stop(&error))?;
                store.migrate().await.map_err(|error| self.stop(&error))
            }
            _ => {
                // Opening a SQLite inbox creates the file and applies its migrations.
                self.open(InboxConfig::default()).await?;
                Ok(SqliteStore::schema_version())
            }
        }
    }

    /// Opens (creating a SQLite file, migrating the schema) the inbox with `config`.
    pub(crate) async fn open(&self, config: InboxConfig) -> Result<Inbox, Stop> {
        tracing::debug!(backend = self.backend(), "opening the inbox");
        let inbox = capillary_ens_inbox::open(&self.text, config)
            .await
            .map_err(|error| self.stop(&error))?;
        tracing::debug!(backend = self.backend(), "inbox open");
        Ok(inbox)
    }

    /// The message and exit code for `error` on this inbox.
    pub(crate) fn stop(&self, error: &InboxError) -> Stop {
        let message = format!("{}: {}", self.describe(), chain(error));
        match error {
            InboxError::InvalidUrl(_) => Stop::usage(message),
            _ => Stop::failed(message),
        }
    }
}

/// `error` and its sources, `: `-separated. Driver messages name hosts, users and databases,
/// never a password.
fn chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.ends_with(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

/// `host:port/db` from a PostgreSQL URL: no scheme, user, password or options.
fn postgres_target(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split(['?', '#']).next().unwrap_or_default();
    let rest = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
    if rest.is_empty() {
        "the default host".to_owned()
    } else {
        rest.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_password_never_shows() {
        let location: InboxLocation = "postgres://app:hunter2@db.internal:5432/ens?sslmode=disable"
            .parse()
            .unwrap();
        assert_eq!(
            location.describe(),
            "the PostgreSQL inbox at db.internal:5432/ens"
        );
        assert!(!format!("{location:?}").contains("hunter2"));
        let file: InboxLocation = "sqlite:dir/inbox.db".parse().unwrap();
        assert_eq!(file.describe(), "the SQLite inbox dir/inbox.db");
        assert!("mysql://x/y".parse::<InboxLocation>().is_err());
    }
}
