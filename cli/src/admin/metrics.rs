//! `ens metrics --consumer-group G [--since] [--until]`

use std::time::SystemTime;

use capillary_ens_admin::TimeRange;
use clap::Args;

use super::EXIT_CODES;
use super::connection::ApiArgs;
use super::exit::Failure;
use super::output;
use crate::output::Ui;
use crate::time_arg::parse_instant;

/// `ens metrics`
#[derive(Debug, Args)]
#[command(after_help = format!(
    "Examples:\n  ens metrics --consumer-group 6f1c… --since 7d\n  \
     ens metrics --consumer-group 6f1c… --since 2025-11-01T00:00:00+05:30 --until now --format json\n\n{EXIT_CODES}"
))]
pub(crate) struct MetricsArgs {
    /// The webhook's consumer group id (see `ens webhooks list`).
    #[arg(long, value_name = "ID")]
    consumer_group: String,
    /// Start: RFC 3339 (2025-11-29T00:00:00Z), epoch milliseconds, `now`, or a duration ago
    /// like 24h, 7d.
    #[arg(long, value_name = "WHEN")]
    since: Option<String>,
    /// End: RFC 3339, epoch milliseconds, `now`, or a duration ago.
    #[arg(long, value_name = "WHEN")]
    until: Option<String>,
    #[command(flatten)]
    api: ApiArgs,
}

pub(crate) async fn run(args: MetricsArgs, ui: Ui) -> Result<(), Failure> {
    let now = SystemTime::now();
    let instant = |value: &Option<String>| {
        value
            .as_deref()
            .map(|value| parse_instant(value, now).map_err(Failure::Usage))
            .transpose()
    };
    let (since, until) = (instant(&args.since)?, instant(&args.until)?);
    let mut range = TimeRange::all();
    if let Some(start) = since {
        range = TimeRange::since(start);
    }
    if let Some(end) = until {
        range = range.until(end);
    }
    let client = args.api.client()?;
    let metrics = client.metrics(&args.consumer_group, range).await?;
    if ui.json() {
        output::json(&metrics)?;
        return Ok(());
    }
    let share = |count: u64| match metrics.total_events {
        0 => count.to_string(),
        total => format!("{count} ({:.1}%)", count as f64 * 100.0 / total as f64),
    };
    output::fields(&[
        ("total", metrics.total_events.to_string()),
        ("delivered", share(metrics.delivered_events)),
        ("failed", share(metrics.failed_events)),
        ("retrying", share(metrics.retrying_events)),
        ("pending", share(metrics.pending_events)),
        (
            "average delivery",
            metrics
                .average_delivery_time_ms
                .map(|ms| format!("{ms:.0} ms"))
                .unwrap_or_else(|| "-".to_owned()),
        ),
    ])?;
    Ok(())
}
