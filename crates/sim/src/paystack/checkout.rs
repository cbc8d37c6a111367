//! The customer's side of the simulator: the hosted checkout page (`authorization_url`), the
//! stand-in for Paystack's inline script (`/v2/inline.js`, global `PaystackPop` with
//! `resumeTransaction(accessCode, {onSuccess, onCancel, onLoad, onError})`), and the
//! pay/cancel calls the page makes, which tests may also call directly.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::cards::CARDS;
use super::state::{PayOutcome, PaystackSim};

/// What the checkout page (or a test) submits.
#[derive(Debug, Deserialize)]
pub struct PayForm {
    pub card: String,
    #[serde(default)]
    pub pin: Option<String>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// `GET /checkout/:access_code`: the hosted page.
pub async fn page(State(sim): State<PaystackSim>, Path(code): Path<String>) -> Response {
    let Some(txn) = sim
        .reference_for(&code)
        .and_then(|reference| sim.transaction(&reference))
    else {
        return (
            StatusCode::NOT_FOUND,
            Html("<h1>Checkout not found</h1>".to_owned()),
        )
            .into_response();
    };
    let whole = txn.amount / 100;
    let cents = txn.amount % 100;
    let who = txn.label.clone().unwrap_or_else(|| txn.email.clone());
    let cards: String = CARDS
        .iter()
        .map(|(number, _, what)| format!("<li><code>{number}</code> — {}</li>", escape(what)))
        .collect();
    let code_js = serde_json::to_string(&code).unwrap_or_default();
    let script = sim.lock().scripts.get(&code).cloned();
    // `<` escaped so no value can close the <script> element.
    let script_js = serde_json::to_string(&script)
        .unwrap_or_else(|_| "null".into())
        .replace('<', "\\u003c");
    let code_js = code_js.replace('<', "\\u003c");
    let html = format!(
        r#"<!doctype html>
<html><head><meta charset="utf-8"><title>Paystack checkout (simulator)</title>
<style>body{{font-family:sans-serif;max-width:26rem;margin:2rem auto}}input,button{{font-size:1rem;margin:.25rem 0;width:100%}}</style>
</head><body>
<p><small>Malipo Paystack simulator — no real money</small></p>
<h1 id="amount">{currency} {whole}.{cents:02}</h1>
<p id="payer">{who}</p>
<form id="pay">
<label>Card number <input id="card" name="card" autocomplete="off"></label>
<label>PIN (if asked) <input id="pin" name="pin" type="password"></label>
<button type="submit" id="pay-button">Pay</button>
</form>
<button id="cancel">Cancel</button>
<p id="message" role="status"></p>
<details><summary>Test cards</summary><ul>{cards}</ul></details>
<script>
const code = {code_js};
const embedded = new URLSearchParams(location.search).has('embed');
function tell(msg) {{ if (embedded && window.parent !== window) window.parent.postMessage(Object.assign({{source:'malipo-sim-paystack', accessCode: code}}, msg), '*'); }}
tell({{type:'load', id: {id}}});
const script = {script_js};
window.addEventListener('load', () => {{
  if (!script) return;
  if (script.cancel) {{ document.getElementById('cancel').click(); return; }}
  if (script.card) {{
    document.getElementById('card').value = script.card;
    document.getElementById('pin').value = script.pin || '';
    document.getElementById('pay').requestSubmit();
  }}
}});
document.getElementById('pay').addEventListener('submit', async (ev) => {{
  ev.preventDefault();
  const pin = document.getElementById('pin').value;
  const res = await fetch('/checkout/' + encodeURIComponent(code) + '/pay', {{method:'POST', headers:{{'content-type':'application/json'}},
    body: JSON.stringify({{card: document.getElementById('card').value, pin: pin || null}})}});
  const out = await res.json();
  document.getElementById('message').textContent = out.message;
  if (out.outcome === 'success') {{
    tell({{type:'success', id: out.id, reference: out.reference, message: 'Approved'}});
    if (!embedded && out.redirect) location.href = out.redirect;
  }}
}});
document.getElementById('cancel').addEventListener('click', async () => {{
  await fetch('/checkout/' + encodeURIComponent(code) + '/cancel', {{method:'POST'}});
  document.getElementById('message').textContent = 'Cancelled';
  tell({{type:'cancel'}});
}});
</script>
</body></html>"#,
        currency = escape(&txn.currency),
        who = escape(&who),
        id = txn.id,
    );
    Html(html).into_response()
}

/// `POST /checkout/:access_code/pay` with `{card, pin?}`: the customer pays. A success
/// emits `charge.success`.
pub async fn pay(
    State(sim): State<PaystackSim>,
    Path(code): Path<String>,
    Json(form): Json<PayForm>,
) -> Response {
    let Some(reference) = sim.reference_for(&code) else {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({"outcome": "error", "message": "Checkout not found"})),
        )
            .into_response();
    };
    let (outcome, event, redirect) = {
        let mut inner = sim.lock();
        let outcome = inner.pay(&reference, &form.card, form.pin.as_deref());
        let txn = inner.txns.get(&reference).cloned();
        let event = match (&outcome, &txn) {
            (Some(PayOutcome::Success { .. }), Some(txn)) => Some(inner.txn_json(txn)),
            _ => None,
        };
        let redirect = txn.and_then(|t| t.callback_url).map(|url| {
            let sep = if url.contains('?') { '&' } else { '?' };
            format!("{url}{sep}trxref={reference}&reference={reference}")
        });
        (outcome, event, redirect)
    };
    if let Some(data) = event {
        sim.emit("charge.success", data);
    }
    let body = match outcome {
        Some(PayOutcome::Success { id, reference }) => json!({
            "outcome": "success", "id": id, "reference": reference,
            "message": "Payment successful", "redirect": redirect
        }),
        Some(PayOutcome::Retry { message }) => json!({"outcome": "retry", "message": message}),
        Some(PayOutcome::Declined { message }) => {
            json!({"outcome": "declined", "message": message})
        }
        None => json!({"outcome": "error", "message": "Checkout not found"}),
    };
    Json(body).into_response()
}

