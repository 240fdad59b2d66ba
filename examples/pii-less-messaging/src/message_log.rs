//! The message log: which message of which event was settled, so none is sent twice.

use std::time::SystemTime;

use rusqlite::{OptionalExtension, params};

use crate::time::{epoch_millis, from_epoch_millis};
use crate::{Channel, Store, StoreError};

/// How a message was settled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MessageOutcome {
    /// The provider accepted it.
    Sent,
    /// The provider refused it for good (an invalid number, say); it is not retried.
    Rejected,
}

impl MessageOutcome {
    fn as_str(self) -> &'static str {
        match self {
            Self::Sent => "sent",
            Self::Rejected => "rejected",
        }
    }

    fn from_name(name: &str) -> Self {
        match name {
            "sent" => Self::Sent,
            _ => Self::Rejected,
        }
    }
}

/// One settled message. It holds ids only, never the recipient or the text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct MessageRecord {
    /// The message's idempotency key: the `eventId`, or `eventId:couponId` for coupons.
    pub message_key: String,
    /// The ENS event that caused it.
    pub event_id: String,
    /// The ENS event name.
    pub event_name: String,
    /// The customer's Capillary id, when known.
    pub capillary_id: Option<i64>,
    /// The channel used.
    pub channel: Channel,
    /// Sent or rejected.
    pub outcome: MessageOutcome,
    /// The provider's id for it.
    pub provider_message_id: Option<String>,
    /// When it was settled.
    pub settled_at: SystemTime,
}

impl Store {
    /// How the message with `message_key` was settled, if it was.
    pub async fn message_outcome(
        &self,
        message_key: &str,
    ) -> Result<Option<MessageOutcome>, StoreError> {
        let key = message_key.to_owned();
        self.run(move |connection| {
            connection
                .query_row(
                    "SELECT outcome FROM messages WHERE message_key = ?1",
                    [key],
                    |row| row.get::<_, String>(0),
                )
                .optional()
                .map(|outcome| outcome.as_deref().map(MessageOutcome::from_name))
        })
        .await
    }

    /// Records a settled message; recording the same key again keeps the first record.
    pub async fn record_message(&self, record: MessageRecord) -> Result<(), StoreError> {
        self.run(move |connection| {
            connection.execute(
                "INSERT INTO messages (message_key, event_id, event_name, customer_id, channel, \
                 outcome, provider_message_id, settled_at_ms) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ON CONFLICT (message_key) DO NOTHING",
                params![
                    record.message_key,
                    record.event_id,
                    record.event_name,
                    record.capillary_id,
                    record.channel.as_str(),
                    record.outcome.as_str(),
                    record.provider_message_id,
                    epoch_millis(record.settled_at),
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// Every settled message, oldest first.
    pub async fn messages(&self) -> Result<Vec<MessageRecord>, StoreError> {
        self.run(|connection| {
            let mut statement = connection.prepare(
                "SELECT message_key, event_id, event_name, customer_id, channel, outcome, \
                 provider_message_id, settled_at_ms FROM messages ORDER BY settled_at_ms, rowid",
            )?;
            let rows = statement.query_map([], |row| {
                Ok(MessageRecord {
                    message_key: row.get(0)?,
                    event_id: row.get(1)?,
                    event_name: row.get(2)?,
                    capillary_id: row.get(3)?,
                    channel: Channel::from_name(&row.get::<_, String>(4)?).unwrap_or(Channel::Sms),
                    outcome: MessageOutcome::from_name(&row.get::<_, String>(5)?),
                    provider_message_id: row.get(6)?,
                    settled_at: from_epoch_millis(row.get(7)?),
                })
            })?;
            rows.collect()
        })
        .await
    }
}
