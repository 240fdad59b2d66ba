//! The customer calls: `GET /v2/customers/{id}` and `GET /v2/customers/lookup`.

use reqwest::Method;

use crate::error::DecodeError;
use crate::send::{Call, data_of};
use crate::{Client, Customer, Error, Identifier};

/// Capillary's error code for "customer not found".
const CUSTOMER_NOT_FOUND: &str = "8015";

impl Client {
    /// The customer with Capillary id `id` (`GET /v2/customers/{id}`).
    ///
    /// [`Error::NotFound`] when Capillary answers error code 8015 (no such customer: never
    /// existed, deleted, or merged into another). Any other error status, a 404 without that
    /// code included (a wrong URL, not a missing customer), is [`Error::Api`].
    pub async fn customer(&self, id: i64) -> Result<Customer, Error> {
        self.customer_by_id(id, false).await
    }

    /// The customer with Capillary id `id` and their points and tier in each loyalty program
    /// ([`Customer::points_summaries`]): `GET /v2/customers/{id}?embed=points`. Errors as
    /// [`customer`](Self::customer).
    pub async fn customer_with_points(&self, id: i64) -> Result<Customer, Error> {
        self.customer_by_id(id, true).await
    }

    /// The customer with this identifier:
    /// `GET /v2/customers/lookup?source=INSTORE&identifierName=…&identifierValue=…`.
    ///
    /// The identifier's value travels in the query string, which the client never logs.
    /// [`Error::NotFound`] when no customer has it (code 8015); [`Error::InvalidInput`] for a
    /// blank value.
    ///
    /// ```no_run
    /// # async fn example(client: capillary_ens_admin::Client) -> Result<(), capillary_ens_admin::Error> {
    /// use capillary_ens_admin::{Error, Identifier};
    ///
    /// match client.lookup_customer(&Identifier::email("priya@example.com")).await {
    ///     Ok(customer) => println!("customer {:?}", customer.id),
    ///     Err(Error::NotFound { .. }) => println!("no such customer"),
    ///     Err(error) => return Err(error),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn lookup_customer(&self, identifier: &Identifier) -> Result<Customer, Error> {
        self.customer_by_identifier(identifier, false).await
    }

    /// [`lookup_customer`](Self::lookup_customer) with `embed=points`: the customer's points
    /// and tier too.
    pub async fn lookup_customer_with_points(
        &self,
        identifier: &Identifier,
    ) -> Result<Customer, Error> {
        self.customer_by_identifier(identifier, true).await
    }

    async fn customer_by_id(&self, id: i64, with_points: bool) -> Result<Customer, Error> {
        let id_text = id.to_string();
        let segments = ["v2", "customers", id_text.as_str()];
        let call = embed_points(Call::new(Method::GET, &segments), with_points);
        self.fetch_customer(call, || format!("customer {id}")).await
    }

    async fn customer_by_identifier(
        &self,
        identifier: &Identifier,
        with_points: bool,
    ) -> Result<Customer, Error> {
        let value = identifier.value.expose().trim();
        if value.is_empty() {
            return Err(Error::invalid_input("the identifier value is empty"));
        }
        let name = identifier.kind.as_wire();
        if name.trim().is_empty() {
            return Err(Error::invalid_input("the identifier name is empty"));
        }
        let call = Call::new(Method::GET, &["v2", "customers", "lookup"])
            .query("source", "INSTORE")
            .query("identifierName", name)
            .query("identifierValue", value);
        let call = embed_points(call, with_points);
        // The message names the kind of identifier, never its value.
        self.fetch_customer(call, || format!("customer with this {name}"))
            .await
    }

    async fn fetch_customer(
        &self,
        call: Call<'_>,
        what: impl FnOnce() -> String,
    ) -> Result<Customer, Error> {
        let answer = self.send(call).await;
        answer
            .and_then(|answer| customer_from(answer.status, &answer.body))
            .map_err(|error| not_found_as(error, what))
    }
}

