//! The Capillary customer API: the points balance and tier when an event does not carry them.

use std::fmt;
use std::time::Duration;

use ens_receiver::HandlerError;
use ens_schemas::Pii;
use reqwest::StatusCode;
use reqwest::header::RETRY_AFTER;
use serde_json::Value;

use crate::config::CapillarySettings;

/// Capillary's error code for "customer not found".
const CUSTOMER_NOT_FOUND: i64 = 8015;

/// A customer's loyalty standing as Capillary reports it now. `Debug` redacts the external id.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct LoyaltySnapshot {
    pub(crate) balance: Option<f64>,
    pub(crate) tier: Option<String>,
    pub(crate) external_id: Option<Pii<String>>,
}

/// Reads customers with `GET /v2/customers/{id}?embed=points`.
#[derive(Clone, Debug)]
pub(crate) struct CapillaryClient {
    http: reqwest::Client,
    settings: CapillarySettings,
}

impl CapillaryClient {
    pub(crate) fn new(http: reqwest::Client, settings: CapillarySettings) -> Self {
        Self { http, settings }
    }

    /// The balance and tier of customer `id` in loyalty program `program_id` (the first
    /// program reported when `None` or not found), or `None` when Capillary does not know the
    /// customer.
    pub(crate) async fn loyalty(
        &self,
        id: i64,
        program_id: Option<i64>,
    ) -> Result<Option<LoyaltySnapshot>, CapillaryError> {
        let url = format!("{}/v2/customers/{id}", self.settings.base_url);
        let request = self
            .settings
            .credentials
            .authorize(self.http.get(url).query(&[("embed", "points")]));
        let response = request
            .send()
            .await
            .map_err(|error| CapillaryError::Unreachable(error.without_url()))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|value| value.to_str().ok()?.trim().parse().ok())
            .map(Duration::from_secs);
        let body = response
            .bytes()
            .await
            .map_err(|error| CapillaryError::Unreachable(error.without_url()))?;
        interpret(status, retry_after, &body, program_id)
    }
}

/// From a response to a snapshot, "not found", or the error to retry on.
pub(crate) fn interpret(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
    program_id: Option<i64>,
) -> Result<Option<LoyaltySnapshot>, CapillaryError> {
    if status == StatusCode::TOO_MANY_REQUESTS {
        return Err(CapillaryError::RateLimited { retry_after });
    }
    let json = serde_json::from_slice::<Value>(body).ok();
    if status == StatusCode::NOT_FOUND {
        // A 404 without Capillary's code is a wrong URL, not a missing customer: retry.
        let code = json
            .as_ref()
            .and_then(|body| body.get("errors")?.get(0)?.get("code")?.as_i64());
        return match code {
            Some(CUSTOMER_NOT_FOUND) => Ok(None),
            _ => Err(CapillaryError::Status(status.as_u16())),
        };
    }
    if !status.is_success() {
        return Err(CapillaryError::Status(status.as_u16()));
    }
    match json {
        Some(customer) if customer.is_object() => Ok(Some(snapshot_of(&customer, program_id))),
        _ => Err(CapillaryError::InvalidBody),
    }
}

fn snapshot_of(customer: &Value, program_id: Option<i64>) -> LoyaltySnapshot {
    let summaries = customer
        .get("pointsSummaries")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let summary = program_id
        .and_then(|wanted| {
            summaries
                .iter()
                .find(|summary| summary.get("programId").and_then(Value::as_i64) == Some(wanted))
        })
        .or_else(|| summaries.first());
    let external_id = customer
        .get("profiles")
        .and_then(|profiles| profiles.get(0))
        .and_then(|profile| profile.get("identifiers"))
        .and_then(Value::as_array)
        .and_then(|identifiers| {
            identifiers.iter().find_map(|identifier| {
                let kind = identifier.get("type")?.as_str()?;
                let value = identifier.get("value")?.as_str()?.trim();
                (kind.eq_ignore_ascii_case("externalId") && !value.is_empty())
                    .then(|| Pii::new(value.to_owned()))
            })
        });
    LoyaltySnapshot {
        balance: summary
            .and_then(|summary| summary.get("loyaltyPoints")?.as_f64())
            .filter(|balance| balance.is_finite()),
        tier: summary
            .and_then(|summary| summary.get("currentSlab")?.as_str())
            .map(str::trim)
            .filter(|tier| !tier.is_empty())
            .map(str::to_owned),
        external_id,
    }
}

