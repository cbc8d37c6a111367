//! The manager's searches over the ledger: payments filtered like the dashboard
//! ([`PaymentFilter`]) plus free text, cashier and the ledger status the manager sees
//! (received / refunded / unmatched), newest first with the dashboard's keyset [`Cursor`];
//! their totals and takings per hour computed by SQLite (never by loading rows); refunds of
//! one payment; open sales and invoices to attach money to.

use malipo_core::{PaymentMethod, TargetRef, Timestamp};
use rusqlite::{params_from_iter, types::Value, Connection};

use crate::dashboard::{Cursor, PaymentFilter, DAY_MS, HOUR_MS};
use crate::error::{corrupt, Result};
use crate::table::ledger::SHOP_OFFSET_MS;
use crate::table::payments::{self, Payment};
use crate::table::refunds::Refund;
use crate::Store;

/// What a manager sees a payment as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerStatus {
    /// Allocated (wholly or partly) and not refunded.
    Received,
    /// Reversed/refunded in full, or with at least one completed refund.
    Refunded,
    /// Money still (partly) without a home.
    Unmatched,
}

impl LedgerStatus {
    /// The contract's code.
    pub const fn code(self) -> &'static str {
        match self {
            LedgerStatus::Received => "received",
            LedgerStatus::Refunded => "refunded",
            LedgerStatus::Unmatched => "unmatched",
        }
    }

    pub(crate) fn from_code(s: &str) -> Option<LedgerStatus> {
        [Self::Received, Self::Refunded, Self::Unmatched]
            .into_iter()
            .find(|l| l.code() == s)
    }
}

/// The dashboard filter plus what only the manager screens ask.
#[derive(Debug, Clone, Default)]
pub struct PaymentSearch {
    /// Date range, methods, providers (its `statuses` are ignored: see `ledger`).
    pub filter: PaymentFilter,
    /// Empty = any.
    pub ledger: Vec<LedgerStatus>,
    /// The sale's cashier, exact.
    pub cashier: Option<String>,
    /// Receipt/reference prefix, sale or invoice number prefix, payer name substring, or
    /// phone digits (already normalised by the caller).
    pub text: Option<String>,
}

/// One payment as found, with what the manager's row needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundPayment {
    pub payment: Payment,
    pub ledger: LedgerStatus,
    /// Completed refunds/reversals, minor units.
    pub refunded_minor: i64,
    /// The first sale/invoice it was allocated to.
    pub target: Option<TargetRef>,
    /// That sale's cashier.
    pub cashier: Option<String>,
}

/// Totals of the search per method and ledger status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchTotal {
    pub method: PaymentMethod,
    pub ledger: LedgerStatus,
    pub count: i64,
    pub amount_minor: i64,
    pub refunded_minor: i64,
    pub refunded_count: i64,
}

/// The last Z number (setting).
pub const DAY_Z_NUMBER: &str = "day.z.number";
/// When the last Z closed, epoch ms (setting).
pub const DAY_Z_LAST_MS: &str = "day.z.last_ms";

pub(crate) const LEDGER_SQL: &str = "(CASE WHEN p.status != 'received' OR EXISTS (SELECT 1 FROM refunds r
      WHERE r.payment_id = p.id AND r.status = 'completed') THEN 'refunded'
    WHEN EXISTS (SELECT 1 FROM unmatched_receipts u WHERE u.payment_id = p.id AND u.placed_at IS NULL)
      THEN 'unmatched' ELSE 'received' END)";
const REFUNDED_SQL: &str = "(SELECT COALESCE(SUM(r.amount_minor), 0) FROM refunds r
    WHERE r.payment_id = p.id AND r.status = 'completed')";
const CASHIER_SQL: &str = "(SELECT s.cashier FROM allocations a JOIN sales s
    ON a.target_kind = 'sale' AND s.id = a.target_id WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1)";

