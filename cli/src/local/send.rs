//! What `trigger` and `replay` share: send a body to a URL as ENS would, signing every attempt
//! for the moment it is actually sent, and retrying as ENS does when asked.
//!
//! ENS retries 429, 5xx and timeouts (and connection failures) with exponential backoff for
//! days; every other answer is final. With `--retry` the real intervals are waited, unless
//! `--retry-speedup N` divides them, which the output then says.

use std::time::{Duration, Instant, SystemTime};

use capillary_ens_schemas::Envelope;
use capillary_ens_testkit::simulator::RetryPolicy;
use clap::Args;
use serde::Serialize;

use super::auth_args::AuthArgs;
use super::signing::{Signer, USER_AGENT};
use crate::exit::Stop;
use crate::output::Ui;

/// Where and how to send.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The webhook URL to POST to.
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,
    #[command(flatten)]
    pub(crate) auth: AuthArgs,
    /// Retry as ENS does: 429, 5xx, timeouts and refused connections are tried again with
    /// ENS's backoff (30 s, doubling, at most 1 h apart, for 7 days); every other answer is
    /// final. The real intervals are waited unless --retry-speedup compresses them.
    #[arg(long)]
    pub(crate) retry: bool,
    /// With --retry: divide every wait by N (60 turns minutes into seconds). The output says
    /// so on every retry.
    #[arg(long, value_name = "N", requires = "retry")]
    pub(crate) retry_speedup: Option<u32>,
    /// With --retry: give up after this many attempts in all.
    #[arg(long, value_name = "N", requires = "retry")]
    pub(crate) max_attempts: Option<u32>,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout: u64,
}

/// Sends bodies to one URL.
pub(crate) struct Sender {
    client: reqwest::Client,
    url: reqwest::Url,
    signer: Signer,
    retry: bool,
    speedup: u32,
    max_attempts: Option<u32>,
    policy: RetryPolicy,
}

/// One attempt and its answer.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Attempt {
    /// When it was sent (and signed), epoch milliseconds.
    pub(crate) sent_at: i64,
    /// The HTTP status, when there was an answer.
    pub(crate) status: Option<u16>,
    /// Why there was no answer.
    pub(crate) error: Option<String>,
    /// How long the answer took, milliseconds.
    pub(crate) latency_ms: u64,
}

impl Attempt {
    fn is_success(&self) -> bool {
        self.status
            .is_some_and(|status| (200..300).contains(&status))
    }

    /// ENS retries 429, 5xx, timeouts and failed connections.
    fn is_retriable(&self) -> bool {
        match self.status {
            Some(status) => status == 429 || (500..600).contains(&status),
            None => true,
        }
    }

    fn summary(&self) -> String {
        match (self.status, &self.error) {
            (Some(status), _) => status.to_string(),
            (None, Some(error)) => error.clone(),
            (None, None) => "-".to_owned(),
        }
    }
}

/// The whole story of one delivery.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Sent {
    pub(crate) event_name: Option<String>,
    pub(crate) event_id: Option<String>,
    pub(crate) delivered: bool,
    pub(crate) attempts: Vec<Attempt>,
}

impl Sent {
    /// `503, 503, 200`.
    pub(crate) fn attempts_summary(&self) -> String {
        self.attempts
            .iter()
            .map(Attempt::summary)
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The status of the last attempt, for colouring.
    pub(crate) fn last_status(&self) -> u16 {
        self.attempts
            .last()
            .and_then(|attempt| attempt.status)
            .unwrap_or(0)
    }
}

impl SendArgs {
    /// A sender for these arguments; usage errors for a bad URL or bad credentials.
    pub(crate) fn sender(&self) -> Result<Sender, Stop> {
        let url = reqwest::Url::parse(&self.to)
            .map_err(|error| Stop::usage(format!("--to is not a URL: {error}")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Stop::usage("--to must be an http or https URL"));
        }
        let parts = self
            .auth
            .parts()
            .map_err(|error| Stop::usage(error.to_string()))?;
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(self.timeout.max(1)))
            .user_agent(USER_AGENT)
            .build()
            .map_err(|error| Stop::failed(format!("cannot build the HTTP client: {error}")))?;
        Ok(Sender {
            client,
            url,
            signer: Signer::new(parts),
            retry: self.retry,
            speedup: self.retry_speedup.unwrap_or(1).max(1),
            max_attempts: self.max_attempts,
            policy: RetryPolicy::ens(),
        })
    }
}

impl Sender {
    /// Whether no authentication is configured.
    pub(crate) fn unauthenticated(&self) -> bool {
        self.signer.is_empty()
    }

