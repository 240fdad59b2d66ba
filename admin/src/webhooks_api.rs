//! The webhook configuration calls: `/v3/webHooks`.

use capillary_ens_schemas::EventName;
use reqwest::Method;
use serde_json::Value;

use crate::send::{Call, data_of};
use crate::{Client, Error, WebhookConfig};

const WEBHOOKS: &str = "webHooks";

impl Client {
    /// Creates a webhook (`POST /v3/webHooks`) and returns it with its server-assigned `id`
    /// and `consumer_group_id`. Not retried on 5xx, so it never creates twice.
    pub async fn create_webhook(&self, webhook: &WebhookConfig) -> Result<WebhookConfig, Error> {
        let call = Call::new(Method::POST, &["v3", WEBHOOKS]).json(webhook)?;
        let answer = self.send(call).await?;
        let data = data_of(answer.status, &answer.body)?;
        Ok(merge_answer(webhook, None, data))
    }

    /// Lists the org's webhooks (`GET /v3/webHooks`).
    ///
    /// Assumption: the list is the answer's `data` (or the answer itself) as an array, or an
    /// object holding it under `webHooks`/`webhooks`/`content`. Entries that are not objects
    /// are skipped.
    pub async fn list_webhooks(&self) -> Result<Vec<WebhookConfig>, Error> {
        let answer = self.send(Call::new(Method::GET, &["v3", WEBHOOKS])).await?;
        let items = match data_of(answer.status, &answer.body)? {
            Value::Array(items) => items,
            Value::Object(mut object) => ["webHooks", "webhooks", "content", "items"]
                .iter()
                .find_map(|key| match object.remove(*key) {
                    Some(Value::Array(items)) => Some(items),
                    _ => None,
                })
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        Ok(items
            .into_iter()
            .filter(Value::is_object)
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect())
    }

    /// The webhook with this id.
    ///
    /// The API documents no single-webhook `GET`, so this lists the webhooks and picks the
    /// one; [`Error::NotFound`] when there is none.
    pub async fn get_webhook(&self, webhook_id: &str) -> Result<WebhookConfig, Error> {
        self.list_webhooks()
            .await?
            .into_iter()
            .find(|webhook| webhook.id.as_deref() == Some(webhook_id))
            .ok_or_else(|| Error::NotFound {
                what: format!("webhook {webhook_id}"),
            })
    }

    /// Replaces the webhook's configuration (`PUT /v3/webHooks/{webHookId}`) and returns it.
    ///
    /// Capillary does not let a webhook's name change; send the name it has.
    pub async fn update_webhook(
        &self,
        webhook_id: &str,
        webhook: &WebhookConfig,
    ) -> Result<WebhookConfig, Error> {
        let segments = ["v3", WEBHOOKS, webhook_id];
        let call = Call::new(Method::PUT, &segments).json(webhook)?;
        let answer = self.send(call).await?;
        let data = data_of(answer.status, &answer.body)?;
        Ok(merge_answer(webhook, Some(webhook_id), data))
    }

    /// Deletes the webhook (`DELETE /v3/webHooks/{webHookId}`).
    pub async fn delete_webhook(&self, webhook_id: &str) -> Result<(), Error> {
        let segments = ["v3", WEBHOOKS, webhook_id];
        self.send(Call::new(Method::DELETE, &segments))
            .await
            .map(drop)
    }

    /// Adds `events` to the webhook's subscription: reads the webhook, adds the names it does
    /// not have yet, and updates it. Returns the webhook as it now is; makes no update when
    /// every event was subscribed already.
    ///
    /// Read-modify-write: an edit made by someone else between the read and the update is
    /// overwritten.
    pub async fn subscribe(
        &self,
        webhook_id: &str,
        events: impl IntoIterator<Item = EventName>,
    ) -> Result<WebhookConfig, Error> {
        let mut webhook = self.get_webhook(webhook_id).await?;
        if webhook.subscribe_to(events) == 0 {
            return Ok(webhook);
        }
        self.update_webhook(webhook_id, &webhook).await
    }

    /// Removes `events` from the webhook's subscription, like [`subscribe`](Self::subscribe).
    /// Capillary requires at least one event: removing the last one is refused by the API.
    pub async fn unsubscribe(
        &self,
        webhook_id: &str,
        events: impl IntoIterator<Item = EventName>,
    ) -> Result<WebhookConfig, Error> {
        let mut webhook = self.get_webhook(webhook_id).await?;
        if webhook.unsubscribe_from(events) == 0 {
            return Ok(webhook);
        }
        self.update_webhook(webhook_id, &webhook).await
    }
}

/// The webhook as the API answered it; when the answer is not a whole webhook (e.g. only
/// `{"webHookId": …}`), what was sent plus the ids the answer holds.
fn merge_answer(sent: &WebhookConfig, id: Option<&str>, data: Value) -> WebhookConfig {
    let answered: Option<WebhookConfig> = data
        .is_object()
        .then(|| serde_json::from_value(data).ok())
        .flatten();
    match answered {
        Some(mut answered) if !answered.name.is_empty() => {
            if answered.id.is_none() {
                answered.id = id.map(str::to_owned).or_else(|| sent.id.clone());
            }
            answered
        }
        other => {
            let mut merged = sent.clone();
            let (answered_id, group) = other
                .map(|answered| (answered.id, answered.consumer_group_id))
                .unwrap_or_default();
            merged.id = answered_id.or_else(|| id.map(str::to_owned)).or(merged.id);
            merged.consumer_group_id = group.or(merged.consumer_group_id);
            merged
        }
    }
}
