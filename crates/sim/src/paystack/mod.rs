//! The Paystack simulator: initialize / verify / refund / refund status / test-connection
//! endpoints with Paystack's envelope and bearer-key check; a hosted checkout page and a
//! `PaystackPop` stand-in script so the register's popup runs end to end; test cards that
//! succeed, are declined or need a retry (PIN); and webhooks signed as Paystack signs them
//! (hex HMAC-SHA512 of the raw body with the secret key), with scripted duplicates and delays.
//!
//! Routes (all on one port):
//! - `POST /transaction/initialize`, `GET /transaction/verify/{reference}`,
//!   `POST /refund`, `GET /refund?transaction=…`, `GET /refund/{id}`, `GET /integration/payment_session_timeout`;
//! - `GET /checkout/{access_code}` (hosted page), `POST /checkout/{access_code}/pay`
//!   (`{"card": "...", "pin": "..."}`), `POST /checkout/{access_code}/cancel`;
//! - `GET /v2/inline.js` (the popup script stand-in);
//! - `POST /_sim/webhooks` (`{"url", "duplicates", "delay_ms", "retries"}`): change the webhook script;
//! - `POST /_sim/customer/{access_code}` (`{"card", "pin"}` or `{"cancel": true}`): what the
//!   customer does, unattended, when that checkout opens (popup or hosted page).
//!
//! Independent of `malipo-providers`' wire types on purpose.

mod api;
pub mod cards;
mod checkout;
mod state;
mod webhook;

use std::future::Future;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

pub use state::{
    CustomerScript, Delivery, PayOutcome, PaystackSim, PaystackSimConfig, Txn, WebhookScript,
};
pub use webhook::signature;

/// The simulator's routes over `sim`.
pub fn router(sim: PaystackSim) -> Router {
    Router::new()
        .route("/transaction/initialize", post(api::initialize))
        .route("/transaction/verify/{reference}", get(api::verify))
        .route("/refund", post(api::refund).get(api::list_refunds))
        .route("/refund/{id}", get(api::refund_status))
        .route(
            "/integration/payment_session_timeout",
            get(api::session_timeout),
        )
        .route("/checkout/{code}", get(checkout::page))
        .route("/checkout/{code}/pay", post(checkout::pay))
        .route("/checkout/{code}/cancel", post(checkout::cancel))
        .route("/v2/inline.js", get(checkout::inline_js))
        .route("/_sim/webhooks", post(set_webhooks))
        .route("/_sim/customer/{code}", post(set_customer))
        .with_state(sim)
}

/// Serves the simulator on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    sim: PaystackSim,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(shutdown)
        .await
}

#[derive(Debug, Deserialize)]
struct ScriptForm {
    url: Option<String>,
    #[serde(default)]
    duplicates: u32,
    #[serde(default)]
    delay_ms: u64,
    #[serde(default)]
    retries: u32,
}

async fn set_webhooks(
    State(sim): State<PaystackSim>,
    Json(form): Json<ScriptForm>,
) -> Json<serde_json::Value> {
    sim.set_webhooks(WebhookScript {
        url: form.url,
        duplicates: form.duplicates,
        delay_ms: form.delay_ms,
        retries: form.retries,
    });
    Json(serde_json::json!({"ok": true}))
}

async fn set_customer(
    State(sim): State<PaystackSim>,
    axum::extract::Path(code): axum::extract::Path<String>,
    Json(script): Json<CustomerScript>,
) -> Json<serde_json::Value> {
    sim.script_customer(&code, script);
    Json(serde_json::json!({"ok": true}))
}
