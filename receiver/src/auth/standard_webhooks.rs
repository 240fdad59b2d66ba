//! [`StandardWebhooks`]: the `webhook-id` / `webhook-timestamp` / `webhook-signature` scheme.

use std::fmt;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;

use super::hmac_sha256::{Decimal, TAG_LEN, base64_tag, parse_timestamp, within_tolerance};
use super::keyed::KeyedMac;
use super::{AuthError, SignedRequest, Verifier, constant_time_eq};
use crate::Secret;

/// Verifies (and produces) Standard Webhooks signatures, as relays and the `svix` crate do.
///
/// The signed content is `<webhook-id>.<webhook-timestamp>.<body>`; `webhook-signature` holds
/// space-separated `v1,<base64>` entries, any of which may match. Secrets are written
/// `whsec_<base64>`. The `svix-*` header names are accepted too. The default tolerance is five
/// minutes either side of now.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use capillary_ens_receiver::{Auth, StandardWebhooks};
/// use http::HeaderMap;
///
/// let scheme = StandardWebhooks::new("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
/// let body = br#"{"eventName":"tierUpgraded","data":{}}"#;
/// let mut headers = HeaderMap::new();
/// headers.insert("webhook-id", "msg_1".parse().unwrap());
/// headers.insert("webhook-timestamp", "1732527005".parse().unwrap());
/// headers.insert("webhook-signature", scheme.sign("msg_1", 1_732_527_005, body).parse().unwrap());
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_100);
/// assert!(Auth::new(scheme).verify_at(&headers, body, now).is_ok());
/// ```
#[derive(Clone, Debug)]
pub struct StandardWebhooks {
    secrets: Vec<KeyedMac>,
    tolerance: Duration,
}

/// A Standard Webhooks secret that is not `whsec_` followed by base64.
#[derive(Clone, PartialEq, Eq)]
pub struct InvalidSecret;

impl fmt::Debug for InvalidSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("InvalidSecret")
    }
}

impl fmt::Display for InvalidSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a standard webhooks secret must be `whsec_` followed by base64")
    }
}

impl std::error::Error for InvalidSecret {}

impl StandardWebhooks {
    /// The header names, Standard Webhooks first, then their `svix-` equivalents.
    const ID: [&'static str; 2] = ["webhook-id", "svix-id"];
    const TIMESTAMP: [&'static str; 2] = ["webhook-timestamp", "svix-timestamp"];
    const SIGNATURE: [&'static str; 2] = ["webhook-signature", "svix-signature"];

    /// Verifies with `secret` (`whsec_<base64>`, or the bare base64).
    pub fn new(secret: &str) -> Result<Self, InvalidSecret> {
        Ok(Self {
            secrets: vec![decode_secret(secret)?],
            tolerance: Duration::from_secs(300),
        })
    }

    /// Also accepts signatures made with `secret`, during a rotation.
    pub fn secret(mut self, secret: &str) -> Result<Self, InvalidSecret> {
        self.secrets.push(decode_secret(secret)?);
        Ok(self)
    }

    /// Rejects timestamps further than `tolerance` from now, in either direction.
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The `webhook-signature` value for a message, signed with the first secret.
    pub fn sign(&self, id: &str, timestamp: i64, body: &[u8]) -> String {
        let tag = tag(&self.secrets[0], id, timestamp, body);
        format!("v1,{}", STANDARD.encode(tag))
    }
}

fn decode_secret(secret: &str) -> Result<KeyedMac, InvalidSecret> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    match STANDARD.decode(encoded) {
        Ok(key) if !key.is_empty() => Ok(KeyedMac::new(Secret::new(key))),
        _ => Err(InvalidSecret),
    }
}

/// The tag of `<id>.<timestamp>.<body>` under `secret`.
fn tag(secret: &KeyedMac, id: &str, timestamp: i64, body: &[u8]) -> [u8; TAG_LEN] {
    let mut mac = secret.start();
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(Decimal::new(timestamp).as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.finalize().into_bytes().into()
}

fn header<'r>(
    request: &'r SignedRequest<'_>,
    names: [&'static str; 2],
) -> Result<&'r [u8], AuthError> {
    names
        .iter()
        .find_map(|name| request.headers.get(*name))
        .map(http::HeaderValue::as_bytes)
        .ok_or_else(|| AuthError::MissingHeader {
            header: names[0].to_owned(),
        })
}

impl Verifier for StandardWebhooks {
    fn verify(&self, request: &SignedRequest<'_>) -> Result<(), AuthError> {
        // Header names are only allocated for an error.
        let [id_name, timestamp_name, signature_name] =
            [Self::ID[0], Self::TIMESTAMP[0], Self::SIGNATURE[0]];
        let id = std::str::from_utf8(header(request, Self::ID)?).map_err(|_| {
            AuthError::InvalidHeader {
                header: id_name.to_owned(),
            }
        })?;
        let timestamp = parse_timestamp(header(request, Self::TIMESTAMP)?).ok_or_else(|| {
            AuthError::MalformedTimestamp {
                header: timestamp_name.to_owned(),
            }
        })?;
        if !within_tolerance(timestamp, request, self.tolerance) {
            return Err(AuthError::TimestampOutOfTolerance {
                header: timestamp_name.to_owned(),
            });
        }
        let signatures = std::str::from_utf8(header(request, Self::SIGNATURE)?).map_err(|_| {
            AuthError::MalformedSignature {
                header: signature_name.to_owned(),
            }
        })?;
        let tags = || {
            signatures
                .split_ascii_whitespace()
                .filter_map(|entry| entry.strip_prefix("v1,"))
                .filter_map(base64_tag)
        };
        if tags().next().is_none() {
            return Err(AuthError::MalformedSignature {
                header: signature_name.to_owned(),
            });
        }
        let matched = self.secrets.iter().fold(false, |matched, secret| {
            let expected = tag(secret, id, timestamp, request.body);
            tags().fold(matched, |matched, tag| {
                matched | constant_time_eq(&expected, &tag)
            })
        });
        if matched {
            Ok(())
        } else {
            Err(AuthError::SignatureMismatch {
                header: signature_name.to_owned(),
            })
        }
    }
}
