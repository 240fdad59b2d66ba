//! [`WebhookType`] and [`MethodType`]: open enumerations of the webhook configuration.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// Where ENS sends a webhook's events (`webHookType`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum WebhookType {
    /// `HTTP`: an HTTP call to the webhook URL.
    #[default]
    Http,
    /// `QUEUE_INT`: published to an internal Capillary queue, no HTTP call.
    QueueInt,
    /// A value this version does not know, as sent.
    Other(String),
}

impl WebhookType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Http => "HTTP",
            Self::QueueInt => "QUEUE_INT",
            Self::Other(value) => value,
        }
    }

    /// Reads a wire value, ignoring case; never fails.
    pub fn from_wire(value: &str) -> Self {
        if value.eq_ignore_ascii_case("HTTP") {
            Self::Http
        } else if value.eq_ignore_ascii_case("QUEUE_INT") {
            Self::QueueInt
        } else {
            Self::Other(value.to_owned())
        }
    }
}

/// The HTTP method ENS uses to call the webhook (`methodType`). ENS deliveries are `POST`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum MethodType {
    /// `POST`, the method every documented delivery uses.
    #[default]
    Post,
    /// `PUT`.
    Put,
    /// `GET`.
    Get,
    /// `DELETE`.
    Delete,
    /// A value this version does not know, as sent.
    Other(String),
}

impl MethodType {
    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Get => "GET",
            Self::Delete => "DELETE",
            Self::Other(value) => value,
        }
    }

    /// Reads a wire value, ignoring case; never fails.
    pub fn from_wire(value: &str) -> Self {
        match value.to_ascii_uppercase().as_str() {
            "POST" => Self::Post,
            "PUT" => Self::Put,
            "GET" => Self::Get,
            "DELETE" => Self::Delete,
            _ => Self::Other(value.to_owned()),
        }
    }
}

macro_rules! wire_string {
    ($type:ty) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                Ok(match Value::deserialize(deserializer)? {
                    Value::String(text) => Self::from_wire(&text),
                    _ => Self::default(),
                })
            }
        }
    };
}

wire_string!(WebhookType);
wire_string!(MethodType);
