//! Test Capillary ENS integrations offline: fixtures for every event, a simulator that delivers
//! them exactly as ENS does, and wiremock mocks of the Capillary APIs.

pub mod fixtures;
pub mod mocks;
pub mod simulator;
