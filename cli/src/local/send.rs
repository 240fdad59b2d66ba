//! What `trigger`, `replay` and `demo` share: a simulator that sends like ENS, with the
//! chosen authentication.

use std::time::Duration;

use capillary_ens_testkit::simulator::{RetryPolicy, Simulator};
use clap::Args;

use super::auth_args::AuthArgs;

/// Where and how to send.
#[derive(Debug, Args)]
pub(crate) struct SendArgs {
    /// The webhook URL to POST to.
    #[arg(long, value_name = "URL")]
    pub(crate) to: String,
    #[command(flatten)]
    pub(crate) auth: AuthArgs,
    /// Retry as ENS does (429, 408, 5xx, timeouts; exponential backoff, simulated time) instead
    /// of sending once.
    #[arg(long)]
    pub(crate) retry: bool,
    /// Seconds to wait for each answer.
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub(crate) timeout: u64,
}

impl SendArgs {
    /// A simulator sending to `--to` with the given authentication.
    pub(crate) fn simulator(&self) -> anyhow::Result<Simulator> {
        let url = reqwest::Url::parse(&self.to)
            .map_err(|error| anyhow::anyhow!("--to is not a URL: {error}"))?;
        if !matches!(url.scheme(), "http" | "https") {
            anyhow::bail!("--to must be an http or https URL");
        }
        let parts = self.auth.parts()?;
        let mut builder = Simulator::to_url(url.as_str())
            .attempt_timeout(Duration::from_secs(self.timeout.max(1)))
            .retry_policy(if self.retry {
                RetryPolicy::ens()
            } else {
                RetryPolicy::none()
            });
        if let Some(headers) = &parts.static_headers {
            builder = builder.static_headers(headers);
        }
        if let Some(hmac) = parts.hmac {
            builder = builder.sign_hmac(hmac);
        }
        if let Some(scheme) = parts.standard_webhooks {
            builder = builder.sign_standard_webhooks(scheme);
        }
        Ok(builder.build())
    }
}
