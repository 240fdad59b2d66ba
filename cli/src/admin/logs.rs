//! `ens logs <eventId>`, `--request-id`, `--ref-id`, `--consumer-group [filters]`.

use std::collections::HashSet;
use std::time::Duration;

use capillary_ens_admin::{Client, DeliveryRecord, LogQuery, LogSort};
use clap::{Args, ValueEnum};
use serde_json::json;

use super::EXIT_CODES;
use super::connection::ApiArgs;
use super::exit::Failure;
use super::output;
use super::webhooks::event_names;
use crate::output::Ui;

const LOGS_HELP: &str = "\
Examples:
  ens logs 0b7d7c8e-7f1d-4c55-9a51-6f3b2f0f6d21        # one event's deliveries
  ens logs --request-id 5d1c4b0f1d2e4a3b9c8d7e6f5a4b3c2d # events one API call caused
  ens logs --ref-id 50952_312554898
  ens logs --consumer-group 6f1c… --event-type pointsIssued --sort duration --all --format json
  ens logs --consumer-group 6f1c… --follow            # new deliveries as they happen (Ctrl-C stops)
  ens logs --ref-id 50952_312554898 --profile eu-prod

--follow polls every --interval seconds and backs off (doubling, up to a minute) while nothing
new arrives or the API fails; it prints JSON lines with --format json.

Profiles for several clusters or orgs live in $ENS_CONFIG or ~/.config/ens/config.toml:
  default_profile = \"eu-prod\"
  [profiles.eu-prod]
  api_url = \"https://eu.api.capillarytech.com\"
  user = \"api.user\"
  password_env = \"EU_PROD_ENS_PASSWORD\"
Flags and ENS_API_* variables win over the profile.";

/// `ens logs`
#[derive(Debug, Args)]
#[command(after_help = format!("{LOGS_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct LogsArgs {
    /// The event id (`eventId`) whose deliveries to show.
    event_id: Option<String>,
    /// Show the events one API request caused (with --consumer-group: filter its log).
    #[arg(long, value_name = "ID")]
    request_id: Option<String>,
    /// Show the events with this refId.
    #[arg(long, value_name = "REF")]
    ref_id: Option<String>,
    /// Show a webhook's delivery log, by its consumer group id.
    #[arg(long, value_name = "ID")]
    consumer_group: Option<String>,
    /// With --consumer-group: only this event type, e.g. pointsIssued.
    #[arg(long, value_name = "EVENT")]
    event_type: Option<String>,
    /// With --consumer-group: only events whose primary identifier (e.g. customer id) is KEY.
    #[arg(long, value_name = "KEY")]
    search_key: Option<String>,
    /// With --consumer-group: sort order.
    #[arg(long, value_enum)]
    sort: Option<Sort>,
    /// With --consumer-group: the page to show, from 0.
    #[arg(long, default_value_t = 0)]
    page: u32,
    /// With --consumer-group: entries per page (the API allows up to 100).
    #[arg(long, default_value_t = 20)]
    size: u32,
    /// With --consumer-group: read every page from --page on.
    #[arg(long, conflicts_with = "follow")]
    all: bool,
    /// Keep polling and print new entries as they appear, until Ctrl-C.
    #[arg(long)]
    follow: bool,
    /// With --follow: seconds between polls while entries keep coming.
    #[arg(long, value_name = "SECONDS", default_value_t = 5, requires = "follow")]
    interval: u64,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Sort {
    /// Slowest deliveries first (webhookDuration:desc).
    Duration,
    /// By event type, descending (eventType:desc).
    EventType,
}

