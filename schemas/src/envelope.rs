//! [`Envelope`]: one normalized view over both wire forms of a delivery.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::lenient::{Lenient, LenientI64};
use crate::{EventName, ParseError};

/// The metadata of one delivery, the same whichever wire form ENS used.
///
/// ENS POSTs a flat object (`eventName`, `eventId`, `orgId`, …, `data`); some deliveries use an
/// `eventType`/`attributes` wrapper instead. Both are read into this one shape, and
/// [`wire_form`](Self::wire_form) says which arrived. Every field but the event name is optional
/// because real payloads omit them. `Debug` shows the keys of [`extra`](Self::extra) but not
/// their values, which may hold personal data.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Envelope {
    /// The event type (`eventName`, or the name inside the wrapper's `eventType`).
    pub event_name: EventName,
    /// Unique id of the event: the de-duplication key. Absent from some payloads.
    pub event_id: Option<String>,
    /// Capillary organisation id.
    pub org_id: Option<i64>,
    /// Internal reference, `<orgId>_<suffix>`; a key of the event-log API.
    pub ref_id: Option<String>,
    /// Id of the API request that caused the event (`X-CAP-REQUEST-ID`).
    pub api_request_id: Option<String>,
    /// When Capillary stored the event, in epoch milliseconds. Order events by this.
    pub created_at: Option<i64>,
    /// Id of the loyalty engine event behind the notification.
    pub loyalty_event_id: Option<String>,
    /// Loyalty event-log id, on points-type events.
    pub event_log_id: Option<i64>,
    /// Propagated tracing attributes; values that were not strings hold their JSON text.
    pub trace_attributes: BTreeMap<String, String>,
    /// JSON path of the event's primary lookup identifier.
    pub event_search_key: Option<String>,
    /// Which wire form arrived, with the wrapper's own fields.
    pub wire_form: WireForm,
    /// Keys the envelope does not know yet, kept as they arrived (from both levels of the
    /// wrapper).
    pub extra: Map<String, Value>,
}

impl fmt::Debug for Envelope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("event_name", &self.event_name)
            .field("event_id", &self.event_id)
            .field("org_id", &self.org_id)
            .field("ref_id", &self.ref_id)
            .field("api_request_id", &self.api_request_id)
            .field("created_at", &self.created_at)
            .field("loyalty_event_id", &self.loyalty_event_id)
            .field("event_log_id", &self.event_log_id)
            .field("trace_attributes", &self.trace_attributes)
            .field("event_search_key", &self.event_search_key)
            .field("wire_form", &self.wire_form)
            .field("extra_keys", &self.extra.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// The wire form a delivery arrived in.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum WireForm {
    /// The flat object ENS POSTs.
    #[default]
    Flat,
    /// The `eventType`/`attributes` wrapper.
    Wrapped(Wrapper),
}

/// The wrapper's own fields.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Wrapper {
    /// `<orgId>_<eventName>` or the bare event name.
    pub event_type: Option<String>,
    /// The subscribing webhook's consumer group, usually absent.
    pub consumer_group_id: Option<String>,
    /// Always `START` in captured payloads.
    pub action_type: Option<String>,
    /// Dispatch time in epoch milliseconds.
    pub time_stamp: Option<i64>,
}

impl Envelope {
    /// An envelope for `event_name` with nothing else set, in the flat form.
    pub fn new(event_name: EventName) -> Self {
        Self {
            event_name,
            event_id: None,
            org_id: None,
            ref_id: None,
            api_request_id: None,
            created_at: None,
            loyalty_event_id: None,
            event_log_id: None,
            trace_attributes: BTreeMap::new(),
            event_search_key: None,
            wire_form: WireForm::Flat,
            extra: Map::new(),
        }
    }

