//! Exponential backoff with jitter, for retries inside the inbox.

use std::hash::{BuildHasher, RandomState};
use std::time::Duration;

/// The wait before the retry after failed attempt `attempt` (from 1): `base * 2^(attempt-1)`
/// capped at `max`, then scaled by a random factor in [0.5, 1.0] so retries of many failed
/// events spread out instead of arriving together.
pub(crate) fn backoff(attempt: u32, base: Duration, max: Duration, key: &str) -> Duration {
    let exponent = attempt.saturating_sub(1).min(30);
    let full = base.saturating_mul(1 << exponent).min(max);
    // std's RandomState is seeded from the OS; hashing the key with it gives a fresh random
    // value per call without a random-number dependency.
    let random = RandomState::new().hash_one((key, attempt));
    let fraction = 0.5 + (random % 1_000) as f64 / 2_000.0;
    full.mul_f64(fraction)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_up_to_the_cap_with_jitter() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        for attempt in 1..12 {
            let full = Duration::from_secs(1 << (attempt - 1)).min(max);
            let wait = backoff(attempt, base, max, "k");
            assert!(wait >= full / 2 && wait <= full, "{attempt}: {wait:?}");
        }
        assert!(backoff(40, base, max, "k") <= max);
    }

    #[test]
    fn jitter_spreads_retries() {
        let base = Duration::from_secs(10);
        let waits: std::collections::HashSet<Duration> = (0..20)
            .map(|i| backoff(3, base, Duration::from_secs(3600), &format!("k{i}")))
            .collect();
        assert!(waits.len() > 10, "{waits:?}");
    }
}
