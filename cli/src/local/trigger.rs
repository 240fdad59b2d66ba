//! `ens trigger`: send one event's fixture to a webhook URL, and `ens fixture`: print it.

use capillary_ens_schemas::EventName;
use capillary_ens_testkit::fixtures::{self, Fixture};
use clap::Args;

use super::assignments::EditArgs;
use super::send::{SendArgs, print_sent};
use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::{Ui, write_stdout};

const TRIGGER_HELP: &str = "\
Examples:
  ens trigger pointsIssued --to http://127.0.0.1:8080/ --basic ens:s3cret
  ens trigger pointsIssued --to http://127.0.0.1:8080/ --basic ens:s3cret \\
      --set data.customerIdentifiers.customerId=42 --set data.totalPointsIssued=500
  ens trigger CouponIssue --to http://127.0.0.1:8080/ --wrapped --times 2   # a duplicate
  ens trigger tierUpgraded --to http://127.0.0.1:8080/ --retry --retry-speedup 60

Exit 0 when every delivery was accepted (2xx), 1 when one was not.";

/// Send a realistic event to a webhook URL, as ENS would.
///
/// The event starts from the schema's example with a fresh eventId. `--set PATH=VALUE` and
/// `--remove PATH` change it; paths are checked against the event's schema and values typed
/// by it. Each attempt is signed with the time it is actually sent.
#[derive(Debug, Args)]
#[command(after_help = format!("{TRIGGER_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct TriggerArgs {
    /// The event to send (`pointsIssued`, `CouponIssue`, … see `ens events`).
    #[arg(value_name = "EVENT")]
    event: String,
    #[command(flatten)]
    send: SendArgs,
    #[command(flatten)]
    edits: EditArgs,
    /// Send the `eventType`/`attributes` envelope instead of the flat one.
    #[arg(long)]
    wrapped: bool,
    /// Send the same event (same eventId) this many times, as a duplicate delivery would.
    #[arg(long, default_value_t = 1, value_name = "N")]
    times: u32,
}

const FIXTURE_HELP: &str = "\
Examples:
  ens fixture pointsIssued > points.json
  ens fixture CouponIssue --wrapped --set data.coupons[0].code=WELCOME
  ens fixture customerAdded --format json | jq .eventId";

/// Print a realistic delivery of an event to stdout, for tests in any language.
///
/// The same delivery `ens trigger` would send: the schema's example with a fresh eventId,
/// changed by `--set`/`--remove` (checked against the schema). Pretty JSON as text; one line
/// with `--format json`.
#[derive(Debug, Args)]
#[command(after_help = format!("{FIXTURE_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct FixtureArgs {
    /// The event (`pointsIssued`, `CouponIssue`, … see `ens events`).
    #[arg(value_name = "EVENT")]
    event: String,
    #[command(flatten)]
    edits: EditArgs,
    /// The `eventType`/`attributes` envelope instead of the flat one.
    #[arg(long)]
    wrapped: bool,
}

/// Finds an event by its wire name, ignoring case and `_`/`-`, so `points_issued` works too.
pub(crate) fn find_event(text: &str) -> Option<EventName> {
    let wanted = normalize(text);
    EventName::ALL
        .iter()
        .find(|name| normalize(name.as_str()) == wanted)
        .cloned()
}

/// The event named `text`, or a usage error.
pub(crate) fn event_or_usage(text: &str) -> Result<EventName, Stop> {
    find_event(text).ok_or_else(|| {
        Stop::usage(format!(
            "{text:?} is not an ENS event; `ens events` lists them"
        ))
    })
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter(|character| *character != '_' && *character != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

fn build_fixture(edits: &EditArgs, wrapped: bool, name: &EventName) -> Result<Fixture, Stop> {
    let mut fixture =
        fixtures::for_event(name).ok_or_else(|| Stop::failed(format!("{name} has no fixture")))?;
    for assignment in edits.assignments(name).map_err(Stop::usage)? {
        let path = assignment.path.to_string();
        fixture = fixture
            .try_set(&path, assignment.value)
            .map_err(|error| Stop::usage(format!("--set {path}: {error}")))?;
    }
    for path in edits.removals(name).map_err(Stop::usage)? {
        let path = path.to_string();
        fixture = fixture
            .try_remove(&path)
            .map_err(|error| Stop::usage(format!("--remove {path}: {error}")))?;
    }
    if wrapped {
        fixture = fixture.wrapped();
    }
    Ok(fixture)
}

pub(crate) async fn run(args: TriggerArgs, ui: Ui) -> Outcome {
    let name = event_or_usage(&args.event)?;
    let fixture = build_fixture(&args.edits, args.wrapped, &name)?;
    let sender = args.send.sender()?;
    let body = fixture.to_bytes();
    let mut all_delivered = true;
    for time in 0..args.times.max(1) {
        let sent = sender.send(&body).await;
        let note = (time > 0).then_some("duplicate of the first (--times)");
        print_sent(&ui, None, &sent, note);
        all_delivered &= sent.delivered;
    }
    Ok(Exit::from_success(all_delivered))
}

pub(crate) fn run_fixture(args: FixtureArgs, ui: Ui) -> Outcome {
    let name = event_or_usage(&args.event)?;
    let fixture = build_fixture(&args.edits, args.wrapped, &name)?;
    let value = fixture.build();
    if ui.json() {
        ui.json_line(&value);
    } else {
        let mut text = serde_json::to_string_pretty(&value)
            .map_err(|error| Stop::failed(error.to_string()))?;
        text.push('\n');
        write_stdout(text.as_bytes());
    }
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_found_in_any_spelling() {
        assert_eq!(find_event("pointsIssued"), Some(EventName::PointsIssued));
        assert_eq!(find_event("points_issued"), Some(EventName::PointsIssued));
        assert_eq!(find_event("coupon-issue"), Some(EventName::CouponIssue));
        assert_eq!(find_event("nope"), None);
    }
}
