//! Provider-facing reception, tested in-process with `tower::ServiceExt::oneshot`: each kind is
//! stored byte-for-byte before its provider gets the answer it expects; strangers get nothing.
#![allow(clippy::unwrap_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::connect_info::MockConnectInfo;
use axum::http::{Request, StatusCode};
use axum::Router;
use malipo_relay::admin::{create_shop, NewShop};
use malipo_relay::kind::forbidden_word;
use malipo_relay::{
    app, AppState, Device, DeviceId, EventKind, EventStore, NewEvent, RelayConfig, ShopId,
    SqliteStore, StoreError, StoredEvent, TokenHash,
};
use tower::ServiceExt;

const NOW_MS: i64 = 1_764_000_000_000;

fn peer() -> SocketAddr {
    SocketAddr::from(([196, 201, 214, 200], 40_123))
}

fn relay(store: Arc<dyn EventStore>, config: RelayConfig) -> Router {
    let state = AppState::new(store, Arc::new(|| NOW_MS), config);
    app(state).layer(MockConnectInfo(peer()))
}

fn with_shop() -> (Arc<SqliteStore>, NewShop) {
    let store = Arc::new(SqliteStore::in_memory().unwrap());
    let shop = create_shop(store.as_ref(), "Duka", "https://relay.example.com", 0).unwrap();
    (store, shop)
}

fn post(uri: &str, headers: &[(&str, &str)], body: impl Into<Body>) -> Request<Body> {
    let mut req = Request::post(uri);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    req.body(body.into()).unwrap()
}

async fn answer(router: Router, req: Request<Body>) -> (StatusCode, Vec<u8>) {
    let res = router.oneshot(req).await.unwrap();
    let status = res.status();
    let body = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    (status, body.to_vec())
}

/// An STK callback as the simulator sends it, with spacing a re-serialiser would change.
const STK_BODY: &[u8] = br#"{"Body": {"stkCallback":{"MerchantRequestID":"29115-34620561-1","CheckoutRequestID":"ws_CO_191220191020363925","ResultCode":0,"ResultDesc":"The service request is processed successfully.","CallbackMetadata":{"Item":[{"Name":"Amount","Value":1.00},{"Name":"MpesaReceiptNumber","Value":"NLJ7RT61SV"}]}}}}"#;

#[tokio::test]
async fn stk_callback_is_stored_byte_for_byte_then_accepted() {
    let (store, shop) = with_shop();
    let router = relay(store.clone(), RelayConfig::default());
    let uri = format!("/h/{}/stk", shop.endpoint_token.expose());
    let req = post(
        &uri,
        &[("content-type", "application/json"), ("cookie", "drop=me")],
        STK_BODY,
    );
    let (status, body) = answer(router.clone(), req).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, br#"{"ResultCode":0,"ResultDesc":"Accepted"}"#);

    let (status, _) = answer(router, post(&uri, &[], &b"second"[..])).await;
    assert_eq!(status, StatusCode::OK);

    let events = store.events_after(shop.id, 0, 10).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].seq, 1);
    assert_eq!(events[1].seq, 2);
    let first = &events[0].event;
    assert_eq!(first.body, STK_BODY);
    assert_eq!(first.kind, "stk");
    assert_eq!(first.received_ms, NOW_MS);
    assert_eq!(first.source, peer().to_string());
    assert_eq!(
        first.headers,
        vec![("content-type".to_owned(), "application/json".to_owned())],
        "only the headers that matter are kept"
    );
}

#[tokio::test]
async fn every_kind_gets_its_providers_answer_and_its_path_passes_safaricoms_filter() {
    let (store, shop) = with_shop();
    let router = relay(store.clone(), RelayConfig::default());
    for (kind, url) in &shop.callback_urls {
        assert_eq!(forbidden_word(url), None, "{url}");
        let path = url.strip_prefix("https://relay.example.com").unwrap();
        let (status, body) = answer(router.clone(), post(path, &[], &b"{}"[..])).await;
        assert_eq!(status, StatusCode::OK, "{kind:?}");
        match kind {
            EventKind::Paystack | EventKind::ClickPesa => assert!(body.is_empty(), "{kind:?}"),
            _ => assert_eq!(
                body, br#"{"ResultCode":0,"ResultDesc":"Accepted"}"#,
                "{kind:?}"
            ),
        }
    }
    let kinds: Vec<String> = store
        .events_after(shop.id, 0, 100)
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind)
        .collect();
    let expected: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
    assert_eq!(kinds, expected);
}