/// `%` in what people type is dropped (a `_` stays: it matches itself, or any one character).
pub(crate) fn plain(text: &str) -> String {
    text.chars().filter(|c| *c != '%').collect()
}

/// The WHERE clause (after `WHERE 1`) and its values.
pub(crate) fn where_sql(s: &PaymentSearch, values: &mut Vec<Value>) -> String {
    let f = &s.filter;
    let mut sql = String::new();
    if let Some(from) = f.from {
        sql.push_str(" AND p.received_at >= ?");
        values.push(Value::Integer(from.0));
    }
    if let Some(to) = f.to {
        sql.push_str(" AND p.received_at < ?");
        values.push(Value::Integer(to.0));
    }
    let mut list = |sql: &mut String, col: &str, codes: Vec<&'static str>| {
        if !codes.is_empty() {
            sql.push_str(&format!(
                " AND {col} IN ({})",
                vec!["?"; codes.len()].join(",")
            ));
            values.extend(codes.into_iter().map(|c| Value::Text(c.to_owned())));
        }
    };
    list(
        &mut sql,
        "p.method",
        f.methods.iter().map(|m| m.code()).collect(),
    );
    list(
        &mut sql,
        "p.provider",
        f.providers.iter().map(|p| p.code()).collect(),
    );
    list(
        &mut sql,
        LEDGER_SQL,
        s.ledger.iter().map(|l| l.code()).collect(),
    );
    if let Some(cashier) = &s.cashier {
        sql.push_str(&format!(" AND {CASHIER_SQL} = ?"));
        values.push(Value::Text(cashier.clone()));
    }
    sql.push_str(&text_sql(s, values));
    sql
}

/// The free-text condition on `payments p` (after `WHERE …`), empty without text.
pub(crate) fn text_sql(s: &PaymentSearch, values: &mut Vec<Value>) -> String {
    let Some(text) = s.text.as_deref().map(plain).filter(|t| !t.is_empty()) else {
        return String::new();
    };
    values.extend((0..6).map(|_| Value::Text(text.clone())));
    " AND (p.provider_txn_id LIKE ? || '%' OR p.payer_name LIKE '%' || ? || '%'
      OR p.payer_phone LIKE '%' || ? || '%' OR p.account_reference LIKE ? || '%'
      OR EXISTS (SELECT 1 FROM allocations a
          LEFT JOIN sales s ON a.target_kind = 'sale' AND s.id = a.target_id
          LEFT JOIN invoices i ON a.target_kind = 'invoice' AND i.id = a.target_id
          WHERE a.payment_id = p.id AND (s.number LIKE ? || '%' OR i.number LIKE ? || '%')))"
        .to_owned()
}

fn target_of(kind: Option<String>, id: Option<i64>) -> Option<TargetRef> {
    match (kind.as_deref(), id) {
        (Some("sale"), Some(id)) => Some(TargetRef::Sale(id)),
        (Some("invoice"), Some(id)) => Some(TargetRef::Invoice(id)),
        _ => None,
    }
}

/// How wide the chart's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartSpan {
    /// Clock hours.
    Hour,
    /// Shop days (East Africa Time).
    Day,
}

impl ChartSpan {
    /// SQL for the start (epoch ms) of the column holding the epoch-ms expression `at`.
    pub(crate) fn start_sql(self, at: &str) -> String {
        match self {
            ChartSpan::Hour => format!("(({at}) / {HOUR_MS}) * {HOUR_MS}"),
            ChartSpan::Day => {
                format!("((({at}) + {SHOP_OFFSET_MS}) / {DAY_MS}) * {DAY_MS} - {SHOP_OFFSET_MS}")
            }
        }
    }
}

impl Store {
    /// A page of payments matching `search`, newest first, after `cursor` (from
    /// `payment_ledger`: see [`crate::table::ledger`]).
    pub fn payments_search(
        &self,
        search: &PaymentSearch,
        limit: i64,
        cursor: Option<Cursor>,
    ) -> Result<Vec<FoundPayment>> {
        crate::manager_rollup::page(&self.conn, search, limit, cursor)
    }

