//! [`WebhookHeaders`]: the headers ENS sends with every event of a webhook.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::SecretString;
use crate::lenient;

/// The `webHookHeaders` of a webhook: header names and their (secret) values.
///
/// Names keep the spelling they were given; lookups ignore ASCII case, as HTTP does.
/// `Debug` lists the names only.
///
/// ```
/// use capillary_ens_admin::WebhookHeaders;
///
/// let mut headers = WebhookHeaders::new();
/// headers.set("Authorization", "Bearer t0ken");
/// headers.set("authorization", "Bearer n3w");
/// assert_eq!(headers.len(), 1);
/// assert_eq!(headers.get("AUTHORIZATION").map(|v| v.expose()), Some("Bearer n3w"));
/// assert_eq!(format!("{headers:?}"), r#"{"Authorization": "[redacted]"}"#);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct WebhookHeaders(BTreeMap<String, SecretString>);

impl WebhookHeaders {
    /// No headers.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets header `name` to `value`, replacing a header of the same name in any case.
    pub fn set(&mut self, name: &str, value: impl Into<SecretString>) {
        let key = self.key_of(name).unwrap_or_else(|| name.to_owned());
        self.0.insert(key, value.into());
    }

    /// The value of header `name`, ignoring case.
    pub fn get(&self, name: &str) -> Option<&SecretString> {
        self.key_of(name).and_then(|key| self.0.get(&key))
    }

    /// Removes header `name` (ignoring case) and returns its value.
    pub fn remove(&mut self, name: &str) -> Option<SecretString> {
        self.key_of(name).and_then(|key| self.0.remove(&key))
    }

    /// The header names, as spelled on the webhook.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }

    /// Every header and its value.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SecretString)> {
        self.0.iter().map(|(name, value)| (name.as_str(), value))
    }

    /// How many headers there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no headers.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn key_of(&self, name: &str) -> Option<String> {
        self.0
            .keys()
            .find(|key| key.eq_ignore_ascii_case(name))
            .cloned()
    }
}

impl fmt::Debug for WebhookHeaders {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.0.keys().map(|name| (name, "[redacted]")))
            .finish()
    }
}

impl Serialize for WebhookHeaders {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for WebhookHeaders {
    /// An object of names to values; also the array forms `[{"key"|"name": …, "value": …}]`
    /// and `[{"Name": "value"}]`, since the API reference calls the field an array.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut headers = Self::new();
        match Value::deserialize(deserializer)? {
            Value::Object(map) => {
                for (name, value) in map {
                    if let Some(value) = lenient::as_string(value) {
                        headers.set(&name, value);
                    }
                }
            }
            Value::Array(items) => {
                for item in items {
                    let Value::Object(mut entry) = item else {
                        continue;
                    };
                    let name = entry
                        .remove("key")
                        .or_else(|| entry.remove("name"))
                        .and_then(lenient::as_string);
                    match name {
                        Some(name) => {
                            if let Some(value) = entry.remove("value").and_then(lenient::as_string)
                            {
                                headers.set(&name, value);
                            }
                        }
                        None => {
                            for (name, value) in entry {
                                if let Some(value) = lenient::as_string(value) {
                                    headers.set(&name, value);
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        Ok(headers)
    }
}
