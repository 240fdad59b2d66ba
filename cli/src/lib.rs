//! The `ens` command as a library: listen for, trigger, replay and validate Capillary ENS
//! webhooks, and manage webhooks and read their delivery logs.
//!
//! The binary is a thin `main` over [`main`]; everything else lives here so other tools and
//! tests can build on the same command definitions.
//!
//! ```no_run
//! fn main() -> std::process::ExitCode {
//!     capillary_ens_cli::main()
//! }
//! ```

#![allow(clippy::print_stdout)] // printing is what a command-line tool is for

use std::process::ExitCode;

use clap::{ArgAction, Parser, Subcommand};

#[macro_use]
mod output;
mod admin;
mod completions;
mod diagnostics;
mod exit;
mod inbox;
mod local;
mod redaction;
mod secret_arg;
mod time_arg;

use exit::{EXIT_CODES, Exit, Outcome};
use output::{ColorChoice, Format, Ui};

const TOP_HELP: &str = "\
Examples:
  ens events                                        # the 66 events, by group
  ens listen --port 8080 --basic ens:s3cret -f http://127.0.0.1:3000/webhooks/ens
  ens trigger pointsIssued --to http://127.0.0.1:8080/ --basic ens:s3cret
  ens fixture pointsIssued --set data.totalPointsIssued=500 > points.json
  ens validate points.json
  ens demo

ENS cannot reach localhost: to point a real ENS webhook at `ens listen`, expose the port with
any tunnel (ngrok, cloudflared, ssh -R, …) and use the public URL in `ens webhooks create`.";

/// Work with Capillary ENS webhooks from the command line.
///
/// Listen for deliveries and forward them to the app you are developing, send realistic events,
/// replay recordings, validate payloads against the schemas, sign and verify requests, and
/// manage webhooks and their delivery logs through the Capillary APIs.
#[derive(Debug, Parser)]
#[command(
    name = "ens",
    version,
    propagate_version = true,
    after_help = format!("{TOP_HELP}\n\n{EXIT_CODES}")
)]
pub struct Cli {
    /// Results as text for people or JSON for scripts (JSON lines for streams such as
    /// `listen`, one document otherwise). Banners and progress always go to stderr.
    #[arg(
        long,
        value_enum,
        global = true,
        default_value_t,
        help_heading = "Global options"
    )]
    format: Format,
    /// Colour text output: auto (on a terminal, unless NO_COLOR is set), always, never.
    #[arg(
        long,
        value_enum,
        global = true,
        default_value_t,
        value_name = "WHEN",
        help_heading = "Global options"
    )]
    color: ColorChoice,
    /// More diagnostics on stderr (-v debug, -vv trace); RUST_LOG, when set, wins.
    #[arg(short, long, action = ArgAction::Count, global = true, help_heading = "Global options")]
    verbose: u8,
    /// Only errors on stderr.
    #[arg(
        short,
        long,
        global = true,
        conflicts_with = "verbose",
        help_heading = "Global options"
    )]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Local(local::LocalCommand),
    #[command(flatten)]
    Admin(admin::AdminCommand),
    /// Operate the durable inbox of `ens listen --inbox`: stats, list, show, retry, purge.
    Inbox(inbox::InboxArgs),
    #[command(flatten)]
    Completions(completions::CompletionsCommand),
}

/// Parses the process's arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs parsed arguments and returns the exit code.
pub fn run(cli: Cli) -> ExitCode {
    // The demo's receivers fail on purpose; their warnings would bury its report.
    let calm = matches!(cli.command, Command::Local(local::LocalCommand::Demo(_)));
    diagnostics::install(cli.verbose, cli.quiet, calm, cli.color);
    output::set_quiet(cli.quiet);
    let ui = Ui::new(cli.format, cli.color);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            error_line!("error: cannot start the async runtime: {error}");
            return Exit::Failed.into();
        }
    };
    let outcome: Outcome = runtime.block_on(async {
        match cli.command {
            Command::Local(command) => local::run(command, ui).await,
            Command::Admin(command) => admin::run(command, ui).await,
            Command::Inbox(args) => inbox::run(args, ui).await,
            Command::Completions(command) => completions::run(command, ui),
        }
    });
    match outcome {
        Ok(exit) => exit.into(),
        Err(stop) => {
            error_line!("error: {}", stop.message);
            stop.exit.into()
        }
    }
}

/// The command definitions, for completions and the man page.
pub(crate) fn command() -> clap::Command {
    <Cli as clap::CommandFactory>::command()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_arguments_never_show_secrets_in_debug() {
        let commands = [
            vec![
                "ens",
                "listen",
                "--basic",
                "ens:pass-1",
                "--bearer",
                "tok-2",
                "--header",
                "x-key:val-3",
            ],
            vec![
                "ens",
                "trigger",
                "pointsIssued",
                "--to",
                "http://127.0.0.1:1/",
                "--hmac-secret",
                "hm-4",
            ],
            vec![
                "ens",
                "webhooks",
                "list",
                "--api-url",
                "http://127.0.0.1:1",
                "--user",
                "u",
                "--password",
                "pw-5",
            ],
            vec![
                "ens",
                "webhooks",
                "create",
                "--api-url",
                "http://x",
                "--token",
                "tok-6",
                "--name",
                "n",
                "--url",
                "http://y",
                "--event",
                "pointsIssued",
                "--header",
                "Authorization: Bearer hdr-7",
            ],
            vec![
                "ens",
                "inbox",
                "stats",
                "--inbox",
                "postgres://ens:pg-8@127.0.0.1/ens",
            ],
            vec![
                "ens",
                "listen",
                "--inbox",
                "postgresql://ens:pg-9@127.0.0.1/ens",
            ],
        ];
        for arguments in commands {
            let cli = Cli::try_parse_from(&arguments).expect("the arguments parse");
            let printed = format!("{cli:?}");
            for secret in [
                "pass-1", "tok-2", "val-3", "hm-4", "pw-5", "tok-6", "hdr-7", "pg-8", "pg-9",
            ] {
                assert!(!printed.contains(secret), "{secret} shown in {printed}");
            }
        }
    }
}
