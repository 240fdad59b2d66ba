//! The customer APIs an ENS integration calls to fill in what an event does not carry: who the
//! customer is, how to reach them, their points and tier.
//!
//! - [`Client::customer`](crate::Client::customer) and
//!   [`customer_with_points`](crate::Client::customer_with_points): `GET /v2/customers/{id}`
//!   (`?embed=points`).
//! - [`Client::lookup_customer`](crate::Client::lookup_customer) and
//!   [`lookup_customer_with_points`](crate::Client::lookup_customer_with_points):
//!   `GET /v2/customers/lookup?source=INSTORE&identifierName=…&identifierValue=…`.
//!
//! Answers read as a lenient [`Customer`](crate::Customer); Capillary's error code 8015 reads as
//! [`Error::NotFound`](crate::Error::NotFound).

mod api;
mod customer;
mod identifier;
mod points;
mod profile;

pub use customer::{Customer, LoyaltyInfo};
pub use identifier::{Identifier, IdentifierKind};
pub use points::PointsSummary;
pub use profile::{CommChannel, CustomerProfile};
