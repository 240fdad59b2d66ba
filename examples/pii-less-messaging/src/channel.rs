//! [`Channel`]: how a message reaches the customer.

use std::fmt;

/// How a message reaches the customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Channel {
    /// A text message to the customer's mobile number.
    Sms,
    /// An email to the customer's address.
    Email,
}

impl Channel {
    /// The name used in the database and in the provider's API: `sms` or `email`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }

    /// The channel named `name` (`sms` or `email`, any case).
    pub fn from_name(name: &str) -> Option<Self> {
        if name.eq_ignore_ascii_case("sms") {
            Some(Self::Sms)
        } else if name.eq_ignore_ascii_case("email") {
            Some(Self::Email)
        } else {
            None
        }
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
