//! [`Config`]: where the APIs are, the credentials, and which bills get a survey.

use std::fmt;
use std::time::Duration;

use capillary_ens_admin::{ApiSettings, Client};
use capillary_ens_receiver::{Auth, EnvError, ReceiverConfig, Secret, StaticHeaders};

use crate::eligibility::InvitationRules;

/// Everything [`app`](crate::app) needs.
///
/// `Debug` never shows a credential.
///
/// ```
/// use capillary_ens_admin::{Client, Credentials};
/// use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
/// use example_survey_after_purchase::{Config, InvitationRules, SurveySettings};
///
/// // One attempt per call: on a failure, ENS delivers the event again.
/// let credentials = Credentials::basic("till.user", "md5-of-password");
/// let capillary = Client::for_ens_handler("https://eu.api.capillarytech.com", credentials)?;
/// let config = Config::new(
///     ReceiverConfig::new(Auth::new(StaticHeaders::basic("ens", "webhook-s3cret"))),
///     capillary,
///     SurveySettings::new("https://surveys.example.com", "survey-api-key", "post-purchase-nps"),
/// )
/// .rules(InvitationRules::default().min_amount(100.0));
/// let debug = format!("{config:?}");
/// assert!(!debug.contains("webhook-s3cret") && !debug.contains("survey-api-key"));
/// assert!(!debug.contains("md5-of-password"));
/// # Ok::<(), capillary_ens_admin::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) receiver: ReceiverConfig,
    pub(crate) capillary: Client,
    pub(crate) survey: SurveySettings,
    pub(crate) rules: InvitationRules,
    pub(crate) request_timeout: Duration,
}

impl Config {
    /// The ENS receiver (authentication, idempotency store), the Capillary API client and the
    /// survey API, with the default [`InvitationRules`] and a 10 s timeout on calls to the
    /// survey API.
    ///
    /// Build `capillary` with [`Client::for_ens_handler`] (one attempt, 10 s timeout): a failed
    /// lookup fails the delivery, and ENS delivers the event again later with its own backoff,
    /// rather than the handler holding the delivery open while it retries.
    pub fn new(receiver: ReceiverConfig, capillary: Client, survey: SurveySettings) -> Self {
        Self {
            receiver,
            capillary,
            survey,
            rules: InvitationRules::default(),
            request_timeout: Duration::from_secs(10),
        }
    }

    /// Which transactions get an invitation.
    pub fn rules(mut self, rules: InvitationRules) -> Self {
        self.rules = rules;
        self
    }

    /// How long one call to the survey API may take (the Capillary client has its own
    /// timeout). Keep it well under ENS's 30 s delivery timeout.
    pub fn request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    /// Reads the configuration from environment variables through `var` (pass
    /// `|name| std::env::var(name).ok()`):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `ENS_BASIC`, `ENS_BEARER` or `ENS_HEADER` | the credentials configured on the ENS webhook, as [`StaticHeaders::from_env`] reads them |
    /// | `ENS_API_URL`, and `ENS_API_TOKEN` or `ENS_API_USER` + `ENS_API_PASSWORD` | the Capillary API, as the `ens` CLI and [`ApiSettings::from_env`] read it (the token wins) |
    /// | `SURVEY_API_URL`, `SURVEY_API_KEY`, `SURVEY_ID` | the survey platform |
    /// | `SURVEY_MIN_AMOUNT` | optional: bills below this net amount get no survey |
    ///
    /// The Capillary client is [`Client::for_ens_handler`]: one attempt per call, a 10 s
    /// timeout.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use example_survey_after_purchase::{Config, ConfigError};
    ///
    /// let vars = HashMap::from([
    ///     ("ENS_BEARER", "t0ken"),
    ///     ("ENS_API_URL", "https://eu.api.capillarytech.com"),
    ///     ("ENS_API_TOKEN", "oauth"),
    ///     ("SURVEY_API_URL", "https://surveys.example.com"),
    ///     ("SURVEY_API_KEY", "key"),
    /// ]);
    /// let error = Config::from_env(|name| vars.get(name).map(|value| value.to_string()))
    ///     .unwrap_err();
    /// assert_eq!(error.to_string(), "environment variable SURVEY_ID is not set");
    ///
    /// // The Capillary API's variables are the `ens` CLI's.
    /// let error = Config::from_env(|name| (name == "ENS_BEARER").then(|| "t0ken".to_owned()))
    ///     .unwrap_err();
    /// assert!(matches!(error, ConfigError::Capillary(_)));
    /// assert_eq!(error.to_string(), "environment variable ENS_API_URL is not set");
    /// ```
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let required = |name: &'static str| var(name).ok_or(ConfigError::Missing { name });

