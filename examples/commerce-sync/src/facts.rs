//! [`Facts`]: what one event says about a customer's balance and tier.

use capillary_ens_schemas::events::{CustomerUpdated, PointsIssued, PointsRedeemed, TierUpgraded};
use capillary_ens_schemas::shared::{CustomerIdentifiers, LoyaltyProgramDetails};
use capillary_ens_schemas::{Decimal, Pii};

/// One field as an event covers it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Field<T> {
    /// The event says nothing about it.
    NotCovered,
    /// The payload carries the new value.
    Known(T),
    /// The event changed it but the payload does not carry the value: read it from Capillary.
    Fetch,
}

impl<T> Field<T> {
    pub(crate) fn is_covered(&self) -> bool {
        !matches!(self, Self::NotCovered)
    }

    pub(crate) fn needs_fetch(&self) -> bool {
        matches!(self, Self::Fetch)
    }
}

/// The customer an event is about, and what it says about their balance and tier.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Facts {
    pub(crate) customer_id: Option<i64>,
    pub(crate) external_id: Option<Pii<String>>,
    pub(crate) program_id: Option<i64>,
    pub(crate) balance: Field<f64>,
    pub(crate) tier: Field<String>,
}

impl Facts {
    fn about(customer: &CustomerIdentifiers, program_id: Option<i64>) -> Self {
        let external_id = customer
            .instore
            .as_ref()
            .and_then(|instore| instore.external_id.as_ref())
            .filter(|id| !id.expose().trim().is_empty())
            .cloned();
        Self {
            customer_id: customer.customer_id,
            external_id,
            program_id,
            balance: Field::NotCovered,
            tier: Field::NotCovered,
        }
    }

    /// `programCurrentPoints` is the balance after the points were issued.
    pub(crate) fn of_points_issued(event: &PointsIssued) -> Self {
        let mut facts = Self::about(&event.customer_identifiers, Some(event.loyalty_program_id));
        facts.balance = known_balance(event.program_current_points.as_ref());
        facts
    }

    /// The balance left is `redemptionFromEarningPrograms[].programCurrentPoints` of the
    /// event's program; without that entry it is read from Capillary.
    pub(crate) fn of_points_redeemed(event: &PointsRedeemed) -> Self {
        let mut facts = Self::about(&event.customer_identifiers, Some(event.loyalty_program_id));
        facts.balance = event
            .redemption_from_earning_programs
            .iter()
            .flatten()
            .find(|program| program.program_id == event.loyalty_program_id)
            .map_or(Field::Fetch, |program| {
                known_balance(program.program_current_points.as_ref())
            });
        facts
    }

    /// The new tier's name is looked up by `upgradedTierNumber` in the program's tier list;
    /// without it, it is read from Capillary.
    pub(crate) fn of_tier_upgraded(event: &TierUpgraded) -> Self {
        let mut facts = Self::about(&event.customer_identifiers, Some(event.loyalty_program_id));
        facts.tier = event
            .loyalty_program_details
            .as_ref()
            .zip(event.upgraded_tier_number)
            .and_then(|(program, number)| tier_name(program, number))
            .map_or(Field::Fetch, Field::Known);
        facts
    }

    /// A profile change carries neither balance nor tier: both are refreshed from Capillary
    /// (a status change or a merge can change both).
    pub(crate) fn of_customer_updated(event: &CustomerUpdated) -> Self {
        let mut facts = Self::about(&event.customer_identifiers, None);
        facts.balance = Field::Fetch;
        facts.tier = Field::Fetch;
        facts
    }
}

fn known_balance(points: Option<&Decimal>) -> Field<f64> {
    match points.map(Decimal::to_f64) {
        Some(points) if points.is_finite() => Field::Known(points),
        _ => Field::Fetch,
    }
}

fn tier_name(program: &LoyaltyProgramDetails, number: i64) -> Option<String> {
    program
        .tiers
        .as_ref()?
        .iter()
        .find(|tier| tier.tier_number == Some(number))?
        .tier_name
        .as_ref()
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
}
