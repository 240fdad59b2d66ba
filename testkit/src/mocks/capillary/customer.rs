//! [`MockCustomer`]: a customer the Capillary mock knows, and its v2 JSON.

use capillary_ens_schemas::Pii;
use serde_json::{Map, Value, json};

/// The loyalty program id used when none is given.
const DEFAULT_PROGRAM_ID: u64 = 973;

/// A customer the [`CapillaryApiMock`](super::CapillaryApiMock) answers lookups for.
///
/// Names, contacts, external ids, card numbers and extended fields are personal data: `Debug`
/// redacts them (as [`Pii`] does), so a customer can be logged in a test without leaking them.
///
/// ```
/// use capillary_ens_testkit::mocks::capillary::MockCustomer;
///
/// let priya = MockCustomer::new(42)
///     .first_name("Priya")
///     .mobile("919876543210")
///     .points(1270.5)
///     .tier("Gold");
/// let debug = format!("{priya:?}");
/// assert!(debug.contains("id: 42") && debug.contains("Gold"));
/// assert!(!debug.contains("Priya") && !debug.contains("919876543210"));
///
/// let json = priya.v2_json(true);
/// assert_eq!(json["profiles"][0]["firstName"], "Priya");
/// assert_eq!(json["pointsSummaries"][0]["loyaltyPoints"], 1270.5);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MockCustomer {
    id: u64,
    first_name: Option<Pii<String>>,
    last_name: Option<Pii<String>>,
    mobile: Option<Pii<String>>,
    email: Option<Pii<String>>,
    external_id: Option<Pii<String>>,
    card_number: Option<Pii<String>>,
    extended_fields: Pii<Map<String, Value>>,
    program_id: u64,
    points: f64,
    redeemed_points: f64,
    expired_points: f64,
    tier: String,
    lifetime_purchases: f64,
}

impl MockCustomer {
    /// A loyalty customer with Capillary user id `id`, no profile data, 0 points, tier `Bronze`.
    pub fn new(id: u64) -> Self {
        Self {
            id,
            first_name: None,
            last_name: None,
            mobile: None,
            email: None,
            external_id: None,
            card_number: None,
            extended_fields: Pii::new(Map::new()),
            program_id: DEFAULT_PROGRAM_ID,
            points: 0.0,
            redeemed_points: 0.0,
            expired_points: 0.0,
            tier: "Bronze".to_owned(),
            lifetime_purchases: 0.0,
        }
    }

    /// The Capillary user id.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// Sets the first name.
    pub fn first_name(mut self, first_name: &str) -> Self {
        self.first_name = Some(Pii::from(first_name));
        self
    }

    /// Sets the last name.
    pub fn last_name(mut self, last_name: &str) -> Self {
        self.last_name = Some(Pii::from(last_name));
        self
    }

    /// Sets the mobile number (identifier `mobile`), digits with country code as Capillary
    /// stores them (`919876543210`).
    pub fn mobile(mut self, mobile: &str) -> Self {
        self.mobile = Some(Pii::from(mobile));
        self
    }

    /// Sets the email address (identifier `email`).
    pub fn email(mut self, email: &str) -> Self {
        self.email = Some(Pii::from(email));
        self
    }

    /// Sets the external id (identifier `externalId`).
    pub fn external_id(mut self, external_id: &str) -> Self {
        self.external_id = Some(Pii::from(external_id));
        self
    }

    /// Sets the loyalty card number (identifier `cardnumber`).
    pub fn card_number(mut self, card_number: &str) -> Self {
        self.card_number = Some(Pii::from(card_number));
        self
    }

    /// Adds an extended field (`extendedFields.<name>`), such as `gender` or `dob_date`.
    pub fn extended_field(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.extended_fields
            .expose_mut()
            .insert(name.to_owned(), value.into());
        self
    }

    /// Sets the loyalty program id the points summary is reported under (default 973).
    pub fn program_id(mut self, program_id: u64) -> Self {
        self.program_id = program_id;
        self
    }

    /// Sets the redeemable points balance (`loyaltyPoints`).
    pub fn points(mut self, points: f64) -> Self {
        self.points = points;
        self
    }

    /// Sets the points redeemed so far.
    pub fn redeemed_points(mut self, redeemed: f64) -> Self {
        self.redeemed_points = redeemed;
        self
    }

    /// Sets the points expired so far.
    pub fn expired_points(mut self, expired: f64) -> Self {
        self.expired_points = expired;
        self
    }