    /// [`Store::payments_search`] computed from the ledger's own tables, row by row.
    pub fn payments_search_scan(
        &self,
        search: &PaymentSearch,
        limit: i64,
        cursor: Option<Cursor>,
    ) -> Result<Vec<FoundPayment>> {
        search_page(&self.conn, search, limit, cursor)
    }

    /// Totals of every payment matching `search`, per method and ledger status, ordered by
    /// method and ledger code. Without free text it adds up `ledger_rollup` (whole shop days
    /// and hours) and the partial hours at the edges, so a year of a million payments totals
    /// in milliseconds whatever the dates, methods, providers, statuses and cashier; with text
    /// it reads the matching rows. [`Store::payments_search_totals_scan`] gives the same
    /// answer from the ledger's own tables.
    pub fn payments_search_totals(&self, search: &PaymentSearch) -> Result<Vec<SearchTotal>> {
        crate::manager_rollup::totals(&self.conn, search)
    }

    /// [`Store::payments_search_totals`] by reading every matching payment.
    pub fn payments_search_totals_scan(&self, search: &PaymentSearch) -> Result<Vec<SearchTotal>> {
        let mut values = Vec::new();
        let cond = where_sql(search, &mut values);
        let sql = format!(
            "SELECT method, ledger, COUNT(*), SUM(amount_minor), SUM(refunded), SUM(refunded > 0)
             FROM (SELECT p.method AS method, {LEDGER_SQL} AS ledger, p.amount_minor AS amount_minor,
                          {REFUNDED_SQL} AS refunded FROM payments p WHERE 1{cond})
             GROUP BY 1, 2 ORDER BY 1, 2"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(values), |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (method, ledger, count, amount_minor, refunded_minor, refunded_count) = row?;
            out.push(SearchTotal {
                method: PaymentMethod::from_code(&method)
                    .ok_or_else(|| corrupt("payment method", &method))?,
                ledger: LedgerStatus::from_code(&ledger)
                    .ok_or_else(|| corrupt("ledger status", &ledger))?,
                count,
                amount_minor,
                refunded_minor,
                refunded_count,
            });
        }
        Ok(out)
    }

    /// Gross takings (received or refunded payments) per column of `span` (its start, epoch
    /// ms) and method, ascending by start, then method code. From the rollup as
    /// [`Store::payments_search_totals`].
    pub fn payments_search_chart(
        &self,
        search: &PaymentSearch,
        span: ChartSpan,
    ) -> Result<Vec<(i64, PaymentMethod, i64)>> {
        crate::manager_rollup::chart(&self.conn, search, span)
    }

