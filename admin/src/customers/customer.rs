//! [`Customer`] and [`LoyaltyInfo`]: a customer as the v2 customer APIs answer it.

use capillary_ens_schemas::Pii;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::lenient;
use crate::{CustomerProfile, IdentifierKind, PointsSummary};

/// A customer, as `GET /v2/customers/{id}` and the lookup answer it.
///
/// Lenient: every field is optional, unknown fields are ignored, a field of an unexpected type
/// reads as absent and list entries that cannot be read are skipped. Personal data (names,
/// identifier and contact values, extended fields) is held in [`Pii`], so `Debug` shows none
/// of it.
///
/// ```
/// use capillary_ens_admin::{Customer, IdentifierKind};
///
/// let customer: Customer = serde_json::from_str(r#"{
///     "id": 42,
///     "profiles": [{"firstName": "Priya", "identifiers": [{"type": "externalId", "value": "SHOP-42"}]}],
///     "pointsSummaries": [{"programId": 973, "loyaltyPoints": 1270.5, "currentSlab": "Gold"}]
/// }"#)?;
/// assert_eq!(customer.id, Some(42));
/// assert_eq!(customer.identifier(&IdentifierKind::ExternalId).map(|id| id.expose().as_str()), Some("SHOP-42"));
/// assert_eq!(customer.points_summary(973).and_then(|points| points.loyalty_points), Some(1270.5));
/// assert!(!format!("{customer:?}").contains("Priya"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Customer {
    /// `id`: the Capillary customer (user) id.
    #[serde(default, deserialize_with = "lenient::int")]
    pub id: Option<i64>,
    /// `profiles`: one per source; the first is the main one.
    #[serde(default, deserialize_with = "lenient::objects")]
    pub profiles: Vec<CustomerProfile>,
    /// `loyaltyInfo`.
    #[serde(default, deserialize_with = "lenient::one_object")]
    pub loyalty_info: Option<LoyaltyInfo>,
    /// `pointsSummaries`: points and tier per loyalty program. Empty unless points were asked
    /// for ([`Client::customer_with_points`](crate::Client::customer_with_points)).
    #[serde(default, deserialize_with = "lenient::objects")]
    pub points_summaries: Vec<PointsSummary>,
    /// `extendedFields`, such as `gender` or `dob_date` (empty when absent).
    #[serde(default, deserialize_with = "lenient::pii_map")]
    pub extended_fields: Pii<Map<String, Value>>,
}

impl Customer {
    /// The first (main) profile.
    pub fn profile(&self) -> Option<&CustomerProfile> {
        self.profiles.first()
    }

    /// The value of the first identifier of `kind`, in any profile.
    pub fn identifier(&self, kind: &IdentifierKind) -> Option<&Pii<String>> {
        self.profiles
            .iter()
            .find_map(|profile| profile.identifier(kind))
    }

    /// The points summary of loyalty program `program_id`.
    pub fn points_summary(&self, program_id: i64) -> Option<&PointsSummary> {
        self.points_summaries
            .iter()
            .find(|summary| summary.program_id == Some(program_id))
    }
}

/// A customer's `loyaltyInfo`.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoyaltyInfo {
    /// `loyaltyType`: `loyalty` for an enrolled member, `non_loyalty` otherwise.
    #[serde(default, deserialize_with = "lenient::text")]
    pub loyalty_type: Option<String>,
    /// `lifetimePurchases`: the customer's total purchase amount.
    #[serde(default, deserialize_with = "lenient::float")]
    pub lifetime_purchases: Option<f64>,
}