    /// Sets the tier (slab) name, such as `Gold`.
    pub fn tier(mut self, tier: &str) -> Self {
        tier.clone_into(&mut self.tier);
        self
    }

    /// Sets the lifetime purchase amount (`loyaltyInfo.lifetimePurchases`).
    pub fn lifetime_purchases(mut self, amount: f64) -> Self {
        self.lifetime_purchases = amount;
        self
    }

    /// Whether identifier `name` has `value`. Emails compare case-insensitively, other
    /// identifiers exactly.
    pub(crate) fn has_identifier(&self, name: IdentifierName, value: &str) -> bool {
        let stored = match name {
            IdentifierName::Mobile => &self.mobile,
            IdentifierName::Email => &self.email,
            IdentifierName::ExternalId => &self.external_id,
            IdentifierName::CardNumber => &self.card_number,
        };
        match (stored, name) {
            (Some(stored), IdentifierName::Email) => stored.expose().eq_ignore_ascii_case(value),
            (Some(stored), _) => stored.expose() == value,
            (None, _) => false,
        }
    }

    /// The customer as the mock's `GET /v2/customers/{id}` answers it; with `embed_points` the
    /// answer also carries `pointsSummaries` (what `embed=points` asks for).
    ///
    /// The shape is modelled on Capillary's v2 customer resource; see the
    /// [module documentation](super) for what is assumed.
    pub fn v2_json(&self, embed_points: bool) -> Value {
        let mut customer = json!({
            "id": self.id,
            "profiles": [self.profile_json()],
            "loyaltyInfo": {
                "loyaltyType": "loyalty",
                "lifetimePurchases": self.lifetime_purchases,
            },
            "segments": {},
            "extendedFields": self.extended_fields.expose(),
            "associatedWith": "",
            "warnings": [],
        });
        if embed_points && let Some(object) = customer.as_object_mut() {
            object.insert("pointsSummaries".to_owned(), json!([self.points_json()]));
        }
        customer
    }

    fn profile_json(&self) -> Value {
        let identifiers: Vec<Value> = [
            ("mobile", &self.mobile),
            ("email", &self.email),
            ("externalId", &self.external_id),
            ("cardnumber", &self.card_number),
        ]
        .into_iter()
        .filter_map(|(kind, value)| {
            let value = value.as_ref()?;
            Some(json!({ "type": kind, "value": value.expose() }))
        })
        .collect();
        let comm_channels: Vec<Value> = [("mobile", &self.mobile), ("email", &self.email)]
            .into_iter()
            .filter_map(|(kind, value)| {
                let value = value.as_ref()?;
                Some(json!({
                    "type": kind,
                    "value": value.expose(),
                    "primary": true,
                    "verified": false,
                    "meta": { "lastViewedDate": "", "residence": false, "office": false },
                }))
            })
            .collect();
        json!({
            "firstName": self.first_name.as_ref().map_or("", |name| name.expose().as_str()),
            "lastName": self.last_name.as_ref().map_or("", |name| name.expose().as_str()),
            "fields": {},
            "identifiers": identifiers,
            "commChannels": comm_channels,
            "source": "INSTORE",
            "accountId": "",
            "conflictingProfileList": [],
        })
    }

    fn points_json(&self) -> Value {
        let lifetime = self.points + self.redeemed_points + self.expired_points;
        json!({
            "programId": self.program_id,
            "loyaltyPoints": self.points,
            "totalAvailablePoints": self.points,
            "redeemed": self.redeemed_points,
            "expired": self.expired_points,
            "returned": 0.0,
            "adjusted": 0.0,
            "lifetimePoints": lifetime,
            "cumulativePoints": lifetime,
            "cumulativePurchases": self.lifetime_purchases,
            "currentSlab": self.tier,
            "nextSlab": "",
        })
    }
}

/// An identifier the lookup endpoint accepts in `identifierName`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum IdentifierName {
    Mobile,
    Email,
    ExternalId,
    CardNumber,
}

impl IdentifierName {
    /// Parses `identifierName` case-insensitively (`cardNumber` and `cardnumber` both work).
    pub(crate) fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "mobile" => Some(Self::Mobile),
            "email" => Some(Self::Email),
            "externalid" => Some(Self::ExternalId),
            "cardnumber" => Some(Self::CardNumber),
            _ => None,
        }
    }
}
