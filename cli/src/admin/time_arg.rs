//! `--since` / `--until`: epoch milliseconds or a duration ago (`90m`, `24h`, `7d`).

use std::time::{Duration, SystemTime};

use capillary_ens_admin::TimeRange;

/// Reads `value` as epoch milliseconds, `now`, or `<n>s|m|h|d` before `now`.
pub(crate) fn parse_instant(value: &str, now: SystemTime) -> Result<i64, String> {
    let value = value.trim();
    if value == "now" {
        return Ok(TimeRange::epoch_ms(now));
    }
    if let Ok(millis) = value.parse::<i64>() {
        return Ok(millis);
    }
    let unit_at = value
        .find(|c: char| !c.is_ascii_digit())
        .filter(|at| *at > 0)
        .ok_or_else(|| invalid(value))?;
    let (number, unit) = value.split_at(unit_at);
    let number: u64 = number.parse().map_err(|_| invalid(value))?;
    let seconds = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return Err(invalid(value)),
    };
    let ago = Duration::from_secs(number.saturating_mul(seconds));
    Ok(TimeRange::epoch_ms(
        now.checked_sub(ago).unwrap_or(SystemTime::UNIX_EPOCH),
    ))
}

fn invalid(value: &str) -> String {
    format!(
        "`{value}` is not a time: use epoch milliseconds, `now`, or a duration ago like 90m, 24h, 7d"
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
    }
}
