//! `ens webhooks`, `ens subscribe`, `ens logs`, `ens metrics`: the Capillary webhook APIs.
//! Their exit codes are the table in [`crate::exit`].

use clap::Subcommand;

use crate::exit::{Exit, Outcome, Stop};
use crate::output::Ui;

mod connection;
mod exit;
mod logs;
mod metrics;
mod output;
mod profiles;
mod subscribe;
mod webhooks;

pub(crate) use crate::exit::EXIT_CODES;

/// Commands that talk to the Capillary webhook configuration and delivery-log APIs.
#[derive(Debug, Subcommand)]
pub(crate) enum AdminCommand {
    /// List, create, update and delete the org's ENS webhooks.
    Webhooks(webhooks::WebhooksArgs),
    /// Add events to a webhook's subscription.
    Subscribe(subscribe::SubscribeArgs),
    /// Show delivery logs: of one event, an API request, a ref id, or a whole webhook.
    Logs(logs::LogsArgs),
    /// Show delivery totals of a webhook (consumer group).
    Metrics(metrics::MetricsArgs),
}

/// Runs one admin command.
pub(crate) async fn run(command: AdminCommand, ui: Ui) -> Outcome {
    let outcome = match command {
        AdminCommand::Webhooks(args) => webhooks::run(args, ui).await,
        AdminCommand::Subscribe(args) => subscribe::run(args, ui).await,
        AdminCommand::Logs(args) => logs::run(args, ui).await,
        AdminCommand::Metrics(args) => metrics::run(args, ui).await,
    };
    match outcome {
        Ok(()) => Ok(Exit::Success),
        Err(failure) => Err(Stop {
            exit: failure.exit(),
            message: exit::message(&failure),
        }),
    }
}
