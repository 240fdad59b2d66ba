//! The `ens` command: listen for, trigger, replay and validate Capillary ENS webhooks, and manage
//! webhooks and read their delivery logs.

#![allow(clippy::print_stdout)] // printing is what a command-line tool is for

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod admin;
mod local;

/// Work with Capillary ENS webhooks from the command line.
#[derive(Debug, Parser)]
#[command(name = "ens", version, about, long_about = None, propagate_version = true)]
struct Cli {
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

fn main() -> ExitCode {
    let cli = Cli::parse();
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
