//! Where the API is and how to authenticate: flags, `ENS_API_*` variables, or a profile.

use std::time::Duration;

use capillary_ens_admin::{ApiSettings, Client, Credentials};
use clap::Args;

use super::exit::Failure;
use super::profiles;
use crate::secret_arg::SecretArg;

/// The cluster and the credentials, shared by every admin command.
///
/// The variables are [`ApiSettings`]'s, so the CLI, scripts and webhook handlers share one
/// environment. The values are combined here rather than by [`ApiSettings::from_env`]: a
/// flag overrides its variable, a variable overrides the profile, and the CLI keeps its own
/// messages and exit codes.
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
    #[arg(long, value_name = "SECONDS")]
    timeout: Option<u64>,
    /// A profile of the config file ($ENS_CONFIG or ~/.config/ens/config.toml) for the
    /// cluster and credentials; flags and ENS_API_* variables still win.
    #[arg(long, env = "ENS_PROFILE", value_name = "NAME")]
    profile: Option<String>,
}

impl ApiArgs {
    /// A client for the configured cluster; usage errors when something is missing.
    pub(crate) fn client(&self) -> Result<Client, Failure> {
        let profile = profiles::load(self.profile.as_deref())
            .map_err(Failure::usage)?
            .unwrap_or_default();
        let url = self.api_url.as_deref().or(profile.api_url.as_deref()).ok_or_else(|| {
            Failure::usage("no API URL: pass --api-url, set ENS_API_URL (e.g. https://eu.api.capillarytech.com) or use a --profile")
        })?;
        let env_gave_credentials =
            self.token.is_some() || (self.user.is_some() && self.password.is_some());
        let (token, user, password) = if env_gave_credentials {
            (self.token.clone(), self.user.clone(), self.password.clone())
        } else {
            (
                profile.token(),
                self.user.clone().or(profile.user.clone()),
                self.password.clone().or_else(|| profile.password()),
            )
        };
        let timeout = self.timeout.or(profile.timeout).unwrap_or(30);
        tracing::debug!(url, profile = self.profile.as_deref(), "API connection");
        let credentials = match (&token, &user, &password) {
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
            .timeout(Duration::from_secs(timeout.max(1)))
            .build()?)
    }
}
