//! `ens replay`: re-send recorded deliveries.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;

use super::recording::{self, RecordedDelivery};
use super::send::SendArgs;
use super::validate::split_deliveries;

/// Re-send deliveries recorded by `ens listen --record` (or JSON files of deliveries) to a URL.
///
/// By default only the deliveries the listener accepted (2xx) are sent again; `--all` sends
/// the rejected ones too. Progress goes to stderr, one line per delivery to stdout.
///
/// Example: ens replay deliveries.jsonl --to http://127.0.0.1:8080/ --basic ens:s3cret
///
/// Exit status: 0 when every delivery was accepted, 1 when one was not, 3 when the file cannot
/// be read.
#[derive(Debug, Args)]
#[command(verbatim_doc_comment)]
pub(crate) struct ReplayArgs {
    /// The recording (JSON lines) or a JSON file of one delivery or an array of deliveries.
    #[arg(value_name = "FILE")]
    file: PathBuf,
    #[command(flatten)]
    send: SendArgs,
    /// Also send deliveries that were rejected when recorded.
    #[arg(long)]
    all: bool,
}

pub(crate) async fn run(args: ReplayArgs) -> anyhow::Result<ExitCode> {
    let bytes = match std::fs::read(&args.file) {
        Ok(bytes) => bytes,
        Err(error) => {
            eprintln!("error: cannot read {}: {error}", args.file.display());
            return Ok(ExitCode::from(3));
        }
    };
    let bodies = bodies_to_replay(&args.file.display().to_string(), &bytes, args.all);
    let simulator = args.send.simulator()?;
    let total = bodies.len();
    let interactive = std::io::stderr().is_terminal();
    let mut delivered = 0;
    for (index, (source, body)) in bodies.into_iter().enumerate() {
        let report = simulator.deliver(body).await;
        if report.is_delivered() {
            delivered += 1;
        }
        println!(
            "{source} {} {} -> {} ({})",
            report.event_name,
            report.event_id.as_deref().unwrap_or("-"),
            report.attempts_summary(),
            report.state.as_str()
        );
        progress(index + 1, total, interactive);
    }
    if interactive {
        eprintln!();
    }
    let failed = total - delivered;
    eprintln!("replayed {total}: {delivered} accepted, {failed} not");
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn progress(done: usize, total: usize, interactive: bool) {
    let percent = done * 100 / total.max(1);
    let mut stderr = std::io::stderr().lock();
    // A terminal gets one line that updates; a log gets a line every 100 deliveries.
    let _ = if interactive {
        write!(stderr, "\r[{done}/{total}] {percent}%")
    } else if done.is_multiple_of(100) || done == total {
        writeln!(stderr, "[{done}/{total}] {percent}%")
    } else {
        Ok(())
    };
}

/// The bodies to send, labelled by where they came from.
fn bodies_to_replay(file: &str, bytes: &[u8], all: bool) -> Vec<(String, Vec<u8>)> {
    let looks_recorded = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| text.lines().find(|line| !line.trim().is_empty()))
        .and_then(|line| serde_json::from_str::<RecordedDelivery>(line).ok())
        .is_some();
    if !looks_recorded {
        return split_deliveries(file, bytes);
    }
    let Ok(lines) = recording::read(bytes) else {
        return split_deliveries(file, bytes);
    };
    lines
        .into_iter()
        .filter_map(|line| match line {
            Ok(delivery) if all || (200..300).contains(&delivery.status) => {
                let body = delivery.body_bytes().ok()?;
                Some((file.to_owned(), body))
            }
            Ok(_) => None,
            Err(bad) => {
                eprintln!("warning: {file}:{}: {}; skipped", bad.line, bad.reason);
                None
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_accepted_deliveries_are_replayed_unless_all() {
        let mut file = Vec::new();
        RecordedDelivery::new(1, 200, None, None, b"{\"a\":1}")
            .append_to(&mut file)
            .unwrap();
        RecordedDelivery::new(2, 401, None, None, b"{\"a\":2}")
            .append_to(&mut file)
            .unwrap();
        let accepted = bodies_to_replay("r", &file, false);
        assert_eq!(accepted.len(), 1);
        assert_eq!(accepted[0].1, b"{\"a\":1}");
        assert_eq!(bodies_to_replay("r", &file, true).len(), 2);
    }
}
