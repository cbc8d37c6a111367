//! The async Daraja client: sends what [`super::request`] builds, parses with
//! [`super::response`], and owns the OAuth token.
//!
//! Token rules: one token per client, cached until shortly before `expires_in`; fetched by one
//! task at a time (the cache lock is held across the fetch, so concurrent callers wait and then
//! share it — a new token invalidates the previous one at Daraja); on an "Invalid Access Token"
//! answer the token is dropped and the request is sent once more with a fresh one.
//!
//! Logging: the path, the HTTP status and Daraja's code are logged; bodies, headers, tokens and
//! credentials never are.

use std::time::Duration;

use malipo_core::Timestamp;
use malipo_vault::Sensitive;
use serde_json::Value;
use tokio::sync::Mutex;
use tokio::time::Instant;

use super::config::DarajaConfig;
use super::error::{DarajaError, RequestError};
use super::request::{
    self, check_credentials, path, DarajaRequest, QrRequest, ReversalRequest, StatusQueryRequest,
    StkPushRequest,
};
use super::response::{
    parse_async_ack, parse_qr, parse_register_ack, parse_stk_push_ack, parse_stk_query,
    parse_token, AsyncAck, QrCode, RegisterAck, StkPushAck, StkQueryAnswer,
};
use super::result_code::ApiErrorCode;
use super::security::CertificateKey;
use super::wire::optional_text;

/// How long before `expires_in` a token is replaced (at most half its lifetime).
const REFRESH_MARGIN_S: u64 = 60;
/// Default per-request timeout.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

struct CachedToken {
    token: Sensitive<String>,
    refresh_at: Instant,
}

/// A Daraja client for one shop.
pub struct DarajaClient {
    config: DarajaConfig,
    http: reqwest::Client,
    token: Mutex<Option<CachedToken>>,
}

impl std::fmt::Debug for DarajaClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DarajaClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// One line of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionCheck {
    /// What was checked, e.g. "Consumer key and secret".
    pub item: &'static str,
    pub ok: bool,
    /// What the shop owner should know or do.
    pub message: String,
}

/// The result of "Test connection".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionReport {
    pub checks: Vec<ConnectionCheck>,
}

impl ConnectionReport {
    /// True when every check passed.
    pub fn is_ok(&self) -> bool {
        self.checks.iter().all(|c| c.ok)
    }
}

