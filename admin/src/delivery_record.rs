//! [`DeliveryRecord`]: what ENS recorded about delivering one event to one webhook.

use std::fmt;

use capillary_ens_schemas::EventName;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::lenient;

/// One event's delivery to one webhook, as the delivery-log APIs report it.
///
/// The event-log APIs (`/v3/webHooks/eventLog/…`) document `refId`, `requestId`,
/// `eventName`, `eventId`, `consumerGroupId`, the ingestion/start/end/SLA-breach timestamps
/// (ISO-8601 text) and `consumerResponse`. The consumer-group log API's entries are not
/// documented field by field; this type assumes they share those names and add `status`,
/// `eventSearchKey`, `webhookDuration` (ms), `attempts` and `createdAt` (epoch ms). Every
/// field is optional and unknown fields are ignored.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct DeliveryRecord {
    /// The event's `eventId`.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_id: Option<String>,
    /// The event's name (`eventName`, or `eventType` in the newer API).
    #[serde(
        default,
        alias = "eventType",
        deserialize_with = "event_name",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_name: Option<EventName>,
    /// The event's `refId`.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub ref_id: Option<String>,
    /// The id of the API request that caused the event (`requestId` / `apiRequestId`).
    #[serde(
        default,
        alias = "apiRequestId",
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub request_id: Option<String>,
    /// The webhook's consumer group.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub consumer_group_id: Option<String>,
    /// The event's primary lookup identifier (e.g. a customer id).
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_search_key: Option<String>,
    /// Where the delivery stands.
    #[serde(
        default,
        alias = "deliveryStatus",
        deserialize_with = "status",
        skip_serializing_if = "Option::is_none"
    )]
    pub status: Option<DeliveryStatus>,
    /// When ENS stored the event, epoch milliseconds.
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub created_at: Option<i64>,
    /// How long the endpoint took to answer, in milliseconds.
    #[serde(
        default,
        rename = "webhookDuration",
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub webhook_duration_ms: Option<i64>,
    /// How many delivery attempts were made.
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub attempts: Option<i64>,
    /// When the event entered ENS (ISO-8601 text as sent, e.g. `2020-04-23T10:53:13.240+0530`).
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_ingestion_timestamp: Option<String>,
    /// When delivery started.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_start_timestamp: Option<String>,
    /// When delivery ended.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub event_end_timestamp: Option<String>,
    /// When the delivery breached the webhook's SLA.
    #[serde(
        default,
        deserialize_with = "lenient::string",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_breach_timestamp: Option<String>,
    /// The endpoint's answer; absent until delivered.
    #[serde(
        default,
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub consumer_response: Option<ConsumerResponse>,
}

/// What the webhook endpoint answered.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ConsumerResponse {
    /// The endpoint's HTTP status.
    #[serde(
        default,
        rename = "webhookHttpStatus",
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub webhook_http_status: Option<i64>,
    /// How long the call took (`time_taken`; no unit is documented, milliseconds assumed).
    #[serde(
        default,
        rename = "time_taken",
        alias = "timeTaken",
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub time_taken: Option<i64>,
}

/// The delivery states ENS tracks (the metrics API counts each).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// The endpoint accepted the event.
    Delivered,
    /// Delivery failed for good.
    Failed,
    /// Delivery failed and will be tried again.
    Retrying,
    /// Not delivered yet.
    Pending,
    /// A state this version does not know, as sent.
    Other(String),
}

impl DeliveryStatus {
    /// The wire value (upper case).
    pub fn as_str(&self) -> &str {
        match self {
            Self::Delivered => "DELIVERED",
            Self::Failed => "FAILED",
            Self::Retrying => "RETRYING",
            Self::Pending => "PENDING",
            Self::Other(value) => value,
        }
    }

    /// Reads a wire value, ignoring case; never fails.
    pub fn from_wire(value: &str) -> Self {
        match value.to_ascii_uppercase().as_str() {
            "DELIVERED" | "SUCCESS" => Self::Delivered,
            "FAILED" | "FAILURE" => Self::Failed,
            "RETRYING" => Self::Retrying,
            "PENDING" => Self::Pending,
            _ => Self::Other(value.to_owned()),
        }
    }
}

impl fmt::Display for DeliveryStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for DeliveryStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

fn status<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DeliveryStatus>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => Some(DeliveryStatus::from_wire(&text)),
        _ => None,
    })
}

fn event_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<EventName>, D::Error> {
    Ok(match Value::deserialize(deserializer)? {
        Value::String(text) => Some(EventName::from_wire(&text)),
        _ => None,
    })
}
