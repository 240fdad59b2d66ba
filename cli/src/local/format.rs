//! The `--format` flag shared by commands that print results.

use clap::ValueEnum;

/// How a command prints its results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// Aligned text for people.
    #[default]
    Text,
    /// JSON for scripts.
    Json,
}
