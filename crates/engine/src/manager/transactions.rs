//! All transactions: the filtered page with its KPI tiles and takings by hour, one payment's
//! detail, and the CSV export that streams page by page over the keyset cursor.

use std::io::Write;
use std::path::Path;

use malipo_core::{Currency, Money, PaymentMethod, Timestamp};
use malipo_store::{
    AttemptSearch, ChartSpan, FoundPayment, LedgerStatus, PaymentFilter, PaymentSearch, Store,
};

use super::merge::{cursor_of, parse_cursor, rows_after, Key, Searches};
use serde::{Deserialize, Serialize};

use super::{
    mask_phone, method_code, methods_of, provider_code, provider_of, search_text, target_view,
    ManagerError, RefundView, TargetRefView, TargetView,
};
use crate::engine::Engine;

/// Rows per page the export reads.
pub const EXPORT_PAGE: i64 = 1_000;

/// The manager's filter, exactly as the UI sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TxFilter {
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
    #[serde(default)]
    pub methods: Vec<String>,
    #[serde(default)]
    pub providers: Vec<String>,
    #[serde(default)]
    pub statuses: Vec<String>,
    pub cashier: Option<String>,
    pub text: Option<String>,
}

/// One row of the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxRow {
    pub row_id: String,
    pub payment_id: Option<i64>,
    pub attempt_id: Option<i64>,
    pub at_ms: i64,
    pub method: String,
    pub provider: String,
    pub status: String,
    pub amount: Money,
    pub refunded: Money,
    pub receipt: Option<String>,
    pub payer_name: Option<String>,
    pub payer_masked: Option<String>,
    pub target: Option<TargetRefView>,
    pub cashier: Option<String>,
    pub till_id: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MethodTotal {
    pub method: String,
    pub count: i64,
    pub amount: Money,
}

/// The KPI tiles over every row matching the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Kpis {
    pub received: Money,
    pub received_count: i64,
    pub by_method: Vec<MethodTotal>,
    pub pending: Money,
    pub pending_count: i64,
    pub failed: Money,
    pub failed_count: i64,
    pub refunded: Money,
    pub refunded_count: i64,
    pub unmatched: Money,
    pub unmatched_count: i64,
}

/// One column's takings by one method: `start_ms` is the start of its clock hour, or of its
/// shop day (East Africa Time midnight), by the page's [`ChartBucketKind`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChartBucket {
    pub start_ms: i64,
    pub method: String,
    pub amount: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxPage {
    pub rows: Vec<TxRow>,
    pub next: Option<String>,
    pub kpis: Kpis,
    pub chart: Vec<ChartBucket>,
    pub chart_bucket: ChartBucketKind,
}

/// How wide the chart's columns are: hours for a range of at most [`HOURLY_CHART_MAX_MS`],
/// days for anything longer (a month of hours is 744 columns no one can read).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChartBucketKind {
    Hour,
    Day,
}

/// The longest range charted by the hour: two days.
pub const HOURLY_CHART_MAX_MS: i64 = 48 * 3_600_000;

impl ChartBucketKind {
    /// The kind for a filter's range (no dates: days).
    pub fn for_range(from_ms: Option<i64>, to_ms: Option<i64>) -> ChartBucketKind {
        match (from_ms, to_ms) {
            (Some(a), Some(b)) if b.saturating_sub(a) <= HOURLY_CHART_MAX_MS => {
                ChartBucketKind::Hour
            }
            _ => ChartBucketKind::Day,
        }
    }

