//! Epoch milliseconds (as ENS sends times) to ISO-8601 UTC text (as survey APIs take them).

/// `2024-11-18T11:55:13.857Z` for `1731930913857`; `None` outside the years 0000–9999.
pub(crate) fn iso8601_utc(epoch_millis: i64) -> Option<String> {
    // 0000-01-01T00:00:00Z and 10000-01-01T00:00:00Z in epoch milliseconds.
    const MIN: i64 = -62_167_219_200_000;
    const MAX: i64 = 253_402_300_800_000;
    if !(MIN..MAX).contains(&epoch_millis) {
        return None;
    }
    let days = epoch_millis.div_euclid(86_400_000);
    let millis_of_day = epoch_millis.rem_euclid(86_400_000);
    let (year, month, day) = civil_from_days(days);
    let seconds = millis_of_day / 1000;
    Some(format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        seconds / 3600,
        seconds / 60 % 60,
        seconds % 60,
        millis_of_day % 1000,
    ))
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to (year, month, day).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let shifted_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * shifted_month + 2) / 5 + 1;
    let month = if shifted_month < 10 {
        shifted_month + 3
    } else {
        shifted_month - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(
            iso8601_utc(1_731_930_913_857).as_deref(),
            Some("2024-11-18T11:55:13.857Z")
        );
        assert_eq!(iso8601_utc(0).as_deref(), Some("1970-01-01T00:00:00.000Z"));
        assert_eq!(iso8601_utc(-1).as_deref(), Some("1969-12-31T23:59:59.999Z"));
        assert_eq!(
            iso8601_utc(951_782_400_000).as_deref(),
            Some("2000-02-29T00:00:00.000Z")
        );
        assert_eq!(
            iso8601_utc(-62_167_219_200_000).as_deref(),
            Some("0000-01-01T00:00:00.000Z")
        );
        assert_eq!(
            iso8601_utc(253_402_300_799_999).as_deref(),
            Some("9999-12-31T23:59:59.999Z")
        );
        assert_eq!(iso8601_utc(253_402_300_800_000), None);
        assert_eq!(iso8601_utc(i64::MIN), None);
    }

    proptest! {
        #[test]
        fn any_timestamp_gives_none_or_well_formed_text(millis in any::<i64>()) {
            if let Some(text) = iso8601_utc(millis) {
                prop_assert_eq!(text.len(), 24);
                prop_assert!(text.ends_with('Z'));
            }
        }
    }
}
