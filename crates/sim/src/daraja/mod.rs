//! The Daraja (M-Pesa) simulator: Safaricom's endpoints and bodies on a loopback port, with the
//! customer scripted per request.
//!
//! Endpoints (same paths as Daraja): OAuth, STK push and query, C2B register v1/v2, Dynamic QR,
//! reversal and transaction status. Callbacks and results are POSTed over real HTTP to the URLs
//! the requests named. Validation follows `../shared/reference/daraja.md`: the STK `Password`
//! must be `base64(shortcode ‖ passkey ‖ Timestamp)` with the timestamp in Nairobi time, fields
//! are checked against Daraja's limits, C2B URLs against its keyword filter, and errors come in
//! Daraja's envelope with its codes.
//!
//! Control API (for tests and the training mode), also available as methods on [`DarajaSim`]:
//! - `POST /simulator/customer` `{"phone"?, "action", "delay_ms"?, "duplicate"?}` scripts the
//!   next STK push (to that phone, or to anyone): `approve`, `cancel` (1032), `wrong_pin`
//!   (2001), `insufficient_funds` (1), `timeout` (1037), `expire` (1019), `never_answer`.
//! - `POST /simulator/pay` `{"shortcode", "phone", "amount", "bill_ref"?}`: the customer pays
//!   the Paybill/Till from their phone (a C2B confirmation to the registered URL).
//! - `POST /simulator/pay-qr` `{"request_id", "phone"}`: the customer scans a generated QR.
//! - `POST /simulator/async` `{"queue_timeout": bool}`: reversal/status post to the
//!   queue-timeout URL instead of the result URL.
//! - `POST /simulator/expire-token`: the current access token stops working.
//! - `GET /simulator/log`: every request received and every callback delivered.
//!
//! Deliberately independent of `malipo-providers`: nothing here is shared with the client.

mod api;
mod async_api;
mod control;
mod customer;
mod state;
mod wire;

use std::future::Future;

pub use state::{
    CustomerAction, CustomerScript, DarajaSim, Delivery, PendingStyle, ReceivedRequest, SimConfig,
    SimInitiator, SimShortcode,
};

/// The simulator's routes.
pub fn router(sim: DarajaSim) -> axum::Router {
    use axum::routing::{get, post};
    axum::Router::new()
        .route("/oauth/v1/generate", get(api::oauth))
        .route("/mpesa/stkpush/v1/processrequest", post(api::stk_push))
        .route("/mpesa/stkpushquery/v1/query", post(api::stk_query))
        .route("/mpesa/c2b/v1/registerurl", post(api::register_v1))
        .route("/mpesa/c2b/v2/registerurl", post(api::register_v2))
        .route("/mpesa/qrcode/v1/generate", post(api::qr))
        .route("/mpesa/reversal/v1/request", post(api::reversal))
        .route("/mpesa/transactionstatus/v1/query", post(api::status))
        .route("/simulator/customer", post(control::customer))
        .route("/simulator/pay", post(control::pay))
        .route("/simulator/pay-qr", post(control::pay_qr))
        .route("/simulator/async", post(control::async_mode))
        .route("/simulator/expire-token", post(control::expire_token))
        .route("/simulator/log", get(control::log))
        .with_state(sim)
}

/// Serves the simulator on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    sim: DarajaSim,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    tracing::info!(addr = ?listener.local_addr().ok(), "daraja simulator listening");
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(shutdown)
        .await
}
