//! `ens listen`: a receiver on a port, with the chosen authentication and the real status
//! policy, that prints each delivery (personal data redacted), can record them to a file, and
//! can forward them to the app being developed.
//!
//! With `--inbox`, the receiver only authenticates, stores the delivery in the durable inbox
//! and answers after the commit; the inbox's workers print and forward it, retry a failed
//! forward with backoff and make it a dead letter after `--max-attempts`.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use capillary_ens_inbox::{Claimed, InboxConfig, Outcome as InboxOutcome};
use capillary_ens_receiver::{EnsRouter, HandlerError, ReceiverConfig, Webhook};
use capillary_ens_schemas::schema_walk::SchemaSet;
use capillary_ens_schemas::{Envelope, EventName, ParseErrorKind};
use clap::Args;
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::auth_args::AuthArgs;
use super::forward::{AppAnswer, Forwarder};
use super::recording::{RecordedDelivery, open_for_append};
use super::send::millis;
use super::signing::Signer;
use super::trigger::find_event;
use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::inbox::InboxLocation;
use crate::output::Ui;
use crate::redaction::printable_body;
use crate::secret_arg::SecretArg;

const LISTEN_HELP: &str = "\
Examples:
  ens listen --port 8080 --basic ens:s3cret
  ens listen --port 8080 --basic ens:s3cret -f http://127.0.0.1:3000/webhooks/ens
  ens listen --port 8080 -e pointsIssued,tierUpgraded -f http://127.0.0.1:3000/webhooks/ens
  ens listen --port 0 --max-deliveries 1 --format json | jq .status
  ens listen --port 8080 --basic ens:s3cret --record deliveries.jsonl
  ens listen --port 8080 --basic ens:s3cret --inbox inbox.db -f http://127.0.0.1:3000/webhooks/ens
  ens listen --port 8080 --inbox postgres://ens@127.0.0.1/ens --max-attempts 3

Status policy (as a capillary-ens-receiver app): 401 when authentication fails, 400 for a body
that is not an event, 413 too large, 415 not JSON, 2xx for every authentic event (known,
unknown or not matching its type), 2xx without processing for a duplicate. With --forward-to,
the app's answer is passed back to the sender; 503 when the app cannot be reached.

With --inbox (a SQLite file, created if missing, or a PostgreSQL URL): each authentic delivery
is stored and answered 200 once committed (503 with Retry-After while the database is
unavailable; 200 for a duplicate, also across restarts). Workers then print it and, with
--forward-to, forward it: an app answer of 429, 5xx or none is retried with backoff, and after
--max-attempts the delivery is a dead letter; an event whose data does not match its type is a
dead letter at once. The app gets the body re-signed with this listener's own authentication
(the inbox never stores headers). With --format json a worker's line carries
`inbox: {key, attempt, state}`. `ens inbox` shows, retries and purges what is stored.

ENS cannot reach localhost. To point a real ENS webhook here, expose the port with any tunnel
(ngrok http 8080, cloudflared tunnel --url http://localhost:8080, ssh -R …) and give the
tunnel's public URL to `ens webhooks create --url`.

Personal data: values the schemas mark personal, and values of keys the schemas do not know
(where drifted personal data hides), print as [redacted] unless --show-pii. A --record file
holds the raw bodies, personal data included; it is created readable by you only (0600).";

/// Receive ENS deliveries on a local port, print them, and optionally forward them to your app.
#[derive(Debug, Args)]
#[command(after_help = format!("{LISTEN_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct ListenArgs {
    /// The port to listen on (0 picks a free one; stderr says which).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// The address to bind.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    bind: IpAddr,
    /// The path deliveries are POSTed to.
    #[arg(long, default_value = "/")]
    path: String,
    #[command(flatten)]
    auth: AuthArgs,
    /// Forward each authentic delivery to this URL (your app) with ENS's headers, and print
    /// its answer and latency.
    #[arg(short = 'f', long, value_name = "URL")]
    forward_to: Option<String>,
    /// Only these events (comma-separated or repeated); others are acknowledged and not
    /// forwarded.
    #[arg(short = 'e', long, value_name = "EVENT", value_delimiter = ',')]
    events: Vec<String>,
    /// With --forward-to: a header for the app instead of the one received, `NAME:VALUE`
    /// (repeat for several), when the app expects other credentials than the webhook's.
    #[arg(long, value_name = "NAME:VALUE", requires = "forward_to")]
    forward_header: Vec<SecretArg>,
    /// With --forward-to: seconds to wait for the app's answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    forward_timeout: u64,
    /// Append every delivery (accepted or not) to this file, one JSON line each, for
    /// `ens replay`. The file holds raw bodies, personal data included; it is created with
    /// mode 0600.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Print personal data and the values of keys the schemas do not know instead of
    /// `[redacted]`.
    #[arg(long)]
    show_pii: bool,
    /// The largest body accepted, in bytes (generous: no real ENS event comes near it, and a
    /// 413 would lose the event).
    #[arg(long, default_value_t = 16 * 1024 * 1024)]
    body_limit: usize,
    /// Stop after this many deliveries (with --inbox: once that many are processed or dead
    /// letters, or answered without storing: duplicates, refusals).
    #[arg(long, value_name = "N")]
    max_deliveries: Option<usize>,
    /// Store each authentic delivery in this durable inbox before answering, and process it
    /// from there: a SQLite file (created if missing) or a PostgreSQL URL.
    #[arg(long, value_name = "PATH|URL")]
    inbox: Option<InboxLocation>,
    /// With --inbox: a delivery whose forward fails this many times becomes a dead letter.
    #[arg(long, value_name = "N", default_value_t = 10, requires = "inbox")]
    max_attempts: u32,
}

