//! [`StaticHeaders::from_env`]: the webhook's static-header credentials, from `ENS_BASIC`,
//! `ENS_BEARER` and `ENS_HEADER` (the same variables the `ens` CLI reads).

use std::fmt;

use http::{HeaderName, HeaderValue};

use super::StaticHeaders;

const BASIC: &str = "ENS_BASIC";
const BEARER: &str = "ENS_BEARER";
const HEADER: &str = "ENS_HEADER";

impl StaticHeaders {
    /// The credentials configured on the ENS webhook, read through `var` (pass
    /// `|name| std::env::var(name).ok()`; a map in tests):
    ///
    /// | variable | value | requires |
    /// |---|---|---|
    /// | `ENS_BASIC` | `user:password` (split at the first `:`, used as given) | `Authorization: Basic …` |
    /// | `ENS_BEARER` | a token (surrounding whitespace trimmed) | `Authorization: Bearer …` |
    /// | `ENS_HEADER` | `name:value`, e.g. `x-api-key:k3y` (both trimmed) | that header with that value |
    ///
    /// Each is optional, at least one must be set, and a blank value counts as unset. When
    /// several are set, each is added as with [`accept`](Self::accept): values for the same
    /// header are alternatives, so `ENS_BASIC` and `ENS_BEARER` together accept either
    /// `Authorization` (handy while moving a webhook from one to the other), while an
    /// `ENS_HEADER` naming another header is required as well.
    ///
    /// Errors name the variable, never its value.
    ///
    /// ```
    /// use std::collections::HashMap;
    /// use capillary_ens_receiver::{Auth, EnvError, StaticHeaders};
    /// use http::HeaderMap;
    ///
    /// let vars = HashMap::from([("ENS_BASIC", "ens:s3cret"), ("ENS_BEARER", " ")]);
    /// let headers = StaticHeaders::from_env(|name| vars.get(name).map(|v| v.to_string()))?;
    /// let auth = Auth::new(headers);
    /// let mut request = HeaderMap::new();
    /// request.insert("authorization", "Basic ZW5zOnMzY3JldA==".parse().unwrap());
    /// assert!(auth.verify(&request, b"{}").is_ok());
    ///
    /// let error = StaticHeaders::from_env(|_| None).unwrap_err();
    /// assert_eq!(
    ///     error.to_string(),
    ///     "none of ENS_BASIC, ENS_BEARER and ENS_HEADER is set"
    /// );
    /// # Ok::<(), EnvError>(())
    /// ```
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, EnvError> {
        let var = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let mut headers: Option<Self> = None;
        let mut add = |name: &str, value: String| {
            headers = Some(headers.take().unwrap_or_default().accept(name, value));
        };
        if let Some(basic) = var(BASIC) {
            let (user, password) = basic.split_once(':').ok_or(EnvError::Invalid {
                variable: BASIC,
                expected: "user:password",
            })?;
            add(
                "authorization",
                super::static_headers::basic_value(user, password),
            );
        }
        if let Some(token) = var(BEARER) {
            let value = format!("Bearer {}", token.trim());
            HeaderValue::from_str(&value).map_err(|_| EnvError::Invalid {
                variable: BEARER,
                expected: "a token without control characters",
            })?;
            add("authorization", value);
        }
        if let Some(header) = var(HEADER) {
            let invalid = EnvError::Invalid {
                variable: HEADER,
                expected: "name:value with a valid header name and a value without control characters",
            };
            let (name, value) = header.split_once(':').ok_or(invalid.clone())?;
            let (name, value) = (name.trim(), value.trim());
            if HeaderName::from_bytes(name.as_bytes()).is_err()
                || value.is_empty()
                || HeaderValue::from_str(value).is_err()
            {
                return Err(invalid);
            }
            add(name, value.to_owned());
        }
        headers.ok_or(EnvError::NotSet)
    }
}

/// Why [`StaticHeaders::from_env`] could not read the webhook's credentials.
///
/// Messages are lowercase and name the variable, never its value.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EnvError {
    /// None of `ENS_BASIC`, `ENS_BEARER` and `ENS_HEADER` is set (or all are blank).
    NotSet,
    /// A variable's value does not have the expected form.
    Invalid {
        /// The variable.
        variable: &'static str,
        /// What it should hold.
        expected: &'static str,
    },
}

impl fmt::Display for EnvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotSet => write!(f, "none of {BASIC}, {BEARER} and {HEADER} is set"),
            Self::Invalid { variable, expected } => {
                write!(f, "environment variable {variable} must be {expected}")
            }
        }
    }
}

