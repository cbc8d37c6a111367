//! [`SmsSender`]: receipts by SMS through Africa's Talking's bulk SMS API.
//!
//! Wire facts this module relies on (Africa's Talking "Send SMS" documentation,
//! docs.africastalking.com/sms/sending, as found through the `search` tool on 2026-11-25, and
//! consistent with the official SDKs' requests):
//! - Endpoint: `POST {base}/version1/messaging`, with base `https://api.africastalking.com`
//!   (live) or `https://api.sandbox.africastalking.com` (sandbox, where the username is
//!   literally `sandbox`).
//! - Headers: `apiKey: <the application's API key>`, `Accept: application/json`, and a
//!   form-encoded body (`Content-Type: application/x-www-form-urlencoded`).
//! - Body fields: `username` (required, the application's username), `to` (required, comma
//!   separated recipients in international format, `+2547XXXXXXXX`), `message` (required),
//!   `from` (optional: a registered short code or alphanumeric sender id; the account default
//!   `AFRICASTKNG` otherwise). Also `bulkSMSMode`, `enqueue`, `keyword`, `linkId`,
//!   `retryDurationInHours`, not used here.
//! - Answer (HTTP 201 on success): `{"SMSMessageData": {"Message": "Sent to 1/1 Total Cost:
//!   KES 0.8000", "Recipients": [{"statusCode": 101, "number": "+254…", "status": "Success",
//!   "cost": "KES 0.8000", "messageId": "ATXid_…"}]}}`. `cost` is a string with the currency
//!   and is kept as text (never parsed into a number).
//! - Per-recipient `statusCode`: 100 Processed, 101 Sent (`Success`), 102 Queued — accepted;
//!   401 RiskHold, 402 InvalidSenderId, 403 InvalidPhoneNumber, 404 UnsupportedNumberType,
//!   405 InsufficientBalance, 406 UserInBlacklist, 407 CouldNotRoute, 409
//!   DoNotDisturbRejection, 500 InternalServerError, 501 GatewayError, 502 RejectedByGateway
//!   — failures. A refused key or username is an HTTP 401 with a plain-text body.
//!
//! Here: 100/101/102 count as sent (retrying would text the customer twice); 403, 404, 406
//! and 409 are about the recipient and are not retried; 402 (sender id) is not retried;
//! 401, 405, 407 and 5xx are retried by the outbox. The API key is a `Sensitive<String>` sent
//! only as a header marked sensitive; errors and logs never contain it, and log the number
//! masked.

use std::time::Duration;

use malipo_vault::Sensitive;
use reqwest::header::{HeaderValue, ACCEPT};
use serde::Deserialize;

use crate::error::{NotifyError, SendError};
use crate::mask;

/// Africa's Talking's live API.
pub const AT_LIVE_BASE_URL: &str = "https://api.africastalking.com";
/// Africa's Talking's sandbox API (username `sandbox`).
pub const AT_SANDBOX_BASE_URL: &str = "https://api.sandbox.africastalking.com";

const SERVICE: &str = "Africa's Talking";

/// A shop's SMS settings. Everything but the API key is an identifier a manager may see.
#[derive(Debug, Clone)]
pub struct SmsConfig {
    /// [`AT_LIVE_BASE_URL`], [`AT_SANDBOX_BASE_URL`] or the simulator on loopback.
    pub base_url: String,
    pub username: String,
    /// From the vault.
    pub api_key: Sensitive<String>,
    /// A registered sender id or short code; `None` uses the account's default.
    pub sender_id: Option<String>,
    pub timeout: Duration,
}

impl SmsConfig {
    /// Settings for `base_url` with no sender id and a 20 s timeout.
    pub fn new(base_url: &str, username: &str, api_key: Sensitive<String>) -> SmsConfig {
        SmsConfig {
            base_url: base_url.into(),
            username: username.into(),
            api_key,
            sender_id: None,
            timeout: Duration::from_secs(20),
        }
    }
}

/// What Africa's Talking said about an accepted message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SmsAccepted {
    pub message_id: String,
    /// `101`, or `100`/`102` when processed or queued.
    pub status_code: i64,
    /// As given, e.g. `KES 0.8000`.
    pub cost: String,
}

/// Sends SMS through one Africa's Talking application.
#[derive(Clone)]
pub struct SmsSender {
    http: reqwest::Client,
    url: String,
    username: String,
    api_key: Sensitive<String>,
    sender_id: Option<String>,
}

impl std::fmt::Debug for SmsSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSender")
            .field("url", &self.url)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(rename = "SMSMessageData")]
    data: MessageData,
}

