//! Failures of the admin commands and their exit codes.

use std::fmt;

use capillary_ens_admin::Error;

use crate::exit::Exit;

/// Why an admin command failed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The command line is wrong (exit 2).
    Usage(String),
    /// A call to the API failed (exit 1, 3 or 4).
    Api(Error),
    /// Output could not be written (exit 1).
    Output(std::io::Error),
}

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    /// The exit code, from the one table.
    pub(crate) fn exit(&self) -> Exit {
        match self {
            Self::Usage(_) | Self::Api(Error::InvalidInput { .. }) => Exit::Usage,
            Self::Api(error) if error.is_not_found() => Exit::NotFound,
            Self::Api(error) if error.is_unauthorized() => Exit::CredentialsRefused,
            Self::Api(_) | Self::Output(_) => Exit::Failed,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Usage(message) => f.write_str(message),
            Self::Api(error) => {
                write!(f, "{error}")?;
                let mut source = std::error::Error::source(error);
                while let Some(cause) = source {
                    // The API error is already in the message.
                    if cause.to_string() != error.to_string() {
                        write!(f, ": {cause}")?;
                    }
                    source = cause.source();
                }
                Ok(())
            }
            Self::Output(error) => write!(f, "cannot write the output: {error}"),
        }
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Api(error)
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::Output(error)
    }
}

/// The message for a failure, with a hint when the credentials were refused.
pub(crate) fn message(failure: &Failure) -> String {
    let mut message = failure.to_string();
    if let Failure::Api(error) = failure
        && error.is_unauthorized()
    {
        message.push_str(
            "\nhint: check ENS_API_USER/ENS_API_PASSWORD or ENS_API_TOKEN (or the profile) and \
             the user's access to the webhook resource group",
        );
    }
    message
}
