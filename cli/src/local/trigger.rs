//! `ens trigger`: send one event's fixture to a webhook URL.

use std::process::ExitCode;

use capillary_ens_schemas::EventName;
use capillary_ens_testkit::fixtures::{self, Fixture};
use clap::Args;
use serde_json::Value;

use super::send::SendArgs;

/// Send a realistic event to a webhook URL, as ENS would.
///
/// The event starts from the schema's example with a fresh eventId; change any field with
/// `--set PATH=VALUE` (VALUE is JSON when it parses as JSON, a string otherwise).
///
/// Example: ens trigger pointsIssued --to http://127.0.0.1:8080/ --basic ens:s3cret \
///            --set data.customerIdentifiers.customerId=42 --set data.totalPointsIssued=500
///
/// Exit status: 0 when the receiver accepted the event (2xx), 1 when it did not, 2 for a usage
/// error such as an unknown event name or a bad path.
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct TriggerArgs {
    /// The event to send (`pointsIssued`, `CouponIssue`, … see `ens events`).
    #[arg(value_name = "EVENT")]
    event: String,
    #[command(flatten)]
    send: SendArgs,
    /// Set a field: `data.customerIdentifiers.customerId=42`, `data.coupons[0].code=WELCOME`.
    #[arg(long = "set", value_name = "PATH=VALUE")]
    sets: Vec<String>,
    /// Remove a field.
    #[arg(long = "remove", value_name = "PATH")]
    removals: Vec<String>,
    /// Send the `eventType`/`attributes` envelope instead of the flat one.
    #[arg(long)]
    wrapped: bool,
    /// Send the same event (same eventId) this many times, as a duplicate delivery would.
    #[arg(long, default_value_t = 1, value_name = "N")]
    times: u32,
}

/// Finds an event by its wire name, ignoring case and `_`/`-`, so `points_issued` works too.
pub(crate) fn find_event(text: &str) -> Option<EventName> {
    let wanted = normalize(text);
    EventName::ALL
        .iter()
        .find(|name| normalize(name.as_str()) == wanted)
        .cloned()
}

fn normalize(text: &str) -> String {
    text.chars()
        .filter(|character| *character != '_' && *character != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

/// `PATH=VALUE` → the path and the value (JSON when it parses, else the text).
pub(crate) fn parse_assignment(assignment: &str) -> Option<(&str, Value)> {
    let (path, text) = assignment.split_once('=')?;
    let value = serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.to_owned()));
    Some((path.trim(), value))
}

fn build_fixture(args: &TriggerArgs, name: &EventName) -> Result<Fixture, String> {
    let mut fixture = fixtures::for_event(name).ok_or("the event has no fixture")?;
    for assignment in &args.sets {
        let (path, value) = parse_assignment(assignment)
            .ok_or_else(|| format!("--set {assignment:?}: expected PATH=VALUE"))?;
        fixture = fixture
            .try_set(path, value)
            .map_err(|error| format!("--set {path}: {error}"))?;
    }
    for path in &args.removals {
        fixture = fixture
            .try_remove(path)
            .map_err(|error| format!("--remove {path}: {error}"))?;
    }
    if args.wrapped {
        fixture = fixture.wrapped();
    }
    Ok(fixture)
}

pub(crate) async fn run(args: TriggerArgs) -> anyhow::Result<ExitCode> {
    let Some(name) = find_event(&args.event) else {
        eprintln!(
            "error: {:?} is not an ENS event; `ens events` lists them",
            args.event
        );
        return Ok(ExitCode::from(2));
    };
    let fixture = match build_fixture(&args, &name) {
        Ok(fixture) => fixture,
        Err(message) => {
            eprintln!("error: {message}");
            return Ok(ExitCode::from(2));
        }
    };
    let simulator = args.send.simulator()?;
    let body = fixture.to_bytes();
    let mut all_delivered = true;
    for _ in 0..args.times.max(1) {
        let report = simulator.deliver(body.clone()).await;
        println!(
            "{} {} -> {} ({})",
            report.event_name,
            report.event_id.as_deref().unwrap_or("-"),
            report.attempts_summary(),
            report.state.as_str()
        );
        all_delivered &= report.is_delivered();
    }
    Ok(if all_delivered {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
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

    #[test]
    fn assignments_take_json_or_text() {
        assert_eq!(parse_assignment("a.b=42"), Some(("a.b", Value::from(42))));
        assert_eq!(
            parse_assignment("a=Priya"),
            Some(("a", Value::from("Priya")))
        );
        assert_eq!(parse_assignment("a=\"42\""), Some(("a", Value::from("42"))));
        assert_eq!(parse_assignment("a=x=y"), Some(("a", Value::from("x=y"))));
        assert_eq!(parse_assignment("no-equals"), None);
    }
}
