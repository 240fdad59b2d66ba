//! The ENS handlers: each turns its event into [`Notification`]s for the [`Messenger`]. Events
//! that ask for one message say what it is in [`OneMessage`]; [`notify`] sends it.
//!
//! The inbox's workers run them on stored deliveries (see [`App`](crate::App)): an error makes
//! the inbox try the event again after its backoff, never ENS.

use axum::extract::State;
use capillary_ens_receiver::{DedupKey, HandlerError, Webhook};
use capillary_ens_schemas::events::{
    CouponIssue, CustomerAdded, PointsExpiryReminder, PointsIssued, PointsRedeemed, TierDowngraded,
    TierUpgraded,
};
use capillary_ens_schemas::shared::{CustomerIdentifiers, LoyaltyProgramDetails};
use capillary_ens_schemas::{Decimal, FromEvent};

use crate::app::AppState;
use crate::time::utc_date;
use crate::{CustomerKey, MessageKind, Notification, Vars};

/// The event's `eventId`, or the hash of its body when it has none (the receiver's key too).
fn event_id<T>(webhook: &Webhook<T>) -> String {
    match webhook.envelope.event_id.as_deref() {
        Some(id) if !id.is_empty() => id.to_owned(),
        _ => DedupKey::for_delivery(&webhook.envelope, &webhook.raw).to_string(),
    }
}

/// A notification for the event's customer.
fn notification<T>(
    webhook: &Webhook<T>,
    customer: &CustomerIdentifiers,
    kind: MessageKind,
    vars: Vars,
) -> Notification {
    Notification::new(
        event_id(webhook),
        webhook.envelope.event_name.as_str(),
        CustomerKey::from_identifiers(customer),
        kind,
        vars,
    )
}

/// Sends each notification in turn; the first failure fails the attempt, and the inbox's retry
/// skips the messages already sent.
async fn send_all(state: &AppState, notifications: Vec<Notification>) -> Result<(), HandlerError> {
    for notification in notifications {
        state
            .messenger
            .notify(notification)
            .await
            .map_err(|error| error.into_handler_error())?;
    }
    Ok(())
}

/// `150.0` as `150`, `1270.5` as `1270.5`, as sent otherwise; empty when the event has none.
pub(crate) fn points(value: Option<&Decimal>) -> String {
    match value {
        Some(value) => match value.to_i64() {
            Some(whole) => whole.to_string(),
            None => value.to_string(),
        },
        None => String::new(),
    }
}

/// A date the event may leave out, as sent; empty when absent.
fn text(value: Option<&String>) -> &str {
    value.map_or("", String::as_str)
}

/// The tier's name from the programme details, else `tier <number>`.
fn tier_name(details: Option<&LoyaltyProgramDetails>, number: Option<i64>) -> String {
    details
        .and_then(|details| details.tiers.as_ref())
        .and_then(|tiers| {
            tiers
                .iter()
                .find(|tier| number.is_some() && tier.tier_number == number)
        })
        .and_then(|tier| tier.tier_name.clone())
        .filter(|name| !name.trim().is_empty())
        .unwrap_or_else(|| match number {
            Some(number) => format!("tier {number}"),
            None => "a new tier".to_owned(),
        })
}

/// An event that asks for one message to its customer.
pub(crate) trait OneMessage: FromEvent + Send + Sync {
    /// To whom (as the event names them), which message, and the values its template uses.
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars);
}

/// The handler of every [`OneMessage`] event.
pub(crate) async fn notify<T: OneMessage>(
    State(state): State<AppState>,
    webhook: Webhook<T>,
) -> Result<(), HandlerError> {
    let (customer, kind, vars) = webhook.event.message();
    let message = notification(&webhook, customer, kind, vars);
    send_all(&state, vec![message]).await
}

impl OneMessage for CustomerAdded {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        (
            &self.customer_identifiers,
            MessageKind::Welcome,
            Vars::new(),
        )
    }
}

impl OneMessage for PointsIssued {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        let vars = Vars::new()
            .set("points", points(self.total_points_issued.as_ref()))
            .set("balance", points(self.program_current_points.as_ref()));
        (&self.customer_identifiers, MessageKind::PointsIssued, vars)
    }
}

