//! The authentication options shared by `listen` (what to require) and `trigger`/`replay`
//! (what to send). Secrets can come from environment variables, so they stay out of shell
//! history, and never show in `--help` or `Debug`.

use std::time::Duration;

use capillary_ens_receiver::{Auth, HmacSha256, StandardWebhooks, StaticHeaders, Verifier};
use clap::Args;

use crate::secret_arg::SecretArg;

/// How requests are authenticated.
#[derive(Clone, Debug, Default, Args)]
pub(crate) struct AuthArgs {
    /// Basic credentials, `USER:PASSWORD` (as a webhook's `Authorization: Basic` header).
    #[arg(
        long,
        env = "ENS_BASIC",
        value_name = "USER:PASSWORD",
        hide_env_values = true
    )]
    pub(crate) basic: Option<SecretArg>,
    /// A bearer token (`Authorization: Bearer …`).
    #[arg(long, env = "ENS_BEARER", value_name = "TOKEN", hide_env_values = true)]
    pub(crate) bearer: Option<SecretArg>,
    /// Any other configured header, `NAME:VALUE`; repeat for several (`ENS_HEADER` holds one,
    /// used when no `--header` is given).
    #[arg(
        long = "header",
        env = "ENS_HEADER",
        value_name = "NAME:VALUE",
        hide_env_values = true
    )]
    pub(crate) headers: Vec<SecretArg>,
    /// An HMAC-SHA256 body-signature secret (hex signature in `--hmac-header`).
    #[arg(
        long,
        env = "ENS_HMAC_SECRET",
        value_name = "SECRET",
        hide_env_values = true
    )]
    pub(crate) hmac_secret: Option<SecretArg>,
    /// The header carrying the HMAC signature.
    #[arg(long, value_name = "NAME", default_value = "x-signature")]
    pub(crate) hmac_header: String,
    /// A Standard Webhooks secret (`whsec_…`).
    #[arg(
        long,
        env = "ENS_WEBHOOK_SECRET",
        value_name = "WHSEC",
        hide_env_values = true
    )]
    pub(crate) standard_webhooks_secret: Option<SecretArg>,
}

/// The parts of [`AuthArgs`], checked.
pub(crate) struct AuthParts {
    pub(crate) static_headers: Option<StaticHeaders>,
    pub(crate) hmac: Option<HmacSha256>,
    pub(crate) standard_webhooks: Option<StandardWebhooks>,
}

impl AuthArgs {
    /// Whether any authentication was asked for.
    pub(crate) fn is_empty(&self) -> bool {
        self.basic.is_none()
            && self.bearer.is_none()
            && self.headers.is_empty()
            && self.hmac_secret.is_none()
            && self.standard_webhooks_secret.is_none()
    }

    /// Checks the options and builds each scheme.
    pub(crate) fn parts(&self) -> anyhow::Result<AuthParts> {
        // Values given for one header name are alternatives (as during a rotation).
        let mut static_headers: Option<StaticHeaders> = None;
        let mut add = |name: &str, value: String| {
            static_headers = Some(
                static_headers
                    .take()
                    .unwrap_or_default()
                    .accept(name, value),
            );
        };
        if let Some(basic) = &self.basic {
            let (user, password) = basic
                .expose()
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--basic takes USER:PASSWORD"))?;
            add("authorization", basic_value(user, password));
        }
        if let Some(token) = &self.bearer {
            add("authorization", format!("Bearer {}", token.expose()));
        }
        for header in &self.headers {
            let (name, value) = header
                .expose()
                .split_once(':')
                .ok_or_else(|| anyhow::anyhow!("--header takes NAME:VALUE"))?;
            let name = name.trim();
            http::HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| anyhow::anyhow!("--header: not a valid header name"))?;
            add(name, value.trim().to_owned());
        }
        let hmac = self
            .hmac_secret
            .as_ref()
            .map(|secret| HmacSha256::new(&self.hmac_header, secret.expose().as_bytes().to_vec()));
        let standard_webhooks = self
            .standard_webhooks_secret
            .as_ref()
            .map(|secret| {
                StandardWebhooks::new(secret.expose())
                    .map(|scheme| scheme.tolerance(Duration::from_secs(5 * 60)))
                    .map_err(|_| {
                        anyhow::anyhow!("--standard-webhooks-secret is not a whsec_ secret")
                    })
            })
            .transpose()?;
        Ok(AuthParts {
            static_headers,
            hmac,
            standard_webhooks,
        })
    }

    /// What a receiver requires: every given scheme must pass.
    pub(crate) fn receiver_auth(&self) -> anyhow::Result<Auth> {
        fn chain(auth: Option<Auth>, verifier: impl Verifier) -> Option<Auth> {
            Some(match auth {
                Some(auth) => auth.and(verifier),
                None => Auth::new(verifier),
            })
        }
        let parts = self.parts()?;
        let mut auth = None;
        if let Some(headers) = parts.static_headers {
            auth = chain(auth, headers);
        }
        if let Some(hmac) = parts.hmac {
            auth = chain(auth, hmac);
        }
        if let Some(scheme) = parts.standard_webhooks {
            auth = chain(auth, scheme);
        }
        Ok(auth.unwrap_or_else(Auth::allow_unauthenticated))
    }
}

fn basic_value(user: &str, password: &str) -> String {
    use base64::Engine as _;
    let encoded = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    format!("Basic {encoded}")
}
