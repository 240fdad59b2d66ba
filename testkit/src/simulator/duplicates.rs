//! [`Duplicates`]: which events ENS delivers twice, as at-least-once delivery allows.

use super::rng::SplitMix64;

/// Which events are delivered a second time, right after the first delivery.
///
/// ENS delivers at least once, so a receiver must tolerate the same event arriving twice.
/// The duplicate is a delivery of its own, with its own retries, marked
/// [`duplicate`](super::DeliveryReport::duplicate) in the log.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Duplicates {
    rule: Rule,
}

#[derive(Clone, Copy, Debug, Default, PartialEq)]
enum Rule {
    #[default]
    None,
    Every(usize),
    Seeded {
        probability: f64,
        seed: u64,
    },
}

impl Duplicates {
    /// No duplicates (the default).
    pub fn none() -> Self {
        Self { rule: Rule::None }
    }

    /// Every `n`-th event given to the simulator (the `n`-th, `2n`-th, …) is delivered twice;
    /// `every(1)` duplicates all of them and `every(0)` none.
    pub fn every(n: usize) -> Self {
        Self {
            rule: if n == 0 { Rule::None } else { Rule::Every(n) },
        }
    }

    /// Each event is delivered twice with `probability` (clamped to 0..=1), drawn from a
    /// generator seeded with `seed`, so a run is repeatable.
    pub fn seeded(probability: f64, seed: u64) -> Self {
        let probability = if probability.is_nan() {
            0.0
        } else {
            probability.clamp(0.0, 1.0)
        };
        Self {
            rule: Rule::Seeded { probability, seed },
        }
    }

    /// The decider for one simulator's run of events.
    pub(crate) fn decider(&self) -> DuplicateDecider {
        DuplicateDecider {
            rule: self.rule,
            rng: SplitMix64::new(match self.rule {
                Rule::Seeded { seed, .. } => seed,
                _ => 0,
            }),
        }
    }
}

/// Decides, event after event, which ones are duplicated.
#[derive(Debug)]
pub(crate) struct DuplicateDecider {
    rule: Rule,
    rng: SplitMix64,
}

impl DuplicateDecider {
    /// Whether the event that is number `ordinal` (from 1) given to the simulator is duplicated.
    pub(crate) fn duplicate(&mut self, ordinal: usize) -> bool {
        match self.rule {
            Rule::None => false,
            Rule::Every(n) => ordinal.is_multiple_of(n),
            Rule::Seeded { probability, .. } => self.rng.next_unit() < probability,
        }
    }
}
