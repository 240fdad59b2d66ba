//! Times on the command line (`--since`, `--until`, `--timestamp`, `--at`) and ages
//! (`--older-than`): RFC 3339
//! (`2025-11-29T10:00:00Z`, `2025-11-29T15:30:00+05:30`), epoch milliseconds, `now`, or a
//! duration ago (`90m`, `24h`, `7d`).

use std::time::{Duration, SystemTime};

use capillary_ens_admin::TimeRange;

/// Reads `value` as RFC 3339, epoch milliseconds, `now`, or `<n>s|m|h|d` before `now`; the
/// answer is epoch milliseconds.
pub(crate) fn parse_instant(value: &str, now: SystemTime) -> Result<i64, String> {
    let value = value.trim();
    if let Ok(time) =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc3339)
    {
        return i64::try_from(time.unix_timestamp_nanos() / 1_000_000).map_err(|_| invalid(value));
    }
    if value == "now" {
        return Ok(TimeRange::epoch_ms(now));
    }
    if let Ok(millis) = value.parse::<i64>() {
        return Ok(millis);
    }
    let ago = age(value).ok_or_else(|| invalid(value))?;
    Ok(TimeRange::epoch_ms(
        now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH),
    ))
}

/// Reads an age, `<n>s|m|h|d` (`--older-than 8d`).
pub(crate) fn parse_age(value: &str) -> Result<Duration, String> {
    age(value.trim()).ok_or_else(|| {
        format!("`{value}` is not an age: use a number and a unit, like 90m, 24h or 8d")
    })
}

fn age(value: &str) -> Option<Duration> {
    let unit_at = value
        .find(|c: char| !c.is_ascii_digit())
        .filter(|at| *at > 0)?;
    let (number, unit) = value.split_at(unit_at);
    let number: u64 = number.parse().ok()?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    Some(Duration::from_secs(number.saturating_mul(seconds)))
}

fn invalid(value: &str) -> String {
    format!(
        "`{value}` is not a time: use RFC 3339 (2025-11-29T10:00:00Z), epoch milliseconds, `now`, \
         or a duration ago like 90m, 24h, 7d"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_epoch_ms_and_durations_ago() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(parse_instant("1761393961170", now), Ok(1_761_393_961_170));
        assert_eq!(parse_instant("now", now), Ok(1_000_000_000));
        assert_eq!(parse_instant("2h", now), Ok(1_000_000_000 - 7_200_000));
        assert_eq!(parse_instant("1d", now), Ok(1_000_000_000 - 86_400_000));
        assert!(parse_instant("yesterday", now).is_err());
        assert!(parse_instant("h", now).is_err());
        assert!(parse_instant("5w", now).is_err());
        assert_eq!(
            parse_instant("2025-10-25T12:06:01.170Z", now),
            Ok(1_761_393_961_170)
        );
        assert_eq!(
            parse_instant("2025-10-25T17:36:01.170+05:30", now),
            Ok(1_761_393_961_170)
        );
        assert!(parse_instant("2025-10-25", now).is_err());
    }

    #[test]
    fn ages_are_a_number_and_a_unit() {
        assert_eq!(parse_age("8d"), Ok(Duration::from_secs(8 * 86_400)));
        assert_eq!(parse_age("0s"), Ok(Duration::ZERO));
        assert!(parse_age("8").is_err());
        assert!(parse_age("d").is_err());
        assert!(parse_age("1w").is_err());
    }
}
