//! [`Messenger`]: from an event's [`Notification`] to one message at the provider, exactly once.

use std::fmt;
use std::time::SystemTime;

use capillary_ens_receiver::HandlerError;
use tracing::{Instrument, info_span};

use crate::{
    Channel, CustomerKey, MessageKind, MessageOutcome, MessageRecord, OutgoingMessage, Provider,
    ProviderError, Store, StoreError, Templates, Vars,
};

/// One message an ENS event asks for: to whom (as the event names them), which message, and
/// the values from the event.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Notification {
    /// The provider's idempotency key and the message log's key: the `eventId`, or
    /// `eventId:couponId` when one event yields several messages.
    pub message_key: String,
    /// The ENS `eventId` (a hash of the body when the event has none).
    pub event_id: String,
    /// The ENS event name.
    pub event_name: String,
    /// How the event names the customer.
    pub customer: CustomerKey,
    /// Which message to send.
    pub kind: MessageKind,
    /// The values from the event; `first_name` is added from the brand's store.
    pub vars: Vars,
}

impl Notification {
    /// A notification keyed by `event_id`.
    pub fn new(
        event_id: impl Into<String>,
        event_name: impl Into<String>,
        customer: CustomerKey,
        kind: MessageKind,
        vars: Vars,
    ) -> Self {
        let event_id = event_id.into();
        Self {
            message_key: event_id.clone(),
            event_id,
            event_name: event_name.into(),
            customer,
            kind,
            vars,
        }
    }

    /// Keys the message `key` instead of the event id.
    pub fn message_key(mut self, key: impl Into<String>) -> Self {
        self.message_key = key.into();
        self
    }
}

/// What became of a notification; none of these is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Notified {
    /// The provider accepted the message.
    Sent(Channel),
    /// The message had been settled already (sent or rejected); nothing was sent now.
    AlreadySettled,
    /// The brand's store has no such customer; nothing was sent.
    CustomerNotFound,
    /// The customer has neither a mobile number nor an email address; nothing was sent.
    NoContact,
    /// The provider refused the message for good (a 4xx other than 401/403/408/429).
    Rejected(Channel),
}

/// Why a notification must be retried: the handler fails, and the inbox tries the event again
/// after its backoff (or the provider's `Retry-After`, if longer).
#[derive(Debug)]
#[non_exhaustive]
pub enum NotifyError {
    /// The brand's database failed.
    Store(StoreError),
    /// The provider is down, rate limiting, unreachable or refusing our credentials.
    Provider(ProviderError),
}

impl NotifyError {
    /// The handler's error: 429 with the provider's `Retry-After` when it rate limits (the
    /// inbox waits at least that long before the next attempt), else 503.
    pub fn into_handler_error(self) -> HandlerError {
        match self {
            Self::Provider(ProviderError::Retriable(error)) => error,
            other => HandlerError::unavailable(other),
        }
    }
}

impl fmt::Display for NotifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Store(_) => f.write_str("the message could not be prepared or recorded"),
            Self::Provider(_) => f.write_str("the message could not be sent"),
        }
    }
}

impl std::error::Error for NotifyError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Self::Store(error) => Some(error),
            Self::Provider(error) => Some(error),
        }
    }
}

impl From<StoreError> for NotifyError {
    fn from(error: StoreError) -> Self {
        Self::Store(error)
    }
}

/// Looks the customer up in the brand's store, renders the message and sends it.
///
/// Per notification: a message already in the log is not sent again; a customer who is not in
/// the store, or has no contact, is logged (ids only) and settled, because retrying would not
/// make them appear and the inbox would retry until its last attempt; the provider's answer decides
/// the rest ([`Notified`], [`NotifyError`]). A message is logged only once the provider has
/// accepted (or definitively rejected) it.
#[derive(Clone, Debug)]
pub struct Messenger {
    store: Store,
    provider: Provider,
    templates: Templates,
}

impl Messenger {
    /// A messenger over `store`, sending through `provider` with `templates`.
    pub fn new(store: Store, provider: Provider, templates: Templates) -> Self {
        Self {
            store,
            provider,
            templates,
        }
    }

    /// The brand's store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Handles one notification.
    pub async fn notify(&self, notification: Notification) -> Result<Notified, NotifyError> {
        let span = info_span!(
            "notify",
            event_id = %notification.event_id,
            event_name = %notification.event_name,
            message_kind = %notification.kind,
        );
        self.notify_in_span(notification).instrument(span).await
    }

    async fn notify_in_span(&self, notification: Notification) -> Result<Notified, NotifyError> {
        let Notification {
            message_key,
            event_id,
            event_name,
            customer: key,
            kind,
            mut vars,
        } = notification;
        if self.store.message_outcome(&message_key).await?.is_some() {
            tracing::info!("message settled already; not sending it again");
            return Ok(Notified::AlreadySettled);
        }
        let capillary_id = key.capillary_id;
        let Some(customer) = self.store.find_customer(key).await? else {
            tracing::info!(
                customer_id = capillary_id,
                "customer not in the brand's store; settled without a message"
            );
            return Ok(Notified::CustomerNotFound);
        };
        let Some((channel, to)) = customer
            .channel()
            .and_then(|channel| Some((channel, customer.contact(channel)?.clone())))
        else {
            tracing::info!(
                customer_id = capillary_id,
                "customer has no mobile number or email; settled without a message"
            );
            return Ok(Notified::NoContact);
        };
        vars.insert("first_name", customer.first_name.expose().as_str());
        let rendered = self.templates.render(kind, &vars);
        let message = OutgoingMessage {
            channel,
            to,
            subject: (channel == Channel::Email).then_some(rendered.subject),
            body: rendered.body,
            idempotency_key: message_key.clone(),
        };
        let (outcome, provider_message_id) = match self.provider.send(&message).await {
            Ok(accepted) => (MessageOutcome::Sent, accepted.message_id),
            Err(error) if !error.is_retriable() => {
                tracing::warn!(%channel, error = %error, "message rejected by the provider; not retried");
                (MessageOutcome::Rejected, None)
            }
            Err(error) => {
                tracing::warn!(%channel, error = %error, "provider failed; the inbox will retry the event");
                return Err(NotifyError::Provider(error));
            }
        };
        // If this fails after the provider accepted, the inbox retries and the provider drops the
        // second request by its idempotency key.
        self.store
            .record_message(MessageRecord {
                message_key,
                event_id,
                event_name,
                capillary_id: customer.capillary_id.or(capillary_id),
                channel,
                outcome,
                provider_message_id,
                settled_at: SystemTime::now(),
            })
            .await?;
        match outcome {
            MessageOutcome::Sent => {
                tracing::info!(%channel, "message sent");
                Ok(Notified::Sent(channel))
            }
            MessageOutcome::Rejected => Ok(Notified::Rejected(channel)),
        }
    }
}
