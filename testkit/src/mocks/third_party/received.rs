//! [`ReceivedRequest`]: one request a mock server received, kept for assertions.

use std::fmt;
use std::fmt::Write as _;

use http::{HeaderMap, Method};

/// How many characters of a body a panic message shows before it cuts the body short.
const BODY_PREVIEW_CHARS: usize = 200;

/// One request a mock received, with the status the mock answered.
///
/// `Debug` shows the method, path, status, header *names* and body length, never header values
/// or the body: those may hold credentials or customer data. Read them with [`header`],
/// [`headers`], [`body`] and [`json`].
///
/// [`header`]: ReceivedRequest::header
/// [`headers`]: ReceivedRequest::headers
/// [`body`]: ReceivedRequest::body
/// [`json`]: ReceivedRequest::json
#[derive(Clone)]
pub struct ReceivedRequest {
    method: Method,
    path: String,
    query: Option<String>,
    query_pairs: Vec<(String, String)>,
    headers: HeaderMap,
    body: Vec<u8>,
    answered_with: u16,
}

impl ReceivedRequest {
    /// Copies what a test needs from a request wiremock received.
    pub(crate) fn new(request: &wiremock::Request, answered_with: u16) -> Self {
        Self {
            method: request.method.clone(),
            path: request.url.path().to_owned(),
            query: request.url.query().map(str::to_owned),
            query_pairs: request.url.query_pairs().into_owned().collect(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            answered_with,
        }
    }

    /// The request's method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The request's path, without the query string (`/v1/messages`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The raw query string, if the request had one (`source=INSTORE&embed=points`).
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// The first value of query parameter `name`, percent-decoded.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query_pairs
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// All request headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.headers
    }

    /// The first value of header `name` (case-insensitive), if it is present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name)?.to_str().ok()
    }

    /// The raw request body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body as UTF-8 text, if it is UTF-8.
    pub fn body_text(&self) -> Option<&str> {
        std::str::from_utf8(&self.body).ok()
    }

    /// The body parsed as JSON.
    ///
    /// # Errors
    ///
    /// When the body is not a JSON document (an empty body is not one either).
    pub fn json(&self) -> Result<serde_json::Value, serde_json::Error> {
        serde_json::from_slice(&self.body)
    }

    /// The HTTP status the mock answered this request with.
    pub fn answered_with(&self) -> u16 {
        self.answered_with
    }

    /// One line for panic messages: `POST /v1/messages?x=1 -> 202, body: {"to":"…"}`.
    pub(crate) fn summary(&self) -> String {
        let mut line = format!("{} {}", self.method, self.path);
        if let Some(query) = &self.query {
            let _ = write!(line, "?{query}");
        }
        let _ = write!(line, " -> {}", self.answered_with);
        match self.body_text() {
            _ if self.body.is_empty() => line.push_str(", no body"),
            Some(text) => {
                let preview: String = text.chars().take(BODY_PREVIEW_CHARS).collect();
                let _ = write!(line, ", body: {preview}");
                if preview.len() < text.len() {
                    let _ = write!(line, "… ({} bytes in all)", text.len());
                }
            }
            None => {
                let _ = write!(line, ", body: not UTF-8, length {}", self.body.len());
            }
        }
        line
    }
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header_names: Vec<&str> = self.headers.keys().map(|name| name.as_str()).collect();
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("answered_with", &self.answered_with)
            .field("header_names", &header_names)
            .field("body_len", &self.body.len())
            .finish_non_exhaustive()
    }
}

/// Numbered lines, one per request, for panic messages; says so when there are none.
pub(crate) fn describe(requests: &[ReceivedRequest]) -> String {
    if requests.is_empty() {
        return "  (no requests at all)".to_owned();
    }
    requests
        .iter()
        .enumerate()
        .map(|(index, request)| format!("  {}. {}", index + 1, request.summary()))
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn received(path_and_query: &str, body: Vec<u8>) -> ReceivedRequest {
        let request = wiremock::Request {
            url: format!("http://127.0.0.1{path_and_query}")
                .parse()
                .expect("a valid test URL"),
            method: Method::POST,
            headers: HeaderMap::new(),
            body,
        };
        ReceivedRequest::new(&request, 202)
    }

    #[test]
    fn summaries_cut_long_bodies_short_and_say_how_long_they_were() {
        let body = format!("{{\"text\":\"{}\"}}", "é".repeat(300));
        let summary = received("/v1/messages?x=1", body.clone().into_bytes()).summary();
        assert!(summary.starts_with("POST /v1/messages?x=1 -> 202, body: {\"text\":\"é"));
        assert!(summary.ends_with(&format!("… ({} bytes in all)", body.len())));
        assert_eq!(
            received("/", vec![0xff]).summary(),
            "POST / -> 202, body: not UTF-8, length 1"
        );
        assert_eq!(
            received("/", Vec::new()).summary(),
            "POST / -> 202, no body"
        );
    }

    proptest! {
        #[test]
        fn any_body_can_be_summarised(body in proptest::collection::vec(any::<u8>(), 0..600)) {
            let request = received("/v1/messages", body.clone());
            prop_assert!(request.summary().starts_with("POST /v1/messages -> 202"));
            prop_assert_eq!(request.body(), &body[..]);
            prop_assert!(describe(&[request]).starts_with("  1. POST"));
        }
    }
}
