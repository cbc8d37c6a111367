//! The STK callback Daraja POSTs to `CallBackURL`: `Body.stkCallback` with a `ResultCode`
//! (number or string, possibly non-numeric like `SFC_IC0003`) and, on success only,
//! `CallbackMetadata.Item` — looked up by `Name`, never by position (the valueless `Balance`
//! item shifts the others).

use malipo_core::{Money, Phone, Timestamp};
use serde_json::Value;

use super::error::ParseError;
use super::result_code::{Outcome, StkResultCode};
use super::time::parse_daraja_time;
use super::wire::{amount, json_body, optional_text, raw_text, required_text, scalar_text};

/// A parsed STK callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkCallback {
    pub merchant_request_id: String,
    pub checkout_request_id: String,
    pub result_code: StkResultCode,
    /// The code exactly as sent, as text.
    pub result_code_text: String,
    pub result_desc: String,
    /// Present exactly when the result is success.
    pub payment: Option<StkPayment>,
}

impl StkCallback {
    /// Paid or failed (a callback is always final).
    pub fn outcome(&self) -> Outcome {
        self.result_code.outcome()
    }
}

/// The payment facts of a successful STK callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StkPayment {
    /// `Amount` (`1.00`, `500`) in KES, read exactly.
    pub amount: Money,
    /// `MpesaReceiptNumber`, the M-Pesa transaction id.
    pub receipt: String,
    /// `TransactionDate` (Nairobi time) as an instant, when present and valid.
    pub transaction_time: Option<Timestamp>,
    /// `TransactionDate` as sent.
    pub transaction_date_text: Option<String>,
    /// `PhoneNumber`, normalised, when present and valid.
    pub phone: Option<Phone>,
    /// `PhoneNumber` as sent.
    pub phone_text: Option<String>,
}

fn metadata_item<'a>(items: &'a [Value], name: &str) -> Option<&'a Value> {
    items
        .iter()
        .find(|item| item.get("Name").and_then(Value::as_str) == Some(name))
        .and_then(|item| item.get("Value"))
}

/// Parses an STK callback body. Never panics; anything unreadable is a [`ParseError`] that
/// keeps the raw body.
pub fn parse_stk_callback(body: &[u8]) -> Result<StkCallback, ParseError> {
    let json = json_body(body)?;
    let callback = json
        .get("Body")
        .and_then(|b| b.get("stkCallback"))
        .ok_or_else(|| ParseError::Missing {
            field: "Body.stkCallback",
            raw: raw_text(body),
        })?;
    if !callback.is_object() {
        return Err(ParseError::WrongType {
            field: "Body.stkCallback",
            raw: raw_text(body),
        });
    }
    let result_code_text = required_text(callback, "ResultCode", body)?;
    let result_code = StkResultCode::from_code(&result_code_text);
    let merchant_request_id = required_text(callback, "MerchantRequestID", body)?;
    let checkout_request_id = required_text(callback, "CheckoutRequestID", body)?;
    let result_desc = optional_text(callback, "ResultDesc").unwrap_or_default();
    let payment = match result_code.outcome() {
        Outcome::Paid => Some(parse_payment(callback, body)?),
        Outcome::Failed | Outcome::Pending => None,
    };
    Ok(StkCallback {
        merchant_request_id,
        checkout_request_id,
        result_code,
        result_code_text,
        result_desc,
        payment,
    })
}

fn parse_payment(callback: &Value, body: &[u8]) -> Result<StkPayment, ParseError> {
    let items = callback
        .get("CallbackMetadata")
        .and_then(|m| m.get("Item"))
        .ok_or_else(|| ParseError::Missing {
            field: "CallbackMetadata.Item",
            raw: raw_text(body),
        })?
        .as_array()
        .ok_or_else(|| ParseError::WrongType {
            field: "CallbackMetadata.Item",
            raw: raw_text(body),
        })?;
    let amount_value = metadata_item(items, "Amount").ok_or_else(|| ParseError::Missing {
        field: "Amount",
        raw: raw_text(body),
    })?;
    let amount = amount(amount_value).ok_or_else(|| ParseError::Invalid {
        field: "Amount",
        raw: raw_text(body),
    })?;
    let receipt = metadata_item(items, "MpesaReceiptNumber")
        .and_then(scalar_text)
        .filter(|r| !r.is_empty())
        .ok_or_else(|| ParseError::Missing {
            field: "MpesaReceiptNumber",
            raw: raw_text(body),
        })?;
    let transaction_date_text = metadata_item(items, "TransactionDate").and_then(scalar_text);
    let phone_text = metadata_item(items, "PhoneNumber").and_then(scalar_text);
    Ok(StkPayment {
        amount,
        receipt,
        transaction_time: transaction_date_text.as_deref().and_then(parse_daraja_time),
        transaction_date_text,
        phone: phone_text.as_deref().and_then(|p| Phone::parse(p).ok()),
        phone_text,
    })
}

/// What the callback URL answers Daraja (unspecified for STK; what implementations send).
pub fn stk_ack_body() -> &'static str {
    r#"{"ResultCode": 0, "ResultDesc": "Accepted"}"#
}