        let ens = StaticHeaders::from_env(var).map_err(ConfigError::Webhook)?;
        let capillary = ApiSettings::from_env(var)
            .map_err(ConfigError::Capillary)?
            .client_for_ens_handler()
            .map_err(ConfigError::Client)?;
        let survey = SurveySettings::new(
            &required("SURVEY_API_URL")?,
            &required("SURVEY_API_KEY")?,
            &required("SURVEY_ID")?,
        );
        let mut rules = InvitationRules::default();
        if let Some(min) = var("SURVEY_MIN_AMOUNT") {
            let min = min
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|min| min.is_finite())
                .ok_or(ConfigError::Invalid {
                    name: "SURVEY_MIN_AMOUNT",
                    expected: "a number",
                })?;
            rules = rules.min_amount(min);
        }
        Ok(Self::new(ReceiverConfig::new(Auth::new(ens)), capillary, survey).rules(rules))
    }
}

/// A configuration that [`Config::from_env`] could not read.
#[derive(Debug)]
#[non_exhaustive]
pub enum ConfigError {
    /// A required variable is not set (or blank).
    Missing {
        /// The variable(s).
        name: &'static str,
    },
    /// A variable has a value of the wrong kind.
    Invalid {
        /// The variable.
        name: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
    /// The ENS webhook's credentials (`ENS_BASIC`, `ENS_BEARER`, `ENS_HEADER`) are missing or
    /// malformed.
    Webhook(EnvError),
    /// The Capillary API's URL or credentials (`ENS_API_URL`, `ENS_API_TOKEN` or
    /// `ENS_API_USER` and `ENS_API_PASSWORD`) are missing or malformed.
    Capillary(capillary_ens_admin::ApiSettingsError),
    /// The Capillary API client could not be built.
    Client(capillary_ens_admin::Error),
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing { name } => write!(f, "environment variable {name} is not set"),
            Self::Invalid { name, expected } => {
                write!(f, "environment variable {name} must be {expected}")
            }
            Self::Webhook(error) => error.fmt(f),
            Self::Capillary(error) => error.fmt(f),
            Self::Client(error) => write!(f, "cannot build the capillary api client: {error}"),
        }
    }
}

impl std::error::Error for ConfigError {}

/// The survey platform: its API, key and the survey to invite customers to.
#[derive(Clone, Debug)]
pub struct SurveySettings {
    pub(crate) base_url: String,
    pub(crate) api_key: Secret,
    pub(crate) api_key_header: String,
    pub(crate) survey_id: String,
}

impl SurveySettings {
    /// Invitations go to `POST {base_url}/v1/invitations` with the key in `X-API-Key`.
    pub fn new(base_url: &str, api_key: &str, survey_id: &str) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            api_key: Secret::from(api_key),
            api_key_header: "x-api-key".to_owned(),
            survey_id: survey_id.to_owned(),
        }
    }

    /// Sends the API key in header `name` instead of `X-API-Key`.
    pub fn api_key_header(mut self, name: &str) -> Self {
        name.clone_into(&mut self.api_key_header);
        self
    }
}