    /// Sends `body`, retrying as configured.
    pub(crate) async fn send(&self, body: &[u8]) -> Sent {
        let (event_name, event_id) = match Envelope::parse(body) {
            Ok((envelope, _)) => (Some(envelope.event_name.to_string()), envelope.event_id),
            Err(_) => (None, None),
        };
        let mut attempts = Vec::new();
        let started = Instant::now();
        let mut nominal_elapsed = Duration::ZERO;
        loop {
            let attempt = self.attempt(body).await;
            tracing::debug!(
                url = %self.url,
                event = event_name.as_deref().unwrap_or("-"),
                event_id = event_id.as_deref().unwrap_or("-"),
                status = attempt.status,
                latency_ms = attempt.latency_ms,
                "sent"
            );
            let done = attempt.is_success() || !attempt.is_retriable() || !self.retry;
            attempts.push(attempt);
            if done {
                break;
            }
            let retry = u32::try_from(attempts.len()).unwrap_or(u32::MAX);
            if self.max_attempts.is_some_and(|max| retry >= max) {
                note!("giving up after {retry} attempts (--max-attempts)");
                break;
            }
            let Some(delay) = self.policy.delay_before_retry(retry) else {
                break;
            };
            nominal_elapsed += delay;
            if nominal_elapsed > self.policy.window() {
                note!(
                    "giving up: ENS stops retrying after {:?}",
                    self.policy.window()
                );
                break;
            }
            let wait = delay / self.speedup;
            let name = event_name.as_deref().unwrap_or("the delivery");
            if self.speedup > 1 {
                note!(
                    "retry {retry} of {name}: ENS would wait {}, waiting {} (compressed {}x by --retry-speedup)",
                    human(delay),
                    human(wait),
                    self.speedup
                );
            } else {
                note!(
                    "retry {retry} of {name}: waiting {} as ENS would (compress with --retry-speedup N; Ctrl-C stops)",
                    human(delay)
                );
            }
            tokio::time::sleep(wait).await;
        }
        tracing::debug!(
            elapsed_ms = started.elapsed().as_millis() as u64,
            "delivery finished"
        );
        let delivered = attempts.last().is_some_and(Attempt::is_success);
        Sent {
            event_name,
            event_id,
            delivered,
            attempts,
        }
    }

    async fn attempt(&self, body: &[u8]) -> Attempt {
        let now = SystemTime::now();
        let mut request = self
            .client
            .post(self.url.clone())
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(body.to_vec());
        for header in self.signer.headers(body, now, None) {
            request = request.header(header.name, header.value);
        }
        let started = Instant::now();
        let answer = request.send().await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let sent_at = millis(now);
        match answer {
            Ok(response) => Attempt {
                sent_at,
                status: Some(response.status().as_u16()),
                error: None,
                latency_ms,
            },
            Err(error) => Attempt {
                sent_at,
                status: None,
                error: Some(no_answer(&error).to_owned()),
                latency_ms,
            },
        }
    }
}

/// Prints one delivery's outcome: a JSON line, or `NAME ID -> 503, 200 (delivered)`.
pub(crate) fn print_sent(ui: &Ui, label: Option<&str>, sent: &Sent, note: Option<&str>) {
    if ui.json() {
        let mut value = serde_json::to_value(sent).unwrap_or_default();
        if let Some(object) = value.as_object_mut() {
            if let Some(label) = label {
                object.insert("source".to_owned(), label.into());
            }
            if let Some(note) = note {
                object.insert("note".to_owned(), note.into());
            }
        }
        ui.json_line(&value);
        return;
    }
    let state = if sent.delivered {
        "delivered"
    } else {
        "not delivered"
    };
    ui.line(format!(
        "{}{} {} -> {} ({}){}",
        label.map(|label| format!("{label} ")).unwrap_or_default(),
        sent.event_name.as_deref().unwrap_or("-"),
        sent.event_id.as_deref().unwrap_or("-"),
        ui.status(sent.last_status(), &sent.attempts_summary()),
        ui.verdict(sent.delivered, state),
        note.map(|note| format!(" {}", ui.dim(note)))
            .unwrap_or_default(),
    ));
}

/// Milliseconds since the epoch.
/// Why a request got no HTTP answer, in the words the output uses.
pub(crate) fn no_answer(error: &reqwest::Error) -> &'static str {
    if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connection refused"
    } else {
        "no answer"
    }
}

pub(crate) fn millis(at: SystemTime) -> i64 {
    at.duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX)
        })
}

/// `30s`, `2m`, `1h`, `250ms`.
fn human(duration: Duration) -> String {
    let seconds = duration.as_secs();
    if seconds == 0 {
        format!("{}ms", duration.as_millis())
    } else if seconds.is_multiple_of(3600) {
        format!("{}h", seconds / 3600)
    } else if seconds.is_multiple_of(60) {
        format!("{}m", seconds / 60)
    } else {
        format!("{seconds}s")
    }
}