/// `POST /checkout/:access_code/cancel`: the customer closes the checkout. The transaction
/// stays `abandoned` (Paystack sends no webhook for it).
pub async fn cancel(State(sim): State<PaystackSim>, Path(code): Path<String>) -> Response {
    match sim.reference_for(&code) {
        Some(_) => Json(json!({"outcome": "cancelled", "message": "Cancelled"})).into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// `GET /v2/inline.js`: the `PaystackPop` stand-in. It opens this simulator's checkout in an
/// iframe overlay and relays the page's messages to the callbacks.
pub async fn inline_js() -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/javascript; charset=utf-8",
        )],
        INLINE_JS,
    )
        .into_response()
}

const INLINE_JS: &str = r#"/* Malipo Paystack simulator: stand-in for https://js.paystack.co/v2/inline.js */
(function () {
  var script = document.currentScript;
  var origin = script ? new URL(script.src).origin : '';
  function PaystackPop() { this._frame = null; this._listener = null; }
  PaystackPop.prototype._close = function () {
    if (this._listener) window.removeEventListener('message', this._listener);
    if (this._frame && this._frame.parentNode) this._frame.parentNode.removeChild(this._frame);
    this._frame = null; this._listener = null;
  };
  PaystackPop.prototype.resumeTransaction = function (accessCode, callbacks) {
    var self = this; callbacks = callbacks || {};
    self._close();
    var frame = document.createElement('iframe');
    frame.src = origin + '/checkout/' + encodeURIComponent(accessCode) + '?embed=1';
    frame.setAttribute('data-paystack-sim', accessCode);
    frame.style.cssText = 'position:fixed;inset:0;width:100%;height:100%;border:0;background:rgba(0,0,0,.4);z-index:2147483647';
    self._listener = function (ev) {
      if (ev.origin !== origin) return;
      var m = ev.data || {};
      if (m.source !== 'malipo-sim-paystack' || m.accessCode !== accessCode) return;
      if (m.type === 'load' && callbacks.onLoad) callbacks.onLoad({ id: m.id, customer: {}, accessCode: accessCode });
      if (m.type === 'success') { self._close(); if (callbacks.onSuccess) callbacks.onSuccess({ id: m.id, reference: m.reference, message: m.message, status: 'success', trans: String(m.id), transaction: String(m.id), trxref: m.reference }); }
      if (m.type === 'cancel') { self._close(); if (callbacks.onCancel) callbacks.onCancel(); }
      if (m.type === 'error') { self._close(); if (callbacks.onError) callbacks.onError({ message: m.message }); }
    };
    window.addEventListener('message', self._listener);
    frame.onerror = function () { self._close(); if (callbacks.onError) callbacks.onError({ message: 'Checkout could not be loaded' }); };
    document.body.appendChild(frame);
    return { id: accessCode };
  };
  PaystackPop.prototype.cancelTransaction = function () { this._close(); };
  PaystackPop.prototype.isLoaded = function () { return !!this._frame; };
  PaystackPop.prototype.newTransaction = function (options) {
    if (options && options.onError) options.onError({ message: 'The simulator supports resumeTransaction(access_code) only; initialize on the server' });
  };
  window.PaystackPop = PaystackPop;
})();
"#;
