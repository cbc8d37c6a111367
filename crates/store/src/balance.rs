//! A sale's or invoice's money position, always derived: total − allocations + completed
//! refunds. Never stored, so it can never disagree with the ledger.

use malipo_core::{InvoiceStatus, Money, PaymentMode, SaleStatus, TargetRef, TargetStatus};
use rusqlite::{Connection, OptionalExtension};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::table::{allocations, refunds};

/// A sale's or invoice's money position, derived from allocations and refunds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetBalance {
    pub target: TargetRef,
    pub total: Money,
    pub allocated: Money,
    /// Completed refunds that re-opened this target.
    pub refunded: Money,
    /// `total − allocated + refunded`; negative when over-paid.
    pub balance: Money,
    pub status: TargetStatus,
    /// False for void sales and for draft or void invoices.
    pub accepts_money: bool,
    pub mode: PaymentMode,
}

/// A target's balance (see [`TargetBalance`]).
pub(crate) fn balance(conn: &Connection, target: TargetRef) -> Result<TargetBalance> {
    let (total_minor, currency, accepts_money, mode) = match target {
        TargetRef::Sale(id) => {
            let row: Option<(i64, String, String)> = conn
                .prepare_cached("SELECT total_minor, currency, status FROM sales WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .optional()?;
            let (t, c, s) = row.ok_or_else(|| StoreError::NotFound {
                what: "sale",
                id: id.to_string(),
            })?;
            (
                t,
                c,
                SaleStatus::from_code(&s) != Some(SaleStatus::Void),
                PaymentMode::AllowPartial,
            )
        }
        TargetRef::Invoice(id) => {
            let row: Option<(i64, String, String, String)> = conn
                .prepare_cached("SELECT total_minor, currency, status, payment_mode FROM invoices WHERE id = ?1")?
                .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
                .optional()?;
            let (t, c, s, m) = row.ok_or_else(|| StoreError::NotFound {
                what: "invoice",
                id: id.to_string(),
            })?;
            let mode = PaymentMode::from_code(&m).unwrap_or(PaymentMode::Exact);
            (
                t,
                c,
                InvoiceStatus::from_code(&s) == Some(InvoiceStatus::Issued),
                mode,
            )
        }
    };
    let currency = currency
        .parse()
        .map_err(|e| crate::error::corrupt("target currency", e))?;
    let total = Money::from_minor(total_minor, currency);
    let allocated = Money::from_minor(allocations::sum_for_target(conn, target)?, currency);
    let refunded = Money::from_minor(refunds::sum_completed_for_target(conn, target)?, currency);
    let balance = total.checked_sub(allocated)?.checked_add(refunded)?;
    let status = TargetStatus::derive(total, allocated, refunded)?;
    Ok(TargetBalance {
        target,
        total,
        allocated,
        refunded,
        balance,
        status,
        accepts_money,
        mode,
    })
}
