//! [`SimulatorBuilder`]: the webhook's configuration, as set up in the ENS console.

use std::time::Duration;

use capillary_ens_receiver::{HmacSha256, StandardWebhooks, StaticHeaders};

use super::request::RequestShape;
use super::transport::Transport;
use super::{Duplicates, RetryPolicy, Simulator, VirtualClock};

/// Configures a [`Simulator`]; start with [`Simulator::to_url`] or [`Simulator::to_router`].
///
/// Defaults: [`RetryPolicy::ens`], 30 s attempt timeout, 10 connections, no duplicates, no
/// reordering, no [queue mode](Self::queue_mode), a [`VirtualClock`] starting at the real now. `Debug` shows header names only,
/// never their values.
#[derive(Debug)]
#[must_use = "call .build() to get a Simulator"]
pub struct SimulatorBuilder {
    pub(crate) transport: Transport,
    pub(crate) shape: RequestShape,
    pub(crate) policy: RetryPolicy,
    pub(crate) attempt_timeout: Duration,
    pub(crate) max_connections: usize,
    pub(crate) duplicates: Duplicates,
    pub(crate) reorder: Option<u64>,
    pub(crate) clock: Option<VirtualClock>,
    pub(crate) queue_mode: bool,
}

impl SimulatorBuilder {
    pub(crate) fn new(transport: Transport) -> Self {
        Self {
            transport,
            shape: RequestShape::default(),
            policy: RetryPolicy::ens(),
            attempt_timeout: Duration::from_secs(30),
            max_connections: 10,
            duplicates: Duplicates::none(),
            reorder: None,
            clock: None,
            queue_mode: false,
        }
    }

    /// Sends `name: value` with every attempt, like the webhook's `webHookHeaders`. The value
    /// is treated as a secret: it never shows in `Debug` or logs.
    ///
    /// # Panics
    ///
    /// When `name` or `value` cannot be an HTTP header.
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.shape.configure(name, value.into());
        self
    }

    /// Sends `Authorization: Basic <base64(user:password)>`.
    pub fn basic_auth(self, user: &str, password: &str) -> Self {
        self.static_headers(&StaticHeaders::basic(user, password))
    }

    /// Sends `Authorization: Bearer <token>`.
    pub fn bearer(self, token: &str) -> Self {
        self.static_headers(&StaticHeaders::bearer(token))
    }

    /// Sends the first accepted value of each header a receiver's [`StaticHeaders`] requires.
    ///
    /// # Panics
    ///
    /// When a value cannot be an HTTP header.
    pub fn static_headers(mut self, headers: &StaticHeaders) -> Self {
        for (name, value) in headers.first_values() {
            self.shape.configure(name, value.clone());
        }
        self
    }

    /// Signs each attempt's body with [`HmacSha256::sign`], and sends the timestamp header (in
    /// virtual time) when the signer has one, like a signing gateway in front of ENS.
    ///
    /// # Panics
    ///
    /// When the signer's header names are not valid HTTP header names.
    pub fn sign_hmac(mut self, signer: HmacSha256) -> Self {
        self.shape.sign_hmac(signer);
        self
    }

    /// Signs each attempt the Standard Webhooks way: `webhook-id` (the `eventId`, or a hash
    /// of the body when it has none), `webhook-timestamp` (virtual time), `webhook-signature`.
    pub fn sign_standard_webhooks(mut self, signer: StandardWebhooks) -> Self {
        self.shape.sign_standard_webhooks(signer);
        self
    }

    /// When failed attempts are retried; [`RetryPolicy::ens`] by default.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.policy = policy;
        self
    }

    /// How long one attempt may take, in real time (30 s by default). A slower receiver's
    /// attempt counts as timed out and the event is delivered again later.
    pub fn attempt_timeout(mut self, timeout: Duration) -> Self {
        self.attempt_timeout = timeout;
        self
    }

    /// At most `limit` attempts in flight at once (`maxAllowedConnections`, 10 by default;
    /// 0 counts as 1).
    pub fn max_connections(mut self, limit: usize) -> Self {
        self.max_connections = limit.max(1);
        self
    }

    /// Which events are delivered twice; none by default.
    pub fn duplicates(mut self, duplicates: Duplicates) -> Self {
        self.duplicates = duplicates;
        self
    }

    /// Makes [`Simulator::deliver_all`] send its events in an order shuffled by `seed`; the
    /// same seed gives the same order.
    pub fn reorder(mut self, seed: u64) -> Self {
        self.reorder = Some(seed);
        self
    }

    /// Delivers like ENS's per-webhook queue: one event at a time, in the order given, and an
    /// event that is retrying **holds back every later event** until it is delivered or its
    /// retry window closes (seven days with [`RetryPolicy::ens`]). Off by default, when events
    /// are attempted independently (up to [`max_connections`](Self::max_connections) at once).
    ///
    /// Use it to show the cost of a retriable answer: with a receiver that answers 503 to one
    /// event it will never accept, [`DeliveryReport::held_back`](super::DeliveryReport::held_back)
    /// of the next event is the whole retry window. Order is kept within one `deliver_all`
    /// (and its `resume`); [`reorder`](Self::reorder) still shuffles the order first.
    pub fn queue_mode(mut self) -> Self {
        self.queue_mode = true;
        self
    }

    /// Uses `clock` (share it with the receiver under test); by default a new clock starting
    /// at the real now.
    pub fn clock(mut self, clock: VirtualClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// The path requests go to with [`Simulator::to_router`] (`/` by default). A URL given to
    /// [`Simulator::to_url`] already names its path; this changes nothing there.
    pub fn path(mut self, path: &str) -> Self {
        self.transport.set_path(path);
        self
    }

    /// The simulator.
    pub fn build(self) -> Simulator {
        Simulator::from_builder(self)
    }
}
