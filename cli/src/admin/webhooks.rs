//! `ens webhooks list|create|update|delete`.

use crate::secret_arg::SecretArg;
use capillary_ens_admin::{Client, WebhookConfig};
use capillary_ens_schemas::EventName;
use clap::{Args, Subcommand};

use super::EXIT_CODES;
use super::connection::ApiArgs;
use super::exit::Failure;
use super::output;
use crate::output::Ui;

const WEBHOOKS_HELP: &str = "\
Examples:
  # Where and who: your cluster and an API user with write access to webhooks
  export ENS_API_URL=https://eu.api.capillarytech.com
  export ENS_API_USER=api.user ENS_API_PASSWORD=...

  # Provision a webhook for points and tier events, authenticated by a bearer token
  ens webhooks create --name crm-sync --url https://hooks.example.com/ens \\
      --event pointsIssued --event tierUpgraded \\
      --header \"Authorization: Bearer $WEBHOOK_SECRET\" --max-connections 20

  # Check it, then subscribe it to one more event
  ens webhooks list
  ens subscribe crm-sync customerAdded

  # Several clusters or orgs: profiles in ~/.config/ens/config.toml (see `ens logs --help`)
  ens webhooks list --profile eu-prod";

/// `ens webhooks …`
#[derive(Debug, Args)]
#[command(after_help = format!("{WEBHOOKS_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct WebhooksArgs {
    #[command(subcommand)]
    action: Action,
}

#[derive(Debug, Subcommand)]
enum Action {
    /// List the org's webhooks (header values are never shown).
    #[command(after_help = format!("Examples:\n  ens webhooks list\n  ens webhooks list --format json | jq -r '.[].name'\n\n{EXIT_CODES}"))]
    List(ListArgs),
    /// Create a webhook.
    #[command(after_help = format!("Examples:\n  ens webhooks create --name crm-sync --url https://hooks.example.com/ens \\\n      --event pointsIssued --header \"Authorization: Bearer $WEBHOOK_SECRET\"\n\n{EXIT_CODES}"))]
    Create(CreateArgs),
    /// Change a webhook: URL, events, headers, connections, active.
    #[command(after_help = format!("Examples:\n  ens webhooks update crm-sync --add-event tierUpgraded --max-connections 20\n  ens webhooks update crm-sync --active false\n\n{EXIT_CODES}"))]
    Update(UpdateArgs),
    /// Delete a webhook.
    #[command(after_help = format!("Examples:\n  ens webhooks delete crm-sync\n\n{EXIT_CODES}"))]
    Delete(DeleteArgs),
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Debug, Args)]
struct CreateArgs {
    /// Unique name of the webhook (Capillary does not let it change later).
    #[arg(long)]
    name: String,
    /// Endpoint URL that receives the events.
    #[arg(long)]
    url: String,
    /// An event to subscribe to, e.g. pointsIssued (repeat for more).
    #[arg(long = "event", value_name = "EVENT", required = true)]
    events: Vec<String>,
    /// A header sent with every event, as "Name: value" (repeat for more).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<SecretArg>,
    /// How many deliveries may run at once.
    #[arg(long, default_value_t = 10)]
    max_connections: u32,
    /// Identifier sources to add to events: Instore, WebEngage, WeChat (repeat for more).
    #[arg(long = "enrich-identifiers", value_name = "SOURCE")]
    enrich_identifiers: Vec<String>,
    /// Create the webhook inactive.
    #[arg(long)]
    inactive: bool,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Debug, Args)]
struct UpdateArgs {
    /// The webhook's id or name.
    webhook: String,
    /// New endpoint URL.
    #[arg(long)]
    url: Option<String>,
    /// Subscribe to this event too (repeat for more).
    #[arg(long = "add-event", value_name = "EVENT")]
    add_events: Vec<String>,
    /// Unsubscribe from this event (repeat for more).
    #[arg(long = "remove-event", value_name = "EVENT")]
    remove_events: Vec<String>,
    /// Set a header, as "Name: value" (repeat for more).
    #[arg(long = "header", value_name = "NAME: VALUE")]
    headers: Vec<SecretArg>,
    /// Remove a header by name (repeat for more).
    #[arg(long = "remove-header", value_name = "NAME")]
    remove_headers: Vec<String>,
    /// How many deliveries may run at once.
    #[arg(long)]
    max_connections: Option<u32>,
    /// Turn the webhook on (true) or off (false).
    #[arg(long)]
    active: Option<bool>,
    #[command(flatten)]
    api: ApiArgs,
}

