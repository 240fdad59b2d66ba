//! `ens listen`: a receiver on a port, with the chosen authentication and the real status
//! policy, that prints each delivery (personal data redacted), can record them to a file, and
//! can forward them to the app being developed.

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
use capillary_ens_receiver::{EnsRouter, HandlerError, ReceiverConfig, Webhook};
use capillary_ens_schemas::schema_walk::{SchemaSet, redact};
use capillary_ens_schemas::{Envelope, EventName};
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
use crate::output::Ui;
use crate::secret_arg::SecretArg;

const LISTEN_HELP: &str = "\
Examples:
  ens listen --port 8080 --basic ens:s3cret
  ens listen --port 8080 --basic ens:s3cret -f http://127.0.0.1:3000/webhooks/ens
  ens listen --port 8080 -e pointsIssued,tierUpgraded -f http://127.0.0.1:3000/webhooks/ens
  ens listen --port 0 --max-deliveries 1 --format json | jq .status
  ens listen --port 8080 --basic ens:s3cret --record deliveries.jsonl

Status policy (as a capillary-ens-receiver app): 401 when authentication fails, 400 for a body
that is not an event, 413 too large, 415 not JSON, 2xx for every authentic event (known,
unknown or not matching its type), 2xx without processing for a duplicate. With --forward-to,
the app's answer is passed back to the sender; 503 when the app cannot be reached.

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
    /// Stop after this many deliveries.
    #[arg(long, value_name = "N")]
    max_deliveries: Option<usize>,
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
    });
    let config = ReceiverConfig::new(auth).body_limit(args.body_limit);
    let handler_listener = Arc::clone(&listener);
    let ens = EnsRouter::new().fallback(move |webhook: Webhook| {
        let listener = Arc::clone(&handler_listener);
        async move { listener.handle(webhook).await }
    });
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
    if listener.forwarder.is_some() {
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
        let seen = self.seen.fetch_add(1, Ordering::SeqCst) + 1;
        if self.max_deliveries.is_some_and(|max| seen >= max) {
            self.done.notify_one();
        }
    }

    fn printable_body(&self, name: Option<&EventName>, body: &[u8]) -> Option<Value> {
        let mut value: Value = serde_json::from_slice(body).ok()?;
        if !self.show_pii {
            let name = name?;
            let report = self.schemas.walk_delivery(name, &value);
            redact(&mut value, &report.personal_data);
            // Keys the schemas do not know are where drifted personal data hides.
            redact(&mut value, &report.unknown_keys);
            if !name.is_known() {
                // Nothing says which fields of an unknown event are personal: show none of them.
                redact_data_of_unknown_event(&mut value);
            }
        }
        Some(value)
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
        let mut line = format!(
            "{} {} {} -> {} {message}",
            format_time(now),
            name.map_or_else(|| "-".to_owned(), ToString::to_string),
            event_id.unwrap_or("-"),
            ui.status(status.as_u16(), &status.as_u16().to_string()),
        );
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
}

fn redact_data_of_unknown_event(value: &mut Value) {
    let data = match value.get_mut("data") {
        Some(data) => Some(data),
        None => value.pointer_mut("/attributes/data"),
    };
    if let Some(data) = data {
        *data = Value::String("[redacted: unknown event; use --show-pii]".to_owned());
    }
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