    fn span(self) -> ChartSpan {
        match self {
            ChartBucketKind::Hour => ChartSpan::Hour,
            ChartBucketKind::Day => ChartSpan::Day,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub label: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditLineView {
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TxDetail {
    pub row: TxRow,
    pub target: Option<TargetView>,
    pub references: Vec<Reference>,
    pub raw_event: Option<String>,
    pub audit: Vec<AuditLineView>,
    pub refunds: Vec<RefundView>,
    pub refundable: Money,
    pub partial_refund: bool,
}

/// What an export wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportDone {
    pub rows: u64,
    /// How many pages it read (each at most [`EXPORT_PAGE`] rows).
    pub pages: u64,
}

/// Contract method order for the KPI tiles.
const METHOD_ORDER: [&str; 7] = [
    "cash",
    "mpesa_stk",
    "mpesa_qr",
    "mpesa_paybill",
    "mpesa_till",
    "card",
    "billpay",
];

/// The store's searches for a filter.
fn search_of(f: &TxFilter) -> Result<Searches, ManagerError> {
    let mut methods = Vec::new();
    for m in &f.methods {
        methods.extend(methods_of(m)?);
    }
    let providers = f
        .providers
        .iter()
        .map(|p| provider_of(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut ledger = Vec::new();
    let (mut pending, mut failed) = (f.statuses.is_empty(), f.statuses.is_empty());
    for s in &f.statuses {
        match s.as_str() {
            "received" => ledger.push(LedgerStatus::Received),
            "refunded" => ledger.push(LedgerStatus::Refunded),
            "unmatched" => ledger.push(LedgerStatus::Unmatched),
            "pending" => pending = true,
            "failed" => failed = true,
            other => return Err(ManagerError::Invalid(format!("unknown status {other:?}"))),
        }
    }
    let filter = PaymentFilter {
        from: f.from_ms.map(Timestamp),
        to: f.to_ms.map(Timestamp),
        methods,
        providers,
        statuses: Vec::new(),
    };
    let cashier = f.cashier.clone().filter(|c| !c.is_empty());
    let text = f.text.as_deref().map(search_text).filter(|t| !t.is_empty());
    let pay = (f.statuses.is_empty() || !ledger.is_empty()).then(|| PaymentSearch {
        filter: filter.clone(),
        ledger,
        cashier: cashier.clone(),
        text: text.clone(),
    });
    let att = (pending || failed).then_some(AttemptSearch {
        filter,
        pending,
        failed,
        cashier,
        text,
    });
    Ok(Searches { pay, att })
}

pub(crate) fn row_of(
    store: &Store,
    f: &FoundPayment,
    till_id: &str,
) -> Result<TxRow, ManagerError> {
    let p = &f.payment;
    let target = match f.target {
        Some(t) => {
            let v = target_view(store, t)?;
            Some(TargetRefView {
                kind: v.kind,
                id: v.id,
                number: v.number,
            })
        }
        None => None,
    };
    Ok(TxRow {
        row_id: format!("p{}", p.id),
        payment_id: Some(p.id),
        attempt_id: p.attempt_id,
        at_ms: p.received_at.0,
        method: method_code(p.method).into(),
        provider: provider_code(p.provider).into(),
        status: f.ledger.code().into(),
        amount: p.amount,
        refunded: Money::from_minor(f.refunded_minor, p.amount.currency),
        receipt: p
            .provider_txn_id
            .clone()
            .filter(|_| p.method != PaymentMethod::Cash),
        payer_name: p.payer_name.clone(),
        payer_masked: p.payer_phone.as_deref().map(mask_phone),
        target,
        cashier: f.cashier.clone(),
        till_id: till_id.to_owned(),
        reason: None,
    })
}

fn kpis_of(
    store: &Store,
    search: Option<&PaymentSearch>,
    currency: Currency,
) -> Result<Kpis, ManagerError> {
    let zero = Money::from_minor(0, currency);
    let mut k = Kpis {
        received: zero,
        received_count: 0,
        by_method: Vec::new(),
        pending: zero,
        pending_count: 0,
        failed: zero,
        failed_count: 0,
        refunded: zero,
        refunded_count: 0,
        unmatched: zero,
        unmatched_count: 0,
    };
    let Some(search) = search else {
        return Ok(k);
    };
    let add = |m: &mut Money, v: i64| m.minor = m.minor.saturating_add(v);
    for t in store.payments_search_totals(search)? {
        match t.ledger {
            LedgerStatus::Received | LedgerStatus::Refunded => {
                add(&mut k.received, t.amount_minor);
                k.received_count += t.count;
                let code = method_code(t.method);
                match k.by_method.iter_mut().find(|m| m.method == code) {
                    Some(m) => {
                        m.count += t.count;
                        add(&mut m.amount, t.amount_minor);
                    }
                    None => k.by_method.push(MethodTotal {
                        method: code.into(),
                        count: t.count,
                        amount: Money::from_minor(t.amount_minor, currency),
                    }),
                }
            }
            LedgerStatus::Unmatched => {
                add(&mut k.unmatched, t.amount_minor);
                k.unmatched_count += t.count;
            }
        }
        add(&mut k.refunded, t.refunded_minor);
        k.refunded_count += t.refunded_count;
    }
    k.by_method
        .sort_by_key(|m| METHOD_ORDER.iter().position(|o| *o == m.method));
    Ok(k)
}

/// The chart's buckets from the store's (start, method, sum) rows, ascending by start: methods
/// the contract shows as one (both card methods) are added together. Only the current
/// column's buckets are searched (searching them all for each row was quadratic).
fn chart_of(columns: Vec<(i64, PaymentMethod, i64)>, currency: Currency) -> Vec<ChartBucket> {
    let mut out: Vec<ChartBucket> = Vec::with_capacity(columns.len());
    let mut column_starts_at = 0;
    for (start, m, sum) in columns {
        if out.last().is_some_and(|b| b.start_ms != start) {
            column_starts_at = out.len();
        }
        let code = method_code(m);
        match out[column_starts_at..]
            .iter_mut()
            .find(|b| b.method == code)
        {
            Some(b) => b.amount.minor = b.amount.minor.saturating_add(sum),
            None => out.push(ChartBucket {
                start_ms: start,
                method: code.into(),
                amount: Money::from_minor(sum, currency),
            }),
        }
    }
    out
}

impl Engine {
    /// A page of the filtered transactions, newest first, with the filter's KPIs and chart.
    pub fn transactions_page(
        &self,
        filter: &TxFilter,
        cursor: Option<&str>,
        limit: i64,
        till_id: &str,
    ) -> Result<TxPage, ManagerError> {
        if !(1..=200).contains(&limit) {
            return Err(ManagerError::Invalid("limit must be 1 to 200".into()));
        }
        let searches = search_of(filter)?;
        let search = searches.pay.clone();
        let after = parse_cursor(cursor)?;
        let currency = self.config().currency;
        let store = self.store()?;
        let (rows, more) = rows_after(&store, &searches, after, limit, till_id)?;
        let next = more.then(|| rows.last().map(cursor_of)).flatten();
        let mut kpis = kpis_of(&store, search.as_ref(), currency)?;
        if let Some(att) = &searches.att {
            let (pc, ps, fc, fs) = store.attempts_search_totals(att)?;
            kpis.pending = Money::from_minor(ps, currency);
            kpis.pending_count = pc;
            kpis.failed = Money::from_minor(fs, currency);
            kpis.failed_count = fc;
        }
        let chart_bucket = ChartBucketKind::for_range(filter.from_ms, filter.to_ms);
        let chart = match &search {
            Some(s) => chart_of(
                store.payments_search_chart(s, chart_bucket.span())?,
                currency,
            ),
            None => Vec::new(),
        };
        Ok(TxPage {
            rows,
            next,
            kpis,
            chart,
            chart_bucket,
        })
    }

    /// Streams every row matching `filter` to a CSV file at `path`, one page at a time (the
    /// store lock is held per page, never for the whole file).
    pub fn transactions_export_csv(
        &self,
        filter: &TxFilter,
        path: &Path,
        till_id: &str,
    ) -> Result<ExportDone, ManagerError> {
        let search = search_of(filter)?;
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension("csv.part");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        out.write_all(b"date,time,row_id,method,provider,status,amount,refunded,currency,receipt,payer_name,payer_phone,sale_or_invoice,cashier,till,reason\r\n")?;
        let mut done = ExportDone { rows: 0, pages: 0 };
        let mut after: Option<Key> = None;
        loop {
            let (rows, more) = {
                let store = self.store()?;
                rows_after(&store, &search, after, EXPORT_PAGE, till_id)?
            };
            done.pages += 1;
            for row in &rows {
                write_row(&mut out, row)?;
            }
            done.rows += rows.len() as u64;
            after = match rows.last() {
                Some(last) if more => parse_cursor(Some(&cursor_of(last)))?,
                _ => break,
            };
        }
        out.flush()?;
        drop(out);
        std::fs::rename(&tmp, path)?;
        Ok(done)
    }
}

/// `1250.00` for 125000 KES minor units: integers only.
pub fn major_text(m: Money) -> String {
    let exp = m.currency.exponent();
    let sign = if m.minor < 0 { "-" } else { "" };
    let abs = m.minor.unsigned_abs();
    if exp == 0 {
        return format!("{sign}{abs}");
    }
    let scale = 10u64.pow(exp);
    format!(
        "{sign}{}.{:0width$}",
        abs / scale,
        abs % scale,
        width = exp as usize
    )
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

/// UTC date and time of an epoch-ms timestamp (civil-from-days, no clock read).
fn date_time(ms: i64) -> (String, String) {
    let secs = ms.div_euclid(1000);
    let days = secs.div_euclid(86_400);
    let tod = secs.rem_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        format!("{y:04}-{m:02}-{d:02}"),
        format!("{:02}:{:02}:{:02}", tod / 3600, tod % 3600 / 60, tod % 60),
    )
}

fn write_row(out: &mut impl Write, r: &TxRow) -> std::io::Result<()> {
    let (date, time) = date_time(r.at_ms);
    let fields = [
        date,
        time,
        r.row_id.clone(),
        r.method.clone(),
        r.provider.clone(),
        r.status.clone(),
        major_text(r.amount),
        major_text(r.refunded),
        r.amount.currency.to_string(),
        r.receipt.clone().unwrap_or_default(),
        r.payer_name.clone().unwrap_or_default(),
        r.payer_masked.clone().unwrap_or_default(),
        r.target
            .as_ref()
            .map(|t| t.number.clone())
            .unwrap_or_default(),
        r.cashier.clone().unwrap_or_default(),
        r.till_id.clone(),
        r.reason.clone().unwrap_or_default(),
    ];
    let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_chart_adds_both_card_methods_in_each_hour_and_keeps_hours_apart() {
        let h = 3_600_000;
        let buckets = chart_of(
            vec![
                (h, PaymentMethod::CardInline, 100),
                (h, PaymentMethod::CardLink, 50),
                (h, PaymentMethod::Cash, 7),
                (2 * h, PaymentMethod::CardLink, 5),
                (2 * h, PaymentMethod::MpesaStk, 9),
            ],
            Currency::Kes,
        );
        let seen: Vec<(i64, &str, i64)> = buckets
            .iter()
            .map(|b| (b.start_ms, b.method.as_str(), b.amount.minor))
            .collect();
        assert_eq!(
            seen,
            vec![
                (h, "card", 150),
                (h, "cash", 7),
                (2 * h, "card", 5),
                (2 * h, "mpesa_stk", 9),
            ]
        );
    }
}
