//! C2B validation and confirmation bodies (customer pays the Paybill/Till, or scans a Dynamic
//! QR; an STK payment to a paybill can arrive here too, with the same receipt).
//!
//! Amounts are decimal strings (`"5.00"`), `TransTime` is Nairobi time, and the payer's
//! `MSISDN` is masked (`"2547 ***** 126"`, v2 and the v1 doc sample) or the lowercase hex
//! SHA-256 of the 12-digit number (v1 in practice) — [`Msisdn::matches`] compares either with a
//! phone the cashier typed.

use malipo_core::{Money, Phone, Timestamp};
use sha2::{Digest, Sha256};

use super::error::ParseError;
use super::time::parse_daraja_time;
use super::wire::{amount, json_body, optional_text, raw_text, required_text};

/// The payer's number as Daraja gave it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Msisdn {
    /// A full number (normalised).
    Plain(Phone),
    /// 64 lowercase hex digits: SHA-256 of the `2547…` number (C2B v1).
    Hashed(String),
    /// Digits with `*` for hidden ones, spaces removed (`2547*****126`).
    Masked(String),
    /// Anything else, kept verbatim (possibly empty).
    Other(String),
}

/// How well a phone matches an [`Msisdn`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PhoneMatch {
    /// The same number (plain, or the hash matches).
    Exact,
    /// The visible digits of a masked number agree; other numbers would too.
    Possible,
    /// It is not this phone.
    No,
}

/// Lowercase hex SHA-256 of the 12-digit `2547…` number, as C2B v1 sends it.
pub fn hash_msisdn(phone: &Phone) -> String {
    hex::encode(Sha256::digest(phone.as_str().as_bytes()))
}

impl Msisdn {
    /// Classifies what Daraja sent.
    pub fn read(text: &str) -> Msisdn {
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.len() == 64 && compact.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Msisdn::Hashed(compact.to_ascii_lowercase());
        }
        if compact.contains('*') && compact.bytes().all(|b| b.is_ascii_digit() || b == b'*') {
            return Msisdn::Masked(compact);
        }
        match Phone::parse(&compact) {
            Ok(phone) => Msisdn::Plain(phone),
            Err(_) => Msisdn::Other(text.to_string()),
        }
    }

    /// Compares with a phone the cashier typed (already normalised).
    pub fn matches(&self, phone: &Phone) -> PhoneMatch {
        match self {
            Msisdn::Plain(p) if p == phone => PhoneMatch::Exact,
            Msisdn::Hashed(hash) if *hash == hash_msisdn(phone) => PhoneMatch::Exact,
            Msisdn::Masked(mask) if mask_agrees(mask, phone.as_str()) => PhoneMatch::Possible,
            Msisdn::Plain(_) | Msisdn::Hashed(_) | Msisdn::Masked(_) | Msisdn::Other(_) => {
                PhoneMatch::No
            }
        }
    }
}

/// The visible leading and trailing digits of the mask agree with the number.
fn mask_agrees(mask: &str, number: &str) -> bool {
    let head: String = mask.chars().take_while(char::is_ascii_digit).collect();
    let tail: String = {
        let mut t: Vec<char> = mask
            .chars()
            .rev()
            .take_while(char::is_ascii_digit)
            .collect();
        t.reverse();
        t.into_iter().collect()
    };
    head.len() + tail.len() <= number.len() && number.starts_with(&head) && number.ends_with(&tail)
}

/// A C2B validation or confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct C2bPayment {
    pub transaction_type: String,
    /// `TransID`, the M-Pesa receipt: the idempotency key.
    pub trans_id: String,
    /// `TransTime` (Nairobi) as an instant, when valid.
    pub trans_time: Option<Timestamp>,
    pub trans_time_text: String,
    pub amount: Money,
    pub business_shortcode: String,
    /// What the customer typed as the account (paybill), empty for a till.
    pub bill_ref_number: String,
    pub invoice_number: String,
    /// Blank in validation requests.
    pub org_account_balance: Option<Money>,
    pub third_party_trans_id: String,
    pub msisdn: Msisdn,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
}

