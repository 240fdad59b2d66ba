//! The survey platform's API: `POST /v1/invitations`.

use std::fmt;

use capillary_ens_receiver::HandlerError;
use capillary_ens_schemas::{Decimal, Pii};
use reqwest::StatusCode;
use serde::Serialize;

use crate::config::SurveySettings;

/// One invitation, as the survey API takes it. `Debug` redacts the contact and the name.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Invitation {
    pub(crate) survey_id: String,
    pub(crate) contact: Contact,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) first_name: Option<Pii<String>>,
    pub(crate) transaction: TransactionSummary,
    /// The ENS `eventId`: lets the survey platform refuse a second invitation for one event.
    pub(crate) external_reference: String,
}

/// Where the invitation goes: `{"email": …}` or `{"mobile": …}`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) enum Contact {
    Email(Pii<String>),
    Mobile(Pii<String>),
}

/// The purchase the survey asks about.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TransactionSummary {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) bill_number: Option<String>,
    /// As sent: the digits ENS sent, serialized unchanged.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) amount: Option<Decimal>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) currency: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) store: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) purchased_at: Option<String>,
}

/// Sends invitations.
#[derive(Clone, Debug)]
pub(crate) struct SurveyClient {
    http: reqwest::Client,
    settings: SurveySettings,
}

impl SurveyClient {
    pub(crate) fn new(http: reqwest::Client, settings: SurveySettings) -> Self {
        Self { http, settings }
    }

    pub(crate) fn survey_id(&self) -> &str {
        &self.settings.survey_id
    }

    /// Sends `invitation`. A 409 (the platform already has an invitation with this
    /// `externalReference`) counts as sent.
    ///
    /// Every failure is retried by ENS: 429 with the platform's `Retry-After` when it rate
    /// limits, else 503. A 4xx usually means a configuration to fix (key, survey id), and ENS
    /// keeps the event for days meanwhile.
    pub(crate) async fn invite(&self, invitation: &Invitation) -> Result<(), HandlerError> {
        let url = format!("{}/v1/invitations", self.settings.base_url);
        let response = self
            .http
            .post(url)
            .header(
                self.settings.api_key_header.as_str(),
                self.settings.api_key.expose(),
            )
            .json(invitation)
            .send()
            .await
            .map_err(|error| {
                HandlerError::unavailable(SurveyError::Unreachable(error.without_url()))
            })?;
        let status = response.status();
        if status.is_success() || status == StatusCode::CONFLICT {
            return Ok(());
        }
        let error = SurveyError::Status(status.as_u16());
        Err(HandlerError::upstream(status, response.headers(), error))
    }
}

/// Why an invitation was not sent.
#[derive(Debug)]
enum SurveyError {
    Unreachable(reqwest::Error),
    Status(u16),
}

impl fmt::Display for SurveyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(error) => write!(f, "the survey api could not be reached: {error}"),
            Self::Status(status) => write!(f, "the survey api answered {status}"),
        }
    }
}

impl std::error::Error for SurveyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn an_invitation_serializes_to_the_documented_shape_and_debug_hides_the_contact() {
        let invitation = Invitation {
            survey_id: "nps".into(),
            contact: Contact::Email(Pii::from("priya@example.com")),
            first_name: Some(Pii::from("Priya")),
            transaction: TransactionSummary {
                bill_number: Some("B-1".into()),
                amount: Some("10.50".parse().unwrap()),
                currency: None,
                store: Some("blr".into()),
                purchased_at: None,
            },
            external_reference: "e-1".into(),
        };
        assert_eq!(
            serde_json::to_value(&invitation).unwrap(),
            json!({
                "surveyId": "nps",
                "contact": {"email": "priya@example.com"},
                "firstName": "Priya",
                "transaction": {"billNumber": "B-1", "amount": 10.5, "store": "blr"},
                "externalReference": "e-1"
            })
        );
        // The amount keeps the digits ENS sent.
        let text = serde_json::to_string(&invitation).unwrap();
        assert!(text.contains(r#""amount":10.50"#), "{text}");
        let debug = format!("{invitation:?}");
        assert!(
            !debug.contains("priya") && !debug.contains("Priya"),
            "{debug}"
        );
    }
}
