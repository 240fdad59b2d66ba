//! [`DeliveryMetrics`] and [`TimeRange`]: aggregate delivery figures of a webhook.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Deserializer, Serialize};

use crate::lenient;

/// Delivery totals of one consumer group (webhook) over a time range, from
/// `GET /v3/events/consumer-groups/{consumerGroupId}/metrics`.
///
/// A count the API leaves out reads as 0.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryMetrics {
    /// Events processed in the range.
    #[serde(default, deserialize_with = "count")]
    pub total_events: u64,
    /// Events the endpoint accepted.
    #[serde(default, deserialize_with = "count")]
    pub delivered_events: u64,
    /// Events that failed for good.
    #[serde(default, deserialize_with = "count")]
    pub failed_events: u64,
    /// Events being retried.
    #[serde(default, deserialize_with = "count")]
    pub retrying_events: u64,
    /// Events not delivered yet.
    #[serde(default, deserialize_with = "count")]
    pub pending_events: u64,
    /// Average delivery time in milliseconds.
    #[serde(
        default,
        rename = "averageDeliveryTime",
        deserialize_with = "lenient::float",
        skip_serializing_if = "Option::is_none"
    )]
    pub average_delivery_time_ms: Option<f64>,
    /// Start of the range, epoch milliseconds, as the API echoes it.
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_date: Option<i64>,
    /// End of the range, epoch milliseconds, as the API echoes it.
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<i64>,
}

impl DeliveryMetrics {
    /// Delivered events as a share of all events, `None` when there were none.
    pub fn delivery_ratio(&self) -> Option<f64> {
        (self.total_events > 0).then(|| self.delivered_events as f64 / self.total_events as f64)
    }
}

fn count<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u64, D::Error> {
    Ok(lenient::int(deserializer)?
        .and_then(|value| u64::try_from(value).ok())
        .unwrap_or(0))
}

/// A time range in epoch milliseconds (`startDate` / `endDate`); an open end is left out of
/// the query, and the API then uses the earliest data or "now".
///
/// ```
/// use capillary_ens_admin::TimeRange;
///
/// let range = TimeRange::between(1_761_393_961_170, 1_761_480_361_170);
/// assert_eq!(range.start_ms(), Some(1_761_393_961_170));
/// assert_eq!(TimeRange::all().end_ms(), None);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TimeRange {
    start_ms: Option<i64>,
    end_ms: Option<i64>,
}

impl TimeRange {
    /// No bounds.
    pub fn all() -> Self {
        Self::default()
    }

    /// From `start_ms` to `end_ms`.
    pub fn between(start_ms: i64, end_ms: i64) -> Self {
        Self {
            start_ms: Some(start_ms),
            end_ms: Some(end_ms),
        }
    }

    /// From `start_ms` on.
    pub fn since(start_ms: i64) -> Self {
        Self {
            start_ms: Some(start_ms),
            end_ms: None,
        }
    }

    /// Sets the end.
    pub fn until(mut self, end_ms: i64) -> Self {
        self.end_ms = Some(end_ms);
        self
    }

    /// The start, epoch milliseconds.
    pub fn start_ms(&self) -> Option<i64> {
        self.start_ms
    }

    /// The end, epoch milliseconds.
    pub fn end_ms(&self) -> Option<i64> {
        self.end_ms
    }

    /// `time` as epoch milliseconds (negative before 1970).
    pub fn epoch_ms(time: SystemTime) -> i64 {
        match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_millis()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_millis()).unwrap_or(i64::MAX),
        }
    }
}
