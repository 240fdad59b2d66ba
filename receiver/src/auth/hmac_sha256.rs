//! [`HmacSha256`]: a body signature added by the brand's gateway.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{AuthError, SignedRequest, Verifier};
use crate::Secret;
use crate::clock::unix_seconds;

/// How the signature bytes are written in the header.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum SignatureEncoding {
    /// Lowercase or uppercase hexadecimal.
    #[default]
    Hex,
    /// Standard base64 with padding.
    Base64,
}

/// Requires an HMAC-SHA256 signature of the raw body in a header.
///
/// ENS itself does not sign; brands that front their endpoint with a gateway often do. The
/// header may carry a prefix (`sha256=`); with a timestamp header, the signed content is
/// `<timestamp>.<body>` and the timestamp must lie within the tolerance of now. Several
/// secrets may be accepted during a rotation. [`sign`](Self::sign) produces the header value
/// with the same code, for senders and tests.
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use ens_receiver::{Auth, HmacSha256};
/// use http::HeaderMap;
///
/// let scheme = HmacSha256::new("x-signature", "k3y")
///     .prefix("sha256=")
///     .timestamp_header("x-timestamp", Duration::from_secs(300));
/// let body = br#"{"eventName":"pointsIssued","data":{}}"#;
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_732_527_005);
/// let mut headers = HeaderMap::new();
/// headers.insert("x-timestamp", "1732527005".parse().unwrap());
/// headers.insert("x-signature", scheme.sign(body, Some(1_732_527_005)).parse().unwrap());
/// let auth = Auth::new(scheme);
/// assert!(auth.verify_at(&headers, body, now).is_ok());
/// assert!(auth.verify_at(&headers, b"{}", now).is_err());
/// ```
#[derive(Clone, Debug)]
pub struct HmacSha256 {
    header: String,
    secrets: Vec<Secret>,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(String, Duration)>,
}

/// Length of an HMAC-SHA256 tag in bytes.
const TAG_LEN: usize = 32;

impl HmacSha256 {
    /// Requires header `header` to hold the hex HMAC-SHA256 of the body under `secret`.
    pub fn new(header: &str, secret: impl Into<Secret>) -> Self {
        Self {
            header: header.to_ascii_lowercase(),
            secrets: vec![secret.into()],
            encoding: SignatureEncoding::Hex,
            prefix: None,
            timestamp: None,
        }
    }

    /// Also accepts signatures made with `secret`.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(secret.into());
        self
    }

    /// Reads the signature in `encoding`.
    pub fn encoding(mut self, encoding: SignatureEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Requires the header value to start with `prefix` (such as `sha256=`).
    pub fn prefix(mut self, prefix: &str) -> Self {
        self.prefix = Some(prefix.to_owned());
        self
    }

    /// Signs `<timestamp>.<body>`, with the unix-seconds timestamp in `header`, and rejects
    /// timestamps further than `tolerance` from now in either direction.
    pub fn timestamp_header(mut self, header: &str, tolerance: Duration) -> Self {
        self.timestamp = Some((header.to_ascii_lowercase(), tolerance));
        self
    }

    /// The signature header's name.
    pub fn header(&self) -> &str {
        &self.header
    }

    /// The timestamp header's name, when one is required.
    pub fn timestamp_header_name(&self) -> Option<&str> {
        self.timestamp.as_ref().map(|(header, _)| header.as_str())
    }

    /// The signature header value for `body` under the first secret. Pass the timestamp when
    /// a timestamp header is configured.
    pub fn sign(&self, body: &[u8], timestamp: Option<i64>) -> String {
        let tag = self
            .mac(&self.secrets[0], body, timestamp)
            .finalize()
            .into_bytes();
        let encoded = match self.encoding {
            SignatureEncoding::Hex => hex_encode(&tag),
            SignatureEncoding::Base64 => STANDARD.encode(tag),
        };
        format!("{}{encoded}", self.prefix.as_deref().unwrap_or(""))
    }

    fn mac(&self, secret: &Secret, body: &[u8], timestamp: Option<i64>) -> Hmac<Sha256> {
        // Any key length is valid for HMAC, so this never fails.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.expose())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of any length"));
        if self.timestamp.is_some()
            && let Some(timestamp) = timestamp
        {
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
        }
        mac.update(body);
        mac
    }

    fn check_timestamp(&self, request: &SignedRequest<'_>) -> Result<Option<i64>, AuthError> {
        let Some((header, tolerance)) = &self.timestamp else {
            return Ok(None);
        };
        let value =
            request
                .headers
                .get(header.as_str())
                .ok_or_else(|| AuthError::MissingHeader {
                    header: header.clone(),
                })?;
        let timestamp =
            parse_timestamp(value.as_bytes()).ok_or_else(|| AuthError::MalformedTimestamp {
                header: header.clone(),
            })?;
        within_tolerance(timestamp, request, *tolerance)
            .then_some(Some(timestamp))
            .ok_or_else(|| AuthError::TimestampOutOfTolerance {
                header: header.clone(),
            })
    }
}

impl Verifier for HmacSha256 {
    fn verify(&self, request: &SignedRequest<'_>) -> Result<(), AuthError> {
        let timestamp = self.check_timestamp(request)?;
        let malformed = || AuthError::MalformedSignature {
            header: self.header.clone(),
        };
        let value =
            request
                .headers
                .get(self.header.as_str())
                .ok_or_else(|| AuthError::MissingHeader {
                    header: self.header.clone(),
                })?;
        let value = value.to_str().map_err(|_| malformed())?.trim();
        let encoded = match &self.prefix {
            Some(prefix) => value.strip_prefix(prefix.as_str()).ok_or_else(malformed)?,
            None => value,
        };
        let tag = match self.encoding {
            SignatureEncoding::Hex => hex_decode(encoded),
            SignatureEncoding::Base64 => STANDARD.decode(encoded).ok(),
        }
        .filter(|tag| tag.len() == TAG_LEN)
        .ok_or_else(malformed)?;
        let matched = self.secrets.iter().fold(false, |matched, secret| {
            matched
                | self
                    .mac(secret, request.body, timestamp)
                    .verify_slice(&tag)
                    .is_ok()
        });
        if matched {
            Ok(())
        } else {
            Err(AuthError::SignatureMismatch {
                header: self.header.clone(),
            })
        }
    }
}

/// Unix seconds, as sent in a timestamp header.
pub(crate) fn parse_timestamp(value: &[u8]) -> Option<i64> {
    std::str::from_utf8(value).ok()?.trim().parse().ok()
}

pub(crate) fn within_tolerance(
    timestamp: i64,
    request: &SignedRequest<'_>,
    tolerance: Duration,
) -> bool {
    let now = unix_seconds(request.now);
    let tolerance = i64::try_from(tolerance.as_secs()).unwrap_or(i64::MAX);
    now.checked_sub(timestamp)
        .is_some_and(|skew| skew.checked_abs().is_some_and(|skew| skew <= tolerance))
}

fn hex_encode(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for byte in bytes {
        out.push(char::from(DIGITS[usize::from(byte >> 4)]));
        out.push(char::from(DIGITS[usize::from(byte & 0x0f)]));
    }
    out
}

fn hex_decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            b'A'..=b'F' => Some(digit - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if !bytes.len().is_multiple_of(2) {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: Vec<u8> = (0..=255).collect();
        assert_eq!(hex_decode(&hex_encode(&bytes)).unwrap(), bytes);
        assert_eq!(hex_decode("0A0b"), Some(vec![10, 11]));
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
    }
}
