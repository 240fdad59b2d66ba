//! `ens inbox stats|list|show|retry|purge|migrate`: look into and operate the durable inbox that
//! `ens listen --inbox` (or a receiver built on `capillary-ens-inbox`) writes.

use std::time::{Duration, SystemTime};

use capillary_ens_inbox::{Filter, Inbox, InboxConfig, State, StoredDelivery};
use capillary_ens_schemas::EventName;
use capillary_ens_schemas::schema_walk::SchemaSet;
use clap::{Args, Subcommand};
use serde_json::{Value, json};

use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::Ui;
use crate::redaction::printable_body;
use crate::time_arg::parse_age;

mod location;

pub(crate) use location::InboxLocation;

const INBOX_HELP: &str = "\
Examples:
  ens listen --port 8080 --basic ens:s3cret --inbox inbox.db    # store, then process
  ens inbox stats --inbox inbox.db
  ens inbox list --inbox inbox.db --state dead
  ens inbox show pointsIssued:0b7d7c8e --inbox inbox.db
  ens inbox retry --all-dead --event pointsIssued --inbox inbox.db
  ens inbox purge --inbox postgres://ens@db.internal/ens --older-than 8d
  export ENS_INBOX=inbox.db; ens inbox stats --format json | jq .dead

--inbox (or ENS_INBOX) is a SQLite file (inbox.db, sqlite:inbox.db) or a PostgreSQL URL
(postgres://user@host/db). These commands never create a SQLite file: one that does not exist
exits 3. A PostgreSQL database gets the inbox's tables on first use, as a receiver would.
Deliveries are named by their key, `eventName:eventId` (`eventName#sha256:…` when the event
has no id), as `ens inbox list` prints it.";

/// Look into and operate the durable inbox `ens listen --inbox` writes: counts, deliveries,
/// dead letters, retention.
#[derive(Debug, Args)]
#[command(after_help = format!("{INBOX_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct InboxArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// Count the deliveries in each state, and the duplicates suppressed.
    #[command(after_help = format!("\
Examples:
  ens inbox stats --inbox inbox.db
  ens inbox stats --inbox postgres://ens@db.internal/ens --format json | jq .duplicatesSuppressed

received and processed include rows retention has removed; pending, processing, retrying and
dead count the rows in that state now.

{EXIT_CODES}"))]
    Stats(StatsArgs),
    /// List deliveries, newest first: key, state, attempts, last error (never the body).
    #[command(after_help = format!("\
Examples:
  ens inbox list --inbox inbox.db
  ens inbox list --inbox inbox.db --state dead --event pointsIssued
  ens inbox list --inbox inbox.db --limit 0 --format json | jq -r .key

{EXIT_CODES}"))]
    List(ListArgs),
    /// Show one delivery: state, attempts, last error and body, personal data redacted.
    #[command(after_help = format!("\
Examples:
  ens inbox show pointsIssued:0b7d7c8e --inbox inbox.db
  ens inbox show pointsIssued:0b7d7c8e --inbox inbox.db --format json | jq .lastError

Personal data: values the schemas mark personal, and values of keys the schemas do not know
(where drifted personal data hides), print as [redacted] unless --show-pii. The last error is
a kind and a JSON path, never a value.

{EXIT_CODES}"))]
    Show(ShowArgs),
    /// Re-queue dead letters (e.g. after upgrading the schemas or fixing the app).
    #[command(after_help = format!("\
Examples:
  ens inbox retry pointsIssued:0b7d7c8e --inbox inbox.db
  ens inbox retry --all-dead --inbox inbox.db
  ens inbox retry --all-dead --event pointsIssued --inbox inbox.db

A re-queued delivery is pending again with its attempts reset; whatever runs the inbox's
workers (`ens listen --inbox`, your receiver) processes it next.

{EXIT_CODES}"))]
    Retry(RetryArgs),
    /// Remove processed deliveries older than the retention (and dead letters with --dead).
    #[command(
        visible_alias = "prune",
        after_help = format!("\
Examples:
  ens inbox purge --inbox inbox.db                     # processed more than 8 days ago
  ens inbox purge --inbox inbox.db --older-than 1d
  ens inbox purge --inbox inbox.db --older-than 30d --dead

A processed delivery is kept so that ENS re-sending it is recognised as a duplicate; ENS
retries for 7 days, hence the 8 day default. Removed processed rows still count in
`ens inbox stats`. Dead letters are removed only with --dead: they are lost for good. Rows
being processed are never removed.

{EXIT_CODES}")
    )]
    Purge(PurgeArgs),
    /// Create the inbox's tables, or bring them to this version's schema (a deployment step).
    #[command(after_help = format!("\
