//! Pure parsers of ClickPesa's answers: the token, control numbers (single and bulk), and
//! payment records. Errors are `{"message": "..."}` with the HTTP status deciding the kind.
//! Tolerant of mixed amount types (numbers and strings); never panics.

use malipo_core::{Currency, Money};
use serde_json::Value;

use super::amount::wire_major;
use super::error::ClickPesaError;

/// A control number as ClickPesa describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlNumber {
    /// What the customer types as the reference.
    pub number: String,
    pub description: Option<String>,
    pub customer_name: Option<String>,
    /// `billAmount` (TZS), when the number has a fixed amount.
    pub amount: Option<Money>,
    /// `billPaymentMode` as sent.
    pub payment_mode: Option<String>,
    /// `billStatus` (`ACTIVE`/`INACTIVE`) when sent.
    pub status: Option<String>,
}

/// The answer to a bulk create: partial success is normal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkCreated {
    pub numbers: Vec<String>,
    pub created: i64,
    pub failed: i64,
    /// `(index into the request, reason)` for each item that failed.
    pub errors: Vec<(usize, String)>,
}

/// A payment's status (reference §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentStatus {
    Success,
    Settled,
    Processing,
    Pending,
    Failed,
    OnHold,
    Refunded,
    Reversed,
    /// A status this client does not know, kept as sent.
    Other(String),
}

impl PaymentStatus {
    /// Reads ClickPesa's status string.
    pub fn from_wire(text: &str) -> PaymentStatus {
        match text {
            "SUCCESS" => PaymentStatus::Success,
            "SETTLED" => PaymentStatus::Settled,
            "PROCESSING" => PaymentStatus::Processing,
            "PENDING" => PaymentStatus::Pending,
            "FAILED" => PaymentStatus::Failed,
            "ON-HOLD" => PaymentStatus::OnHold,
            "REFUNDED" => PaymentStatus::Refunded,
            "REVERSED" => PaymentStatus::Reversed,
            other => PaymentStatus::Other(other.to_owned()),
        }
    }

    /// `SUCCESS` and `SETTLED` both mean the money arrived.
    pub fn is_paid(&self) -> bool {
        matches!(self, PaymentStatus::Success | PaymentStatus::Settled)
    }
}

/// One payment (payment query, or the `data` of a webhook).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    /// ClickPesa's payment id: the dedupe key.
    pub id: String,
    pub status: PaymentStatus,
    pub payment_reference: Option<String>,
    /// For BillPay, the control number.
    pub order_reference: String,
    /// `collectedAmount` in `collectedCurrency`, exactly.
    pub collected: Money,
    pub payer_phone: Option<String>,
    pub message: Option<String>,
    pub created_at: Option<String>,
}

pub(crate) fn text(value: &Value, name: &str) -> Option<String> {
    match value.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn unreadable(what: &str) -> ClickPesaError {
    ClickPesaError::Unreadable(format!("missing or invalid `{what}`"))
}

/// Maps a non-2xx answer to its error; `Ok(json)` otherwise.
pub fn checked(http_status: u16, body: &[u8]) -> Result<Value, ClickPesaError> {
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    if (200..300).contains(&http_status) {
        return parsed.ok_or_else(|| ClickPesaError::Unreadable("not JSON".into()));
    }
    let message = parsed
        .as_ref()
        .and_then(|v| text(v, "message"))
        .map(|m| m.chars().take(300).collect::<String>())
        .unwrap_or_else(|| format!("HTTP {http_status}"));
    Err(match http_status {
        401 | 403 => ClickPesaError::Credentials(message),
        404 => ClickPesaError::NotFound(message),
        409 => ClickPesaError::Conflict(message),
        _ => ClickPesaError::Api {
            http_status,
            message,
        },
    })
}

/// The token from `generate-token`, as sent (it already starts with `Bearer `).
pub fn parse_token(value: &Value) -> Result<String, ClickPesaError> {
    let token = text(value, "token").ok_or_else(|| unreadable("token"))?;
    if token.is_empty() {
        return Err(unreadable("token"));
    }
    Ok(token)
}

/// A control number (create and details answers).
pub fn parse_control_number(value: &Value) -> Result<ControlNumber, ClickPesaError> {
    let amount = match value.get("billAmount") {
        None | Some(Value::Null) => None,
        Some(v) => Some(wire_major(v, Currency::Tzs)?),
    };
    Ok(ControlNumber {
        number: text(value, "billPayNumber").ok_or_else(|| unreadable("billPayNumber"))?,
        description: text(value, "billDescription"),
        customer_name: text(value, "billCustomerName"),
        amount,
        payment_mode: text(value, "billPaymentMode"),
        status: text(value, "billStatus"),
    })
}

/// A bulk create's answer.
pub fn parse_bulk(value: &Value) -> Result<BulkCreated, ClickPesaError> {
    let numbers = value
        .get("billPayNumbers")
        .and_then(Value::as_array)
        .ok_or_else(|| unreadable("billPayNumbers"))?
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    let errors = value
        .get("errors")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|e| {
                    let index = usize::try_from(e.get("index")?.as_u64()?).ok()?;
                    Some((index, text(e, "reason").unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(BulkCreated {
        numbers,
        created: value.get("created").and_then(Value::as_i64).unwrap_or(0),
        failed: value.get("failed").and_then(Value::as_i64).unwrap_or(0),
        errors,
    })
}

/// One payment record (also a webhook's `data`). Accepts the older field names
/// (`paymentId`, `amount`, `currency`) too.
pub fn parse_payment(value: &Value) -> Result<Payment, ClickPesaError> {
    let currency_code = text(value, "collectedCurrency")
        .or_else(|| text(value, "currency"))
        .unwrap_or_else(|| "TZS".into());
    let currency: Currency = currency_code
        .parse()
        .map_err(|_| unreadable("collectedCurrency"))?;
    let amount = value
        .get("collectedAmount")
        .or_else(|| value.get("amount"))
        .ok_or_else(|| unreadable("collectedAmount"))?;
    Ok(Payment {
        id: text(value, "id")
            .or_else(|| text(value, "paymentId"))
            .ok_or_else(|| unreadable("id"))?,
        status: PaymentStatus::from_wire(&text(value, "status").unwrap_or_default()),
        payment_reference: text(value, "paymentReference"),
        order_reference: text(value, "orderReference")
            .ok_or_else(|| unreadable("orderReference"))?,
        collected: wire_major(amount, currency)?,
        payer_phone: text(value, "paymentPhoneNumber").or_else(|| {
            value
                .get("customer")
                .and_then(|c| text(c, "customerPhoneNumber").or_else(|| text(c, "phone")))
        }),
        message: text(value, "message"),
        created_at: text(value, "createdAt"),
    })
}

/// The payment query's array.
pub fn parse_payments(value: &Value) -> Result<Vec<Payment>, ClickPesaError> {
    value
        .as_array()
        .ok_or_else(|| unreadable("payments array"))?
        .iter()
        .map(parse_payment)
        .collect()
}
