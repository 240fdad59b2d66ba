//! [`Metrics`]: the delivery figures the ENS console shows for a webhook.

use std::time::Duration;

use super::{DeliveryLog, DeliveryState};

/// Delivery counts by state and the average delivery time, like ENS's webhook metrics
/// (`totalEvents`, `deliveredEvents`, `failedEvents`, `retryingEvents`, `pendingEvents`,
/// `averageDeliveryTime`). Duplicates count as deliveries of their own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Metrics {
    /// Every delivery queued.
    pub total: usize,
    /// Deliveries answered with 2xx.
    pub delivered: usize,
    /// Deliveries given up.
    pub failed: usize,
    /// Deliveries waiting for a retry.
    pub retrying: usize,
    /// Deliveries not attempted yet.
    pub pending: usize,
    /// Mean virtual time from queueing to the start of the successful attempt, over delivered
    /// deliveries; zero when none was delivered.
    pub average_delivery_time: Duration,
}

impl Metrics {
    /// The figures for a log.
    pub fn from_log(log: &DeliveryLog) -> Self {
        let count = |state| log.iter().filter(|report| report.state == state).count();
        let times: Vec<Duration> = log
            .iter()
            .filter_map(|report| report.delivery_time())
            .collect();
        let average_delivery_time = u32::try_from(times.len())
            .ok()
            .filter(|count| *count > 0)
            .map(|count| times.iter().sum::<Duration>() / count)
            .unwrap_or(Duration::ZERO);
        Self {
            total: log.len(),
            delivered: count(DeliveryState::Delivered),
            failed: count(DeliveryState::Failed),
            retrying: count(DeliveryState::Retrying),
            pending: count(DeliveryState::Pending),
            average_delivery_time,
        }
    }
}
