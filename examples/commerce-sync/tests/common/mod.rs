//! The test bench: the app on a loopback port, the Capillary API and the shop as real
//! wiremock servers, a simulated ENS with the webhook's credentials, and event builders.

#![allow(dead_code)] // each test binary uses part of the bench

use axum::http::Method;
use capillary_ens_admin::{Client, Credentials};
use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
use capillary_ens_testkit::fixtures::{self, Fixture};
use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock};
use capillary_ens_testkit::mocks::third_party::ThirdPartyEndpoint;
use capillary_ens_testkit::simulator::{Simulator, SimulatorBuilder};
use example_commerce_sync::{Config, ShopCustomerKey, ShopSettings, WEBHOOK_PATH, app};
use serde_json::Value;

pub(crate) const SHOP_TOKEN: &str = "shop-t0ken";
const ENS_TOKEN: &str = "webhook-t0ken";

pub(crate) struct Bench {
    pub(crate) capillary: CapillaryApiMock,
    pub(crate) shop: ThirdPartyEndpoint,
    pub(crate) url: String,
}

impl Bench {
    pub(crate) async fn start() -> Self {
        Self::start_keyed_by(ShopCustomerKey::CapillaryId).await
    }

    pub(crate) async fn start_keyed_by(key: ShopCustomerKey) -> Self {
        let capillary = CapillaryApiMock::start().await;
        let shop = ThirdPartyEndpoint::start().await;
        shop.accept(Method::PUT, "/rest/V1/customers/{id}/loyalty");
        let credentials =
            Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
        let capillary_client = Client::for_ens_handler(&capillary.uri(), credentials).unwrap();
        let config = Config::new(
            ReceiverConfig::new(Auth::new(StaticHeaders::bearer(ENS_TOKEN))),
            capillary_client,
            ShopSettings::new(&shop.uri(), SHOP_TOKEN).customer_key(key),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app(config)).await });
        Self {
            capillary,
            shop,
            url,
        }
    }

    /// ENS, configured with the webhook's bearer token.
    pub(crate) fn ens(&self) -> SimulatorBuilder {
        Simulator::to_url(&self.url).bearer(ENS_TOKEN)
    }

    /// The bodies the shop received for `customer`, in arrival order.
    pub(crate) fn puts_for(&self, customer: &str) -> Vec<Value> {
        self.shop.received_json(&loyalty_path(customer))
    }
}

pub(crate) fn loyalty_path(customer: &str) -> String {
    format!("/rest/V1/customers/{customer}/loyalty")
}

/// `pointsIssued` leaving `balance` points, created at `at`.
pub(crate) fn points_issued(customer: i64, at: i64, balance: f64) -> Fixture {
    fixtures::points_issued()
        .customer_id(customer)
        .created_at_ms(at)
        .set("data.programCurrentPoints", balance)
}

/// `pointsRedeemed` leaving `balance` points in the event's program, created at `at`.
pub(crate) fn points_redeemed(customer: i64, at: i64, balance: f64) -> Fixture {
    fixtures::points_redeemed()
        .customer_id(customer)
        .created_at_ms(at)
        .set(
            "data.redemptionFromEarningPrograms[0].programCurrentPoints",
            balance,
        )
}

/// `tierUpgraded` to tier number `tier` (1 Silver, 2 Gold, 3 Platinum), created at `at`.
pub(crate) fn tier_upgraded(customer: i64, at: i64, tier: i64) -> Fixture {
    fixtures::tier_upgraded()
        .customer_id(customer)
        .created_at_ms(at)
        .set("data.upgradedTierNumber", tier)
}

/// `customerUpdated`, created at `at`.
pub(crate) fn customer_updated(customer: i64, at: i64) -> Fixture {
    fixtures::customer_updated()
        .customer_id(customer)
        .created_at_ms(at)
}
