//! Typed payloads for every event of Capillary's Event Notification Service (ENS).
//!
//! ENS POSTs one JSON event to a brand's webhook whenever something happens in the loyalty
//! platform: a customer is added, points are issued, a tier changes, a coupon is redeemed …
//! This crate gives each of the 66 events an exact Rust type, generated from the JSON Schemas
//! in `schemas/json/` (embedded in [`json_schema`]), and parses raw request bodies into them.
//!
//! # Quick start
//!
//! ```
//! use capillary_ens_schemas::{Event, EventGroup, parse};
//!
//! let body = br#"{
//!   "eventName": "pointsIssued",
//!   "eventId": "0b7d7c8e-7f1d-4c55-9a51-6f3b2f0f6d21",
//!   "orgId": 50952,
//!   "refId": "50952_627e870bd278ed95deb5a046b4e9a647",
//!   "createdAt": 1732527005123,
//!   "data": {
//!     "customerIdentifiers": {"customerId": 564937812, "instore": {"mobile": "919876543210"}},
//!     "triggeringActivity": {"name": "NewBill", "identifiers": [{"key": "BillId", "value": "312554898"}]},
//!     "loyaltyProgramDetails": {"id": 2649, "name": "Club Rewards"},
//!     "loyaltyProgramId": 2649,
//!     "programCurrentPoints": 2261.5,
//!     "programLifetimePoints": 3884.5,
//!     "totalPointsIssued": 100,
//!     "regularPointsIssued": 100,
//!     "regularPointsBreakup": [{"points": 100, "expiryAt": "2026-06-29"}],
//!     "promotionalPointsIssued": [],
//!     "promisedPointsIssued": []
//!   }
//! }"#;
//!
//! let delivery = parse(body.to_vec())?;
//! assert_eq!(delivery.envelope.event_name.group(), Some(EventGroup::Points));
//! match &delivery.event {
//!     Event::PointsIssued(points) => {
//!         // Decimals keep the digits ENS sent; optional fields are `Option`s.
//!         assert_eq!(points.program_current_points.as_ref().unwrap().to_string(), "2261.5");
//!         assert_eq!(points.loyalty_program_id, 2649);
//!         assert_eq!(points.customer_identifiers.customer_id, Some(564937812));
//!         // Personal data is wrapped: it serializes as sent but never shows in `Debug`.
//!         let instore = points.customer_identifiers.instore.as_ref().unwrap();
//!         let mobile = instore.mobile.as_ref().unwrap();
//!         assert_eq!(format!("{mobile:?}"), "[redacted]");
//!         assert_eq!(mobile.expose(), "919876543210");
//!     }
//!     other => panic!("unexpected event {}", other.name()),
//! }
//! # Ok::<(), capillary_ens_schemas::ParseError>(())
//! ```
//!
//! # What the types promise
//!
//! - **Open to drift.** Unknown keys are ignored, never rejected (the raw bytes are kept in
//!   [`Delivery`]); unknown event names parse as [`Event::Unknown`]; enumerations are open
//!   (an unknown value lands in an `Other(String)` variant, and matching ignores case).
//! - **As lenient as the sender.** Integer fields accept `1.0`; numeric fields accept decimal
//!   strings such as `"600.000"`; in an optional numeric field `null` and `""` are absent; ids
//!   that vary between numbers and strings are [`IntOrString`]; values the docs and samples
//!   disagree on are [`NumberOrText`]. Only what ENS never leaves out (the ids an event is
//!   about) is required; every other field is an `Option`.
//! - **Exact.** Points, amounts and other decimals are [`Decimal`]s that keep the digits ENS
//!   sent (never `f64`); epoch-millisecond times are [`Timestamp`]s. The features
//!   `rust_decimal`, `jiff` and `chrono` add conversions only, never change a field's type.
//! - **Personal data is marked.** Names, mobile numbers, emails, external ids and card numbers
//!   are [`Pii`], whose `Debug` is `[redacted]`.
//! - **Errors say where.** A payload that does not match its type yields a [`ParseError`] with
//!   the JSON path of the failing value.
//!
//! Dispatch happens on the event name first, so parsing costs one typed parse of the one
//! payload type, not a trial of 66.

mod decimal;
mod delivery;
mod envelope;
mod error;
#[rustfmt::skip] // formatted by prettyplease in capillary-ens-codegen; `capillary-ens-codegen check` compares it byte for byte
mod generated;
mod int_or_string;
pub mod json_path;
pub mod json_schema;
mod lenient;
mod number_or_text;
mod open_enum;
mod payload;
mod pii;
pub mod retry_after;
pub mod schema_walk;
mod single_pass;
mod timestamp;

pub use decimal::{Decimal, ParseDecimalError};
pub use delivery::{Delivery, parse, parse_tolerant};
pub use envelope::{Envelope, WireForm, Wrapper};
pub use error::{ParseError, ParseErrorKind};
pub use generated::event::Event;
pub use generated::event_name::{EventGroup, EventName};
pub use generated::{events, shared};
pub use int_or_string::IntOrString;
pub use number_or_text::NumberOrText;
pub use payload::{EventPayload, FromEvent};
pub use pii::Pii;
pub use timestamp::Timestamp;

/// The README's examples, compiled as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
