//! The public answer types read any bytes without panicking (the client's own answer parsing
//! is property-tested in its unit tests).

use capillary_ens_admin::{DeliveryMetrics, DeliveryRecord, WebhookConfig, WebhookHeaders};
use proptest::prelude::*;

proptest! {
    #[test]
    fn answer_types_never_panic_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        let _ = serde_json::from_slice::<WebhookConfig>(&bytes);
        let _ = serde_json::from_slice::<Vec<WebhookConfig>>(&bytes);
        let _ = serde_json::from_slice::<DeliveryRecord>(&bytes);
        let _ = serde_json::from_slice::<DeliveryMetrics>(&bytes);
        let _ = serde_json::from_slice::<WebhookHeaders>(&bytes);
    }

    #[test]
    fn a_webhook_with_odd_field_types_still_reads(
        connections in prop_oneof![Just("\"12\"".to_owned()), Just("12.0".to_owned()), Just("null".to_owned()), Just("-3".to_owned())],
        active in prop_oneof![Just("true"), Just("\"false\""), Just("1"), Just("null")],
        names in prop_oneof![Just("[\"pointsIssued\", 7, null]"), Just("\"pointsIssued\""), Just("null")],
    ) {
        let body = format!(
            r#"{{"webHookId": 42, "name": "n", "maxAllowedConnections": {connections}, "active": {active}, "eventNames": {names}, "webHookHeaders": [{{"key": "a", "value": "b"}}]}}"#
        );
        let webhook: WebhookConfig = serde_json::from_str(&body).expect("lenient");
        prop_assert_eq!(webhook.id.as_deref(), Some("42"));
        prop_assert!(webhook.max_allowed_connections == 12 || webhook.max_allowed_connections == 10);
        prop_assert_eq!(webhook.headers.get("A").map(|v| v.expose().to_owned()), Some("b".to_owned()));
    }
}
