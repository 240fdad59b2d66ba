//! `ens listen`: a receiver on a port, with the chosen authentication and the real status
//! policy, that prints each delivery (personal data redacted) and can record them to a file.

use std::fs::OpenOptions;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context as _;
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use capillary_ens_receiver::{EnsRouter, ReceiverConfig, Webhook};
use capillary_ens_schemas::{Envelope, EventName};
use clap::Args;
use http::StatusCode;
use serde_json::{Value, json};
use tokio::sync::Notify;

use super::auth_args::AuthArgs;
use super::format::OutputFormat;
use super::recording::RecordedDelivery;
use super::schema_walk::{SchemaSet, redact};

/// Receive ENS deliveries on a local port and print them.
///
/// Answers exactly as an `capillary-ens-receiver` app does: 401 when authentication fails, 400 for a body
/// that is not an event, 413 too large, 415 not JSON, 200 for every authentic event (known,
/// unknown or not matching its type), and 200 without processing for a duplicate `eventId`.
///
/// Example: ens listen --port 8080 --basic ens:s3cret --record deliveries.jsonl
#[derive(Debug, Args)]
pub(crate) struct ListenArgs {
    /// The port to listen on (0 picks a free one; the first line printed says which).
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
    /// Append every delivery (accepted or not) to this file, one JSON line each, for `ens replay`.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Print personal data (names, mobile numbers, emails, ids) instead of `[redacted]`.
    #[arg(long)]
    show_pii: bool,
    /// Text for people; JSON lines for scripts.
    #[arg(long, value_enum, default_value_t)]
    format: OutputFormat,
    /// The largest body accepted, in bytes.
    #[arg(long, default_value_t = 1024 * 1024)]
    body_limit: usize,
    /// Stop after this many deliveries.
    #[arg(long, value_name = "N")]
    max_deliveries: Option<usize>,
}

struct Listener {
    schemas: SchemaSet,
    record: Option<Mutex<std::fs::File>>,
    show_pii: bool,
    format: OutputFormat,
    body_limit: usize,
    seen: AtomicUsize,
    max_deliveries: Option<usize>,
    done: Notify,
}

pub(crate) async fn run(args: ListenArgs) -> anyhow::Result<ExitCode> {
    if !args.path.starts_with('/') {
        anyhow::bail!("--path must start with /");
    }
    let auth = args.auth.receiver_auth()?;
    if args.auth.is_empty() {
        eprintln!("warning: no authentication configured; every request is accepted");
    }
    let record = match &args.record {
        Some(path) => Some(Mutex::new(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open {} for recording", path.display()))?,
        )),
        None => None,
    };
    let listener = Arc::new(Listener {
        schemas: SchemaSet::embedded(),
        record,
        show_pii: args.show_pii,
        format: args.format,
        body_limit: args.body_limit,
        seen: AtomicUsize::new(0),
        max_deliveries: args.max_deliveries,
        done: Notify::new(),
    });
    let config = ReceiverConfig::new(auth).body_limit(args.body_limit);
    let ens = EnsRouter::new().fallback(|_: Webhook| async {});
    let app: Router = Router::new()
        .route(&args.path, ens.into_method_router())
        .with_state(config)
        .layer(middleware::from_fn_with_state(
            Arc::clone(&listener),
            observe,
        ));
    let socket = tokio::net::TcpListener::bind(SocketAddr::new(args.bind, args.port))
        .await
        .with_context(|| format!("cannot listen on {}:{}", args.bind, args.port))?;
    let address = socket.local_addr()?;
    println!("listening on http://{address}{}", args.path);
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
        .context("the server stopped")?;
    Ok(ExitCode::SUCCESS)
}

async fn observe(State(listener): State<Arc<Listener>>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match to_bytes(body, listener.body_limit.saturating_add(1)).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let response = (StatusCode::PAYLOAD_TOO_LARGE, "the body is too large").into_response();
            listener.report(response.status(), "the body is too large", &[]);
            return response;
        }
    };
    let response = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let (parts, body) = response.into_parts();
    // The receiver's answers are short, stable messages.
    let message = to_bytes(body, 4096).await.unwrap_or_default();
    listener.report(parts.status, &String::from_utf8_lossy(&message), &bytes);
    Response::from_parts(parts, Body::from(message))
}

impl Listener {
    fn report(&self, status: StatusCode, message: &str, body: &[u8]) {
        let (name, event_id) = match Envelope::parse(body) {
            Ok((envelope, _)) => (Some(envelope.event_name), envelope.event_id),
            Err(_) => (None, None),
        };
        let now = now_millis();
        if let Some(file) = &self.record {
            let line = RecordedDelivery::new(
                now,
                status.as_u16(),
                name.as_ref().map(ToString::to_string),
                event_id.clone(),
                body,
            );
            let mut file = file
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let Err(error) = line.append_to(&mut *file) {
                eprintln!("error: cannot record the delivery: {error}");
            }
        }
        let first_time = status.is_success() && !message.starts_with("duplicate");
        let shown_body = first_time
            .then(|| self.printable_body(name.as_ref(), body))
            .flatten();
        self.print(
            now,
            status,
            message,
            name.as_ref(),
            event_id.as_deref(),
            shown_body,
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
            if !name.is_known() {
                // Nothing says which fields of an unknown event are personal: show none of them.
                redact_data_of_unknown_event(&mut value);
            }
        }
        Some(value)
    }

    fn print(
        &self,
        now: i64,
        status: StatusCode,
        message: &str,
        name: Option<&EventName>,
        event_id: Option<&str>,
        body: Option<Value>,
    ) {
        let name_text = name.map_or_else(|| "-".to_owned(), ToString::to_string);
        match self.format {
            OutputFormat::Json => {
                let line = json!({
                    "receivedAt": now,
                    "status": status.as_u16(),
                    "outcome": message,
                    "eventName": name.map(ToString::to_string),
                    "eventId": event_id,
                    "body": body,
                });
                println!("{line}");
            }
            OutputFormat::Text => {
                println!(
                    "{} {name_text} {} -> {} {message}",
                    format_time(now),
                    event_id.unwrap_or("-"),
                    status.as_u16()
                );
                if let Some(body) = body
                    && let Ok(pretty) = serde_json::to_string_pretty(&body)
                {
                    println!("{pretty}");
                }
            }
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

fn now_millis() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
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
