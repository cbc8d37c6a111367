//! Pure request building: validate what the till wants to do, then produce the exact JSON body
//! Daraja expects. No IO; the client only adds the base URL and the bearer token.
//!
//! Validation happens here, before any request (seed 004): the phone is normalised, the amount
//! is positive whole shillings, callback URLs are https (plain http only to loopback, and only
//! against the simulator), shortcode and passkey are present, and C2B URLs are free of the words
//! Safaricom rejects.

use std::fmt;

use base64::Engine as _;
use malipo_core::{Money, Phone, Timestamp};
use malipo_vault::Sensitive;
use serde_json::{json, Value};
use url::{Host, Url};

use super::amount::whole_shillings;
use super::config::{DarajaConfig, Environment};
use super::error::RequestError;
use super::time::daraja_timestamp;

/// Daraja paths (prefix with the environment's base URL).
pub mod path {
    pub const OAUTH: &str = "/oauth/v1/generate?grant_type=client_credentials";
    pub const STK_PUSH: &str = "/mpesa/stkpush/v1/processrequest";
    pub const STK_QUERY: &str = "/mpesa/stkpushquery/v1/query";
    pub const QR: &str = "/mpesa/qrcode/v1/generate";
    pub const REVERSAL: &str = "/mpesa/reversal/v1/request";
    pub const STATUS: &str = "/mpesa/transactionstatus/v1/query";
}

/// `AccountReference` limit (characters).
pub const ACCOUNT_REFERENCE_MAX: usize = 12;
/// `TransactionDesc` limit (characters).
pub const TRANSACTION_DESC_MAX: usize = 13;
/// `RefNo` limit for Dynamic QR: not documented; C2B `BillRefNumber` holds up to 20, so 20.
pub const QR_REF_MAX: usize = 20;

/// Words Safaricom rejects anywhere in a C2B URL, any case (reference §3.1). `exec` is covered
/// by `exe`; `m-pesa` and `mpesa` cover their case variants because the check lowercases.
pub const FORBIDDEN_C2B_WORDS: &[&str] =
    &["m-pesa", "mpesa", "safaricom", "exe", "cmd", "sql", "query"];

/// A request ready to send: a path and a JSON body. The body may carry derived secrets
/// (`Password`, `SecurityCredential`), so `Debug` shows the path only.
#[derive(Clone)]
pub struct DarajaRequest {
    pub path: &'static str,
    pub body: Value,
}

impl fmt::Debug for DarajaRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DarajaRequest")
            .field("path", &self.path)
            .field("body", &"<not shown: may carry credentials>")
            .finish()
    }
}

/// What the till asks for in an STK push.
#[derive(Debug, Clone)]
pub struct StkPushRequest {
    /// The phone as the cashier typed it; normalised here.
    pub phone: String,
    pub amount: Money,
    /// Shown in the prompt; for a paybill the account number. Cut to 12 characters.
    pub account_reference: String,
    /// Cut to 13 characters.
    pub description: String,
    pub callback_url: String,
}

/// A Dynamic QR for a sale.
#[derive(Debug, Clone)]
pub struct QrRequest {
    pub merchant_name: String,
    pub ref_no: String,
    pub amount: Money,
    /// Square edge in pixels.
    pub size_px: u32,
}

/// A reversal of one M-Pesa receipt.
#[derive(Debug, Clone)]
pub struct ReversalRequest {
    pub transaction_id: String,
    pub amount: Money,
    pub result_url: String,
    pub timeout_url: String,
    pub remarks: String,
    pub occasion: Option<String>,
}

/// A transaction status query for one receipt.
#[derive(Debug, Clone)]
pub struct StatusQueryRequest {
    pub transaction_id: String,
    pub result_url: String,
    pub timeout_url: String,
    pub remarks: String,
    pub occasion: Option<String>,
}

