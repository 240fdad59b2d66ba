//! Where the API is and how to authenticate: flags or `ENS_API_*` variables; `--format`.

use std::time::Duration;

use capillary_ens_admin::{ApiSettings, Client, Credentials};
use clap::{Args, ValueEnum};

use super::exit::Failure;
use crate::secret_arg::SecretArg;

/// The cluster, the credentials and the output format, shared by every admin command.
///
/// The variables are [`ApiSettings`]'s, so the CLI, scripts and webhook handlers share one
/// environment. The values are combined here rather than by [`ApiSettings::from_env`]: a
/// flag overrides its variable, and the CLI keeps its own messages and exit codes.
#[derive(Debug, Args)]
pub(crate) struct ApiArgs {
    /// Base URL of your Capillary cluster, e.g. `https://eu.api.capillarytech.com`.
    #[arg(long = "api-url", env = ApiSettings::URL_VAR, value_name = "URL")]
    api_url: Option<String>,
    /// API user for Basic authentication (with --password).
    #[arg(long, env = ApiSettings::USER_VAR, value_name = "USER")]
    user: Option<String>,
    /// API password for Basic authentication (prefer the variable: flags show in `ps`).
    #[arg(
        long,
        env = ApiSettings::PASSWORD_VAR,
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    password: Option<SecretArg>,
    /// OAuth bearer token, used instead of --user/--password.
    #[arg(
        long,
        env = ApiSettings::TOKEN_VAR,
        value_name = "TOKEN",
        hide_env_values = true
    )]
    token: Option<SecretArg>,
    /// Seconds to wait for each API call.
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    /// Output: a table for people or JSON for scripts.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub(crate) format: Format,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    /// Aligned columns.
    Table,
    /// JSON on one line per document.
    Json,
}

impl ApiArgs {
    /// A client for the configured cluster; usage errors when something is missing.
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let url = self.api_url.as_deref().ok_or_else(|| {
            Failure::usage("no API URL: pass --api-url or set ENS_API_URL (e.g. https://eu.api.capillarytech.com)")
        })?;
        let credentials = match (&self.token, &self.user, &self.password) {
            (Some(token), _, _) => Credentials::bearer(token.expose()),
            (None, Some(user), Some(password)) => Credentials::basic(user, password.expose()),
            _ => {
                return Err(Failure::usage(
                    "no credentials: set ENS_API_TOKEN, or ENS_API_USER and ENS_API_PASSWORD \
                     (or --token / --user --password)",
                ));
            }
        };
        Ok(Client::builder(url)
            .credentials(credentials)
            .timeout(Duration::from_secs(self.timeout.max(1)))
            .build()?)
    }
}
