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
/// use ens_schemas::{Event, EventName, EventPayload, events::TierUpgraded};
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
