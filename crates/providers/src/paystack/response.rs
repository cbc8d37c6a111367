//! Pure parsers of Paystack's answers: the `{status, message, data}` envelope, transactions
//! (verify and `charge.success` share the shape), refunds and the connection check.
//!
//! Tolerant where Paystack is polymorphic (reference §3, §6): amounts may be numbers or
//! numeric strings, `metadata` may be anything, `paid_at`/`paidAt` both exist, unknown fields
//! are ignored and unknown statuses are kept as `Other`. Never panics.

use serde_json::Value;

use super::amount::{from_subunits, wire_subunits, AmountError};
use super::error::PaystackError;
use super::request::KeyMode;
use malipo_core::Money;

/// The answer to initialize: what the popup and the hosted link need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Initialized {
    /// For the inline popup: `resumeTransaction(access_code)`.
    pub access_code: String,
    /// The hosted checkout page: the link on invoices.
    pub authorization_url: String,
    /// The transaction's reference (ours, echoed).
    pub reference: String,
}

/// A transaction's `status` (verify table, reference §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransactionStatus {
    Success,
    Abandoned,
    Failed,
    Ongoing,
    Pending,
    Processing,
    Queued,
    Reversed,
    /// A status this client does not know, kept as sent.
    Other(String),
}

impl TransactionStatus {
    /// Reads Paystack's status string.
    pub fn from_wire(text: &str) -> TransactionStatus {
        match text {
            "success" => TransactionStatus::Success,
            "abandoned" => TransactionStatus::Abandoned,
            "failed" => TransactionStatus::Failed,
            "ongoing" => TransactionStatus::Ongoing,
            "pending" => TransactionStatus::Pending,
            "processing" => TransactionStatus::Processing,
            "queued" => TransactionStatus::Queued,
            "reversed" => TransactionStatus::Reversed,
            other => TransactionStatus::Other(other.to_owned()),
        }
    }
}

/// What the receipt shows about the card (or wallet) that paid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardSummary {
    pub brand: Option<String>,
    pub last4: Option<String>,
    pub bank: Option<String>,
}

/// A transaction as verify and `charge.success` describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// Paystack's transaction id.
    pub id: Option<i64>,
    /// `"test"` or `"live"`.
    pub domain: Option<String>,
    pub status: TransactionStatus,
    /// Our reference.
    pub reference: String,
    /// `amount`, in subunits, as sent.
    pub amount_subunits: i64,
    /// `requested_amount`, when present (differs when fees are passed on).
    pub requested_amount_subunits: Option<i64>,
    /// `currency` as sent (`"KES"`; samples also show `"NGN"`).
    pub currency_code: String,
    pub channel: Option<String>,
    pub gateway_response: Option<String>,
    /// `paid_at` or `paidAt`, as sent (ISO 8601).
    pub paid_at: Option<String>,
    /// The polymorphic `metadata`, as sent.
    pub metadata: Value,
    pub card: Option<CardSummary>,
    pub customer_email: Option<String>,
}

impl Transaction {
    /// The amount as `Money`, exactly; refuses currencies Malipo or Paystack do not share.
    pub fn amount(&self) -> Result<Money, AmountError> {
        from_subunits(self.amount_subunits, &self.currency_code)
    }

    /// The amount the sale asked for: `requested_amount` when Paystack sends it (it differs
    /// from `amount` when the customer pays the fees), else `amount`.
    pub fn requested_amount(&self) -> Result<Money, AmountError> {
        from_subunits(
            self.requested_amount_subunits
                .unwrap_or(self.amount_subunits),
            &self.currency_code,
        )
    }

    /// True only when Paystack says `success` **and** the requested amount and currency are
    /// what was charged (reference §3: a 200 and `status: true` prove nothing on their own).
    pub fn is_paid(&self, expected: Money) -> bool {
        self.status == TransactionStatus::Success && self.requested_amount().ok() == Some(expected)
    }

    /// The mode that raised it (`domain`), to refuse a live event for a test shop and back.
    pub fn mode(&self) -> Option<KeyMode> {
        match self.domain.as_deref() {
            Some("test") => Some(KeyMode::Test),
            Some("live") => Some(KeyMode::Live),
            _ => None,
        }
    }

