//! `ens sign` and `ens verify`: the headers ENS would send with a body, and whether a request's
//! headers authenticate its body, using the receiver's own signing and verifying code.

use std::io::Read as _;
use std::path::PathBuf;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use clap::Args;
use http::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Map, Value, json};

use super::auth_args::AuthArgs;
use super::signing::Signer;
use crate::exit::{EXIT_CODES, Exit, Outcome, Stop};
use crate::output::Ui;
use crate::time_arg::parse_instant;

const SIGN_HELP: &str = "\
Examples:
  ens fixture pointsIssued > points.json
  ens sign points.json --hmac-secret s3cret
  ens sign points.json --standard-webhooks-secret whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw
  ens fixture pointsIssued | ens sign --hmac-secret s3cret --format json
  curl -X POST http://127.0.0.1:3000/webhooks/ens -H 'content-type: application/json' \\
      -H \"x-signature: $(ens sign points.json --hmac-secret s3cret | cut -d' ' -f2)\" \\
      --data-binary @points.json";

const VERIFY_HELP: &str = "\
Examples:
  ens verify points.json --hmac-secret s3cret -H \"x-signature: 5f0c…\"
  ens verify body.json --standard-webhooks-secret whsec_… \\
      -H \"webhook-id: msg_1\" -H \"webhook-timestamp: 1764410000\" -H \"webhook-signature: v1,…\" \\
      --at 2025-11-29T10:00:00Z
  cat body.json | ens verify --basic ens:s3cret -H \"Authorization: Basic ZW5zOnMzY3JldA==\"

Exit 0 when the headers authenticate the body, 1 when they do not (the reason is printed).";

/// Print the authentication headers ENS would send with a body (HMAC-SHA256, Standard
/// Webhooks, or the configured static headers).
///
/// The body is read from FILE, or from stdin when FILE is absent or `-`; it is signed byte for
/// byte as read.
#[derive(Debug, Args)]
#[command(after_help = format!("{SIGN_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct SignArgs {
    /// The body to sign; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    #[command(flatten)]
    auth: AuthArgs,
    /// The signing time: RFC 3339 (`2025-11-29T10:00:00Z`), epoch milliseconds, `now`, or a
    /// duration ago (`5m`). Default: now.
    #[arg(long, value_name = "WHEN")]
    timestamp: Option<String>,
    /// The Standard Webhooks message id (default: the event id, or a hash of the body).
    #[arg(long, value_name = "ID")]
    id: Option<String>,
}

/// Check whether a request's headers authenticate its body, as a receiver configured with
/// the same options would.
///
/// The body is read from FILE, or from stdin when FILE is absent or `-`.
#[derive(Debug, Args)]
#[command(after_help = format!("{VERIFY_HELP}\n\n{EXIT_CODES}"))]
pub(crate) struct VerifyArgs {
    /// The body as received; stdin when absent or `-`.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
    /// A header of the request, `NAME: VALUE` (repeat for several).
    #[arg(short = 'H', long = "request-header", value_name = "NAME: VALUE")]
    request_headers: Vec<crate::secret_arg::SecretArg>,
    #[command(flatten)]
    auth: AuthArgs,
    /// Check timestamps as of this time instead of now (RFC 3339, epoch milliseconds, …).
    #[arg(long, value_name = "WHEN")]
    at: Option<String>,
}

fn read_body(file: Option<&PathBuf>) -> Result<Vec<u8>, Stop> {
    match file {
        Some(path) if path.as_os_str() != "-" => std::fs::read(path)
            .map_err(|error| Stop::not_found(format!("cannot read {}: {error}", path.display()))),
        _ => {
            let mut body = Vec::new();
            std::io::stdin()
                .read_to_end(&mut body)
                .map_err(|error| Stop::failed(format!("cannot read stdin: {error}")))?;
            Ok(body)
        }
    }
}

fn instant(text: Option<&str>) -> Result<SystemTime, Stop> {
    let now = SystemTime::now();
    match text {
        None => Ok(now),
        Some(text) => {
            let millis = parse_instant(text, now).map_err(Stop::usage)?;
            let millis =
                u64::try_from(millis).map_err(|_| Stop::usage("the time is before 1970"))?;
            Ok(UNIX_EPOCH + Duration::from_millis(millis))
        }
    }
}

pub(crate) fn run_sign(args: SignArgs, ui: Ui) -> Outcome {
    if args.auth.is_empty() {
        return Err(Stop::usage(
            "nothing to sign with: give --hmac-secret, --standard-webhooks-secret, --basic, \
             --bearer or --header",
        ));
    }
    let parts = args
        .auth
        .parts()
        .map_err(|error| Stop::usage(error.to_string()))?;
    let at = instant(args.timestamp.as_deref())?;
    let body = read_body(args.file.as_ref())?;
    let headers = Signer::new(parts).headers(&body, at, args.id.as_deref());
    if ui.json() {
        let object: Map<String, Value> = headers
            .into_iter()
            .map(|header| (header.name, Value::String(header.value)))
            .collect();
        ui.json_line(&json!({ "headers": object }));
    } else {
        for header in headers {
            ui.line(format!("{}: {}", header.name, header.value));
        }
    }
    Ok(Exit::Success)
}

pub(crate) fn run_verify(args: VerifyArgs, ui: Ui) -> Outcome {
    if args.auth.is_empty() {
        return Err(Stop::usage(
            "nothing to verify against: give the receiver's --hmac-secret, \
             --standard-webhooks-secret, --basic, --bearer or --header",
        ));
    }
    let auth = args
        .auth
        .receiver_auth()
        .map_err(|error| Stop::usage(error.to_string()))?;
    let mut headers = HeaderMap::new();
    for header in &args.request_headers {
        let (name, value) = header
            .expose()
            .split_once(':')
            .ok_or_else(|| Stop::usage("-H takes \"NAME: VALUE\""))?;
        let name = HeaderName::from_bytes(name.trim().as_bytes())
            .map_err(|_| Stop::usage("-H: not a valid header name"))?;
        let value = HeaderValue::from_str(value.trim())
            .map_err(|_| Stop::usage("-H: not a valid header value"))?;
        headers.append(name, value);
    }
    let at = instant(args.at.as_deref())?;
    let body = read_body(args.file.as_ref())?;
    let verdict = auth.verify_at(&headers, &body, at);
    if ui.json() {
        ui.json_line(&json!({
            "valid": verdict.is_ok(),
            "reason": verdict.as_ref().err().map(ToString::to_string),
        }));
    } else {
        match &verdict {
            Ok(()) => ui.line(ui.verdict(true, "valid")),
            Err(error) => ui.line(format!("{}: {error}", ui.verdict(false, "invalid"))),
        }
    }
    Ok(Exit::from_success(verdict.is_ok()))
}
