//! `ens listen`, `trigger`, `replay`, `validate`, `events`, `demo`: work with events locally.

use std::process::ExitCode;

use clap::Subcommand;

mod auth_args;
mod demo;
mod events;
mod format;
mod listen;
mod recording;
mod replay;
mod schema_walk;
mod send;
mod trigger;
mod validate;

/// Commands that work with events on this machine.
#[derive(Debug, Subcommand)]
pub(crate) enum LocalCommand {
    /// List the 66 events by group.
    Events(events::EventsArgs),
    /// Check payload files against the schemas and report drift.
    Validate(validate::ValidateArgs),
    /// Receive deliveries on a local port and print them.
    Listen(listen::ListenArgs),
    /// Send one event to a webhook URL, as ENS would.
    Trigger(trigger::TriggerArgs),
    /// Re-send recorded deliveries to a webhook URL.
    Replay(replay::ReplayArgs),
    /// Run a receiver and the ENS simulator together and show every event delivered.
    Demo(demo::DemoArgs),
}

/// Runs one local command.
pub(crate) async fn run(command: LocalCommand) -> anyhow::Result<ExitCode> {
    match command {
        LocalCommand::Events(args) => events::run(args),
        LocalCommand::Validate(args) => validate::run(args),
        LocalCommand::Listen(args) => listen::run(args).await,
        LocalCommand::Trigger(args) => trigger::run(args).await,
        LocalCommand::Replay(args) => replay::run(args).await,
        LocalCommand::Demo(args) => demo::run(args).await,
    }
}