    /// The sale or invoice number Malipo put in `metadata.malipo_target`, if it is there
    /// (metadata may also arrive as a JSON string).
    pub fn target_number(&self) -> Option<String> {
        let from_object = |v: &Value| {
            v.get("malipo_target")
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        match &self.metadata {
            Value::String(text) => serde_json::from_str::<Value>(text)
                .ok()
                .and_then(|v| from_object(&v)),
            other => from_object(other),
        }
    }
}

/// A refund's status (reference §4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundStatus {
    Pending,
    Processing,
    Processed,
    Failed,
    NeedsAttention,
    /// A status this client does not know, kept as sent.
    Other(String),
}

impl RefundStatus {
    /// Reads Paystack's refund status (also the suffix of `refund.*` events).
    pub fn from_wire(text: &str) -> RefundStatus {
        match text {
            "pending" => RefundStatus::Pending,
            "processing" => RefundStatus::Processing,
            "processed" => RefundStatus::Processed,
            "failed" => RefundStatus::Failed,
            "needs-attention" => RefundStatus::NeedsAttention,
            other => RefundStatus::Other(other.to_owned()),
        }
    }
}

/// A refund as `POST /refund` and `GET /refund/:id` describe it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refund {
    /// The refund id; keep it to read the status later.
    pub id: i64,
    pub status: RefundStatus,
    pub amount_subunits: i64,
    pub currency_code: String,
    /// `data.transaction.reference` when the transaction is an object.
    pub transaction_reference: Option<String>,
    /// `data.transaction` (an id) or `data.transaction.id`.
    pub transaction_id: Option<i64>,
}

impl Refund {
    /// The refunded amount as `Money`, exactly.
    pub fn amount(&self) -> Result<Money, AmountError> {
        from_subunits(self.amount_subunits, &self.currency_code)
    }
}

/// What "Test connection" tells the manager, in plain words via [`ConnectionCheck::message`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionCheck {
    /// Paystack accepted the key.
    Valid {
        mode: KeyMode,
        /// The integration's checkout session timeout (relevant to invoice links).
        payment_session_timeout_s: Option<i64>,
    },
    /// The key was refused (or is not a secret key at all).
    Invalid {
        /// The mode its prefix claims, if it has a valid prefix.
        mode: Option<KeyMode>,
        reason: String,
    },
}

impl ConnectionCheck {
    /// One sentence for the settings screen.
    pub fn message(&self) -> String {
        match self {
            ConnectionCheck::Valid {
                mode: KeyMode::Test,
                ..
            } => "The key works. It is a TEST key: no real money will move.".into(),
            ConnectionCheck::Valid {
                mode: KeyMode::Live,
                ..
            } => "The key works. It is a LIVE key: customers will be charged.".into(),
            ConnectionCheck::Invalid { reason, .. } => {
                format!("The key does not work: {reason}")
            }
        }
    }
}

/// Reads the envelope: `Ok(data)` on a 2xx with `status: true`, otherwise the error it means.
pub fn envelope(http_status: u16, body: &[u8]) -> Result<Value, PaystackError> {
    if http_status == 401 {
        return Err(PaystackError::InvalidKey);
    }
    let parsed: Option<Value> = serde_json::from_slice(body).ok();
    let field = |name: &str| -> Option<String> {
        parsed
            .as_ref()
            .and_then(|v| v.get(name))
            .and_then(Value::as_str)
            .map(|s| s.chars().take(300).collect())
    };
    let code = field("code");
    if http_status == 429 || code.as_deref() == Some("rate_limited") {
        return Err(PaystackError::RateLimited);
    }
    let ok = parsed
        .as_ref()
        .and_then(|v| v.get("status"))
        .and_then(Value::as_bool)
        == Some(true);
    if (200..300).contains(&http_status) && ok {
        return Ok(parsed
            .and_then(|mut v| v.get_mut("data").map(Value::take))
            .unwrap_or(Value::Null));
    }
    if code.as_deref() == Some("duplicate_reference") {
        return Err(PaystackError::DuplicateReference(String::new()));
    }
    match field("message") {
        Some(message) => Err(PaystackError::Api {
            http_status,
            message,
            code,
        }),
        None => Err(PaystackError::Unreadable(format!(
            "HTTP {http_status} without a Paystack envelope"
        ))),
    }
}

