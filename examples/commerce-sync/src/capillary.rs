//! What the app reads from the Capillary API: the points balance and tier when an event does not
//! carry them, and the external id the shop may know the customer by.

use capillary_ens_admin::{Client, Customer, Error, IdentifierKind};
use capillary_ens_schemas::Pii;

/// A customer's loyalty standing as Capillary reports it now. `Debug` redacts the external id.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LoyaltySnapshot {
    pub(crate) balance: Option<f64>,
    pub(crate) tier: Option<String>,
    pub(crate) external_id: Option<Pii<String>>,
}

/// The balance and tier of customer `id` in loyalty program `program_id` (the first program
/// reported when `None` or not found), read with `GET /v2/customers/{id}?embed=points`; `None`
/// when Capillary does not know the customer (error code 8015). Every other error is worth a
/// retry.
pub(crate) async fn loyalty(
    capillary: &Client,
    id: i64,
    program_id: Option<i64>,
) -> Result<Option<LoyaltySnapshot>, Error> {
    match capillary.customer_with_points(id).await {
        Ok(customer) => Ok(Some(snapshot_of(&customer, program_id))),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The event's program's points summary (else the first), and the external id.
fn snapshot_of(customer: &Customer, program_id: Option<i64>) -> LoyaltySnapshot {
    let summary = program_id
        .and_then(|wanted| customer.points_summary(wanted))
        .or_else(|| customer.points_summaries.first());
    LoyaltySnapshot {
        balance: summary.and_then(|summary| summary.loyalty_points),
        tier: summary.and_then(|summary| summary.current_slab.clone()),
        external_id: customer.identifier(&IdentifierKind::ExternalId).cloned(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn snapshot(customer: &Value, program: Option<i64>) -> LoyaltySnapshot {
        let customer: Customer = serde_json::from_value(customer.clone()).unwrap();
        snapshot_of(&customer, program)
    }

    #[test]
    fn the_events_program_is_picked_else_the_first() {
        let customer = json!({
            "profiles": [{"identifiers": [{"type": "externalId", "value": "SHOP-7"}]}],
            "pointsSummaries": [
                {"programId": 1, "loyaltyPoints": 10.0, "currentSlab": "Silver"},
                {"programId": 2, "loyaltyPoints": 20.5, "currentSlab": "Gold"}
            ]
        });
        let second = snapshot(&customer, Some(2));
        assert_eq!(
            (second.balance, second.tier.as_deref()),
            (Some(20.5), Some("Gold"))
        );
        assert_eq!(second.external_id.unwrap().expose(), "SHOP-7");
        let first = snapshot(&customer, Some(99));
        assert_eq!(first.balance, Some(10.0));
        let bare = snapshot(&json!({"id": 1}), None);
        assert_eq!(bare, LoyaltySnapshot::default());
    }

    proptest! {
        #[test]
        fn any_points_summary_is_read_without_panicking(
            points in proptest::collection::vec((any::<Option<i64>>(), any::<Option<f64>>(), proptest::option::of(".{0,8}")), 0..4),
            program in any::<Option<i64>>(),
        ) {
            let summaries: Vec<Value> = points
                .iter()
                .map(|(id, balance, tier)| json!({"programId": id, "loyaltyPoints": balance, "currentSlab": tier}))
                .collect();
            let customer = json!({"pointsSummaries": summaries, "profiles": [{"identifiers": "nope"}]});
            let snapshot = snapshot(&customer, program);
            prop_assert!(snapshot.balance.is_none_or(f64::is_finite));
            prop_assert!(snapshot.tier.is_none_or(|tier| !tier.trim().is_empty()));
        }
    }
}
