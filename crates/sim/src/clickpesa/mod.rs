//! The ClickPesa simulator: token, BillPay control numbers (order and customer, single and
//! bulk, fixed or flexible amount, `EXACT` or partial/over with an optional cap), BillPay
//! details and updates (`PATCH`, e.g. voiding a number), the payment query, and a control call in which "the customer pays control number
//! N amount A": accepted or refused by the number's rules, recorded, and announced with a
//! `PAYMENT RECEIVED` (or `PAYMENT FAILED`) webhook carrying a checksum when configured.
//!
//! Routes: the API under `/third-parties/…` (so the client's base URL is
//! `http://127.0.0.1:PORT/third-parties`), and `POST /_sim/pay` with
//! `{"billPayNumber", "amount", "phone"?, "fail"?}` → `{"accepted", "reason"?, "paymentId"?}`;
//! `POST /_sim/webhooks` with `{"url"}` says where webhooks go (`null`: keep them in the log).
//!
//! Independent of `malipo-providers`' wire types on purpose.

mod api;
mod state;
mod webhook;

use std::future::Future;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

pub use state::{Bill, ClickPesaSim, ClickPesaSimConfig, Delivery, SimPayment};
pub use webhook::{canonical, checksum};

/// The simulator's routes over `sim`.
pub fn router(sim: ClickPesaSim) -> Router {
    let api = Router::new()
        .route("/generate-token", post(api::generate_token))
        .route(
            "/billpay/create-order-control-number",
            post(api::create_order),
        )
        .route(
            "/billpay/create-customer-control-number",
            post(api::create_customer),
        )
        .route(
            "/billpay/bulk-create-order-control-numbers",
            post(api::bulk_order),
        )
        .route(
            "/billpay/bulk-create-customer-control-numbers",
            post(api::bulk_customer),
        )
        .route("/billpay/{number}", get(api::details).patch(api::update))
        .route("/payments/{reference}", get(api::payments));
    Router::new()
        .nest("/third-parties", api)
        .route("/_sim/pay", post(pay))
        .route("/_sim/webhooks", post(set_webhooks))
        .with_state(sim)
}

/// Serves the simulator on `listener` until `shutdown` completes.
pub async fn run(
    listener: tokio::net::TcpListener,
    sim: ClickPesaSim,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(sim))
        .with_graceful_shutdown(shutdown)
        .await
}

/// "The customer pays control number N amount A".
#[derive(Debug, Deserialize)]
struct PayForm {
    #[serde(rename = "billPayNumber")]
    bill_pay_number: String,
    amount: Value,
    #[serde(default)]
    phone: Option<String>,
    /// Make the wallet fail the payment with this message (`PAYMENT FAILED`).
    #[serde(default)]
    fail: Option<String>,
}

async fn pay(State(sim): State<ClickPesaSim>, Json(form): Json<PayForm>) -> Response {
    let Some(amount) = api::shillings(Some(&form.amount)) else {
        return api::message(StatusCode::BAD_REQUEST, "amount must be whole shillings");
    };
    let phone = form.phone.unwrap_or_else(|| "255712345678".into());
    let now = state::now_iso();
    let mut inner = sim.lock();
    if let Err(reason) = inner.check_payment(&form.bill_pay_number, amount) {
        let status = if inner.bills.contains_key(&form.bill_pay_number) {
            StatusCode::CONFLICT
        } else {
            StatusCode::NOT_FOUND
        };
        return (status, Json(json!({"accepted": false, "reason": reason}))).into_response();
    }
    let serial = inner.next_number();
    let id = format!("{}LCP{serial}", form.bill_pay_number);
    let failed = form.fail.is_some();
    let message = form.fail.clone().unwrap_or_else(|| "success".into());
    let payment = SimPayment {
        id: id.clone(),
        status: if failed { "FAILED" } else { "SUCCESS" }.into(),
        payment_reference: format!("PR{serial}"),
        order_reference: form.bill_pay_number.clone(),
        amount,
        phone: phone.clone(),
        message: message.clone(),
        created_at: now.clone(),
    };
    inner.payments.push(payment);
    if !failed {
        if let Some(bill) = inner.bills.get_mut(&form.bill_pay_number) {
            bill.collected += amount;
            let capped = bill.max_collection.is_some_and(|max| bill.collected >= max);
            if bill.is_order || capped {
                bill.active = false;
            }
        }
    }
    let client_id = inner.config.client_id.clone();
    drop(inner);
    let data = if failed {
        json!({
            "id": id, "status": "FAILED", "channel": "M-PESA", "orderReference": form.bill_pay_number,
            "message": message, "updatedAt": now, "createdAt": now, "clientId": client_id
        })
    } else {
        json!({
            "id": id, "status": "SUCCESS", "paymentReference": format!("PR{serial}"),
            "orderReference": form.bill_pay_number, "collectedAmount": amount.to_string(),
            "collectedCurrency": "TZS", "message": "success", "channel": "M-PESA",
            "updatedAt": now, "createdAt": now,
            "customer": {"customerName": "Simulated Payer", "customerEmail": null, "customerPhoneNumber": phone}
        })
    };
    sim.emit(
        if failed {
            "PAYMENT FAILED"
        } else {
            "PAYMENT RECEIVED"
        },
        data,
    );
    Json(json!({"accepted": !failed, "paymentId": id})).into_response()
}

#[derive(Debug, Deserialize)]
struct WebhookForm {
    url: Option<String>,
}

async fn set_webhooks(
    State(sim): State<ClickPesaSim>,
    Json(form): Json<WebhookForm>,
) -> Json<Value> {
    sim.set_webhook_url(form.url);
    Json(json!({"ok": true}))
}
