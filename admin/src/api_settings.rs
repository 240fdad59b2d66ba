//! [`ApiSettings::from_env`]: the cluster URL and credentials, from the `ENS_API_*`
//! variables the `ens` CLI reads too.

use std::fmt;

use reqwest::Url;

use crate::client::parse_base_url;
use crate::{Client, ClientBuilder, Credentials, Error};

/// Where the Capillary API is and how to authenticate, read from the environment with
/// [`ApiSettings::from_env`]. `Debug` never shows a credential.
///
/// ```
/// use std::collections::HashMap;
/// use capillary_ens_admin::{ApiSettings, ApiSettingsError};
///
/// let vars = HashMap::from([
///     ("ENS_API_URL", "https://eu.api.capillarytech.com"),
///     ("ENS_API_USER", "till.user"),
///     ("ENS_API_PASSWORD", "md5-of-password"),
/// ]);
/// let settings = ApiSettings::from_env(|name| vars.get(name).map(|v| v.to_string()))?;
/// assert_eq!(settings.base_url(), "https://eu.api.capillarytech.com/");
/// assert!(!format!("{settings:?}").contains("md5-of-password"));
///
/// // One attempt per call and a 10 s timeout, for calls made while ENS waits.
/// let client = settings.client_for_ens_handler().expect("the url was checked");
/// assert!(format!("{client:?}").contains("max_attempts: 1"));
///
/// let error = ApiSettings::from_env(|_| None).unwrap_err();
/// assert_eq!(error.to_string(), "environment variable ENS_API_URL is not set");
/// # Ok::<(), ApiSettingsError>(())
/// ```
#[derive(Clone, Debug)]
pub struct ApiSettings {
    base_url: Url,
    credentials: Credentials,
}

impl ApiSettings {
    /// The cluster's base URL, e.g. `https://eu.api.capillarytech.com`.
    pub const URL_VAR: &'static str = "ENS_API_URL";
    /// The API user for Basic authentication (with [`PASSWORD_VAR`](Self::PASSWORD_VAR)).
    pub const USER_VAR: &'static str = "ENS_API_USER";
    /// The API password for Basic authentication (with [`USER_VAR`](Self::USER_VAR)).
    pub const PASSWORD_VAR: &'static str = "ENS_API_PASSWORD";
    /// An OAuth bearer token, used instead of the user and password.
    pub const TOKEN_VAR: &'static str = "ENS_API_TOKEN";

    /// Reads the cluster and credentials through `var` (pass
    /// `|name| std::env::var(name).ok()`; a map in tests):
    ///
    /// | variable | meaning |
    /// |---|---|
    /// | `ENS_API_URL` | required: the cluster, `http(s)://host`, e.g. `https://eu.api.capillarytech.com` |
    /// | `ENS_API_TOKEN` | an OAuth bearer token; wins over the user and password |
    /// | `ENS_API_USER`, `ENS_API_PASSWORD` | or Basic credentials, sent as given (Capillary expects the MD5 hex digest of the password) |
    ///
    /// These are the variables the `ens` CLI reads. A blank value counts as unset; values
    /// are used as given, except the URL, which is trimmed. Errors name the variable, never
    /// its value.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ApiSettingsError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let url = var(Self::URL_VAR).ok_or(ApiSettingsError::Missing {
            variable: Self::URL_VAR,
        })?;
        let base_url = parse_base_url(&url).map_err(|_| ApiSettingsError::Invalid {
            variable: Self::URL_VAR,
            expected: "an http(s) url such as https://eu.api.capillarytech.com",
        })?;
        let credentials = match (
            var(Self::TOKEN_VAR),
            var(Self::USER_VAR),
            var(Self::PASSWORD_VAR),
        ) {
            (Some(token), _, _) if token.chars().any(char::is_control) => {
                return Err(ApiSettingsError::Invalid {
                    variable: Self::TOKEN_VAR,
                    expected: "a token without control characters",
                });
            }
            (Some(token), _, _) => Credentials::bearer(&token),
            (None, Some(user), Some(_)) if user.contains(':') => {
                return Err(ApiSettingsError::Invalid {
                    variable: Self::USER_VAR,
                    expected: "a user name without ':'",
                });
            }
            (None, Some(user), Some(password)) => Credentials::basic(&user, &password),
            (None, Some(_), None) => {
                return Err(ApiSettingsError::Missing {
                    variable: Self::PASSWORD_VAR,
                });
            }
            (None, None, Some(_)) => {
                return Err(ApiSettingsError::Missing {
                    variable: Self::USER_VAR,
                });
            }
            (None, None, None) => return Err(ApiSettingsError::NoCredentials),
        };
        Ok(Self {
            base_url,
            credentials,
        })
    }

    /// The cluster's base URL, as [`Client::base_url`] shows it.
    pub fn base_url(&self) -> &str {
        self.base_url.as_str()
    }

    /// The credentials: bearer when `ENS_API_TOKEN` is set, Basic otherwise.
    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    /// A [`Client::builder`] for this cluster with these credentials, to set a timeout or
    /// retry policy.
    pub fn client_builder(&self) -> ClientBuilder {
        Client::builder(self.base_url()).credentials(self.credentials.clone())
    }

    /// A client with the default timeout and retries, as [`Client::new`].
    pub fn client(&self) -> Result<Client, Error> {
        self.client_builder().build()
    }

    /// A client to call from inside an ENS webhook handler, as [`Client::for_ens_handler`]:
    /// one attempt per call and a 10 s timeout.
    pub fn client_for_ens_handler(&self) -> Result<Client, Error> {
        Client::for_ens_handler(self.base_url(), self.credentials.clone())
    }
}