    /// Reads the envelope of a delivery and returns it with the still-unparsed `data`.
    ///
    /// This is the first half of [`parse`](crate::parse): use it when the envelope must be
    /// known even if the payload later fails to type-check.
    ///
    /// A leading UTF-8 byte order mark is skipped.
    pub fn parse(raw: &[u8]) -> Result<(Envelope, &RawValue), ParseError> {
        let raw = without_bom(raw);
        let wire = match serde_json::from_slice::<WireEnvelope<'_, RawData>>(raw) {
            Ok(wire) => wire,
            Err(error) => return Err(locate_envelope_error(raw, error)),
        };
        wire.normalize()
    }

    /// The delivery as JSON in this envelope's wire form, around `data`.
    ///
    /// Parsing the result gives this envelope back.
    pub fn to_json(&self, data: Value) -> Value {
        let mut fields = self.extra.clone();
        let mut put = |key: &str, value: Value| {
            fields.insert(key.to_owned(), value);
        };
        put("eventName", self.event_name.as_str().into());
        if let Some(org_id) = self.org_id {
            put("orgId", org_id.into());
        }
        if let Some(ref_id) = &self.ref_id {
            put("refId", ref_id.as_str().into());
        }
        if let Some(api_request_id) = &self.api_request_id {
            put("apiRequestId", api_request_id.as_str().into());
        }
        if let Some(created_at) = self.created_at {
            put("createdAt", created_at.into());
        }
        if let Some(loyalty_event_id) = &self.loyalty_event_id {
            put("loyaltyEventId", loyalty_event_id.as_str().into());
        }
        if let Some(event_search_key) = &self.event_search_key {
            put("eventSearchKey", event_search_key.as_str().into());
        }
        if !self.trace_attributes.is_empty() {
            let trace = self
                .trace_attributes
                .iter()
                .map(|(key, value)| (key.clone(), Value::from(value.as_str())))
                .collect();
            put("traceAttributes", Value::Object(trace));
        }
        put("data", data);
        let mut outer = match &self.wire_form {
            WireForm::Flat => fields,
            WireForm::Wrapped(wrapper) => {
                let mut outer = Map::new();
                let mut put = |key: &str, value: Option<Value>| {
                    if let Some(value) = value {
                        outer.insert(key.to_owned(), value);
                    }
                };
                put("eventType", wrapper.event_type.clone().map(Value::from));
                put(
                    "consumerGroupId",
                    wrapper.consumer_group_id.clone().map(Value::from),
                );
                put("actionType", wrapper.action_type.clone().map(Value::from));
                put("timeStamp", wrapper.time_stamp.map(Value::from));
                outer.insert("attributes".to_owned(), Value::Object(fields));
                outer
            }
        };
        if let Some(event_id) = &self.event_id {
            outer.insert("eventId".to_owned(), event_id.as_str().into());
        }
        if let Some(event_log_id) = self.event_log_id {
            outer.insert("eventLogId".to_owned(), event_log_id.into());
        }
        Value::Object(outer)
    }
}

/// `raw` without a leading UTF-8 byte order mark: JSON forbids one, but some HTTP stacks
/// add it, and refusing the event for it would lose it.
pub(crate) fn without_bom(raw: &[u8]) -> &[u8] {
    raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw)
}

/// Re-reads a failed envelope with path tracking: the fast path pays nothing for it.
fn locate_envelope_error(raw: &[u8], error: serde_json::Error) -> ParseError {
    if error.is_syntax() || error.is_eof() {
        return ParseError::syntax(error);
    }
    let mut deserializer = serde_json::Deserializer::from_slice(raw);
    match serde_path_to_error::deserialize::<_, WireEnvelope<'_, RawData>>(&mut deserializer) {
        Err(located) => {
            let path = located.path().to_string();
            ParseError::envelope_from(path, located.into_inner())
        }
        Ok(_) => ParseError::envelope_from(".".to_owned(), error),
    }
}

/// How the envelope pass reads `data`: captured as raw text ([`RawData`], for
/// [`Envelope::parse`]) or parsed into its type on the way (the single pass of
/// [`crate::parse`]).
pub(crate) trait DataMode<'de>: Default {
    /// What `data` is read into.
    type Data;

    /// Reads the value of the `data` key; `event_name` is the `eventName` read so far on the
    /// same level, if any.
    fn read<A: MapAccess<'de>>(
        map: &mut A,
        event_name: Option<&str>,
    ) -> Result<Self::Data, A::Error>;
}

