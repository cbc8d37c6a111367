//! The manager views of docs/ipc.md ("Manager views"): every payment with filters, KPIs and
//! takings by hour, its detail, a streamed CSV export (`transactions.rs`); unmatched receipts
//! and attaching them (`unmatched.rs`); refunds with the contract's error codes (`refund.rs`);
//! the X and Z day-end reports (`day.rs`). The types here are the contract's shapes
//! (snake_case JSON), so the shell passes them through unchanged.
//!
//! Rows are payments (received / refunded / unmatched) and attempts that brought no money
//! (pending / failed), merged in `merge.rs`.

mod control;
mod day;
mod detail;
mod invoice_pdf;
mod invoices;
mod links;
mod merge;
mod print;
mod refund;
mod transactions;
mod unmatched;

use malipo_core::{Money, PaymentMethod, Provider, TargetRef};
use malipo_store::{Role, Store, StoreError};
use serde::{Deserialize, Serialize};

use crate::error::EngineError;

pub use control::{ControlNumberItem, ImportResult, ImportRow, ImportRowResult, RowError};
pub use day::{CashierTotal, DayReport, RefundTotal};
pub use invoices::{
    ControlNumberView, CustomerDetail, CustomerInput, CustomerSummary, CustomerView,
    InvoiceDraftInput, InvoiceLine, InvoiceLineInput, InvoicePayment, InvoiceSummary, InvoiceView,
};
pub use links::{qr_png, BillPayView, CardLinkMade};
pub use transactions::{
    AuditLineView, ChartBucket, ChartBucketKind, ExportDone, Kpis, MethodTotal, Reference,
    TxDetail, TxFilter, TxPage, TxRow, EXPORT_PAGE,
};
pub use unmatched::{Attached, OpenTarget, UnmatchedView};

/// Why a manager command was refused; `code()` is the contract's error code.
#[derive(Debug, thiserror::Error)]
pub enum ManagerError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0} not found")]
    NotFound(String),
    #[error("a manager's PIN is needed")]
    WrongPin,
    #[error("that sale or invoice is not open")]
    TargetClosed,
    #[error("the receipt number does not match this payment")]
    ReceiptMismatch,
    #[error("{0}")]
    InvalidAmount(String),
    #[error("refunds are turned off for this shop")]
    RefundsDisabled,
    #[error("this payment cannot be refunded from the till")]
    NotRefundable,
    #[error("{0}")]
    Invalid(String),
    #[error("only a draft invoice can be changed")]
    InvoiceNotDraft,
    #[error("the invoice has payments; refund them first")]
    InvoiceHasPayments,
    #[error("the file could not be written: {0}")]
    Io(#[from] std::io::Error),
}

impl From<StoreError> for ManagerError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what, id } => ManagerError::NotFound(format!("{what} {id}")),
            other => ManagerError::Engine(EngineError::Store(other)),
        }
    }
}

impl ManagerError {
    /// The stable code the UI translates.
    pub fn code(&self) -> &'static str {
        match self {
            ManagerError::Engine(e) => e.code(),
            ManagerError::NotFound(_) => "not_found",
            ManagerError::WrongPin => "wrong_pin",
            ManagerError::TargetClosed => "target_closed",
            ManagerError::ReceiptMismatch => "receipt_mismatch",
            ManagerError::InvalidAmount(_) => "invalid_amount",
            ManagerError::RefundsDisabled => "refunds_disabled",
            ManagerError::NotRefundable => "not_refundable",
            ManagerError::Invalid(_) => "invalid_input",
            ManagerError::InvoiceNotDraft => "invoice_not_draft",
            ManagerError::InvoiceHasPayments => "invoice_has_payments",
            ManagerError::Io(_) => "store",
        }
    }
}

/// A reference to a sale or invoice as the contract shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TargetRefView {
    pub kind: String,
    pub id: i64,
    pub number: String,
}

/// A sale or invoice with its balance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetView {
    pub kind: String,
    pub id: i64,
    pub number: String,
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
    pub status: String,
}

/// One refund or reversal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RefundView {
    pub refund_id: i64,
    pub payment_id: i64,
    pub method: String,
    pub amount: Money,
    pub state: String,
    pub reason: Option<String>,
    pub provider_ref: Option<String>,
    pub requested_ms: i64,
    pub manager: String,
    pub target: Option<TargetView>,
}

