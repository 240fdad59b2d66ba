//! Running a command while saying what runs.

use std::process::{Command, ExitStatus};

/// Prints the command, runs it with inherited stdio and returns its exit status.
pub(crate) fn status(command: &mut Command) -> Result<ExitStatus, String> {
    let shown = display(command);
    eprintln!("xtask: running `{shown}`");
    command
        .status()
        .map_err(|error| format!("could not run `{shown}`: {error}"))
}

/// Like [`status`], but a non-zero exit is an error.
pub(crate) fn run(command: &mut Command) -> Result<(), String> {
    let status = status(command)?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", display(command)))
    }
}

fn display(command: &Command) -> String {
    std::iter::once(command.get_program())
        .chain(command.get_args())
        .map(|part| part.to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