/// Parses a C2B confirmation body.
pub fn parse_c2b_confirmation(body: &[u8]) -> Result<C2bPayment, ParseError> {
    parse_c2b(body)
}

/// Parses a C2B validation body (same shape, `OrgAccountBalance` blank).
pub fn parse_c2b_validation(body: &[u8]) -> Result<C2bPayment, ParseError> {
    parse_c2b(body)
}

fn parse_c2b(body: &[u8]) -> Result<C2bPayment, ParseError> {
    let json = json_body(body)?;
    if !json.is_object() {
        return Err(ParseError::WrongType {
            field: "body",
            raw: raw_text(body),
        });
    }
    let trans_id = required_text(&json, "TransID", body)?;
    if trans_id.is_empty() {
        return Err(ParseError::Invalid {
            field: "TransID",
            raw: raw_text(body),
        });
    }
    let amount_value = json.get("TransAmount").ok_or_else(|| ParseError::Missing {
        field: "TransAmount",
        raw: raw_text(body),
    })?;
    let amount = amount(amount_value).ok_or_else(|| ParseError::Invalid {
        field: "TransAmount",
        raw: raw_text(body),
    })?;
    let trans_time_text = optional_text(&json, "TransTime").unwrap_or_default();
    let text = |field: &str| optional_text(&json, field).unwrap_or_default();
    Ok(C2bPayment {
        transaction_type: text("TransactionType"),
        trans_time: parse_daraja_time(&trans_time_text),
        trans_time_text,
        trans_id,
        amount,
        business_shortcode: required_text(&json, "BusinessShortCode", body)?,
        bill_ref_number: text("BillRefNumber"),
        invoice_number: text("InvoiceNumber"),
        org_account_balance: json.get("OrgAccountBalance").and_then(super::wire::amount),
        third_party_trans_id: text("ThirdPartyTransID"),
        msisdn: Msisdn::read(&text("MSISDN")),
        first_name: text("FirstName"),
        middle_name: text("MiddleName"),
        last_name: text("LastName"),
    })
}

/// The confirmation acknowledgement ("always 0", official).
pub fn c2b_ack_body() -> &'static str {
    r#"{"ResultCode": 0, "ResultDesc": "Success"}"#
}

/// Why a C2B validation is rejected (reference §3.2): each reason has its Daraja code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum C2bRejection {
    /// `C2B00011`.
    InvalidMsisdn,
    /// `C2B00012` — no open invoice or sale has that account number.
    InvalidAccountNumber,
    /// `C2B00013`.
    InvalidAmount,
    /// `C2B00014`.
    InvalidKyc,
    /// `C2B00015`.
    InvalidShortcode,
    /// `C2B00016`.
    Other,
}

impl C2bRejection {
    /// The `ResultCode` Daraja expects.
    pub fn code(self) -> &'static str {
        match self {
            C2bRejection::InvalidMsisdn => "C2B00011",
            C2bRejection::InvalidAccountNumber => "C2B00012",
            C2bRejection::InvalidAmount => "C2B00013",
            C2bRejection::InvalidKyc => "C2B00014",
            C2bRejection::InvalidShortcode => "C2B00015",
            C2bRejection::Other => "C2B00016",
        }
    }
}

/// The body accepting a C2B validation; `third_party_trans_id` is echoed in the confirmation.
pub fn c2b_validation_accept(third_party_trans_id: Option<&str>) -> String {
    let mut body = serde_json::json!({"ResultCode": "0", "ResultDesc": "Accepted"});
    if let Some(id) = third_party_trans_id {
        body["ThirdPartyTransID"] = serde_json::Value::String(id.to_string());
    }
    body.to_string()
}

/// The body rejecting a C2B validation.
pub fn c2b_validation_reject(reason: C2bRejection) -> String {
    serde_json::json!({"ResultCode": reason.code(), "ResultDesc": "Rejected"}).to_string()
}