struct Listener {
    schemas: SchemaSet,
    record: Option<Mutex<std::fs::File>>,
    show_pii: bool,
    ui: Ui,
    body_limit: usize,
    seen: AtomicUsize,
    max_deliveries: Option<usize>,
    done: Notify,
    forwarder: Option<Forwarder>,
    events: Option<Vec<EventName>>,
    /// The headers each body arrived with, for forwarding (keyed by the exact body).
    received_headers: Mutex<HashMap<Bytes, HeaderMap>>,
    /// The app's answer to each body forwarded.
    answers: Mutex<HashMap<Bytes, AppAnswer>>,
    /// Deliveries go to the inbox; its workers print and forward them.
    inbox_mode: bool,
    /// With an inbox: the attempts before a dead letter.
    max_attempts: u32,
}

pub(crate) async fn run(args: ListenArgs, ui: Ui) -> Outcome {
    if !args.path.starts_with('/') {
        return Err(Stop::usage("--path must start with /"));
    }
    let auth = args
        .auth
        .receiver_auth()
        .map_err(|error| Stop::usage(error.to_string()))?;
    if args.auth.is_empty() {
        note!("warning: no authentication configured; every request is accepted");
    }
    let events = if args.events.is_empty() {
        None
    } else {
        Some(
            args.events
                .iter()
                .map(|text| {
                    find_event(text.trim()).ok_or_else(|| {
                        Stop::usage(format!(
                            "--events: {text:?} is not an ENS event; `ens events` lists them"
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()?,
        )
    };
    let forwarder = match &args.forward_to {
        Some(url) => {
            let parts = args
                .auth
                .parts()
                .map_err(|error| Stop::usage(error.to_string()))?;
            Some(
                Forwarder::new(
                    url,
                    Signer::new(parts),
                    &args.forward_header,
                    Duration::from_secs(args.forward_timeout.max(1)),
                )
                .map_err(Stop::usage)?,
            )
        }
        None => None,
    };
    let record = match &args.record {
        Some(path) => Some(Mutex::new(open_for_append(path).map_err(|error| {
            Stop::not_found(format!(
                "cannot open {} for recording: {error}",
                path.display()
            ))
        })?)),
        None => None,
    };
    let listener = Arc::new(Listener {
        schemas: SchemaSet::embedded(),
        record,
        show_pii: args.show_pii,
        ui,
        body_limit: args.body_limit,
        seen: AtomicUsize::new(0),
        max_deliveries: args.max_deliveries,
        done: Notify::new(),
        forwarder,
        events,
        received_headers: Mutex::new(HashMap::new()),
        answers: Mutex::new(HashMap::new()),
        inbox_mode: args.inbox.is_some(),
        max_attempts: args.max_attempts.max(1),
    });
    let config = ReceiverConfig::new(auth).body_limit(args.body_limit);
    let (ens, inbox) = match &args.inbox {
        Some(location) => {
            let inbox_config = InboxConfig::default()
                .max_attempts(listener.max_attempts)
                .claim_batch(1);
            let inbox = location.open(inbox_config).await?;
            let ens = EnsRouter::<ReceiverConfig>::new().acknowledge_with(inbox.clone());
            (ens, Some((inbox, location.describe())))
        }
        None => {
            let handler_listener = Arc::clone(&listener);
            let ens = EnsRouter::new().fallback(move |webhook: Webhook| {
                let listener = Arc::clone(&handler_listener);
                async move { listener.handle(webhook).await }
            });
            (ens, None)
        }
    };
    let app: Router = Router::new()
        .route(&args.path, ens.into_method_router())
        .with_state(config)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&listener),
            observe,
        ));
    let socket = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .map_err(|error| {
            Stop::failed(format!(
                "cannot listen on {}:{}: {error}",
                args.bind, args.port
            ))
        })?;
    let address = socket
        .local_addr()
        .map_err(|error| Stop::failed(error.to_string()))?;
    note!("listening on http://{address}{}", args.path);
    if let Some(forwarder) = &listener.forwarder {
        note!("forwarding to {}", forwarder.url());
    }
    let workers = inbox.map(|(inbox, described)| {
        note!("storing deliveries in {described}; its workers print and forward them");
        let processing = Arc::clone(&listener);
        inbox.start(move |claimed: Claimed| {
            let listener = Arc::clone(&processing);
            async move { listener.process_stored(claimed).await }
        })
    });
    let shutdown = {
        let listener = Arc::clone(&listener);
        async move {
            tokio::select! {
                _ = listener.done.notified() => {}
                _ = tokio::signal::ctrl_c() => {}
            }
        }
    };
    axum::serve(socket, app)
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|error| Stop::failed(format!("the server stopped: {error}")))?;
    if let Some(workers) = workers {
        // The delivery being processed is finished and recorded; the rest wait in the inbox.
        workers.shutdown().await;
    }
    Ok(Exit::Success)
}

async fn observe(State(listener): State<Arc<Listener>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, listener.body_limit.saturating_add(1)).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let response = (StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response();
            listener.report(response.status(), "the body is too large", &[], None);
            return response;
        }
    };
    if listener.forwarder.is_some() && !listener.inbox_mode {
        lock(&listener.received_headers).insert(bytes.clone(), parts.headers.clone());
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    lock(&listener.received_headers).remove(&bytes);
    let answer = lock(&listener.answers).remove(&bytes);
    let (mut parts, body) = response.into_parts();
    // The receiver's answers are short, stable messages.
    let message = to_bytes(body, 4096).await.unwrap_or_default();
    let text = String::from_utf8_lossy(&message).into_owned();
    listener.report(parts.status, &text, &bytes, answer.as_ref());
    // The sender sees the app's answer, as it would without the listener in between.
    if let Some(answer) = answer
        && let Some(status) = answer.status_code()
    {
        parts.status = status;
        parts.headers.remove(http::header::RETRY_AFTER);
        parts.headers.remove(http::header::CONTENT_TYPE);
        parts.headers.remove(http::header::CONTENT_LENGTH);
        if let Some(retry_after) = answer.retry_after {
            parts.headers.insert(http::header::RETRY_AFTER, retry_after);
        }
        return Response::from_parts(parts, Body::from(answer.body));
    }
    Response::from_parts(parts, Body::from(message))
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Listener {
    fn wanted(&self, name: &EventName) -> bool {
        self.events
            .as_ref()
            .is_none_or(|events| events.contains(name))
    }

    /// The receiver's handler: forward when asked; the app's retriable answers are retriable
    /// here too, so the receiver does not mark the event processed.
    async fn handle(&self, webhook: Webhook) -> Result<(), HandlerError> {
        let Some(forwarder) = &self.forwarder else {
            return Ok(());
        };
        if !self.wanted(&webhook.envelope.event_name) {
            return Ok(());
        }
        let headers = lock(&self.received_headers)
            .get(&webhook.raw)
            .cloned()
            .unwrap_or_default();
        let answer = forwarder.forward(&webhook.raw, &headers).await;
        let retriable = answer.is_retriable();
        let summary = answer.summary();
        lock(&self.answers).insert(webhook.raw.clone(), answer);
        if retriable {
            Err(HandlerError::unavailable(format!(
                "the app answered {summary}"
            )))
        } else {
            Ok(())
        }
    }

    fn report(&self, status: StatusCode, message: &str, body: &[u8], answer: Option<&AppAnswer>) {
        let (name, event_id) = match Envelope::parse(body) {
            Ok((envelope, _)) => (Some(envelope.event_name), envelope.event_id),
            Err(_) => (None, None),
        };
        let now = millis(SystemTime::now());
        tracing::debug!(
            event = name.as_ref().map_or("-", EventName::as_str),
            event_id = event_id.as_deref().unwrap_or("-"),
            status = status.as_u16(),
            body_len = body.len(),
            "received"
        );
        if let Some(file) = &self.record {
            let line = RecordedDelivery::new(
                now,
                answer
                    .and_then(|answer| answer.status)
                    .unwrap_or(status.as_u16()),
                name.as_ref().map(ToString::to_string),
                event_id.clone(),
                body,
            );
            if let Err(error) = line.append_to(&mut *lock(file)) {
                error_line!("error: cannot record the delivery: {error}");
            }
        }
        if self.inbox_mode && status.is_success() && message == "stored" {
            // Stored for the workers, which print it once processed.
            return;
        }
        let filtered_out = name.as_ref().is_some_and(|name| !self.wanted(name));
        let first_time = status.is_success() && !message.starts_with("duplicate");
        let shown_body = (first_time && !filtered_out)
            .then(|| self.printable_body(name.as_ref(), body))
            .flatten();
        let note = if filtered_out && status.is_success() {
            Some("not in --events")
        } else {
            None
        };
        self.print(
            now,
            status,
            message,
            name.as_ref(),
            event_id.as_deref(),
            shown_body,
            answer,
            note,
        );
        self.count_delivery();
    }

    /// One more delivery done with; stops the listener at --max-deliveries.
    fn count_delivery(&self) {
        let seen = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if self.max_deliveries.is_some_and(|max| seen >= max) {
            self.done.notify_one();
        }
    }

    /// A worker's turn on a stored delivery: check its type, forward it when asked, print
    /// how it went, and tell the inbox (retry, dead letter, processed).
    async fn process_stored(&self, claimed: Claimed) -> InboxOutcome {
        let name = EventName::from(claimed.event_name.as_str());
        tracing::debug!(
            event = %name,
            event_id = claimed.event_id.as_deref().unwrap_or("-"),
            attempt = claimed.attempt,
            "processing a stored delivery"
        );
        let last_attempt = claimed.attempt >= self.max_attempts;
        if !self.wanted(&name) {
            self.print_stored(
                &claimed,
                StoredEnd::Processed,
                None,
                Some("not in --events"),
            );
            return InboxOutcome::Handled;
        }
        match capillary_ens_schemas::parse_tolerant(claimed.body.clone()) {
            Ok((_, None)) => {}
            Ok((_, Some(error))) => return self.mismatched(&claimed, error.path()),
            Err(error) if error.kind() == ParseErrorKind::Data => {
                return self.mismatched(&claimed, error.path());
            }
            Err(_) => {
                self.print_stored(
                    &claimed,
                    StoredEnd::Dead("dead letter: not_an_event".to_owned()),
                    None,
                    None,
                );
                return InboxOutcome::NotAnEvent;
            }
        }
        let Some(forwarder) = &self.forwarder else {
            self.print_stored(&claimed, StoredEnd::Processed, None, None);
            return InboxOutcome::Handled;
        };
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static("application/json"),
        );
        let answer = forwarder.forward(&claimed.body, &headers).await;
        if !answer.is_retriable() {
            self.print_stored(&claimed, StoredEnd::Processed, Some(&answer), None);
            return InboxOutcome::Handled;
        }
        let end = if last_attempt {
            StoredEnd::Dead(format!(
                "dead letter after {} attempt{}",
                claimed.attempt,
                if claimed.attempt == 1 { "" } else { "s" }
            ))
        } else {
            StoredEnd::Retrying
        };
        self.print_stored(&claimed, end, Some(&answer), None);
        let retry_after = answer.retry_after.as_ref().and_then(|value| {
            capillary_ens_schemas::retry_after::parse(value.to_str().ok()?, SystemTime::now())
        });
        InboxOutcome::Failed {
            rate_limited: answer.status == Some(429),
            retry_after,
        }
    }

    /// The stored event's data does not match its type: it would fail every time.
    fn mismatched(&self, claimed: &Claimed, path: Option<&str>) -> InboxOutcome {
        let message = match path {
            Some(path) => format!("dead letter: type_mismatch at {path}"),
            None => "dead letter: type_mismatch".to_owned(),
        };
        self.print_stored(claimed, StoredEnd::Dead(message), None, None);
        InboxOutcome::TypeMismatch {
            path: path.map(str::to_owned),
        }
    }

    /// Prints a worker's line for `claimed` (the body on its first attempt) and counts the
    /// delivery when it is done with for good.
    fn print_stored(
        &self,
        claimed: &Claimed,
        end: StoredEnd,
        answer: Option<&AppAnswer>,
        note: Option<&str>,
    ) {
        let name = EventName::from(claimed.event_name.as_str());
        let body = (claimed.attempt == 1)
            .then(|| self.printable_body(Some(&name), &claimed.body))
            .flatten();
        let (state, message, colour) = match &end {
            StoredEnd::Processed => ("processed", "processed".to_owned(), 200),
            StoredEnd::Retrying => (
                "retrying",
                format!(
                    "retrying (attempt {} of {})",
                    claimed.attempt, self.max_attempts
                ),
                503,
            ),
            StoredEnd::Dead(message) => ("dead", message.clone(), 400),
        };
        let ui = &self.ui;
        let received_at = millis(claimed.received_at);
        if ui.json() {
            ui.json_line(&json!({
                "receivedAt": received_at,
                "status": 200,
                "outcome": message,
                "eventName": claimed.event_name,
                "eventId": claimed.event_id,
                "forwarded": answer,
                "note": note,
                "body": body,
                "inbox": {
                    "key": claimed.key,
                    "attempt": claimed.attempt,
                    "state": state,
                },
            }));
        } else {
            let line = format!(
                "{} {} {} -> inbox {}",
                format_time(received_at),
                claimed.event_name,
                claimed.event_id.as_deref().unwrap_or("-"),
                ui.status(colour, &message),
            );
            print_text_tail(ui, line, answer, note, body);
        }
        if !matches!(end, StoredEnd::Retrying) {
            self.count_delivery();
        }
    }

    fn printable_body(&self, name: Option<&EventName>, body: &[u8]) -> Option<Value> {
        printable_body(&self.schemas, name, body, self.show_pii)
    }

    #[allow(clippy::too_many_arguments)]
    fn print(
        &self,
        now: i64,
        status: StatusCode,
        message: &str,
        name: Option<&EventName>,
        event_id: Option<&str>,
        body: Option<Value>,
        answer: Option<&AppAnswer>,
        note: Option<&str>,
    ) {
        let ui = &self.ui;
        if ui.json() {
            ui.json_line(&json!({
                "receivedAt": now,
                "status": status.as_u16(),
                "outcome": message,
                "eventName": name.map(ToString::to_string),
                "eventId": event_id,
                "forwarded": answer,
                "note": note,
                "body": body,
            }));
            return;
        }
        let line = format!(
            "{} {} {} -> {} {message}",
            format_time(now),
            name.map_or_else(|| "-".to_owned(), ToString::to_string),
            event_id.unwrap_or("-"),
            ui.status(status.as_u16(), &status.as_u16().to_string()),
        );
        print_text_tail(ui, line, answer, note, body);
    }
}

/// Ends a delivery's text line with the app's answer and a note, prints it, then the body.
fn print_text_tail(
    ui: &Ui,
    mut line: String,
    answer: Option<&AppAnswer>,
    note: Option<&str>,
    body: Option<Value>,
) {
    if let Some(answer) = answer {
        line.push_str(&format!(
            " | app {}",
            ui.status(answer.status.unwrap_or(0), &answer.summary())
        ));
    }
    if let Some(note) = note {
        line.push_str(&format!(" ({})", ui.dim(note)));
    }
    ui.line(line);
    if let Some(body) = body
        && let Ok(pretty) = serde_json::to_string_pretty(&body)
    {
        ui.line(pretty);
    }
}

/// How a worker's attempt on a stored delivery ended.
enum StoredEnd {
    Processed,
    Retrying,
    Dead(String),
}

/// `HH:MM:SS.mmm` UTC: enough to follow a session.
fn format_time(millis: i64) -> String {
    let seconds_of_day = millis.div_euclid(1000).rem_euclid(86_400);
    format!(
        "{:02}:{:02}:{:02}.{:03}Z",
        seconds_of_day / 3600,
        seconds_of_day / 60 % 60,
        seconds_of_day % 60,
        millis.rem_euclid(1000)
    )
}