impl DarajaClient {
    /// A client with its own HTTP connection pool and a 30 s request timeout.
    pub fn new(config: DarajaConfig) -> Result<DarajaClient, DarajaError> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .build()
            .map_err(|e| DarajaError::Transport(e.to_string()))?;
        Ok(DarajaClient::with_http_client(config, http))
    }

    /// A client over a given `reqwest::Client` (tests use one without timers).
    pub fn with_http_client(config: DarajaConfig, http: reqwest::Client) -> DarajaClient {
        DarajaClient {
            config,
            http,
            token: Mutex::new(None),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &DarajaConfig {
        &self.config
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.config.environment.base_url())
    }

    /// A valid access token: the cached one, or a fresh one fetched now (one fetch at a time).
    pub async fn access_token(&self) -> Result<Sensitive<String>, DarajaError> {
        let mut cache = self.token.lock().await;
        if let Some(cached) = cache.as_ref() {
            if Instant::now() < cached.refresh_at {
                return Ok(cached.token.clone());
            }
        }
        let fresh = self.fetch_token().await?;
        let token = fresh.token.clone();
        *cache = Some(fresh);
        Ok(token)
    }

    async fn fetch_token(&self) -> Result<CachedToken, DarajaError> {
        tracing::info!(
            environment = self.config.environment.name(),
            "daraja: fetching an access token"
        );
        let response = self
            .http
            .get(self.url(path::OAUTH))
            .basic_auth(
                self.config.consumer_key.expose(),
                Some(self.config.consumer_secret.expose()),
            )
            .send()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        let token = parse_token(status, &body).inspect_err(|e| {
            tracing::warn!(status, error = %e, "daraja: access token refused");
        })?;
        let lifetime_s = u64::try_from(token.expires_in_s).unwrap_or(0);
        let margin = REFRESH_MARGIN_S.min(lifetime_s / 2);
        let refresh_at = Instant::now() + Duration::from_secs(lifetime_s - margin);
        tracing::info!(lifetime_s, "daraja: access token received");
        Ok(CachedToken {
            token: token.access_token,
            refresh_at,
        })
    }

    /// Drops the cached token if it is still `used` (another task may have replaced it).
    async fn invalidate(&self, used: &Sensitive<String>) {
        let mut cache = self.token.lock().await;
        if cache
            .as_ref()
            .is_some_and(|c| c.token.expose() == used.expose())
        {
            *cache = None;
        }
    }

    async fn post_once(
        &self,
        request: &DarajaRequest,
        token: &Sensitive<String>,
    ) -> Result<(u16, Vec<u8>), DarajaError> {
        let response = self
            .http
            .post(self.url(request.path))
            .bearer_auth(token.expose())
            .json(&request.body)
            .send()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| DarajaError::Transport(e.without_url().to_string()))?;
        Ok((status, body.to_vec()))
    }

    /// Sends a request with the bearer token; on a stale-token answer, once more with a fresh
    /// token. Returns the HTTP status and body for the caller's parser.
    pub async fn send(&self, request: &DarajaRequest) -> Result<(u16, Vec<u8>), DarajaError> {
        let token = self.access_token().await?;
        let (status, body) = self.post_once(request, &token).await?;
        let code = error_code(&body);
        tracing::info!(
            path = request.path,
            status,
            code = code.as_deref().unwrap_or(""),
            "daraja: answered"
        );
        if !token_rejected(status, code.as_deref()) {
            return Ok((status, body));
        }
        tracing::info!(
            path = request.path,
            "daraja: access token rejected; fetching a new one"
        );
        self.invalidate(&token).await;
        let token = self.access_token().await?;
        let (status, body) = self.post_once(request, &token).await?;
        tracing::info!(path = request.path, status, "daraja: answered the retry");
        Ok((status, body))
    }

    /// Sends an STK push. `now` gives the Daraja timestamp (Nairobi time).
    pub async fn stk_push(
        &self,
        push: &StkPushRequest,
        now: Timestamp,
    ) -> Result<StkPushAck, DarajaError> {
        let request = request::stk_push(&self.config, push, now)?;
        let (status, body) = self.send(&request).await?;
        let ack = parse_stk_push_ack(status, &body)?;
        tracing::info!(checkout_request_id = %ack.checkout_request_id, "daraja: STK push accepted");
        Ok(ack)
    }

    /// Asks whether an STK push was paid.
    pub async fn stk_query(
        &self,
        checkout_request_id: &str,
        now: Timestamp,
    ) -> Result<StkQueryAnswer, DarajaError> {
        let request = request::stk_query(&self.config, checkout_request_id, now)?;
        let (status, body) = self.send(&request).await?;
        parse_stk_query(status, &body)
    }

    /// Registers the C2B confirmation and validation URLs (version from the config).
    pub async fn register_c2b_urls(
        &self,
        confirmation_url: &str,
        validation_url: &str,
        completed: bool,
    ) -> Result<RegisterAck, DarajaError> {
        let request =
            request::c2b_register(&self.config, confirmation_url, validation_url, completed)?;
        let (status, body) = self.send(&request).await?;
        parse_register_ack(status, &body)
    }

    /// Generates a Dynamic QR.
    pub async fn dynamic_qr(&self, qr: &QrRequest) -> Result<QrCode, DarajaError> {
        let request = request::dynamic_qr(&self.config, qr)?;
        let (status, body) = self.send(&request).await?;
        parse_qr(status, &body)
    }

    fn security_credential(&self) -> Result<Sensitive<String>, DarajaError> {
        let password = self
            .config
            .initiator_password
            .as_ref()
            .ok_or(RequestError::MissingInitiator)?;
        let certificate = self
            .config
            .certificate
            .as_ref()
            .ok_or(RequestError::MissingCertificate)?;
        let key = CertificateKey::from_certificate(certificate)?;
        Ok(key.security_credential(password)?)
    }

    /// Asks for a reversal; the result arrives later at `result_url`.
    pub async fn reverse(&self, reversal: &ReversalRequest) -> Result<AsyncAck, DarajaError> {
        let credential = self.security_credential()?;
        let request = request::reversal(&self.config, &credential, reversal)?;
        let (status, body) = self.send(&request).await?;
        parse_async_ack(status, &body)
    }

    /// Asks for a transaction's status; the result arrives later at `result_url`.
    pub async fn transaction_status(
        &self,
        query: &StatusQueryRequest,
    ) -> Result<AsyncAck, DarajaError> {
        let credential = self.security_credential()?;
        let request = request::transaction_status(&self.config, &credential, query)?;
        let (status, body) = self.send(&request).await?;
        parse_async_ack(status, &body)
    }

    /// "Test connection": checks the settings, authenticates, checks the shortcode and passkey
    /// with an STK query for an id that cannot exist, and says in plain words which credential
    /// is wrong. It fetches a fresh token (replacing the cached one).
    pub async fn test_connection(&self, now: Timestamp) -> ConnectionReport {
        let mut checks = Vec::new();
        checks.push(match check_credentials(&self.config) {
            Ok(()) => ConnectionCheck {
                item: "Shortcode and passkey",
                ok: true,
                message: "Filled in.".to_string(),
            },
            Err(e) => ConnectionCheck {
                item: "Shortcode and passkey",
                ok: false,
                message: e.to_string(),
            },
        });
        *self.token.lock().await = None;
        let authenticated = self.access_token().await;
        let keys_ok = authenticated.is_ok();
        checks.push(match authenticated {
            Ok(_) => ConnectionCheck {
                item: "Consumer key and secret",
                ok: true,
                message: format!("M-Pesa {} accepted them.", self.config.environment.name()),
            },
            Err(DarajaError::Unauthorized { .. }) => ConnectionCheck {
                item: "Consumer key and secret",
                ok: false,
                message: format!(
                    "M-Pesa {} refused the consumer key or consumer secret. Copy both again from \
                     your app on the Daraja portal; sandbox and production keys are different.",
                    self.config.environment.name()
                ),
            },
            Err(e) => ConnectionCheck {
                item: "Consumer key and secret",
                ok: false,
                message: format!("Could not check them: {e}"),
            },
        });
        if keys_ok && check_credentials(&self.config).is_ok() {
            checks.push(self.check_passkey(now).await);
        }
        if self.config.initiator_name.is_some() || self.config.initiator_password.is_some() {
            checks.push(match self.security_credential() {
                Ok(_) => ConnectionCheck {
                    item: "Initiator and certificate",
                    ok: true,
                    message: "The reversal credential can be computed.".to_string(),
                },
                Err(e) => ConnectionCheck {
                    item: "Initiator and certificate",
                    ok: false,
                    message: e.to_string(),
                },
            });
        }
        tracing::info!(
            ok = checks.iter().all(|c| c.ok),
            "daraja: connection tested"
        );
        ConnectionReport { checks }
    }
}

