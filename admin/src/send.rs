//! Sending one API call: authentication, retries, tracing, and reading the answer.

use std::time::{Duration, SystemTime};

use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tracing::Instrument;

use crate::error::{ApiError, DecodeError, TransportError};
use crate::{Client, Error};

/// One call to make: method, path segments, query and JSON body.
pub(crate) struct Call<'a> {
    pub(crate) method: Method,
    pub(crate) segments: &'a [&'a str],
    pub(crate) query: Vec<(&'static str, String)>,
    pub(crate) body: Option<Vec<u8>>,
}

impl<'a> Call<'a> {
    pub(crate) fn new(method: Method, segments: &'a [&'a str]) -> Self {
        Self {
            method,
            segments,
            query: Vec::new(),
            body: None,
        }
    }

    pub(crate) fn json(mut self, body: &impl serde::Serialize) -> Result<Self, Error> {
        let bytes = serde_json::to_vec(body)
            .map_err(|_| Error::invalid_input("the request body cannot be serialized"))?;
        self.body = Some(bytes);
        Ok(self)
    }

    pub(crate) fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }
}

/// A successful answer: status and body.
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl Client {
    /// Sends `call`, retrying as the policy says, and returns a 2xx answer or the error.
    pub(crate) async fn send(&self, call: Call<'_>) -> Result<Answer, Error> {
        let mut url = self.url(call.segments)?;
        if !call.query.is_empty() {
            url.query_pairs_mut().extend_pairs(&call.query);
        }
        let mut authorization = HeaderValue::from_str(
            self.inner.credentials.authorization().expose(),
        )
        .map_err(|_| Error::invalid_input("the credentials contain characters a header cannot"))?;
        authorization.set_sensitive(true);
        let idempotent = call.method != Method::POST;
        let policy = self.inner.retry;
        let mut backoffs = policy.backoffs();
        // The path holds ids only; the query (which may hold a customer id) is not logged.
        let span = tracing::info_span!(
            "capillary_ens_admin.request",
            method = %call.method,
            path = %url.path(),
            status = tracing::field::Empty,
        );
        async {
            let mut attempt = 1;
            loop {
                let mut request = self
                    .inner
                    .http
                    .request(call.method.clone(), url.clone())
                    .header(AUTHORIZATION, authorization.clone())
                    .header(ACCEPT, "application/json");
                if let Some(body) = &call.body {
                    request = request
                        .header(CONTENT_TYPE, "application/json")
                        .body(body.clone());
                }
                let outcome = request.send().await;
                let can_retry = attempt < policy.attempts();
                match outcome {
                    Ok(response) => {
                        let status = response.status();
                        tracing::Span::current().record("status", status.as_u16());
                        let retry_after = retry_after(response.headers().get(RETRY_AFTER));
                        let retriable = status == StatusCode::TOO_MANY_REQUESTS
                            || (idempotent && status.is_server_error());
                        if retriable
                            && can_retry
                            && let Some(delay) = policy.delay(retry_after, &mut backoffs)
                        {
                            tracing::warn!(
                                status = status.as_u16(),
                                attempt,
                                delay_ms = delay.as_millis() as u64,
                                "retrying"
                            );
                            self.inner.sleeper.sleep(delay).await;
                            attempt += 1;
                            continue;
                        }
                        let body = response.bytes().await.map_err(classify)?.to_vec();
                        if status.is_success() {
                            tracing::debug!(status = status.as_u16(), "answered");
                            return Ok(Answer {
                                status: status.as_u16(),
                                body,
                            });
                        }
                        tracing::debug!(status = status.as_u16(), "error answer");
                        return Err(Error::Api(ApiError::from_response(
                            status.as_u16(),
                            &body,
                            retry_after,
                        )));
                    }
                    Err(error) => {
                        let transient = error.is_timeout() || error.is_connect();
                        if transient && idempotent && can_retry {
                            let delay = backoffs.next().unwrap_or(Duration::ZERO);
                            tracing::warn!(
                                attempt,
                                delay_ms = delay.as_millis() as u64,
                                "retrying after a transport failure"
                            );
                            self.inner.sleeper.sleep(delay).await;
                            attempt += 1;
                            continue;
                        }
                        return Err(classify(error));
                    }
                }
            }
        }
        .instrument(span)
        .await
    }

    /// Sends `call` and reads the answer's data as `T`.
    pub(crate) async fn fetch<T: DeserializeOwned>(&self, call: Call<'_>) -> Result<T, Error> {
        let answer = self.send(call).await?;
        decode(answer.status, &answer.body)
    }
}

