//! [`Error`]: why the schemas could not be turned into code or docs.

use std::fmt;
use std::path::PathBuf;

/// A schema that the generator cannot use, or a file it cannot read or write.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be read or written.
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A file is not valid JSON.
    Json {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: serde_json::Error,
    },
    /// A schema breaks one of the conventions in `schemas/json/README.md`.
    Schema {
        /// Where: the document and the JSON pointer or property.
        location: String,
        /// What is wrong, in lowercase.
        message: String,
    },
}

impl Error {
    pub(crate) fn schema(location: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Schema {
            location: location.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Io { path, .. } => write!(f, "cannot read or write {}", path.display()),
            Self::Json { path, .. } => write!(f, "{} is not valid json", path.display()),
            Self::Schema { location, message } => write!(f, "{location}: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Io { source, .. } => Some(source),
            Self::Json { source, .. } => Some(source),
            Self::Schema { .. } => None,
        }
    }
}