#[derive(Debug, Deserialize)]
struct MessageData {
    #[serde(rename = "Message", default)]
    message: String,
    #[serde(rename = "Recipients", default)]
    recipients: Vec<Recipient>,
}

#[derive(Debug, Deserialize)]
struct Recipient {
    #[serde(rename = "statusCode")]
    status_code: i64,
    #[serde(default)]
    status: String,
    #[serde(default)]
    cost: String,
    #[serde(rename = "messageId", default)]
    message_id: String,
}

/// `254712345678` or `0712…`-free international digits get their `+`.
fn international(number: &str) -> String {
    let trimmed: String = number.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.starts_with('+') {
        trimmed
    } else {
        format!("+{trimmed}")
    }
}

impl SmsSender {
    /// Checks the settings and builds the HTTP client.
    pub fn new(config: SmsConfig) -> Result<SmsSender, NotifyError> {
        if config.username.trim().is_empty() {
            return Err(NotifyError::Config(
                "the Africa's Talking username is empty".into(),
            ));
        }
        if HeaderValue::from_str(config.api_key.expose()).is_err()
            || config.api_key.expose().is_empty()
        {
            return Err(NotifyError::Config(
                "the Africa's Talking API key in the vault is empty or has characters a key cannot have".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| NotifyError::Config(format!("HTTP client: {e}")))?;
        Ok(SmsSender {
            http,
            url: format!(
                "{}/version1/messaging",
                config.base_url.trim_end_matches('/')
            ),
            username: config.username,
            api_key: config.api_key,
            sender_id: config.sender_id,
        })
    }

    /// Sends `message` to one number (`+2547…`, or its digits).
    pub async fn send(&self, to: &str, message: &str) -> Result<SmsAccepted, SendError> {
        let to = international(to);
        let masked = mask::phone(&to);
        let result = self.post(&to, message).await;
        match &result {
            Ok(ok) => {
                tracing::info!(to = %masked, message_id = %ok.message_id, "receipt SMS accepted")
            }
            Err(e) => tracing::warn!(to = %masked, error = %e, "receipt SMS failed"),
        }
        result
    }

    async fn post(&self, to: &str, message: &str) -> Result<SmsAccepted, SendError> {
        let mut key =
            HeaderValue::from_str(self.api_key.expose()).map_err(|_| SendError::Credentials {
                service: SERVICE,
                detail: "the API key cannot be sent as a header".into(),
            })?;
        key.set_sensitive(true);
        let mut form: Vec<(&str, &str)> = vec![
            ("username", &self.username),
            ("to", to),
            ("message", message),
        ];
        if let Some(from) = &self.sender_id {
            form.push(("from", from));
        }
        let response = self
            .http
            .post(&self.url)
            .header("apiKey", key)
            .header(ACCEPT, "application/json")
            .form(&form)
            .send()
            .await
            .map_err(|e| SendError::Unreachable {
                service: SERVICE,
                detail: e.without_url().to_string(),
            })?;
        let status = response.status();
        let body = response.text().await.map_err(|e| SendError::Unreachable {
            service: SERVICE,
            detail: e.without_url().to_string(),
        })?;
        let excerpt: String = body.chars().take(200).collect();
        if status == reqwest::StatusCode::UNAUTHORIZED || status == reqwest::StatusCode::FORBIDDEN {
            return Err(SendError::Credentials {
                service: SERVICE,
                detail: format!("HTTP {status}: {excerpt}"),
            });
        }
        if !status.is_success() {
            return Err(SendError::Rejected {
                service: SERVICE,
                detail: format!("HTTP {status}: {excerpt}"),
                retryable: status.is_server_error() || status.as_u16() == 429,
            });
        }
        let answer: Answer = serde_json::from_str(&body).map_err(|e| SendError::BadAnswer {
            service: SERVICE,
            detail: format!("{e}: {excerpt}"),
        })?;
        let Some(r) = answer.data.recipients.into_iter().next() else {
            // No recipient line: the whole request was refused (e.g. "InvalidPhoneNumber").
            return Err(SendError::Recipient {
                service: SERVICE,
                detail: answer.data.message,
            });
        };
        match r.status_code {
            100..=102 => Ok(SmsAccepted {
                message_id: r.message_id,
                status_code: r.status_code,
                cost: r.cost,
            }),
            403 | 404 | 406 | 409 => Err(SendError::Recipient {
                service: SERVICE,
                detail: format!("{} ({})", r.status, r.status_code),
            }),
            code => Err(SendError::Rejected {
                service: SERVICE,
                detail: format!("{} ({code})", r.status),
                retryable: code != 402,
            }),
        }
    }
}
