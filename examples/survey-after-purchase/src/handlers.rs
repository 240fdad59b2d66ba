//! The `transactionAdded` handler: decide, find the contact, invite.

use axum::extract::State;
use capillary_ens_receiver::{HandlerError, Webhook};
use capillary_ens_schemas::Pii;
use capillary_ens_schemas::events::TransactionAdded;
use capillary_ens_schemas::shared::CustomerIdentifiers;

use crate::app::AppState;
use crate::capillary::{self, CustomerContact};
use crate::eligibility::{Decision, SkipReason};
use crate::survey::{Contact, Invitation, TransactionSummary};
use crate::timestamp::iso8601_utc;

/// Sends one survey invitation for an eligible purchase.
///
/// The contact comes from the payload when ENS included it (InStore email, else mobile);
/// otherwise the customer is looked up in Capillary by id. Skipped transactions and unknown
/// customers are acknowledged; a failure of either API is returned, so the delivery is
/// answered 503 (or 429) and ENS retries it. Duplicates never get here: the receiver
/// deduplicates on `eventId`.
pub(crate) async fn transaction_added(
    State(state): State<AppState>,
    webhook: Webhook<TransactionAdded>,
) -> Result<(), HandlerError> {
    let transaction = &webhook.event;
    let event_id = webhook.envelope.event_id.as_deref().unwrap_or("");
    let skip = |reason: SkipReason| {
        tracing::info!(
            event_id,
            transaction_id = transaction.transaction_id,
            reason = reason.as_str(),
            "no survey for this transaction"
        );
        Ok(())
    };

    if let Decision::Skip(reason) = state.rules.decide(transaction) {
        return skip(reason);
    }
    let identifiers = &transaction.customer_identifiers;
    let contact = match contact_in_payload(identifiers) {
        Some(contact) => contact,
        None => {
            let Some(customer_id) = identifiers.customer_id else {
                return skip(SkipReason::NoCustomer);
            };
            match capillary::contact(&state.capillary, customer_id).await {
                Ok(Some(contact)) => contact,
                Ok(None) => return skip(SkipReason::UnknownCustomer),
                Err(error) => {
                    tracing::warn!(event_id, error = %error, "customer lookup failed");
                    return Err(error.into_handler_error());
                }
            }
        }
    };
    let Some(to) = contact
        .email
        .map(Contact::Email)
        .or_else(|| contact.mobile.map(Contact::Mobile))
    else {
        return skip(SkipReason::NoContact);
    };

    let invitation = Invitation {
        survey_id: state.survey.survey_id().to_owned(),
        contact: to,
        first_name: contact.first_name,
        transaction: summary(transaction),
        external_reference: external_reference(&webhook),
    };
    if let Err(error) = state.survey.invite(&invitation).await {
        tracing::warn!(event_id, error = %error.source(), "survey invitation failed");
        return Err(error);
    }
    tracing::info!(
        event_id,
        transaction_id = transaction.transaction_id,
        "survey invitation sent"
    );
    Ok(())
}

/// The InStore email or mobile ENS put in the payload (with the first name, if any), or
/// `None` when it carries neither: identifiers are not enriched by default.
fn contact_in_payload(identifiers: &CustomerIdentifiers) -> Option<CustomerContact> {
    let instore = identifiers.instore.as_ref()?;
    let contact = CustomerContact {
        first_name: non_blank(identifiers.first_name.as_ref()),
        email: non_blank(instore.email.as_ref()),
        mobile: non_blank(instore.mobile.as_ref()),
    };
    (contact.email.is_some() || contact.mobile.is_some()).then_some(contact)
}

fn non_blank(value: Option<&Pii<String>>) -> Option<Pii<String>> {
    let text = value?.expose().trim();
    (!text.is_empty()).then(|| Pii::new(text.to_owned()))
}

fn summary(transaction: &TransactionAdded) -> TransactionSummary {
    let entered_by = transaction.entered_by.as_ref();
    let store = entered_by
        .and_then(|entered_by| entered_by.store.as_ref())
        .and_then(|store| store.code.clone())
        .filter(|code| !code.trim().is_empty())
        .or_else(|| {
            entered_by
                .and_then(|entered_by| entered_by.till.as_ref())
                .and_then(|till| till.code.clone())
        })
        .filter(|code| !code.trim().is_empty());
    let currency = transaction
        .currency_code
        .as_deref()
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::to_owned);
    TransactionSummary {
        bill_number: transaction.bill_number.clone(),
        amount: transaction.amount.clone(),
        currency,
        store,
        purchased_at: transaction
            .bill_date
            .or(transaction.entered_at)
            .and_then(|at| iso8601_utc(at.as_millis())),
    }
}

/// The `eventId`; for the rare payload without one, `refId`, else the transaction id.
fn external_reference(webhook: &Webhook<TransactionAdded>) -> String {
    let envelope = &webhook.envelope;
    envelope
        .event_id
        .clone()
        .or_else(|| envelope.ref_id.clone())
        .filter(|reference| !reference.is_empty())
        .unwrap_or_else(|| format!("transaction-{}", webhook.event.transaction_id))
}