    /// [`Store::payments_search_chart`] by reading every matching payment.
    pub fn payments_search_chart_scan(
        &self,
        search: &PaymentSearch,
        span: ChartSpan,
    ) -> Result<Vec<(i64, PaymentMethod, i64)>> {
        let mut values = Vec::new();
        let cond = where_sql(search, &mut values);
        let sql = format!(
            "SELECT {}, p.method, SUM(p.amount_minor)
             FROM payments p WHERE {LEDGER_SQL} != 'unmatched'{cond} GROUP BY 1, 2 ORDER BY 1, 2",
            span.start_sql("p.received_at")
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(params_from_iter(values), |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (start, method, sum) = row?;
            let method =
                PaymentMethod::from_code(&method).ok_or_else(|| corrupt("method", &method))?;
            out.push((start, method, sum));
        }
        Ok(out)
    }

    /// One payment as the manager's row shows it.
    pub fn payment_found(&self, payment_id: i64) -> Result<Option<FoundPayment>> {
        let search = PaymentSearch::default();
        let rows = search_page(
            &self.conn,
            &search,
            1,
            Some(Cursor {
                received_at: self.payment_get(payment_id)?.received_at,
                id: payment_id.saturating_add(1),
            }),
        )?;
        Ok(rows.into_iter().find(|r| r.payment.id == payment_id))
    }

    /// Every refund/reversal of a payment, oldest first.
    pub fn refunds_for_payment(&self, payment_id: i64) -> Result<Vec<Refund>> {
        let ids: Vec<i64> = self
            .conn
            .prepare_cached("SELECT id FROM refunds WHERE payment_id = ?1 ORDER BY id")?
            .query_map([payment_id], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.refund_get(id)).collect()
    }

    /// Refunds that completed or failed strictly after `(completed_at, id)`, in that order,
    /// at most 100, each with its `completed_at`.
    pub fn refunds_finished_after(&self, after: (i64, i64)) -> Result<Vec<(i64, Refund)>> {
        let rows: Vec<(i64, i64)> = self
            .conn
            .prepare_cached(
                "SELECT completed_at, id FROM refunds WHERE completed_at IS NOT NULL
                   AND (completed_at, id) > (?1, ?2) ORDER BY completed_at, id LIMIT 100",
            )?
            .query_map([after.0, after.1], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(at, id)| Ok((at, self.refund_get(id)?)))
            .collect()
    }

    /// Invoices that received an allocation with an id above `after` (each once), and the
    /// highest allocation id seen (`after` when none).
    pub fn invoices_allocated_after(&self, after: i64) -> Result<(Vec<i64>, i64)> {
        let rows: Vec<(i64, String, i64)> = self
            .conn
            .prepare_cached(
                "SELECT id, target_kind, target_id FROM allocations WHERE id > ?1 ORDER BY id LIMIT 1000",
            )?
            .query_map([after], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut mark = after;
        let mut invoices = Vec::new();
        for (id, kind, target) in rows {
            mark = mark.max(id);
            if kind == "invoice" && !invoices.contains(&target) {
                invoices.push(target);
            }
        }
        Ok((invoices, mark))
    }

    /// The highest allocation id (0 when none).
    pub fn allocations_last_id(&self) -> Result<i64> {
        Ok(self
            .conn
            .prepare_cached("SELECT COALESCE(MAX(id), 0) FROM allocations")?
            .query_row([], |r| r.get(0))?)
    }

    /// Who requested a refund and when (epoch ms).
    pub fn refund_requested(&self, refund_id: i64) -> Result<(String, i64)> {
        Ok(self
            .conn
            .prepare_cached("SELECT actor, created_at FROM refunds WHERE id = ?1")?
            .query_row([refund_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
    }

    /// Open sales and issued invoices whose number starts with `query` (or whose customer's
    /// name/phone contains it), newest first, at most `limit`.
    pub fn open_targets(&self, query: &str, limit: i64) -> Result<Vec<TargetRef>> {
        let q = plain(query.trim());
        let mut stmt = self.conn.prepare_cached(
            "SELECT kind, id FROM (
               SELECT 'sale' AS kind, id, created_at FROM sales
                WHERE status = 'open' AND number LIKE ?1 || '%'
               UNION ALL
               SELECT 'invoice', id, created_at FROM invoices
                WHERE status = 'issued' AND (number LIKE ?1 || '%' OR customer_name LIKE '%' || ?1 || '%'
                      OR COALESCE(customer_phone, '') LIKE '%' || ?1 || '%'))
             ORDER BY created_at DESC, id DESC LIMIT ?2",
        )?;
        let rows = stmt.query_map(rusqlite::params![q, limit], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, id) = row?;
            out.extend(target_of(Some(kind), Some(id)));
        }
        Ok(out)
    }

    /// The names of the active managers.
    pub fn manager_names(&self) -> Result<Vec<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT name FROM users WHERE role = 'manager' AND active = 1 ORDER BY name",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// The raw body of an inbox event, as received.
    pub fn inbox_body(&self, inbox_id: i64) -> Result<Option<Vec<u8>>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT body FROM provider_inbox WHERE id = ?1")?
            .query_row([inbox_id], |r| r.get(0))
            .optional()?)
    }

    /// The payment an attempt confirmed, if any.
    pub fn payment_of_attempt(&self, attempt_id: i64) -> Result<Option<i64>> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .prepare_cached("SELECT id FROM payments WHERE attempt_id = ?1")?
            .query_row([attempt_id], |r| r.get(0))
            .optional()?)
    }

    /// The open unmatched receipt of a payment, if any.
    pub fn unmatched_for_payment(
        &self,
        payment_id: i64,
    ) -> Result<Option<crate::UnmatchedReceipt>> {
        Ok(
            crate::table::unmatched::for_payment(&self.conn, payment_id)?
                .filter(|u| u.placed_at.is_none()),
        )
    }

    /// Closes the day: the Z number, its end and the report (JSON) are kept as settings
    /// (`day.z.number`, `day.z.last_ms`, `day.z.<n>`) with one `day_closed` audit line, all in
    /// one transaction. Returns the new Z number.
    pub fn day_close(&mut self, to: Timestamp, report_json: &str, actor: &str) -> Result<i64> {
        self.write(|tx| {
            let last: i64 = crate::table::settings::get(tx, DAY_Z_NUMBER)?
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            let number = last.saturating_add(1);
            let n = number.to_string();
            crate::table::settings::set(tx, DAY_Z_NUMBER, &n, to)?;
            crate::table::settings::set(tx, DAY_Z_LAST_MS, &to.0.to_string(), to)?;
            crate::table::settings::set(tx, &format!("day.z.{n}"), report_json, to)?;
            let detail = format!("Z {n} closed the day");
            let line = crate::table::audit::AuditLine {
                actor,
                action: "day_closed",
                entity: "day",
                entity_id: &n,
                before: None,
                after: Some(&detail),
            };
            crate::table::audit::append(tx, line, to)?;
            Ok(number)
        })
    }
}

