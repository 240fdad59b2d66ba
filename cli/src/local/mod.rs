//! `ens listen`, `trigger`, `replay`, `validate`, `events`, `demo`, `fixture`, `sign`, `verify`:
//! work with events locally.

use clap::Subcommand;

use crate::exit::Outcome;
use crate::output::Ui;

mod assignments;
mod auth_args;
mod demo;
mod events;
mod forward;
mod listen;
mod recording;
mod replay;
mod send;
mod sign;
mod signing;
mod trigger;
mod validate;

pub(crate) use trigger::find_event;

/// Commands that work with events on this machine.
#[derive(Debug, Subcommand)]
pub(crate) enum LocalCommand {
    /// List the 66 events by group.
    Events(events::EventsArgs),
    /// Check payload files against the schemas and report drift.
    Validate(validate::ValidateArgs),
    /// Receive deliveries on a local port, print them, forward them to your app.
    Listen(listen::ListenArgs),
    /// Send one event to a webhook URL, as ENS would.
    Trigger(trigger::TriggerArgs),
    /// Re-send recorded deliveries to a webhook URL.
    Replay(replay::ReplayArgs),
    /// Print a realistic delivery of an event, for tests in any language.
    Fixture(trigger::FixtureArgs),
    /// Print the authentication headers ENS would send with a body.
    Sign(sign::SignArgs),
    /// Check whether a request's headers authenticate its body.
    Verify(sign::VerifyArgs),
    /// Run a receiver and the ENS simulator together and show every event delivered.
    Demo(demo::DemoArgs),
}

/// Runs one local command.
pub(crate) async fn run(command: LocalCommand, ui: Ui) -> Outcome {
    match command {
        LocalCommand::Events(args) => events::run(args, ui),
        LocalCommand::Validate(args) => validate::run(args, ui),
        LocalCommand::Listen(args) => listen::run(args, ui).await,
        LocalCommand::Trigger(args) => trigger::run(args, ui).await,
        LocalCommand::Replay(args) => replay::run(args, ui).await,
        LocalCommand::Fixture(args) => trigger::run_fixture(args, ui),
        LocalCommand::Sign(args) => sign::run_sign(args, ui),
        LocalCommand::Verify(args) => sign::run_verify(args, ui),
        LocalCommand::Demo(args) => demo::run(args, ui).await,
    }
}
