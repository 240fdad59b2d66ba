//! [`WebhookConfig`]: one webhook configuration of `/v3/webHooks`.

use capillary_ens_schemas::EventName;
use serde::{Deserialize, Deserializer, Serialize};

use crate::lenient;
use crate::{MethodType, SecretString, WebhookHeaders, WebhookType};

/// A webhook: where ENS delivers which events, with which headers and enrichment.
///
/// Field names follow the API (`webHookUrl`, `eventNames` …). Reading is lenient: unknown
/// fields are ignored, and a field of an unexpected type reads as its default. `Serialize`
/// produces the create/update request body, so the server-assigned [`id`](Self::id) and
/// [`consumer_group_id`](Self::consumer_group_id) are left out of it. `Debug` never shows
/// header values.
///
/// ```
/// use capillary_ens_admin::WebhookConfig;
/// use capillary_ens_schemas::EventName;
///
/// let webhook = WebhookConfig::new(
///     "crm-sync",
///     "https://hooks.example.com/ens",
///     [EventName::PointsIssued, EventName::TierUpgraded],
/// )
/// .with_header("Authorization", "Bearer s3cret")
/// .with_max_allowed_connections(20);
/// let body = serde_json::to_value(&webhook).unwrap();
/// assert_eq!(body["webHookUrl"], "https://hooks.example.com/ens");
/// assert_eq!(body["eventNames"][1], "tierUpgraded");
/// assert_eq!(body["webHookHeaders"]["Authorization"], "Bearer s3cret");
/// assert!(!format!("{webhook:?}").contains("s3cret"));
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct WebhookConfig {
    /// The server-assigned id (`webHookId`; `id` is read too), used in update and delete.
    #[serde(
        rename = "webHookId",
        alias = "id",
        alias = "webhookId",
        default,
        deserialize_with = "lenient::string",
        skip_serializing
    )]
    pub id: Option<String>,
    /// The server-assigned consumer group, the key of the delivery-log APIs.
    #[serde(default, deserialize_with = "lenient::string", skip_serializing)]
    pub consumer_group_id: Option<String>,
    /// The webhook's name, unique in the org; Capillary does not let it change.
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// The endpoint URL.
    #[serde(default, deserialize_with = "text")]
    pub web_hook_url: String,
    /// How events are delivered (`HTTP` or `QUEUE_INT`).
    #[serde(default)]
    pub web_hook_type: WebhookType,
    /// The HTTP method of deliveries (`POST`).
    #[serde(default)]
    pub method_type: MethodType,
    /// Headers sent with every delivery (`webHookHeaders`), typically the authentication.
    #[serde(rename = "webHookHeaders", default)]
    pub headers: WebhookHeaders,
    /// The subscribed events.
    #[serde(default, deserialize_with = "lenient::event_names")]
    pub event_names: Vec<EventName>,
    /// Whether the webhook receives events.
    #[serde(default = "yes", deserialize_with = "flag_or_true")]
    pub active: bool,
    /// How many deliveries ENS makes to the endpoint at the same time (at least 1).
    #[serde(default = "ten", deserialize_with = "connections")]
    pub max_allowed_connections: u32,
    /// Delivery SLA in seconds, a reporting threshold only (deprecated by Capillary).
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub sla_in_seconds: Option<i64>,
    /// `noOfRetryAttempts`, undocumented; `0` in every example.
    #[serde(
        default,
        deserialize_with = "lenient::int",
        skip_serializing_if = "Option::is_none"
    )]
    pub no_of_retry_attempts: Option<i64>,
    /// Identifier sources to add to events (`Instore`, `WebEngage`, `WeChat`).
    #[serde(default, deserialize_with = "lenient::strings")]
    pub customer_identifiers_to_be_enriched: Vec<String>,
    /// Add till details to `enteredBy`/`addedBy`.
    #[serde(
        default,
        deserialize_with = "lenient::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub till_details_enrichment_enabled: Option<bool>,
    /// Add store details to `enteredBy`/`addedBy`.
    #[serde(
        default,
        deserialize_with = "lenient::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub store_details_enrichment_enabled: Option<bool>,
    /// Add the points-award reference ("Awarded Reference ID").
    #[serde(
        default,
        deserialize_with = "lenient::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub awarded_reference_enrichment_enabled: Option<bool>,
    /// Add `AvailablePointsBalance` to pointsIssued / pointsRedeemed.
    #[serde(
        default,
        deserialize_with = "lenient::boolean",
        skip_serializing_if = "Option::is_none"
    )]
    pub available_points_balance_enrichment_enabled: Option<bool>,
    /// A Neo dataflow every event passes through before delivery.
    #[serde(
        default,
        deserialize_with = "lenient::object",
        skip_serializing_if = "Option::is_none"
    )]
    pub neo_enrichment: Option<NeoEnrichment>,
}