fn classify(error: reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Timeout {
            source: TransportError::new(error),
        }
    } else {
        Error::Transport {
            source: TransportError::new(error),
        }
    }
}

/// The wait `Retry-After` asks for (delta-seconds or an HTTP-date), if it is readable.
fn retry_after(value: Option<&HeaderValue>) -> Option<Duration> {
    capillary_ens_schemas::retry_after::parse(value?.to_str().ok()?, SystemTime::now())
}

/// The data of a success answer, read as `T`.
///
/// Assumption (the docs do not show every response): an answer is either the data itself or
/// the Capillary v3 wrapper `{"data": …, "errors": …, "warnings": …}`. A 2xx answer whose
/// `errors` is a non-empty array and whose `data` is empty is an error, as Capillary's v3
/// APIs sometimes answer that way.
pub(crate) fn decode<T: DeserializeOwned>(status: u16, body: &[u8]) -> Result<T, Error> {
    let data = data_of(status, body)?;
    serde_json::from_value(data).map_err(|error| Error::Decode {
        status,
        source: DecodeError::from_json(&error),
    })
}

/// The data of a success answer as JSON.
pub(crate) fn data_of(status: u16, body: &[u8]) -> Result<Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let value: Value = serde_json::from_slice(body).map_err(|error| Error::Decode {
        status,
        source: DecodeError::from_json(&error),
    })?;
    let Value::Object(mut object) = value else {
        return Ok(value);
    };
    let has_errors =
        matches!(object.get("errors"), Some(Value::Array(errors)) if !errors.is_empty());
    match object.remove("data") {
        Some(data) if !data.is_null() => Ok(data),
        _ if has_errors => Err(Error::Api(ApiError::from_response(status, body, None))),
        Some(data) if object.is_empty() => Ok(data),
        _ => Ok(Value::Object(object)),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{data_of, decode};
    use crate::error::ApiError;
    use crate::{DeliveryMetrics, DeliveryRecord, LogPage, LogQuery, WebhookConfig};

    /// Reads `body` as every answer type the client knows.
    fn parse_everything(status: u16, body: &[u8]) {
        let _ = ApiError::from_response(status, body, None);
        let _ = decode::<WebhookConfig>(status, body);
        let _ = decode::<DeliveryMetrics>(status, body);
        let _ = decode::<Vec<DeliveryRecord>>(status, body);
        if let Ok(data) = data_of(status, body) {
            let _ = LogPage::from_data(data, &LogQuery::new()).has_next();
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            "[a-zA-Z0-9 _:-]{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            let keys = prop_oneof![
                Just("data".to_owned()),
                Just("errors".to_owned()),
                Just("content".to_owned()),
                Just("totalPages".to_owned()),
                Just("totalElements".to_owned()),
                Just("page".to_owned()),
                Just("size".to_owned()),
                Just("webHookHeaders".to_owned()),
                Just("eventNames".to_owned()),
                Just("consumerResponse".to_owned()),
                Just("code".to_owned()),
                Just("message".to_owned()),
                "[a-zA-Z]{1,8}",
            ];
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                prop::collection::btree_map(keys, inner, 0..6)
                    .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(status in 100u16..600, body in prop::collection::vec(any::<u8>(), 0..512)) {
            parse_everything(status, &body);
        }

        #[test]
        fn arbitrary_json_never_panics(status in 100u16..600, value in json_value()) {
            let body = serde_json::to_vec(&value).unwrap_or_default();
            parse_everything(status, &body);
        }
    }
}
