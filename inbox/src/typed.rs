//! Reading a stored body back into its typed event.

use capillary_ens_schemas::{Envelope, Event, ParseErrorKind};

use crate::process::Outcome;
use crate::record::Claimed;

/// One stored event, typed, as a transactional handler receives it.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TypedEvent<T> {
    /// The typed event.
    pub event: T,
    /// The normalized envelope.
    pub envelope: Envelope,
    /// The inbox key.
    pub key: String,
    /// This attempt's number, from 1.
    pub attempt: u32,
}

/// Parses `claimed`'s body; a body that fails is the outcome to record.
#[cfg_attr(not(any(feature = "sqlite", feature = "postgres")), allow(dead_code))]
pub(crate) fn typed_event(claimed: &Claimed) -> Result<(Event, Envelope), Outcome> {
    match capillary_ens_schemas::parse_tolerant(claimed.body.clone()) {
        Ok((delivery, None)) => {
            let (envelope, event, _) = delivery.into_parts();
            Ok((event, envelope))
        }
        Ok((_, Some(error))) => Err(Outcome::TypeMismatch {
            path: error.path().map(str::to_owned),
        }),
        Err(error) if error.kind() == ParseErrorKind::Data => Err(Outcome::TypeMismatch {
            path: error.path().map(str::to_owned),
        }),
        Err(_) => Err(Outcome::NotAnEvent),
    }
}
