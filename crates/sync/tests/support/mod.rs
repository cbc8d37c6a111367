//! Shared rig for the sync client's tests: a real relay on a loopback port over a real SQLite
//! file, a shop with one till, and a till database on a real file.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_relay::admin::{create_device, create_shop, NewShop};
use malipo_relay::{run, system_clock, AppState, RelayConfig, SqliteStore};
use malipo_store::{InboxEvent, Store};
use malipo_sync::{SyncClient, SyncConfig, SyncStatus};
use malipo_vault::Sensitive;
use tokio::sync::watch;

pub const WAIT: Duration = Duration::from_secs(60);

/// A relay serving on 127.0.0.1 until dropped, with one shop and one till.
pub struct Relay {
    pub addr: SocketAddr,
    pub store: Arc<SqliteStore>,
    pub shop: NewShop,
    pub device_token: String,
    pub device: malipo_relay::DeviceId,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
    stop: watch::Sender<bool>,
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Relay {
    pub async fn start(db: &Path) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        Self::start_on(db, listener).await
    }

    pub async fn start_on(db: &Path, listener: tokio::net::TcpListener) -> Self {
        let store = Arc::new(SqliteStore::open(db).unwrap());
        let addr = listener.local_addr().unwrap();
        let base = format!("http://{addr}");
        let shop = create_shop(store.as_ref(), "Duka", &base, 0).unwrap();
        let till = create_device(store.as_ref(), shop.id, "till", 0).unwrap();
        let (stop, stopped) = watch::channel(false);
        let server = serve(store.clone(), listener, stopped);
        Self {
            addr,
            store,
            device_token: till.token.expose().to_owned(),
            device: till.id,
            shop,
            server,
            stop,
        }
    }

    /// Stops serving and ends open streams (the database stays), as when the relay goes down.
    pub async fn stop(&mut self) {
        self.stop.send_replace(true);
        (&mut self.server).await.unwrap().unwrap();
    }

    /// Serves the same database again on the same address.
    pub async fn restart(&mut self) {
        let listener = tokio::net::TcpListener::bind(self.addr).await.unwrap();
        let (stop, stopped) = watch::channel(false);
        self.stop = stop;
        self.server = serve(self.store.clone(), listener, stopped);
    }

    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The URL a provider posts `kind` events to.
    pub fn url(&self, kind: malipo_relay::EventKind) -> String {
        self.shop
            .callback_urls
            .iter()
            .find(|(k, _)| *k == kind)
            .unwrap()
            .1
            .clone()
    }
}

fn serve(
    store: Arc<SqliteStore>,
    listener: tokio::net::TcpListener,
    mut stopped: watch::Receiver<bool>,
) -> tokio::task::JoinHandle<std::io::Result<()>> {
    let state = AppState::new(store, system_clock(), RelayConfig::default());
    tokio::spawn(run(listener, state, async move {
        let _ = stopped.wait_for(|s| *s).await;
    }))
}

/// A till database on a real file, shared as the app shares it.
pub fn till_store(path: &Path) -> Arc<Mutex<Store>> {
    Arc::new(Mutex::new(Store::open(path).unwrap()))
}

/// A sync client with quick retries for tests.
pub fn client(relay: &str, token: &str) -> SyncClient {
    let mut config = SyncConfig::new(relay, Sensitive::new(token.to_owned()));
    config.backoff_initial = Duration::from_millis(50);
    config.backoff_max = Duration::from_millis(400);
    SyncClient::new(config).unwrap()
}

/// Waits until the status satisfies `done`.
pub async fn wait_for(
    status: &mut watch::Receiver<SyncStatus>,
    done: impl Fn(&SyncStatus) -> bool,
) -> SyncStatus {
    let found = tokio::time::timeout(WAIT, status.wait_for(|s| done(s))).await;
    found.expect("status reached in time").unwrap().clone()
}

/// Every inbox row, oldest first.
pub fn inbox(store: &Arc<Mutex<Store>>) -> Vec<InboxEvent> {
    store.lock().unwrap().inbox_list(None, i64::MAX).unwrap()
}
