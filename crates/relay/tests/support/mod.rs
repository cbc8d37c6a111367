//! Test helpers shared by the relay's socket tests: a relay on a loopback port over a real
//! SQLite file, and a minimal till client that reads the SSE stream and acknowledges.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use malipo_relay::admin::{create_device, create_shop};
use malipo_relay::{run, system_clock, Ack, AppState, EventFrame, RelayConfig, SqliteStore};

/// A relay serving on 127.0.0.1 until dropped.
pub struct Relay {
    pub addr: SocketAddr,
    pub store: Arc<SqliteStore>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Relay {
    /// Starts a relay over the database file at `db`.
    pub async fn start(db: &Path) -> Self {
        Self::start_with(db, RelayConfig::default()).await
    }

    /// Starts a relay over the database file at `db` with `config`.
    pub async fn start_with(db: &Path, config: RelayConfig) -> Self {
        let store = Arc::new(SqliteStore::open(db).unwrap());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = AppState::new(store.clone(), system_clock(), config);
        let server = tokio::spawn(run(listener, state, std::future::pending()));
        Self {
            addr,
            store,
            server,
        }
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Registers a shop with one till; returns (endpoint token, device token).
    pub fn shop(&self, name: &str) -> (String, String) {
        let shop = create_shop(self.store.as_ref(), name, &self.base(), 0).unwrap();
        let till = create_device(self.store.as_ref(), shop.id, "till", 0).unwrap();
        (
            shop.endpoint_token.expose().to_owned(),
            till.token.expose().to_owned(),
        )
    }

    /// Posts `body` as a provider would; returns the status and answer.
    pub async fn post(&self, endpoint: &str, kind: &str, body: &[u8]) -> (u16, Vec<u8>) {
        let res = reqwest::Client::new()
            .post(format!("{}/h/{endpoint}/{kind}", self.base()))
            .header("content-type", "application/json")
            .body(body.to_vec())
            .send()
            .await
            .unwrap();
        (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
    }
}

/// A till's open event stream.
pub struct TillStream {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

impl TillStream {
    /// Opens the stream with `device_token`.
    pub async fn open(base: &str, device_token: &str) -> Self {
        let response = reqwest::Client::new()
            .get(format!("{base}/till/v1/events"))
            .bearer_auth(device_token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        Self {
            response,
            buffer: Vec::new(),
        }
    }

    /// The next event frame, or `None` if none arrives within `wait`.
    pub async fn next_within(&mut self, wait: Duration) -> Option<EventFrame> {
        tokio::time::timeout(wait, self.next()).await.ok()
    }

    /// The next event frame (skipping keep-alive comments).
    pub async fn next(&mut self) -> EventFrame {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let message: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let text = String::from_utf8(message).unwrap();
                let data: String = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("data: ").or_else(|| l.strip_prefix("data:")))
                    .collect();
                if !data.is_empty() {
                    return serde_json::from_str(&data).unwrap();
                }
                continue;
            }
            let chunk = self.response.chunk().await.unwrap().unwrap();
            self.buffer.extend_from_slice(&chunk);
        }
    }
}

/// The raw body of a frame.
pub fn body(frame: &EventFrame) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(&frame.body)
        .unwrap()
}

/// Acknowledges up to `seq`; returns the relay's acknowledged mark.
pub async fn ack(base: &str, device_token: &str, seq: u64) -> u64 {
    let res = reqwest::Client::new()
        .post(format!("{base}/till/v1/ack"))
        .bearer_auth(device_token)
        .json(&Ack { seq })
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    res.json::<Ack>().await.unwrap().seq
}
