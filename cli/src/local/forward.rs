//! `ens listen --forward-to URL`: hand each authentic delivery to the app being developed, with
//! ENS's headers (re-signed when the listener checks signatures, or the app's own static
//! headers), and bring back its answer.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

use super::send::no_answer;
use super::signing::Signer;
use crate::secret_arg::SecretArg;

/// Headers that belong to one connection, not to the delivery.
const HOP_BY_HOP: [&str; 9] = [
    "host",
    "content-length",
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "expect",
];

/// How long an answer body is kept to print.
const ANSWER_LIMIT: usize = 4096;

/// Forwards deliveries to one URL.
pub(crate) struct Forwarder {
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
    extra_headers: Vec<(HeaderName, HeaderValue)>,
}

/// What the app answered.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AppAnswer {
    /// The app's status, when it answered.
    pub(crate) status: Option<u16>,
    /// Why it did not.
    pub(crate) error: Option<String>,
    /// How long it took, milliseconds.
    pub(crate) latency_ms: u64,
    /// The `Retry-After` it sent, passed on to the sender.
    #[serde(skip)]
    pub(crate) retry_after: Option<HeaderValue>,
    /// Its body (the start of it), passed on to the sender.
    #[serde(skip)]
    pub(crate) body: Bytes,
}

impl Forwarder {
    /// A forwarder to `url`; `signer` re-signs, `extra_headers` (`NAME:VALUE`) are set last.
    pub(crate) fn new(
        url: &str,
        signer: Signer,
        extra_headers: &[SecretArg],
        timeout: Duration,
    ) -> Result<Self, String> {
        let url = reqwest::Url::parse(url)
            .map_err(|error| format!("--forward-to is not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err("--forward-to must be an http or https URL".to_owned());
        }
        let extra_headers = extra_headers
            .iter()
            .map(|header| {
                let (name, value) = header
                    .expose()
                    .split_once(':')
                    .ok_or("--forward-header takes NAME:VALUE")?;
                let name = HeaderName::from_bytes(name.trim().as_bytes())
                    .map_err(|_| "--forward-header: not a valid header name")?;
                let mut value = HeaderValue::from_str(value.trim())
                    .map_err(|_| "--forward-header: not a valid header value")?;
                value.set_sensitive(true);
                Ok((name, value))
            })
            .collect::<Result<Vec<_>, &str>>()?;
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .user_agent(super::signing::USER_AGENT)
            .build()
            .map_err(|error| format!("cannot build the HTTP client: {error}"))?;
        Ok(Self {
            client,
            url,
            signer,
            extra_headers,
        })
    }

    /// The URL deliveries go to.
    pub(crate) fn url(&self) -> &reqwest::Url {
        &self.url
    }

    /// Forwards one delivery with the headers it came with.
    pub(crate) async fn forward(&self, body: &Bytes, received: &HeaderMap) -> AppAnswer {
        let mut headers = HeaderMap::new();
        for (name, value) in received {
            if !HOP_BY_HOP.contains(&name.as_str()) {
                headers.append(name.clone(), value.clone());
            }
        }
        for header in self.signer.headers(body, SystemTime::now(), None) {
            if let (Ok(name), Ok(mut value)) = (
                HeaderName::from_bytes(header.name.as_bytes()),
                HeaderValue::from_str(&header.value),
            ) {
                value.set_sensitive(true);
                headers.insert(name, value);
            }
        }
        for (name, value) in &self.extra_headers {
            headers.insert(name.clone(), value.clone());
        }
        let started = Instant::now();
        let answer = self
            .client
            .post(self.url.clone())
            .headers(headers)
            .body(body.clone())
            .send()
            .await;
        let answer = match answer {
            Ok(response) => {
                let status = response.status().as_u16();
                let retry_after = response.headers().get(http::header::RETRY_AFTER).cloned();
                let body = response.bytes().await.unwrap_or_default();
                AppAnswer {
                    status: Some(status),
                    error: None,
                    latency_ms: elapsed_ms(started),
                    retry_after,
                    body: body.slice(..body.len().min(ANSWER_LIMIT)),
                }
            }
            Err(error) => AppAnswer {
                status: None,
                error: Some(no_answer(&error).to_owned()),
                latency_ms: elapsed_ms(started),
                retry_after: None,
                body: Bytes::new(),
            },
        };
        tracing::debug!(
            url = %self.url,
            status = answer.status,
            error = answer.error.as_deref(),
            latency_ms = answer.latency_ms,
            "forwarded"
        );
        answer
    }
}

impl AppAnswer {
    /// Whether ENS would try again after this answer (429, 5xx, no answer).
    pub(crate) fn is_retriable(&self) -> bool {
        match self.status {
            Some(status) => status == 429 || (500..600).contains(&status),
            None => true,
        }
    }

    /// The status to pass on.
    pub(crate) fn status_code(&self) -> Option<StatusCode> {
        self.status
            .and_then(|status| StatusCode::from_u16(status).ok())
    }

    /// `201 in 12 ms` or `connection refused after 3 ms`.
    pub(crate) fn summary(&self) -> String {
        match (self.status, &self.error) {
            (Some(status), _) => format!("{status} in {} ms", self.latency_ms),
            (None, error) => format!(
                "{} after {} ms",
                error.as_deref().unwrap_or("no answer"),
                self.latency_ms
            ),
        }
    }
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
