//! A downstream API's `Retry-After` header as the delay passed on to ENS (read by
//! [`capillary_ens_schemas::retry_after::parse`], clamped here).

use std::time::{Duration, SystemTime};

use http::HeaderMap;
use http::header::RETRY_AFTER;

/// The delay assumed when an API answers 429 without a usable `Retry-After`.
pub(crate) const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(30);
/// The shortest delay passed on.
pub(crate) const MIN_RETRY_AFTER: Duration = Duration::from_secs(1);
/// The longest delay passed on: ENS retries for days, an hour is plenty to wait per attempt.
pub(crate) const MAX_RETRY_AFTER: Duration = Duration::from_secs(60 * 60);

/// The `Retry-After` in `headers` (delta-seconds, or an HTTP-date measured from `now`),
/// clamped to 1 s ..= 1 h; [`DEFAULT_RETRY_AFTER`] when it is absent or unreadable.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Duration {
    headers
        .get(RETRY_AFTER)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| capillary_ens_schemas::retry_after::parse(value, now))
        .unwrap_or(DEFAULT_RETRY_AFTER)
        .clamp(MIN_RETRY_AFTER, MAX_RETRY_AFTER)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn with(value: &'static [u8]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, http::HeaderValue::from_bytes(value).unwrap());
        headers
    }

    #[test]
    fn delta_seconds_are_read_and_clamped() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(retry_after(&with(b"7"), now), Duration::from_secs(7));
        assert_eq!(retry_after(&with(b" 120 "), now), Duration::from_secs(120));
        assert_eq!(retry_after(&with(b"0"), now), MIN_RETRY_AFTER);
        assert_eq!(retry_after(&with(b"86400"), now), MAX_RETRY_AFTER);
        assert_eq!(
            retry_after(&with(b"99999999999999999999999"), now),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn http_dates_are_measured_from_now() {
        // Wed, 21 Oct 2015 07:28:00 GMT
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let header = with(b"Wed, 21 Oct 2015 07:28:00 GMT");
        let before = date - Duration::from_secs(90);
        assert_eq!(retry_after(&header, before), Duration::from_secs(90));
        assert_eq!(
            retry_after(&header, date + Duration::from_secs(5)),
            MIN_RETRY_AFTER
        );
        let long_before = date - Duration::from_secs(7 * 24 * 60 * 60);
        assert_eq!(retry_after(&header, long_before), MAX_RETRY_AFTER);
    }

    #[test]
    fn a_missing_or_unreadable_header_is_the_default() {
        let now = SystemTime::now();
        assert_eq!(retry_after(&HeaderMap::new(), now), DEFAULT_RETRY_AFTER);
        assert_eq!(retry_after(&with(b"soon"), now), DEFAULT_RETRY_AFTER);
        assert_eq!(retry_after(&with(b"-5"), now), DEFAULT_RETRY_AFTER);
        assert_eq!(retry_after(&with(b"1.5"), now), DEFAULT_RETRY_AFTER);
        assert_eq!(retry_after(&with(b""), now), DEFAULT_RETRY_AFTER);
        assert_eq!(retry_after(&with(b"\xff\xfe"), now), DEFAULT_RETRY_AFTER);
    }

    proptest! {
        #[test]
        fn any_header_bytes_give_a_delay_in_range(
            bytes in proptest::collection::vec(any::<u8>(), 0..48),
            now in 0u64..=(1u64 << 40),
        ) {
            let mut headers = HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_bytes(&bytes) {
                headers.insert(RETRY_AFTER, value);
            }
            let delay = retry_after(&headers, SystemTime::UNIX_EPOCH + Duration::from_secs(now));
            prop_assert!((MIN_RETRY_AFTER..=MAX_RETRY_AFTER).contains(&delay));
        }

        #[test]
        fn any_text_gives_a_delay_in_range(value in "[ -~]{0,40}") {
            let mut headers = HeaderMap::new();
            if let Ok(value) = http::HeaderValue::from_str(&value) {
                headers.insert(RETRY_AFTER, value);
            }
            let delay = retry_after(&headers, SystemTime::now());
            prop_assert!((MIN_RETRY_AFTER..=MAX_RETRY_AFTER).contains(&delay));
        }
    }
}
