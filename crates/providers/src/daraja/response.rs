//! Pure parsing of Daraja's synchronous answers: the OAuth token, the STK acknowledgement, the
//! STK query answer (where "being processed" means *pending*), the C2B register answer, the
//! Dynamic QR and the reversal/status acknowledgement — and the error envelope
//! `{requestId, errorCode, errorMessage}` every API can answer instead.

use base64::Engine as _;
use malipo_vault::Sensitive;
use serde_json::Value;

use super::error::{DarajaError, ParseError};
use super::result_code::{ApiErrorCode, Outcome, StkResultCode};
use super::wire::{is_all_zero, json_body, optional_text, raw_text, required_text};

/// An OAuth access token. The token itself is `Sensitive`: it authorises payments.
#[derive(Debug, Clone)]
pub struct Token {
    pub access_token: Sensitive<String>,
    /// Lifetime in seconds (`expires_in`, a number or a string; 3599 in practice).
    pub expires_in_s: i64,
}

/// The STK push acknowledgement: accepted for processing, **not paid**.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkPushAck {
    pub merchant_request_id: String,
    pub checkout_request_id: String,
    pub response_code: String,
    pub response_description: String,
    pub customer_message: String,
}

/// The answer of an STK query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StkQueryAnswer {
    /// A final result code (which may still be [`StkResultCode::StillProcessing`] — `4999` —
    /// whose outcome is pending).
    Result {
        code: StkResultCode,
        code_text: String,
        description: String,
        merchant_request_id: Option<String>,
        checkout_request_id: Option<String>,
    },
    /// Daraja's error envelope `500.001.1001` "The transaction is being processed": not final.
    Processing { code_text: String, message: String },
}

impl StkQueryAnswer {
    /// Paid, failed, or still pending: "being processed" and `4999` are pending, never failed.
    pub fn outcome(&self) -> Outcome {
        match self {
            StkQueryAnswer::Result { code, .. } => code.outcome(),
            StkQueryAnswer::Processing { .. } => Outcome::Pending,
        }
    }
}

/// The C2B register answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterAck {
    /// `OriginatorCoversationID` (sic) — the correct spelling is accepted too.
    pub originator_conversation_id: Option<String>,
    pub response_code: String,
    pub response_description: String,
}

/// A generated Dynamic QR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub response_code: String,
    pub request_id: Option<String>,
    pub description: String,
    /// The PNG image bytes (decoded from `QRCode`).
    pub png: Vec<u8>,
}

/// The acknowledgement of a reversal or status query; the result arrives later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsyncAck {
    pub originator_conversation_id: String,
    pub conversation_id: String,
    pub response_code: String,
    pub response_description: String,
}

fn unreadable(http_status: u16, error: ParseError) -> DarajaError {
    DarajaError::Unreadable { http_status, error }
}

/// The error envelope, if the body is one.
fn envelope(http_status: u16, json: &Value) -> Option<DarajaError> {
    let code_text = optional_text(json, "errorCode")?;
    let message = optional_text(json, "errorMessage").unwrap_or_default();
    Some(DarajaError::Api {
        code: ApiErrorCode::from_code(&code_text),
        code_text,
        message,
        http_status,
    })
}

/// Parses JSON and turns the error envelope (or an unreadable error status) into an error.
fn success_json(http_status: u16, body: &[u8]) -> Result<Value, DarajaError> {
    let json = match json_body(body) {
        Ok(json) => json,
        Err(_) if http_status >= 400 => {
            // Daraja sometimes answers an error status with an empty or HTML body.
            return Err(DarajaError::Api {
                code: ApiErrorCode::Unknown(http_status.to_string()),
                code_text: http_status.to_string(),
                message: raw_text(body).chars().take(200).collect(),
                http_status,
            });
        }
        Err(error) => return Err(unreadable(http_status, error)),
    };
    if let Some(error) = envelope(http_status, &json) {
        return Err(error);
    }
    Ok(json)
}

/// A non-zero `ResponseCode` is a refusal: kept with Daraja's description.
fn check_response_code(http_status: u16, code: &str, description: &str) -> Result<(), DarajaError> {
    if is_all_zero(code) {
        Ok(())
    } else {
        Err(DarajaError::Api {
            code: ApiErrorCode::from_code(code),
            code_text: code.to_string(),
            message: description.to_string(),
            http_status,
        })
    }
}

fn text(
    json: &Value,
    field: &'static str,
    body: &[u8],
    status: u16,
) -> Result<String, DarajaError> {
    required_text(json, field, body).map_err(|e| unreadable(status, e))
}

/// Parses the OAuth answer. Any refusal is [`DarajaError::Unauthorized`].
pub fn parse_token(http_status: u16, body: &[u8]) -> Result<Token, DarajaError> {
    let refused = |code_text: String, message: String| DarajaError::Unauthorized {
        code_text,
        message,
        http_status,
    };
    let json = match json_body(body) {
        Ok(json) => json,
        Err(_) if http_status >= 400 => {
            return Err(refused(
                http_status.to_string(),
                "the consumer key and secret were not accepted".to_string(),
            ))
        }
        Err(error) => return Err(unreadable(http_status, error)),
    };
    if let Some(code_text) = optional_text(&json, "errorCode") {
        let message = optional_text(&json, "errorMessage").unwrap_or_default();
        return Err(refused(code_text, message));
    }
    if http_status >= 400 {
        return Err(refused(
            http_status.to_string(),
            "the consumer key and secret were not accepted".to_string(),
        ));
    }
    let token = text(&json, "access_token", body, http_status)?;
    let expires = text(&json, "expires_in", body, http_status)?;
    let expires_in_s = expires.parse::<i64>().map_err(|_| {
        unreadable(
            http_status,
            ParseError::Invalid {
                field: "expires_in",
                raw: String::from("<token body not shown>"),
            },
        )
    })?;
    if token.is_empty() {
        return Err(refused(
            http_status.to_string(),
            "M-Pesa returned an empty token".to_string(),
        ));
    }
    Ok(Token {
        access_token: Sensitive::new(token),
        expires_in_s,
    })
}