/// `data` captured as its raw JSON text, to be typed in a second pass.
#[derive(Default)]
pub(crate) struct RawData;

impl<'de> DataMode<'de> for RawData {
    type Data = &'de RawValue;

    fn read<A: MapAccess<'de>>(map: &mut A, _: Option<&str>) -> Result<&'de RawValue, A::Error> {
        map.next_value()
    }
}

/// Either level of the wire form: the flat object, the wrapper, or the wrapper's `attributes`.
pub(crate) struct WireEnvelope<'de, M: DataMode<'de>> {
    event_name: Option<String>,
    event_id: Option<String>,
    org_id: Option<i64>,
    ref_id: Option<String>,
    api_request_id: Option<String>,
    created_at: Option<i64>,
    loyalty_event_id: Option<String>,
    event_log_id: Option<i64>,
    trace_attributes: Option<BTreeMap<String, String>>,
    event_search_key: Option<String>,
    event_type: Option<String>,
    consumer_group_id: Option<String>,
    action_type: Option<String>,
    time_stamp: Option<i64>,
    data: Option<M::Data>,
    /// The wrapper's `attributes`, read as raw text: whether this level is the wrapper is only
    /// known once every key was seen (a flat event may carry a key named `attributes`).
    attributes: Option<&'de RawValue>,
    /// The wrapper-only keys as they arrived, kept in `extra` when the object is flat.
    wrapper_keys: Map<String, Value>,
    /// `eventName` was there but not text: fatal on the level that is the event, ignored on
    /// the wrapper's top level.
    bad_event_name: bool,
    extra: Map<String, Value>,
}

impl<'de, M: DataMode<'de>> Default for WireEnvelope<'de, M> {
    fn default() -> Self {
        Self {
            event_name: None,
            event_id: None,
            org_id: None,
            ref_id: None,
            api_request_id: None,
            created_at: None,
            loyalty_event_id: None,
            event_log_id: None,
            trace_attributes: None,
            event_search_key: None,
            event_type: None,
            consumer_group_id: None,
            action_type: None,
            time_stamp: None,
            data: None,
            attributes: None,
            wrapper_keys: Map::new(),
            bad_event_name: false,
            extra: Map::new(),
        }
    }
}

