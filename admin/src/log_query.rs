//! [`LogQuery`] and [`LogPage`]: filters and pages of the consumer-group log API.

use capillary_ens_schemas::EventName;
use serde_json::Value;

use crate::DeliveryRecord;
use crate::lenient;

/// Filters, sort and page of `GET /v3/events/consumer-groups/{consumerGroupId}/logs`.
///
/// Assumption: pages are numbered from 0 (`page`) with `size` entries each (default 20),
/// as Capillary's Spring-based v3 APIs do; the docs name the filters but not the page
/// parameters.
///
/// ```
/// use capillary_ens_admin::{LogQuery, LogSort};
/// use capillary_ens_schemas::EventName;
///
/// let query = LogQuery::new()
///     .event_type(EventName::PointsIssued)
///     .event_search_key("564937812")
///     .sort(LogSort::WebhookDurationDesc)
///     .size(50);
/// assert_eq!(query.current_page(), 0);
/// assert!(query.pairs().contains(&("sortBy", "webhookDuration:desc".to_owned())));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use]
pub struct LogQuery {
    event_type: Option<EventName>,
    event_search_key: Option<String>,
    request_id: Option<String>,
    sort: Option<LogSort>,
    page: u32,
    size: u32,
}

impl Default for LogQuery {
    fn default() -> Self {
        Self {
            event_type: None,
            event_search_key: None,
            request_id: None,
            sort: None,
            page: 0,
            size: 20,
        }
    }
}

impl LogQuery {
    /// The first page of 20 entries, unfiltered.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only events of this type (`eventType`).
    pub fn event_type(mut self, event: EventName) -> Self {
        self.event_type = Some(event);
        self
    }

    /// Only events whose primary identifier (e.g. the customer id) is `key` (`eventSearchKey`).
    pub fn event_search_key(mut self, key: impl Into<String>) -> Self {
        self.event_search_key = Some(key.into());
        self
    }

    /// Only events caused by this API request (`requestId`).
    pub fn request_id(mut self, request_id: impl Into<String>) -> Self {
        self.request_id = Some(request_id.into());
        self
    }

    /// Sorts the entries (`sortBy`).
    pub fn sort(mut self, sort: LogSort) -> Self {
        self.sort = Some(sort);
        self
    }

    /// Asks for page `page` (from 0).
    pub fn page(mut self, page: u32) -> Self {
        self.page = page;
        self
    }

    /// Asks for `size` entries per page (at least 1).
    pub fn size(mut self, size: u32) -> Self {
        self.size = size.max(1);
        self
    }

    /// The page asked for.
    pub fn current_page(&self) -> u32 {
        self.page
    }

    /// The page size asked for.
    pub fn page_size(&self) -> u32 {
        self.size
    }

    /// The query parameters, in the API's names.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut pairs = vec![
            ("page", self.page.to_string()),
            ("size", self.size.to_string()),
        ];
        if let Some(event) = &self.event_type {
            pairs.push(("eventType", event.as_str().to_owned()));
        }
        if let Some(key) = &self.event_search_key {
            pairs.push(("eventSearchKey", key.clone()));
        }
        if let Some(request_id) = &self.request_id {
            pairs.push(("requestId", request_id.clone()));
        }
        if let Some(sort) = &self.sort {
            pairs.push(("sortBy", sort.as_str().to_owned()));
        }
        pairs
    }
}

/// How the consumer-group log API sorts entries (`sortBy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LogSort {
    /// `webhookDuration:desc`: slowest deliveries first.
    WebhookDurationDesc,
    /// `eventType:desc`: by event type, descending.
    EventTypeDesc,
}

impl LogSort {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::WebhookDurationDesc => "webhookDuration:desc",
            Self::EventTypeDesc => "eventType:desc",
        }
    }
}

/// One page of consumer-group log entries.
///
/// Assumption: the page arrives as `{"data": {"content": […], "page": 0, "size": 20,
/// "totalElements": 57, "totalPages": 3}, …}`; `items`, `logs` or a bare array are read too,
/// and a page without totals is the last one when it is not full.
#[derive(Clone, Debug, PartialEq, Default)]
#[non_exhaustive]
pub struct LogPage {
    /// The entries of this page.
    pub entries: Vec<DeliveryRecord>,
    /// This page's number (from 0).
    pub page: u32,
    /// The page size.
    pub size: u32,
    /// How many entries match in all, if the API said.
    pub total_elements: Option<u64>,
    /// How many pages there are, if the API said.
    pub total_pages: Option<u32>,
}

impl LogPage {
    /// Whether another page follows this one.
    pub fn has_next(&self) -> bool {
        if self.entries.is_empty() {
            return false;
        }
        if let Some(pages) = self.total_pages {
            return self.page.saturating_add(1) < pages;
        }
        if let Some(total) = self.total_elements {
            return (u64::from(self.page) + 1) * u64::from(self.size.max(1)) < total;
        }
        self.entries.len() >= self.size as usize
    }

    /// Reads a page from the answer's data; `asked` fills in what the answer leaves out.
    pub(crate) fn from_data(data: Value, asked: &LogQuery) -> Self {
        let (items, meta) = match data {
            Value::Array(items) => (items, serde_json::Map::new()),
            Value::Object(mut object) => {
                let items = ["content", "items", "logs", "events", "data"]
                    .iter()
                    .find_map(|key| match object.remove(*key) {
                        Some(Value::Array(items)) => Some(items),
                        _ => None,
                    })
                    .unwrap_or_default();
                let meta = match object.remove("pagination") {
                    Some(Value::Object(pagination)) => pagination,
                    _ => object,
                };
                (items, meta)
            }
            _ => (Vec::new(), serde_json::Map::new()),
        };
        let number = |keys: &[&str]| {
            keys.iter()
                .find_map(|key| meta.get(*key).and_then(lenient::as_int))
                .filter(|value| *value >= 0)
        };
        Self {
            entries: items
                .into_iter()
                .filter_map(|item| serde_json::from_value(item).ok())
                .collect(),
            page: number(&["page", "number", "pageNumber"])
                .and_then(|page| u32::try_from(page).ok())
                .unwrap_or(asked.page),
            size: number(&["size", "pageSize", "limit"])
                .and_then(|size| u32::try_from(size).ok())
                .filter(|size| *size > 0)
                .unwrap_or(asked.size),
            total_elements: number(&["totalElements", "total", "totalCount"])
                .and_then(|total| u64::try_from(total).ok()),
            total_pages: number(&["totalPages"]).and_then(|pages| u32::try_from(pages).ok()),
        }
    }
}
