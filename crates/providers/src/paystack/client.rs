//! The async Paystack client: sends what [`super::request`] builds and hands the answer to
//! [`super::response`]. It holds the shop's secret key as `Sensitive<String>` and logs only
//! the method, path and HTTP status of each call, never headers or bodies.

use std::time::Duration;

use malipo_vault::Sensitive;

use super::error::PaystackError;
use super::request::{self, InitializeRequest, KeyMode, RefundRequest};
use super::response::{self, ConnectionCheck, Initialized, Refund, Transaction};

/// How long one call may take before it counts as a network failure.
const TIMEOUT_MS: u64 = 30_000;

/// A Paystack client for one shop's integration.
#[derive(Debug, Clone)]
pub struct PaystackClient {
    http: reqwest::Client,
    base_url: String,
    secret: Sensitive<String>,
}

impl PaystackClient {
    /// A client for `base_url` ([`request::DEFAULT_BASE_URL`] in production, the simulator's
    /// address in tests and training mode).
    pub fn new(
        base_url: impl Into<String>,
        secret: Sensitive<String>,
    ) -> Result<Self, PaystackError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(TIMEOUT_MS))
            .build()
            .map_err(|e| PaystackError::Transport(e.without_url().to_string()))?;
        Ok(Self::with_http(http, base_url, secret))
    }

    /// A client sharing an existing `reqwest::Client` (connection pool).
    pub fn with_http(
        http: reqwest::Client,
        base_url: impl Into<String>,
        secret: Sensitive<String>,
    ) -> Self {
        Self {
            http,
            base_url: base_url.into(),
            secret,
        }
    }

    /// Whether the key is a test or a live key (from its prefix; no network).
    pub fn key_mode(&self) -> Result<KeyMode, PaystackError> {
        KeyMode::of_secret_key(&self.secret)
    }

    /// `POST /transaction/initialize` → access code (popup) and authorization URL (link).
    /// On `duplicate_reference`, verify the reference instead of creating another charge.
    pub async fn initialize(&self, req: &InitializeRequest) -> Result<Initialized, PaystackError> {
        let built = request::initialize(&self.base_url, &self.secret, req)?;
        let (status, body) = self.send(built).await?;
        let data = response::envelope(status, &body).map_err(|e| match e {
            PaystackError::DuplicateReference(_) => {
                PaystackError::DuplicateReference(req.reference.clone())
            }
            other => other,
        })?;
        response::parse_initialized(&data)
    }

    /// `GET /transaction/verify/:reference`. Check [`Transaction::is_paid`] with the amount
    /// charged: a 200 alone proves nothing.
    pub async fn verify(&self, reference: &str) -> Result<Transaction, PaystackError> {
        let built = request::verify(&self.base_url, &self.secret, reference)?;
        let (status, body) = self.send(built).await?;
        response::parse_transaction(&response::envelope(status, &body)?)
    }

    /// `POST /refund`: full (`amount: None`) or partial. The refund starts `pending`.
    pub async fn refund(&self, req: &RefundRequest) -> Result<Refund, PaystackError> {
        let built = request::refund(&self.base_url, &self.secret, req)?;
        let (status, body) = self.send(built).await?;
        response::parse_refund(&response::envelope(status, &body)?)
    }

    /// `GET /refund/:id`: the refund's current status.
    pub async fn refund_status(&self, refund_id: i64) -> Result<Refund, PaystackError> {
        let built = request::refund_status(&self.base_url, &self.secret, refund_id)?;
        let (status, body) = self.send(built).await?;
        response::parse_refund(&response::envelope(status, &body)?)
    }

    /// `GET /refund?transaction=…`: every refund already made on a transaction, so a refund is
    /// never queued twice by a retry (Paystack has no refund idempotency key).
    pub async fn list_refunds(&self, transaction: &str) -> Result<Vec<Refund>, PaystackError> {
        let built = request::list_refunds(&self.base_url, &self.secret, transaction)?;
        let (status, body) = self.send(built).await?;
        match response::envelope(status, &body)? {
            serde_json::Value::Array(items) => items.iter().map(response::parse_refund).collect(),
            _ => Err(PaystackError::Unreadable(
                "refund list is not an array".into(),
            )),
        }
    }

    /// "Test connection": whether Paystack accepts the key, and whether it is test or live.
    /// A key with the wrong shape is reported without any network call.
    pub async fn test_connection(&self) -> Result<ConnectionCheck, PaystackError> {
        let mode = match self.key_mode() {
            Ok(mode) => mode,
            Err(PaystackError::MalformedKey(reason)) => {
                return Ok(ConnectionCheck::Invalid {
                    mode: None,
                    reason: format!("this is not a Paystack secret key: {reason}"),
                })
            }
            Err(other) => return Err(other),
        };
        let built = request::test_connection(&self.base_url, &self.secret)?;
        let (status, body) = self.send(built).await?;
        response::parse_connection(mode, status, &body)
    }

    async fn send(&self, built: http::Request<Vec<u8>>) -> Result<(u16, Vec<u8>), PaystackError> {
        let method = built.method().clone();
        let path = built.uri().path().to_owned();
        let request = reqwest::Request::try_from(built)
            .map_err(|e| PaystackError::InvalidRequest(e.without_url().to_string()))?;
        let response = self.http.execute(request).await.map_err(|e| {
            tracing::warn!(%method, %path, "paystack call failed before an answer");
            PaystackError::Transport(e.without_url().to_string())
        })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| PaystackError::Transport(e.without_url().to_string()))?;
        tracing::debug!(%method, %path, status, "paystack answered");
        Ok((status, body.to_vec()))
    }
}
