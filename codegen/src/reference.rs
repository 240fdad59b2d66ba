//! What an event page says, independent of Markdown or HTML: the fields, the examples, a Rust
//! `match`, and how the delivery around `data` behaves (envelope, headers, status codes,
//! deduplication).
//!
//! Text uses a small inline markup both renderers understand: `` `code` ``, `**strong**`
//! and `[text](repo:path/in/the/repository)`.

use heck::ToSnakeCase;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::fields::{self, FieldRow};
use crate::lower::{Lowered, LoweredEvent};

/// A titled part of a page.
pub(crate) struct Section {
    /// The heading.
    pub(crate) title: String,
    pub(crate) blocks: Vec<Block>,
}

/// One block of a section.
pub(crate) enum Block {
    Paragraph(String),
    Table(Table),
    /// A field table of `data` or of a shared object.
    Fields(Vec<FieldRow>),
    Code {
        language: &'static str,
        text: String,
    },
}

/// A table of inline-markup cells.
pub(crate) struct Table {
    pub(crate) header: Vec<&'static str>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// The examples of an event document (whole deliveries).
pub(crate) fn examples<'c>(catalog: &'c Catalog, wire_name: &str) -> &'c [Value] {
    catalog
        .events
        .iter()
        .find(|doc| doc.name == wire_name)
        .and_then(|doc| doc.document.json.get("examples"))
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The sections of an event's page, in reading order.
pub(crate) fn event_sections(
    catalog: &Catalog,
    lowered: &Lowered,
    event: &LoweredEvent,
) -> Vec<Section> {
    let mut sections = vec![Section {
        title: "Fields of `data`".to_owned(),
        blocks: vec![Block::Fields(fields::rows(
            lowered,
            &event.module,
            &event.payload,
        ))],
    }];
    for (index, example) in examples(catalog, &event.wire_name).iter().enumerate() {
        sections.push(Section {
            title: if index == 0 {
                "Example".to_owned()
            } else {
                format!("Example {}", index + 1)
            },
            blocks: vec![Block::Code {
                language: "json",
                text: serde_json::to_string_pretty(example).unwrap_or_default(),
            }],
        });
    }
    sections.push(rust_section(event));
    sections.push(envelope_section(catalog, event));
    sections.push(headers_section());
    sections.push(status_section());
    sections.push(deduplication_section(event));
    sections
}

fn rust_section(event: &LoweredEvent) -> Section {
    let binding = event.payload.to_snake_case();
    let mut reads = String::new();
    let fields = event.module.get(&event.payload).and_then(|def| match def {
        crate::ir::TypeDef::Struct(def) => Some(&def.fields),
        crate::ir::TypeDef::Enum(_) => None,
    });
    let mut chosen: Vec<_> = fields
        .into_iter()
        .flatten()
        .filter(|field| field.required)
        .take(2)
        .collect();
    if chosen.is_empty() {
        chosen = fields.into_iter().flatten().take(2).collect();
    }
    for field in chosen {
        let name = field.rust_name.trim_start_matches("r#");
        reads.push_str(&format!(
            "            let {name} = &{binding}.{};\n",
            field.rust_name
        ));
    }
    let text = format!(
        "use capillary_ens_schemas::{{Event, ParseError, parse}};\n\
         \n\
         fn handle(body: Vec<u8>) -> Result<(), ParseError> {{\n    \
             let delivery = parse(body)?; // either wire form; the raw bytes stay in delivery.raw()\n    \
             match &delivery.event {{\n        \
                 Event::{payload}({binding}) => {{\n\
         {reads}            \
                     // … handle the event, then answer 2xx\n        \
                 }}\n        \
                 other => println!(\"not handled here: {{}}\", other.name()),\n    \
             }}\n    \
             Ok(())\n\
         }}",
        payload = event.payload,
    );
    Section {
        title: "Handling it in Rust".to_owned(),
        blocks: vec![
            Block::Paragraph(format!(
                "`capillary_ens_schemas::parse` reads either wire form into a normalized envelope and \
                 `Event::{0}`; with the receiver, register a handler with \
                 `EnsRouter::new().on::<{0}, _, _>(handler)` and it gets authentication, the status \
                 policy and deduplication below.",
                event.payload
            )),
            Block::Code {
                language: "rust",
                text,
            },
        ],
    }
}

fn envelope_section(catalog: &Catalog, event: &LoweredEvent) -> Section {
    let defs = catalog.envelope.json.get("$defs");
    let table = |name: &str| Table {
        header: vec!["Key", "Type", "What it is"],
        rows: defs
            .and_then(|defs| defs.get(name))
            .and_then(|def| def.get("properties"))
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .map(|(key, schema)| {
                let description = if key == "data" {
                    "The event's payload: the fields above.".to_owned()
                } else {
                    text_of(schema, "description")
                };
                vec![format!("`{key}`"), json_type(schema), description]
            })
            .collect(),
    };
    let name = &event.wire_name;
    let wrapped = format!(
        "{{\n  \"eventId\": \"…\",\n  \"eventType\": \"<orgId>_{name}\",\n  \"consumerGroupId\": null,\n  \
         \"actionType\": \"START\",\n  \"timeStamp\": 1683891234567,\n  \"attributes\": {{\n    \
         \"eventName\": \"{name}\",\n    \"orgId\": 150698,\n    \"refId\": \"…\",\n    \
         \"apiRequestId\": \"…\",\n    \"createdAt\": 1683891234512,\n    \"data\": {{ … }}\n  }}\n}}"
    );
    Section {
        title: "Envelope".to_owned(),
        blocks: vec![
            Block::Paragraph(format!(
                "ENS POSTs one event per request: `data` inside an envelope of metadata. Only \
                 `eventName` (here `{name}`) and `data` are in every delivery; the ids identify the \
                 event (`eventId`), the organisation (`orgId`) and the cause (`refId`, \
                 `apiRequestId`), and `createdAt` orders events."
            )),
            Block::Table(table("FlatEnvelope")),
            Block::Paragraph(
                "**The wrapped form.** Some deliveries carry the same keys inside an \
                 `eventType`/`attributes` wrapper (the flat envelope minus `eventId`, which moves \
                 to the wrapper). `capillary_ens_schemas::parse` accepts both and presents one \
                 `Envelope`; other languages should accept both too (`schemas/json/envelope.json`)."
                    .to_owned(),
            ),
            Block::Code {
                language: "json",
                text: wrapped,
            },
            Block::Table(table("WrappedEnvelope")),
        ],
    }
}