/// Why a customer could not be read. Every case is worth retrying.
#[derive(Debug)]
pub(crate) enum CapillaryError {
    /// No answer: connection refused, timeout, TLS failure.
    Unreachable(reqwest::Error),
    /// 429: come back later.
    RateLimited { retry_after: Option<Duration> },
    /// Any other unexpected status (401 for wrong credentials, 5xx for an outage).
    Status(u16),
    /// A 2xx answer that is not a customer object.
    InvalidBody,
}

impl CapillaryError {
    /// 429 (with the API's `Retry-After`) when Capillary rate limits, 503 otherwise.
    pub(crate) fn into_handler_error(self) -> HandlerError {
        match self {
            Self::RateLimited { retry_after } => HandlerError::rate_limited(
                retry_after.unwrap_or(Duration::from_secs(30)),
                Self::RateLimited { retry_after },
            ),
            other => HandlerError::unavailable(other),
        }
    }
}

impl fmt::Display for CapillaryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreachable(error) => {
                write!(f, "the capillary api could not be reached: {error}")
            }
            Self::RateLimited { .. } => f.write_str("the capillary api is rate limiting"),
            Self::Status(status) => write!(f, "the capillary api answered {status}"),
            Self::InvalidBody => f.write_str("the capillary api answered with no customer object"),
        }
    }
}

impl std::error::Error for CapillaryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Unreachable(error) => Some(error),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::json;

    use super::*;

    fn answer(
        status: u16,
        body: &Value,
        program: Option<i64>,
    ) -> Result<Option<LoyaltySnapshot>, CapillaryError> {
        interpret(
            StatusCode::from_u16(status).unwrap(),
            None,
            body.to_string().as_bytes(),
            program,
        )
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
        let second = answer(200, &customer, Some(2)).unwrap().unwrap();
        assert_eq!(
            (second.balance, second.tier.as_deref()),
            (Some(20.5), Some("Gold"))
        );
        assert_eq!(second.external_id.unwrap().expose(), "SHOP-7");
        let first = answer(200, &customer, Some(99)).unwrap().unwrap();
        assert_eq!(first.balance, Some(10.0));
        let bare = answer(200, &json!({"id": 1}), None).unwrap().unwrap();
        assert_eq!(bare, LoyaltySnapshot::default());
    }

    #[test]
    fn only_capillarys_not_found_code_means_an_unknown_customer() {
        let not_found = json!({"errors": [{"code": 8015, "message": "Customer not found"}]});
        assert!(answer(404, &not_found, None).unwrap().is_none());
        assert!(matches!(
            answer(404, &json!({}), None),
            Err(CapillaryError::Status(404))
        ));
        assert!(matches!(
            answer(503, &json!({}), None),
            Err(CapillaryError::Status(503))
        ));
        assert!(matches!(
            answer(200, &json!("x"), None),
            Err(CapillaryError::InvalidBody)
        ));
    }

    proptest! {
        #[test]
        fn any_answer_is_interpreted_without_panicking(
            status in 100u16..600,
            body in proptest::collection::vec(any::<u8>(), 0..256),
            program in any::<Option<i64>>(),
        ) {
            let _ = interpret(StatusCode::from_u16(status).unwrap(), None, &body, program);
        }

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
            prop_assert!(answer(200, &customer, program).is_ok());
        }
    }
}
