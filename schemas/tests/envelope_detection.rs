//! Which wire form a body is: a flat event (it has `eventName` and `data`) stays flat whatever
//! else it carries, so adding a key the envelope does not read — `attributes`, `eventType` or
//! any other — never changes how a valid delivery parses; the key is only kept in `extra`.
//! The deliveries are every schema example of every event, in both wire forms.

mod common;

use capillary_ens_schemas::{Envelope, EventName, WireForm, parse_tolerant};
use proptest::prelude::*;
use serde_json::{Map, Value};

use common::{event_document, examples};

/// The keys each form reads at its top level; any other key is extra there.
const FLAT_KEYS: [&str; 11] = [
    "eventName",
    "eventId",
    "orgId",
    "refId",
    "apiRequestId",
    "createdAt",
    "loyaltyEventId",
    "eventLogId",
    "traceAttributes",
    "eventSearchKey",
    "data",
];
const WRAPPER_KEYS: [&str; 7] = [
    "eventId",
    "eventLogId",
    "eventType",
    "consumerGroupId",
    "actionType",
    "timeStamp",
    "attributes",
];

/// Every example delivery of every event, in both wire forms.
fn deliveries() -> &'static [Value] {
    static ALL: std::sync::OnceLock<Vec<Value>> = std::sync::OnceLock::new();
    ALL.get_or_init(all_deliveries)
}

fn all_deliveries() -> Vec<Value> {
    let mut all = Vec::new();
    for name in EventName::ALL {
        for example in examples(&event_document(name)) {
            let body = serde_json::to_vec(&example).expect("serializable");
            let (delivery, error) = parse_tolerant(body).expect("every example parses");
            assert!(error.is_none(), "{name}: {error:?}");
            let data = delivery.event.to_data().expect("data re-encodes");
            let mut flat = delivery.envelope.clone();
            flat.wire_form = WireForm::Flat;
            all.push(flat.to_json(data.clone()));
            let wrapped = serde_json::json!({
                "eventType": format!("1_{}", name.as_str()),
                "actionType": "START",
                "attributes": flat.to_json(data),
            });
            all.push(wrapped);
        }
    }
    all
}

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |number| number.is_finite())
            .prop_map(Value::from),
        ".{0,12}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            prop::collection::btree_map("[a-zA-Z]{1,8}", inner, 0..4)
                .prop_map(|map| Value::Object(map.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// An extra key: the other form's keys (extra on this one) or any name.
fn extra_key() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(&WRAPPER_KEYS[..]).prop_map(str::to_owned),
        prop::sample::select(&FLAT_KEYS[..]).prop_map(str::to_owned),
        ".{1,16}",
    ]
}

fn parsed(body: &Value) -> (Envelope, Value) {
    let bytes = serde_json::to_vec(body).expect("serializable");
    let (delivery, error) = parse_tolerant(bytes).expect("a valid delivery parses");
    assert!(error.is_none(), "{error:?}");
    let data = delivery.event.to_data().expect("data re-encodes");
    (delivery.envelope, data)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn an_extra_top_level_key_never_changes_the_parse(
        index in any::<prop::sample::Index>(),
        key in extra_key(),
        value in json_value(),
    ) {
        let body = index.get(deliveries());
        let flat = body.get("attributes").is_none();
        let read_here: &[&str] = if flat { &FLAT_KEYS } else { &WRAPPER_KEYS };
        prop_assume!(!read_here.contains(&key.as_str()));
        prop_assume!(body.get(&key).is_none());

        let (envelope, data) = parsed(body);
        let mut widened = body.clone();
        widened[&key] = value.clone();
        let (widened_envelope, widened_data) = parsed(&widened);

        let mut expected = envelope;
        // On the wrapper, a flat envelope key at the top level is not read, whatever its value
        // (the wrapper's `attributes` hold those); the raw bytes still have it.
        if flat || !FLAT_KEYS.contains(&key.as_str()) {
            expected.extra.insert(key, value);
        }
        prop_assert_eq!(widened_envelope, expected);
        prop_assert_eq!(widened_data, data);
    }
}
