//! Shared by the integration tests: a client for the mock, a sleeper that records instead of
//! waiting, JSON helpers.

#![allow(dead_code, unreachable_pub)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use capillary_ens_admin::{ApiRetryPolicy, Client, Credentials, SleepFuture, Sleeper};
use capillary_ens_testkit::mocks::admin_api::AdminApiMock;
use serde_json::Value;

/// Records every wait and returns at once, so retry tests never wait.
#[derive(Clone, Debug, Default)]
pub struct RecordingSleeper(Arc<Mutex<Vec<Duration>>>);

impl RecordingSleeper {
    pub fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> SleepFuture {
        self.0.lock().unwrap().push(duration);
        Box::pin(async {})
    }
}

/// A Basic-authenticated client for `mock` that records waits in `sleeper`.
pub fn client_with(mock: &AdminApiMock, sleeper: RecordingSleeper) -> Client {
    let credentials = Credentials::basic(AdminApiMock::USER, AdminApiMock::PASSWORD);
    client_at(&mock.uri(), credentials, sleeper)
}

/// A client for the server at `uri`, making up to 4 attempts and recording waits in `sleeper`.
pub fn client_at(uri: &str, credentials: Credentials, sleeper: RecordingSleeper) -> Client {
    Client::builder(uri)
        .credentials(credentials)
        .retry_policy(ApiRetryPolicy::default().max_attempts(4))
        .sleeper(sleeper)
        .build()
        .expect("the mock's url is valid")
}

/// A Basic-authenticated client for `mock`.
pub fn client(mock: &AdminApiMock) -> Client {
    client_with(mock, RecordingSleeper::default())
}

/// The JSON body of a recorded request.
pub fn body(request: &wiremock::Request) -> Value {
    serde_json::from_slice(&request.body).expect("the request body is JSON")
}

/// A query parameter of a recorded request.
pub fn query(request: &wiremock::Request, name: &str) -> Option<String> {
    request
        .url
        .query_pairs()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}