/// Why [`ApiSettings::from_env`] could not read the cluster or the credentials.
///
/// Messages are lowercase and name the variable, never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiSettingsError {
    /// A required variable is not set (or blank): `ENS_API_URL`, or the other half of
    /// `ENS_API_USER` and `ENS_API_PASSWORD`.
    Missing {
        /// The variable.
        variable: &'static str,
    },
    /// Neither `ENS_API_TOKEN` nor `ENS_API_USER` and `ENS_API_PASSWORD` is set.
    NoCredentials,
    /// A variable is set to something unusable; [`Display`](fmt::Display) says what it
    /// should be.
    Invalid {
        /// The variable (its value is not kept).
        variable: &'static str,
        /// The form its value should have.
        expected: &'static str,
    },
}

impl fmt::Display for ApiSettingsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (token, user, password) = (
            ApiSettings::TOKEN_VAR,
            ApiSettings::USER_VAR,
            ApiSettings::PASSWORD_VAR,
        );
        match self {
            Self::NoCredentials => write!(f, "neither {token} nor {user} and {password} is set"),
            Self::Missing { variable } => write!(f, "environment variable {variable} is not set"),
            Self::Invalid { variable, expected } => {
                write!(f, "environment variable {variable} must be {expected}")
            }
        }
    }
}