Examples:
  ens inbox migrate --inbox postgres://ens@db.internal/ens
  ens inbox migrate --inbox inbox.db --format json

Receivers migrate on start too (PostgreSQL under an advisory lock, so replicas may start
together); run this from a deployment step to migrate before any replica starts, e.g. when the
receivers connect with `PostgresStore::connect_with(url, pool, false)`. Migrations are embedded
and versioned; applying them again changes nothing. A SQLite file is created if missing.

{EXIT_CODES}"))]
    Migrate(MigrateArgs),
}

/// Where the inbox is.
#[derive(Debug, Args)]
struct LocationArg {
    /// The inbox: a SQLite file (inbox.db, sqlite:inbox.db) or a PostgreSQL URL
    /// (postgres://user@host/db).
    #[arg(
        long,
        env = "ENS_INBOX",
        hide_env_values = true,
        value_name = "PATH|URL"
    )]
    inbox: InboxLocation,
}

#[derive(Debug, Args)]
struct MigrateArgs {
    #[command(flatten)]
    location: LocationArg,
}

#[derive(Debug, Args)]
struct StatsArgs {
    #[command(flatten)]
    location: LocationArg,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    location: LocationArg,
    /// Only deliveries in this state: pending, processing, processed, retrying, dead.
    #[arg(long, value_name = "STATE")]
    state: Option<State>,
    /// Only this event, e.g. pointsIssued.
    #[arg(long, value_name = "EVENT")]
    event: Option<String>,
    /// At most this many (0: all).
    #[arg(long, value_name = "N", default_value_t = 50)]
    limit: usize,
}

#[derive(Debug, Args)]
struct ShowArgs {
    #[command(flatten)]
    location: LocationArg,
    /// The delivery's key, as `ens inbox list` prints it (pointsIssued:0b7d7c8e).
    key: String,
    /// Print personal data and the values of keys the schemas do not know instead of
    /// `[redacted]`.
    #[arg(long)]
    show_pii: bool,
}

#[derive(Debug, Args)]
struct RetryArgs {
    #[command(flatten)]
    location: LocationArg,
    /// The key of one dead letter, as `ens inbox list` prints it.
    #[arg(
        required_unless_present = "all_dead",
        conflicts_with_all = ["all_dead", "event"]
    )]
    key: Option<String>,
    /// Every dead letter (with --event, of one event).
    #[arg(long)]
    all_dead: bool,
    /// With --all-dead: only this event's dead letters.
    #[arg(long, value_name = "EVENT", requires = "all_dead")]
    event: Option<String>,
}

#[derive(Debug, Args)]
struct PurgeArgs {
    #[command(flatten)]
    location: LocationArg,
    /// Remove what is older than this: processed rows by when they were processed, dead
    /// letters by when they arrived. `<n>s`, `<n>m`, `<n>h` or `<n>d`.
    #[arg(long, value_name = "AGE", default_value = "8d", value_parser = parse_age)]
    older_than: Duration,
    /// Also remove dead letters older than --older-than (they are lost for good).
    #[arg(long)]
    dead: bool,
}

/// Runs one `ens inbox` command.
pub(crate) async fn run(args: InboxArgs, ui: Ui) -> Outcome {
    match args.action {
        Action::Stats(args) => stats(args, ui).await,
        Action::List(args) => list(args, ui).await,
        Action::Show(args) => show(args, ui).await,
        Action::Retry(args) => retry(args, ui).await,
        Action::Purge(args) => purge(args, ui).await,
        Action::Migrate(args) => migrate(args, ui).await,
    }
}

async fn migrate(args: MigrateArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    let version = location.migrate().await?;
    tracing::debug!(version, "inbox schema migrated");
    if ui.json() {
        ui.json_line(&json!({ "inbox": location.describe(), "schemaVersion": version }));
    } else {
        ui.line(format!(
            "{}: schema at version {version}",
            location.describe()
        ));
    }
    Ok(Exit::Success)
}