impl std::error::Error for EnvError {}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use http::HeaderMap;

    use super::*;
    use crate::Auth;

    fn from(vars: &[(&str, &str)]) -> Result<StaticHeaders, EnvError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
            .collect();
        StaticHeaders::from_env(|name| vars.get(name).cloned())
    }

    fn accepts(headers: &StaticHeaders, sent: &[(&'static str, &str)]) -> bool {
        let mut request = HeaderMap::new();
        for (name, value) in sent {
            request.append(*name, value.parse().unwrap());
        }
        Auth::new(headers.clone()).verify(&request, b"{}").is_ok()
    }

    #[test]
    fn each_variable_alone_requires_its_header() {
        let basic = from(&[("ENS_BASIC", "ens:pa:ss")]).unwrap();
        // base64("ens:pa:ss"): the password keeps its colon.
        assert!(accepts(&basic, &[("authorization", "Basic ZW5zOnBhOnNz")]));
        assert!(!accepts(&basic, &[("authorization", "Bearer ens:pa:ss")]));

        let bearer = from(&[("ENS_BEARER", " t0ken\n")]).unwrap();
        assert!(accepts(&bearer, &[("authorization", "Bearer t0ken")]));
        assert!(!accepts(&bearer, &[("authorization", "Bearer other")]));

        let header = from(&[("ENS_HEADER", " X-Api-Key : k3y ")]).unwrap();
        assert!(accepts(&header, &[("x-api-key", "k3y")]));
        assert!(!accepts(&header, &[("x-api-key", "k3y2")]));
        assert!(!accepts(&header, &[]));
    }

    #[test]
    fn basic_and_bearer_together_accept_either() {
        let headers = from(&[("ENS_BASIC", "ens:s3cret"), ("ENS_BEARER", "t0ken")]).unwrap();
        assert!(accepts(&headers, &[("authorization", "Bearer t0ken")]));
        assert!(accepts(
            &headers,
            &[("authorization", "Basic ZW5zOnMzY3JldA==")]
        ));
        assert!(!accepts(&headers, &[("authorization", "Bearer s3cret")]));
    }

    #[test]
    fn another_header_is_required_as_well() {
        let headers = from(&[("ENS_BEARER", "t0ken"), ("ENS_HEADER", "x-api-key:k3y")]).unwrap();
        let both = [("authorization", "Bearer t0ken"), ("x-api-key", "k3y")];
        assert!(accepts(&headers, &both));
        assert!(!accepts(&headers, &both[..1]));
        assert!(!accepts(&headers, &both[1..]));
    }

    #[test]
    fn an_authorization_header_is_one_more_alternative() {
        let headers = from(&[
            ("ENS_BEARER", "t0ken"),
            ("ENS_HEADER", "Authorization:ApiKey k3y"),
        ])
        .unwrap();
        assert!(accepts(&headers, &[("authorization", "ApiKey k3y")]));
        assert!(accepts(&headers, &[("authorization", "Bearer t0ken")]));
    }

    #[test]
    fn blank_values_count_as_unset() {
        assert_eq!(from(&[]).unwrap_err(), EnvError::NotSet);
        let blank = [
            ("ENS_BASIC", ""),
            ("ENS_BEARER", "  "),
            ("ENS_HEADER", "\t"),
        ];
        assert_eq!(from(&blank).unwrap_err(), EnvError::NotSet);
        let headers = from(&[("ENS_BASIC", " "), ("ENS_BEARER", "t0ken")]).unwrap();
        assert!(accepts(&headers, &[("authorization", "Bearer t0ken")]));
    }

    #[test]
    fn malformed_values_name_the_variable() {
        let cases = [
            ("ENS_BASIC", "no-colon-s3cret"),
            ("ENS_BEARER", "t0k\u{7}en-s3cret"),
            ("ENS_HEADER", "no-colon-s3cret"),
            ("ENS_HEADER", "bad name:s3cret"),
            ("ENS_HEADER", ":s3cret"),
            ("ENS_HEADER", "x-api-key: "),
            ("ENS_HEADER", "x-api-key:s3c\u{1}ret"),
        ];
        for (variable, value) in cases {
            let error = from(&[(variable, value)]).unwrap_err();
            assert!(
                matches!(error, EnvError::Invalid { variable: v, .. } if v == variable),
                "{variable}={value:?}: {error:?}"
            );
            let message = error.to_string();
            assert!(message.starts_with(&format!("environment variable {variable} must be")));
            assert_eq!(
                message,
                message
                    .to_lowercase()
                    .replace(&variable.to_lowercase(), variable)
            );
            for shown in [message, format!("{error:?}")] {
                assert!(!shown.contains("s3c"), "{shown}");
            }
        }
    }

    #[test]
    fn debug_never_shows_a_credential() {
        let headers = from(&[
            ("ENS_BASIC", "ens:s3cret"),
            ("ENS_BEARER", "t0ken-s3cret"),
            ("ENS_HEADER", "x-api-key:k3y-s3cret"),
        ])
        .unwrap();
        let debug = format!("{headers:?}");
        assert!(debug.contains("x-api-key"), "{debug}");
        for secret in ["s3cret", "ZW5zOnMzY3JldA", "k3y"] {
            assert!(!debug.contains(secret), "{debug}");
        }
    }
}