impl std::error::Error for ApiSettingsError {}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use proptest::prelude::*;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    use super::*;

    const URL: (&str, &str) = ("ENS_API_URL", "https://eu.api.capillarytech.com");

    fn from(vars: &[(&str, &str)]) -> Result<ApiSettings, ApiSettingsError> {
        let vars: HashMap<&str, &str> = vars.iter().copied().collect();
        ApiSettings::from_env(|name| vars.get(name).map(|value| (*value).to_owned()))
    }

    /// The `Authorization` header the client built from `vars` sends.
    async fn authorization_sent(vars: &[(&str, &str)]) -> String {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path("/v3/webHooks"))
            .respond_with(ResponseTemplate::new(200).set_body_json(serde_json::json!([])))
            .mount(&server)
            .await;
        let uri = server.uri();
        let mut vars = vars.to_vec();
        vars.push(("ENS_API_URL", &uri));
        let client = from(&vars).unwrap().client_for_ens_handler().unwrap();
        let _ = client.list_webhooks().await;
        let requests = server.received_requests().await.unwrap();
        assert_eq!(requests.len(), 1);
        requests[0].headers["authorization"]
            .to_str()
            .unwrap()
            .to_owned()
    }

    #[tokio::test]
    async fn the_token_wins_over_the_user_and_password() {
        let both = [
            ("ENS_API_TOKEN", "t0ken"),
            ("ENS_API_USER", "till.user"),
            ("ENS_API_PASSWORD", "s3cret"),
        ];
        assert_eq!(authorization_sent(&both).await, "Bearer t0ken");
        // base64("till.user:s3cret")
        assert_eq!(
            authorization_sent(&both[1..]).await,
            "Basic dGlsbC51c2VyOnMzY3JldA=="
        );
    }

    #[tokio::test]
    async fn a_blank_token_counts_as_unset() {
        let vars = [
            ("ENS_API_TOKEN", " \t"),
            ("ENS_API_USER", "till.user"),
            ("ENS_API_PASSWORD", "s3cret"),
        ];
        assert_eq!(
            authorization_sent(&vars).await,
            "Basic dGlsbC51c2VyOnMzY3JldA=="
        );
    }

    #[test]
    fn the_url_is_trimmed_and_checked() {
        let settings = from(&[
            ("ENS_API_URL", " https://eu.api.capillarytech.com \n"),
            ("ENS_API_TOKEN", "t0ken"),
        ])
        .unwrap();
        assert_eq!(settings.base_url(), "https://eu.api.capillarytech.com/");
        assert_eq!(
            settings.client().unwrap().base_url(),
            "https://eu.api.capillarytech.com/"
        );
        let handler = format!("{:?}", settings.client_for_ens_handler().unwrap());
        assert!(handler.contains("max_attempts: 1"), "{handler}");
        let default = format!("{:?}", settings.client().unwrap());
        assert!(!default.contains("max_attempts: 1"), "{default}");
        assert!(format!("{:?}", settings.credentials()).contains("Bearer"));
    }

    #[test]
    fn missing_variables_are_named() {
        let cases: [(&[(&str, &str)], ApiSettingsError); 6] = [
            (
                &[],
                ApiSettingsError::Missing {
                    variable: "ENS_API_URL",
                },
            ),
            (
                &[("ENS_API_URL", " "), ("ENS_API_TOKEN", "t0ken")],
                ApiSettingsError::Missing {
                    variable: "ENS_API_URL",
                },
            ),
            (&[URL], ApiSettingsError::NoCredentials),
            (
                &[URL, ("ENS_API_TOKEN", ""), ("ENS_API_USER", " ")],
                ApiSettingsError::NoCredentials,
            ),
            (
                &[URL, ("ENS_API_USER", "till.user")],
                ApiSettingsError::Missing {
                    variable: "ENS_API_PASSWORD",
                },
            ),
            (
                &[URL, ("ENS_API_PASSWORD", "s3cret")],
                ApiSettingsError::Missing {
                    variable: "ENS_API_USER",
                },
            ),
        ];
        for (vars, expected) in cases {
            assert_eq!(from(vars).unwrap_err(), expected, "{vars:?}");
        }
        assert_eq!(
            ApiSettingsError::NoCredentials.to_string(),
            "neither ENS_API_TOKEN nor ENS_API_USER and ENS_API_PASSWORD is set"
        );
        assert_eq!(
            ApiSettingsError::Missing {
                variable: "ENS_API_PASSWORD"
            }
            .to_string(),
            "environment variable ENS_API_PASSWORD is not set"
        );
    }

    #[test]
    fn malformed_values_name_the_variable_never_the_value() {
        let cases: [(&str, &[(&str, &str)]); 6] = [
            (
                "ENS_API_URL",
                &[("ENS_API_URL", "s3cret"), ("ENS_API_TOKEN", "t")],
            ),
            (
                "ENS_API_URL",
                &[
                    ("ENS_API_URL", "ftp://s3cret.example"),
                    ("ENS_API_TOKEN", "t"),
                ],
            ),
            (
                "ENS_API_URL",
                &[
                    ("ENS_API_URL", "https://h.example/?s3cret"),
                    ("ENS_API_TOKEN", "t"),
                ],
            ),
            (
                "ENS_API_TOKEN",
                &[URL, ("ENS_API_TOKEN", "t0k\u{7}en-s3cret")],
            ),
            (
                "ENS_API_USER",
                &[
                    URL,
                    ("ENS_API_USER", "s3cret:user"),
                    ("ENS_API_PASSWORD", "p"),
                ],
            ),
            (
                "ENS_API_TOKEN",
                &[URL, ("ENS_API_TOKEN", "s3cret\n"), ("ENS_API_USER", "u")],
            ),
        ];
        for (variable, vars) in cases {
            let error = from(vars).unwrap_err();
            let ApiSettingsError::Invalid {
                variable: named, ..
            } = &error
            else {
                panic!("{vars:?} gave {error:?}");
            };
            assert_eq!(*named, variable);
            let message = error.to_string();
            let expected_start = format!("environment variable {variable} must be ");
            assert!(message.starts_with(&expected_start), "{message}");
            let rest = &message[expected_start.len()..];
            assert_eq!(rest, rest.to_lowercase(), "{message}");
            let debug = format!("{error:?}");
            assert!(
                !message.contains("s3c") && !debug.contains("s3c"),
                "{debug}"
            );
        }
    }

    #[test]
    fn debug_never_shows_a_credential() {
        for vars in [
            &[URL, ("ENS_API_TOKEN", "t0ken-s3cret")][..],
            &[
                URL,
                ("ENS_API_USER", "till"),
                ("ENS_API_PASSWORD", "pw-s3cret"),
            ][..],
        ] {
            let settings = from(vars).unwrap();
            let debug = format!(
                "{settings:?} {:?} {:?}",
                settings.client().unwrap(),
                settings.client_builder()
            );
            assert!(debug.contains("eu.api.capillarytech.com"), "{debug}");
            // "s3cret" and its base64 forms.
            for secret in ["s3cret", "czNjcmV0", "MzY3JldA", "zY3JldA"] {
                assert!(!debug.contains(secret), "{debug}");
            }
        }
    }

    proptest! {
        #[test]
        fn any_values_give_settings_or_an_error_without_the_value(
            url in "\\PC{0,40}",
            user in proptest::option::of("\\PC{0,12}"),
            password in proptest::option::of("\\PC{0,12}"),
            token in proptest::option::of("[\\PC\\x00-\\x1f]{0,12}"),
        ) {
            let mut vars = vec![("ENS_API_URL", format!("zz{url}"))];
            vars.extend(user.map(|v| ("ENS_API_USER", v)));
            vars.extend(password.map(|v| ("ENS_API_PASSWORD", format!("zq{v}"))));
            vars.extend(token.map(|v| ("ENS_API_TOKEN", format!("zq{v}"))));
            let vars: HashMap<&str, String> = vars.into_iter().collect();
            match ApiSettings::from_env(|name| vars.get(name).cloned()) {
                Ok(settings) => {
                    let debug = format!("{settings:?}");
                    prop_assert!(!debug.contains("zq"));
                }
                Err(error) => {
                    prop_assert!(!error.to_string().contains("zq"));
                    let debug = format!("{error:?}");
                    prop_assert!(!debug.contains("zq"));
                }
            }
        }
    }
}