#[derive(Debug, Args)]
struct DeleteArgs {
    /// The webhook's id or name.
    webhook: String,
    #[command(flatten)]
    api: ApiArgs,
}

pub(crate) async fn run(args: WebhooksArgs, ui: Ui) -> Result<(), Failure> {
    match args.action {
        Action::List(args) => {
            let client = args.api.client()?;
            let webhooks = client.list_webhooks().await?;
            output::webhooks(&webhooks, ui.json())?;
        }
        Action::Create(args) => {
            let events = event_names(&args.events)?;
            let mut webhook = WebhookConfig::new(&args.name, &args.url, events)
                .with_max_allowed_connections(args.max_connections)
                .with_active(!args.inactive)
                .with_identifier_enrichment(args.enrich_identifiers.iter().cloned());
            for header in &args.headers {
                let (name, value) = header_pair(header.expose())?;
                webhook.headers.set(name, value);
            }
            let client = args.api.client()?;
            let created = client.create_webhook(&webhook).await?;
            output::webhook(&created, ui.json())?;
        }
        Action::Update(args) => {
            let added = event_names(&args.add_events)?;
            let removed = event_names(&args.remove_events)?;
            let headers = args
                .headers
                .iter()
                .map(|header| header_pair(header.expose()))
                .collect::<Result<Vec<_>, _>>()?;
            let client = args.api.client()?;
            let mut webhook = find(&client, &args.webhook).await?;
            let id = webhook.id.clone().unwrap_or_default();
            if let Some(url) = args.url {
                webhook.web_hook_url = url;
            }
            webhook.subscribe_to(added);
            webhook.unsubscribe_from(removed);
            for (name, value) in headers {
                webhook.headers.set(name, value);
            }
            for name in &args.remove_headers {
                webhook.headers.remove(name);
            }
            if let Some(connections) = args.max_connections {
                webhook.max_allowed_connections = connections;
            }
            if let Some(active) = args.active {
                webhook.active = active;
            }
            let updated = client.update_webhook(&id, &webhook).await?;
            output::webhook(&updated, ui.json())?;
        }
        Action::Delete(args) => {
            let client = args.api.client()?;
            let webhook = find(&client, &args.webhook).await?;
            let id = webhook.id.clone().unwrap_or_default();
            client.delete_webhook(&id).await?;
            if ui.json() {
                output::json(&serde_json::json!({"deleted": id, "name": webhook.name}))?;
            } else {
                output::fields(&[("deleted", format!("{id} ({})", webhook.name))])?;
            }
        }
    }
    Ok(())
}

/// The webhook whose id or name is `webhook`.
pub(crate) async fn find(client: &Client, webhook: &str) -> Result<WebhookConfig, Failure> {
    let mut all = client.list_webhooks().await?;
    let index = all
        .iter()
        .position(|candidate| candidate.id.as_deref() == Some(webhook))
        .or_else(|| all.iter().position(|candidate| candidate.name == webhook));
    match index {
        Some(index) => Ok(all.swap_remove(index)),
        None => Err(Failure::Api(capillary_ens_admin::Error::NotFound {
            what: format!("webhook `{webhook}`"),
        })),
    }
}

/// Known event names, or a usage error naming the unknown ones.
pub(crate) fn event_names(names: &[String]) -> Result<Vec<EventName>, Failure> {
    let events: Vec<EventName> = names
        .iter()
        .map(|name| EventName::from_wire(name))
        .collect();
    let unknown: Vec<&str> = names
        .iter()
        .zip(&events)
        .filter(|(_, event)| !event.is_known())
        .map(|(name, _)| name.as_str())
        .collect();
    if unknown.is_empty() {
        Ok(events)
    } else {
        Err(Failure::usage(format!(
            "unknown event name{}: {} (known names are like pointsIssued, tierUpgraded, CouponIssue)",
            if unknown.len() > 1 { "s" } else { "" },
            unknown.join(", ")
        )))
    }
}

/// `"Name: value"` → (`Name`, `value`).
fn header_pair(header: &str) -> Result<(&str, String), Failure> {
    match header.split_once(':') {
        Some((name, value)) if !name.trim().is_empty() && !name.trim().contains(' ') => {
            Ok((name.trim(), value.trim().to_owned()))
        }
        _ => Err(Failure::usage(
            "a header must look like \"Name: value\", e.g. \"Authorization: Bearer …\"",
        )),
    }
}
