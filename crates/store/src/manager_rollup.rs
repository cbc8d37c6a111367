//! The manager's searches answered from `payment_ledger` and `ledger_rollup` (see
//! [`crate::table::ledger`]): each payment's ledger status, refunds, cashier and target are
//! kept beside it, so no search computes them row by row.
//!
//! - The page walks `payment_ledger` in the order it shows (an index per filter that narrows:
//!   time, status, cashier, method) and reads each shown payment by id.
//! - Totals and the chart, for a search without free text, add up the rollup's whole shop
//!   days and whole hours, and `payment_ledger` rows in the partial hours at either end: a
//!   year of a million payments is a few thousand rollup rows. A text search reads its
//!   matching rows from `payment_ledger`.
//!
//! `Store::payments_search_scan`, `_totals_scan` and `_chart_scan` compute the same from the
//! ledger's own tables; the tests hold them equal.

use std::collections::BTreeMap;

use malipo_core::PaymentMethod;
use rusqlite::{params_from_iter, types::Value, Connection};

use crate::dashboard::{self, Cursor, HOUR_MS};
use crate::error::{corrupt, Result};
use crate::manager::{
    found_of, payment_columns, plain, text_sql, ChartSpan, FoundPayment, LedgerStatus,
    PaymentSearch, SearchTotal,
};
use crate::table::ledger::SHOP_OFFSET_MS;
use crate::table::payment_text;

/// The search's conditions on the columns `payment_ledger` and `ledger_rollup` share, each
/// written `{prefix}column`.
fn dims_sql(s: &PaymentSearch, prefix: &str, values: &mut Vec<Value>) -> String {
    let mut sql = String::new();
    let mut list = |col: &str, codes: Vec<&'static str>| {
        if !codes.is_empty() {
            sql.push_str(&format!(
                " AND {prefix}{col} IN ({})",
                vec!["?"; codes.len()].join(",")
            ));
            values.extend(codes.into_iter().map(|c| Value::Text(c.to_owned())));
        }
    };
    let f = &s.filter;
    list("method", f.methods.iter().map(|m| m.code()).collect());
    list("provider", f.providers.iter().map(|p| p.code()).collect());
    list("ledger", s.ledger.iter().map(|l| l.code()).collect());
    if let Some(cashier) = &s.cashier {
        sql.push_str(&format!(" AND {prefix}cashier = ?"));
        values.push(Value::Text(cashier.clone()));
    }
    sql
}

fn has_text(s: &PaymentSearch) -> bool {
    s.text.as_deref().map(plain).is_some_and(|t| !t.is_empty())
}

/// Whether the search's free text was answered through the text index: the payments it
/// matches are then in `temp.text_hits` (see [`payment_text::hits`]).
fn text_match(conn: &Connection, s: &PaymentSearch) -> Result<bool> {
    match s.text.as_deref().map(plain).filter(|t| !t.is_empty()) {
        Some(text) => {
            let mut values = Vec::new();
            let exact = text_sql(s, &mut values);
            payment_text::hits(conn, &text, &exact, values)
        }
        None => Ok(false),
    }
}

/// `FROM … WHERE …` of the search's rows of `payment_ledger l` within `[from, to)`, joined to
/// `payments p` when `with_payment` or for free text; walking `index` (empty: SQLite's
/// choice), or the payments matching the text first when `hits`.
fn rows_by(
    s: &PaymentSearch,
    (from, to): (i64, i64),
    with_payment: bool,
    (index, hits): (&str, bool),
    values: &mut Vec<Value>,
) -> String {
    let head = if hits {
        "temp.text_hits t CROSS JOIN payment_ledger l ON l.payment_id = t.id".to_owned()
    } else if index.is_empty() {
        "payment_ledger l".to_owned()
    } else {
        format!("payment_ledger l INDEXED BY {index}")
    };
    // Text the index answered is already in `text_hits`; any other is matched here.
    let text = has_text(s) && !hits;
    let join = if with_payment || text {
        " CROSS JOIN payments p ON p.id = l.payment_id"
    } else {
        ""
    };
    values.extend([Value::Integer(from), Value::Integer(to)]);
    let dims = dims_sql(s, "l.", values);
    let mut sql = format!("{head}{join} WHERE l.received_at >= ? AND l.received_at < ?{dims}");
    if text {
        sql.push_str(&text_sql(s, values));
    }
    sql
}

