//! [`Timestamp`]: an instant sent as epoch milliseconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An instant ENS sends as milliseconds since 1970-01-01T00:00:00Z (`enteredAt`,
/// `startDate`, `addedAt` …).
///
/// Read as leniently as an integer field (`1731926537000`, `1.73985783E12`, `"1731926537000"`)
/// and written back as the integer. Convert with [`Timestamp::to_system_time`], or with
/// `to_jiff` / `to_chrono` behind the `jiff` / `chrono` features (enabling them changes no
/// field's type). The milliseconds are kept as sent, so a sender's mistake (one hand-written
/// sample uses seconds) stays visible rather than being guessed at.
///
/// ```
/// use std::time::{Duration, UNIX_EPOCH};
/// use capillary_ens_schemas::Timestamp;
///
/// let entered: Timestamp = serde_json::from_str("1731926537000").unwrap();
/// assert_eq!(entered.as_millis(), 1_731_926_537_000);
/// assert_eq!(entered.to_system_time(), Some(UNIX_EPOCH + Duration::from_millis(1_731_926_537_000)));
/// assert_eq!(serde_json::to_string(&entered).unwrap(), "1731926537000");
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp {
    millis: i64,
}

impl Timestamp {
    /// The instant `millis` milliseconds after the Unix epoch (before it when negative).
    pub const fn from_millis(millis: i64) -> Self {
        Self { millis }
    }

    /// Milliseconds since the Unix epoch, as sent.
    pub const fn as_millis(self) -> i64 {
        self.millis
    }

    /// The instant as a [`SystemTime`]; `None` where the platform's `SystemTime` cannot
    /// hold it.
    pub fn to_system_time(self) -> Option<SystemTime> {
        let offset = Duration::from_millis(self.millis.unsigned_abs());
        if self.millis >= 0 {
            UNIX_EPOCH.checked_add(offset)
        } else {
            UNIX_EPOCH.checked_sub(offset)
        }
    }

    /// The instant of a [`SystemTime`], truncated to milliseconds; `None` beyond ±292 million
    /// years.
    pub fn from_system_time(time: SystemTime) -> Option<Self> {
        let millis = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).ok()?,
            Err(before) => i64::try_from(before.duration().as_millis())
                .ok()?
                .checked_neg()?,
        };
        Some(Self { millis })
    }
}

impl From<i64> for Timestamp {
    fn from(millis: i64) -> Self {
        Self { millis }
    }
}

impl From<Timestamp> for i64 {
    fn from(timestamp: Timestamp) -> Self {
        timestamp.millis
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.millis)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::lenient::required(deserializer)
    }
}

/// With the feature `schemars`.
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Timestamp {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Timestamp".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "integer", "description": "Epoch milliseconds." })
    }
}

#[cfg(feature = "jiff")]
impl Timestamp {
    /// The instant as a [`jiff::Timestamp`]; fails outside jiff's range (years -9999 to 9999).
    ///
    /// ```
    /// # #[cfg(feature = "jiff")] {
    /// use capillary_ens_schemas::Timestamp;
    ///
    /// let at = Timestamp::from_millis(1_731_926_537_000).to_jiff().unwrap();
    /// assert_eq!(at.to_string(), "2024-11-18T10:42:17Z");
    /// # }
    /// ```
    pub fn to_jiff(self) -> Result<jiff::Timestamp, jiff::Error> {
        jiff::Timestamp::from_millisecond(self.millis)
    }
}

#[cfg(feature = "jiff")]
impl From<jiff::Timestamp> for Timestamp {
    /// Truncated to milliseconds.
    fn from(timestamp: jiff::Timestamp) -> Self {
        Self::from_millis(timestamp.as_millisecond())
    }
}

#[cfg(feature = "chrono")]
impl Timestamp {
    /// The instant as a [`chrono::DateTime<chrono::Utc>`]; `None` outside chrono's range.
    ///
    /// ```
    /// # #[cfg(feature = "chrono")] {
    /// use capillary_ens_schemas::Timestamp;
    ///
    /// let at = Timestamp::from_millis(1_731_926_537_000).to_chrono().unwrap();
    /// assert_eq!(at.to_rfc3339(), "2024-11-18T10:42:17+00:00");
    /// # }
    /// ```
    pub fn to_chrono(self) -> Option<chrono::DateTime<chrono::Utc>> {
        chrono::DateTime::from_timestamp_millis(self.millis)
    }
}

#[cfg(feature = "chrono")]
impl From<chrono::DateTime<chrono::Utc>> for Timestamp {
    /// Truncated to milliseconds.
    fn from(time: chrono::DateTime<chrono::Utc>) -> Self {
        Self::from_millis(time.timestamp_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_integers_as_leniently_as_integer_fields() {
        for json in [
            "1731926537000",
            "1731926537000.0",
            "1.731926537E12",
            "\"1731926537000\"",
        ] {
            let at: Timestamp = serde_json::from_str(json).unwrap();
            assert_eq!(at.as_millis(), 1_731_926_537_000, "{json}");
        }
        for json in ["\"\"", "\"soon\"", "1.5", "null", "true"] {
            assert!(serde_json::from_str::<Timestamp>(json).is_err(), "{json}");
        }
    }

    #[test]
    fn system_time_round_trips_on_both_sides_of_the_epoch() {
        for millis in [0, 1_731_926_537_000, -86_400_000, 4_758_460_200_000] {
            let at = Timestamp::from_millis(millis);
            let time = at.to_system_time().unwrap();
            assert_eq!(Timestamp::from_system_time(time), Some(at), "{millis}");
        }
    }

    #[cfg(feature = "jiff")]
    #[test]
    fn converts_to_jiff() {
        let at = Timestamp::from_millis(-1);
        assert_eq!(Timestamp::from(at.to_jiff().unwrap()), at);
    }

    #[cfg(feature = "chrono")]
    #[test]
    fn converts_to_chrono() {
        let at = Timestamp::from_millis(1_731_926_537_123);
        assert_eq!(Timestamp::from(at.to_chrono().unwrap()), at);
    }
}
