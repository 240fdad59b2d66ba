//! [`Webhook`] as an Axum extractor.

use axum::extract::{FromRef, FromRequest, Request};
use capillary_ens_schemas::FromEvent;

use crate::body::read_and_receive;
use crate::rejection::WebhookRejection;
use crate::{ReceiverConfig, Webhook};

impl<T, S> FromRequest<S> for Webhook<T>
where
    T: FromEvent,
    S: Send + Sync,
    ReceiverConfig: FromRef<S>,
{
    type Rejection = WebhookRejection;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let config = ReceiverConfig::from_ref(state);
        read_and_receive(&config, request).await?.narrow()
    }
}