async fn stats(args: StatsArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    let inbox = location.open_existing().await?;
    let stats = inbox.stats().await.map_err(|error| location.stop(&error))?;
    tracing::debug!(
        received = stats.received,
        dead = stats.dead,
        "inbox stats read"
    );
    if ui.json() {
        ui.json_line(&stats.to_json());
        return Ok(Exit::Success);
    }
    for (label, count) in [
        ("received", stats.received),
        ("  pending", stats.pending),
        ("  processing", stats.processing),
        ("  processed", stats.processed),
        ("  retrying", stats.retrying),
        ("  dead", stats.dead),
        ("duplicates suppressed", stats.duplicates_suppressed),
    ] {
        ui.line(format!("{label:<22} {count}"));
    }
    Ok(Exit::Success)
}

async fn list(args: ListArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    let mut filter = Filter::all();
    filter.state = args.state;
    if let Some(event) = &args.event {
        filter = filter.event_name(event_name(event));
    }
    if args.limit > 0 {
        filter = filter.limit(args.limit);
    }
    let inbox = location.open_existing().await?;
    let rows = inbox
        .list(&filter)
        .await
        .map_err(|error| location.stop(&error))?;
    tracing::debug!(rows = rows.len(), "inbox rows listed");
    if ui.json() {
        for row in &rows {
            ui.json_line(&summary_json(row));
        }
    } else if rows.is_empty() {
        note!("no deliveries match");
    } else {
        ui.line(format!(
            "{:<24}  {:<10}  {:>8}  {:<40}  last error",
            "received", "state", "attempts", "key"
        ));
        for row in &rows {
            ui.line(format!(
                "{:<24}  {:<10}  {:>8}  {:<40}  {}",
                rfc3339(row.received_at),
                row.state.as_str(),
                row.attempts,
                row.key,
                row.last_error
                    .as_ref()
                    .map_or_else(|| "-".to_owned(), ToString::to_string)
            ));
        }
    }
    if args.limit > 0 && rows.len() == args.limit {
        note!("showing the newest {}; --limit 0 shows all", args.limit);
    }
    Ok(Exit::Success)
}

async fn show(args: ShowArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    let inbox = location.open_existing().await?;
    let row = find(&inbox, location, &args.key).await?;
    let name = EventName::from(row.event_name.as_str());
    let body = printable_body(
        &SchemaSet::embedded(),
        Some(&name),
        &row.body,
        args.show_pii,
    );
    if ui.json() {
        let mut shown = summary_json(&row);
        shown["leaseUntil"] = json!(row.lease_until.map(rfc3339));
        shown["body"] = body.unwrap_or(Value::Null);
        ui.json_line(&shown);
        return Ok(Exit::Success);
    }
    let optional = |at: Option<SystemTime>| at.map_or_else(|| "-".to_owned(), rfc3339);
    for (label, value) in [
        ("key", row.key.clone()),
        ("event", row.event_name.clone()),
        (
            "event id",
            row.event_id.clone().unwrap_or_else(|| "-".to_owned()),
        ),
        ("state", row.state.as_str().to_owned()),
        ("attempts", row.attempts.to_string()),
        ("received at", rfc3339(row.received_at)),
        ("next attempt at", optional(row.next_attempt_at)),
        ("lease until", optional(row.lease_until)),
        ("processed at", optional(row.processed_at)),
        (
            "last error",
            row.last_error
                .as_ref()
                .map_or_else(|| "-".to_owned(), ToString::to_string),
        ),
    ] {
        ui.line(format!("{label:<16} {value}"));
    }
    match body {
        Some(body) => {
            let pretty = serde_json::to_string_pretty(&body).unwrap_or_default();
            ui.line(if args.show_pii {
                "body:".to_owned()
            } else {
                "body (personal data redacted; --show-pii shows it):".to_owned()
            });
            ui.line(pretty);
        }
        None => ui.line(format!("body: {} bytes, not JSON", row.body.len())),
    }
    Ok(Exit::Success)
}

async fn retry(args: RetryArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    let inbox = location.open_existing().await?;
    let filter = match &args.key {
        Some(key) => {
            let row = find(&inbox, location, key).await?;
            if row.state != State::Dead {
                return Err(Stop::failed(format!(
                    "{key} is not a dead letter (it is {}); only dead letters are re-queued",
                    row.state
                )));
            }
            Filter::all().key(key.clone())
        }
        None => match &args.event {
            Some(event) => Filter::all().event_name(event_name(event)),
            None => Filter::all(),
        },
    };
    let requeued = inbox
        .retry_dead(&filter)
        .await
        .map_err(|error| location.stop(&error))?;
    tracing::debug!(rows = requeued, "inbox dead letters re-queued");
    if ui.json() {
        ui.json_line(&json!({ "requeued": requeued }));
    } else {
        ui.line(format!(
            "re-queued {requeued} dead letter{}",
            if requeued == 1 { "" } else { "s" }
        ));
        if requeued > 0 {
            note!("the inbox's workers (`ens listen --inbox`, your receiver) process them next");
        }
    }
    Ok(Exit::Success)
}

