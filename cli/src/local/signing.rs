//! The headers a request carries as ENS would send it: the configured static headers, and
//! HMAC or Standard Webhooks signatures made by the receiver's own signers for the moment the
//! request is actually sent. `trigger`, `replay`, `listen --forward-to` and `sign` all use this.

use std::time::{SystemTime, UNIX_EPOCH};

use capillary_ens_receiver::{DedupKey, HmacSha256, StandardWebhooks, StaticHeaders};
use capillary_ens_schemas::Envelope;

use super::auth_args::AuthParts;

/// `User-Agent` of every request the CLI sends as ENS.
pub(crate) const USER_AGENT: &str = concat!("capillary-ens-cli/", env!("CARGO_PKG_VERSION"));

/// A header to send. `Debug` shows the name only: values are credentials or signatures.
#[derive(Clone)]
pub(crate) struct OutgoingHeader {
    pub(crate) name: String,
    pub(crate) value: String,
}

impl std::fmt::Debug for OutgoingHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: [redacted]", self.name)
    }
}

/// Signs requests with the chosen schemes.
pub(crate) struct Signer {
    static_headers: Option<StaticHeaders>,
    hmac: Option<HmacSha256>,
    standard_webhooks: Option<StandardWebhooks>,
}

impl Signer {
    pub(crate) fn new(parts: AuthParts) -> Self {
        Self {
            static_headers: parts.static_headers,
            hmac: parts.hmac,
            standard_webhooks: parts.standard_webhooks,
        }
    }

    /// Whether any scheme is configured.
    pub(crate) fn is_empty(&self) -> bool {
        self.static_headers.is_none() && self.hmac.is_none() && self.standard_webhooks.is_none()
    }

    /// The authentication headers for `body` sent at `at` (`message_id` for Standard Webhooks;
    /// by default the event id).
    pub(crate) fn headers(
        &self,
        body: &[u8],
        at: SystemTime,
        message_id: Option<&str>,
    ) -> Vec<OutgoingHeader> {
        let mut headers = Vec::new();
        let mut add = |name: &str, value: String| {
            headers.retain(|header: &OutgoingHeader| !header.name.eq_ignore_ascii_case(name));
            headers.push(OutgoingHeader {
                name: name.to_owned(),
                value,
            });
        };
        if let Some(configured) = &self.static_headers {
            for (name, value) in configured.first_values() {
                add(name, String::from_utf8_lossy(value.expose()).into_owned());
            }
        }
        let timestamp = unix_seconds(at);
        if let Some(signer) = &self.hmac {
            let signed_timestamp = signer.timestamp_header_name().map(|name| {
                add(name, timestamp.to_string());
                timestamp
            });
            add(signer.header(), signer.sign(body, signed_timestamp));
        }
        if let Some(signer) = &self.standard_webhooks {
            let id = message_id.map_or_else(|| default_message_id(body), str::to_owned);
            add("webhook-id", id.clone());
            add("webhook-timestamp", timestamp.to_string());
            add("webhook-signature", signer.sign(&id, timestamp, body));
        }
        headers
    }
}

/// The Standard Webhooks message id: the event id, or a hash of the body when it has none
/// (so every attempt of one event carries the same id).
pub(crate) fn default_message_id(body: &[u8]) -> String {
    match Envelope::parse(body) {
        Ok((envelope, _)) => DedupKey::for_delivery(&envelope, body).to_string(),
        Err(_) => DedupKey::for_body(body).to_string(),
    }
}

/// Seconds since the epoch.
pub(crate) fn unix_seconds(at: SystemTime) -> i64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |elapsed| {
        i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
    })
}
