//! [`Customer`]: who the brand knows, and [`CustomerKey`]: how an ENS event names them.

use capillary_ens_schemas::Pii;
use capillary_ens_schemas::shared::CustomerIdentifiers;
use rusqlite::{OptionalExtension, Row, params};

use crate::{Channel, Store, StoreError};

/// A customer as the brand keeps them: the name and contact Capillary never needs to hold.
///
/// Every personal field is a [`Pii`], so `Debug` shows `[redacted]` for each of them.
///
/// ```
/// use example_pii_less_messaging::{Channel, Customer};
///
/// let customer = Customer::new("Asha").capillary_id(42).email("asha@example.com");
/// assert_eq!(customer.channel(), Some(Channel::Email));
/// assert!(!format!("{customer:?}").contains("asha"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Customer {
    /// The customer's Capillary id (`customerIdentifiers.customerId`), once known.
    pub capillary_id: Option<i64>,
    /// The brand's own id for the customer (`instore.externalId` in ENS payloads).
    pub external_id: Option<Pii<String>>,
    /// Mobile number, in the form the SMS provider expects.
    pub mobile: Option<Pii<String>>,
    /// Email address.
    pub email: Option<Pii<String>>,
    /// First name, as used in greetings.
    pub first_name: Pii<String>,
    /// Last name.
    pub last_name: Option<Pii<String>>,
    /// The channel the customer asked to be reached on.
    pub preferred_channel: Option<Channel>,
}

impl Customer {
    /// A customer called `first_name`, with no ids or contact yet.
    pub fn new(first_name: impl Into<String>) -> Self {
        Self {
            capillary_id: None,
            external_id: None,
            mobile: None,
            email: None,
            first_name: Pii::new(first_name.into()),
            last_name: None,
            preferred_channel: None,
        }
    }

    /// Sets the Capillary customer id.
    pub fn capillary_id(mut self, id: i64) -> Self {
        self.capillary_id = Some(id);
        self
    }

    /// Sets the brand's external id.
    pub fn external_id(mut self, external_id: impl Into<String>) -> Self {
        self.external_id = Some(Pii::new(external_id.into()));
        self
    }

    /// Sets the mobile number.
    pub fn mobile(mut self, mobile: impl Into<String>) -> Self {
        self.mobile = Some(Pii::new(mobile.into()));
        self
    }

    /// Sets the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(Pii::new(email.into()));
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, last_name: impl Into<String>) -> Self {
        self.last_name = Some(Pii::new(last_name.into()));
        self
    }

    /// Sets the channel the customer prefers.
    pub fn prefers(mut self, channel: Channel) -> Self {
        self.preferred_channel = Some(channel);
        self
    }

    /// The address on `channel`, when the customer has a non-empty one.
    pub fn contact(&self, channel: Channel) -> Option<&Pii<String>> {
        let contact = match channel {
            Channel::Sms => self.mobile.as_ref(),
            Channel::Email => self.email.as_ref(),
        };
        contact.filter(|value| !value.expose().trim().is_empty())
    }

    /// The channel to use: the preferred one when its contact is known, else SMS when there
    /// is a mobile number, else email when there is an address, else none.
    pub fn channel(&self) -> Option<Channel> {
        self.preferred_channel
            .into_iter()
            .chain([Channel::Sms, Channel::Email])
            .find(|channel| self.contact(*channel).is_some())
    }

    fn from_row(row: &Row<'_>) -> rusqlite::Result<Self> {
        let text = |index: usize| -> rusqlite::Result<Option<Pii<String>>> {
            Ok(row.get::<_, Option<String>>(index)?.map(Pii::new))
        };
        Ok(Self {
            capillary_id: row.get(0)?,
            external_id: text(1)?,
            mobile: text(2)?,
            email: text(3)?,
            first_name: Pii::new(row.get(4)?),
            last_name: text(5)?,
            preferred_channel: row
                .get::<_, Option<String>>(6)?
                .and_then(|name| Channel::from_name(&name)),
        })
    }
}

/// The identifiers an ENS event gives for its customer, used to find them in the [`Store`].
///
/// Lookup tries the Capillary id first, then the external id, then the mobile number: the
/// first one that matches a stored customer wins. `Debug` redacts the personal identifiers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CustomerKey {
    /// `customerIdentifiers.customerId`.
    pub capillary_id: Option<i64>,
    /// `customerIdentifiers.instore.externalId`.
    pub external_id: Option<Pii<String>>,
    /// `customerIdentifiers.instore.mobile`.
    pub mobile: Option<Pii<String>>,
}

impl CustomerKey {
    /// A key with only a Capillary customer id.
    pub fn capillary_id(id: i64) -> Self {
        Self {
            capillary_id: Some(id),
            ..Self::default()
        }
    }

    /// The key in an event's `customerIdentifiers`; empty strings count as absent.
    pub fn from_identifiers(identifiers: &CustomerIdentifiers) -> Self {
        let non_empty = |value: Option<&Pii<String>>| {
            value
                .filter(|value| !value.expose().trim().is_empty())
                .cloned()
        };
        let instore = identifiers.instore.as_ref();
        Self {
            capillary_id: identifiers.customer_id,
            external_id: non_empty(instore.and_then(|ids| ids.external_id.as_ref())),
            mobile: non_empty(instore.and_then(|ids| ids.mobile.as_ref())),
        }
    }

    /// Whether the key names no one.
    pub fn is_empty(&self) -> bool {
        self.capillary_id.is_none() && self.external_id.is_none() && self.mobile.is_none()
    }
}

const COLUMNS: &str =
    "capillary_id, external_id, mobile, email, first_name, last_name, preferred_channel";

impl Store {
    /// Adds a customer; fails when the Capillary or external id is already taken.
    pub async fn add_customer(&self, customer: Customer) -> Result<(), StoreError> {
        self.run(move |connection| {
            connection.execute(
                &format!("INSERT INTO customers ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
                params![
                    customer.capillary_id,
                    customer.external_id.as_ref().map(Pii::expose),
                    customer.mobile.as_ref().map(Pii::expose),
                    customer.email.as_ref().map(Pii::expose),
                    customer.first_name.expose(),
                    customer.last_name.as_ref().map(Pii::expose),
                    customer.preferred_channel.map(Channel::as_str),
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// The customer `key` names, trying the Capillary id, the external id, then the mobile.
    pub async fn find_customer(&self, key: CustomerKey) -> Result<Option<Customer>, StoreError> {
        self.run(move |connection| {
            let find = |column: &str, value: &dyn rusqlite::ToSql| {
                connection
                    .query_row(
                        &format!(
                            "SELECT {COLUMNS} FROM customers WHERE {column} = ?1 \
                             ORDER BY id LIMIT 1"
                        ),
                        [value],
                        Customer::from_row,
                    )
                    .optional()
            };
            if let Some(id) = key.capillary_id
                && let Some(customer) = find("capillary_id", &id)?
            {
                return Ok(Some(customer));
            }
            if let Some(external_id) = &key.external_id
                && let Some(customer) = find("external_id", external_id.expose())?
            {
                return Ok(Some(customer));
            }
            match &key.mobile {
                Some(mobile) => find("mobile", mobile.expose()),
                None => Ok(None),
            }
        })
        .await
    }
}
