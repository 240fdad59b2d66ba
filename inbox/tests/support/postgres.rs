//! A fresh PostgreSQL database per test, dropped afterwards.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::NoTls;

/// The server the tests use: `ENS_TEST_POSTGRES_URL`, or the local default.
pub fn server_url() -> String {
    std::env::var("ENS_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

/// A database created for one test and dropped when this is dropped.
pub struct TestDatabase {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDatabase {
    /// Creates a database with a unique name on [`server_url`]; panics with a clear message
    /// when the server is absent, so a missing PostgreSQL fails the run instead of skipping.
    pub async fn create(purpose: &str) -> Self {
        let admin_url = server_url();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let name = format!("ens_inbox_{purpose}_{}_{nanos}", std::process::id());
        let (client, connection) = tokio_postgres::connect(&admin_url, NoTls)
            .await
            .unwrap_or_else(|error| {
                panic!(
                    "PostgreSQL is required for this test and is not reachable at {admin_url} \
                     ({error}); start it or set ENS_TEST_POSTGRES_URL"
                )
            });
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let url = with_database(&admin_url, &name);
        Self {
            admin_url,
            name,
            url,
        }
    }

    /// The URL of the test database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The URL of the test database with `search_path` set to `schema` (created first).
    pub async fn schema_url(&self, schema: &str) -> String {
        let (client, connection) = tokio_postgres::connect(&self.url, NoTls).await.unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .await
            .unwrap();
        format!("{}?options=-c%20search_path%3D{schema}", self.url)
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Dropping runs outside any runtime's async context: a thread with its own runtime.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let (client, connection) = tokio_postgres::connect(&admin_url, NoTls).await?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

/// `url` with its database replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
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
