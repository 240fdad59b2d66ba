//! Emitting what ties the events together: `EventName`, `EventGroup`, `Event`, the
//! `EventPayload` impls and the embedded schema documents.

use proc_macro2::TokenStream;
use quote::quote;

use crate::catalog::Catalog;
use crate::emit_types::{doc_attrs, ident};
use crate::lower::Lowered;
use crate::names::{module_name, type_name};

/// The first sentence of a description. A period ends a sentence only when a capital letter, a
/// digit or code follows and it does not close an abbreviation such as "i.e." or "e.g.".
pub(crate) fn summary(description: &str) -> String {
    const ABBREVIATIONS: &[&str] = &["i.e.", "e.g.", "etc.", "vs.", "cf.", "incl.", "approx."];
    let text = description.trim();
    let mut search_from = 0;
    while let Some(offset) = text[search_from..].find(". ") {
        let end = search_from + offset;
        let next = text[end + 2..].chars().next();
        let word = text[..=end]
            .rsplit(char::is_whitespace)
            .next()
            .unwrap_or_default()
            .trim_start_matches(['(', '"', '`'])
            .to_ascii_lowercase();
        let starts_sentence =
            next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || c == '`');
        if starts_sentence && !ABBREVIATIONS.contains(&word.as_str()) {
            return text[..=end].to_owned();
        }
        search_from = end + 2;
    }
    text.to_owned()
}

pub(crate) fn event_name_items(catalog: &Catalog, lowered: &Lowered) -> TokenStream {
    let variants: Vec<_> = lowered
        .events
        .iter()
        .map(|event| ident(&type_name(&event.wire_name)))
        .collect();
    let wires: Vec<&String> = lowered
        .events
        .iter()
        .map(|event| &event.wire_name)
        .collect();
    let summaries: Vec<String> = lowered
        .events
        .iter()
        .map(|event| summary(&event.description))
        .collect();
    let variant_docs = lowered
        .events
        .iter()
        .zip(&summaries)
        .map(|(event, summary)| doc_attrs(&format!("`{}`: {summary}", event.wire_name)));
    let groups: Vec<_> = lowered
        .events
        .iter()
        .map(|event| ident(&type_name(&event.group)))
        .collect();
    let schema_paths: Vec<String> = lowered
        .events
        .iter()
        .map(|event| format!("../../json/{}", event.relative_path))
        .collect();
    let schema_ids: Vec<&String> = catalog
        .events
        .iter()
        .map(|event| &event.document.id)
        .collect();
    let payloads: Vec<TokenStream> = lowered
        .events
        .iter()
        .map(|event| {
            let payload = ident(&event.payload);
            quote!(crate::events::#payload)
        })
        .collect();
    let count = lowered.events.len();

    let group_variants: Vec<_> = catalog
        .groups
        .iter()
        .map(|group| ident(&type_name(&group.name)))
        .collect();
    let group_names: Vec<&String> = catalog.groups.iter().map(|group| &group.name).collect();
    let group_titles: Vec<&String> = catalog.groups.iter().map(|group| &group.title).collect();
    let group_descriptions: Vec<&String> = catalog
        .groups
        .iter()
        .map(|group| &group.description)
        .collect();
    let group_docs = catalog
        .groups
        .iter()
        .map(|group| doc_attrs(&format!("{}: {}", group.title, group.description)));
    let group_events = catalog.groups.iter().map(|group| {
        let members = group.events.iter().map(|event| ident(&type_name(event)));
        quote!(&[#(EventName::#members),*])
    });

    quote! {
        /// The type of an event, as ENS names it in `eventName`.
        ///
        /// Reading a name never fails: a name this version does not know is kept in `Unknown`,
        /// and known names are matched ignoring ASCII case because the sender's spelling drifts
        /// (`issuedalternateCurrenciesReversed`).
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EventName {
            #(#variant_docs #variants,)*
            /// An event this version does not know, with its name as sent.
            Unknown(String),
        }

        impl EventName {
            #[doc = concat!("All ", stringify!(#count), " known events, by group in the order of the docs.")]
            pub const ALL: &'static [EventName] = &[#(EventName::#variants),*];

            /// The name as ENS spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #(Self::#variants => #wires,)*
                    Self::Unknown(name) => name,
                }
            }

            /// Reads a name as sent: exact spellings first, then ignoring ASCII case.
            pub fn from_wire(name: &str) -> Self {
                match name {
                    #(#wires => Self::#variants,)*
                    other => #(if other.eq_ignore_ascii_case(#wires) { Self::#variants } else)* {
                        Self::Unknown(other.to_owned())
                    }
                }
            }

            /// Whether this version has a type for the event.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unknown(_))
            }

            /// The group the event belongs to; `None` for unknown events.
            pub fn group(&self) -> Option<EventGroup> {
                match self {
                    #(Self::#variants => Some(EventGroup::#groups),)*
                    Self::Unknown(_) => None,
                }
            }

            /// One sentence on what the event reports.
            pub fn summary(&self) -> Option<&'static str> {
                match self {
                    #(Self::#variants => Some(#summaries),)*
                    Self::Unknown(_) => None,
                }
            }

            /// The event's JSON Schema document (the source of its Rust type).
            pub fn json_schema(&self) -> Option<&'static str> {
                match self {
                    #(Self::#variants => Some(include_str!(#schema_paths)),)*
                    Self::Unknown(_) => None,
                }
            }

            /// The `$id` of the event's JSON Schema document.
            pub fn json_schema_id(&self) -> Option<&'static str> {
                match self {
                    #(Self::#variants => Some(#schema_ids),)*
                    Self::Unknown(_) => None,
                }
            }

            /// The JSON Schema of the event's Rust payload type, as `schemars` derives it
            /// (feature `schemars`).
            #[cfg(feature = "schemars")]
            pub fn payload_schema(&self) -> Option<schemars::Schema> {
                match self {
                    #(Self::#variants => Some(schemars::schema_for!(#payloads)),)*
                    Self::Unknown(_) => None,
                }
            }
        }

        impl std::fmt::Display for EventName {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for EventName {
            type Err = std::convert::Infallible;

            fn from_str(name: &str) -> Result<Self, Self::Err> {
                Ok(Self::from_wire(name))
            }
        }

        impl From<&str> for EventName {
            fn from(name: &str) -> Self {
                Self::from_wire(name)
            }
        }

        impl serde::Serialize for EventName {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for EventName {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::open_enum::deserialize(deserializer, Self::from_wire)
            }
        }

        #[cfg(feature = "schemars")]
        impl schemars::JsonSchema for EventName {
            fn schema_name() -> std::borrow::Cow<'static, str> {
                "EventName".into()
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                crate::open_enum::schema(&[#(#wires),*])
            }
        }

        /// The groups events are documented in.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EventGroup {
            #(#group_docs #group_variants,)*
        }

        impl EventGroup {
            /// Every group, in display order.
            pub const ALL: &'static [EventGroup] = &[#(EventGroup::#group_variants),*];

            /// Machine name of the group (`partnerProgram`).
            pub fn as_str(self) -> &'static str {
                match self {
                    #(Self::#group_variants => #group_names,)*
                }
            }

            /// Display title of the group.
            pub fn title(self) -> &'static str {
                match self {
                    #(Self::#group_variants => #group_titles,)*
                }
            }

            /// One sentence on what the group's events report.
            pub fn description(self) -> &'static str {
                match self {
                    #(Self::#group_variants => #group_descriptions,)*
                }
            }

            /// The group's events, in display order.
            pub fn events(self) -> &'static [EventName] {
                match self {
                    #(Self::#group_variants => #group_events,)*
                }
            }
        }

        impl std::fmt::Display for EventGroup {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    }
}