/// Checks the shortcode (5–7 digits) and passkey.
pub fn check_credentials(config: &DarajaConfig) -> Result<(), RequestError> {
    check_shortcode(&config.shortcode)?;
    if config.passkey.expose().trim().is_empty() {
        return Err(RequestError::MissingPasskey);
    }
    if let Some(till) = &config.till_number {
        if till.is_empty() || till.len() > 10 || !till.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RequestError::BadTillNumber);
        }
    }
    Ok(())
}

fn check_shortcode(shortcode: &str) -> Result<(), RequestError> {
    let ok = (5..=7).contains(&shortcode.len()) && shortcode.bytes().all(|b| b.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(RequestError::BadShortcode)
    }
}

/// Checks a URL Daraja will POST to: absolute, https — or http to a loopback host when the
/// environment is the simulator — with no spaces.
pub fn check_url(env: &Environment, which: &'static str, url: &str) -> Result<Url, RequestError> {
    let bad = |reason| RequestError::BadUrl {
        which,
        url: url.to_string(),
        reason,
    };
    if url.trim() != url || url.contains(' ') {
        return Err(bad("it contains spaces"));
    }
    let parsed = Url::parse(url).map_err(|_| bad("it is not an absolute URL"))?;
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if env.allows_loopback_http() && is_loopback(&parsed) => Ok(parsed),
        "http" => Err(bad("M-Pesa needs https")),
        _ => Err(bad("it must start with https://")),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Checks a C2B URL: [`check_url`] plus Safaricom's keyword filter over the whole URL.
pub fn check_c2b_url(
    env: &Environment,
    which: &'static str,
    url: &str,
) -> Result<Url, RequestError> {
    let parsed = check_url(env, which, url)?;
    let lower = url.to_ascii_lowercase();
    if let Some(word) = FORBIDDEN_C2B_WORDS.iter().find(|w| lower.contains(*w)) {
        return Err(RequestError::ForbiddenWord {
            which,
            url: url.to_string(),
            word,
        });
    }
    Ok(parsed)
}

/// Keeps ASCII letters, digits, spaces and dashes (special characters cause silent failures,
/// reference §7.13), trims, and cuts to `max` characters.
pub fn clean_text(text: &str, max: usize) -> String {
    let kept: String = text
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == ' ' || *c == '-')
        .collect();
    kept.trim()
        .chars()
        .take(max)
        .collect::<String>()
        .trim()
        .to_string()
}

/// `base64(BusinessShortCode ‖ Passkey ‖ Timestamp)`.
pub fn stk_password(shortcode: &str, passkey: &Sensitive<String>, timestamp: &str) -> String {
    let joined = format!("{shortcode}{}{timestamp}", passkey.expose());
    base64::engine::general_purpose::STANDARD.encode(joined.as_bytes())
}

fn timestamp_for(now: Timestamp) -> Result<String, RequestError> {
    daraja_timestamp(now).ok_or(RequestError::MissingField { field: "Timestamp" })
}

/// Builds an STK push. Paybill: `CustomerPayBillOnline`, `PartyB` = shortcode. Till:
/// `CustomerBuyGoodsOnline`, `PartyB` = till number, shortcode = store/head-office number.
/// The timestamp is computed once and used for both `Timestamp` and `Password`.
pub fn stk_push(
    config: &DarajaConfig,
    push: &StkPushRequest,
    now: Timestamp,
) -> Result<DarajaRequest, RequestError> {
    check_credentials(config)?;
    let phone = Phone::parse(&push.phone)?;
    let amount = whole_shillings(push.amount)?;
    check_url(&config.environment, "callback", &push.callback_url)?;
    let account_reference = clean_text(&push.account_reference, ACCOUNT_REFERENCE_MAX);
    if account_reference.is_empty() {
        return Err(RequestError::EmptyAccountReference);
    }
    let mut description = clean_text(&push.description, TRANSACTION_DESC_MAX);
    if description.is_empty() {
        // Docs call it optional but null/empty was rejected in practice (reference §2.1).
        description = "Payment".to_string();
    }
    let timestamp = timestamp_for(now)?;
    let (transaction_type, party_b) = match &config.till_number {
        Some(till) => ("CustomerBuyGoodsOnline", till.clone()),
        None => ("CustomerPayBillOnline", config.shortcode.clone()),
    };
    let body = json!({
        "BusinessShortCode": config.shortcode,
        "Password": stk_password(&config.shortcode, &config.passkey, &timestamp),
        "Timestamp": timestamp,
        "TransactionType": transaction_type,
        "Amount": amount,
        "PartyA": phone.as_str(),
        "PartyB": party_b,
        "PhoneNumber": phone.as_str(),
        "CallBackURL": push.callback_url,
        "AccountReference": account_reference,
        "TransactionDesc": description,
    });
    Ok(DarajaRequest {
        path: path::STK_PUSH,
        body,
    })
}

