//! The manager's totals and hourly takings from `payment_rollup`, for searches by date,
//! method and provider alone: a year of a million payments would otherwise be read row by
//! row with three look-ups each.
//!
//! The rollup counts every payment by its `status`. The manager's ledger status also depends
//! on completed refunds (a refunded payment) and open unmatched receipts (money without a
//! home); both are few, so they are looked up from their own tables and moved between the
//! rollup's groups:
//! - *refunded* = rollup rows not `received` + `received` payments with a completed refund;
//! - *unmatched* = `received` payments, no completed refund, an open unmatched receipt;
//! - *received* = the rest.
//!
//! `Store::payments_search_totals_scan` / `_hourly_scan` compute the same by reading the rows;
//! the tests hold the two equal.

use std::collections::BTreeMap;

use malipo_core::{PaymentMethod, Timestamp};
use rusqlite::{params_from_iter, types::Value, Connection};

use crate::dashboard::{self, ceil_div, dimension_sql, HOUR_MS};
use crate::error::{corrupt, Result};
use crate::manager::{where_sql, LedgerStatus, PaymentSearch, SearchTotal};
use crate::table::payments::PaymentStatus;

/// Which side of a join SQLite walks: the search's payments (few, e.g. one day) looking up
/// their refunds/unmatched receipts, or every completed refund / open unmatched receipt (few,
/// e.g. over a year) looking up its payment. `CROSS JOIN` makes SQLite keep the order given:
/// left to itself it sometimes walked a year of payments for a handful of receipts.
#[derive(Debug, Clone, Copy)]
struct Plan {
    refunds_from_payments: bool,
    unmatched_from_payments: bool,
}

impl Plan {
    /// The plan for a search that matches `in_range` payments.
    fn new(conn: &Connection, in_range: i64) -> Result<Plan> {
        let count = |sql: &str| -> Result<i64> {
            Ok(conn.prepare_cached(sql)?.query_row([], |r| r.get(0))?)
        };
        let refunds = count("SELECT COUNT(*) FROM refunds WHERE status = 'completed'")?;
        let unmatched = count("SELECT COUNT(*) FROM unmatched_receipts WHERE placed_at IS NULL")?;
        Ok(Plan {
            refunds_from_payments: in_range < refunds,
            unmatched_from_payments: in_range < unmatched,
        })
    }

    /// Each matching payment with completed refunds once: method, status, amount, refunded.
    fn refunded_payments(self, cond: &str) -> String {
        let join = if self.refunds_from_payments {
            "payments p CROSS JOIN refunds r ON r.payment_id = p.id"
        } else {
            "refunds r CROSS JOIN payments p ON p.id = r.payment_id"
        };
        format!(
            "(SELECT p.method AS method, p.status AS status, p.amount_minor AS amount,
                     SUM(r.amount_minor) AS refunded
              FROM {join} WHERE r.status = 'completed'{cond} GROUP BY p.id)"
        )
    }

    /// `FROM … WHERE …` of the matching payments whose ledger status is `unmatched` (`p`).
    fn unmatched_payments(self, cond: &str) -> String {
        let join = if self.unmatched_from_payments {
            "payments p CROSS JOIN unmatched_receipts u ON u.payment_id = p.id"
        } else {
            "unmatched_receipts u CROSS JOIN payments p ON p.id = u.payment_id"
        };
        format!(
            "{join} WHERE u.placed_at IS NULL AND p.status = 'received'
               AND NOT EXISTS (SELECT 1 FROM refunds r WHERE r.payment_id = p.id AND r.status = 'completed'){cond}"
        )
    }
}

#[derive(Debug, Default, Clone, Copy)]
struct Cell {
    count: i64,
    amount: i64,
    refunded: i64,
    refunded_count: i64,
}

fn method(code: &str) -> Result<PaymentMethod> {
    PaymentMethod::from_code(code).ok_or_else(|| corrupt("payment method", code))
}

/// Every row of `sql` (bound to `values`), each read by `read`.
fn each<T>(
    conn: &Connection,
    sql: &str,
    values: Vec<Value>,
    mut read: impl FnMut(&rusqlite::Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(read(r)?);
    }
    Ok(out)
}

/// The search's filter without the statuses the manager's search ignores.
fn plain_filter(s: &PaymentSearch) -> dashboard::PaymentFilter {
    let mut f = s.filter.clone();
    f.statuses.clear();
    f
}

