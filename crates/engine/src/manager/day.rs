//! Day-end: the X report (running, closes nothing) and the Z report (closes the day: the next
//! X starts at its close). Totals come from the ledger page by page; a Z is kept as settings
//! (`day.z.number`, `day.z.last_ms`, `day.z.<n>` = the report's JSON) with a `day_closed`
//! audit line, written in one transaction by `Store::day_close`.

use std::collections::BTreeMap;

use malipo_core::{Money, PaymentMethod, Timestamp};
use malipo_store::manager::{DAY_Z_LAST_MS, DAY_Z_NUMBER};
use malipo_store::{Cursor, LedgerStatus, PaymentFilter, PaymentSearch};
use serde::{Deserialize, Serialize};

use super::transactions::MethodTotal;
use super::{method_code, verify_manager, ManagerError};
use crate::engine::Engine;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CashierTotal {
    pub cashier: String,
    pub count: i64,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundTotal {
    pub count: i64,
    pub amount: Money,
}

/// An X or Z report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayReport {
    pub kind: String,
    pub z_number: Option<i64>,
    pub from_ms: i64,
    pub to_ms: i64,
    pub total: Money,
    pub by_method: Vec<MethodTotal>,
    pub by_cashier: Vec<CashierTotal>,
    pub refunds: RefundTotal,
    pub pending_count: i64,
    pub unmatched_count: i64,
    pub unmatched: Money,
    pub cash_expected: Money,
    pub cash_counted: Option<Money>,
    pub cash_difference: Option<Money>,
}

impl<'de> Deserialize<'de> for MethodTotal {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        struct Raw {
            method: String,
            count: i64,
            amount: Money,
        }
        let r = Raw::deserialize(d)?;
        Ok(MethodTotal {
            method: r.method,
            count: r.count,
            amount: r.amount,
        })
    }
}

const PAGE: i64 = 1_000;
const CASHIER_NONE: &str = "(no cashier)";

impl Engine {
    /// The running X report since the last Z.
    pub fn report_x(&self) -> Result<DayReport, ManagerError> {
        self.day_report(self.now())
    }

    fn day_report(&self, to: Timestamp) -> Result<DayReport, ManagerError> {
        let currency = self.config().currency;
        let zero = Money::from_minor(0, currency);
        let from: i64 = self
            .store()?
            .setting_get(DAY_Z_LAST_MS)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let search = PaymentSearch {
            filter: PaymentFilter {
                from: Some(Timestamp(from)),
                to: Some(to),
                ..PaymentFilter::default()
            },
            ledger: vec![LedgerStatus::Received, LedgerStatus::Refunded],
            ..PaymentSearch::default()
        };
        let mut by_method: BTreeMap<usize, MethodTotal> = BTreeMap::new();
        let mut by_cashier: BTreeMap<String, CashierTotal> = BTreeMap::new();
        let (mut gross, mut refunded, mut refund_count) = (0i64, 0i64, 0i64);
        let (mut cash_in, mut cash_out) = (0i64, 0i64);
        let mut cursor: Option<Cursor> = None;
        loop {
            let page = self.store()?.payments_search(&search, PAGE, cursor)?;
            for f in &page {
                let p = &f.payment;
                gross = gross.saturating_add(p.amount.minor);
                refunded = refunded.saturating_add(f.refunded_minor);
                refund_count += i64::from(f.refunded_minor > 0);
                if p.method == PaymentMethod::Cash {
                    cash_in = cash_in.saturating_add(p.amount.minor);
                    cash_out = cash_out.saturating_add(f.refunded_minor);
                }
                let code = method_code(p.method);
                let order = PaymentMethod::ALL
                    .iter()
                    .position(|m| method_code(*m) == code)
                    .unwrap_or(usize::MAX);
                let m = by_method.entry(order).or_insert_with(|| MethodTotal {
                    method: code.into(),
                    count: 0,
                    amount: zero,
                });
                m.count += 1;
                m.amount.minor = m.amount.minor.saturating_add(p.amount.minor);
                let name = f.cashier.clone().unwrap_or_else(|| CASHIER_NONE.into());
                let c = by_cashier.entry(name.clone()).or_insert(CashierTotal {
                    cashier: name,
                    count: 0,
                    amount: zero,
                });
                c.count += 1;
                c.amount.minor = c.amount.minor.saturating_add(p.amount.minor);
            }
            cursor = page.last().map(|f| Cursor {
                received_at: f.payment.received_at,
                id: f.payment.id,
            });
            if (page.len() as i64) < PAGE {
                break;
            }
        }
        let store = self.store()?;
        let open = store.unmatched_open(100_000)?;
        let unmatched: i64 = open.iter().map(|u| u.open_amount.minor).sum();
        let pending_count = store.attempts_pending(to)?.len() as i64;
        Ok(DayReport {
            kind: "x".into(),
            z_number: None,
            from_ms: from,
            to_ms: to.0,
            total: Money::from_minor(gross.saturating_sub(refunded), currency),
            by_method: by_method.into_values().collect(),
            by_cashier: by_cashier.into_values().collect(),
            refunds: RefundTotal {
                count: refund_count,
                amount: Money::from_minor(refunded, currency),
            },
            pending_count,
            unmatched_count: open.len() as i64,
            unmatched: Money::from_minor(unmatched, currency),
            cash_expected: Money::from_minor(cash_in.saturating_sub(cash_out), currency),
            cash_counted: None,
            cash_difference: None,
        })
    }

    /// Closes the day with the cash the manager counted; the next X starts from now.
    pub fn report_z(&self, counted_cash_minor: i64, pin: &str) -> Result<DayReport, ManagerError> {
        let manager = verify_manager(&*self.store()?, pin)?;
        if counted_cash_minor < 0 {
            return Err(ManagerError::InvalidAmount(
                "the counted cash cannot be negative".into(),
            ));
        }
        let to = self.now();
        let mut report = self.day_report(to)?;
        let currency = self.config().currency;
        report.kind = "z".into();
        report.cash_counted = Some(Money::from_minor(counted_cash_minor, currency));
        report.cash_difference = Some(Money::from_minor(
            counted_cash_minor.saturating_sub(report.cash_expected.minor),
            currency,
        ));
        let next: i64 = self
            .store()?
            .setting_get(DAY_Z_NUMBER)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
            + 1;
        report.z_number = Some(next);
        let json = serde_json::to_string(&report)
            .map_err(|e| ManagerError::Invalid(format!("the report could not be kept: {e}")))?;
        let number = self.store()?.day_close(to, &json, &manager)?;
        report.z_number = Some(number);
        Ok(report)
    }

    /// A closed Z report (`None` = the last one).
    pub fn report_z_get(&self, z_number: Option<i64>) -> Result<DayReport, ManagerError> {
        let store = self.store()?;
        let n = match z_number {
            Some(n) => n,
            None => store
                .setting_get(DAY_Z_NUMBER)?
                .and_then(|v| v.parse().ok())
                .ok_or_else(|| ManagerError::NotFound("Z report".into()))?,
        };
        let json = store
            .setting_get(&format!("day.z.{n}"))?
            .ok_or_else(|| ManagerError::NotFound(format!("Z report {n}")))?;
        serde_json::from_str(&json)
            .map_err(|e| ManagerError::Invalid(format!("Z report {n} is unreadable: {e}")))
    }
}