fn embed_points(call: Call<'_>, with_points: bool) -> Call<'_> {
    if with_points {
        call.query("embed", "points")
    } else {
        call
    }
}

/// A success answer's customer object.
pub(crate) fn customer_from(status: u16, body: &[u8]) -> Result<Customer, Error> {
    let data = data_of(status, body)?;
    if !data.is_object() {
        return Err(Error::Decode {
            status,
            source: DecodeError::new("the answer is not a customer object"),
        });
    }
    serde_json::from_value::<Customer>(data).map_err(|error| Error::Decode {
        status,
        source: DecodeError::from_json(&error),
    })
}

/// [`Error::NotFound`] for an answer carrying Capillary's "customer not found" code, whatever
/// its status; any other error unchanged.
fn not_found_as(error: Error, what: impl FnOnce() -> String) -> Error {
    let customer_not_found = error.api().is_some_and(|api| {
        api.errors
            .iter()
            .any(|detail| detail.code.as_deref().map(str::trim) == Some(CUSTOMER_NOT_FOUND))
    });
    if customer_not_found {
        Error::NotFound { what: what() }
    } else {
        error
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use serde_json::{Value, json};

    use super::*;
    use crate::error::ApiError;

    fn read(status: u16, value: &Value) -> Result<Customer, Error> {
        let body = serde_json::to_vec(value).unwrap();
        if (200..300).contains(&status) {
            customer_from(status, &body).map_err(|error| not_found_as(error, || "c".into()))
        } else {
            Err(not_found_as(
                Error::Api(ApiError::from_response(status, &body, None)),
                || "c".into(),
            ))
        }
    }

    #[test]
    fn only_the_customer_not_found_code_is_not_found() {
        let not_found =
            json!({"errors": [{"status": false, "code": 8015, "message": "Customer not found"}]});
        assert!(matches!(read(404, &not_found), Err(Error::NotFound { .. })));
        assert!(matches!(read(200, &not_found), Err(Error::NotFound { .. })));
        let string_code = json!({"errors": [{"code": " 8015 "}]});
        assert!(matches!(
            read(404, &string_code),
            Err(Error::NotFound { .. })
        ));
        let wrong_path = json!({"errors": [{"code": 404}]});
        assert_eq!(read(404, &wrong_path).unwrap_err().status(), Some(404));
        assert_eq!(read(401, &json!({})).unwrap_err().status(), Some(401));
    }

    #[test]
    fn an_answer_that_is_not_an_object_is_a_decode_error() {
        for value in [json!([]), json!("x"), json!(7), json!({"data": [1]})] {
            assert!(
                matches!(read(200, &value), Err(Error::Decode { status: 200, .. })),
                "{value}"
            );
        }
        assert_eq!(
            read(200, &json!({"data": {"id": "42"}})).unwrap().id,
            Some(42)
        );
    }

    proptest! {
        #[test]
        fn any_answer_is_read_without_panicking(
            status in 100u16..600,
            body in prop::collection::vec(any::<u8>(), 0..512),
        ) {
            let _ = customer_from(status, &body).map_err(|error| not_found_as(error, String::new));
            let api = Error::Api(ApiError::from_response(status, &body, None));
            let _ = not_found_as(api, String::new);
        }

        #[test]
        fn any_customer_shaped_json_is_read_without_panicking(
            id in prop_oneof![Just(json!(42)), Just(json!("42")), Just(json!(4.2)), Just(json!(null))],
            names in prop::collection::vec(prop_oneof![Just(json!("Priya")), Just(json!(" ")), Just(json!(7)), Just(json!(null))], 0..3),
            kinds in prop::collection::vec(prop_oneof![Just(json!("email")), Just(json!("MOBILE")), Just(json!(null)), Just(json!({}))], 0..4),
            points in prop::collection::vec(prop_oneof![Just(json!(1.5)), Just(json!("12")), Just(json!("x")), Just(json!(null))], 0..3),
        ) {
            let profiles: Vec<Value> = names
                .iter()
                .map(|name| json!({
                    "firstName": name,
                    "identifiers": kinds.iter().map(|kind| json!({"type": kind, "value": name})).collect::<Vec<_>>(),
                    "commChannels": kinds.iter().map(|kind| json!({"type": kind, "value": name, "primary": name})).collect::<Vec<_>>(),
                }))
                .collect();
            let summaries: Vec<Value> = points
                .iter()
                .map(|value| json!({"programId": value, "loyaltyPoints": value, "currentSlab": value}))
                .collect();
            let customer = json!({"id": id, "profiles": profiles, "pointsSummaries": summaries, "loyaltyInfo": points, "extendedFields": kinds});
            let customer = read(200, &customer);
            prop_assert!(customer.is_ok());
        }
    }
}