pub(crate) async fn run(args: LogsArgs, ui: Ui) -> Result<(), Failure> {
    let as_json = ui.json();
    let lookups = [
        args.event_id.is_some(),
        args.request_id.is_some() && args.consumer_group.is_none(),
        args.ref_id.is_some(),
        args.consumer_group.is_some(),
    ];
    if lookups.iter().filter(|given| **given).count() != 1 {
        return Err(Failure::usage(
            "give exactly one of: an event id, --request-id, --ref-id, --consumer-group",
        ));
    }
    let filters_given =
        args.event_type.is_some() || args.search_key.is_some() || args.sort.is_some() || args.all;
    if args.consumer_group.is_none() && filters_given {
        return Err(Failure::usage(
            "--event-type, --search-key, --sort and --all need --consumer-group",
        ));
    }
    let client = args.api.client()?;
    if args.follow {
        let query = consumer_group_query(&args)?;
        return follow(&client, &args, &query, ui).await;
    }

    let Some(group) = &args.consumer_group else {
        let logs = if let Some(event_id) = &args.event_id {
            client.event_logs(event_id).await?
        } else if let Some(request_id) = &args.request_id {
            client.event_logs_by_request_id(request_id).await?
        } else if let Some(ref_id) = &args.ref_id {
            client.event_logs_by_ref_id(ref_id).await?
        } else {
            Vec::new()
        };
        if as_json {
            output::json(&logs)?;
        } else {
            output::log_table(&logs)?;
        }
        return Ok(());
    };

    let query = consumer_group_query(&args)?;
    if args.all {
        let entries = client
            .consumer_group_log_pages(group, query)
            .collect_entries()
            .await?;
        if as_json {
            output::json(&json!({"entries": entries, "count": entries.len()}))?;
        } else {
            output::log_table(&entries)?;
        }
    } else {
        let page = client.consumer_group_logs(group, &query).await?;
        if as_json {
            output::json(&json!({
                "entries": page.entries,
                "page": page.page,
                "size": page.size,
                "totalElements": page.total_elements,
                "totalPages": page.total_pages,
                "hasNext": page.has_next(),
            }))?;
        } else {
            output::log_table(&page.entries)?;
            let total = page
                .total_pages
                .map(|pages| format!(" of {pages}"))
                .unwrap_or_default();
            note!(
                "page {}{total}{}",
                page.page,
                if page.has_next() {
                    " (more: --page N or --all)"
                } else {
                    ""
                }
            );
        }
    }
    Ok(())
}

fn consumer_group_query(args: &LogsArgs) -> Result<LogQuery, Failure> {
    let mut query = LogQuery::new().page(args.page).size(args.size);
    if let Some(event_type) = &args.event_type {
        let mut names = event_names(std::slice::from_ref(event_type))?;
        if let Some(name) = names.pop() {
            query = query.event_type(name);
        }
    }
    if let Some(key) = &args.search_key {
        query = query.event_search_key(key);
    }
    if let Some(request_id) = &args.request_id {
        query = query.request_id(request_id);
    }
    if let Some(sort) = args.sort {
        query = query.sort(match sort {
            Sort::Duration => LogSort::WebhookDurationDesc,
            Sort::EventType => LogSort::EventTypeDesc,
        });
    }
    Ok(query)
}

/// One poll of whichever log the arguments name.
async fn fetch(
    client: &Client,
    args: &LogsArgs,
    query: &LogQuery,
) -> Result<Vec<DeliveryRecord>, capillary_ens_admin::Error> {
    if let Some(group) = &args.consumer_group {
        return Ok(client.consumer_group_logs(group, query).await?.entries);
    }
    if let Some(event_id) = &args.event_id {
        client.event_logs(event_id).await
    } else if let Some(request_id) = &args.request_id {
        client.event_logs_by_request_id(request_id).await
    } else if let Some(ref_id) = &args.ref_id {
        client.event_logs_by_ref_id(ref_id).await
    } else {
        Ok(Vec::new())
    }
}

/// `--follow`: poll, print what is new, back off while nothing is.
async fn follow(client: &Client, args: &LogsArgs, query: &LogQuery, ui: Ui) -> Result<(), Failure> {
    let base = Duration::from_secs(args.interval.max(1));
    let ceiling = Duration::from_secs(60).max(base);
    let mut delay = base;
    let mut seen: HashSet<String> = HashSet::new();
    let mut header_printed = false;
    loop {
        match fetch(client, args, query).await {
            Ok(entries) => {
                // The API lists the newest first; print in the order they happened.
                let fresh: Vec<DeliveryRecord> = entries
                    .into_iter()
                    .rev()
                    .filter(|entry| seen.insert(serde_json::to_string(entry).unwrap_or_default()))
                    .collect();
                tracing::debug!(new = fresh.len(), "polled the delivery log");
                if fresh.is_empty() {
                    delay = (delay * 2).min(ceiling);
                } else {
                    delay = base;
                    print_follow(&ui, &fresh, &mut header_printed);
                }
            }
            Err(error) if error.is_not_found() || error.is_unauthorized() => {
                return Err(error.into());
            }
            Err(error) => {
                delay = (delay * 2).min(ceiling);
                note!("warning: {error}; polling again in {}s", delay.as_secs());
            }
        }
        tokio::select! {
            () = tokio::time::sleep(delay) => {}
            _ = tokio::signal::ctrl_c() => return Ok(()),
        }
    }
}

fn print_follow(ui: &Ui, entries: &[DeliveryRecord], header_printed: &mut bool) {
    if ui.json() {
        for entry in entries {
            ui.json_line(entry);
        }
        return;
    }
    if !*header_printed {
        ui.line("EVENT ID  EVENT  STATUS  MS  REQUEST ID  AT");
        *header_printed = true;
    }
    for row in output::log_rows(entries) {
        ui.line(row.join("  "));
    }
}