impl DarajaClient {
    /// Asks for the status of a CheckoutRequestID that cannot exist: Daraja checks the
    /// `Password` first, so "Wrong credentials" / "Merchant does not exist" (`500.001.1001`)
    /// name the passkey or shortcode, while "Invalid CheckoutRequestID" means both are right.
    /// The message text only chooses the words; the code decides pass or fail.
    async fn check_passkey(&self, now: Timestamp) -> ConnectionCheck {
        const ITEM: &str = "Shortcode and passkey";
        let answer = self.stk_query("ws_CO_MALIPO_CONNECTION_TEST", now).await;
        let fail = |message: String| ConnectionCheck {
            item: ITEM,
            ok: false,
            message,
        };
        match answer {
            Ok(StkQueryAnswer::Processing { message, .. }) => {
                let lower = message.to_ascii_lowercase();
                if lower.contains("merchant does not exist") {
                    fail(format!(
                        "M-Pesa does not know shortcode {} for M-Pesa Express. For a till, enter \
                         the store or head-office number here and the till number separately.",
                        self.config.shortcode
                    ))
                } else if lower.contains("credentials") {
                    fail(
                        "M-Pesa refused the passkey for this shortcode. Copy the passkey again \
                         (Safaricom emails it after Go-Live; sandbox has its own)."
                            .to_string(),
                    )
                } else {
                    fail(format!("M-Pesa could not check the passkey: {message}"))
                }
            }
            Ok(StkQueryAnswer::Result { .. })
            | Err(DarajaError::Api {
                code: ApiErrorCode::InvalidField,
                ..
            }) => ConnectionCheck {
                item: ITEM,
                ok: true,
                message: "M-Pesa accepted the shortcode and passkey.".to_string(),
            },
            Err(DarajaError::Api {
                code: ApiErrorCode::NoApiProduct,
                ..
            }) => fail(
                "M-Pesa Express is not enabled on this Daraja app; add the product on the portal."
                    .to_string(),
            ),
            Err(e) => fail(format!("Could not check the passkey: {e}")),
        }
    }
}

/// Daraja's `errorCode`, if the body is its error envelope.
fn error_code(body: &[u8]) -> Option<String> {
    let json: Value = serde_json::from_slice(body).ok()?;
    optional_text(&json, "errorCode")
}

fn token_rejected(status: u16, code: Option<&str>) -> bool {
    status == 401 || code.is_some_and(|c| ApiErrorCode::from_code(c).is_invalid_token())
}
