//! The manager's transactions query: payments filtered by date range, method, provider and
//! status, newest first with a keyset cursor, and KPI totals that always match the filter.
//!
//! Totals over whole days, then whole hours at the edges, come from `payment_rollup` (kept by
//! triggers in the posting transaction); the partial hours at either end of the range are
//! summed from `payments` itself. So a year of a million payments totals in a few thousand
//! rollup rows.

use std::collections::BTreeMap;

use malipo_core::{Currency, Money, PaymentMethod, Provider, Timestamp};
use rusqlite::{params_from_iter, types::Value, Connection};
use serde::Serialize;

use crate::error::{corrupt, Result};
use crate::table::payments::{self, Payment, PaymentStatus};

pub(crate) const HOUR_MS: i64 = 3_600_000;
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Which payments to show. Empty lists mean "any".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PaymentFilter {
    /// Inclusive start.
    pub from: Option<Timestamp>,
    /// Exclusive end.
    pub to: Option<Timestamp>,
    pub methods: Vec<PaymentMethod>,
    pub providers: Vec<Provider>,
    pub statuses: Vec<PaymentStatus>,
}

/// Where the next page starts: after the last row shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Cursor {
    pub received_at: Timestamp,
    pub id: i64,
}

/// One KPI cell: payments of a method and status in a currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct KpiGroup {
    pub method: PaymentMethod,
    pub provider: Provider,
    pub status: PaymentStatus,
    pub count: i64,
    pub amount: Money,
}

/// Totals for the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Kpis {
    /// Number of payments matching the filter (the row count of every page together).
    pub count: i64,
    /// Every (method, provider, status, currency) group present.
    pub groups: Vec<KpiGroup>,
}

impl Kpis {
    /// Sum of a currency's payments matching `pred`.
    pub fn total(&self, currency: Currency, pred: impl Fn(&KpiGroup) -> bool) -> Money {
        let minor = self
            .groups
            .iter()
            .filter(|g| g.amount.currency == currency && pred(g))
            .map(|g| g.amount.minor)
            .sum();
        Money::from_minor(minor, currency)
    }

    /// Received (not refunded or reversed) total of a method.
    pub fn received_by_method(&self, currency: Currency, method: PaymentMethod) -> Money {
        self.total(currency, |g| {
            g.method == method && g.status == PaymentStatus::Received
        })
    }
}

/// A page of payments with the filter's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentsPage {
    pub rows: Vec<Payment>,
    /// `Some` when there may be more rows.
    pub next: Option<Cursor>,
    pub kpis: Kpis,
}

/// SQL conditions and their values for the non-time parts of the filter.
pub(crate) fn dimension_sql(f: &PaymentFilter, values: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    let mut list = |col: &str, codes: Vec<&'static str>| {
        if codes.is_empty() {
            return;
        }
        sql.push_str(&format!(
            " AND {col} IN ({})",
            vec!["?"; codes.len()].join(",")
        ));
        values.extend(codes.into_iter().map(|c| Value::Text(c.to_string())));
    };
    list("method", f.methods.iter().map(|m| m.code()).collect());
    list("provider", f.providers.iter().map(|p| p.code()).collect());
    list("status", f.statuses.iter().map(|s| s.code()).collect());
    sql
}

type GroupKey = (String, String, String, String);

fn add_groups(
    conn: &Connection,
    sql: &str,
    values: Vec<Value>,
    into: &mut BTreeMap<GroupKey, (i64, i64)>,
) -> Result<()> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt.query_map(params_from_iter(values), |r| {
        Ok((
            (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?),
            r.get::<_, i64>(4)?,
            r.get::<_, i64>(5)?,
        ))
    })?;
    for row in rows {
        let (key, n, s) = row?;
        let e = into.entry(key).or_insert((0, 0));
        e.0 += n;
        e.1 += s;
    }
    Ok(())
}

