//! [`Reply`]: what a third-party endpoint answers on an accepted route.

use http::{HeaderName, HeaderValue, StatusCode};
use wiremock::ResponseTemplate;

use super::failures::status_code;

/// The answer a [`ThirdPartyEndpoint`](super::ThirdPartyEndpoint) gives on an accepted route.
///
/// [`Reply::ok`] is `200 OK` with the JSON body `{}`.
///
/// ```
/// use capillary_ens_testkit::mocks::third_party::Reply;
///
/// let reply = Reply::status(202)
///     .json(serde_json::json!({ "messageId": "msg_1" }))
///     .header("x-request-id", "req-1");
/// assert_eq!(reply.status_code(), 202);
/// ```
#[derive(Clone, Debug)]
pub struct Reply {
    status: StatusCode,
    body: Vec<u8>,
    content_type: Option<&'static str>,
    headers: Vec<(HeaderName, HeaderValue)>,
}

impl Reply {
    /// `200 OK` with the JSON body `{}`.
    pub fn ok() -> Self {
        Self::status(200).json(serde_json::json!({}))
    }

    /// An answer with `status` and no body.
    ///
    /// # Panics
    ///
    /// When `status` is not an HTTP status code.
    pub fn status(status: u16) -> Self {
        Self {
            status: status_code(status),
            body: Vec::new(),
            content_type: None,
            headers: Vec::new(),
        }
    }

    /// Sends `body` as `application/json`.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = body.to_string().into_bytes();
        self.content_type = Some("application/json");
        self
    }

    /// Sends `body` as `text/plain`.
    pub fn text(mut self, body: &str) -> Self {
        self.body = body.as_bytes().to_vec();
        self.content_type = Some("text/plain; charset=utf-8");
        self
    }

    /// Adds a response header.
    ///
    /// # Panics
    ///
    /// When `name` or `value` is not valid in an HTTP header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        let Ok(header_name) = HeaderName::try_from(name) else {
            panic!("{name:?} is not a valid HTTP header name");
        };
        let Ok(header_value) = HeaderValue::try_from(value) else {
            panic!("the value given for header {name:?} is not a valid HTTP header value");
        };
        self.headers.push((header_name, header_value));
        self
    }

    /// The status this reply answers with.
    pub fn status_code(&self) -> u16 {
        self.status.as_u16()
    }

    pub(crate) fn to_template(&self) -> ResponseTemplate {
        let mut template = ResponseTemplate::new(self.status);
        if let Some(content_type) = self.content_type {
            template = template.set_body_raw(self.body.clone(), content_type);
        }
        for (name, value) in &self.headers {
            template = template.append_header(name.clone(), value.clone());
        }
        template
    }
}

impl Default for Reply {
    fn default() -> Self {
        Self::ok()
    }
}
