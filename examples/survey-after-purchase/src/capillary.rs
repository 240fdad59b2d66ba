//! What the app reads from the Capillary API: who the customer is and how to reach them.

use capillary_ens_admin::{Client, Customer, CustomerProfile, Error, IdentifierKind};
use capillary_ens_schemas::Pii;

/// What a survey needs to know about a customer. `Debug` redacts every field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct CustomerContact {
    pub(crate) first_name: Option<Pii<String>>,
    pub(crate) email: Option<Pii<String>>,
    pub(crate) mobile: Option<Pii<String>>,
}

/// The contact of customer `id`, read with `GET /v2/customers/{id}`; `None` when Capillary
/// does not know the customer (error code 8015). Every other error is worth a retry.
pub(crate) async fn contact(capillary: &Client, id: i64) -> Result<Option<CustomerContact>, Error> {
    match capillary.customer(id).await {
        Ok(customer) => Ok(Some(contact_of(&customer))),
        Err(Error::NotFound { .. }) => Ok(None),
        Err(error) => Err(error),
    }
}

/// The first profile's name, and its email and mobile: from `commChannels` (the primary one
/// first), else from `identifiers`.
fn contact_of(customer: &Customer) -> CustomerContact {
    let Some(profile) = customer.profile() else {
        return CustomerContact::default();
    };
    CustomerContact {
        first_name: profile.first_name.clone(),
        email: reachable_at(profile, "email", &IdentifierKind::Email),
        mobile: reachable_at(profile, "mobile", &IdentifierKind::Mobile),
    }
}

fn reachable_at(
    profile: &CustomerProfile,
    channel: &str,
    identifier: &IdentifierKind,
) -> Option<Pii<String>> {
    profile
        .comm_channel(channel)
        .map(|channel| channel.value.clone())
        .or_else(|| profile.identifier(identifier).cloned())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;

    fn contact_in(customer: &Value) -> CustomerContact {
        let customer: Customer = serde_json::from_value(customer.clone()).unwrap();
        contact_of(&customer)
    }

    #[test]
    fn the_primary_channel_wins_and_identifiers_are_the_fallback() {
        let customer = json!({"id": 42, "profiles": [{
            "firstName": "Priya",
            "commChannels": [
                {"type": "email", "value": "old@example.com", "primary": false},
                {"type": "email", "value": "priya@example.com", "primary": true}
            ],
            "identifiers": [{"type": "mobile", "value": "919876543210"}]
        }]});
        let contact = contact_in(&customer);
        assert_eq!(contact.first_name.unwrap().expose(), "Priya");
        assert_eq!(contact.email.unwrap().expose(), "priya@example.com");
        assert_eq!(contact.mobile.unwrap().expose(), "919876543210");
    }

    #[test]
    fn blank_values_are_no_contact() {
        assert_eq!(
            contact_in(&json!({"profiles": [{"firstName": " "}]})),
            CustomerContact::default()
        );
        let blank_channel = json!({"profiles": [{
            "commChannels": [{"type": "email", "value": " ", "primary": true}],
            "identifiers": [{"type": "email", "value": "from-identifiers@example.com"}]
        }]});
        assert_eq!(
            contact_in(&blank_channel).email.unwrap().expose(),
            "from-identifiers@example.com"
        );
    }

    proptest! {
        #[test]
        fn any_json_customer_is_read_without_panicking(
            first_name in proptest::option::of(".{0,10}"),
            kinds in proptest::collection::vec(("(email|mobile|EMAIL|fax)", ".{0,10}", any::<Option<bool>>()), 0..4),
        ) {
            let channels: Vec<Value> = kinds
                .iter()
                .map(|(kind, value, primary)| json!({"type": kind, "value": value, "primary": primary}))
                .collect();
            let customer = json!({"profiles": [{"firstName": first_name, "commChannels": channels, "identifiers": 7}]});
            let contact = contact_in(&customer);
            for value in [contact.first_name, contact.email, contact.mobile].into_iter().flatten() {
                prop_assert!(!value.expose().trim().is_empty());
            }
        }
    }
}
