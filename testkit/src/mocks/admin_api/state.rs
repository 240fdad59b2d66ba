//! What the mock remembers: accepted credentials, webhooks, delivery logs, injected failures.

use serde_json::{Map, Value, json};

#[derive(Debug)]
pub(super) struct State {
    pub(super) accepted_authorization: Vec<String>,
    pub(super) webhooks: Vec<Value>,
    pub(super) logs: Vec<Value>,
    pub(super) created: u64,
    pub(super) seeded_logs: u64,
    pub(super) rate_limited: u32,
    pub(super) retry_after_seconds: u64,
    pub(super) failing: u32,
    pub(super) failure_status: u16,
}

impl State {
    pub(super) fn new(user: &str, password: &str, token: Option<&str>) -> Self {
        // The receiver's Basic encoding, written once.
        let mut accepted_authorization: Vec<String> =
            capillary_ens_receiver::StaticHeaders::basic(user, password)
                .first_values()
                .map(|(_, value)| String::from_utf8_lossy(value.expose()).into_owned())
                .collect();
        if let Some(token) = token {
            accepted_authorization.push(format!("Bearer {token}"));
        }
        Self {
            accepted_authorization,
            webhooks: Vec::new(),
            logs: Vec::new(),
            created: 0,
            seeded_logs: 0,
            rate_limited: 0,
            retry_after_seconds: 1,
            failing: 0,
            failure_status: 503,
        }
    }

    pub(super) fn webhook(&self, id: &str) -> Option<&Value> {
        self.webhooks
            .iter()
            .find(|webhook| id_of(webhook) == Some(id))
    }

    pub(super) fn webhook_mut(&mut self, id: &str) -> Option<&mut Value> {
        self.webhooks
            .iter_mut()
            .find(|webhook| id_of(webhook) == Some(id))
    }

    /// Stores `webhook` with ids and defaults filled in; returns its id.
    pub(super) fn insert_webhook(&mut self, webhook: Value) -> String {
        let mut object = match webhook {
            Value::Object(object) => object,
            _ => Map::new(),
        };
        self.created += 1;
        let number = self.created;
        let id = match object.get("webHookId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => format!(
                "{:024x}",
                0x6925_4f46_749e_644b_c013_28c0_u128 + u128::from(number)
            ),
        };
        object.insert("webHookId".into(), Value::from(id.clone()));
        if !object.contains_key("consumerGroupId") {
            object.insert(
                "consumerGroupId".into(),
                Value::from(format!("5c0a7e1d-0e25-4b6f-9a0c-{number:012x}")),
            );
        }
        let defaults = [
            ("webHookType", json!("HTTP")),
            ("methodType", json!("POST")),
            ("webHookHeaders", json!({})),
            ("eventNames", json!([])),
            ("active", json!(true)),
            ("maxAllowedConnections", json!(10)),
            ("customerIdentifiersToBeEnriched", json!([])),
            ("noOfRetryAttempts", json!(0)),
        ];
        for (key, value) in defaults {
            object.entry(key).or_insert(value);
        }
        self.webhooks.push(Value::Object(object));
        id
    }

    /// Stores a delivery log with `eventId` and `createdAt` filled in; returns the event id.
    pub(super) fn insert_log(&mut self, log: Value) -> String {
        let mut object = match log {
            Value::Object(object) => object,
            _ => Map::new(),
        };
        self.seeded_logs += 1;
        let number = self.seeded_logs;
        let event_id = match object.get("eventId").and_then(Value::as_str) {
            Some(id) => id.to_owned(),
            None => format!("0b7d7c8e-7f1d-4c55-9a51-{number:012x}"),
        };
        object.insert("eventId".into(), Value::from(event_id.clone()));
        object
            .entry("createdAt")
            .or_insert_with(|| Value::from(1_761_393_961_170_i64 + 1_000 * number as i64));
        self.logs.push(Value::Object(object));
        event_id
    }

    /// Whether a consumer group is known: a webhook has it or a log mentions it.
    pub(super) fn knows_consumer_group(&self, group: &str) -> bool {
        self.webhooks
            .iter()
            .chain(self.logs.iter())
            .any(|item| item.get("consumerGroupId").and_then(Value::as_str) == Some(group))
    }
}

pub(super) fn id_of(webhook: &Value) -> Option<&str> {
    webhook.get("webHookId").and_then(Value::as_str)
}
