//! The customer endpoints: from an authenticated request to a status and a JSON body.

use std::collections::BTreeMap;

use http::Method;
use serde_json::Value;

use super::customer::{IdentifierName, MockCustomer};
use super::wire::{
    CUSTOMER_NOT_FOUND, INVALID_CUSTOMER_ID, MISSING_IDENTIFIER, UNSUPPORTED_IDENTIFIER, error_body,
};

/// What the mock answers, and which customer the request was about, if it found one.
#[derive(Debug, PartialEq)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) body: Value,
    pub(crate) customer_id: Option<u64>,
}

impl Answer {
    fn error(status: u16, code: u32, message: &str) -> Self {
        Self {
            status,
            body: error_body(code, message),
            customer_id: None,
        }
    }
}

/// Answers `method path?query` from `customers`. `query` holds the percent-decoded pairs.
pub(crate) fn answer(
    customers: &BTreeMap<u64, MockCustomer>,
    method: &Method,
    path: &str,
    query: &[(String, String)],
) -> Answer {
    let Some(rest) = path.strip_prefix("/v2/customers/") else {
        return Answer::error(404, 404, "resource not found in the capillary mock");
    };
    if method != Method::GET {
        return Answer::error(405, 405, "the capillary mock answers only GET requests");
    }
    let embed_points = embeds_points(query);
    match rest.trim_end_matches('/') {
        "lookup" | "lookup/customerDetails" => lookup(customers, query, embed_points),
        id if !id.contains('/') => by_id(customers, id, embed_points),
        _ => Answer::error(404, 404, "resource not found in the capillary mock"),
    }
}

/// `GET /v2/customers/{id}`.
fn by_id(customers: &BTreeMap<u64, MockCustomer>, id: &str, embed_points: bool) -> Answer {
    let Ok(id) = id.parse::<u64>() else {
        return Answer::error(400, INVALID_CUSTOMER_ID, "Invalid customer id");
    };
    match customers.get(&id) {
        Some(customer) => found(customer, embed_points),
        None => Answer::error(404, CUSTOMER_NOT_FOUND, "Customer not found"),
    }
}

/// `GET /v2/customers/lookup?identifierName=…&identifierValue=…`.
fn lookup(
    customers: &BTreeMap<u64, MockCustomer>,
    query: &[(String, String)],
    embed_points: bool,
) -> Answer {
    let (Some(name), Some(value)) = (
        param(query, "identifierName"),
        param(query, "identifierValue"),
    ) else {
        return Answer::error(
            400,
            MISSING_IDENTIFIER,
            "identifierName and identifierValue are required",
        );
    };
    let Some(name) = IdentifierName::parse(name) else {
        return Answer::error(
            400,
            UNSUPPORTED_IDENTIFIER,
            "identifierName must be one of mobile, email, externalId, cardnumber",
        );
    };
    match customers
        .values()
        .find(|customer| customer.has_identifier(name, value))
    {
        Some(customer) => found(customer, embed_points),
        None => Answer::error(
            404,
            CUSTOMER_NOT_FOUND,
            "Customer not found for given identifiers",
        ),
    }
}

fn found(customer: &MockCustomer, embed_points: bool) -> Answer {
    Answer {
        status: 200,
        body: customer.v2_json(embed_points),
        customer_id: Some(customer.id()),
    }
}

/// The id in a `/v2/customers/{id}` path, whether or not such a customer exists.
pub(crate) fn customer_id_in_path(path: &str) -> Option<u64> {
    let id = path.strip_prefix("/v2/customers/")?.trim_end_matches('/');
    id.parse().ok()
}

fn param<'a>(query: &'a [(String, String)], name: &str) -> Option<&'a str> {
    query
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// Whether any `embed` parameter lists `points` (`embed=points` or `embed=points,segments`).
fn embeds_points(query: &[(String, String)]) -> bool {
    query
        .iter()
        .filter(|(key, _)| key == "embed")
        .flat_map(|(_, value)| value.split(','))
        .any(|item| item.trim().eq_ignore_ascii_case("points"))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn customers() -> BTreeMap<u64, MockCustomer> {
        let customer = MockCustomer::new(42)
            .email("Priya@Example.com")
            .points(10.0);
        BTreeMap::from([(42, customer)])
    }

    fn pairs(query: &[(&str, &str)]) -> Vec<(String, String)> {
        query
            .iter()
            .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
            .collect()
    }

    #[test]
    fn points_are_embedded_only_when_asked_for() {
        let plain = answer(&customers(), &Method::GET, "/v2/customers/42", &[]);
        assert_eq!(plain.status, 200);
        assert!(plain.body.get("pointsSummaries").is_none());
        let query = pairs(&[("embed", "segments, POINTS")]);
        let embedded = answer(&customers(), &Method::GET, "/v2/customers/42/", &query);
        assert_eq!(embedded.body["pointsSummaries"][0]["loyaltyPoints"], 10.0);
    }

    #[test]
    fn emails_are_looked_up_case_insensitively() {
        let query = pairs(&[
            ("identifierName", "EMAIL"),
            ("identifierValue", "priya@example.COM"),
        ]);
        let found = answer(&customers(), &Method::GET, "/v2/customers/lookup", &query);
        assert_eq!(found.customer_id, Some(42));
    }

    #[test]
    fn bad_requests_get_capillary_style_errors() {
        let cases = [
            ("/v2/customers/abc", pairs(&[]), 400, INVALID_CUSTOMER_ID),
            (
                "/v2/customers/lookup",
                pairs(&[("identifierName", "mobile")]),
                400,
                MISSING_IDENTIFIER,
            ),
            (
                "/v2/customers/lookup",
                pairs(&[("identifierName", "fax"), ("identifierValue", "1")]),
                400,
                UNSUPPORTED_IDENTIFIER,
            ),
            ("/v2/customers/7", pairs(&[]), 404, CUSTOMER_NOT_FOUND),
            ("/v2/customers/42/coupons", pairs(&[]), 404, 404),
            ("/v1.1/customer/get", pairs(&[]), 404, 404),
        ];
        for (path, query, status, code) in cases {
            let answer = answer(&customers(), &Method::GET, path, &query);
            assert_eq!(
                (answer.status, answer.customer_id),
                (status, None),
                "{path}"
            );
            assert_eq!(answer.body["errors"][0]["code"], code, "{path}");
        }
    }

    proptest! {
        #[test]
        fn any_request_gets_an_answer_without_panicking(
            path in "(/v2/customers/)?[a-zA-Z0-9/%.,_-]{0,40}",
            query in proptest::collection::vec((".{0,20}", ".{0,40}"), 0..4),
            post in any::<bool>(),
        ) {
            let method = if post { Method::POST } else { Method::GET };
            let answer = answer(&customers(), &method, &path, &query);
            prop_assert!(answer.body.is_object());
            prop_assert!((200..600).contains(&answer.status));
        }
    }
}