impl<'de, M: DataMode<'de>> WireEnvelope<'de, M> {
    /// The envelope in its one normalized shape, and `data` as the mode read it.
    ///
    /// An object with both `eventName` and `data` is the flat form, whatever else it carries
    /// (an `attributes` or `eventType` key is then just an unknown key); only an object that
    /// lacks them and has `attributes` is read as the wrapper.
    pub(crate) fn normalize(self) -> Result<(Envelope, M::Data), ParseError> {
        let WireEnvelope {
            event_name,
            event_id,
            org_id,
            ref_id,
            api_request_id,
            created_at,
            loyalty_event_id,
            event_log_id,
            trace_attributes,
            event_search_key,
            event_type,
            consumer_group_id,
            action_type,
            time_stamp,
            data,
            attributes,
            wrapper_keys,
            bad_event_name,
            mut extra,
        } = self;
        let is_flat = event_name.is_some() && data.is_some();
        let (inner, wire_form, prefix) = match attributes {
            Some(attributes) if !is_flat => {
                let mut inner = read_attributes::<M>(attributes)?;
                // Keys the inner level does not know, wrapper-only ones included, are kept.
                let nested = std::mem::take(&mut inner.wrapper_keys);
                inner.extra.extend(nested);
                if let Some(nested) = inner.attributes.take() {
                    let value = serde_json::from_str(nested.get()).map_err(ParseError::syntax)?;
                    inner.extra.insert("attributes".to_owned(), value);
                }
                // The flat envelope's keys belong inside `attributes`; beside them they are not
                // read, whatever their value (a wrongly typed one was set aside in `extra`).
                for key in FLAT_ONLY_KEYS {
                    extra.remove(key);
                }
                let wrapper = Wrapper {
                    event_type,
                    consumer_group_id,
                    action_type,
                    time_stamp,
                };
                (inner, WireForm::Wrapped(wrapper), "attributes.")
            }
            attributes => {
                // Wrapper-only keys on a flat object are unknown keys there: keep them as sent.
                extra.extend(wrapper_keys);
                if let Some(attributes) = attributes {
                    let value =
                        serde_json::from_str(attributes.get()).map_err(ParseError::syntax)?;
                    extra.insert("attributes".to_owned(), value);
                }
                let flat = WireEnvelope {
                    event_name,
                    bad_event_name,
                    ref_id,
                    api_request_id,
                    created_at,
                    loyalty_event_id,
                    trace_attributes,
                    event_search_key,
                    org_id,
                    data,
                    ..WireEnvelope::default()
                };
                (flat, WireForm::Flat, "")
            }
        };
        let name = inner.event_name.or_else(|| match &wire_form {
            WireForm::Wrapped(wrapper) => wrapper.event_type.as_deref().map(strip_org_prefix),
            WireForm::Flat => None,
        });
        let Some(name) = name else {
            if inner.bad_event_name {
                return Err(ParseError::envelope(
                    format!("{prefix}eventName"),
                    "the event name must be a string",
                ));
            }
            return Err(ParseError::envelope(
                format!("{prefix}eventName"),
                format!("missing field `{prefix}eventName`"),
            ));
        };
        let Some(data) = inner.data else {
            return Err(ParseError::envelope(
                format!("{prefix}data"),
                format!("missing field `{prefix}data`"),
            ));
        };
        extra.extend(inner.extra);
        let envelope = Envelope {
            event_name: EventName::from_wire(&name),
            event_id: event_id.or(inner.event_id),
            org_id: inner.org_id,
            ref_id: inner.ref_id,
            api_request_id: inner.api_request_id,
            created_at: inner.created_at,
            loyalty_event_id: inner.loyalty_event_id,
            event_log_id: event_log_id.or(inner.event_log_id),
            trace_attributes: inner.trace_attributes.unwrap_or_default(),
            event_search_key: inner.event_search_key,
            wire_form,
            extra,
        };
        Ok((envelope, data))
    }
}

/// `150698_customerAdded` → `customerAdded`; a bare name is returned as it is.
fn strip_org_prefix(event_type: &str) -> String {
    match event_type.split_once('_') {
        Some((org, name))
            if !org.is_empty() && !name.is_empty() && org.bytes().all(|b| b.is_ascii_digit()) =>
        {
            name.to_owned()
        }
        _ => event_type.to_owned(),
    }
}

impl<'de, M: DataMode<'de>> Deserialize<'de> for WireEnvelope<'de, M> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(WireEnvelopeVisitor(std::marker::PhantomData))
    }
}

struct WireEnvelopeVisitor<M>(std::marker::PhantomData<M>);