impl OneMessage for PointsRedeemed {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        let value = self
            .redeemed_points_currency_value
            .as_ref()
            .map(|value| format!("{:.2}", value.to_f64()))
            .unwrap_or_default();
        let vars = Vars::new()
            .set("points", points(self.total_points_redeemed.as_ref()))
            .set("value", value);
        (
            &self.customer_identifiers,
            MessageKind::PointsRedeemed,
            vars,
        )
    }
}

impl OneMessage for TierUpgraded {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        let tier = tier_name(
            self.loyalty_program_details.as_ref(),
            self.upgraded_tier_number,
        );
        let vars = Vars::new()
            .set("tier", tier)
            .set("expiry_date", text(self.tier_expiry_date.as_ref()));
        (&self.customer_identifiers, MessageKind::TierUpgraded, vars)
    }
}

impl OneMessage for TierDowngraded {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        let details = self.loyalty_program_details.as_ref();
        let vars = Vars::new()
            .set("tier", tier_name(details, self.downgraded_tier_number))
            .set("expiry_date", text(self.tier_expiry_date.as_ref()));
        (
            &self.customer_identifiers,
            MessageKind::TierDowngraded,
            vars,
        )
    }
}

impl OneMessage for PointsExpiryReminder {
    fn message(&self) -> (&CustomerIdentifiers, MessageKind, Vars) {
        let vars = Vars::new()
            .set("points", points(self.points_scheduled_for_expiry.as_ref()))
            .set("expiry_date", text(self.scheduled_expiry_date.as_ref()));
        (
            &self.customer_identifiers,
            MessageKind::PointsExpiryReminder,
            vars,
        )
    }
}

/// One message per coupon: keyed by the event id when the event has one coupon, else by
/// `eventId:couponId`, so a retry after a partial failure sends only the missing ones.
pub(crate) async fn coupon_issue(
    State(state): State<AppState>,
    webhook: Webhook<CouponIssue>,
) -> Result<(), HandlerError> {
    let event = &webhook.event;
    let coupons = event.coupons.as_deref().unwrap_or_default();
    let single = coupons.len() == 1;
    let description = event
        .series_info
        .as_ref()
        .and_then(|series| series.description.as_ref());
    let messages = coupons
        .iter()
        .map(|coupon| {
            let vars = Vars::new()
                .set("coupon_code", text(coupon.code.as_ref()))
                .set("coupon_description", text(description))
                .set(
                    "valid_till",
                    coupon
                        .valid_till
                        .map(|at| utc_date(at.as_millis()))
                        .unwrap_or_default(),
                );
            let message = notification(
                &webhook,
                &coupon.customer_identifiers,
                MessageKind::CouponIssued,
                vars,
            );
            if single {
                message
            } else {
                let key = format!("{}:{}", message.event_id, coupon.id);
                message.message_key(key)
            }
        })
        .collect();
    send_all(&state, messages).await
}

#[cfg(test)]
mod tests {
    use capillary_ens_schemas::shared::ProgramTier;

    use super::*;

    #[test]
    fn points_drop_a_zero_fraction() {
        let points_of = |text: &str| points(Some(&text.parse().unwrap()));
        assert_eq!(points_of("150.0"), "150");
        assert_eq!(points_of("1270.5"), "1270.5");
        assert_eq!(points_of("1270.50"), "1270.50");
        assert_eq!(points_of("-3.000"), "-3");
        assert_eq!(points_of("1E20"), "1E20");
        assert_eq!(points(None), "");
    }

    #[test]
    fn tiers_are_named_from_the_programme() {
        let mut gold = ProgramTier::default();
        gold.tier_number = Some(2);
        gold.tier_name = Some("Gold".to_owned());
        let mut details = LoyaltyProgramDetails::default();
        details.tiers = Some(vec![gold]);
        assert_eq!(tier_name(Some(&details), Some(2)), "Gold");
        assert_eq!(tier_name(Some(&details), Some(3)), "tier 3");
        assert_eq!(tier_name(None, Some(1)), "tier 1");
        assert_eq!(tier_name(Some(&details), None), "a new tier");
    }
}
