//! [`AuthError`]: why a request was not accepted as authentic.

use std::fmt;

/// Why a request failed authentication. Every variant means HTTP 401.
///
/// Messages are stable, lowercase, and never contain a secret or a submitted credential.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AuthError {
    /// A required header is absent.
    MissingHeader {
        /// The header's name.
        header: String,
    },
    /// A header is present but holds no accepted value.
    InvalidHeader {
        /// The header's name.
        header: String,
    },
    /// A signature header is not in the expected format.
    MalformedSignature {
        /// The header's name.
        header: String,
    },
    /// No accepted secret produces the signature.
    SignatureMismatch {
        /// The header's name.
        header: String,
    },
    /// A timestamp header is not a number of seconds.
    MalformedTimestamp {
        /// The header's name.
        header: String,
    },
    /// The timestamp is further from now than the tolerance allows.
    TimestampOutOfTolerance {
        /// The header's name.
        header: String,
    },
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::MissingHeader { header } => write!(f, "missing `{header}` header"),
            Self::InvalidHeader { header } => {
                write!(f, "`{header}` header holds no accepted value")
            }
            Self::MalformedSignature { header } => {
                write!(f, "`{header}` header is not a valid signature")
            }
            Self::SignatureMismatch { header } => {
                write!(f, "`{header}` signature does not match the body")
            }
            Self::MalformedTimestamp { header } => {
                write!(f, "`{header}` header is not a unix timestamp")
            }
            Self::TimestampOutOfTolerance { header } => {
                write!(f, "`{header}` timestamp is outside the allowed tolerance")
            }
        }
    }
}

impl std::error::Error for AuthError {}
