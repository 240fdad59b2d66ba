//! The shared state behind a [`ThirdPartyEndpoint`](super::ThirdPartyEndpoint) and the wiremock
//! responder that answers from it.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use http::Method;
use tokio::sync::Notify;
use wiremock::{Request, Respond, ResponseTemplate};

use super::failures::{Failure, ScheduledFailures};
use super::path_pattern;
use super::received::ReceivedRequest;
use super::reply::Reply;

/// A route the endpoint accepts and what it answers there.
#[derive(Debug)]
struct Route {
    method: Method,
    pattern: String,
    reply: Reply,
}

/// Routes, scheduled failures and the requests received so far.
#[derive(Debug, Default)]
struct State {
    routes: Vec<Route>,
    failures: ScheduledFailures,
    received: Vec<ReceivedRequest>,
}

/// State shared by the endpoint handle and its responder.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    state: Mutex<State>,
    arrived: Notify,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not turn every later answer into a panic too.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Accepts `method` on `pattern`, replacing the reply of the same route if it was accepted
    /// before.
    pub(crate) fn accept(&self, method: Method, pattern: &str, reply: Reply) {
        let mut state = self.lock();
        match state
            .routes
            .iter_mut()
            .find(|route| route.method == method && route.pattern == pattern)
        {
            Some(route) => route.reply = reply,
            None => state.routes.push(Route {
                method,
                pattern: pattern.to_owned(),
                reply,
            }),
        }
    }

    pub(crate) fn schedule_failures(&self, count: usize, failure: Failure) {
        self.lock().failures.push(count, failure);
    }

    /// Every request received so far, in order.
    pub(crate) fn received(&self) -> Vec<ReceivedRequest> {
        self.lock().received.clone()
    }

    /// Resolves when a request arrives after `enable()` was called on it.
    pub(crate) fn arrival(&self) -> tokio::sync::futures::Notified<'_> {
        self.arrived.notified()
    }

    /// The accepted routes, one `METHOD pattern` string each, for messages.
    pub(crate) fn route_names(&self) -> Vec<String> {
        self.lock()
            .routes
            .iter()
            .map(|route| format!("{} {}", route.method, route.pattern))
            .collect()
    }
}

/// Answers every request from the shared state and records it.
pub(crate) struct Responder(pub(crate) Arc<Shared>);

impl Respond for Responder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.0.lock();
        let (status, template) = match state.failures.take() {
            Some(failure) => (failure.status.as_u16(), failure_template(failure)),
            None => answer_from_routes(&state.routes, request),
        };
        state.received.push(ReceivedRequest::new(request, status));
        drop(state);
        self.0.arrived.notify_waiters();
        template
    }
}

fn answer_from_routes(routes: &[Route], request: &Request) -> (u16, ResponseTemplate) {
    let path = request.url.path();
    let route = routes.iter().find(|route| {
        route.method == request.method && path_pattern::matches(&route.pattern, path)
    });
    match route {
        Some(route) => (route.reply.status_code(), route.reply.to_template()),
        None => {
            let message = format!(
                "capillary-ens-testkit third-party endpoint: no accepted route matches {} {path}",
                request.method
            );
            (404, ResponseTemplate::new(404).set_body_string(message))
        }
    }
}

fn failure_template(failure: Failure) -> ResponseTemplate {
    let body = serde_json::json!({
        "error": "simulated failure",
        "status": failure.status.as_u16(),
    });
    let template = ResponseTemplate::new(failure.status).set_body_json(body);
    match failure.retry_after_secs {
        Some(seconds) => template.insert_header("retry-after", seconds.to_string()),
        None => template,
    }
}
