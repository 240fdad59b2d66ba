//! A fresh PostgreSQL database per test, dropped afterwards: the server is
//! `ENS_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`). An absent
//! server fails the test with a clear message; it never skips.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::NoTls;

/// The server the tests use.
pub(crate) fn server_url() -> String {
    std::env::var("ENS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database created for one test and dropped with this value.
pub(crate) struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a uniquely named database; panics, naming the URL, when PostgreSQL is not
    /// reachable.
    pub(crate) fn create(purpose: &str) -> Self {
        let admin_url = server_url();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("ens_cli_{purpose}_{}_{nanos}", std::process::id());
        execute(&admin_url, &format!("CREATE DATABASE {name}")).unwrap_or_else(|error| {
            panic!(
                "PostgreSQL is required for this test and is not usable at {admin_url} \
                 ({error}); start it or set ENS_TEST_POSTGRES_URL"
            )
        });
        let url = with_database(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }

    /// The URL of the test database.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let dropped = execute(
            &self.admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name),
        );
        if let Err(error) = dropped {
            eprintln!("could not drop the test database {}: {error}", self.name);
        }
    }
}

/// Runs `sql` on `url`, on a runtime of its own (callers are plain tests or drops).
fn execute(url: &str, sql: &str) -> Result<(), String> {
    let url = url.to_owned();
    let sql = sql.to_owned();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|error| error.to_string())?;
        runtime.block_on(async {
            let (client, connection) = tokio_postgres::connect(&url, NoTls)
                .await
                .map_err(|error| error.to_string())?;
            tokio::spawn(connection);
            client
                .batch_execute(&sql)
                .await
                .map_err(|error| error.to_string())
        })
    })
    .join()
    .map_err(|_| "the database thread panicked".to_owned())?
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(base, query)| (base, Some(query)));
    let authority_end = base
        .find("://")
        .map(|scheme| scheme + 3)
        .and_then(|start| base[start..].find('/').map(|slash| start + slash))
        .unwrap_or(base.len());
    let mut replaced = format!("{}/{name}", &base[..authority_end]);
    if let Some(query) = query {
        replaced.push('?');
        replaced.push_str(query);
    }
    replaced
}
