//! `ens replay`: re-send recorded deliveries.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use capillary_ens_schemas::Envelope;
use clap::Args;

use super::assignments::EditArgs;
use super::recording::{InputDelivery, read_input};
use super::send::{SendArgs, print_sent};
use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::Ui;

const REPLAY_HELP: &str = "\
Examples:
  ens listen --port 8080 --basic ens:s3cret --record deliveries.jsonl   # in one terminal
  ens replay deliveries.jsonl --to http://127.0.0.1:3000/webhooks/ens --basic ens:s3cret
  ens replay points.json --to http://127.0.0.1:3000/webhooks/ens --basic ens:s3cret \\
      --set data.totalPointsIssued=1 --retry --retry-speedup 60

What is sent: deliveries the listener accepted (2xx). --all adds the ones it answered with
another status, except those rejected as forged (401/403): those need --include-forged.
An empty file, or one holding something other than JSON deliveries, is refused before
anything is sent. A delivery whose event (name and id) appeared earlier in the file is sent
and reported as a duplicate.";

/// Re-send deliveries recorded by `ens listen --record` (or JSON files of deliveries) to a URL,
/// as ENS would: with the given credentials, each attempt signed when it is sent.
#[derive(Debug, Args)]
#[command(after_help = format!("{REPLAY_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct ReplayArgs {
    /// The recording (JSON lines) or a JSON file of one delivery or an array of deliveries.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    send: SendArgs,
    #[command(flatten)]
    edits: EditArgs,
    /// Also send deliveries the listener did not accept (except forged ones, 401/403).
    #[arg(long)]
    all: bool,
    /// Also send deliveries the listener rejected as forged (401/403).
    #[arg(long)]
    include_forged: bool,
}

/// Why a recorded delivery is not sent.
fn skip_reason(input: &InputDelivery, all: bool, include_forged: bool) -> Option<&'static str> {
    match input.recorded_status {
        Some(401 | 403) if !include_forged => Some("rejected as forged when recorded"),
        Some(status) if !(200..300).contains(&status) && !all && !matches!(status, 401 | 403) => {
            Some("not accepted when recorded")
        }
        _ => None,
    }
}

/// Refuses input that holds nothing to send, or something that is not a JSON delivery.
fn check_input(file: &str, inputs: &[InputDelivery]) -> Result<(), Stop> {
    if inputs.is_empty()
        || inputs
            .iter()
            .all(|input| input.body.iter().all(u8::is_ascii_whitespace))
    {
        return Err(Stop::usage(format!("{file} holds no deliveries")));
    }
    let problems: Vec<String> = inputs
        .iter()
        .filter_map(|input| {
            if let Some(reason) = &input.unreadable {
                return Some(format!("{}: {reason}", input.source));
            }
            match serde_json::from_slice::<serde_json::Value>(&input.body) {
                Ok(serde_json::Value::Object(_)) => None,
                Ok(_) => Some(format!("{}: not a JSON object", input.source)),
                Err(error) => Some(format!(
                    "{}: not JSON (line {}, column {})",
                    input.source,
                    error.line(),
                    error.column()
                )),
            }
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Stop::usage(format!(
            "{file} is not a recording or JSON deliveries; nothing was sent:\n  {}",
            problems.join("\n  ")
        )))
    }
}

pub(crate) async fn run(args: ReplayArgs, ui: Ui) -> Outcome {
    let file = args.file.display().to_string();
    let bytes = std::fs::read(&args.file)
        .map_err(|error| Stop::not_found(format!("cannot read {file}: {error}")))?;
    let inputs = read_input(&file, &bytes);
    check_input(&file, &inputs)?;
    let sender = args.send.sender()?;
    if sender.unauthenticated() {
        note!(
            "warning: sending without credentials; a receiver that checks them answers 401 \
             (add --basic, --bearer, --header, --hmac-secret or --standard-webhooks-secret)"
        );
    }
    let mut to_send = Vec::new();
    let mut skipped: HashMap<&'static str, usize> = HashMap::new();
    for input in inputs {
        match skip_reason(&input, args.all, args.include_forged) {
            Some(reason) => *skipped.entry(reason).or_default() += 1,
            None => to_send.push(input),
        }
    }
    for (reason, count) in &skipped {
        let hint = if reason.contains("forged") {
            "--include-forged"
        } else {
            "--all"
        };
        note!("skipped {count}: {reason} ({hint} sends them)");
    }
    let total = to_send.len();
    let interactive = std::io::stderr().is_terminal();
    let mut first_seen: HashMap<(String, String), String> = HashMap::new();
    let (mut delivered, mut duplicates) = (0, 0);
    for (index, input) in to_send.into_iter().enumerate() {
        let mut body = input.body;
        if !args.edits.is_empty() {
            body = edited(&args.edits, &body).map_err(Stop::usage)?;
        }
        let duplicate_of = Envelope::parse(&body).ok().and_then(|(envelope, _)| {
            let key = (envelope.event_name.to_string(), envelope.event_id?);
            match first_seen.get(&key) {
                Some(first) => Some(first.clone()),
                None => {
                    first_seen.insert(key, input.source.clone());
                    None
                }
            }
        });
        let sent = sender.send(&body).await;
        delivered += usize::from(sent.delivered);
        let note = duplicate_of.map(|first| {
            duplicates += 1;
            format!("duplicate of {first}")
        });
        print_sent(&ui, Some(&input.source), &sent, note.as_deref());
        progress(index + 1, total, interactive);
    }
    if interactive && total > 0 {
        note!("");
    }
    let failed = total - delivered;
    note!("replayed {total}: {delivered} accepted, {failed} not, {duplicates} duplicates");
    Ok(Exit::from_success(failed == 0))
}

fn edited(edits: &EditArgs, body: &[u8]) -> Result<Vec<u8>, String> {
    let (envelope, _) = Envelope::parse(body).map_err(|error| error.to_string())?;
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|error| error.to_string())?;
    edits.apply(&envelope.event_name, &mut value)?;
    serde_json::to_vec(&value).map_err(|error| error.to_string())
}

fn progress(done: usize, total: usize, interactive: bool) {
    if crate::output::is_quiet() {
        return;
    }
    let percent = done * 100 / total.max(1);
    let mut stderr = std::io::stderr().lock();
    // A terminal gets one line that updates; a log gets a line every 100 deliveries.
    let _ = if interactive {
        write!(stderr, "\r[{done}/{total}] {percent}%")
    } else if done.is_multiple_of(100) {
        writeln!(stderr, "[{done}/{total}] {percent}%")
    } else {
        Ok(())
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(status: Option<u16>) -> InputDelivery {
        read_input("f", b"{}")
            .pop()
            .map(|mut input| {
                input.recorded_status = status;
                input
            })
            .unwrap()
    }

    #[test]
    fn forged_deliveries_need_their_own_flag() {
        assert_eq!(skip_reason(&input(Some(200)), false, false), None);
        assert!(skip_reason(&input(Some(500)), false, false).is_some());
        assert_eq!(skip_reason(&input(Some(500)), true, false), None);
        assert!(skip_reason(&input(Some(401)), true, false).is_some());
        assert_eq!(skip_reason(&input(Some(401)), false, true), None);
        assert!(skip_reason(&input(Some(500)), false, true).is_some());
        assert_eq!(skip_reason(&input(None), false, false), None);
    }

    #[test]
    fn empty_and_non_json_files_are_refused() {
        assert!(check_input("f", &read_input("f", b"")).is_err());
        assert!(check_input("f", &read_input("f", b"hello")).is_err());
        assert!(check_input("f", &read_input("f", b"{\"a\":1}")).is_ok());
    }
}
