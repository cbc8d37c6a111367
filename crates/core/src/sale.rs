//! Sales: what a cart becomes when the cashier takes payment, their numbers and their status.

use serde::{Deserialize, Serialize};

use crate::cart::{Cart, CartError};
use crate::money::{Currency, Money, MoneyError};
use crate::vat::{TaxClass, VatBreakdown};

/// A line frozen from the cart: the amount is after every discount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleLine {
    pub sku: String,
    pub name: String,
    pub unit_price: Money,
    pub quantity: i64,
    pub tax_class: TaxClass,
    /// What the customer pays for this line (after line and cart discounts).
    pub amount: Money,
}

/// A sale before it is stored: lines, total and VAT, fixed from a cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleDraft {
    pub currency: Currency,
    pub lines: Vec<SaleLine>,
    pub subtotal: Money,
    pub discounts: Money,
    pub total: Money,
    pub vat: VatBreakdown,
}

impl SaleDraft {
    /// Freezes a cart; an empty cart cannot be sold.
    pub fn from_cart(cart: &Cart) -> Result<SaleDraft, CartError> {
        if cart.is_empty() {
            return Err(CartError::Empty);
        }
        let t = cart.totals()?;
        let lines = cart
            .lines
            .iter()
            .zip(t.line_amounts.iter())
            .map(|(l, amount)| SaleLine {
                sku: l.sku.clone(),
                name: l.name.clone(),
                unit_price: l.unit_price,
                quantity: l.quantity,
                tax_class: l.tax_class,
                amount: *amount,
            })
            .collect();
        Ok(SaleDraft {
            currency: cart.currency,
            lines,
            subtotal: t.subtotal,
            discounts: t.discounts,
            total: t.total,
            vat: t.vat,
        })
    }
}

/// Lifecycle of a stored sale. Whether it is paid is derived from allocations (see
/// [`TargetStatus`]), not stored here.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SaleStatus {
    /// Rung up, payment still being taken.
    Open,
    /// Closed by the cashier (paid in full).
    Completed,
    /// Cancelled; money that arrives later for it goes to unmatched receipts.
    Void,
}

impl SaleStatus {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            SaleStatus::Open => "open",
            SaleStatus::Completed => "completed",
            SaleStatus::Void => "void",
        }
    }

    /// Reads [`SaleStatus::code`] back.
    pub fn from_code(code: &str) -> Option<SaleStatus> {
        [SaleStatus::Open, SaleStatus::Completed, SaleStatus::Void]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// The number printed on a sale: the till's prefix and a gap-free counter, `T1-000123`.
pub fn sale_number(till_prefix: &str, n: i64) -> String {
    format!("{till_prefix}-{n:06}")
}

/// Payment status of a sale or invoice, derived from its total, the money allocated to it and
/// the money refunded from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TargetStatus {
    /// Nothing paid.
    Open,
    /// Some paid, some due.
    PartiallyPaid,
    /// Paid exactly.
    Paid,
    /// More allocated than the total (allowed only for invoices in partial-and-over mode).
    OverPaid,
    /// Money went back to the customer and the balance re-opened.
    Refunded,
}

impl TargetStatus {
    /// The status for `total`, `allocated` and `refunded` (all of one currency).
    ///
    /// `balance = total − allocated + refunded`. A target with any refund whose balance is
    /// above zero again is `Refunded`; otherwise the status follows the balance.
    pub fn derive(
        total: Money,
        allocated: Money,
        refunded: Money,
    ) -> Result<TargetStatus, MoneyError> {
        let net = allocated.checked_sub(refunded)?;
        let balance = total.checked_sub(net)?;
        Ok(if refunded.is_positive() && balance.is_positive() {
            TargetStatus::Refunded
        } else if balance.minor < 0 {
            TargetStatus::OverPaid
        } else if balance.is_zero() {
            TargetStatus::Paid
        } else if net.is_positive() {
            TargetStatus::PartiallyPaid
        } else {
            TargetStatus::Open
        })
    }

    /// A code for the UI and the database.
    pub const fn code(self) -> &'static str {
        match self {
            TargetStatus::Open => "open",
            TargetStatus::PartiallyPaid => "partially_paid",
            TargetStatus::Paid => "paid",
            TargetStatus::OverPaid => "over_paid",
            TargetStatus::Refunded => "refunded",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kes(m: i64) -> Money {
        Money::from_minor(m, Currency::Kes)
    }

    #[test]
    fn status_follows_allocations_and_refunds() {
        let t = kes(1_000);
        assert_eq!(
            TargetStatus::derive(t, kes(0), kes(0)).unwrap(),
            TargetStatus::Open
        );
        assert_eq!(
            TargetStatus::derive(t, kes(400), kes(0)).unwrap(),
            TargetStatus::PartiallyPaid
        );
        assert_eq!(
            TargetStatus::derive(t, kes(1_000), kes(0)).unwrap(),
            TargetStatus::Paid
        );
        assert_eq!(
            TargetStatus::derive(t, kes(1_200), kes(0)).unwrap(),
            TargetStatus::OverPaid
        );
        assert_eq!(
            TargetStatus::derive(t, kes(1_000), kes(1_000)).unwrap(),
            TargetStatus::Refunded
        );
        assert_eq!(
            TargetStatus::derive(t, kes(1_000), kes(300)).unwrap(),
            TargetStatus::Refunded
        );
        assert!(TargetStatus::derive(t, Money::from_minor(1, Currency::Tzs), kes(0)).is_err());
    }

    #[test]
    fn numbers_are_prefixed_and_padded() {
        assert_eq!(sale_number("T1", 123), "T1-000123");
        assert_eq!(sale_number("T2", 1_234_567), "T2-1234567");
        assert!(SaleDraft::from_cart(&Cart::new(Currency::Kes)).is_err());
        assert_eq!(SaleStatus::from_code("void"), Some(SaleStatus::Void));
    }
}