/// A Neo dataflow used for payload enrichment (`neoEnrichment`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct NeoEnrichment {
    /// The dataflow's display name.
    #[serde(default, deserialize_with = "text")]
    pub label: String,
    /// The dataflow's identifier.
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

impl NeoEnrichment {
    /// A dataflow by label and identifier.
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            value: value.into(),
        }
    }
}

impl WebhookConfig {
    /// An active `HTTP` `POST` webhook with no headers, 10 connections and no enrichment.
    pub fn new(
        name: impl Into<String>,
        url: impl Into<String>,
        events: impl IntoIterator<Item = EventName>,
    ) -> Self {
        let mut webhook = Self {
            id: None,
            consumer_group_id: None,
            name: name.into(),
            web_hook_url: url.into(),
            web_hook_type: WebhookType::Http,
            method_type: MethodType::Post,
            headers: WebhookHeaders::new(),
            event_names: Vec::new(),
            active: true,
            max_allowed_connections: 10,
            sla_in_seconds: None,
            no_of_retry_attempts: None,
            customer_identifiers_to_be_enriched: Vec::new(),
            till_details_enrichment_enabled: None,
            store_details_enrichment_enabled: None,
            awarded_reference_enrichment_enabled: None,
            available_points_balance_enrichment_enabled: None,
            neo_enrichment: None,
        };
        webhook.subscribe_to(events);
        webhook
    }

    /// Sets header `name` (replacing one of the same name in any case).
    pub fn with_header(mut self, name: &str, value: impl Into<SecretString>) -> Self {
        self.headers.set(name, value);
        self
    }

    /// Sets whether the webhook is active.
    pub fn with_active(mut self, active: bool) -> Self {
        self.active = active;
        self
    }

    /// Sets the connection limit.
    pub fn with_max_allowed_connections(mut self, connections: u32) -> Self {
        self.max_allowed_connections = connections;
        self
    }

    /// Adds identifier sources to enrich (`Instore`, `WebEngage`, `WeChat`).
    pub fn with_identifier_enrichment<S: Into<String>>(
        mut self,
        sources: impl IntoIterator<Item = S>,
    ) -> Self {
        for source in sources {
            let source = source.into();
            if !self.customer_identifiers_to_be_enriched.contains(&source) {
                self.customer_identifiers_to_be_enriched.push(source);
            }
        }
        self
    }

    /// Adds the events not subscribed yet and returns how many were added.
    pub fn subscribe_to(&mut self, events: impl IntoIterator<Item = EventName>) -> usize {
        let before = self.event_names.len();
        for event in events {
            if !self.event_names.contains(&event) {
                self.event_names.push(event);
            }
        }
        self.event_names.len() - before
    }

    /// Removes these events from the subscription and returns how many were removed.
    pub fn unsubscribe_from(&mut self, events: impl IntoIterator<Item = EventName>) -> usize {
        let before = self.event_names.len();
        for event in events {
            self.event_names.retain(|subscribed| *subscribed != event);
        }
        before - self.event_names.len()
    }
}

fn yes() -> bool {
    true
}

fn ten() -> u32 {
    10
}

fn text<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    Ok(lenient::string(deserializer)?.unwrap_or_default())
}

fn flag_or_true<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    Ok(lenient::boolean(deserializer)?.unwrap_or(true))
}

fn connections<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    Ok(lenient::int(deserializer)?
        .and_then(|count| u32::try_from(count).ok())
        .unwrap_or(10))
}