fn range(s: &PaymentSearch) -> (i64, i64) {
    (
        s.filter.from.map_or(i64::MIN / 4, |t| t.0),
        s.filter.to.map_or(i64::MAX / 4, |t| t.0),
    )
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

/// The pieces of the search's range to read: rollup `(level, first, end)` buckets, then raw
/// `[a, b)` spans of `payment_ledger` (the whole range for a text search). `hours_only` keeps
/// day buckets out (an hourly chart).
fn pieces(s: &PaymentSearch, hours_only: bool) -> (Vec<dashboard::Rollup>, Vec<(i64, i64)>) {
    let (from, to) = range(s);
    if from >= to {
        return (Vec::new(), Vec::new());
    }
    if has_text(s) {
        return (Vec::new(), vec![(from, to)]);
    }
    dashboard::segments(from, to, (!hours_only).then_some(SHOP_OFFSET_MS))
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

/// Every row of the search's pieces: `rollup(level, dims)` is the query of one rollup piece
/// (`level = ? AND bucket >= ? AND bucket < ?` bound first), `raw(rows)` that of one raw span
/// (`FROM {rows}`); both give rows `read` can read.
fn gather<T>(
    conn: &Connection,
    s: &PaymentSearch,
    hours_only: bool,
    rollup: impl Fn(&str, &str) -> String,
    raw: impl Fn(&str) -> String,
    read: impl Fn(&rusqlite::Row<'_>) -> Result<T> + Copy,
) -> Result<Vec<T>> {
    let m = text_match(conn, s)?;
    let (rollups, spans) = pieces(s, hours_only);
    let mut out = Vec::new();
    for (level, b0, b1) in rollups {
        let mut values = vec![
            Value::Text(level.into()),
            Value::Integer(b0),
            Value::Integer(b1),
        ];
        let dims = dims_sql(s, "", &mut values);
        out.extend(each(conn, &rollup(level, &dims), values, read)?);
    }
    for span in spans {
        let mut values = Vec::new();
        let rows = rows_by(s, span, false, ("", m), &mut values);
        out.extend(each(conn, &raw(&rows), values, read)?);
    }
    Ok(out)
}

pub(crate) fn totals(conn: &Connection, s: &PaymentSearch) -> Result<Vec<SearchTotal>> {
    let read = |r: &rusqlite::Row<'_>| -> Result<((String, String), Cell)> {
        Ok((
            (r.get(0)?, r.get(1)?),
            Cell {
                count: r.get(2)?,
                amount: r.get(3)?,
                refunded: r.get(4)?,
                refunded_count: r.get(5)?,
            },
        ))
    };
    let rows = gather(
        conn,
        s,
        false,
        |_, dims| {
            format!(
                "SELECT method, ledger, SUM(count), SUM(amount_minor), SUM(refunded_minor),
                        SUM(refunded_count)
                 FROM ledger_rollup WHERE level = ? AND bucket >= ? AND bucket < ?{dims} GROUP BY 1, 2"
            )
        },
        |rows| {
            format!(
                "SELECT l.method, l.ledger, COUNT(*), SUM(l.amount_minor), SUM(l.refunded_minor),
                        SUM(l.refunded_minor > 0) FROM {rows} GROUP BY 1, 2"
            )
        },
        read,
    )?;
    let mut cells: BTreeMap<(String, String), Cell> = BTreeMap::new();
    for (key, c) in rows {
        let e = cells.entry(key).or_default();
        e.count += c.count;
        e.amount = e.amount.saturating_add(c.amount);
        e.refunded = e.refunded.saturating_add(c.refunded);
        e.refunded_count += c.refunded_count;
    }
    let mut out = Vec::new();
    for ((m, ledger), c) in cells {
        if c.count == 0 {
            continue;
        }
        out.push(SearchTotal {
            method: method(&m)?,
            ledger: LedgerStatus::from_code(&ledger)
                .ok_or_else(|| corrupt("ledger status", &ledger))?,
            count: c.count,
            amount_minor: c.amount,
            refunded_minor: c.refunded,
            refunded_count: c.refunded_count,
        });
    }
    Ok(out)
}

pub(crate) fn chart(
    conn: &Connection,
    s: &PaymentSearch,
    span: ChartSpan,
) -> Result<Vec<(i64, PaymentMethod, i64)>> {
    let read = |r: &rusqlite::Row<'_>| -> Result<(i64, String, i64)> {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    };
    let rows = gather(
        conn,
        s,
        span == ChartSpan::Hour,
        |level, dims| {
            let at = match level {
                "hour" => format!("bucket * {HOUR_MS}"),
                _ => format!("bucket * {} - {SHOP_OFFSET_MS}", dashboard::DAY_MS),
            };
            format!(
                "SELECT {}, method, SUM(amount_minor) FROM ledger_rollup
                 WHERE level = ? AND bucket >= ? AND bucket < ? AND ledger != 'unmatched'{dims}
                 GROUP BY bucket, method",
                span.start_sql(&at)
            )
        },
        |rows| {
            format!(
                "SELECT {}, l.method, SUM(l.amount_minor) FROM {rows} AND l.ledger != 'unmatched'
                 GROUP BY 1, 2",
                span.start_sql("l.received_at")
            )
        },
        read,
    )?;
    let mut sums: BTreeMap<(i64, String), i64> = BTreeMap::new();
    for (start, m, sum) in rows {
        let e = sums.entry((start, m)).or_default();
        *e = e.saturating_add(sum);
    }
    let mut out = Vec::new();
    for ((start, m), sum) in sums {
        if sum != 0 {
            out.push((start, method(&m)?, sum));
        }
    }
    Ok(out)
}

/// The index a page walks and the searches, one per value of the walked column, whose pages
/// are merged: each walks its index in the order shown (no sort) and stops at the page's
/// length. Rare statuses (refunded, unmatched) first, then methods (one may be rare), then the
/// cashier; otherwise time. Left to itself SQLite read a month of one method's index and
/// sorted it, 28 ms a page.
fn walks(s: &PaymentSearch) -> (&'static str, Vec<PaymentSearch>) {
    let one_status = |l: LedgerStatus| PaymentSearch {
        ledger: vec![l],
        ..s.clone()
    };
    let mut statuses = s.ledger.clone();
    statuses.dedup();
    let mut methods = s.filter.methods.clone();
    methods.sort_by_key(|m| m.code());
    methods.dedup();
    let rare = !statuses.is_empty() && !statuses.contains(&LedgerStatus::Received);
    if rare || (!statuses.is_empty() && methods.is_empty() && s.cashier.is_none()) {
        (
            "payment_ledger_status",
            statuses.into_iter().map(one_status).collect(),
        )
    } else if !methods.is_empty() {
        let one_method = |m: PaymentMethod| {
            let mut one = s.clone();
            one.filter.methods = vec![m];
            one
        };
        (
            "payment_ledger_method",
            methods.into_iter().map(one_method).collect(),
        )
    } else if s.cashier.is_some() {
        ("payment_ledger_cashier", vec![s.clone()])
    } else {
        ("payment_ledger_time", vec![s.clone()])
    }
}

/// A page of the search, newest first, strictly before `cursor`.
pub(crate) fn page(
    conn: &Connection,
    s: &PaymentSearch,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Vec<FoundPayment>> {
    let m = text_match(conn, s)?;
    let limit = limit.clamp(1, 1_000);
    let (c_at, c_id) = cursor.map_or((i64::MAX, i64::MAX), |c| (c.received_at.0, c.id));
    let columns = payment_columns();
    let (index, searches) = walks(s);
    let mut out = Vec::new();
    for one in searches {
        let mut values = Vec::new();
        let rows = rows_by(&one, range(s), true, (index, m), &mut values);
        values.extend([c_at, c_at, c_id, limit].map(Value::Integer));
        // The cursor as a bound on time (which the index can seek), then the tie on id.
        let sql = format!(
            "SELECT {columns}, l.ledger, l.refunded_minor, l.cashier, l.target_kind, l.target_id
             FROM {rows} AND l.received_at <= ? AND (l.received_at < ? OR l.payment_id < ?)
             ORDER BY l.received_at DESC, l.payment_id DESC LIMIT ?"
        );
        out.extend(each(conn, &sql, values, found_of)?);
    }
    out.sort_by_key(|f| std::cmp::Reverse((f.payment.received_at.0, f.payment.id)));
    out.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(out)
}
