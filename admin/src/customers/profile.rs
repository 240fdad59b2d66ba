//! [`CustomerProfile`] and [`CommChannel`]: a customer's name, identifiers and contacts.

use capillary_ens_schemas::Pii;
use serde::Deserialize;

use crate::lenient;
use crate::{Identifier, IdentifierKind};

/// One profile of a customer (Capillary keeps one per source, `INSTORE` first).
///
/// Names, identifier values and contact values are personal data: `Debug` redacts them.
/// Text is trimmed and blank text reads as absent.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct CustomerProfile {
    /// `firstName`.
    #[serde(default, deserialize_with = "lenient::pii_text")]
    pub first_name: Option<Pii<String>>,
    /// `lastName`.
    #[serde(default, deserialize_with = "lenient::pii_text")]
    pub last_name: Option<Pii<String>>,
    /// `identifiers`: mobile, email, external id, card number … (entries without a type or a
    /// value are skipped).
    #[serde(default, deserialize_with = "lenient::objects")]
    pub identifiers: Vec<Identifier>,
    /// `commChannels`: the addresses the customer can be reached at.
    #[serde(default, deserialize_with = "lenient::objects")]
    pub comm_channels: Vec<CommChannel>,
    /// `source`, such as `INSTORE`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub source: Option<String>,
}

impl CustomerProfile {
    /// The value of the first identifier of `kind`.
    pub fn identifier(&self, kind: &IdentifierKind) -> Option<&Pii<String>> {
        self.identifiers
            .iter()
            .find(|identifier| identifier.kind == *kind)
            .map(|identifier| &identifier.value)
    }

    /// The communication channel of `kind` (`"email"`, `"mobile"` …, case-insensitive): the
    /// primary one, else the first.
    pub fn comm_channel(&self, kind: &str) -> Option<&CommChannel> {
        let mut of_kind = self
            .comm_channels
            .iter()
            .filter(|channel| channel.kind.eq_ignore_ascii_case(kind));
        let first = of_kind.clone().next();
        of_kind.find(|channel| channel.primary).or(first)
    }
}

/// A communication channel of a profile (`commChannels[]`). `Debug` redacts the value.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct CommChannel {
    /// `type`: `mobile`, `email`, or another channel as Capillary names it.
    #[serde(rename = "type", deserialize_with = "lenient::required_text")]
    pub kind: String,
    /// `value`: the address.
    #[serde(deserialize_with = "lenient::required_pii_text")]
    pub value: Pii<String>,
    /// `primary`: the customer's preferred address of this kind.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub primary: bool,
    /// `verified`.
    #[serde(default, deserialize_with = "lenient::flag")]
    pub verified: bool,
}
