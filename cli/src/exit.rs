//! The exit codes of every `ens` command: one table, one meaning per code.

use std::process::ExitCode;

/// The table printed under every command's help and in the README.
pub(crate) const EXIT_CODES: &str = "\
Exit codes (the same for every command):
  0  success
  1  failed: a delivery was not accepted, a payload is invalid, a signature does not verify,
     the Capillary API answered an error or could not be reached, or the inbox database
     could not be reached or used
  2  usage error: bad arguments, an unknown event or path, a missing URL or credentials, an
     inbox URL that is neither a SQLite path nor postgres://
  3  not found: a file cannot be read, no such webhook, event or consumer group, no such
     delivery in the inbox, or no SQLite inbox file at that path
  4  the Capillary API refused the credentials (401) or their permissions (403)";

/// How a command ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    /// 0: it did what was asked.
    Success,
    /// 1: it ran, and what it checked or sent failed.
    Failed,
    /// 2: the command line is wrong.
    Usage,
    /// 3: a file, webhook, event, consumer group, inbox or inbox delivery does not exist.
    NotFound,
    /// 4: the API refused the credentials.
    CredentialsRefused,
}

impl Exit {
    /// Success when `ok`, else [`Exit::Failed`].
    pub(crate) fn from_success(ok: bool) -> Self {
        if ok { Self::Success } else { Self::Failed }
    }

    /// The number the process exits with.
    pub(crate) fn code(self) -> u8 {
        match self {
            Self::Success => 0,
            Self::Failed => 1,
            Self::Usage => 2,
            Self::NotFound => 3,
            Self::CredentialsRefused => 4,
        }
    }
}

impl From<Exit> for ExitCode {
    fn from(exit: Exit) -> Self {
        ExitCode::from(exit.code())
    }
}

/// A command that stopped with a message and an exit code.
#[derive(Debug)]
pub(crate) struct Stop {
    pub(crate) exit: Exit,
    pub(crate) message: String,
}

impl Stop {
    /// A usage error (exit 2).
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Usage,
            message: message.into(),
        }
    }

    /// Something not found (exit 3).
    pub(crate) fn not_found(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::NotFound,
            message: message.into(),
        }
    }

    /// A failure (exit 1).
    pub(crate) fn failed(message: impl Into<String>) -> Self {
        Self {
            exit: Exit::Failed,
            message: message.into(),
        }
    }
}

impl From<anyhow::Error> for Stop {
    fn from(error: anyhow::Error) -> Self {
        Self::failed(format!("{error:#}"))
    }
}

/// What a command returns: how it ended, or why it stopped.
pub(crate) type Outcome = Result<Exit, Stop>;
