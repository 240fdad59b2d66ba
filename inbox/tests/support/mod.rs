//! Shared by the backend tests: a controllable clock, fixtures, and the rules every
//! [`InboxStore`] must keep (run against SQLite and PostgreSQL).

#![allow(dead_code, unreachable_pub)]

pub mod rules;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use capillary_ens_inbox::NewDelivery;
use capillary_ens_testkit::fixtures;

/// A clock tests move by hand.
#[derive(Clone)]
pub struct ManualClock(Arc<AtomicU64>);

impl ManualClock {
    pub fn new() -> Self {
        Self(Arc::new(AtomicU64::new(1_800_000_000_000)))
    }

    pub fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_millis(self.0.load(Ordering::SeqCst))
    }

    pub fn advance(&self, by: Duration) {
        self.0.fetch_add(by.as_millis() as u64, Ordering::SeqCst);
    }

    pub fn as_clock(&self) -> impl Fn() -> SystemTime + Send + Sync + 'static {
        let clock = self.clone();
        move || clock.now()
    }
}

/// A `pointsIssued` delivery with event id `id`.
pub fn points_issued(id: &str, at: SystemTime) -> NewDelivery {
    let body = fixtures::points_issued().event_id(id).to_bytes();
    let delivery = capillary_ens_schemas::parse(body.clone()).expect("the fixture parses");
    NewDelivery::new(&delivery.envelope, body.into(), at)
}

/// A `pointsIssued` delivery whose data does not match its type.
pub fn mistyped(id: &str, at: SystemTime) -> NewDelivery {
    let body = format!(
        r#"{{"eventName":"pointsIssued","eventId":"{id}","data":{{"loyaltyProgramId":"two"}}}}"#
    )
    .into_bytes();
    let (delivery, error) =
        capillary_ens_schemas::parse_tolerant(body.clone()).expect("the envelope parses");
    assert!(error.is_some(), "the fixture must not type-check");
    NewDelivery::new(&delivery.envelope, body.into(), at)
}

#[cfg(feature = "postgres")]
pub mod postgres;

pub mod receiver;
