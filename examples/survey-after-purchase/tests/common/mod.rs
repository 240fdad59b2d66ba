//! The test bench: the app on a loopback port, the Capillary API and the survey platform as
//! real wiremock servers, and a simulated ENS with the webhook's credentials.

use axum::http::Method;
use capillary_ens_admin::{Client, Credentials};
use capillary_ens_receiver::{Auth, ReceiverConfig, StaticHeaders};
use capillary_ens_testkit::mocks::capillary::{self, CapillaryApiMock};
use capillary_ens_testkit::mocks::third_party::ThirdPartyEndpoint;
use capillary_ens_testkit::simulator::{Simulator, SimulatorBuilder};
use example_survey_after_purchase::{Config, SurveySettings, WEBHOOK_PATH, app};

pub(crate) const INVITATIONS: &str = "/v1/invitations";
pub(crate) const SURVEY_ID: &str = "post-purchase-nps";
pub(crate) const SURVEY_KEY: &str = "survey-api-key";
const ENS_USER: &str = "ens";
const ENS_PASSWORD: &str = "webhook-s3cret";

pub(crate) struct Bench {
    pub(crate) capillary: CapillaryApiMock,
    pub(crate) surveys: ThirdPartyEndpoint,
    pub(crate) url: String,
}

impl Bench {
    pub(crate) async fn start() -> Self {
        let capillary = CapillaryApiMock::start().await;
        let surveys = ThirdPartyEndpoint::start().await;
        surveys.accept(Method::POST, INVITATIONS);
        let credentials =
            Credentials::basic(capillary::DEFAULT_USERNAME, capillary::DEFAULT_PASSWORD);
        let capillary_client = Client::for_ens_handler(&capillary.uri(), credentials).unwrap();
        let config = Config::new(
            ReceiverConfig::new(Auth::new(StaticHeaders::basic(ENS_USER, ENS_PASSWORD))),
            capillary_client,
            SurveySettings::new(&surveys.uri(), SURVEY_KEY, SURVEY_ID),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}{WEBHOOK_PATH}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app(config)).await });
        Self {
            capillary,
            surveys,
            url,
        }
    }

    /// ENS, configured with the webhook's Basic credentials.
    pub(crate) fn ens(&self) -> SimulatorBuilder {
        Simulator::to_url(&self.url).basic_auth(ENS_USER, ENS_PASSWORD)
    }
}
