//! `ens webhooks`, `ens subscribe`, `ens logs`, `ens metrics`: the Capillary webhook APIs.

use std::process::ExitCode;

use clap::Subcommand;

/// Commands that talk to the Capillary webhook configuration and delivery-log APIs.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// Show delivery metrics of a webhook (work in progress).
    Metrics,
}

/// Runs one admin command.
pub(crate) async fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    match command {
        AdminCommand::Metrics => anyhow::bail!("not available yet"),
    }
}
