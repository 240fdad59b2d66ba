//! [`Transport`]: how an attempt reaches the receiver, over real HTTP or in process.

use std::error::Error as _;
use std::fmt;

use axum::Router;
use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, Request};
use tower::ServiceExt;

use super::AttemptOutcome;

/// Where attempts go.
#[derive(Clone)]
pub(crate) enum Transport {
    /// A real HTTP POST to a URL.
    Url {
        client: reqwest::Client,
        url: String,
    },
    /// A call of an in-process router.
    Router { router: Router, path: String },
}

impl Transport {
    pub(crate) fn url(url: String) -> Self {
        // ENS's HTTP client does not follow redirects for a POST; a 3xx is an answer.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap_or_default();
        Self::Url { client, url }
    }

    pub(crate) fn router(router: Router) -> Self {
        Self::Router {
            router,
            path: "/".to_owned(),
        }
    }

    /// Sets the request path for the in-process transport; a URL already names its own.
    pub(crate) fn set_path(&mut self, new_path: &str) {
        if let Self::Router { path, .. } = self {
            new_path.clone_into(path);
        }
    }

    /// POSTs `body` and reads the whole answer. No timeout here: the caller applies it.
    pub(crate) async fn send(&self, headers: HeaderMap, body: Bytes) -> AttemptOutcome {
        match self {
            Self::Url { client, url } => {
                match client.post(url).headers(headers).body(body).send().await {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        // The answer counts once it is complete, as for a real client.
                        let _ = response.bytes().await;
                        AttemptOutcome::Status(status)
                    }
                    Err(error) => AttemptOutcome::ConnectionError(describe(&error)),
                }
            }
            Self::Router { router, path } => {
                let length = HeaderValue::from(body.len());
                let request = Request::builder()
                    .method(Method::POST)
                    .uri(path.as_str())
                    .body(axum::body::Body::from(body));
                let mut request = match request {
                    Ok(request) => request,
                    Err(_) => {
                        return AttemptOutcome::ConnectionError(format!(
                            "invalid request path {path:?}"
                        ));
                    }
                };
                *request.headers_mut() = headers;
                request
                    .headers_mut()
                    .insert(http::header::CONTENT_LENGTH, length);
                let Ok(response) = router.clone().oneshot(request).await;
                let status = response.status().as_u16();
                let _ = axum::body::to_bytes(response.into_body(), usize::MAX).await;
                AttemptOutcome::Status(status)
            }
        }
    }
}

/// The error and its causes, without the URL (which may carry a token).
fn describe(error: &reqwest::Error) -> String {
    let mut text = if error.is_connect() {
        "connection failed".to_owned()
    } else if error.is_builder() {
        "invalid webhook url".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // The URL may carry credentials in its query: not shown.
            Self::Url { .. } => f.write_str("Transport::Url"),
            Self::Router { path, .. } => f
                .debug_struct("Transport::Router")
                .field("path", path)
                .finish(),
        }
    }
}
