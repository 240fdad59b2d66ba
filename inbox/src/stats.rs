//! [`Stats`]: what a brand graphs about its inbox.

use crate::record::StateCounts;

/// Counts over the inbox's whole life, read from the database so every replica and the `ens
/// inbox stats` command agree.
///
/// `received` and `processed` include rows retention has pruned; the others count rows now in
/// that state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Deliveries stored (duplicates not included).
    pub received: u64,
    /// Stored, waiting for their first attempt.
    pub pending: u64,
    /// Being processed now.
    pub processing: u64,
    /// Processed.
    pub processed: u64,
    /// Waiting for a retry after a failed attempt.
    pub retrying: u64,
    /// Dead letters.
    pub dead: u64,
    /// Deliveries answered 2xx as duplicates of a stored one, without storing them again.
    pub duplicates_suppressed: u64,
}

impl Stats {
    /// The statistics for `counts`.
    pub fn from_counts(counts: StateCounts) -> Self {
        Self {
            received: counts.total() + counts.pruned,
            pending: counts.pending,
            processing: counts.processing,
            processed: counts.processed + counts.pruned,
            retrying: counts.retrying,
            dead: counts.dead,
            duplicates_suppressed: counts.duplicates,
        }
    }

    /// One JSON object: `received`, `pending`, `processing`, `processed`, `retrying`, `dead`,
    /// `duplicatesSuppressed`.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "received": self.received,
            "pending": self.pending,
            "processing": self.processing,
            "processed": self.processed,
            "retrying": self.retrying,
            "dead": self.dead,
            "duplicatesSuppressed": self.duplicates_suppressed,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pruned_rows_still_count_as_received_and_processed() {
        let counts = StateCounts {
            pending: 1,
            processing: 2,
            processed: 3,
            retrying: 4,
            dead: 5,
            pruned: 10,
            duplicates: 7,
        };
        let stats = Stats::from_counts(counts);
        assert_eq!(stats.received, 25);
        assert_eq!(stats.processed, 13);
        let json = stats.to_json();
        assert_eq!(json["duplicatesSuppressed"], 7);
        assert_eq!(json["dead"], 5);
    }
}
