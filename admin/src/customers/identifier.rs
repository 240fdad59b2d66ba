//! [`Identifier`] and [`IdentifierKind`]: how Capillary knows a customer besides their id.

use capillary_ens_schemas::Pii;
use serde::{Deserialize, Deserializer};

use crate::lenient;

/// The kind of a customer identifier, as the lookup's `identifierName` and a profile's
/// `identifiers[].type` name it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IdentifierKind {
    /// `mobile`: digits with the country code, as Capillary stores them (`919876543210`).
    Mobile,
    /// `email`.
    Email,
    /// `externalId`: the brand's own customer id.
    ExternalId,
    /// `cardnumber`: a loyalty card number.
    CardNumber,
    /// Another identifier, by its wire name.
    Other(String),
}

impl IdentifierKind {
    /// Reads a wire name case-insensitively (`cardNumber` and `cardnumber` are both
    /// [`CardNumber`](Self::CardNumber)); an unknown name is [`Other`](Self::Other).
    ///
    /// ```
    /// use capillary_ens_admin::IdentifierKind;
    ///
    /// assert_eq!(IdentifierKind::from_wire("EXTERNALID"), IdentifierKind::ExternalId);
    /// assert_eq!(IdentifierKind::from_wire("wechat").as_wire(), "wechat");
    /// ```
    pub fn from_wire(name: &str) -> Self {
        let name = name.trim();
        match name.to_ascii_lowercase().as_str() {
            "mobile" => Self::Mobile,
            "email" => Self::Email,
            "externalid" => Self::ExternalId,
            "cardnumber" => Self::CardNumber,
            _ => Self::Other(name.to_owned()),
        }
    }

    /// The name the lookup endpoint takes as `identifierName`.
    pub fn as_wire(&self) -> &str {
        match self {
            Self::Mobile => "mobile",
            Self::Email => "email",
            Self::ExternalId => "externalId",
            Self::CardNumber => "cardnumber",
            Self::Other(name) => name,
        }
    }
}

/// A customer identifier: a kind and a value. The value is personal data: `Debug` redacts it.
///
/// Used to [look a customer up](crate::Client::lookup_customer), and read from a profile's
/// `identifiers`.
///
/// ```
/// use capillary_ens_admin::{Identifier, IdentifierKind};
///
/// let mobile = Identifier::mobile("919876543210");
/// assert_eq!(mobile.kind, IdentifierKind::Mobile);
/// assert_eq!(mobile.value.expose(), "919876543210");
/// assert!(!format!("{mobile:?}").contains("9198"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Identifier {
    /// What kind of identifier it is.
    pub kind: IdentifierKind,
    /// Its value.
    pub value: Pii<String>,
}

impl Identifier {
    /// An identifier of `kind` with `value`.
    pub fn new(kind: IdentifierKind, value: impl Into<String>) -> Self {
        Self {
            kind,
            value: Pii::new(value.into()),
        }
    }

    /// A mobile number, digits with the country code (`919876543210`).
    pub fn mobile(value: impl Into<String>) -> Self {
        Self::new(IdentifierKind::Mobile, value)
    }

    /// An email address (Capillary compares emails case-insensitively).
    pub fn email(value: impl Into<String>) -> Self {
        Self::new(IdentifierKind::Email, value)
    }

    /// The brand's external id.
    pub fn external_id(value: impl Into<String>) -> Self {
        Self::new(IdentifierKind::ExternalId, value)
    }

    /// A loyalty card number.
    pub fn card_number(value: impl Into<String>) -> Self {
        Self::new(IdentifierKind::CardNumber, value)
    }
}

impl<'de> Deserialize<'de> for Identifier {
    /// Reads `{"type": "mobile", "value": "919876543210"}`; fails on a blank type or value.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Wire {
            #[serde(rename = "type", deserialize_with = "lenient::required_text")]
            kind: String,
            #[serde(deserialize_with = "lenient::required_pii_text")]
            value: Pii<String>,
        }
        let wire = Wire::deserialize(deserializer)?;
        Ok(Self {
            kind: IdentifierKind::from_wire(&wire.kind),
            value: wire.value,
        })
    }
}