impl<'de, M: DataMode<'de>> Visitor<'de> for WireEnvelopeVisitor<M> {
    type Value = WireEnvelope<'de, M>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an ENS event object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut wire = WireEnvelope::<M>::default();
        while let Some(key) = map.next_key::<Field>()? {
            let extra = &mut wire.extra;
            match key {
                Field::EventName => match map.next_value::<Meta>()?.into_text() {
                    Ok(name) => wire.event_name = name,
                    Err(_) => wire.bad_event_name = true,
                },
                Field::EventId => wire.event_id = text(extra, key.name(), map.next_value()?),
                Field::OrgId => wire.org_id = integer(extra, key.name(), map.next_value()?),
                Field::RefId => wire.ref_id = text(extra, key.name(), map.next_value()?),
                Field::ApiRequestId => {
                    wire.api_request_id = text(extra, key.name(), map.next_value()?);
                }
                Field::CreatedAt => wire.created_at = integer(extra, key.name(), map.next_value()?),
                Field::LoyaltyEventId => {
                    wire.loyalty_event_id = text(extra, key.name(), map.next_value()?);
                }
                Field::EventLogId => {
                    wire.event_log_id = integer(extra, key.name(), map.next_value()?);
                }
                Field::TraceAttributes => match map.next_value::<Meta>()? {
                    Meta::Other(Value::Object(trace)) => {
                        wire.trace_attributes = Some(
                            trace
                                .into_iter()
                                .map(|(key, value)| match value {
                                    Value::String(text) => (key, text),
                                    other => (key, other.to_string()),
                                })
                                .collect(),
                        );
                    }
                    Meta::Null => {}
                    other => {
                        extra.insert(key.name().to_owned(), other.into_value());
                    }
                },
                Field::EventSearchKey => {
                    wire.event_search_key = text(extra, key.name(), map.next_value()?);
                }
                Field::EventType => {
                    let meta = wrapper_key(&mut wire.wrapper_keys, &key, map.next_value()?);
                    wire.event_type = text(extra, key.name(), meta);
                }
                Field::ConsumerGroupId => {
                    let meta = wrapper_key(&mut wire.wrapper_keys, &key, map.next_value()?);
                    wire.consumer_group_id = text(extra, key.name(), meta);
                }
                Field::ActionType => {
                    let meta = wrapper_key(&mut wire.wrapper_keys, &key, map.next_value()?);
                    wire.action_type = text(extra, key.name(), meta);
                }
                Field::TimeStamp => {
                    let meta = wrapper_key(&mut wire.wrapper_keys, &key, map.next_value()?);
                    wire.time_stamp = integer(extra, key.name(), meta);
                }
                Field::Data => wire.data = Some(M::read(&mut map, wire.event_name.as_deref())?),
                Field::Attributes => wire.attributes = Some(map.next_value()?),
                Field::Other(key) => {
                    let value: Value = map.next_value()?;
                    extra.insert(key, value);
                }
            }
        }
        Ok(wire)
    }
}

/// A key of either envelope level: the known ones without allocating, any other as sent.
enum Field {
    EventName,
    EventId,
    OrgId,
    RefId,
    ApiRequestId,
    CreatedAt,
    LoyaltyEventId,
    EventLogId,
    TraceAttributes,
    EventSearchKey,
    EventType,
    ConsumerGroupId,
    ActionType,
    TimeStamp,
    Data,
    Attributes,
    Other(String),
}

impl Field {
    fn from_wire(name: &str) -> Option<Field> {
        Some(match name {
            "eventName" => Field::EventName,
            "eventId" => Field::EventId,
            "orgId" => Field::OrgId,
            "refId" => Field::RefId,
            "apiRequestId" => Field::ApiRequestId,
            "createdAt" => Field::CreatedAt,
            "loyaltyEventId" => Field::LoyaltyEventId,
            "eventLogId" => Field::EventLogId,
            "traceAttributes" => Field::TraceAttributes,
            "eventSearchKey" => Field::EventSearchKey,
            "eventType" => Field::EventType,
            "consumerGroupId" => Field::ConsumerGroupId,
            "actionType" => Field::ActionType,
            "timeStamp" => Field::TimeStamp,
            "data" => Field::Data,
            "attributes" => Field::Attributes,
            _ => return None,
        })
    }

    /// The key as it is written on the wire.
    fn name(&self) -> &str {
        match self {
            Field::EventName => "eventName",
            Field::EventId => "eventId",
            Field::OrgId => "orgId",
            Field::RefId => "refId",
            Field::ApiRequestId => "apiRequestId",
            Field::CreatedAt => "createdAt",
            Field::LoyaltyEventId => "loyaltyEventId",
            Field::EventLogId => "eventLogId",
            Field::TraceAttributes => "traceAttributes",
            Field::EventSearchKey => "eventSearchKey",
            Field::EventType => "eventType",
            Field::ConsumerGroupId => "consumerGroupId",
            Field::ActionType => "actionType",
            Field::TimeStamp => "timeStamp",
            Field::Data => "data",
            Field::Attributes => "attributes",
            Field::Other(name) => name,
        }
    }
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

struct FieldVisitor;

impl Visitor<'_> for FieldVisitor {
    type Value = Field;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
        Ok(Field::from_wire(name).unwrap_or_else(|| Field::Other(name.to_owned())))
    }

    fn visit_string<E: de::Error>(self, name: String) -> Result<Field, E> {
        Ok(Field::from_wire(&name).unwrap_or(Field::Other(name)))
    }
}