#[tokio::test]
async fn paystack_signature_and_body_pass_through_untouched() {
    let (store, shop) = with_shop();
    let router = relay(store.clone(), RelayConfig::default());
    let body = br#"{"event":"charge.success","data":{"amount":150000,"reference":"r-1"}}"#;
    let uri = format!("/h/{}/paystack", shop.endpoint_token.expose());
    let sig = "a".repeat(128);
    let headers = [
        ("content-type", "application/json"),
        ("x-paystack-signature", sig.as_str()),
    ];
    let (status, _) = answer(router, post(&uri, &headers, &body[..])).await;
    assert_eq!(status, StatusCode::OK);
    let stored = &store.events_after(shop.id, 0, 1).unwrap()[0].event;
    assert_eq!(stored.body, body);
    assert!(stored
        .headers
        .contains(&("x-paystack-signature".to_owned(), sig)));
}

#[tokio::test]
async fn wrong_endpoint_token_is_404_and_nothing_is_stored() {
    let (store, shop) = with_shop();
    let router = relay(store.clone(), RelayConfig::default());
    let wrong = "0".repeat(64);
    let (status, _) = answer(
        router.clone(),
        post(&format!("/h/{wrong}/stk"), &[], STK_BODY),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // A right token on a kind that does not exist (or a word Safaricom rejects) is also 404.
    for kind in ["mpesa", "STK", ""] {
        let uri = format!("/h/{}/{kind}", shop.endpoint_token.expose());
        let (status, _) = answer(router.clone(), post(&uri, &[], STK_BODY)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{kind:?}");
    }
    assert!(store.events_after(shop.id, 0, 10).unwrap().is_empty());
    assert_eq!(store.last_seq(shop.id).unwrap(), 0);
}

#[tokio::test]
async fn an_over_limit_body_is_refused_and_not_stored() {
    let (store, shop) = with_shop();
    let config = RelayConfig {
        body_limit: 1024,
        ..RelayConfig::default()
    };
    let router = relay(store.clone(), config);
    let uri = format!("/h/{}/c2b-confirm", shop.endpoint_token.expose());
    let (status, _) = answer(router.clone(), post(&uri, &[], vec![b'x'; 1025])).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(store.last_seq(shop.id).unwrap(), 0);
    let (status, _) = answer(router, post(&uri, &[], vec![b'x'; 1024])).await;
    assert_eq!(status, StatusCode::OK);
}

/// A store that knows the shop but cannot write: the disk is full.
struct FullDisk;

impl EventStore for FullDisk {
    fn create_shop(&self, _: &str, _: &TokenHash, _: i64) -> Result<ShopId, StoreError> {
        Err(StoreError::Database("disk full".into()))
    }
    fn create_device(
        &self,
        _: ShopId,
        _: &str,
        _: &TokenHash,
        _: i64,
    ) -> Result<DeviceId, StoreError> {
        Err(StoreError::Database("disk full".into()))
    }
    fn shop_by_endpoint(&self, _: &TokenHash) -> Result<Option<ShopId>, StoreError> {
        Ok(Some(ShopId(1)))
    }
    fn device_by_token(&self, _: &TokenHash) -> Result<Option<Device>, StoreError> {
        Ok(None)
    }
    fn append(&self, _: ShopId, _: &NewEvent) -> Result<u64, StoreError> {
        Err(StoreError::Database("disk full".into()))
    }
    fn events_after(&self, _: ShopId, _: u64, _: usize) -> Result<Vec<StoredEvent>, StoreError> {
        Ok(Vec::new())
    }
    fn acknowledge(&self, _: DeviceId, _: u64) -> Result<u64, StoreError> {
        Ok(0)
    }
    fn acknowledged(&self, _: DeviceId) -> Result<u64, StoreError> {
        Ok(0)
    }
    fn rotate_endpoint(&self, _: ShopId, _: &TokenHash) -> Result<(), StoreError> {
        Ok(())
    }
    fn rotate_device(&self, _: DeviceId, _: &TokenHash) -> Result<Device, StoreError> {
        Err(StoreError::NotFound("device"))
    }
    fn prune_acknowledged(&self, _: i64) -> Result<u64, StoreError> {
        Ok(0)
    }
    fn last_seq(&self, _: ShopId) -> Result<u64, StoreError> {
        Ok(0)
    }
}

#[tokio::test]
async fn the_provider_is_never_told_accepted_for_an_event_that_was_not_stored() {
    let router = relay(Arc::new(FullDisk), RelayConfig::default());
    let (status, body) = answer(
        router,
        post(&format!("/h/{}/stk", "f".repeat(64)), &[], STK_BODY),
    )
    .await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!String::from_utf8_lossy(&body).contains("Accepted"));
    assert!(
        !String::from_utf8_lossy(&body).contains("disk"),
        "internals are not leaked"
    );
}

#[tokio::test]
async fn till_endpoints_refuse_missing_or_wrong_device_tokens() {
    let (store, shop) = with_shop();
    let router = relay(store, RelayConfig::default());
    let endpoint = format!("Bearer {}", shop.endpoint_token.expose());
    for auth in [None, Some("Bearer nope"), Some(endpoint.as_str())] {
        let mut req = Request::get("/till/v1/events");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        let (status, _) = answer(router.clone(), req.body(Body::empty()).unwrap()).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
    }
}

#[tokio::test]
async fn a_source_outside_the_providers_allowlist_is_refused_and_nothing_is_stored() {
    use malipo_relay::allow::{Cidr, SourceAllowlists};
    let (store, shop) = with_shop();
    let config = RelayConfig {
        allow: SourceAllowlists {
            daraja: Some(Cidr::parse_list("196.201.214.0/24").unwrap()),
            paystack: Some(Cidr::parse_list("52.31.139.75,52.49.173.169").unwrap()),
            clickpesa: None,
        },
        ..RelayConfig::default()
    };
    // `peer()` is 196.201.214.200: inside Safaricom's block, outside Paystack's list.
    let router = relay(store.clone(), config);
    let token = shop.endpoint_token.expose();
    let (status, _) = answer(
        router.clone(),
        post(&format!("/h/{token}/stk"), &[], STK_BODY),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = answer(
        router.clone(),
        post(&format!("/h/{token}/paystack"), &[], &b"{}"[..]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = answer(
        router,
        post(&format!("/h/{token}/clickpesa"), &[], &b"{}"[..]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "no list: any source");
    let kinds: Vec<String> = store
        .events_after(shop.id, 0, 10)
        .unwrap()
        .into_iter()
        .map(|e| e.event.kind)
        .collect();
    assert_eq!(kinds, ["stk", "clickpesa"]);
}

#[tokio::test]
async fn after_rotation_the_old_url_is_404_and_the_log_continues() {
    use malipo_relay::admin::rotate_shop_endpoint;
    let (store, shop) = with_shop();
    let router = relay(store.clone(), RelayConfig::default());
    let old = format!("/h/{}/stk", shop.endpoint_token.expose());
    assert_eq!(
        answer(router.clone(), post(&old, &[], STK_BODY)).await.0,
        StatusCode::OK
    );
    let rotated =
        rotate_shop_endpoint(store.as_ref(), shop.id, "https://relay.example.com").unwrap();
    assert_eq!(
        answer(router.clone(), post(&old, &[], STK_BODY)).await.0,
        StatusCode::NOT_FOUND
    );
    let new = format!("/h/{}/stk", rotated.endpoint_token.expose());
    assert_eq!(
        answer(router, post(&new, &[], STK_BODY)).await.0,
        StatusCode::OK
    );
    let seqs: Vec<u64> = store
        .events_after(shop.id, 0, 10)
        .unwrap()
        .iter()
        .map(|e| e.seq)
        .collect();
    assert_eq!(seqs, [1, 2], "the queued event survived the rotation");
}

#[tokio::test]
async fn over_the_shops_rate_limit_is_429_and_not_stored() {
    use malipo_relay::limit::RateLimit;
    use std::sync::atomic::{AtomicI64, Ordering};
    let (store, shop) = with_shop();
    let now = Arc::new(AtomicI64::new(NOW_MS));
    let clock = now.clone();
    let config = RelayConfig {
        rate_limit: Some(RateLimit {
            per_second: 1,
            burst: 2,
        }),
        ..RelayConfig::default()
    };
    let state = AppState::new(
        store.clone(),
        Arc::new(move || clock.load(Ordering::SeqCst)),
        config,
    );
    let router = app(state).layer(MockConnectInfo(peer()));
    let uri = format!("/h/{}/stk", shop.endpoint_token.expose());
    let mut statuses = Vec::new();
    for _ in 0..3 {
        statuses.push(answer(router.clone(), post(&uri, &[], STK_BODY)).await.0);
    }
    assert_eq!(
        statuses,
        [
            StatusCode::OK,
            StatusCode::OK,
            StatusCode::TOO_MANY_REQUESTS
        ]
    );
    assert_eq!(store.last_seq(shop.id).unwrap(), 2);
    now.fetch_add(1000, Ordering::SeqCst);
    assert_eq!(
        answer(router, post(&uri, &[], STK_BODY)).await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn health_and_metrics_count_stored_and_refused_events_without_naming_tokens() {
    let (store, shop) = with_shop();
    let router = relay(store, RelayConfig::default());
    let token = shop.endpoint_token.expose();
    answer(
        router.clone(),
        post(&format!("/h/{token}/stk"), &[], STK_BODY),
    )
    .await;
    let wrong = format!("/h/{}/stk", "0".repeat(64));
    answer(router.clone(), post(&wrong, &[], STK_BODY)).await;
    let get = |uri: &str| Request::get(uri).body(Body::empty()).unwrap();
    assert_eq!(
        answer(router.clone(), get("/healthz")).await,
        (StatusCode::OK, b"ok".to_vec())
    );
    let (status, text) = answer(router, get("/metrics")).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(text).unwrap();
    assert!(text.contains("relay_events_stored_total 1\n"), "{text}");
    assert!(
        text.contains("relay_events_refused_total{reason=\"unknown_endpoint\"} 1\n"),
        "{text}"
    );
    assert!(text.contains("relay_till_streams_open 0\n"), "{text}");
    assert!(!text.contains(token));
}

/// The SQLite store behind a disk that takes `delay` to commit.
struct SlowDisk {
    inner: SqliteStore,
    delay: std::time::Duration,
}

impl EventStore for SlowDisk {
    fn create_shop(&self, n: &str, e: &TokenHash, t: i64) -> Result<ShopId, StoreError> {
        self.inner.create_shop(n, e, t)
    }
    fn create_device(
        &self,
        s: ShopId,
        n: &str,
        e: &TokenHash,
        t: i64,
    ) -> Result<DeviceId, StoreError> {
        self.inner.create_device(s, n, e, t)
    }
    fn shop_by_endpoint(&self, e: &TokenHash) -> Result<Option<ShopId>, StoreError> {
        self.inner.shop_by_endpoint(e)
    }
    fn device_by_token(&self, e: &TokenHash) -> Result<Option<Device>, StoreError> {
        self.inner.device_by_token(e)
    }
    fn append(&self, s: ShopId, e: &NewEvent) -> Result<u64, StoreError> {
        std::thread::sleep(self.delay);
        self.inner.append(s, e)
    }
    fn events_after(&self, s: ShopId, a: u64, l: usize) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events_after(s, a, l)
    }
    fn acknowledge(&self, d: DeviceId, s: u64) -> Result<u64, StoreError> {
        self.inner.acknowledge(d, s)
    }
    fn acknowledged(&self, d: DeviceId) -> Result<u64, StoreError> {
        self.inner.acknowledged(d)
    }
    fn rotate_endpoint(&self, s: ShopId, e: &TokenHash) -> Result<(), StoreError> {
        self.inner.rotate_endpoint(s, e)
    }
    fn rotate_device(&self, d: DeviceId, e: &TokenHash) -> Result<Device, StoreError> {
        self.inner.rotate_device(d, e)
    }
    fn prune_acknowledged(&self, b: i64) -> Result<u64, StoreError> {
        self.inner.prune_acknowledged(b)
    }
    fn last_seq(&self, s: ShopId) -> Result<u64, StoreError> {
        self.inner.last_seq(s)
    }
}

#[tokio::test]
async fn a_commit_slower_than_the_answer_deadline_gets_503_not_accepted() {
    let store = Arc::new(SlowDisk {
        inner: SqliteStore::in_memory().unwrap(),
        delay: std::time::Duration::from_millis(300),
    });
    let shop = create_shop(store.as_ref(), "Duka", "https://relay.example.com", 0).unwrap();
    let config = RelayConfig {
        answer_within: std::time::Duration::from_millis(50),
        ..RelayConfig::default()
    };
    let router = relay(store.clone(), config);
    let uri = format!("/h/{}/stk", shop.endpoint_token.expose());
    let (status, body) = answer(router, post(&uri, &[], STK_BODY)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(!String::from_utf8_lossy(&body).contains("Accepted"));
    // The commit still lands; the provider's retry will be a duplicate the till absorbs.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    assert_eq!(store.last_seq(shop.id).unwrap(), 1);
}
