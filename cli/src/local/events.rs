//! `ens events`: the 66 events by group.

use capillary_ens_schemas::{EventGroup, EventName};
use clap::Args;
use serde_json::json;

use crate::exit::{EXIT_CODES, Exit, Outcome};
use crate::output::Ui;

const EVENTS_HELP: &str = "\
Examples:
  ens events
  ens events --group points
  ens events --format json | jq -r '.[].events[].name'";

/// List the events ENS sends, by group, with what each one means.
#[derive(Debug, Args)]
#[command(after_help = format!("{EVENTS_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct EventsArgs {
    /// Only this group (`customer`, `points`, `tier`, …).
    #[arg(long, value_parser = parse_group)]
    group: Option<EventGroup>,
}

fn parse_group(text: &str) -> Result<EventGroup, String> {
    EventGroup::ALL
        .iter()
        .copied()
        .find(|group| group.as_str().eq_ignore_ascii_case(text))
        .ok_or_else(|| {
            let known: Vec<&str> = EventGroup::ALL.iter().map(|group| group.as_str()).collect();
            format!("unknown group; the groups are {}", known.join(", "))
        })
}

pub(crate) fn run(args: EventsArgs, ui: Ui) -> Outcome {
    let groups: Vec<EventGroup> = match args.group {
        Some(group) => vec![group],
        None => EventGroup::ALL.to_vec(),
    };
    if ui.json() {
        print_json(&ui, &groups);
    } else {
        print_text(&ui, &groups);
    }
    Ok(Exit::Success)
}

fn print_text(ui: &Ui, groups: &[EventGroup]) {
    let total: usize = groups.iter().map(|group| group.events().len()).sum();
    let width = EventName::ALL
        .iter()
        .map(|name| name.as_str().len())
        .max()
        .unwrap_or(0);
    for group in groups {
        ui.line(format!(
            "{} ({}): {}",
            group.title(),
            group.as_str(),
            group.description()
        ));
        for name in group.events() {
            ui.line(format!(
                "  {:<width$}  {}",
                name.as_str(),
                name.summary().unwrap_or("")
            ));
        }
        ui.line("");
    }
    ui.line(format!("{total} events"));
}

fn print_json(ui: &Ui, groups: &[EventGroup]) {
    let listing: Vec<serde_json::Value> = groups
        .iter()
        .map(|group| {
            json!({
                "group": group.as_str(),
                "title": group.title(),
                "events": group.events().iter().map(|name| json!({
                    "name": name.as_str(),
                    "summary": name.summary(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    ui.json_line(&listing);
}
