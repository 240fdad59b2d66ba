//! The delivery-log and metrics calls.

use reqwest::Method;
use serde_json::Value;

use crate::send::{Call, data_of};
use crate::{Client, DeliveryMetrics, DeliveryRecord, Error, LogPage, LogQuery, TimeRange};

impl Client {
    /// The deliveries of one event (`GET /v3/webHooks/eventLog/{eventId}`), one per webhook
    /// that received it.
    pub async fn event_logs(&self, event_id: &str) -> Result<Vec<DeliveryRecord>, Error> {
        self.logs(&["v3", "webHooks", "eventLog", event_id]).await
    }

    /// The deliveries of the events one API request caused
    /// (`GET /v3/webHooks/eventLog/requestId/{requestId}`).
    pub async fn event_logs_by_request_id(
        &self,
        request_id: &str,
    ) -> Result<Vec<DeliveryRecord>, Error> {
        self.logs(&["v3", "webHooks", "eventLog", "requestId", request_id])
            .await
    }

    /// The deliveries of the events with this `refId`
    /// (`GET /v3/webHooks/eventLog/refId/{refId}`).
    pub async fn event_logs_by_ref_id(&self, ref_id: &str) -> Result<Vec<DeliveryRecord>, Error> {
        self.logs(&["v3", "webHooks", "eventLog", "refId", ref_id])
            .await
    }

    /// One page of a webhook's delivery log
    /// (`GET /v3/events/consumer-groups/{consumerGroupId}/logs`).
    pub async fn consumer_group_logs(
        &self,
        consumer_group_id: &str,
        query: &LogQuery,
    ) -> Result<LogPage, Error> {
        let segments = ["v3", "events", "consumer-groups", consumer_group_id, "logs"];
        let mut call = Call::new(Method::GET, &segments);
        for (name, value) in query.pairs() {
            call = call.query(name, value);
        }
        let answer = self.send(call).await?;
        Ok(LogPage::from_data(
            data_of(answer.status, &answer.body)?,
            query,
        ))
    }

    /// Every page of a webhook's delivery log from `query`'s page on, one call per page.
    ///
    /// ```no_run
    /// # async fn example(client: capillary_ens_admin::Client) -> Result<(), capillary_ens_admin::Error> {
    /// use capillary_ens_admin::LogQuery;
    ///
    /// let mut pages = client.consumer_group_log_pages("6f1c…", LogQuery::new().size(100));
    /// while let Some(page) = pages.next().await {
    ///     for entry in page?.entries {
    ///         println!("{:?} {:?}", entry.event_id, entry.status);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn consumer_group_log_pages(&self, consumer_group_id: &str, query: LogQuery) -> LogPages {
        LogPages {
            client: self.clone(),
            consumer_group_id: consumer_group_id.to_owned(),
            next: Some(query),
            pages_read: 0,
        }
    }

    /// Delivery totals of a webhook over `range`
    /// (`GET /v3/events/consumer-groups/{consumerGroupId}/metrics`).
    pub async fn metrics(
        &self,
        consumer_group_id: &str,
        range: TimeRange,
    ) -> Result<DeliveryMetrics, Error> {
        let segments = [
            "v3",
            "events",
            "consumer-groups",
            consumer_group_id,
            "metrics",
        ];
        let mut call = Call::new(Method::GET, &segments);
        if let Some(start) = range.start_ms() {
            call = call.query("startDate", start);
        }
        if let Some(end) = range.end_ms() {
            call = call.query("endDate", end);
        }
        self.fetch(call).await
    }

    /// A log answer as a list: the data may be one log, a list, or an object holding a list.
    async fn logs(&self, segments: &[&str]) -> Result<Vec<DeliveryRecord>, Error> {
        let answer = self.send(Call::new(Method::GET, segments)).await?;
        let items = match data_of(answer.status, &answer.body)? {
            Value::Array(items) => items,
            Value::Object(mut object) => {
                match ["logs", "eventLogs", "content", "items"]
                    .iter()
                    .find_map(|key| match object.remove(*key) {
                        Some(Value::Array(items)) => Some(items),
                        _ => None,
                    }) {
                    Some(items) => items,
                    None => vec![Value::Object(object)],
                }
            }
            _ => Vec::new(),
        };
        Ok(items
            .into_iter()
            .filter(Value::is_object)
            .filter_map(|item| serde_json::from_value(item).ok())
            .collect())
    }
}

/// The pages of a consumer group's delivery log, fetched one at a time
/// (see [`Client::consumer_group_log_pages`]).
#[derive(Debug)]
#[must_use]
pub struct LogPages {
    client: Client,
    consumer_group_id: String,
    next: Option<LogQuery>,
    pages_read: u32,
}

/// Stops a server that always says "there is more" from looping forever.
const MAX_PAGES: u32 = 10_000;

impl LogPages {
    /// The next page, or `None` after the last one. After an error, iteration ends.
    pub async fn next(&mut self) -> Option<Result<LogPage, Error>> {
        let query = self.next.take()?;
        if self.pages_read >= MAX_PAGES {
            return None;
        }
        self.pages_read += 1;
        match self
            .client
            .consumer_group_logs(&self.consumer_group_id, &query)
            .await
        {
            Ok(page) => {
                if page.has_next() {
                    let following = query.current_page().saturating_add(1);
                    self.next = Some(query.page(following));
                }
                Some(Ok(page))
            }
            Err(error) => Some(Err(error)),
        }
    }

    /// Every remaining entry, reading all pages.
    pub async fn collect_entries(mut self) -> Result<Vec<DeliveryRecord>, Error> {
        let mut entries = Vec::new();
        while let Some(page) = self.next().await {
            entries.extend(page?.entries);
        }
        Ok(entries)
    }
}