/// Builds an STK query (same shortcode and passkey as the push, a fresh timestamp).
pub fn stk_query(
    config: &DarajaConfig,
    checkout_request_id: &str,
    now: Timestamp,
) -> Result<DarajaRequest, RequestError> {
    check_credentials(config)?;
    if checkout_request_id.trim().is_empty() {
        return Err(RequestError::MissingField {
            field: "CheckoutRequestID",
        });
    }
    let timestamp = timestamp_for(now)?;
    let body = json!({
        "BusinessShortCode": config.shortcode,
        "Password": stk_password(&config.shortcode, &config.passkey, &timestamp),
        "Timestamp": timestamp,
        "CheckoutRequestID": checkout_request_id.trim(),
    });
    Ok(DarajaRequest {
        path: path::STK_QUERY,
        body,
    })
}

/// Builds a C2B URL registration for the version in the config. The shortcode registered is
/// the till for a Buy Goods shop (as Odoo does), else the paybill. `completed` chooses
/// `ResponseType` `"Completed"` (accept when validation is unreachable) over `"Cancelled"`.
pub fn c2b_register(
    config: &DarajaConfig,
    confirmation_url: &str,
    validation_url: &str,
    completed: bool,
) -> Result<DarajaRequest, RequestError> {
    check_shortcode(&config.shortcode)?;
    check_c2b_url(&config.environment, "confirmation", confirmation_url)?;
    check_c2b_url(&config.environment, "validation", validation_url)?;
    let shortcode = config
        .till_number
        .clone()
        .unwrap_or_else(|| config.shortcode.clone());
    let body = json!({
        "ShortCode": shortcode,
        "ResponseType": if completed { "Completed" } else { "Cancelled" },
        "ConfirmationURL": confirmation_url,
        "ValidationURL": validation_url,
    });
    Ok(DarajaRequest {
        path: config.c2b_version.register_path(),
        body,
    })
}

/// Builds a Dynamic QR request: `TrxCode` `BG` with the till as `CPI` for a till shop, else
/// `PB` with the paybill; `RefNo` is the account reference the payment carries.
pub fn dynamic_qr(config: &DarajaConfig, qr: &QrRequest) -> Result<DarajaRequest, RequestError> {
    check_shortcode(&config.shortcode)?;
    let amount = whole_shillings(qr.amount)?;
    let merchant_name = qr.merchant_name.trim();
    if merchant_name.is_empty() {
        return Err(RequestError::MissingField {
            field: "MerchantName",
        });
    }
    let ref_no = clean_text(&qr.ref_no, QR_REF_MAX);
    if ref_no.is_empty() {
        return Err(RequestError::EmptyAccountReference);
    }
    let (trx_code, cpi) = match &config.till_number {
        Some(till) => ("BG", till.clone()),
        None => ("PB", config.shortcode.clone()),
    };
    let body = json!({
        "MerchantName": merchant_name,
        "RefNo": ref_no,
        "Amount": amount,
        "TrxCode": trx_code,
        "CPI": cpi,
        "Size": qr.size_px.clamp(100, 1000).to_string(),
    });
    Ok(DarajaRequest {
        path: path::QR,
        body,
    })
}

