//! The async ClickPesa client: sends what [`super::request`] builds, hands answers to
//! [`super::response`], and caches the token for its hour. A new shop's account has only 100
//! calls a day (token calls included), so a token is reused until 55 minutes after it was
//! issued, and refreshed once if ClickPesa refuses it earlier (changing the checksum setting
//! invalidates tokens). Time is passed in. Logs carry method, path and status only.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_core::Timestamp;
use malipo_vault::Sensitive;

use super::error::ClickPesaError;
use super::request::{self, ControlNumberRequest, ControlNumberUpdate};
use super::response::{self, BulkCreated, ControlNumber, Payment};

/// A token is reused for this long after it was issued (it is valid for an hour).
pub const TOKEN_REUSE_MS: i64 = 55 * 60 * 1000;

const TIMEOUT_MS: u64 = 30_000;

#[derive(Debug)]
struct CachedToken {
    token: Sensitive<String>,
    expires_at: Timestamp,
}

/// A ClickPesa client for one shop's API application.
#[derive(Debug, Clone)]
pub struct ClickPesaClient {
    http: reqwest::Client,
    base_url: String,
    client_id: String,
    api_key: Sensitive<String>,
    token: Arc<Mutex<Option<CachedToken>>>,
}

impl ClickPesaClient {
    /// A client for `base_url` ([`request::DEFAULT_BASE_URL`] in production, the simulator's
    /// address in tests and training mode).
    pub fn new(
        base_url: impl Into<String>,
        client_id: impl Into<String>,
        api_key: Sensitive<String>,
    ) -> Result<Self, ClickPesaError> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_millis(TIMEOUT_MS))
            .build()
            .map_err(|e| ClickPesaError::Transport(e.without_url().to_string()))?;
        Ok(Self {
            http,
            base_url: base_url.into(),
            client_id: client_id.into(),
            api_key,
            token: Arc::default(),
        })
    }

    fn cached(&self, now: Timestamp) -> Option<Sensitive<String>> {
        let guard = self.token.lock().ok()?;
        guard
            .as_ref()
            .filter(|t| now < t.expires_at)
            .map(|t| t.token.clone())
    }

    fn forget_token(&self) {
        if let Ok(mut guard) = self.token.lock() {
            *guard = None;
        }
    }

    /// A fresh token from `generate-token`, cached until `now + TOKEN_REUSE_MS`.
    async fn new_token(&self, now: Timestamp) -> Result<Sensitive<String>, ClickPesaError> {
        let built = request::generate_token(&self.base_url, &self.client_id, &self.api_key)?;
        let (status, body) = self.send(built).await?;
        let token = Sensitive::new(response::parse_token(&response::checked(status, &body)?)?);
        if let Ok(mut guard) = self.token.lock() {
            *guard = Some(CachedToken {
                token: token.clone(),
                expires_at: now.plus_ms(TOKEN_REUSE_MS),
            });
        }
        Ok(token)
    }

    async fn token(&self, now: Timestamp) -> Result<Sensitive<String>, ClickPesaError> {
        match self.cached(now) {
            Some(token) => Ok(token),
            None => self.new_token(now).await,
        }
    }

    /// Sends an authenticated call built by `build`; on a 401 with a cached token, gets one
    /// new token and tries once more.
    async fn call<F>(&self, now: Timestamp, build: F) -> Result<serde_json::Value, ClickPesaError>
    where
        F: Fn(&Sensitive<String>) -> Result<http::Request<Vec<u8>>, ClickPesaError>,
    {
        let token = self.token(now).await?;
        let (status, body) = self.send(build(&token)?).await?;
        if status == 401 {
            self.forget_token();
            let token = self.new_token(now).await?;
            let (status, body) = self.send(build(&token)?).await?;
            return response::checked(status, &body);
        }
        response::checked(status, &body)
    }

    /// "Test connection": a fresh token proves the client id and API key (costs one of the
    /// day's calls). ClickPesa's own message says what is wrong when it fails.
    pub async fn test_connection(&self, now: Timestamp) -> Result<(), ClickPesaError> {
        self.new_token(now).await.map(|_| ())
    }

    /// Creates one order (no customer) or customer control number.
    pub async fn create_control_number(
        &self,
        req: &ControlNumberRequest,
        now: Timestamp,
    ) -> Result<ControlNumber, ClickPesaError> {
        request::create_control_number(&self.base_url, &Sensitive::new(String::new()), req)?;
        let value = self
            .call(now, |t| {
                request::create_control_number(&self.base_url, t, req)
            })
            .await?;
        response::parse_control_number(&value)
    }

    /// Creates up to 50 numbers of one kind; failures are per item.
    pub async fn bulk_create(
        &self,
        items: &[ControlNumberRequest],
        now: Timestamp,
    ) -> Result<BulkCreated, ClickPesaError> {
        request::bulk_create(&self.base_url, &Sensitive::new(String::new()), items)?;
        let value = self
            .call(now, |t| request::bulk_create(&self.base_url, t, items))
            .await?;
        response::parse_bulk(&value)
    }

    /// A control number's details.
    pub async fn billpay_details(
        &self,
        number: &str,
        now: Timestamp,
    ) -> Result<ControlNumber, ClickPesaError> {
        let value = self
            .call(now, |t| request::billpay_details(&self.base_url, t, number))
            .await?;
        response::parse_control_number(&value)
    }

    /// Updates or voids a control number (`PATCH /billpay/{number}`).
    pub async fn update_control_number(
        &self,
        number: &str,
        update: &ControlNumberUpdate,
        now: Timestamp,
    ) -> Result<ControlNumber, ClickPesaError> {
        request::update_control_number(
            &self.base_url,
            &Sensitive::new(String::new()),
            number,
            update,
        )?;
        let value = self
            .call(now, |t| {
                request::update_control_number(&self.base_url, t, number, update)
            })
            .await?;
        response::parse_control_number(&value)
    }

    /// Every payment to `order_reference` (a control number may carry several).
    pub async fn query_payments(
        &self,
        order_reference: &str,
        now: Timestamp,
    ) -> Result<Vec<Payment>, ClickPesaError> {
        let value = self
            .call(now, |t| {
                request::query_payments(&self.base_url, t, order_reference)
            })
            .await?;
        response::parse_payments(&value)
    }

    async fn send(&self, built: http::Request<Vec<u8>>) -> Result<(u16, Vec<u8>), ClickPesaError> {
        let method = built.method().clone();
        let path = built.uri().path().to_owned();
        let request = reqwest::Request::try_from(built)
            .map_err(|e| ClickPesaError::InvalidRequest(e.without_url().to_string()))?;
        let response = self.http.execute(request).await.map_err(|e| {
            tracing::warn!(%method, %path, "clickpesa call failed before an answer");
            ClickPesaError::Transport(e.without_url().to_string())
        })?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| ClickPesaError::Transport(e.without_url().to_string()))?;
        tracing::debug!(%method, %path, status, "clickpesa answered");
        Ok((status, body.to_vec()))
    }
}