/// A rollup level and a bucket range `[first, end)`.
pub(crate) type Rollup = (&'static str, i64, i64);

/// Splits `[from, to)` into whole days, whole hours at the edges, and sub-hour raw edges. Day
/// `d` starts at `d × DAY_MS − day_offset` (0 for UTC days, the shop's offset for its days);
/// no offset: whole hours only.
pub(crate) fn segments(
    from: i64,
    to: i64,
    day_offset: Option<i64>,
) -> (Vec<Rollup>, Vec<(i64, i64)>) {
    let mut rollups = Vec::new();
    let mut raw = Vec::new();
    let mut by_hour = |a: i64, b: i64, rollups: &mut Vec<Rollup>| {
        if a >= b {
            return;
        }
        let (h0, h1) = (ceil_div(a, HOUR_MS), b.div_euclid(HOUR_MS));
        if h0 < h1 {
            rollups.push(("hour", h0, h1));
            raw.push((a, h0.saturating_mul(HOUR_MS)));
            raw.push((h1.saturating_mul(HOUR_MS), b));
        } else {
            raw.push((a, b));
        }
    };
    let days = day_offset.map(|off| {
        let (d0, d1) = (
            ceil_div(from.saturating_add(off), DAY_MS),
            to.saturating_add(off).div_euclid(DAY_MS),
        );
        (d0, d1, off)
    });
    match days {
        Some((d0, d1, off)) if d0 < d1 => {
            rollups.push(("day", d0, d1));
            by_hour(from, d0.saturating_mul(DAY_MS) - off, &mut rollups);
            by_hour(d1.saturating_mul(DAY_MS) - off, to, &mut rollups);
        }
        _ => by_hour(from, to, &mut rollups),
    }
    raw.retain(|(a, b)| a < b);
    (rollups, raw)
}

pub(crate) fn ceil_div(a: i64, b: i64) -> i64 {
    a.div_euclid(b) + i64::from(a.rem_euclid(b) != 0)
}

/// KPI totals for the filter (see the module doc for how).
pub(crate) fn kpis(conn: &Connection, f: &PaymentFilter) -> Result<Kpis> {
    let from = f.from.map_or(i64::MIN / 4, |t| t.0);
    let to = f.to.map_or(i64::MAX / 4, |t| t.0);
    let mut groups = BTreeMap::new();
    if from < to {
        let (rollups, raw) = segments(from, to, Some(0));
        for (level, b0, b1) in rollups {
            let mut values = vec![
                Value::Text(level.to_string()),
                Value::Integer(b0),
                Value::Integer(b1),
            ];
            let dims = dimension_sql(f, &mut values);
            let sql = format!(
                "SELECT method, provider, status, currency, SUM(count), SUM(amount_minor) FROM payment_rollup
                 WHERE level = ? AND bucket >= ? AND bucket < ?{dims} GROUP BY 1, 2, 3, 4"
            );
            add_groups(conn, &sql, values, &mut groups)?;
        }
        for (a, b) in raw {
            let mut values = vec![Value::Integer(a), Value::Integer(b)];
            let dims = dimension_sql(f, &mut values);
            let sql = format!(
                "SELECT method, provider, status, currency, COUNT(*), SUM(amount_minor) FROM payments
                 WHERE received_at >= ? AND received_at < ?{dims} GROUP BY 1, 2, 3, 4"
            );
            add_groups(conn, &sql, values, &mut groups)?;
        }
    }
    let mut out = Kpis::default();
    for ((method, provider, status, currency), (count, sum)) in groups {
        if count == 0 {
            continue;
        }
        out.count += count;
        out.groups.push(KpiGroup {
            method: PaymentMethod::from_code(&method)
                .ok_or_else(|| corrupt("rollup method", &method))?,
            provider: Provider::from_code(&provider)
                .ok_or_else(|| corrupt("rollup provider", &provider))?,
            status: PaymentStatus::from_code(&status)
                .ok_or_else(|| corrupt("rollup status", &status))?,
            count,
            amount: Money::from_minor(
                sum,
                currency
                    .parse()
                    .map_err(|e| corrupt("rollup currency", e))?,
            ),
        });
    }
    Ok(out)
}

/// A page of payments, newest first, after `cursor`, with the filter's KPIs.
pub(crate) fn page(
    conn: &Connection,
    f: &PaymentFilter,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<PaymentsPage> {
    let limit = limit.clamp(1, 1_000);
    let mut values = vec![
        Value::Integer(f.from.map_or(i64::MIN, |t| t.0)),
        Value::Integer(f.to.map_or(i64::MAX, |t| t.0)),
    ];
    let dims = dimension_sql(f, &mut values);
    let (c_at, c_id) = cursor.map_or((i64::MAX, i64::MAX), |c| (c.received_at.0, c.id));
    values.extend([
        Value::Integer(c_at),
        Value::Integer(c_id),
        Value::Integer(limit),
    ]);
    let sql = format!(
        "SELECT {} FROM payments WHERE received_at >= ? AND received_at < ?{dims}
         AND (received_at, id) < (?, ?) ORDER BY received_at DESC, id DESC LIMIT ?",
        payments::COLUMNS
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows: Vec<Payment> = Vec::new();
    for row in stmt.query_map(params_from_iter(values), payments::from_row)? {
        rows.push(row??);
    }
    let next = if rows.len() as i64 == limit {
        rows.last().map(|p| Cursor {
            received_at: p.received_at,
            id: p.id,
        })
    } else {
        None
    };
    Ok(PaymentsPage {
        rows,
        next,
        kpis: kpis(conn, f)?,
    })
}
