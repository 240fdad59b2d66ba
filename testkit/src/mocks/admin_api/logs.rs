//! The delivery-log and metrics calls, answered from the seeded logs.

use std::cmp::Ordering;

use serde_json::{Map, Value, json};
use wiremock::{Request, ResponseTemplate};

use super::answers::{error, wrapped};
use super::state::State;

/// The fields the older event-log APIs document.
const EVENT_LOG_FIELDS: [&str; 10] = [
    "refId",
    "requestId",
    "eventName",
    "eventId",
    "consumerGroupId",
    "eventIngestionTimestamp",
    "eventStartTimestamp",
    "eventEndTimestamp",
    "slaBreachTimestamp",
    "consumerResponse",
];

const MAX_PAGE_SIZE: u64 = 100;

pub(super) fn by_event_id(state: &State, event_id: &str) -> ResponseTemplate {
    match state
        .logs
        .iter()
        .find(|log| text(log, "eventId") == Some(event_id))
    {
        Some(log) => ResponseTemplate::new(200).set_body_json(event_log(log)),
        None => error(404, 8104, "No event log found for the event id"),
    }
}

pub(super) fn by_field(state: &State, field: &str, value: &str) -> ResponseTemplate {
    let logs: Vec<Value> = state
        .logs
        .iter()
        .filter(|log| text(log, field) == Some(value))
        .map(event_log)
        .collect();
    wrapped(Value::Array(logs))
}

pub(super) fn page(state: &State, group: &str, request: &Request) -> ResponseTemplate {
    if !state.knows_consumer_group(group) {
        return error(404, 8204, "Consumer group not found");
    }
    let query = Query::of(request);
    let page = match query.number("page", 0) {
        Ok(page) => page,
        Err(response) => return *response,
    };
    let size = match query.number("size", 20) {
        Ok(size) if (1..=MAX_PAGE_SIZE).contains(&size) => size,
        Ok(_) => return error(400, 8201, "size must be between 1 and 100"),
        Err(response) => return *response,
    };
    let mut logs: Vec<&Value> = state
        .logs
        .iter()
        .filter(|log| text(log, "consumerGroupId") == Some(group))
        .filter(|log| query.matches(log, "eventType", "eventName"))
        .filter(|log| query.matches(log, "eventSearchKey", "eventSearchKey"))
        .filter(|log| query.matches(log, "requestId", "requestId"))
        .collect();
    match query.get("sortBy") {
        None => logs.sort_by(|a, b| compare(b, a, "createdAt")),
        Some(sort) => {
            let (field, direction) = sort.split_once(':').unwrap_or((sort, "asc"));
            let field = match field {
                "webhookDuration" => "webhookDuration",
                "eventType" => "eventName",
                _ => return error(400, 8202, "sortBy must be webhookDuration or eventType"),
            };
            match direction {
                "desc" => logs.sort_by(|a, b| compare(b, a, field)),
                "asc" => logs.sort_by(|a, b| compare(a, b, field)),
                _ => return error(400, 8203, "sort direction must be asc or desc"),
            }
        }
    }
    let total = logs.len() as u64;
    let content: Vec<Value> = logs
        .into_iter()
        .skip(usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX))
        .take(size as usize)
        .cloned()
        .collect();
    wrapped(json!({
        "content": content,
        "page": page,
        "size": size,
        "totalElements": total,
        "totalPages": total.div_ceil(size),
    }))
}

pub(super) fn metrics(state: &State, group: &str, request: &Request) -> ResponseTemplate {
    if !state.knows_consumer_group(group) {
        return error(404, 8204, "Consumer group not found");
    }
    let query = Query::of(request);
    let start = match query.number("startDate", 0) {
        Ok(start) => start,
        Err(response) => return *response,
    };
    let end = match query.number("endDate", u64::MAX) {
        Ok(end) => end,
        Err(response) => return *response,
    };
    let logs: Vec<&Value> = state
        .logs
        .iter()
        .filter(|log| text(log, "consumerGroupId") == Some(group))
        .filter(|log| {
            log.get("createdAt")
                .and_then(Value::as_u64)
                .is_some_and(|at| (start..=end).contains(&at))
        })
        .collect();
    let count = |status: &str| {
        logs.iter()
            .filter(|log| text(log, "status").is_some_and(|s| s.eq_ignore_ascii_case(status)))
            .count()
    };
    let durations: Vec<f64> = logs
        .iter()
        .filter(|log| text(log, "status").is_some_and(|s| s.eq_ignore_ascii_case("DELIVERED")))
        .filter_map(|log| log.get("webhookDuration").and_then(Value::as_f64))
        .collect();
    let average = if durations.is_empty() {
        Value::Null
    } else {
        json!(durations.iter().sum::<f64>() / durations.len() as f64)
    };
    wrapped(json!({
        "totalEvents": logs.len(),
        "deliveredEvents": count("DELIVERED"),
        "failedEvents": count("FAILED"),
        "retryingEvents": count("RETRYING"),
        "pendingEvents": count("PENDING"),
        "averageDeliveryTime": average,
        "startDate": query.get("startDate").and_then(|value| value.parse::<u64>().ok()),
        "endDate": query.get("endDate").and_then(|value| value.parse::<u64>().ok()),
    }))
}

/// The older APIs' view of a log: the documented fields only.
fn event_log(log: &Value) -> Value {
    let mut view = Map::new();
    for field in EVENT_LOG_FIELDS {
        view.insert(
            field.to_owned(),
            log.get(field).cloned().unwrap_or(Value::Null),
        );
    }
    Value::Object(view)
}

fn text<'a>(log: &'a Value, field: &str) -> Option<&'a str> {
    log.get(field).and_then(Value::as_str)
}

fn compare(a: &Value, b: &Value, field: &str) -> Ordering {
    match (a.get(field), b.get(field)) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Some(Value::String(x)), Some(Value::String(y))) => x.cmp(y),
        (Some(_), None) => Ordering::Greater,
        (None, Some(_)) => Ordering::Less,
        _ => Ordering::Equal,
    }
}

struct Query(Vec<(String, String)>);

impl Query {
    fn of(request: &Request) -> Self {
        Self(
            request
                .url
                .query_pairs()
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect(),
        )
    }

    fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    /// A non-negative integer parameter, or the 400 answer to give.
    fn number(&self, name: &str, default: u64) -> Result<u64, Box<ResponseTemplate>> {
        match self.get(name) {
            None => Ok(default),
            Some(value) => value.parse().map_err(|_| {
                Box::new(error(
                    400,
                    8200,
                    &format!("{name} must be a non-negative integer"),
                ))
            }),
        }
    }

    /// Whether `log[field]` equals the query parameter `name`, when the query has it.
    fn matches(&self, log: &Value, name: &str, field: &str) -> bool {
        match self.get(name) {
            None => true,
            Some(wanted) => {
                text(log, field).is_some_and(|value| value.eq_ignore_ascii_case(wanted))
            }
        }
    }
}
