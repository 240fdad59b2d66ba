//! `ens subscribe <webhook> <event>...`

use clap::Args;

use super::EXIT_CODES;
use super::connection::ApiArgs;
use super::exit::Failure;
use super::output;
use super::webhooks::{event_names, find};
use crate::output::Ui;

/// `ens subscribe`
#[derive(Debug, Args)]
#[command(after_help = format!("Example:\n  ens subscribe crm-sync pointsIssued tierUpgraded\n\n{EXIT_CODES}"))]
pub(crate) struct SubscribeArgs {
    /// The webhook's id or name.
    webhook: String,
    /// Events to add, e.g. pointsIssued tierUpgraded (an unknown name is an error, exit 2).
    #[arg(required = true, value_name = "EVENT")]
    events: Vec<String>,
    #[command(flatten)]
    api: ApiArgs,
}

pub(crate) async fn run(args: SubscribeArgs, ui: Ui) -> Result<(), Failure> {
    let events = event_names(&args.events)?;
    let client = args.api.client()?;
    let webhook = find(&client, &args.webhook).await?;
    let id = webhook.id.clone().unwrap_or_default();
    let updated = client.subscribe(&id, events).await?;
    output::webhook(&updated, ui.json())?;
    Ok(())
}
