//! [`HeaderRotation`]: change a webhook's authentication header without losing an event.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::{AcceptedHeaderValues, Client, Error, SecretString, WebhookConfig};

/// Rotates the header a webhook sends (and a receiver checks) in the order that loses no
/// event:
///
/// 1. the receiver accepts the old **and** the new value;
/// 2. the webhook is updated to send the new value (`PUT /v3/webHooks/{webHookId}`);
/// 3. after a grace period for deliveries already on their way with the old value, the
///    receiver stops accepting the old value.
///
/// When the update fails, the outcome decides what the receiver accepts (see
/// [`RotationError`]): if the API refused the update, the receiver goes back to the old value
/// only; if it is unknown whether the update took effect (timeout, 5xx), the rotation reads
/// the webhook back; if even that fails, the receiver keeps accepting **both** values,
/// because refusing a value ENS may be sending would lose events (ENS does not retry 4xx).
///
/// The receiver side is any [`AcceptedHeaderValues`]; with the feature `receiver`,
/// `capillary_ens_receiver::RotatingHeaders` is one.
///
/// ```no_run
/// # #[cfg(feature = "receiver")]
/// # async fn example(client: capillary_ens_admin::Client, accepted: capillary_ens_receiver::RotatingHeaders)
/// # -> Result<(), capillary_ens_admin::RotationError> {
/// use std::time::Duration;
/// use capillary_ens_admin::{HeaderRotation, SecretString};
///
/// // `accepted` is the verifier the running receiver was built with:
/// // `capillary_ens_receiver::Auth::new(accepted.clone())`.
/// let webhook = HeaderRotation::new(&client, "69254f46749e644bc01328c1", &accepted)
///     .new_value(SecretString::bearer_auth("n3w-t0ken"))
///     .grace_period(Duration::from_secs(120))
///     .run()
///     .await?;
/// assert_eq!(accepted.accepted_count(), 1);
/// # Ok(()) }
/// ```
#[derive(Debug)]
#[must_use]
pub struct HeaderRotation<'a> {
    client: &'a Client,
    webhook_id: String,
    receiver: &'a dyn AcceptedHeaderValues,
    new_value: Option<SecretString>,
    grace: Duration,
}

impl<'a> HeaderRotation<'a> {
    /// Prepares the rotation of `receiver`'s header on webhook `webhook_id`.
    pub fn new(
        client: &'a Client,
        webhook_id: &str,
        receiver: &'a dyn AcceptedHeaderValues,
    ) -> Self {
        Self {
            client,
            webhook_id: webhook_id.to_owned(),
            receiver,
            new_value: None,
            grace: Duration::from_secs(60),
        }
    }

    /// The value to rotate to (required), e.g. [`SecretString::bearer_auth`].
    pub fn new_value(mut self, value: impl Into<SecretString>) -> Self {
        self.new_value = Some(value.into());
        self
    }

    /// How long the old value stays accepted after the update (default 60 s, twice ENS's
    /// 30 s delivery timeout). Waited with the client's [`Sleeper`](crate::Sleeper).
    pub fn grace_period(mut self, grace: Duration) -> Self {
        self.grace = grace;
        self
    }

    /// Runs the rotation and returns the webhook as updated.
    pub async fn run(self) -> Result<WebhookConfig, RotationError> {
        let new_value = self.new_value.clone().ok_or_else(|| RotationError::Read {
            source: Error::invalid_input("no new header value was given"),
        })?;
        let header = self.receiver.header().to_owned();
        let mut webhook = self
            .client
            .get_webhook(&self.webhook_id)
            .await
            .map_err(|source| RotationError::Read { source })?;
        let old_value = webhook.headers.get(&header).cloned();

        // 1. Accept both.
        self.receiver.accept(&new_value);
        tracing::info!(header = %header, "rotation: the receiver accepts the old and the new value");

        // 2. Switch the webhook.
        webhook.headers.set(&header, new_value.clone());
        let updated = match self.client.update_webhook(&self.webhook_id, &webhook).await {
            Ok(updated) => updated,
            Err(source) if refused(&source) => {
                self.receiver.retire(&new_value);
                tracing::warn!(header = %header, "rotation: update refused, the old value stays");
                return Err(RotationError::NotApplied { source });
            }
            Err(source) => match self.client.get_webhook(&self.webhook_id).await {
                Ok(current) if sends(&current, &header, &new_value) => current,
                Ok(_) => {
                    self.receiver.retire(&new_value);
                    tracing::warn!(header = %header, "rotation: update did not apply, the old value stays");
                    return Err(RotationError::NotApplied { source });
                }
                Err(_) => {
                    tracing::warn!(header = %header, "rotation: outcome unknown, both values stay accepted");
                    return Err(RotationError::Uncertain { source });
                }
            },
        };
        tracing::info!(header = %header, "rotation: the webhook sends the new value");

        // 3. Drop the old value once deliveries already on their way have arrived.
        if let Some(old_value) = old_value.filter(|old| *old != new_value) {
            self.client.inner.sleeper.sleep(self.grace).await;
            self.receiver.retire(&old_value);
            tracing::info!(header = %header, "rotation: the old value is no longer accepted");
        }
        Ok(updated)
    }
}

/// Whether the API refused the call for good (so it did not take effect).
fn refused(error: &Error) -> bool {
    match error {
        Error::Api(api) => (400..500).contains(&api.status) && !matches!(api.status, 408 | 429),
        Error::InvalidInput { .. } | Error::NotFound { .. } => true,
        _ => false,
    }
}

fn sends(webhook: &WebhookConfig, header: &str, value: &SecretString) -> bool {
    webhook.headers.get(header) == Some(value)
}

/// Why a rotation stopped, and what the receiver accepts as a result.
#[derive(Debug)]
#[non_exhaustive]
pub enum RotationError {
    /// The webhook could not be read; nothing changed.
    Read {
        /// Why.
        source: Error,
    },
    /// The update did not take effect; the receiver accepts what it accepted before.
    NotApplied {
        /// Why.
        source: Error,
    },
    /// It is unknown whether the update took effect; the receiver accepts the old **and** the
    /// new value. Check the webhook, then [`AcceptedHeaderValues::retire`] the value it no longer
    /// sends.
    Uncertain {
        /// Why.
        source: Error,
    },
}

impl RotationError {
    /// The API or transport error behind this one.
    pub fn cause(&self) -> &Error {
        match self {
            Self::Read { source } | Self::NotApplied { source } | Self::Uncertain { source } => {
                source
            }
        }
    }
}

impl fmt::Display for RotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Read { .. } => f.write_str("cannot read the webhook; nothing was rotated"),
            Self::NotApplied { .. } => {
                f.write_str("the webhook was not updated; the old header value stays in use")
            }
            Self::Uncertain { .. } => f.write_str(
                "unknown whether the webhook was updated; the receiver accepts both values",
            ),
        }
    }
}

impl StdError for RotationError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(self.cause())
    }
}
