//! [`RequestShape`]: the headers ENS sends with each attempt, signed at the attempt's time.

use std::fmt;
use std::time::SystemTime;

use capillary_ens_receiver::{HmacSha256, Secret, StandardWebhooks};
use http::header::{ACCEPT, CONTENT_TYPE, USER_AGENT};
use http::{HeaderMap, HeaderName, HeaderValue};

use super::Outgoing;
use super::clock::unix_seconds;

/// The `user-agent` captured on a real ENS delivery.
pub(crate) const ENS_USER_AGENT: &str = "Java/1.8.0_272";
/// The `accept` captured on a real ENS delivery (Spring `RestTemplate`'s default).
pub(crate) const ENS_ACCEPT: &str = "text/plain, application/json, application/*+json, */*";

/// What goes on every request besides the body: configured headers and signatures.
#[derive(Clone, Default)]
pub(crate) struct RequestShape {
    configured: Vec<(HeaderName, Secret)>,
    hmac: Option<HmacSha256>,
    standard_webhooks: Option<StandardWebhooks>,
}

impl RequestShape {
    /// Adds a configured header (a later value for the same name replaces the earlier one).
    ///
    /// # Panics
    ///
    /// When `name` is not a valid header name or `value` not a valid header value: these come
    /// from the test's own configuration, and a clear failure beats a silently missing header.
    pub(crate) fn configure(&mut self, name: &str, value: Secret) {
        let name = HeaderName::from_bytes(name.as_bytes()).unwrap_or_else(|_| {
            panic!("simulator header name {name:?} is not a valid HTTP header name")
        });
        if HeaderValue::from_bytes(value.expose()).is_err() {
            panic!("the value configured for simulator header {name} is not a valid header value");
        }
        self.configured.retain(|(existing, _)| *existing != name);
        self.configured.push((name, value));
    }

    /// Signs every attempt with `signer`.
    ///
    /// # Panics
    ///
    /// When the signer's header names are not valid HTTP header names.
    pub(crate) fn sign_hmac(&mut self, signer: HmacSha256) {
        let names = std::iter::once(signer.header()).chain(signer.timestamp_header_name());
        for name in names {
            if HeaderName::from_bytes(name.as_bytes()).is_err() {
                panic!("HMAC header name {name:?} is not a valid HTTP header name");
            }
        }
        self.hmac = Some(signer);
    }

    /// Signs every attempt the Standard Webhooks way.
    pub(crate) fn sign_standard_webhooks(&mut self, signer: StandardWebhooks) {
        self.standard_webhooks = Some(signer);
    }

    /// The headers of an attempt made at virtual time `at`.
    pub(crate) fn headers(&self, event: &Outgoing, at: SystemTime) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        headers.insert(USER_AGENT, HeaderValue::from_static(ENS_USER_AGENT));
        headers.insert(ACCEPT, HeaderValue::from_static(ENS_ACCEPT));
        for (name, value) in &self.configured {
            if let Ok(mut value) = HeaderValue::from_bytes(value.expose()) {
                value.set_sensitive(true);
                headers.insert(name.clone(), value);
            }
        }
        let timestamp = unix_seconds(at);
        if let Some(signer) = &self.hmac {
            let signed_timestamp = signer.timestamp_header_name().map(|name| {
                insert(&mut headers, name, &timestamp.to_string());
                timestamp
            });
            insert(
                &mut headers,
                signer.header(),
                &signer.sign(event.body(), signed_timestamp),
            );
        }
        if let Some(signer) = &self.standard_webhooks {
            let id = message_id(event);
            let signature = signer.sign(&id, timestamp, event.body());
            insert(&mut headers, "webhook-id", &id);
            insert(&mut headers, "webhook-timestamp", &timestamp.to_string());
            insert(&mut headers, "webhook-signature", &signature);
        }
        headers
    }
}

fn insert(headers: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(name), Ok(value)) = (
        HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        headers.insert(name, value);
    }
}

/// The Standard Webhooks message id: the `eventId` when it fits in a header, else a hash of
/// the body, so every attempt of one event carries the same id.
fn message_id(event: &Outgoing) -> String {
    match event.event_id() {
        Some(id) if !id.is_empty() && HeaderValue::from_str(id).is_ok() => id.to_owned(),
        _ => {
            // FNV-1a: stable across runs and platforms.
            let hash = event
                .body()
                .iter()
                .fold(0xcbf2_9ce4_8422_2325_u64, |hash, byte| {
                    (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
                });
            format!("msg_{hash:016x}")
        }
    }
}

impl fmt::Debug for RequestShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self
            .configured
            .iter()
            .map(|(name, _)| name.as_str())
            .collect();
        f.debug_struct("RequestShape")
            .field("configured_headers", &names)
            .field("hmac", &self.hmac)
            .field("standard_webhooks", &self.standard_webhooks)
            .finish()
    }
}
