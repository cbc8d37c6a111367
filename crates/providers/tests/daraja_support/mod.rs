//! Shared helpers for the Daraja integration tests: an in-process simulator on a loopback
//! port, a callback receiver that records what it is sent, a client configured for the
//! simulator, and a throwaway RSA certificate.
#![allow(dead_code, clippy::unwrap_used)]

use std::str::FromStr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{OriginalUri, State};
use malipo_core::Timestamp;
use malipo_providers::daraja::{DarajaClient, DarajaConfig, Environment};
use malipo_sim::daraja::{DarajaSim, SimConfig};
use malipo_vault::Sensitive;
use tokio::sync::Notify;

pub const SANDBOX_PASSKEY: &str =
    "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919";
pub const CONSUMER_KEY: &str = "sim-consumer-key";
pub const CONSUMER_SECRET: &str = "sim-consumer-secret";
pub const INITIATOR_PASSWORD: &str = "Safaricom999!*!";

/// A simulator serving on 127.0.0.1:0; stops when the returned sender is dropped.
pub async fn start_sim(config: SimConfig) -> (DarajaSim, String, tokio::sync::oneshot::Sender<()>) {
    let sim = DarajaSim::new(config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = sim.clone();
    tokio::spawn(async move {
        malipo_sim::daraja::run(listener, served, async move {
            let _ = stopped.await;
        })
        .await
    });
    (sim, base, stop)
}

/// One POST the receiver was sent: (path with query, body).
type Call = (String, Vec<u8>);

/// What the receiver was sent.
#[derive(Clone, Default)]
pub struct Received {
    calls: Arc<Mutex<Vec<Call>>>,
    notify: Arc<Notify>,
}

impl Received {
    pub fn calls(&self) -> Vec<Call> {
        self.calls.lock().unwrap().clone()
    }

    /// Calls whose path starts with `prefix`.
    pub fn to(&self, prefix: &str) -> Vec<Vec<u8>> {
        self.calls()
            .into_iter()
            .filter(|(p, _)| p.starts_with(prefix))
            .map(|(_, b)| b)
            .collect()
    }

    /// Waits until `n` calls went to `prefix` (or 10 s pass).
    pub async fn wait_for(&self, prefix: &str, n: usize) -> Vec<Vec<u8>> {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        loop {
            let notified = self.notify.notified();
            let now = self.to(prefix);
            if now.len() >= n || tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.to(prefix);
            }
        }
    }
}

async fn record(State(received): State<Received>, uri: OriginalUri, body: Bytes) -> &'static str {
    received
        .calls
        .lock()
        .unwrap()
        .push((uri.0.to_string(), body.to_vec()));
    received.notify.notify_waiters();
    r#"{"ResultCode": 0, "ResultDesc": "Accepted"}"#
}

/// A callback receiver on loopback: every POST is recorded. Returns its base URL.
pub async fn start_receiver() -> (Received, String) {
    let received = Received::default();
    let app = axum::Router::new()
        .fallback(axum::routing::post(record))
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (received, base)
}

/// A paybill (174379) configuration pointing at the simulator.
pub fn paybill_config(base: &str) -> DarajaConfig {
    DarajaConfig::new(
        Environment::Simulator {
            base_url: url::Url::parse(base).unwrap(),
        },
        Sensitive::new(CONSUMER_KEY.to_string()),
        Sensitive::new(CONSUMER_SECRET.to_string()),
        "174379",
        Sensitive::new(SANDBOX_PASSKEY.to_string()),
    )
}

/// The simulator's till shop: store 600100, till 600200.
pub fn till_config(base: &str) -> DarajaConfig {
    let mut config = paybill_config(base);
    config.shortcode = "600100".to_string();
    config.passkey = Sensitive::new("sim-store-passkey-600100".to_string());
    config.till_number = Some("600200".to_string());
    config
}

pub fn client(config: DarajaConfig) -> DarajaClient {
    DarajaClient::new(config).unwrap()
}

/// Now, as the till's clock would pass it in.
pub fn now() -> Timestamp {
    let millis = time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000;
    Timestamp(i64::try_from(millis).unwrap())
}

/// A throwaway 2048-bit RSA key and a self-signed certificate (PEM) for its public key.
pub fn test_certificate() -> (rsa::PrivateKey, Vec<u8>) {
    use rsa::pkcs1v15::SigningKey;
    use rsa::pkcs8::EncodePublicKey;
    use x509_cert::builder::{profile, Builder, CertificateBuilder};
    use x509_cert::der::{pem::LineEnding, EncodePem};
    use x509_cert::name::Name;
    use x509_cert::serial_number::SerialNumber;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    use x509_cert::time::Validity;

    let mut rng = rand::rngs::SysRng;
    let private = rsa::PrivateKey::new(&mut rng, 2048).unwrap();
    let public_der = private.to_public_key().to_public_key_der().unwrap();
    let spki = SubjectPublicKeyInfoOwned::try_from(public_der.as_bytes()).unwrap();
    let subject = Name::from_str("CN=apicrypt.malipo.test,O=Malipo Tests,C=KE").unwrap();
    let profile = profile::cabf::Root::new(false, subject).unwrap();
    let validity = Validity::from_now(Duration::from_secs(3600)).unwrap();
    let builder =
        CertificateBuilder::new(profile, SerialNumber::from(7u32), validity, spki).unwrap();
    let signer = SigningKey::<sha2::Sha256>::new(private.clone());
    let certificate = builder
        .build::<_, rsa::pkcs1v15::Signature>(&signer)
        .unwrap();
    let pem = certificate.to_pem(LineEnding::LF).unwrap();
    (private, pem.into_bytes())
}
