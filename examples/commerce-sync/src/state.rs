//! [`CustomerSyncState`]: what the shop was last told about one customer, field by field, and
//! the rule that keeps an older event from overwriting newer state.

use serde::Serialize;

/// A value and the `createdAt` (epoch milliseconds) of the event it came from.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Stamped<T> {
    /// The value.
    pub value: T,
    /// The `createdAt` of the event that set it.
    pub at: i64,
}

impl<T> Stamped<T> {
    /// `value` as of `at`.
    pub fn new(value: T, at: i64) -> Self {
        Self { value, at }
    }
}

/// The balance and tier last pushed to the shop for one customer, each with the `createdAt`
/// of the event it came from. The fields are ordered separately: a `tierUpgraded` older than
/// the last points event still updates the tier.
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct CustomerSyncState {
    /// The points balance.
    pub balance: Option<Stamped<f64>>,
    /// The tier name.
    pub tier: Option<Stamped<String>>,
}

impl CustomerSyncState {
    /// A state with these fields.
    pub fn new(balance: Option<Stamped<f64>>, tier: Option<Stamped<String>>) -> Self {
        Self { balance, tier }
    }

    /// Whether an event from `created_at` that would set the balance (`balance`) and/or the
    /// tier (`tier`) has nothing newer to say: each field it covers was set by an event at
    /// least as recent. An event covering neither field is stale.
    pub fn is_stale(&self, created_at: i64, balance: bool, tier: bool) -> bool {
        let newer = |at: Option<i64>| at.is_none_or(|at| created_at > at);
        let balance_is_news = balance && newer(self.balance.as_ref().map(|field| field.at));
        let tier_is_news = tier && newer(self.tier.as_ref().map(|field| field.at));
        !(balance_is_news || tier_is_news)
    }

    /// The state after an event from `created_at` that says `balance` and/or `tier`, or
    /// `None` when it changes nothing: a field is replaced only by a strictly newer event.
    pub fn merge(
        &self,
        created_at: i64,
        balance: Option<f64>,
        tier: Option<String>,
    ) -> Option<Self> {
        let mut next = self.clone();
        let mut changed = false;
        if let Some(balance) = balance
            && next
                .balance
                .as_ref()
                .is_none_or(|field| created_at > field.at)
        {
            next.balance = Some(Stamped::new(balance, created_at));
            changed = true;
        }
        if let Some(tier) = tier
            && next.tier.as_ref().is_none_or(|field| created_at > field.at)
        {
            next.tier = Some(Stamped::new(tier, created_at));
            changed = true;
        }
        changed.then_some(next)
    }

    /// The body to `PUT` to the shop: every known field, stamped with the newest `createdAt`
    /// among them. `None` while nothing is known.
    pub(crate) fn update(&self) -> Option<LoyaltyUpdate> {
        let at = [
            self.balance.as_ref().map(|field| field.at),
            self.tier.as_ref().map(|field| field.at),
        ]
        .into_iter()
        .flatten()
        .max()?;
        Some(LoyaltyUpdate {
            points_balance: self.balance.as_ref().map(|field| field.value),
            tier: self.tier.as_ref().map(|field| field.value.clone()),
            source_updated_at: at,
        })
    }
}

/// `{"points_balance": …, "tier": …, "source_updated_at": …}`; unknown fields are left out.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct LoyaltyUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) points_balance: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) tier: Option<String>,
    pub(crate) source_updated_at: i64,
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn fields_are_ordered_separately() {
        let state = CustomerSyncState::default()
            .merge(4000, Some(160.0), None)
            .unwrap();
        // An older tier event still sets the tier…
        let state = state.merge(2000, None, Some("Gold".into())).unwrap();
        assert_eq!(state.balance, Some(Stamped::new(160.0, 4000)));
        assert_eq!(state.tier, Some(Stamped::new("Gold".to_owned(), 2000)));
        // …but an older points event changes nothing, nor does a replay.
        assert!(state.is_stale(3000, true, false));
        assert_eq!(state.merge(3000, Some(60.0), None), None);
        assert_eq!(state.merge(4000, Some(999.0), None), None);
        assert!(!state.is_stale(3000, true, true));
        assert!(state.is_stale(1, false, false));
        assert_eq!(
            state.update(),
            Some(LoyaltyUpdate {
                points_balance: Some(160.0),
                tier: Some("Gold".into()),
                source_updated_at: 4000
            })
        );
        assert_eq!(CustomerSyncState::default().update(), None);
    }

    /// One event: when, and what it says about the balance and the tier.
    type Observation = (i64, Option<f64>, Option<u8>);

    fn observations() -> impl Strategy<Value = Vec<Observation>> {
        // Distinct times: two events of one customer from the same millisecond that disagree
        // have no order to follow.
        proptest::collection::btree_set(any::<i64>(), 0..12).prop_flat_map(
            |times: BTreeSet<i64>| {
                let count = times.len();
                (
                    Just(times.into_iter().collect::<Vec<_>>()),
                    proptest::collection::vec((any::<Option<i32>>(), any::<Option<u8>>()), count),
                )
                    .prop_map(|(times, facts)| {
                        times
                            .into_iter()
                            .zip(facts)
                            .map(|(at, (balance, tier))| (at, balance.map(f64::from), tier))
                            .collect()
                    })
                    .prop_shuffle()
            },
        )
    }

    fn apply_all(observations: &[Observation]) -> CustomerSyncState {
        observations.iter().fold(
            CustomerSyncState::default(),
            |state, (at, balance, tier)| {
                state
                    .merge(*at, *balance, tier.map(|tier| format!("tier-{tier}")))
                    .unwrap_or(state)
            },
        )
    }

    proptest! {
        #[test]
        fn any_delivery_order_ends_with_the_newest_value_of_each_field(
            observations in observations()
        ) {
            let newest_balance = observations
                .iter()
                .filter_map(|(at, balance, _)| Some(Stamped::new((*balance)?, *at)))
                .max_by_key(|field| field.at);
            let newest_tier = observations
                .iter()
                .filter_map(|(at, _, tier)| Some(Stamped::new(format!("tier-{}", (*tier)?), *at)))
                .max_by_key(|field| field.at);
            let state = apply_all(&observations);
            prop_assert_eq!(state.balance, newest_balance);
            prop_assert_eq!(state.tier, newest_tier);
        }

        #[test]
        fn a_stale_event_never_changes_the_state(
            observations in observations(),
            at in any::<i64>(),
            balance in any::<Option<i32>>(),
            tier in any::<Option<u8>>(),
        ) {
            let state = apply_all(&observations);
            if state.is_stale(at, balance.is_some(), tier.is_some()) {
                prop_assert_eq!(
                    state.merge(at, balance.map(f64::from), tier.map(|tier| tier.to_string())),
                    None
                );
            }
        }
    }
}
