//! `ens completions bash|zsh|fish` and `ens man`: generated from the same clap definitions
//! as the parser, so they never drift from it.

use clap::{Args, Subcommand, ValueEnum};
use clap_complete::Shell;

use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::{Ui, write_stdout};

/// Shell completions and the manual page.
#[derive(Debug, Subcommand)]
pub(crate) enum CompletionsCommand {
    /// Print a shell completion script.
    #[command(after_help = format!("{COMPLETIONS_HELP}\n\n{EXIT_CODES}"))]
    Completions(CompletionsArgs),
    /// Print the manual page (roff) of `ens`, or of one subcommand.
    #[command(after_help = format!("{MAN_HELP}\n\n{EXIT_CODES}"))]
    Man(ManArgs),
}

const COMPLETIONS_HELP: &str = "\
Examples:
  ens completions bash > ~/.local/share/bash-completion/completions/ens
  ens completions zsh > \"${fpath[1]}/_ens\"
  ens completions fish > ~/.config/fish/completions/ens.fish";

const MAN_HELP: &str = "\
Examples:
  ens man > ens.1 && man ./ens.1
  ens man listen | man -l -";

/// `ens completions`
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    shell: CompletionShell,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

/// `ens man`
#[derive(Debug, Args)]
pub(crate) struct ManArgs {
    /// A subcommand, such as `listen`; the whole command when absent.
    #[arg(value_name = "COMMAND")]
    subcommand: Option<String>,
}

pub(crate) fn run(command: CompletionsCommand, _ui: Ui) -> Outcome {
    let mut definitions = crate::command();
    let mut bytes = Vec::new();
    match command {
        CompletionsCommand::Completions(args) => {
            let shell = match args.shell {
                CompletionShell::Bash => Shell::Bash,
                CompletionShell::Zsh => Shell::Zsh,
                CompletionShell::Fish => Shell::Fish,
            };
            clap_complete::generate(shell, &mut definitions, "ens", &mut bytes);
        }
        CompletionsCommand::Man(args) => {
            definitions.build();
            let page = match &args.subcommand {
                None => definitions,
                Some(name) => definitions
                    .find_subcommand(name)
                    .cloned()
                    .map(|sub| sub.display_name(format!("ens-{name}")))
                    .ok_or_else(|| Stop::usage(format!("`{name}` is not an ens command")))?,
            };
            clap_mangen::Man::new(page)
                .render(&mut bytes)
                .map_err(|error| Stop::failed(format!("cannot render the manual: {error}")))?;
        }
    }
    write_stdout(&bytes);
    Ok(Exit::Success)
}
