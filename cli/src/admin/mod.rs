//! `ens webhooks`, `ens subscribe`, `ens logs`, `ens metrics`: the Capillary webhook APIs.
//!
//! Exit codes of these commands:
//!
//! | code | meaning |
//! |---|---|
//! | 0 | done |
//! | 1 | the API answered an error, or could not be reached |
//! | 2 | usage error: bad arguments, unknown event name, missing URL or credentials |
//! | 3 | not found: no such webhook, event or consumer group |
//! | 4 | the API refused the credentials (401) or their permissions (403) |

use std::process::ExitCode;

use clap::Subcommand;

mod connection;
mod exit;
mod logs;
mod metrics;
mod output;
mod subscribe;
mod time_arg;
mod webhooks;

/// Printed under the help of every admin command.
const EXIT_CODES: &str = "Exit codes: 0 ok, 1 API or network error, 2 usage error, \
3 not found, 4 credentials refused (401/403).";

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
pub(crate) async fn run(command: AdminCommand) -> anyhow::Result<ExitCode> {
    let outcome = match command {
        AdminCommand::Webhooks(args) => webhooks::run(args).await,
        AdminCommand::Subscribe(args) => subscribe::run(args).await,
        AdminCommand::Logs(args) => logs::run(args).await,
        AdminCommand::Metrics(args) => metrics::run(args).await,
    };
    Ok(exit::report(outcome))
}