async fn purge(args: PurgeArgs, ui: Ui) -> Outcome {
    let location = &args.location.inbox;
    // Pruning (not a plain delete) keeps the removed rows in the lifetime totals.
    let config = InboxConfig::default().retention(args.older_than);
    let inbox = location.open_existing_with(config).await?;
    let processed = inbox.prune().await.map_err(|error| location.stop(&error))?;
    let dead = if args.dead {
        let before = SystemTime::now()
            .checked_sub(args.older_than)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let removed = inbox
            .purge(&Filter::state(State::Dead).received_before(before))
            .await
            .map_err(|error| location.stop(&error))?;
        Some(removed)
    } else {
        None
    };
    tracing::debug!(processed, dead, "inbox purged");
    let age = humanize(args.older_than);
    if ui.json() {
        ui.json_line(&json!({ "processed": processed, "dead": dead, "olderThan": age }));
    } else {
        ui.line(format!(
            "removed {processed} processed deliver{} older than {age}",
            if processed == 1 { "y" } else { "ies" }
        ));
        if let Some(dead) = dead {
            ui.line(format!(
                "removed {dead} dead letter{} older than {age}",
                if dead == 1 { "" } else { "s" }
            ));
        }
    }
    Ok(Exit::Success)
}

/// The delivery stored under `key`, or exit 3.
async fn find(inbox: &Inbox, location: &InboxLocation, key: &str) -> Result<StoredDelivery, Stop> {
    inbox
        .show(key)
        .await
        .map_err(|error| location.stop(&error))?
        .ok_or_else(|| {
            Stop::not_found(format!(
                "no delivery {key:?} in {}; `ens inbox list` shows the keys",
                location.describe()
            ))
        })
}

/// The event's name as ENS spells it when `text` names a known event in other case or
/// spelling; any other text as given (the inbox also stores events the schemas do not know).
fn event_name(text: &str) -> String {
    crate::local::find_event(text.trim())
        .map_or_else(|| text.trim().to_owned(), |name| name.as_str().to_owned())
}

/// One row as a JSON object, without its body.
fn summary_json(row: &StoredDelivery) -> Value {
    json!({
        "key": row.key,
        "eventName": row.event_name,
        "eventId": row.event_id,
        "state": row.state.as_str(),
        "attempts": row.attempts,
        "receivedAt": rfc3339(row.received_at),
        "nextAttemptAt": row.next_attempt_at.map(rfc3339),
        "processedAt": row.processed_at.map(rfc3339),
        "lastError": row.last_error.as_ref().map(|error| json!({
            "kind": error.kind.as_str(),
            "path": error.path,
        })),
    })
}

/// `2025-11-29T10:00:00.123Z`.
pub(crate) fn rfc3339(at: SystemTime) -> String {
    time::OffsetDateTime::from(at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "-".to_owned())
}

/// `8d`, `36h`, `90m`, `45s`: the largest whole unit.
fn humanize(age: Duration) -> String {
    let seconds = age.as_secs();
    for (unit, size) in [("d", 86_400), ("h", 3_600), ("m", 60)] {
        if seconds >= size && seconds.is_multiple_of(size) {
            return format!("{}{unit}", seconds / size);
        }
    }
    format!("{seconds}s")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_print_in_their_largest_whole_unit() {
        assert_eq!(humanize(Duration::from_secs(8 * 86_400)), "8d");
        assert_eq!(humanize(Duration::from_secs(90 * 60)), "90m");
        assert_eq!(humanize(Duration::from_secs(0)), "0s");
        assert_eq!(humanize(Duration::from_secs(7_200)), "2h");
    }

    #[test]
    fn event_names_are_spelled_as_ens_spells_them() {
        assert_eq!(event_name("pointsissued"), "pointsIssued");
        assert_eq!(event_name("someFutureEvent"), "someFutureEvent");
    }
}
