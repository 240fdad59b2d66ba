//! Reading an HTTP `Retry-After` value, written once for the whole toolkit: the receiver passes
//! a downstream API's wait on to ENS, and the API client waits before it tries again. They do
//! not depend on each other, and both depend on this crate.

use std::time::{Duration, SystemTime};

/// The wait a `Retry-After` header value asks for, measured from `now`: delta-seconds (`120`)
/// or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`, parsed by `httpdate`). A date in the past
/// is no wait at all, and delta-seconds too large for a `u64` are the longest wait there is.
/// `None` when the value is neither (empty, negative, fractional, any other text).
///
/// ```
/// use std::time::{Duration, SystemTime};
/// use capillary_ens_schemas::retry_after;
///
/// let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_400);
/// assert_eq!(retry_after::parse(" 120 ", now), Some(Duration::from_secs(120)));
/// assert_eq!(retry_after::parse("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(Duration::from_secs(80)));
/// assert_eq!(retry_after::parse("soon", now), None);
/// ```
pub fn parse(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|byte| byte.is_ascii_digit()) {
        // All digits but too large for a u64 is still "a very long time".
        return Some(value.parse().map_or(Duration::MAX, Duration::from_secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    // A date in the past means "now".
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn delta_seconds_are_read() {
        let now = SystemTime::UNIX_EPOCH;
        assert_eq!(parse("7", now), Some(Duration::from_secs(7)));
        assert_eq!(parse(" 120 ", now), Some(Duration::from_secs(120)));
        assert_eq!(parse("0", now), Some(Duration::ZERO));
        assert_eq!(parse("99999999999999999999999", now), Some(Duration::MAX));
    }

    #[test]
    fn http_dates_are_measured_from_now() {
        // Wed, 21 Oct 2015 07:28:00 GMT
        let date = SystemTime::UNIX_EPOCH + Duration::from_secs(1_445_412_480);
        let value = "Wed, 21 Oct 2015 07:28:00 GMT";
        assert_eq!(
            parse(value, date - Duration::from_secs(90)),
            Some(Duration::from_secs(90))
        );
        assert_eq!(
            parse(value, date + Duration::from_secs(5)),
            Some(Duration::ZERO)
        );
    }

    #[test]
    fn other_text_is_unreadable() {
        let now = SystemTime::now();
        for value in ["", " ", "soon", "-5", "1.5", "+3", "12s"] {
            assert_eq!(parse(value, now), None, "{value:?}");
        }
    }

    proptest! {
        #[test]
        fn any_text_is_read_without_panicking(value in "\\PC{0,40}", now in 0u64..=(1u64 << 40)) {
            let _ = parse(&value, SystemTime::UNIX_EPOCH + Duration::from_secs(now));
        }

        #[test]
        fn any_number_of_seconds_reads_back(seconds: u64) {
            prop_assert_eq!(
                parse(&seconds.to_string(), SystemTime::now()),
                Some(Duration::from_secs(seconds))
            );
        }
    }
}
