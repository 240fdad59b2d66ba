//! [`InvitationRules`]: which transactions get a survey, and why the others do not.

use std::fmt;

use capillary_ens_schemas::events::TransactionAdded;
use capillary_ens_schemas::shared::BillType;

/// Which `transactionAdded` events get a survey invitation.
///
/// A bill is surveyed unless one of these holds (checked in this order):
///
/// 1. it is a return (`billType` `RETURN`): the customer brought something back;
/// 2. its net `amount` is absent, zero or negative: a return, a void or a "not
///    interested" bill with nothing bought;
/// 3. its net `amount` is below [`min_amount`](Self::min_amount) (0 by default).
///
/// `MIXED` bills (a purchase and a return together) with a positive amount are surveyed.
/// A skipped event is acknowledged, so ENS does not deliver it again.
///
/// ```
/// use example_survey_after_purchase::{Decision, InvitationRules, SkipReason};
/// use capillary_ens_schemas::events::TransactionAdded;
///
/// # fn bill(json: serde_json::Value) -> TransactionAdded { serde_json::from_value(json).unwrap() }
/// let rules = InvitationRules::default().min_amount(100.0);
/// let purchase = bill(serde_json::json!({
///     "amount": 2249.0, "billNumber": "B-1", "enteredAt": 0, "transactionId": 1,
///     "billType": "REGULAR", "lineItemCount": 1, "discount": 0, "currencyCode": "INR",
///     "enteredBy": {}, "customerIdentifiers": {"customerId": 42}
/// }));
/// assert_eq!(rules.decide(&purchase), Decision::Invite);
/// let mut small = purchase.clone();
/// small.amount = Some(40.into());
/// assert_eq!(rules.decide(&small), Decision::Skip(SkipReason::BelowMinimum));
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InvitationRules {
    min_amount: f64,
}

impl Default for InvitationRules {
    fn default() -> Self {
        Self { min_amount: 0.0 }
    }
}

impl InvitationRules {
    /// Bills with a net amount below `amount` (in the bill's currency) get no survey.
    pub fn min_amount(mut self, amount: f64) -> Self {
        self.min_amount = amount;
        self
    }

    /// Whether `transaction` gets an invitation.
    pub fn decide(&self, transaction: &TransactionAdded) -> Decision {
        if transaction.bill_type == Some(BillType::Return) {
            return Decision::Skip(SkipReason::ReturnBill);
        }
        let amount = match &transaction.amount {
            Some(amount) if !amount.is_negative() && !amount.is_zero() => amount.to_f64(),
            _ => return Decision::Skip(SkipReason::NothingBought),
        };
        if amount < self.min_amount {
            return Decision::Skip(SkipReason::BelowMinimum);
        }
        Decision::Invite
    }
}

/// What [`InvitationRules::decide`] says about one transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Decision {
    /// Send an invitation.
    Invite,
    /// Acknowledge the event without an invitation.
    Skip(SkipReason),
}

/// Why a transaction, or its customer, gets no invitation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// A return bill.
    ReturnBill,
    /// A net amount of zero or less.
    NothingBought,
    /// A net amount below the configured minimum.
    BelowMinimum,
    /// The payload has no contact and no customer id to look one up with.
    NoCustomer,
    /// Capillary does not know the customer (deleted or merged away).
    UnknownCustomer,
    /// The customer has neither an email address nor a mobile number.
    NoContact,
}

impl SkipReason {
    /// A short snake-case name, for logs and metrics.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ReturnBill => "return_bill",
            Self::NothingBought => "nothing_bought",
            Self::BelowMinimum => "below_minimum",
            Self::NoCustomer => "no_customer",
            Self::UnknownCustomer => "unknown_customer",
            Self::NoContact => "no_contact",
        }
    }
}

impl fmt::Display for SkipReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use capillary_ens_schemas::Decimal;
    use proptest::prelude::*;

    use super::*;

    fn bill(bill_type: BillType, amount: f64) -> TransactionAdded {
        let mut transaction = TransactionAdded::default();
        transaction.bill_type = Some(bill_type);
        transaction.amount = Decimal::try_from(amount).ok();
        transaction
    }

    #[test]
    fn returns_and_empty_bills_are_skipped() {
        let rules = InvitationRules::default();
        assert_eq!(
            rules.decide(&bill(BillType::Return, 500.0)),
            Decision::Skip(SkipReason::ReturnBill)
        );
        for amount in [0.0, -10.0, f64::NAN] {
            assert_eq!(
                rules.decide(&bill(BillType::Regular, amount)),
                Decision::Skip(SkipReason::NothingBought)
            );
        }
        assert_eq!(rules.decide(&bill(BillType::Mixed, 1.0)), Decision::Invite);
        assert_eq!(
            rules.decide(&bill(BillType::Other("EXCHANGE".into()), 1.0)),
            Decision::Invite
        );
    }

    proptest! {
        #[test]
        fn only_positive_non_return_bills_at_or_above_the_minimum_are_invited(
            amount in -1e9f64..1e9,
            min in -1e6f64..1e6,
            is_return in any::<bool>(),
        ) {
            let bill_type = if is_return { BillType::Return } else { BillType::Regular };
            let decision = InvitationRules::default().min_amount(min).decide(&bill(bill_type, amount));
            let expected = !is_return && amount > 0.0 && amount >= min;
            prop_assert_eq!(decision == Decision::Invite, expected);
        }
    }
}