/// The contract's method code (both card methods are `card`).
pub fn method_code(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::CardInline | PaymentMethod::CardLink => "card",
        other => other.code(),
    }
}

/// Methods a contract code stands for.
pub(crate) fn methods_of(code: &str) -> Result<Vec<PaymentMethod>, ManagerError> {
    if code == "card" {
        return Ok(vec![PaymentMethod::CardInline, PaymentMethod::CardLink]);
    }
    PaymentMethod::from_code(code)
        .map(|m| vec![m])
        .ok_or_else(|| ManagerError::Invalid(format!("unknown method {code:?}")))
}

/// The contract's provider code.
pub fn provider_code(p: Provider) -> &'static str {
    match p {
        Provider::Cash => "none",
        Provider::Mpesa => "daraja",
        Provider::Paystack => "paystack",
        Provider::Clickpesa => "clickpesa",
    }
}

pub(crate) fn provider_of(code: &str) -> Result<Provider, ManagerError> {
    [
        Provider::Cash,
        Provider::Mpesa,
        Provider::Paystack,
        Provider::Clickpesa,
    ]
    .into_iter()
    .find(|p| provider_code(*p) == code)
    .ok_or_else(|| ManagerError::Invalid(format!("unknown provider {code:?}")))
}

/// `0712345678` / `+254 712…` → `254712345678`; other text unchanged (trimmed).
pub(crate) fn search_text(text: &str) -> String {
    let t = text.trim();
    let digits: String = t
        .chars()
        .filter(|c| !matches!(c, ' ' | '+' | '-'))
        .collect();
    if digits.len() >= 4 && digits.chars().all(|c| c.is_ascii_digit()) {
        if let Some(rest) = digits.strip_prefix('0') {
            return format!("254{rest}");
        }
        return digits;
    }
    t.to_owned()
}

/// `0712***678` from a stored phone.
pub(crate) fn mask_phone(phone: &str) -> String {
    let local = phone
        .strip_prefix("254")
        .map_or_else(|| phone.to_owned(), |r| format!("0{r}"));
    let chars: Vec<char> = local.chars().collect();
    if chars.len() < 7 {
        return local;
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 3..].iter().collect();
    format!("{head}***{tail}")
}

/// The sale or invoice with its balance.
pub(crate) fn target_view(store: &Store, target: TargetRef) -> Result<TargetView, ManagerError> {
    let b = store.balance(target)?;
    let paid_minor = b.allocated.minor.saturating_sub(b.refunded.minor);
    let (kind, number, status) = match target {
        TargetRef::Sale(id) => {
            let s = store.sale_get(id)?;
            // An open sale whose balance is settled is paid even before the till closes it.
            let status = match s.status {
                malipo_core::SaleStatus::Void => "void",
                malipo_core::SaleStatus::Open if b.balance.minor > 0 => "open",
                _ => "paid",
            };
            ("sale", s.number, status.to_owned())
        }
        TargetRef::Invoice(id) => {
            let i = store.invoice_get(id)?;
            let paid = paid_minor;
            let status = match i.status {
                malipo_core::InvoiceStatus::Draft => "draft",
                malipo_core::InvoiceStatus::Void => "void",
                _ if paid <= 0 => "issued",
                _ if paid < b.total.minor => "part_paid",
                _ if paid == b.total.minor => "paid",
                malipo_core::InvoiceStatus::Issued => "overpaid",
            };
            ("invoice", i.number.unwrap_or_default(), status.to_owned())
        }
    };
    Ok(TargetView {
        kind: kind.into(),
        id: target.id(),
        number,
        total: b.total,
        paid: Money::from_minor(paid_minor, b.total.currency),
        balance: Money::from_minor(b.balance.minor.max(0), b.balance.currency),
        status,
    })
}

/// Checks a manager's PIN (any active manager); returns their name.
pub(crate) fn verify_manager(store: &Store, pin: &str) -> Result<String, ManagerError> {
    for name in store.manager_names()? {
        if let Some(user) = store.user_verify_pin(&name, pin)? {
            if user.role == Role::Manager && user.active {
                return Ok(user.name);
            }
        }
    }
    Err(ManagerError::WrongPin)
}