/// Parses the STK push acknowledgement.
pub fn parse_stk_push_ack(http_status: u16, body: &[u8]) -> Result<StkPushAck, DarajaError> {
    let json = success_json(http_status, body)?;
    let response_code = text(&json, "ResponseCode", body, http_status)?;
    let response_description = optional_text(&json, "ResponseDescription").unwrap_or_default();
    check_response_code(http_status, &response_code, &response_description)?;
    Ok(StkPushAck {
        merchant_request_id: text(&json, "MerchantRequestID", body, http_status)?,
        checkout_request_id: text(&json, "CheckoutRequestID", body, http_status)?,
        response_code,
        response_description,
        customer_message: optional_text(&json, "CustomerMessage").unwrap_or_default(),
    })
}

/// Parses an STK query answer. `500.001.1001` from the query is read as *being processed*
/// (pending), whatever its message says: the code is shared with other meanings, but treating
/// a paid sale as failed is the costly mistake (reference §2.4, §7.4), and the engine's own
/// deadline ends the wait.
pub fn parse_stk_query(http_status: u16, body: &[u8]) -> Result<StkQueryAnswer, DarajaError> {
    match success_json(http_status, body) {
        Ok(json) => {
            if let Some(code_text) = optional_text(&json, "ResultCode") {
                return Ok(StkQueryAnswer::Result {
                    code: StkResultCode::from_code(&code_text),
                    code_text,
                    description: optional_text(&json, "ResultDesc").unwrap_or_default(),
                    merchant_request_id: optional_text(&json, "MerchantRequestID"),
                    checkout_request_id: optional_text(&json, "CheckoutRequestID"),
                });
            }
            let response_code = text(&json, "ResponseCode", body, http_status)?;
            let description = optional_text(&json, "ResponseDescription").unwrap_or_default();
            check_response_code(http_status, &response_code, &description)?;
            Err(unreadable(
                http_status,
                ParseError::Missing {
                    field: "ResultCode",
                    raw: raw_text(body),
                },
            ))
        }
        Err(DarajaError::Api {
            code: ApiErrorCode::ServiceError,
            code_text,
            message,
            ..
        }) => Ok(StkQueryAnswer::Processing { code_text, message }),
        Err(other) => Err(other),
    }
}

/// Parses the C2B register answer; `"0"` and `"00000000"` are both success.
pub fn parse_register_ack(http_status: u16, body: &[u8]) -> Result<RegisterAck, DarajaError> {
    let json = success_json(http_status, body)?;
    let response_code = text(&json, "ResponseCode", body, http_status)?;
    let response_description = optional_text(&json, "ResponseDescription").unwrap_or_default();
    check_response_code(http_status, &response_code, &response_description)?;
    Ok(RegisterAck {
        originator_conversation_id: optional_text(&json, "OriginatorCoversationID")
            .or_else(|| optional_text(&json, "OriginatorConversationID")),
        response_code,
        response_description,
    })
}

/// Parses the Dynamic QR answer. Success is a non-empty, decodable `QRCode`: the documented
/// `ResponseCode` is an `AG_…` id in one source and `"00"` in another (reference §4).
pub fn parse_qr(http_status: u16, body: &[u8]) -> Result<QrCode, DarajaError> {
    let json = success_json(http_status, body)?;
    let encoded = optional_text(&json, "QRCode").unwrap_or_default();
    let png = base64::engine::general_purpose::STANDARD
        .decode(encoded.as_bytes())
        .ok()
        .filter(|png| !png.is_empty())
        .ok_or_else(|| {
            unreadable(
                http_status,
                ParseError::Invalid {
                    field: "QRCode",
                    raw: raw_text(body),
                },
            )
        })?;
    Ok(QrCode {
        response_code: optional_text(&json, "ResponseCode").unwrap_or_default(),
        request_id: optional_text(&json, "RequestID"),
        description: optional_text(&json, "ResponseDescription").unwrap_or_default(),
        png,
    })
}

/// Parses the acknowledgement of a reversal or transaction status query.
pub fn parse_async_ack(http_status: u16, body: &[u8]) -> Result<AsyncAck, DarajaError> {
    let json = success_json(http_status, body)?;
    let response_code = text(&json, "ResponseCode", body, http_status)?;
    let response_description = optional_text(&json, "ResponseDescription").unwrap_or_default();
    check_response_code(http_status, &response_code, &response_description)?;
    Ok(AsyncAck {
        originator_conversation_id: text(&json, "OriginatorConversationID", body, http_status)?,
        conversation_id: text(&json, "ConversationID", body, http_status)?,
        response_code,
        response_description,
    })
}
