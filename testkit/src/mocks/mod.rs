//! wiremock mocks of the APIs an ENS integration talks to.

pub mod admin_api;
pub mod capillary;
pub mod third_party;
