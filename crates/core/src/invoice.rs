//! Invoices: a customer, lines, a due date and a payment mode that says whether partial and
//! over-payments are accepted.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::phone::Phone;
use crate::sale::SaleLine;
use crate::vat::VatBreakdown;

/// How an invoice accepts money.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMode {
    /// Only a payment of exactly the balance is applied; anything else waits as unmatched.
    Exact,
    /// Payments up to the balance are applied; any excess waits as unmatched.
    AllowPartial,
    /// Every payment is applied in full; the invoice may end over-paid (credit).
    AllowPartialAndOver,
}

impl PaymentMode {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            PaymentMode::Exact => "exact",
            PaymentMode::AllowPartial => "allow_partial",
            PaymentMode::AllowPartialAndOver => "allow_partial_and_over",
        }
    }

    /// Reads [`PaymentMode::code`] back.
    pub fn from_code(code: &str) -> Option<PaymentMode> {
        [
            PaymentMode::Exact,
            PaymentMode::AllowPartial,
            PaymentMode::AllowPartialAndOver,
        ]
        .into_iter()
        .find(|m| m.code() == code)
    }
}

/// Who an invoice is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    pub name: String,
    pub phone: Option<Phone>,
    pub email: Option<String>,
}

/// An invoice before it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceDraft {
    pub customer: Customer,
    pub currency: Currency,
    pub lines: Vec<SaleLine>,
    pub total: Money,
    pub vat: VatBreakdown,
    /// ISO date `YYYY-MM-DD`.
    pub due_date: String,
    pub payment_mode: PaymentMode,
}

/// Lifecycle of an invoice; paid-ness is derived from allocations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InvoiceStatus {
    /// Being written; has no number yet.
    Draft,
    /// Numbered and sent; accepts payments.
    Issued,
    /// Cancelled; later money goes to unmatched receipts.
    Void,
}

impl InvoiceStatus {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            InvoiceStatus::Draft => "draft",
            InvoiceStatus::Issued => "issued",
            InvoiceStatus::Void => "void",
        }
    }

    /// Reads [`InvoiceStatus::code`] back.
    pub fn from_code(code: &str) -> Option<InvoiceStatus> {
        [
            InvoiceStatus::Draft,
            InvoiceStatus::Issued,
            InvoiceStatus::Void,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }
}

/// The number printed on an invoice, `INV-000001`; customers type it as the Paybill account.
pub fn invoice_number(n: i64) -> String {
    format!("INV-{n:06}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for m in [
            PaymentMode::Exact,
            PaymentMode::AllowPartial,
            PaymentMode::AllowPartialAndOver,
        ] {
            assert_eq!(PaymentMode::from_code(m.code()), Some(m));
        }
        assert_eq!(
            InvoiceStatus::from_code("issued"),
            Some(InvoiceStatus::Issued)
        );
        assert_eq!(invoice_number(7), "INV-000007");
    }
}
