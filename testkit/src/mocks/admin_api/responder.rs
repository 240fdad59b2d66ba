//! The one wiremock responder: checks rate limits, injected failures and credentials, then
//! routes on method and path.

use std::sync::{Arc, Mutex, PoisonError};

use http::Method;
use wiremock::{Request, Respond, ResponseTemplate};

use super::answers::error;
use super::state::State;
use super::{logs, webhooks};

pub(super) struct AdminResponder {
    state: Arc<Mutex<State>>,
}

impl AdminResponder {
    pub(super) fn new(state: Arc<Mutex<State>>) -> Self {
        Self { state }
    }
}

impl Respond for AdminResponder {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.rate_limited > 0 {
            state.rate_limited -= 1;
            return error(429, 429, "Rate limit exceeded, retry later").insert_header(
                "retry-after",
                state.retry_after_seconds.to_string().as_str(),
            );
        }
        if state.failing > 0 {
            state.failing -= 1;
            return error(state.failure_status, 5000, "Internal server error");
        }
        let authorized = request
            .headers
            .get("authorization")
            .and_then(|value| value.to_str().ok())
            .is_some_and(|value| state.accepted_authorization.iter().any(|ok| ok == value));
        if !authorized {
            return error(401, 401, "Unauthorized: invalid credentials");
        }
        let path = request.url.path().to_owned();
        let segments: Vec<&str> = path.split('/').filter(|part| !part.is_empty()).collect();
        let method = &request.method;
        match segments.as_slice() {
            ["v3", "webHooks"] if method == Method::GET => webhooks::list(&state),
            ["v3", "webHooks"] if method == Method::POST => webhooks::create(&mut state, request),
            ["v3", "webHooks", "eventLog", "requestId", id] => {
                only_get(method, || logs::by_field(&state, "requestId", &decode(id)))
            }
            ["v3", "webHooks", "eventLog", "refId", id] => {
                only_get(method, || logs::by_field(&state, "refId", &decode(id)))
            }
            ["v3", "webHooks", "eventLog", id] => {
                only_get(method, || logs::by_event_id(&state, &decode(id)))
            }
            ["v3", "webHooks", id] if method == Method::PUT => {
                webhooks::update(&mut state, &decode(id), request)
            }
            ["v3", "webHooks", id] if method == Method::DELETE => {
                webhooks::delete(&mut state, &decode(id))
            }
            ["v3", "events", "consumer-groups", group, "logs"] => {
                only_get(method, || logs::page(&state, &decode(group), request))
            }
            ["v3", "events", "consumer-groups", group, "metrics"] => {
                only_get(method, || logs::metrics(&state, &decode(group), request))
            }
            ["v3", "webHooks", ..] | ["v3", "events", ..] => error(405, 405, "Method not allowed"),
            _ => error(404, 404, "Resource not found"),
        }
    }
}

fn only_get(method: &Method, answer: impl FnOnce() -> ResponseTemplate) -> ResponseTemplate {
    if method == Method::GET {
        answer()
    } else {
        error(405, 405, "Method not allowed")
    }
}

/// A path segment with percent-escapes decoded.
fn decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        let escaped = (bytes[index] == b'%')
            .then(|| bytes.get(index + 1..index + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                decoded.push(byte);
                index += 3;
            }
            None => {
                decoded.push(bytes[index]);
                index += 1;
            }
        }
    }
    String::from_utf8_lossy(&decoded).into_owned()
}