pub(crate) fn event_items(lowered: &Lowered) -> TokenStream {
    let variants: Vec<_> = lowered
        .events
        .iter()
        .map(|event| ident(&type_name(&event.wire_name)))
        .collect();
    let docs = lowered
        .events
        .iter()
        .map(|event| doc_attrs(&summary(&event.description)));
    let payloads: Vec<TokenStream> = lowered
        .events
        .iter()
        .map(|event| {
            let payload = ident(&event.payload);
            quote!(crate::events::#payload)
        })
        .collect();
    let variant_names: Vec<String> = lowered
        .events
        .iter()
        .map(|event| type_name(&event.wire_name))
        .collect();
    quote! {
        use serde_json::value::RawValue;

        use crate::{EventName, EventPayload, ParseError};

        /// One event, typed by its name.
        ///
        /// Each variant holds the event's `data`; the envelope (id, org, timestamps) is in
        /// [`Envelope`](crate::Envelope). `Debug` redacts personal data, including all of an
        /// unknown event's `data`.
        #[derive(Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Event {
            #(#docs #variants(Box<#payloads>),)*
            /// An event this version does not know: its name as sent and its `data` untouched.
            Unknown {
                /// The event name as sent.
                name: String,
                /// The event's `data`, as it arrived.
                data: serde_json::Value,
            },
        }

        impl Event {
            /// The event's name.
            pub fn name(&self) -> EventName {
                match self {
                    #(Self::#variants(_) => EventName::#variants,)*
                    Self::Unknown { name, .. } => EventName::Unknown(name.clone()),
                }
            }

            /// Parses the `data` of an event named `name` into its type.
            ///
            /// An unknown name gives [`Event::Unknown`]; a known one whose data does not match
            /// its type gives an error naming the JSON path (from `data`).
            pub fn from_data(name: &EventName, data: &RawValue) -> Result<Self, ParseError> {
                match name {
                    #(EventName::#variants => crate::delivery::parse_payload(EventName::#variants, data)
                        .map(|payload| Self::#variants(Box::new(payload))),)*
                    EventName::Unknown(name) => {
                        let data = serde_json::from_str(data.get()).map_err(ParseError::syntax)?;
                        Ok(Self::Unknown { name: name.clone(), data })
                    }
                }
            }

            /// Reads the `data` of an event named `name` straight into its type, from inside
            /// the envelope: the single-pass parse. Errors carry no path; the caller falls back
            /// to [`Event::from_data`] for that.
            pub(crate) fn deserialize_data<'de, D: serde::Deserializer<'de>>(
                name: &EventName,
                deserializer: D,
            ) -> Result<Self, D::Error> {
                match name {
                    #(EventName::#variants => <#payloads as serde::Deserialize>::deserialize(deserializer)
                        .map(|payload| Self::#variants(Box::new(payload))),)*
                    EventName::Unknown(name) => {
                        let data = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                        Ok(Self::Unknown { name: name.clone(), data })
                    }
                }
            }

            /// The event's `data` as JSON.
            pub fn to_data(&self) -> serde_json::Result<serde_json::Value> {
                match self {
                    #(Self::#variants(payload) => serde_json::to_value(payload),)*
                    Self::Unknown { data, .. } => Ok(data.clone()),
                }
            }
        }

        impl std::fmt::Debug for Event {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                match self {
                    #(Self::#variants(payload) => f.debug_tuple(#variant_names).field(payload).finish(),)*
                    Self::Unknown { name, .. } => f
                        .debug_struct("Unknown")
                        .field("name", name)
                        .field("data", &format_args!("[redacted]"))
                        .finish(),
                }
            }
        }

        #(
            impl EventPayload for #payloads {
                const EVENT_NAME: EventName = EventName::#variants;

                fn into_event(self) -> Event {
                    Event::#variants(Box::new(self))
                }

                fn from_event(event: Event) -> Result<Self, Event> {
                    match event {
                        Event::#variants(payload) => Ok(*payload),
                        other => Err(other),
                    }
                }
            }
        )*
    }
}

