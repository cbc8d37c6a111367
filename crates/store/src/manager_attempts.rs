//! The manager's transactions list also shows charges that brought no money: attempts still
//! pending, and attempts that ended without money (failed, cancelled, timed out, expired),
//! filtered like the payments (date range on when they started, method, provider, the sale's
//! cashier, free text on reference/account/phone), newest first with a keyset cursor, and
//! their totals. An attempt that confirmed a payment is shown as that payment instead.

use malipo_core::Timestamp;
use rusqlite::{params_from_iter, types::Value};

use crate::dashboard::PaymentFilter;
use crate::error::Result;
use crate::table::attempts::AttemptRow;
use crate::Store;

/// Which attempts: the filter's dates/methods/providers, and the classes wanted.
#[derive(Debug, Clone, Default)]
pub struct AttemptSearch {
    pub filter: PaymentFilter,
    pub pending: bool,
    pub failed: bool,
    pub cashier: Option<String>,
    /// Provider reference or account reference prefix, or phone digits (normalised).
    pub text: Option<String>,
}

const FAILED: &str = "('failed', 'cancelled', 'timed_out', 'expired')";

fn where_sql(s: &AttemptSearch, values: &mut Vec<Value>) -> String {
    // `paid` is kept by triggers (see `table::attempts::SCHEMA_V7`) and indexed where 0.
    let mut sql = String::from(" AND a.paid = 0");
    match (s.pending, s.failed) {
        (true, true) => sql.push_str(&format!(
            " AND (a.state = 'pending' OR a.state IN {FAILED})"
        )),
        (true, false) => sql.push_str(" AND a.state = 'pending'"),
        (false, true) => sql.push_str(&format!(" AND a.state IN {FAILED}")),
        (false, false) => sql.push_str(" AND 0"),
    }
    let f = &s.filter;
    if let Some(from) = f.from {
        sql.push_str(" AND a.created_at >= ?");
        values.push(Value::Integer(from.0));
    }
    if let Some(to) = f.to {
        sql.push_str(" AND a.created_at < ?");
        values.push(Value::Integer(to.0));
    }
    for (col, codes) in [
        (
            "a.method",
            f.methods.iter().map(|m| m.code()).collect::<Vec<_>>(),
        ),
        ("a.provider", f.providers.iter().map(|p| p.code()).collect()),
    ] {
        if !codes.is_empty() {
            sql.push_str(&format!(
                " AND {col} IN ({})",
                vec!["?"; codes.len()].join(",")
            ));
            values.extend(codes.into_iter().map(|c| Value::Text(c.to_owned())));
        }
    }
    if let Some(cashier) = &s.cashier {
        sql.push_str(
            " AND EXISTS (SELECT 1 FROM sales s WHERE a.target_kind = 'sale' AND s.id = a.target_id AND s.cashier = ?)",
        );
        values.push(Value::Text(cashier.clone()));
    }
    if let Some(text) = s.text.as_deref().filter(|t| !t.is_empty()) {
        let t: String = text.chars().filter(|c| *c != '%').collect();
        sql.push_str(
            " AND (a.provider_ref LIKE ? || '%' OR a.account_reference LIKE ? || '%'
                  OR COALESCE(a.phone, '') LIKE '%' || ? || '%')",
        );
        values.extend((0..3).map(|_| Value::Text(t.clone())));
    }
    sql
}

impl Store {
    /// Attempts matching `search`, newest first, strictly before `(created_at, id)`.
    pub fn attempts_search(
        &self,
        search: &AttemptSearch,
        limit: i64,
        before: Option<(Timestamp, i64)>,
    ) -> Result<Vec<AttemptRow>> {
        let mut values = Vec::new();
        let cond = where_sql(search, &mut values);
        let (at, id) = before.map_or((i64::MAX, i64::MAX), |(t, id)| (t.0, id));
        values.extend([
            Value::Integer(at),
            Value::Integer(id),
            Value::Integer(limit.clamp(1, 1_000)),
        ]);
        let sql = format!(
            "SELECT a.id FROM payment_attempts a WHERE 1{cond} AND (a.created_at, a.id) < (?, ?)
             ORDER BY a.created_at DESC, a.id DESC LIMIT ?"
        );
        let ids: Vec<i64> = self
            .conn
            .prepare(&sql)?
            .query_map(params_from_iter(values), |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.attempt_get(id)).collect()
    }

    /// (pending count, pending sum, failed count, failed sum) of the attempts matching `search`.
    pub fn attempts_search_totals(&self, search: &AttemptSearch) -> Result<(i64, i64, i64, i64)> {
        let mut values = Vec::new();
        let cond = where_sql(search, &mut values);
        let sql = format!(
            "SELECT COALESCE(SUM(a.state = 'pending'), 0),
                    COALESCE(SUM(CASE WHEN a.state = 'pending' THEN a.amount_minor ELSE 0 END), 0),
                    COALESCE(SUM(a.state != 'pending'), 0),
                    COALESCE(SUM(CASE WHEN a.state != 'pending' THEN a.amount_minor ELSE 0 END), 0)
             FROM payment_attempts a WHERE 1{cond}"
        );
        Ok(self
            .conn
            .prepare(&sql)?
            .query_row(params_from_iter(values), |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
            })?)
    }

    /// The cashier of a sale (for an attempt's row).
    pub fn sale_cashier(&self, sale_id: i64) -> Result<String> {
        Ok(self.sale_get(sale_id)?.cashier)
    }
}
