//! [`HmacSha256`]: a body signature added by the brand's gateway.

use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::Mac;

use super::keyed::KeyedMac;
use super::{AuthError, SignedRequest, Verifier, constant_time_eq};
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
/// use capillary_ens_receiver::{Auth, HmacSha256};
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
    secrets: Vec<KeyedMac>,
    encoding: SignatureEncoding,
    prefix: Option<String>,
    timestamp: Option<(String, Duration)>,
}

/// Length of an HMAC-SHA256 tag in bytes.
pub(crate) const TAG_LEN: usize = 32;

impl HmacSha256 {
    /// Requires header `header` to hold the hex HMAC-SHA256 of the body under `secret`.
    pub fn new(header: &str, secret: impl Into<Secret>) -> Self {
        Self {
            header: header.to_ascii_lowercase(),
            secrets: vec![KeyedMac::new(secret.into())],
            encoding: SignatureEncoding::Hex,
            prefix: None,
            timestamp: None,
        }
    }

    /// Also accepts signatures made with `secret`.
    pub fn secret(mut self, secret: impl Into<Secret>) -> Self {
        self.secrets.push(KeyedMac::new(secret.into()));
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
        let tag = self.tag(&self.secrets[0], body, timestamp);
        let encoded = match self.encoding {
            SignatureEncoding::Hex => hex_encode(&tag),
            SignatureEncoding::Base64 => STANDARD.encode(tag),
        };
        format!("{}{encoded}", self.prefix.as_deref().unwrap_or(""))
    }

    /// The tag of `body` (after `<timestamp>.` when timestamps are configured) under `secret`.
    fn tag(&self, secret: &KeyedMac, body: &[u8], timestamp: Option<i64>) -> [u8; TAG_LEN] {
        let mut mac = secret.start();
        if self.timestamp.is_some()
            && let Some(timestamp) = timestamp
        {
            mac.update(Decimal::new(timestamp).as_bytes());
            mac.update(b".");
        }
        mac.update(body);
        mac.finalize().into_bytes().into()
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
            SignatureEncoding::Hex => hex_tag(encoded),
            SignatureEncoding::Base64 => base64_tag(encoded),
        }
        .ok_or_else(malformed)?;
        let matched = self.secrets.iter().fold(false, |matched, secret| {
            matched | constant_time_eq(&self.tag(secret, request.body, timestamp), &tag)
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

/// A tag written in hexadecimal (either case), decoded without allocating.
fn hex_tag(text: &str) -> Option<[u8; TAG_LEN]> {
    fn nibble(digit: u8) -> Option<u8> {
        match digit {
            b'0'..=b'9' => Some(digit - b'0'),
            b'a'..=b'f' => Some(digit - b'a' + 10),
            b'A'..=b'F' => Some(digit - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() != TAG_LEN * 2 {
        return None;
    }
    let mut tag = [0; TAG_LEN];
    for (out, pair) in tag.iter_mut().zip(bytes.chunks_exact(2)) {
        *out = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(tag)
}

/// A tag written in padded standard base64, decoded without allocating.
pub(crate) fn base64_tag(text: &str) -> Option<[u8; TAG_LEN]> {
    // Room for any text that could decode to a tag; longer text is refused as too long.
    let mut decoded = [0; TAG_LEN + 16];
    let length = STANDARD.decode_slice(text, &mut decoded).ok()?;
    decoded.get(..length)?.try_into().ok()
}

/// A signed integer's decimal text (as `to_string` writes it), without allocating.
pub(crate) struct Decimal {
    digits: [u8; 20],
    start: usize,
}

impl Decimal {
    pub(crate) fn new(value: i64) -> Self {
        let mut digits = [0; 20];
        let mut start = digits.len();
        let mut rest = value.unsigned_abs();
        loop {
            start -= 1;
            digits[start] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        if value < 0 {
            start -= 1;
            digits[start] = b'-';
        }
        Self { digits, start }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.digits[self.start..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_tags_decode_in_either_case_and_only_at_full_length() {
        let bytes: Vec<u8> = (0..32).map(|byte| byte * 7).collect();
        let encoded = hex_encode(&bytes);
        assert_eq!(hex_tag(&encoded).unwrap().to_vec(), bytes);
        assert_eq!(hex_tag(&encoded.to_uppercase()).unwrap().to_vec(), bytes);
        assert_eq!(hex_tag(&encoded[..62]), None);
        assert_eq!(hex_tag(&format!("{encoded}00")), None);
        assert_eq!(hex_tag(&encoded.replacen('0', "z", 1)), None);
        assert_eq!(hex_tag(""), None);
    }

    #[test]
    fn base64_tags_decode_only_at_full_length() {
        let bytes: Vec<u8> = (0..32).map(|byte| byte * 5).collect();
        assert_eq!(
            base64_tag(&STANDARD.encode(&bytes)).unwrap().to_vec(),
            bytes
        );
        assert_eq!(base64_tag(&STANDARD.encode(&bytes[..31])), None);
        assert_eq!(
            base64_tag(&STANDARD.encode([bytes.as_slice(); 2].concat())),
            None
        );
        assert_eq!(base64_tag(&STANDARD.encode([0; 47])), None);
        assert_eq!(base64_tag(&STANDARD.encode([0; 48])), None);
        assert_eq!(base64_tag("not base64!"), None);
    }

    #[test]
    fn decimals_are_written_as_to_string_writes_them() {
        for value in [
            0,
            7,
            -7,
            10,
            1_732_527_005,
            -1_732_527_005,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(Decimal::new(value).as_bytes(), value.to_string().as_bytes());
        }
    }
}
