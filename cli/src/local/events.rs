//! `ens events`: the 66 events by group.

use std::process::ExitCode;

use capillary_ens_schemas::{EventGroup, EventName};
use clap::Args;
use serde_json::json;

use super::format::OutputFormat;

/// List the events ENS sends, by group.
#[derive(Debug, Args)]
pub(crate) struct EventsArgs {
    /// Only this group (`customer`, `points`, `tier`, …).
    #[arg(long, value_parser = parse_group)]
    group: Option<EventGroup>,
    /// Text for people, JSON for scripts.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
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

pub(crate) fn run(args: EventsArgs) -> anyhow::Result<ExitCode> {
    let groups: Vec<EventGroup> = match args.group {
        Some(group) => vec![group],
        None => EventGroup::ALL.to_vec(),
    };
    match args.format {
        OutputFormat::Text => print_text(&groups),
        OutputFormat::Json => print_json(&groups)?,
    }
    Ok(ExitCode::SUCCESS)
}

fn print_text(groups: &[EventGroup]) {
    let total: usize = groups.iter().map(|group| group.events().len()).sum();
    let width = EventName::ALL
        .iter()
        .map(|name| name.as_str().len())
        .max()
        .unwrap_or(0);
    for group in groups {
        println!(
            "{} ({}): {}",
            group.title(),
            group.as_str(),
            group.description()
        );
        for name in group.events() {
            println!(
                "  {:<width$}  {}",
                name.as_str(),
                name.summary().unwrap_or("")
            );
        }
        println!();
    }
    println!("{total} events");
}

fn print_json(groups: &[EventGroup]) -> anyhow::Result<()> {
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
    println!("{}", serde_json::to_string_pretty(&listing)?);
    Ok(())
}
