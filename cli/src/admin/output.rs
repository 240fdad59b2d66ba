//! Printing results: aligned tables for people, JSON for scripts. Header values are never
//! printed, only header names.

use std::fmt::Write as _;
use std::io;

use capillary_ens_admin::{DeliveryRecord, WebhookConfig};
use serde::Serialize;
use serde_json::{Value, json};

use crate::output::write_stdout;

/// Writes `value` as one line of JSON to stdout.
pub(crate) fn json(value: &impl Serialize) -> io::Result<()> {
    let mut line = serde_json::to_vec(value)?;
    line.push(b'\n');
    write_stdout(&line);
    Ok(())
}

/// Writes a table with a header row, columns padded to the widest cell.
pub(crate) fn table(headers: &[&str], rows: &[Vec<String>]) -> io::Result<()> {
    let mut widths: Vec<usize> = headers.iter().map(|header| header.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(cell, width)| format!("{cell:<width$}"))
            .collect();
        let _ = writeln!(out, "{}", padded.join("  ").trim_end());
    };
    line(headers.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
    write_stdout(out.as_bytes());
    Ok(())
}

/// Writes `key: value` lines, keys aligned.
pub(crate) fn fields(pairs: &[(&str, String)]) -> io::Result<()> {
    let width = pairs.iter().map(|(key, _)| key.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (key, value) in pairs {
        let _ = writeln!(out, "{key:<width$}  {value}");
    }
    write_stdout(out.as_bytes());
    Ok(())
}

/// A webhook as JSON, with header names instead of header values.
pub(crate) fn webhook_json(webhook: &WebhookConfig) -> Value {
    json!({
        "webHookId": webhook.id,
        "name": webhook.name,
        "webHookUrl": webhook.web_hook_url,
        "webHookType": webhook.web_hook_type.as_str(),
        "methodType": webhook.method_type.as_str(),
        "active": webhook.active,
        "eventNames": webhook.event_names,
        "maxAllowedConnections": webhook.max_allowed_connections,
        "consumerGroupId": webhook.consumer_group_id,
        "headerNames": webhook.headers.names().collect::<Vec<_>>(),
        "customerIdentifiersToBeEnriched": webhook.customer_identifiers_to_be_enriched,
    })
}

/// Prints webhooks in `format`.
pub(crate) fn webhooks(webhooks: &[WebhookConfig], as_json: bool) -> io::Result<()> {
    if as_json {
        return json(&webhooks.iter().map(webhook_json).collect::<Vec<_>>());
    }
    let rows: Vec<Vec<String>> = webhooks
        .iter()
        .map(|webhook| {
            vec![
                webhook.id.clone().unwrap_or_default(),
                webhook.name.clone(),
                if webhook.active { "yes" } else { "no" }.to_owned(),
                webhook.event_names.len().to_string(),
                webhook.web_hook_url.clone(),
                webhook.consumer_group_id.clone().unwrap_or_default(),
            ]
        })
        .collect();
    table(
        &["ID", "NAME", "ACTIVE", "EVENTS", "URL", "CONSUMER GROUP"],
        &rows,
    )
}

/// Prints one webhook in detail.
pub(crate) fn webhook(webhook: &WebhookConfig, as_json: bool) -> io::Result<()> {
    if as_json {
        return json(&webhook_json(webhook));
    }
    let events: Vec<&str> = webhook.event_names.iter().map(|e| e.as_str()).collect();
    let headers: Vec<&str> = webhook.headers.names().collect();
    fields(&[
        ("id", webhook.id.clone().unwrap_or_default()),
        ("name", webhook.name.clone()),
        ("url", webhook.web_hook_url.clone()),
        ("type", webhook.web_hook_type.to_string()),
        ("method", webhook.method_type.to_string()),
        ("active", webhook.active.to_string()),
        ("connections", webhook.max_allowed_connections.to_string()),
        (
            "consumer group",
            webhook.consumer_group_id.clone().unwrap_or_default(),
        ),
        ("events", events.join(", ")),
        ("headers", format!("{} (values hidden)", headers.join(", "))),
    ])
}

/// Prints delivery logs as a table.
pub(crate) fn log_table(logs: &[DeliveryRecord]) -> io::Result<()> {
    table(
        &["EVENT ID", "EVENT", "STATUS", "MS", "REQUEST ID", "AT"],
        &log_rows(logs),
    )
}

/// The table rows of delivery logs.
pub(crate) fn log_rows(logs: &[DeliveryRecord]) -> Vec<Vec<String>> {
    let rows: Vec<Vec<String>> = logs
        .iter()
        .map(|log| {
            let or_dash = |value: Option<String>| value.unwrap_or_else(|| "-".to_owned());
            vec![
                or_dash(log.event_id.clone()),
                or_dash(log.event_name.as_ref().map(|name| name.as_str().to_owned())),
                or_dash(log.status.as_ref().map(ToString::to_string).or_else(|| {
                    log.consumer_response
                        .as_ref()
                        .and_then(|response| response.webhook_http_status)
                        .map(|status| format!("HTTP {status}"))
                })),
                or_dash(
                    log.webhook_duration_ms
                        .or_else(|| log.consumer_response.as_ref().and_then(|r| r.time_taken))
                        .map(|ms| ms.to_string()),
                ),
                or_dash(log.request_id.clone()),
                or_dash(
                    log.event_ingestion_timestamp
                        .clone()
                        .or_else(|| log.created_at.map(|ms| ms.to_string())),
                ),
            ]
        })
        .collect();
    rows
}