/// The flat envelope's keys that the wrapper's top level does not read.
const FLAT_ONLY_KEYS: [&str; 9] = [
    "eventName",
    "orgId",
    "refId",
    "apiRequestId",
    "createdAt",
    "loyaltyEventId",
    "traceAttributes",
    "eventSearchKey",
    "data",
];

/// Reads the wrapper's `attributes` object; an error names its path under `attributes.`.
fn read_attributes<'de, M: DataMode<'de>>(
    attributes: &'de RawValue,
) -> Result<WireEnvelope<'de, M>, ParseError> {
    let text = attributes.get();
    serde_json::from_str::<WireEnvelope<'de, M>>(text).map_err(|error| {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        match serde_path_to_error::deserialize::<_, WireEnvelope<'_, RawData>>(&mut deserializer) {
            Err(located) => {
                let path = match located.path().to_string() {
                    root if root == "." => "attributes".to_owned(),
                    inner => format!("attributes.{inner}"),
                };
                ParseError::envelope_from(path, located.into_inner())
            }
            Ok(_) => ParseError::envelope_from("attributes".to_owned(), error),
        }
    })
}

/// Keeps a wrapper-only key's value as it arrived (for the flat form, where it is an unknown
/// key), and hands the value on to be read.
fn wrapper_key(kept: &mut Map<String, Value>, key: &Field, meta: Meta) -> Meta {
    kept.insert(key.name().to_owned(), meta.clone().into_value());
    meta
}

/// A metadata string; a value of another type is kept in `extra` rather than failing the event.
fn text(extra: &mut Map<String, Value>, key: &str, meta: Meta) -> Option<String> {
    meta.into_text().unwrap_or_else(|value| {
        extra.insert(key.to_owned(), value);
        None
    })
}

/// A metadata integer, as leniently as [`crate::lenient`] reads one; a value of another type is
/// kept in `extra` rather than failing the event.
fn integer(extra: &mut Map<String, Value>, key: &str, meta: Meta) -> Option<i64> {
    meta.into_integer().unwrap_or_else(|value| {
        extra.insert(key.to_owned(), value);
        None
    })
}

/// Any metadata value, read without committing to a type; strings and numbers stay cheap.
#[derive(Clone)]
enum Meta {
    Null,
    Text(String),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
    Other(Value),
}

impl Meta {
    /// The value as an optional string: numbers become their text (ids drift between the two).
    fn into_text(self) -> Result<Option<String>, Value> {
        match self {
            Meta::Null => Ok(None),
            Meta::Text(text) => Ok(Some(text)),
            Meta::Signed(number) => Ok(Some(number.to_string())),
            Meta::Unsigned(number) => Ok(Some(number.to_string())),
            other => Err(other.into_value()),
        }
    }

    fn into_integer(self) -> Result<Option<i64>, Value> {
        use serde::de::IntoDeserializer;
        let read = |deserializer: serde::de::value::StringDeserializer<de::value::Error>| {
            LenientI64::deserialize(deserializer).map(i64::from_wire)
        };
        match self {
            Meta::Null => Ok(None),
            Meta::Signed(number) => Ok(Some(number)),
            Meta::Unsigned(number) => i64::try_from(number)
                .map(Some)
                .map_err(|_| Value::from(number)),
            Meta::Float(number) => read(number.to_string().into_deserializer())
                .map(Some)
                .map_err(|_| Value::from(number)),
            Meta::Text(text) => match read(text.clone().into_deserializer()) {
                Ok(number) => Ok(Some(number)),
                Err(_) => Err(Value::String(text)),
            },
            other => Err(other.into_value()),
        }
    }

    fn into_value(self) -> Value {
        match self {
            Meta::Null => Value::Null,
            Meta::Text(text) => Value::String(text),
            Meta::Signed(number) => Value::from(number),
            Meta::Unsigned(number) => Value::from(number),
            Meta::Float(number) => Value::from(number),
            Meta::Other(value) => value,
        }
    }
}

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(MetaVisitor)
    }
}

struct MetaVisitor;

