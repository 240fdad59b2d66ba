//! A sub-object used by two or more events lives once in `shared/`: no two event documents
//! define the same `$defs` entry or write the same open enum inline, and no event redefines a
//! shared document locally. Shapes are compared ignoring `description`, `title` and `examples`,
//! so re-wording a copy does not hide it.

mod common;

use std::collections::BTreeMap;

use capillary_ens_schemas::{EventName, json_schema};
use serde_json::{Value, json};

use common::event_document;

/// Drops the prose keywords, keeping only what decides the JSON shape and the Rust type.
fn shape(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(key, _)| !matches!(key.as_str(), "description" | "title" | "examples"))
                .map(|(key, value)| (key.clone(), shape(value)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        other => other.clone(),
    }
}

/// The key of an event's payload in its `$defs`: the wire name with a capital first letter.
fn payload_key(wire_name: &str) -> String {
    let mut chars = wire_name.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

/// Every non-payload `$defs` entry of the event documents, grouped by shape:
/// shape → `(event, $defs key)`. Each event keeps its own payload type, even when two payloads
/// look alike, so payloads are left out.
fn sub_objects_by_shape(events: &[(String, Value)]) -> BTreeMap<String, Vec<(String, String)>> {
    let mut by_shape: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (event, document) in events {
        let defs = document["$defs"]
            .as_object()
            .unwrap_or_else(|| panic!("{event} has no $defs"));
        let payload = payload_key(event);
        assert!(
            defs.contains_key(&payload),
            "{event} has no $defs/{payload}"
        );
        for (key, schema) in defs.iter().filter(|(key, _)| **key != payload) {
            by_shape
                .entry(shape(schema).to_string())
                .or_default()
                .push((event.clone(), key.clone()));
        }
    }
    by_shape
}

/// The groups of identical sub-objects that two or more different events define.
fn repeated_across_events(events: &[(String, Value)]) -> Vec<Vec<(String, String)>> {
    sub_objects_by_shape(events)
        .into_values()
        .filter(|places| places.iter().any(|(event, _)| *event != places[0].0))
        .collect()
}

/// Open enums with the same values in two events but a different meaning, kept apart on purpose,
/// as `event#pointer`.
const SAME_VALUES_OTHER_MEANING: &[&str] = &[
    // How a renewal was decided, and how an upgrade was.
    "tierRenewed#/$defs/TierRenewed/properties/renewType",
    "tierUpgraded#/$defs/TierUpgraded/properties/upgradeType",
    // The channel a customer registered through, and the one a profile was updated through.
    "customerAdded#/$defs/CustomerAdded/properties/source",
    "customerUpdated#/$defs/CustomerUpdated/properties/source",
];

/// Whether a schema is an open enum: `anyOf: [{enum: [..]}, {type: string}]`.
fn is_open_enum(schema: &Value) -> bool {
    schema["anyOf"].as_array().is_some_and(|options| {
        options.len() == 2
            && options[0].get("enum").is_some()
            && options[1] == json!({"type": "string"})
    })
}

/// Every open enum written inline anywhere in the event documents, grouped by shape:
/// shape → `event#pointer`.
fn open_enums_by_shape(events: &[(String, Value)]) -> BTreeMap<String, Vec<String>> {
    fn walk(schema: &Value, pointer: &str, event: &str, out: &mut BTreeMap<String, Vec<String>>) {
        if is_open_enum(schema) {
            out.entry(shape(schema).to_string())
                .or_default()
                .push(format!("{event}#{pointer}"));
        }
        match schema {
            Value::Object(map) => {
                for (key, value) in map.iter().filter(|(key, _)| *key != "examples") {
                    walk(value, &format!("{pointer}/{key}"), event, out);
                }
            }
            Value::Array(items) => {
                for (index, value) in items.iter().enumerate() {
                    walk(value, &format!("{pointer}/{index}"), event, out);
                }
            }
            _ => {}
        }
    }
    let mut by_shape = BTreeMap::new();
    for (event, document) in events {
        walk(document, "", event, &mut by_shape);
    }
    by_shape
}

/// The groups of identical open enums that two or more different events write inline, leaving
/// out the places listed in `allowed`.
fn open_enums_repeated_across_events(
    events: &[(String, Value)],
    allowed: &[&str],
) -> Vec<Vec<String>> {
    open_enums_by_shape(events)
        .into_values()
        .map(|places| {
            places
                .into_iter()
                .filter(|place| !allowed.contains(&place.as_str()))
                .collect::<Vec<_>>()
        })
        .filter(|places| {
            let event = |place: &String| place.split('#').next().map(str::to_owned);
            places.iter().any(|place| event(place) != event(&places[0]))
        })
        .collect()
}

fn event_documents() -> Vec<(String, Value)> {
    EventName::ALL
        .iter()
        .map(|name| (name.as_str().to_owned(), event_document(name)))
        .collect()
}

#[test]
fn no_two_events_define_the_same_sub_object() {
    let repeated = repeated_across_events(&event_documents());
    assert!(
        repeated.is_empty(),
        "these event sub-objects are defined more than once; move each into one \
         schemas/json/shared/<Concept>.json and $ref it: {repeated:#?}"
    );
}

#[test]
fn no_two_events_write_the_same_open_enum_inline() {
    let repeated = open_enums_repeated_across_events(&event_documents(), SAME_VALUES_OTHER_MEANING);
    assert!(
        repeated.is_empty(),
        "these open enums are written inline in more than one event; move each into one \
         schemas/json/shared/<Concept>.json and $ref it (or, if only the values agree, list the \
         places in SAME_VALUES_OTHER_MEANING): {repeated:#?}"
    );
}

#[test]
fn no_event_redefines_a_shared_document() {
    let shared: BTreeMap<String, &str> = json_schema::SHARED
        .iter()
        .map(|&(id, text)| {
            let mut root: Value = serde_json::from_str(text).expect("shared documents are JSON");
            if let Some(map) = root.as_object_mut() {
                for key in ["$schema", "$id", "$defs"] {
                    map.remove(key);
                }
            }
            (shape(&root).to_string(), id)
        })
        .collect();
    let events = event_documents();
    let sub_objects = sub_objects_by_shape(&events)
        .into_iter()
        .map(|(shape, places)| (shape, format!("{places:?}")));
    let open_enums = open_enums_by_shape(&events)
        .into_iter()
        .map(|(shape, places)| (shape, format!("{places:?}")));
    let copies: Vec<String> = sub_objects
        .chain(open_enums)
        .filter_map(|(shape, places)| shared.get(&shape).map(|id| format!("{places} copy {id}")))
        .collect();
    assert!(
        copies.is_empty(),
        "$ref the shared documents instead: {copies:#?}"
    );
}

#[test]
fn the_check_finds_a_re_worded_copy_but_not_alike_payloads() {
    // Guards the tests above with two made-up events.
    let member = json!({
        "type": "object",
        "description": "A member.",
        "properties": {"name": {"type": "string", "x-pii": true, "description": "Name."}}
    });
    let mut re_worded = member.clone();
    re_worded["description"] = Value::from("Someone who joined.");
    re_worded["properties"]["name"]["description"] = Value::from("Their name.");
    let payload = json!({"type": "object", "properties": {"id": {"type": "integer"}}});
    let events = vec![
        (
            "memberJoined".to_owned(),
            json!({"$defs": {"MemberJoined": payload, "Member": member}}),
        ),
        (
            "memberLeft".to_owned(),
            json!({"$defs": {"MemberLeft": payload, "LeavingMember": re_worded}}),
        ),
    ];
    let repeated = repeated_across_events(&events);
    assert_eq!(
        repeated,
        vec![vec![
            ("memberJoined".to_owned(), "Member".to_owned()),
            ("memberLeft".to_owned(), "LeavingMember".to_owned()),
        ]]
    );

    // A different `x-pii` is a different shape: personal data must agree to be shared.
    let mut not_personal = member.clone();
    not_personal["properties"]["name"]
        .as_object_mut()
        .unwrap()
        .remove("x-pii");
    let events = vec![
        (
            "memberJoined".to_owned(),
            json!({"$defs": {"MemberJoined": payload, "Member": member}}),
        ),
        (
            "memberLeft".to_owned(),
            json!({"$defs": {"MemberLeft": payload, "Member": not_personal}}),
        ),
    ];
    assert!(repeated_across_events(&events).is_empty());
}

#[test]
fn the_open_enum_check_finds_a_re_worded_copy_at_any_depth() {
    // Guards the open-enum test above with two made-up events.
    let status = |description: &str| {
        json!({
            "description": description,
            "anyOf": [{"enum": ["OPEN", "CLOSED"]}, {"type": "string"}]
        })
    };
    let events = vec![
        (
            "ticketOpened".to_owned(),
            json!({"$defs": {"TicketOpened": {"properties": {"status": status("Status.")}}}}),
        ),
        (
            "ticketClosed".to_owned(),
            json!({"$defs": {"TicketClosed": {"properties": {"ticket": {
                "properties": {"state": status("Where the ticket is.")}
            }}}}}),
        ),
    ];
    let opened = "ticketOpened#/$defs/TicketOpened/properties/status";
    let closed = "ticketClosed#/$defs/TicketClosed/properties/ticket/properties/state";
    assert_eq!(
        open_enums_repeated_across_events(&events, &[]),
        vec![vec![opened.to_owned(), closed.to_owned()]]
    );
    assert!(open_enums_repeated_across_events(&events, &[opened]).is_empty());

    // Other values are another enum.
    let mut other = events.clone();
    other[1].1["$defs"]["TicketClosed"]["properties"]["ticket"]["properties"]["state"]["anyOf"]
        [0]["enum"] = json!(["OPEN"]);
    assert!(open_enums_repeated_across_events(&other, &[]).is_empty());
}