pub(crate) fn totals(conn: &Connection, s: &PaymentSearch) -> Result<Vec<SearchTotal>> {
    let mut cells: BTreeMap<(&'static str, &'static str), Cell> = BTreeMap::new();
    let code = |m: PaymentMethod| m.code();
    let kpis = dashboard::kpis(conn, &plain_filter(s))?;
    let plan = Plan::new(conn, kpis.count)?;
    for g in kpis.groups {
        let ledger = if g.status == PaymentStatus::Received {
            LedgerStatus::Received
        } else {
            LedgerStatus::Refunded
        };
        let c = cells.entry((code(g.method), ledger.code())).or_default();
        c.count += g.count;
        c.amount = c.amount.saturating_add(g.amount.minor);
    }
    let mut values = Vec::new();
    let cond = where_sql(s, &mut values);
    let refunded = each(
        conn,
        &format!(
            "SELECT method, status, COUNT(*), SUM(amount), SUM(refunded) FROM {} GROUP BY 1, 2",
            plan.refunded_payments(&cond)
        ),
        values,
        |r| {
            Ok((
                method(&r.get::<_, String>(0)?)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        },
    )?;
    for (m, status, count, amount, refund_sum) in refunded {
        if status == PaymentStatus::Received.code() {
            move_cell(&mut cells, code(m), LedgerStatus::Refunded, count, amount);
        }
        let c = cells
            .entry((code(m), LedgerStatus::Refunded.code()))
            .or_default();
        c.refunded = c.refunded.saturating_add(refund_sum);
        c.refunded_count += count;
    }
    let mut values = Vec::new();
    let cond = where_sql(s, &mut values);
    let unmatched = each(
        conn,
        &format!(
            "SELECT p.method, COUNT(*), SUM(p.amount_minor) FROM {} GROUP BY 1",
            plan.unmatched_payments(&cond)
        ),
        values,
        |r| {
            Ok((
                method(&r.get::<_, String>(0)?)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        },
    )?;
    for (m, count, amount) in unmatched {
        move_cell(&mut cells, code(m), LedgerStatus::Unmatched, count, amount);
    }
    let mut out = Vec::new();
    for ((m, ledger), c) in cells {
        if c.count == 0 {
            continue;
        }
        out.push(SearchTotal {
            method: method(m)?,
            ledger: [
                LedgerStatus::Received,
                LedgerStatus::Refunded,
                LedgerStatus::Unmatched,
            ]
            .into_iter()
            .find(|l| l.code() == ledger)
            .ok_or_else(|| corrupt("ledger status", ledger))?,
            count: c.count,
            amount_minor: c.amount,
            refunded_minor: c.refunded,
            refunded_count: c.refunded_count,
        });
    }
    Ok(out)
}

/// Moves `count` payments of `amount` from the method's `received` cell to its `to` cell.
fn move_cell(
    cells: &mut BTreeMap<(&'static str, &'static str), Cell>,
    method: &'static str,
    to: LedgerStatus,
    count: i64,
    amount: i64,
) {
    let from = cells
        .entry((method, LedgerStatus::Received.code()))
        .or_default();
    from.count -= count;
    from.amount = from.amount.saturating_sub(amount);
    let into = cells.entry((method, to.code())).or_default();
    into.count += count;
    into.amount = into.amount.saturating_add(amount);
}

pub(crate) fn hourly(
    conn: &Connection,
    s: &PaymentSearch,
) -> Result<Vec<(i64, PaymentMethod, i64)>> {
    let f = plain_filter(s);
    let from = f.from.map_or(i64::MIN / 4, |t| t.0);
    let to = f.to.map_or(i64::MAX / 4, |t| t.0);
    let mut sums: BTreeMap<(i64, &'static str), i64> = BTreeMap::new();
    if from >= to {
        return Ok(Vec::new());
    }
    let mut add = |rows: Vec<(i64, PaymentMethod, i64)>, sign: i64| {
        for (hour, m, sum) in rows {
            let e = sums.entry((hour, m.code())).or_default();
            *e = e.saturating_add(sign.saturating_mul(sum));
        }
    };
    let read = |r: &rusqlite::Row<'_>| -> Result<(i64, PaymentMethod, i64)> {
        Ok((
            r.get::<_, i64>(0)?,
            method(&r.get::<_, String>(1)?)?,
            r.get::<_, i64>(2)?,
        ))
    };
    // Whole hours from the rollup (grouped by its key's own columns, so in key order with no
    // sort), the partial hours at either end from the payments.
    let (h0, h1) = (ceil_div(from, HOUR_MS), to.div_euclid(HOUR_MS));
    let mut raw = Vec::new();
    if h0 < h1 {
        let mut values = vec![Value::Integer(h0), Value::Integer(h1)];
        let dims = dimension_sql(&f, &mut values);
        add(
            each(
                conn,
                &format!(
                    "SELECT bucket * {HOUR_MS}, method, SUM(amount_minor) FROM payment_rollup
                     WHERE level = 'hour' AND bucket >= ? AND bucket < ?{dims} GROUP BY bucket, method"
                ),
                values,
                read,
            )?,
            1,
        );
        raw.push((from, h0.saturating_mul(HOUR_MS)));
        raw.push((h1.saturating_mul(HOUR_MS), to));
    } else {
        raw.push((from, to));
    }
    for (a, b) in raw.into_iter().filter(|(a, b)| a < b) {
        let edge = PaymentSearch {
            filter: dashboard::PaymentFilter {
                from: Some(Timestamp(a)),
                to: Some(Timestamp(b)),
                ..f.clone()
            },
            ..PaymentSearch::default()
        };
        let mut values = Vec::new();
        let cond = where_sql(&edge, &mut values);
        add(
            each(
                conn,
                &format!(
                    "SELECT (p.received_at / {HOUR_MS}) * {HOUR_MS}, p.method, SUM(p.amount_minor)
                     FROM payments p WHERE 1{cond} GROUP BY 1, 2"
                ),
                values,
                read,
            )?,
            1,
        );
    }
    let plan = Plan::new(conn, dashboard::kpis(conn, &f)?.count)?;
    let mut values = Vec::new();
    let cond = where_sql(s, &mut values);
    add(
        each(
            conn,
            &format!(
                "SELECT (p.received_at / {HOUR_MS}) * {HOUR_MS}, p.method, SUM(p.amount_minor)
                 FROM {} GROUP BY 1, 2",
                plan.unmatched_payments(&cond)
            ),
            values,
            read,
        )?,
        -1,
    );
    let mut out = Vec::new();
    for ((hour, m), sum) in sums {
        if sum != 0 {
            out.push((hour, method(m)?, sum));
        }
    }
    Ok(out)
}