impl<'de> Visitor<'de> for MetaVisitor {
    type Value = Meta;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Meta, E> {
        Ok(Meta::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Meta, E> {
        Ok(Meta::Null)
    }

    fn visit_bool<E: de::Error>(self, value: bool) -> Result<Meta, E> {
        Ok(Meta::Other(Value::Bool(value)))
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<Meta, E> {
        Ok(Meta::Signed(value))
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<Meta, E> {
        Ok(Meta::Unsigned(value))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<Meta, E> {
        Ok(Meta::Float(value))
    }

    fn visit_str<E: de::Error>(self, value: &str) -> Result<Meta, E> {
        Ok(Meta::Text(value.to_owned()))
    }

    fn visit_string<E: de::Error>(self, value: String) -> Result<Meta, E> {
        Ok(Meta::Text(value))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Meta, A::Error> {
        Value::deserialize(de::value::SeqAccessDeserializer::new(seq)).map(Meta::Other)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Meta, A::Error> {
        Value::deserialize(de::value::MapAccessDeserializer::new(map)).map(Meta::Other)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<(Envelope, String), ParseError> {
        Envelope::parse(json.as_bytes()).map(|(envelope, data)| (envelope, data.get().to_owned()))
    }

    #[test]
    fn flat_form() {
        let (envelope, data) = parse(
            r#"{"eventName":"pointsIssued","eventId":"e-1","orgId":50952.0,"refId":"50952_x",
                "createdAt":1732527005123,"loyaltyEventId":null,"eventLogId":7,
                "traceAttributes":{"requestId":"r","n":1},"newKey":true,"data":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(envelope.event_name, EventName::PointsIssued);
        assert_eq!(envelope.event_id.as_deref(), Some("e-1"));
        assert_eq!(envelope.org_id, Some(50952));
        assert_eq!(envelope.loyalty_event_id, None);
        assert_eq!(envelope.event_log_id, Some(7));
        assert_eq!(envelope.trace_attributes["n"], "1");
        assert_eq!(envelope.extra["newKey"], Value::Bool(true));
        assert_eq!(envelope.wire_form, WireForm::Flat);
        assert_eq!(data, r#"{"a":1}"#);
    }

    #[test]
    fn wrapped_form() {
        let (envelope, data) = parse(
            r#"{"eventId":"e-2","eventType":"150698_customerAdded","consumerGroupId":null,
                "actionType":"START","timeStamp":5,"attributes":{"createdAt":4,
                "eventName":"customerAdded","orgId":150698,"data":{}}}"#,
        )
        .unwrap();
        assert_eq!(envelope.event_name, EventName::CustomerAdded);
        assert_eq!(envelope.event_id.as_deref(), Some("e-2"));
        assert_eq!(envelope.created_at, Some(4));
        let WireForm::Wrapped(wrapper) = &envelope.wire_form else {
            panic!("expected the wrapper, got {:?}", envelope.wire_form)
        };
        assert_eq!(wrapper.time_stamp, Some(5));
        assert_eq!(wrapper.consumer_group_id, None);
        assert_eq!(data, "{}");
    }

    #[test]
    fn wrapped_form_without_event_name_uses_event_type() {
        let (envelope, _) =
            parse(r#"{"eventType":"2013_targetValueAchieved","attributes":{"data":{}}}"#).unwrap();
        assert_eq!(envelope.event_name, EventName::TargetValueAchieved);
        let (envelope, _) =
            parse(r#"{"eventType":"cardUpdated","attributes":{"data":{}}}"#).unwrap();
        assert_eq!(envelope.event_name, EventName::CardUpdated);
    }

    #[test]
    fn metadata_of_an_unexpected_type_is_kept_not_fatal() {
        let (envelope, _) = parse(
            r#"{"eventName":"pointsIssued","orgId":{"id":1},"createdAt":"soon","eventId":[1],
                "traceAttributes":"x","eventLogId":"12","data":{}}"#,
        )
        .unwrap();
        assert_eq!(envelope.org_id, None);
        assert_eq!(envelope.extra["orgId"], serde_json::json!({"id": 1}));
        assert_eq!(envelope.extra["createdAt"], "soon");
        assert_eq!(envelope.extra["eventId"], serde_json::json!([1]));
        assert_eq!(envelope.extra["traceAttributes"], "x");
        assert_eq!(envelope.event_log_id, Some(12));
    }

    #[test]
    fn round_trips_through_json_in_both_forms() {
        for json in [
            r#"{"eventName":"tierUpgraded","eventId":"e","orgId":1,"refId":"1_2","apiRequestId":"a","createdAt":3,"loyaltyEventId":"l","eventLogId":4,"eventSearchKey":"k","traceAttributes":{"t":"v"},"x":[1],"data":{"k":1}}"#,
            r#"{"eventId":"e","eventType":"1_cardUpdated","actionType":"START","timeStamp":9,"attributes":{"eventName":"cardUpdated","orgId":1,"data":{}}}"#,
        ] {
            let (envelope, data) = parse(json).unwrap();
            let data: Value = serde_json::from_str(&data).unwrap();
            let again = envelope.to_json(data.clone()).to_string();
            let (reparsed, redata) = parse(&again).unwrap();
            assert_eq!(reparsed, envelope);
            assert_eq!(serde_json::from_str::<Value>(&redata).unwrap(), data);
        }
    }

    #[test]
    fn a_flat_event_with_an_attributes_key_stays_flat() {
        let (envelope, data) = parse(
            r#"{"eventName":"pointsIssued","eventId":"e-9","attributes":{"tier":"gold"},
                "eventType":7,"timeStamp":"12","data":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(envelope.wire_form, WireForm::Flat);
        assert_eq!(envelope.event_id.as_deref(), Some("e-9"));
        assert_eq!(
            envelope.extra["attributes"],
            serde_json::json!({"tier": "gold"})
        );
        assert_eq!(envelope.extra["eventType"], 7);
        assert_eq!(envelope.extra["timeStamp"], "12", "kept as sent");
        assert_eq!(data, r#"{"a":1}"#);
        let (envelope, _) =
            parse(r#"{"attributes":"x","data":{},"eventName":"pointsIssued"}"#).unwrap();
        assert_eq!(envelope.extra["attributes"], "x");
    }

    #[test]
    fn only_a_body_without_event_name_and_data_is_the_wrapper() {
        let (envelope, _) = parse(
            r#"{"eventName":"ignoredWithoutData","eventType":"1_cardUpdated",
                "attributes":{"eventName":"cardUpdated","attributes":[1],"actionType":"X","data":{}}}"#,
        )
        .unwrap();
        assert_eq!(envelope.event_name, EventName::CardUpdated);
        assert!(matches!(envelope.wire_form, WireForm::Wrapped(_)));
        assert_eq!(envelope.extra["attributes"], serde_json::json!([1]));
        assert_eq!(envelope.extra["actionType"], "X");
        let error = parse(r#"{"attributes":{"eventName":[5],"data":{}}}"#).unwrap_err();
        assert_eq!(error.path(), Some("attributes.eventName"));
        let error = parse(r#"{"attributes":"x"}"#).unwrap_err();
        assert_eq!(error.path(), Some("attributes"));
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        let (envelope, data) =
            parse("\u{feff}{\"eventName\":\"pointsIssued\",\"data\":{}}").unwrap();
        assert_eq!(envelope.event_name, EventName::PointsIssued);
        assert_eq!(data, "{}");
    }

    #[test]
    fn errors_name_the_failing_field() {
        let error = parse(r#"{"eventName":{},"data":{}}"#).unwrap_err();
        assert_eq!(error.path(), Some("eventName"));
        let error = parse(r#"{"eventName":"pointsIssued"}"#).unwrap_err();
        assert_eq!(error.path(), Some("data"));
        let error = parse(r#"{"data":{}}"#).unwrap_err();
        assert_eq!(error.path(), Some("eventName"));
        let error = parse(r#"{"attributes":{"data":{}}}"#).unwrap_err();
        assert_eq!(error.path(), Some("attributes.eventName"));
        let error = parse(r#"[1]"#).unwrap_err();
        assert_eq!(error.kind(), crate::ParseErrorKind::Envelope);
        let error = parse(r#"{"eventName":"#).unwrap_err();
        assert_eq!(error.kind(), crate::ParseErrorKind::Syntax);
    }
}
