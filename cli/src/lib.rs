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

use clap::{Parser, Subcommand};

mod admin;
mod local;
mod secret_arg;

/// Work with Capillary ENS webhooks from the command line.
#[derive(Debug, Parser)]
#[command(name = "ens", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    #[command(flatten)]
    Local(local::LocalCommand),
    #[command(flatten)]
    Admin(admin::AdminCommand),
}

/// Parses the process's arguments, runs the command and returns its exit code.
pub fn main() -> ExitCode {
    run(Cli::parse())
}

/// Runs parsed arguments and returns the exit code.
pub fn run(cli: Cli) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::from(1);
        }
    };
    let outcome = runtime.block_on(async {
        match cli.command {
            Command::Local(command) => local::run(command).await,
            Command::Admin(command) => admin::run(command).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
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
        ];
        for arguments in commands {
            let cli = Cli::try_parse_from(&arguments).expect("the arguments parse");
            let printed = format!("{cli:?}");
            for secret in ["pass-1", "tok-2", "val-3", "hm-4", "pw-5", "tok-6", "hdr-7"] {
                assert!(!printed.contains(secret), "{secret} shown in {printed}");
            }
        }
    }
}