fn check_receipt(receipt: &str) -> Result<String, RequestError> {
    let receipt = receipt.trim().to_ascii_uppercase();
    if receipt.len() == 10 && receipt.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(receipt)
    } else {
        Err(RequestError::BadReceipt(receipt))
    }
}

fn check_remarks(field: &'static str, text: &str, min: usize) -> Result<String, RequestError> {
    let text = text.trim();
    let len = text.chars().count();
    if len < min || len > 100 {
        return Err(RequestError::FieldLength {
            field,
            min,
            max: 100,
        });
    }
    Ok(text.to_string())
}

fn initiator(config: &DarajaConfig) -> Result<String, RequestError> {
    match &config.initiator_name {
        Some(name) if !name.trim().is_empty() => Ok(name.trim().to_string()),
        Some(_) | None => Err(RequestError::MissingInitiator),
    }
}

/// Builds a reversal. `credential` is the SecurityCredential ([`super::security`]). The key
/// `RecieverIdentifierType` is misspelt on purpose: Daraja requires that spelling.
pub fn reversal(
    config: &DarajaConfig,
    credential: &Sensitive<String>,
    reversal: &ReversalRequest,
) -> Result<DarajaRequest, RequestError> {
    check_shortcode(&config.shortcode)?;
    let initiator = initiator(config)?;
    let transaction_id = check_receipt(&reversal.transaction_id)?;
    let amount = whole_shillings(reversal.amount)?;
    check_url(&config.environment, "result", &reversal.result_url)?;
    check_url(&config.environment, "queue timeout", &reversal.timeout_url)?;
    let remarks = check_remarks("Remarks", &reversal.remarks, 2)?;
    let mut body = json!({
        "Initiator": initiator,
        "SecurityCredential": credential.expose(),
        "CommandID": "TransactionReversal",
        "TransactionID": transaction_id,
        "Amount": amount.to_string(),
        "ReceiverParty": config.shortcode,
        "RecieverIdentifierType": config.receiver_identifier_type.wire(),
        "ResultURL": reversal.result_url,
        "QueueTimeOutURL": reversal.timeout_url,
        "Remarks": remarks,
    });
    if let Some(occasion) = &reversal.occasion {
        body["Occasion"] = Value::String(check_remarks("Occasion", occasion, 0)?);
    }
    Ok(DarajaRequest {
        path: path::REVERSAL,
        body,
    })
}

/// Builds a transaction status query by receipt. `IdentifierType` is `4` (organisation
/// shortcode) for a paybill and `2` (till number) with the till as `PartyA` for a till shop.
pub fn transaction_status(
    config: &DarajaConfig,
    credential: &Sensitive<String>,
    query: &StatusQueryRequest,
) -> Result<DarajaRequest, RequestError> {
    check_shortcode(&config.shortcode)?;
    let initiator = initiator(config)?;
    let transaction_id = check_receipt(&query.transaction_id)?;
    check_url(&config.environment, "result", &query.result_url)?;
    check_url(&config.environment, "queue timeout", &query.timeout_url)?;
    let remarks = check_remarks("Remarks", &query.remarks, 1)?;
    let occasion = match &query.occasion {
        Some(text) => check_remarks("Occasion", text, 0)?,
        None => String::new(),
    };
    let (party_a, identifier_type) = match &config.till_number {
        Some(till) => (till.clone(), "2"),
        None => (config.shortcode.clone(), "4"),
    };
    let body = json!({
        "Initiator": initiator,
        "SecurityCredential": credential.expose(),
        "CommandID": "TransactionStatusQuery",
        "TransactionID": transaction_id,
        "PartyA": party_a,
        "IdentifierType": identifier_type,
        "ResultURL": query.result_url,
        "QueueTimeOutURL": query.timeout_url,
        "Remarks": remarks,
        "Occasion": occasion,
    });
    Ok(DarajaRequest {
        path: path::STATUS,
        body,
    })
}