pub(crate) fn json_files_items(catalog: &Catalog) -> TokenStream {
    let envelope = format!("../../json/{}", catalog.envelope.relative_path);
    let ids = catalog.shared.iter().map(|document| &document.id);
    let paths = catalog
        .shared
        .iter()
        .map(|document| format!("../../json/{}", document.relative_path));
    quote! {
        pub(crate) const ENVELOPE: &str = include_str!(#envelope);

        /// The shared sub-object documents, as `($id, JSON text)`.
        pub const SHARED: &[(&str, &str)] = &[#((#ids, include_str!(#paths))),*];
    }
}

pub(crate) fn events_mod_items(lowered: &Lowered) -> TokenStream {
    let modules: Vec<_> = lowered
        .events
        .iter()
        .map(|event| ident(&module_name(&event.wire_name)))
        .collect();
    let payloads: Vec<_> = lowered
        .events
        .iter()
        .map(|event| ident(&event.payload))
        .collect();
    let docs = lowered.events.iter().map(|event| {
        doc_attrs(&format!(
            "`{}`: {}",
            event.wire_name,
            summary(&event.description)
        ))
    });
    quote! {
        #(#docs pub mod #modules;)*
        #(pub use #modules::#payloads;)*
    }
}

#[cfg(test)]
mod tests {
    use super::summary;

    #[test]
    fn a_summary_does_not_stop_at_an_abbreviation() {
        assert_eq!(
            summary(
                "Fires when a customer earns a badge, i.e. an activity meets its rule. Brands use it."
            ),
            "Fires when a customer earns a badge, i.e. an activity meets its rule."
        );
        assert_eq!(
            summary("A coupon, e.g. `SAVE10`. `refId` is opaque."),
            "A coupon, e.g. `SAVE10`."
        );
    }

    #[test]
    fn a_summary_stops_at_the_first_sentence() {
        assert_eq!(summary("Use it. Brands sync it."), "Use it.");
        assert_eq!(summary("One sentence only."), "One sentence only.");
        assert_eq!(
            summary("Ends at the period. 2 more."),
            "Ends at the period."
        );
    }
}
