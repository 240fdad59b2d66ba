//! [`PointsSummary`]: a customer's points and tier in one loyalty program.

use serde::Deserialize;

use crate::lenient;

/// One entry of a customer's `pointsSummaries` (present with `embed=points`): the points and
/// the tier ("slab") in one loyalty program. Every field is optional; numbers are finite.
#[derive(Clone, Debug, PartialEq, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct PointsSummary {
    /// `programId`: the loyalty program.
    #[serde(default, deserialize_with = "lenient::int")]
    pub program_id: Option<i64>,
    /// `loyaltyPoints`: the redeemable balance.
    #[serde(default, deserialize_with = "lenient::float")]
    pub loyalty_points: Option<f64>,
    /// `totalAvailablePoints`.
    #[serde(default, deserialize_with = "lenient::float")]
    pub total_available_points: Option<f64>,
    /// `redeemed`: points redeemed so far.
    #[serde(default, deserialize_with = "lenient::float")]
    pub redeemed: Option<f64>,
    /// `expired`: points expired so far.
    #[serde(default, deserialize_with = "lenient::float")]
    pub expired: Option<f64>,
    /// `returned`: points taken back by returns.
    #[serde(default, deserialize_with = "lenient::float")]
    pub returned: Option<f64>,
    /// `adjusted`: manual adjustments.
    #[serde(default, deserialize_with = "lenient::float")]
    pub adjusted: Option<f64>,
    /// `lifetimePoints`: every point ever earned.
    #[serde(default, deserialize_with = "lenient::float")]
    pub lifetime_points: Option<f64>,
    /// `cumulativePoints`.
    #[serde(default, deserialize_with = "lenient::float")]
    pub cumulative_points: Option<f64>,
    /// `cumulativePurchases`: the purchase amount counted by the program.
    #[serde(default, deserialize_with = "lenient::float")]
    pub cumulative_purchases: Option<f64>,
    /// `currentSlab`: the current tier's name, such as `Gold`.
    #[serde(default, deserialize_with = "lenient::text")]
    pub current_slab: Option<String>,
    /// `nextSlab`: the next tier's name, if any.
    #[serde(default, deserialize_with = "lenient::text")]
    pub next_slab: Option<String>,
}