fn text(value: &Value, name: &str) -> Option<String> {
    match value.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn int(value: &Value, name: &str) -> Option<i64> {
    value.get(name).and_then(|v| wire_subunits(v).ok())
}

fn unreadable(what: &str) -> PaystackError {
    PaystackError::Unreadable(format!("missing or invalid `{what}`"))
}

/// Parses initialize's `data`.
pub fn parse_initialized(data: &Value) -> Result<Initialized, PaystackError> {
    Ok(Initialized {
        access_code: text(data, "access_code").ok_or_else(|| unreadable("access_code"))?,
        authorization_url: text(data, "authorization_url")
            .ok_or_else(|| unreadable("authorization_url"))?,
        reference: text(data, "reference").ok_or_else(|| unreadable("reference"))?,
    })
}

/// Parses a transaction object (verify's `data`, `charge.success`'s `data`).
pub fn parse_transaction(data: &Value) -> Result<Transaction, PaystackError> {
    let amount = data.get("amount").ok_or_else(|| unreadable("amount"))?;
    let card = data
        .get("authorization")
        .filter(|a| a.is_object())
        .map(|a| CardSummary {
            brand: text(a, "brand"),
            last4: text(a, "last4"),
            bank: text(a, "bank"),
        });
    Ok(Transaction {
        id: int(data, "id"),
        domain: text(data, "domain"),
        status: TransactionStatus::from_wire(
            &text(data, "status").ok_or_else(|| unreadable("status"))?,
        ),
        reference: text(data, "reference").ok_or_else(|| unreadable("reference"))?,
        amount_subunits: wire_subunits(amount)?,
        requested_amount_subunits: int(data, "requested_amount"),
        currency_code: text(data, "currency").ok_or_else(|| unreadable("currency"))?,
        channel: text(data, "channel"),
        gateway_response: text(data, "gateway_response"),
        paid_at: text(data, "paid_at").or_else(|| text(data, "paidAt")),
        metadata: data.get("metadata").cloned().unwrap_or(Value::Null),
        card,
        customer_email: data.get("customer").and_then(|c| text(c, "email")),
    })
}

/// Parses a refund object (`POST /refund` or `GET /refund/:id` `data`).
pub fn parse_refund(data: &Value) -> Result<Refund, PaystackError> {
    let transaction = data.get("transaction");
    let (transaction_reference, transaction_id) = match transaction {
        Some(t @ Value::Object(_)) => (text(t, "reference"), int(t, "id")),
        Some(t) => (None, wire_subunits(t).ok()),
        None => (None, None),
    };
    let amount = data.get("amount").ok_or_else(|| unreadable("amount"))?;
    Ok(Refund {
        id: int(data, "id").ok_or_else(|| unreadable("id"))?,
        status: RefundStatus::from_wire(&text(data, "status").ok_or_else(|| unreadable("status"))?),
        amount_subunits: wire_subunits(amount)?,
        currency_code: text(data, "currency").ok_or_else(|| unreadable("currency"))?,
        transaction_reference,
        transaction_id,
    })
}

/// Parses the connection check's answer into a plain verdict.
pub fn parse_connection(
    mode: KeyMode,
    http_status: u16,
    body: &[u8],
) -> Result<ConnectionCheck, PaystackError> {
    match envelope(http_status, body) {
        Ok(data) => Ok(ConnectionCheck::Valid {
            mode,
            payment_session_timeout_s: int(&data, "payment_session_timeout"),
        }),
        Err(PaystackError::InvalidKey) => Ok(ConnectionCheck::Invalid {
            mode: Some(mode),
            reason: "Paystack says the key is invalid".into(),
        }),
        Err(other) => Err(other),
    }
}
