//! The single-pass parse behind [`crate::parse`]: `data` is read straight into its type while
//! the envelope is read, when `eventName` comes before `data` (as in every ENS delivery).
//!
//! It has no path tracking and gives up on any error; the caller then takes the two-pass path
//! ([`Envelope::parse`](crate::Envelope::parse), then [`Event::from_data`]), so results and
//! errors are exactly the two-pass ones.

use serde::Deserializer;
use serde::de::{DeserializeSeed, MapAccess};
use serde_json::value::RawValue;

use crate::envelope::{DataMode, WireEnvelope};
use crate::{Envelope, Event, EventName};

/// `data` typed on the way when the event name was read before it, else captured raw.
#[derive(Default)]
pub(crate) struct TypedData;

/// What [`TypedData`] reads `data` into.
pub(crate) enum WireData<'de> {
    /// `data` came before `eventName`: typed in a second pass.
    Raw(&'de RawValue),
    /// `data` typed as the event named `name`.
    Typed {
        /// The name the data was typed by, to check against the envelope's final name.
        name: EventName,
        /// The typed event.
        event: Event,
    },
}

impl<'de> DataMode<'de> for TypedData {
    type Data = WireData<'de>;

    fn read<A: MapAccess<'de>>(
        map: &mut A,
        event_name: Option<&str>,
    ) -> Result<WireData<'de>, A::Error> {
        match event_name {
            Some(name) => {
                let name = EventName::from_wire(name);
                let event = map.next_value_seed(DataSeed(&name))?;
                Ok(WireData::Typed { name, event })
            }
            None => map.next_value().map(WireData::Raw),
        }
    }
}

/// Reads `data` as the payload type of one event.
struct DataSeed<'n>(&'n EventName);

impl<'de> DeserializeSeed<'de> for DataSeed<'_> {
    type Value = Event;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Event, D::Error> {
        Event::deserialize_data(self.0, deserializer)
    }
}

/// The envelope and typed event of a delivery in one pass over a body validated as UTF-8 once,
/// or `None` on any problem at all (the two-pass path then says what it is).
pub(crate) fn parse_in_one_pass(raw: &[u8]) -> Option<(Envelope, Event)> {
    let text = std::str::from_utf8(crate::envelope::without_bom(raw)).ok()?;
    let wire = serde_json::from_str::<WireEnvelope<'_, TypedData>>(text).ok()?;
    let (envelope, data) = wire.normalize().ok()?;
    let event = match data {
        WireData::Typed { name, event } if name == envelope.event_name => event,
        // `eventName` was given twice, and the data was typed by another than the last.
        WireData::Typed { .. } => return None,
        WireData::Raw(data) => Event::from_data(&envelope.event_name, data).ok()?,
    };
    Some((envelope, event))
}