fn headers_section() -> Section {
    let rows = [
        [
            "`Content-Type`",
            "`application/json`",
            "Always; the body is one JSON object.",
        ],
        [
            "the webhook's configured headers",
            "for example `Authorization: Basic …`, `Authorization: Bearer …` or an API key header",
            "Set on the webhook (`webHookHeaders`) and sent unchanged with every event: ENS's only authentication.",
        ],
        [
            "`User-Agent`, `Accept`",
            "`Java/1.8.0_272`, `text/plain, application/json, application/*+json, */*` in a captured delivery",
            "Informational; do not rely on them.",
        ],
        [
            "a signature header such as `X-Signature`",
            "`sha256=<hex>` of the raw body",
            "Only when a gateway in front of the endpoint signs with HMAC-SHA256.",
        ],
        [
            "`webhook-id`, `webhook-timestamp`, `webhook-signature`",
            "`v1,<base64>`",
            "Only when a relay speaks the Standard Webhooks scheme.",
        ],
    ];
    Section {
        title: "Headers and authentication".to_owned(),
        blocks: vec![
            Block::Paragraph(
                "ENS adds no event-name, event-id, timestamp or signature header: everything about \
                 the event is in the body."
                    .to_owned(),
            ),
            Block::Table(Table {
                header: vec!["Header", "Value", "When"],
                rows: rows
                    .iter()
                    .map(|row| row.iter().map(|cell| (*cell).to_owned()).collect())
                    .collect(),
            }),
            Block::Paragraph(
                "**To authenticate**, compare the configured header in constant time before \
                 parsing the body, over HTTPS (`StaticHeaders::basic`, `::bearer` or `::require` \
                 in `capillary-ens-receiver`). Verify an HMAC signature on the raw bytes, never on \
                 re-serialized JSON (`HmacSha256`), and a Standard Webhooks signature over \
                 `webhook-id.webhook-timestamp.body` with its timestamp tolerance \
                 (`StandardWebhooks`). To rotate a credential without losing events, accept the \
                 old and the new value, update the webhook (`PUT /v3/webHooks/{webHookId}`), then \
                 drop the old value."
                    .to_owned(),
            ),
        ],
    }
}

fn status_section() -> Section {
    let rows = [
        [
            "`2xx` within 30 seconds",
            "Done: the event counts as delivered.",
            "The event is handled or safely stored, is a repeat of one that was, or is an event you do not handle.",
        ],
        [
            "`429`, `5xx`, or no answer in time",
            "Retries **the same event** with exponential backoff for about 7 days, before any later event of this webhook; then gives up on it.",
            "A failure that can succeed later (your database or a downstream API is down). Never for a failure that will repeat, or the webhook's queue stalls for a week.",
        ],
        [
            "any other `4xx` (`400`, `401`, `404`, `422`, …)",
            "Drops the event for good; it is never sent again.",
            "Authentication failed (`401`). Never for a payload ENS may legitimately send: a payload that does not match its type is acknowledged and dead-lettered, not rejected.",
        ],
    ];
    Section {
        title: "Status codes and retries".to_owned(),
        blocks: vec![
            Block::Table(Table {
                header: vec!["Your answer", "What ENS does", "Answer it when"],
                rows: rows
                    .iter()
                    .map(|row| row.iter().map(|cell| (*cell).to_owned()).collect())
                    .collect(),
            }),
            Block::Paragraph(
                "`capillary-ens-receiver` answers by this policy; [its README](repo:receiver/README.md) \
                 lists every situation and its status."
                    .to_owned(),
            ),
        ],
    }
}

fn deduplication_section(event: &LoweredEvent) -> Section {
    let name = &event.wire_name;
    Section {
        title: "Deduplication".to_owned(),
        blocks: vec![Block::Paragraph(format!(
            "ENS delivers at least once: an event whose answer timed out or was retriable is sent \
             again, so the same event can arrive twice. The key is the event name and `eventId` \
             (`{name}` + `eventId`); a delivery without `eventId` (some documented samples lack \
             it) is keyed on `{name}` + a SHA-256 hash of the raw body. Answer a repeat of a \
             handled key with `2xx` without handling it again. Deliveries run concurrently and \
             may arrive out of order: order by `createdAt` (epoch milliseconds), not by arrival."
        ))],
    }
}

fn text_of(schema: &Value, key: &str) -> String {
    schema
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .trim()
        .to_owned()
}

/// The JSON type of an envelope key, for people.
fn json_type(schema: &Value) -> String {
    match schema.get("type") {
        Some(Value::String(ty))
            if ty == "object" && schema.get("additionalProperties").is_some() =>
        {
            "map of string".to_owned()
        }
        Some(Value::String(ty)) => ty.clone(),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "object".to_owned(),
    }
}