fn search_page(
    conn: &Connection,
    search: &PaymentSearch,
    limit: i64,
    cursor: Option<Cursor>,
) -> Result<Vec<FoundPayment>> {
    let limit = limit.clamp(1, 1_000);
    let mut values = Vec::new();
    let cond = where_sql(search, &mut values);
    let (c_at, c_id) = cursor.map_or((i64::MAX, i64::MAX), |c| (c.received_at.0, c.id));
    values.extend([
        Value::Integer(c_at),
        Value::Integer(c_id),
        Value::Integer(limit),
    ]);
    let columns = payment_columns();
    let sql = format!(
        "SELECT {columns}, {LEDGER_SQL}, {REFUNDED_SQL}, {CASHIER_SQL},
           (SELECT a.target_kind FROM allocations a WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1),
           (SELECT a.target_id FROM allocations a WHERE a.payment_id = p.id ORDER BY a.id LIMIT 1)
         FROM payments p WHERE 1{cond} AND (p.received_at, p.id) < (?, ?)
         ORDER BY p.received_at DESC, p.id DESC LIMIT ?"
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut rows = stmt.query(params_from_iter(values))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(found_of(r)?);
    }
    Ok(out)
}

/// The payment's columns, each as `p.column`.
pub(crate) fn payment_columns() -> String {
    payments::COLUMNS
        .split(',')
        .map(|c| format!("p.{}", c.trim()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A found payment from its row: the payment's columns, then ledger, refunded, cashier, target
/// kind and id.
pub(crate) fn found_of(r: &rusqlite::Row<'_>) -> Result<FoundPayment> {
    let payment = payments::from_row(r)??;
    let ledger: String = r.get(15)?;
    Ok(FoundPayment {
        payment,
        ledger: LedgerStatus::from_code(&ledger)
            .ok_or_else(|| corrupt("ledger status", &ledger))?,
        refunded_minor: r.get(16)?,
        cashier: r.get(17)?,
        target: target_of(r.get(18)?, r.get(19)?),
    })
}
