//! [`EventPayload`]: what every generated event type has in common.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::{Event, EventName};

/// The typed `data` of one known event, such as [`PointsIssued`](crate::events::PointsIssued).
///
/// Lets code that handles one event type (an extractor, a router, a fixture builder) go from a
/// type to its event name and back.
///
/// ```
/// use capillary_ens_schemas::{Event, EventName, EventPayload, events::TierUpgraded};
///
/// assert_eq!(TierUpgraded::EVENT_NAME, EventName::TierUpgraded);
/// let event = TierUpgraded::default().into_event();
/// assert!(TierUpgraded::from_event(event).is_ok());
/// ```
pub trait EventPayload: Serialize + DeserializeOwned + Sized + Send + Sync + 'static {
    /// The event this type is the payload of.
    const EVENT_NAME: EventName;

    /// Wraps the payload in its [`Event`] variant.
    fn into_event(self) -> Event;

    /// Takes the payload out of its [`Event`] variant, or gives the event back unchanged.
    fn from_event(event: Event) -> Result<Self, Event>;
}

/// What an event can be narrowed to: [`Event`] itself (every event), or one payload type.
///
/// Extractors and routers take `T: FromEvent` so that one type parameter covers "any event"
/// and "only `pointsIssued`".
pub trait FromEvent: Sized + Send + 'static {
    /// Whether events named `name` are of this type.
    fn accepts(name: &EventName) -> bool;

    /// Narrows the event, or gives it back unchanged.
    fn narrow(event: Event) -> Result<Self, Event>;
}

impl FromEvent for Event {
    fn accepts(_: &EventName) -> bool {
        true
    }

    fn narrow(event: Event) -> Result<Self, Event> {
        Ok(event)
    }
}

impl<T: EventPayload> FromEvent for T {
    fn accepts(name: &EventName) -> bool {
        *name == T::EVENT_NAME
    }

    fn narrow(event: Event) -> Result<Self, Event> {
        T::from_event(event)
    }
}
