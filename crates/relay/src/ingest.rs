//! Provider-facing reception: `POST /h/{endpoint_token}/{kind}`.
//!
//! Order matters: the event is appended (durably) first, and only then does the provider get
//! its answer. If storing fails the provider gets a 503 and retries; it never gets an
//! "Accepted" for an event the relay does not hold.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::kind::EventKind;
use crate::metrics::bump;
use crate::store::NewEvent;
use crate::token::TokenHash;
use crate::{blocking, AppState};

/// Headers kept with the event: what a till needs to verify or interpret the body. Anything
/// else (cookies, auth of intermediaries) is dropped.
const KEPT_HEADERS: [&str; 5] = [
    "content-type",
    "user-agent",
    "x-paystack-signature",
    "x-forwarded-for",
    "x-real-ip",
];

pub async fn receive(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path((endpoint_token, kind)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(kind) = EventKind::parse(&kind) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    if !state.config.allow.allows(kind, peer.ip()) {
        tracing::warn!(kind = kind.as_str(), %peer, "event from outside the provider's allowlist refused");
        bump(&state.metrics.outside_allowlist);
        return StatusCode::FORBIDDEN.into_response();
    }
    let hash = TokenHash::of(&endpoint_token);
    let store = state.store.clone();
    let shop = match blocking(move || store.shop_by_endpoint(&hash)).await {
        Ok(Some(shop)) => shop,
        Ok(None) => {
            tracing::info!(kind = kind.as_str(), %peer, "event for an unknown endpoint refused");
            bump(&state.metrics.unknown_endpoint);
            return StatusCode::NOT_FOUND.into_response();
        }
        Err(e) => return unavailable(&e),
    };
    if let Some(limit) = state.config.rate_limit {
        if !state.limiter.admit(limit, shop, (state.clock)()) {
            tracing::warn!(
                shop = shop.0,
                kind = kind.as_str(),
                "event refused: rate limit"
            );
            bump(&state.metrics.rate_limited);
            return StatusCode::TOO_MANY_REQUESTS.into_response();
        }
    }
    let event = NewEvent {
        kind: kind.as_str().to_owned(),
        received_ms: (state.clock)(),
        source: peer.to_string(),
        headers: kept_headers(&headers),
        body: body.to_vec(),
    };
    let (store, notify) = (state.store.clone(), state.notify.clone());
    // Streams are woken from inside the job, so an answer that times out below still wakes
    // them when the commit lands.
    let append = blocking(move || {
        let seq = store.append(shop, &event)?;
        notify.committed(shop, seq);
        Ok(seq)
    });
    match tokio::time::timeout(state.config.answer_within, append).await {
        Ok(Ok(seq)) => {
            tracing::info!(shop = shop.0, seq, kind = kind.as_str(), "event stored");
            bump(&state.metrics.stored);
            kind.accepted()
        }
        Ok(Err(e)) => {
            bump(&state.metrics.store_failed);
            unavailable(&e)
        }
        Err(_) => {
            // The commit may still land; the provider's retry is then a duplicate, which the
            // till's idempotent posting absorbs. Never claim "Accepted" without the commit.
            bump(&state.metrics.store_failed);
            tracing::warn!(
                shop = shop.0,
                kind = kind.as_str(),
                "event not committed in time"
            );
            (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
        }
    }
}

fn kept_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .filter(|(name, _)| KEPT_HEADERS.contains(&name.as_str()))
        .filter_map(|(name, value)| {
            Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
        })
        .collect()
}

fn unavailable(e: &crate::StoreError) -> Response {
    tracing::error!(error = %e, "event could not be stored; provider will retry");
    (StatusCode::SERVICE_UNAVAILABLE, "temporarily unavailable").into_response()
}
