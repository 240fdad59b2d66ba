//! The four handlers, and the one procedure they share: order, fill in, push, remember.

use std::time::UNIX_EPOCH;

use axum::extract::State;
use capillary_ens_receiver::{HandlerError, Webhook};
use capillary_ens_schemas::events::{CustomerUpdated, PointsIssued, PointsRedeemed, TierUpgraded};

use crate::app::AppState;
use crate::capillary;
use crate::config::ShopCustomerKey;
use crate::facts::{Facts, Field};

pub(crate) async fn points_issued(
    State(state): State<AppState>,
    webhook: Webhook<PointsIssued>,
) -> Result<(), HandlerError> {
    let facts = Facts::of_points_issued(&webhook.event);
    sync(&state, &webhook, facts).await
}

pub(crate) async fn points_redeemed(
    State(state): State<AppState>,
    webhook: Webhook<PointsRedeemed>,
) -> Result<(), HandlerError> {
    let facts = Facts::of_points_redeemed(&webhook.event);
    sync(&state, &webhook, facts).await
}

pub(crate) async fn tier_upgraded(
    State(state): State<AppState>,
    webhook: Webhook<TierUpgraded>,
) -> Result<(), HandlerError> {
    let facts = Facts::of_tier_upgraded(&webhook.event);
    sync(&state, &webhook, facts).await
}

pub(crate) async fn customer_updated(
    State(state): State<AppState>,
    webhook: Webhook<CustomerUpdated>,
) -> Result<(), HandlerError> {
    let facts = Facts::of_customer_updated(&webhook.event);
    sync(&state, &webhook, facts).await
}

/// Applies one event to the shop, unless a newer event already set everything it covers.
///
/// Under the customer's lock: load the last-applied state; stop if the event is stale; read
/// what the payload lacks from Capillary; merge field by field (each field only moves
/// forward in `createdAt`); `PUT` the merged state; save it. Any failure leaves the state
/// untouched and answers 503/429, so ENS retries.
async fn sync<T>(state: &AppState, webhook: &Webhook<T>, facts: Facts) -> Result<(), HandlerError> {
    let event_id = webhook.envelope.event_id.as_deref().unwrap_or("");
    let event_name = webhook.envelope.event_name.as_str();
    let Some(customer_id) = facts.customer_id else {
        tracing::warn!(
            event_id,
            event_name,
            "event without a customer id; acknowledged"
        );
        return Ok(());
    };
    // `createdAt` orders events; the rare payload without it is ordered by arrival.
    let created_at = webhook.envelope.created_at.unwrap_or_else(|| {
        webhook
            .received_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
            })
    });
    let skip = |reason: &'static str| {
        tracing::info!(
            event_id,
            event_name,
            customer_id,
            created_at,
            reason,
            "shop not updated"
        );
        Ok(())
    };

    let _lock = state.locks.lock(customer_id).await;
    let current = state
        .store
        .load(customer_id)
        .await
        .map_err(HandlerError::unavailable)?;
    if current.is_stale(
        created_at,
        facts.balance.is_covered(),
        facts.tier.is_covered(),
    ) {
        return skip("stale: a newer event was applied already");
    }

    let mut balance = match &facts.balance {
        Field::Known(balance) => Some(*balance),
        _ => None,
    };
    let mut tier = match &facts.tier {
        Field::Known(tier) => Some(tier.clone()),
        _ => None,
    };
    let mut external_id = facts.external_id.clone();
    let key_needs_lookup = state.shop_key == ShopCustomerKey::ExternalId && external_id.is_none();
    if facts.balance.needs_fetch() || facts.tier.needs_fetch() || key_needs_lookup {
        match capillary::loyalty(&state.capillary, customer_id, facts.program_id).await {
            Ok(Some(snapshot)) => {
                if facts.balance.needs_fetch() {
                    balance = snapshot.balance;
                }
                if facts.tier.needs_fetch() {
                    tier = snapshot.tier;
                }
                external_id = external_id.or(snapshot.external_id);
            }
            Ok(None) => return skip("capillary does not know the customer"),
            Err(error) => {
                tracing::warn!(event_id, event_name, customer_id, error = %error, "capillary lookup failed");
                return Err(error.into_handler_error());
            }
        }
    }

    let Some(next) = current.merge(created_at, balance, tier) else {
        return skip("nothing new to push");
    };
    let Some(update) = next.update() else {
        return skip("nothing known to push");
    };
    let shop_customer = match state.shop_key {
        ShopCustomerKey::CapillaryId => customer_id.to_string(),
        ShopCustomerKey::ExternalId => match external_id {
            Some(external_id) => external_id.into_inner(),
            None => return skip("the customer has no external id, so is not in the shop"),
        },
    };
    if let Err(error) = state.shop.put_loyalty(&shop_customer, &update).await {
        tracing::warn!(event_id, event_name, customer_id, error = %error.source(), "shop update failed");
        return Err(error);
    }
    state
        .store
        .save(customer_id, next)
        .await
        .map_err(HandlerError::unavailable)?;
    tracing::info!(
        event_id,
        event_name,
        customer_id,
        source_updated_at = update.source_updated_at,
        "shop updated"
    );
    Ok(())
}
