//! Till-facing delivery: `GET /till/v1/events` streams a shop's events as Server-Sent Events
//! from the device's last acknowledged sequence; `POST /till/v1/ack` moves that mark.
//!
//! Both authenticate with `Authorization: Bearer <device token>`; the token decides the shop,
//! so a device can only ever see its own shop's events. Delivery is at least once: whatever the
//! till has not acknowledged is sent again when it reconnects.
//!
//! Each SSE message has `event: event`, `id: <seq>` and as data one JSON object:
//! `{"seq", "kind", "received_ms", "source", "headers": [[name, value]…], "body": base64}` —
//! the body's bytes exactly as the provider sent them.

use std::collections::VecDeque;
use std::convert::Infallible;

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use tokio::sync::watch;

use crate::metrics::{bump, StreamGuard};
use crate::store::{Device, ShopId, StoredEvent};
use crate::token::TokenHash;
use crate::{blocking, AppState};

/// One event as a till receives it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventFrame {
    pub seq: u64,
    pub kind: String,
    pub received_ms: i64,
    pub source: String,
    pub headers: Vec<(String, String)>,
    /// The raw body, standard base64.
    pub body: String,
}

impl EventFrame {
    fn of(e: &StoredEvent) -> Self {
        Self {
            seq: e.seq,
            kind: e.event.kind.clone(),
            received_ms: e.event.received_ms,
            source: e.event.source.clone(),
            headers: e.event.headers.clone(),
            body: base64::engine::general_purpose::STANDARD.encode(&e.event.body),
        }
    }
}

/// The body of `POST /till/v1/ack`: the till holds every event up to `seq`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub struct Ack {
    pub seq: u64,
}

async fn authenticate(state: &AppState, headers: &HeaderMap) -> Result<Device, Response> {
    let presented = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(TokenHash::of);
    let unauthorized = || {
        (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer")],
            "device token required",
        )
            .into_response()
    };
    let Some(hash) = presented else {
        return Err(unauthorized());
    };
    let store = state.store.clone();
    match blocking(move || store.device_by_token(&hash)).await {
        Ok(Some(device)) => Ok(device),
        Ok(None) => Err(unauthorized()),
        Err(e) => Err(unavailable(&e)),
    }
}

fn unavailable(e: &crate::StoreError) -> Response {
    tracing::error!(error = %e, "till request failed in the store");
    (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
}

pub async fn events(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let device = match authenticate(&state, &headers).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let store = state.store.clone();
    let from = match blocking(move || store.acknowledged(device.id)).await {
        Ok(seq) => seq,
        Err(e) => return unavailable(&e),
    };
    tracing::info!(
        shop = device.shop.0,
        device = device.id.0,
        from,
        "till stream opened"
    );
    let keep_alive = state.config.keep_alive;
    let cursor = Cursor {
        closing: state.closing.subscribe(),
        _open: StreamGuard::open(state.metrics.clone()),
        rx: state.notify.subscribe(device.shop),
        state,
        shop: device.shop,
        after: from,
        pending: VecDeque::new(),
    };
    let stream = futures_util::stream::unfold(cursor, |mut c| async move {
        let e = c.next().await?;
        let data = serde_json::to_string(&EventFrame::of(&e)).ok()?;
        let sse = Event::default()
            .event("event")
            .id(e.seq.to_string())
            .data(data);
        Some((Ok::<_, Infallible>(sse), c))
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(keep_alive))
        .into_response()
}

/// A till stream's position in its shop's log.
struct Cursor {
    closing: watch::Receiver<bool>,
    _open: StreamGuard,
    state: AppState,
    shop: ShopId,
    rx: watch::Receiver<u64>,
    after: u64,
    pending: VecDeque<StoredEvent>,
}

impl Cursor {
    /// The next event, waiting for one to commit if need be; `None` ends the stream (the store
    /// failed — the till reconnects and resumes from its acknowledgement).
    async fn next(&mut self) -> Option<StoredEvent> {
        loop {
            if *self.closing.borrow() {
                return None;
            }
            if let Some(e) = self.pending.pop_front() {
                self.after = e.seq;
                return Some(e);
            }
            let (store, shop, after) = (self.state.store.clone(), self.shop, self.after);
            let batch = self.state.config.stream_batch;
            match blocking(move || store.events_after(shop, after, batch)).await {
                Ok(events) if !events.is_empty() => self.pending.extend(events),
                Ok(_) => {
                    // Nothing new: wait for a commit, re-reading now and then in any case.
                    let wait = self.state.config.keep_alive;
                    tokio::select! {
                        woken = tokio::time::timeout(wait, self.rx.changed()) => {
                            if let Ok(Err(_)) = woken {
                                tokio::time::sleep(wait).await;
                            }
                        }
                        _ = self.closing.changed() => return None,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, shop = shop.0, "till stream ended by a store error");
                    return None;
                }
            }
        }
    }
}

pub async fn ack(
    State(state): State<AppState>,
    headers: HeaderMap,
    Json(ack): Json<Ack>,
) -> Response {
    let device = match authenticate(&state, &headers).await {
        Ok(d) => d,
        Err(r) => return r,
    };
    let store = state.store.clone();
    match blocking(move || store.acknowledge(device.id, ack.seq)).await {
        Ok(seq) => {
            bump(&state.metrics.acks);
            Json(Ack { seq }).into_response()
        }
        Err(e) => unavailable(&e),
    }
}
