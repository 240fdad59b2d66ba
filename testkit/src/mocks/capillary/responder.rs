//! The shared state behind a [`CapillaryApiMock`](super::CapillaryApiMock) and the wiremock
//! responder that answers from it.

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use capillary_ens_receiver::Auth;
use wiremock::{Request, Respond, ResponseTemplate};

use super::customer::MockCustomer;
use super::routes::{self, Answer};
use super::wire::error_body;
use crate::mocks::third_party::failures::{Failure, ScheduledFailures};
use crate::mocks::third_party::received::ReceivedRequest;

/// A received request and the customer it concerned, if the mock could tell.
#[derive(Clone, Debug)]
pub(crate) struct Recorded {
    pub(crate) request: ReceivedRequest,
    pub(crate) customer_id: Option<u64>,
}

#[derive(Debug, Default)]
struct State {
    customers: BTreeMap<u64, MockCustomer>,
    failures: ScheduledFailures,
    received: Vec<Recorded>,
    requests_answered: u64,
}

/// State shared by the mock handle and its responder.
pub(crate) struct Shared {
    state: Mutex<State>,
    auth: Auth,
}

impl Shared {
    pub(crate) fn new(auth: Auth) -> Self {
        Self {
            state: Mutex::default(),
            auth,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not turn every later answer into a panic too.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `customer`, replacing any customer with the same id.
    pub(crate) fn add_customer(&self, customer: MockCustomer) {
        self.lock().customers.insert(customer.id(), customer);
    }

    pub(crate) fn schedule_failures(&self, count: usize, failure: Failure) {
        self.lock().failures.push(count, failure);
    }

    pub(crate) fn received(&self) -> Vec<Recorded> {
        self.lock().received.clone()
    }

    /// The answer to `request`, and the `Retry-After` seconds to send with it, if any.
    /// Scheduled failures come first (a gateway fails before it checks credentials), then
    /// authentication, then the customer endpoints.
    fn answer(&self, state: &mut State, request: &Request) -> (Answer, Option<u64>) {
        if let Some(failure) = state.failures.take() {
            return (failure_answer(failure), failure.retry_after_secs);
        }
        if let Err(error) = self.auth.verify(&request.headers, &request.body) {
            let unauthorized = Answer {
                status: 401,
                body: error_body(401, &format!("Unauthorized: {error}")),
                customer_id: None,
            };
            return (unauthorized, None);
        }
        let query: Vec<(String, String)> = request.url.query_pairs().into_owned().collect();
        let answer = routes::answer(
            &state.customers,
            &request.method,
            request.url.path(),
            &query,
        );
        (answer, None)
    }
}

/// Answers every request from the shared state and records it.
pub(crate) struct Responder(pub(crate) std::sync::Arc<Shared>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock();
        state.requests_answered += 1;
        let request_id = format!("capillary-ens-testkit-{:020}", state.requests_answered);
        let (answer, retry_after_secs) = self.0.answer(&mut state, request);
        let customer_id = answer
            .customer_id
            .or_else(|| routes::customer_id_in_path(request.url.path()));
        state.received.push(Recorded {
            request: ReceivedRequest::new(request, answer.status),
            customer_id,
        });
        drop(state);

        let mut template = ResponseTemplate::new(answer.status)
            .set_body_json(answer.body)
            .insert_header("x-cap-request-id", request_id);
        if let Some(seconds) = retry_after_secs {
            template = template.insert_header("retry-after", seconds.to_string());
        }
        template
    }
}

fn failure_answer(failure: Failure) -> Answer {
    let message = failure
        .status
        .canonical_reason()
        .unwrap_or("Simulated failure");
    Answer {
        status: failure.status.as_u16(),
        body: error_body(u32::from(failure.status.as_u16()), message),
        customer_id: None,
    }
}
