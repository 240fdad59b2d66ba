//! `/v3/webHooks`: create, list, update, delete.

use capillary_ens_schemas::EventName;
use serde_json::{Map, Value};
use wiremock::{Request, ResponseTemplate};

use super::answers::{error, errors, wrapped};
use super::state::{State, id_of};

/// The fields the create call requires, and the JSON type each must have.
const MANDATORY: [(&str, Kind); 9] = [
    ("active", Kind::Bool),
    ("customerIdentifiersToBeEnriched", Kind::Array),
    ("eventNames", Kind::Array),
    ("maxAllowedConnections", Kind::Integer),
    ("methodType", Kind::String),
    ("name", Kind::String),
    ("webHookHeaders", Kind::Object),
    ("webHookType", Kind::String),
    ("webHookUrl", Kind::String),
];

/// Fields the server assigns; a client may send them, they are not taken from the body.
const SERVER_FIELDS: [&str; 2] = ["webHookId", "consumerGroupId"];

#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Array,
    Integer,
    String,
    Object,
}

impl Kind {
    fn matches(self, value: &Value) -> bool {
        match self {
            Self::Bool => value.is_boolean(),
            Self::Array => value.is_array(),
            Self::Integer => value.is_i64() || value.is_u64(),
            Self::String => value.as_str().is_some_and(|text| !text.trim().is_empty()),
            Self::Object => value.is_object(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Bool => "a boolean",
            Self::Array => "an array",
            Self::Integer => "an integer",
            Self::String => "a non-empty string",
            Self::Object => "an object",
        }
    }
}

pub(super) fn list(state: &State) -> ResponseTemplate {
    wrapped(Value::Array(state.webhooks.clone()))
}

pub(super) fn create(state: &mut State, request: &Request) -> ResponseTemplate {
    let Some(mut body) = json_object(request) else {
        return error(400, 400, "Request body must be a JSON object");
    };
    let mut problems: Vec<(u32, String)> = MANDATORY
        .iter()
        .filter(|(field, kind)| !body.get(*field).is_some_and(|value| kind.matches(value)))
        .map(|(field, kind)| {
            (
                8001,
                format!("{field} is mandatory and must be {}", kind.describe()),
            )
        })
        .collect();
    problems.extend(check_values(&body));
    if !problems.is_empty() {
        return errors(400, problems);
    }
    let name = body.get("name").and_then(Value::as_str).unwrap_or_default();
    if state
        .webhooks
        .iter()
        .any(|webhook| webhook.get("name").and_then(Value::as_str) == Some(name))
    {
        return error(409, 8009, "Webhook with the same name already exists");
    }
    for field in SERVER_FIELDS {
        body.remove(field);
    }
    let id = state.insert_webhook(Value::Object(body));
    match state.webhook(&id) {
        Some(webhook) => ResponseTemplate::new(200).set_body_json(webhook),
        None => error(500, 5000, "Internal server error"),
    }
}

pub(super) fn update(state: &mut State, id: &str, request: &Request) -> ResponseTemplate {
    let Some(mut body) = json_object(request) else {
        return error(400, 400, "Request body must be a JSON object");
    };
    let Some(webhook) = state.webhook_mut(id) else {
        return error(404, 8004, "Webhook not found");
    };
    let mut problems: Vec<(u32, String)> = MANDATORY
        .iter()
        .filter(|(field, kind)| body.get(*field).is_some_and(|value| !kind.matches(value)))
        .map(|(field, kind)| (8001, format!("{field} must be {}", kind.describe())))
        .collect();
    problems.extend(check_values(&body));
    let current_name = webhook.get("name").cloned();
    if body
        .get("name")
        .is_some_and(|name| Some(name) != current_name.as_ref())
    {
        problems.push((8010, "Webhook name cannot be changed".to_owned()));
    }
    if !problems.is_empty() {
        return errors(400, problems);
    }
    for field in SERVER_FIELDS {
        body.remove(field);
    }
    if let Value::Object(stored) = webhook {
        for (key, value) in body {
            stored.insert(key, value);
        }
    }
    ResponseTemplate::new(200).set_body_json(&*webhook)
}

pub(super) fn delete(state: &mut State, id: &str) -> ResponseTemplate {
    let before = state.webhooks.len();
    state.webhooks.retain(|webhook| id_of(webhook) != Some(id));
    if state.webhooks.len() == before {
        return error(404, 8004, "Webhook not found");
    }
    wrapped(Value::Null)
}

fn json_object(request: &Request) -> Option<Map<String, Value>> {
    match serde_json::from_slice(&request.body) {
        Ok(Value::Object(object)) => Some(object),
        _ => None,
    }
}

/// Rules on values that are present: known event names, at least one, at least one
/// connection, string header values.
fn check_values(body: &Map<String, Value>) -> Vec<(u32, String)> {
    let mut problems = Vec::new();
    if let Some(Value::Array(names)) = body.get("eventNames") {
        if names.is_empty() {
            problems.push((8002, "At least one event name is required".to_owned()));
        }
        for name in names {
            match name.as_str() {
                Some(text) if EventName::from_wire(text).is_known() => {}
                _ => problems.push((8003, format!("Invalid event name: {name}"))),
            }
        }
    }
    if let Some(connections) = body.get("maxAllowedConnections").and_then(Value::as_i64)
        && connections < 1
    {
        problems.push((
            8005,
            "Minimum one concurrent connection is required".to_owned(),
        ));
    }
    if let Some(Value::Object(headers)) = body.get("webHookHeaders")
        && headers.values().any(|value| !value.is_string())
    {
        problems.push((8006, "Header values must be strings".to_owned()));
    }
    problems
}
