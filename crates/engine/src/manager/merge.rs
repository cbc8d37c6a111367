//! One list of payments and attempts (pending / failed), newest first: both come from the
//! store page by page with their own keyset cursors and are merged here. The order is
//! `at_ms` descending, then payments before attempts, then id descending; the opaque cursor
//! is `"<at_ms>:p<id>"` or `"<at_ms>:a<id>"`, the last row shown.

use malipo_core::{AttemptState, Money, TargetRef, Timestamp};
use malipo_store::{AttemptRow, AttemptSearch, Cursor, PaymentSearch, Store};

use super::transactions::{row_of, TxRow};
use super::{mask_phone, method_code, provider_code, target_view, ManagerError, TargetRefView};

/// What to read for one filter (`None`: that kind cannot match).
#[derive(Debug, Clone)]
pub(crate) struct Searches {
    pub pay: Option<PaymentSearch>,
    pub att: Option<AttemptSearch>,
}

/// A position in the merged order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Key {
    pub at: i64,
    /// 1 = payment, 0 = attempt (payments first at the same instant).
    pub kind: u8,
    pub id: i64,
}

pub(crate) fn parse_cursor(cursor: Option<&str>) -> Result<Option<Key>, ManagerError> {
    let Some(c) = cursor.filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let bad = || ManagerError::Invalid("the page cursor is not one this till gave".into());
    let (at, rest) = c.split_once(':').ok_or_else(bad)?;
    let (kind, id) = match rest.split_at_checked(1) {
        Some(("p", id)) => (1, id),
        Some(("a", id)) => (0, id),
        _ => return Err(bad()),
    };
    Ok(Some(Key {
        at: at.parse().map_err(|_| bad())?,
        kind,
        id: id.parse().map_err(|_| bad())?,
    }))
}

pub(crate) fn cursor_of(row: &TxRow) -> String {
    format!("{}:{}", row.at_ms, row.row_id)
}

fn attempt_row(store: &Store, a: &AttemptRow, till_id: &str) -> Result<TxRow, ManagerError> {
    let v = target_view(store, a.target)?;
    let cashier = match a.target {
        TargetRef::Sale(id) => Some(store.sale_cashier(id)?),
        TargetRef::Invoice(_) => None,
    };
    Ok(TxRow {
        row_id: format!("a{}", a.id),
        payment_id: None,
        attempt_id: Some(a.id),
        at_ms: a.created_at.0,
        method: method_code(a.method).into(),
        provider: provider_code(a.method.provider()).into(),
        status: if a.state == AttemptState::Pending {
            "pending"
        } else {
            "failed"
        }
        .into(),
        amount: a.amount,
        refunded: Money::from_minor(0, a.amount.currency),
        receipt: None,
        payer_name: None,
        payer_masked: a.phone.as_deref().map(mask_phone),
        target: Some(TargetRefView {
            kind: v.kind,
            id: v.id,
            number: v.number,
        }),
        cashier,
        till_id: till_id.to_owned(),
        reason: a.reason.clone(),
    })
}

/// Up to `limit` rows after `after`, merged; the second value is whether more may follow.
pub(crate) fn rows_after(
    store: &Store,
    s: &Searches,
    after: Option<Key>,
    limit: i64,
    till_id: &str,
) -> Result<(Vec<TxRow>, bool), ManagerError> {
    let pay_cursor = after.map(|k| Cursor {
        received_at: Timestamp(k.at),
        id: if k.kind == 1 { k.id } else { i64::MIN },
    });
    let att_before = after.map(|k| (Timestamp(k.at), if k.kind == 1 { i64::MAX } else { k.id }));
    let mut rows: Vec<(Key, TxRow)> = Vec::new();
    if let Some(p) = &s.pay {
        for f in store.payments_search(p, limit, pay_cursor)? {
            let key = Key {
                at: f.payment.received_at.0,
                kind: 1,
                id: f.payment.id,
            };
            rows.push((key, row_of(store, &f, till_id)?));
        }
    }
    if let Some(a) = &s.att {
        for at in store.attempts_search(a, limit, att_before)? {
            let key = Key {
                at: at.created_at.0,
                kind: 0,
                id: at.id,
            };
            rows.push((key, attempt_row(store, &at, till_id)?));
        }
    }
    let fetched = rows.len();
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    let limit = usize::try_from(limit).unwrap_or(0);
    rows.truncate(limit);
    let more = fetched > rows.len() || rows.len() == limit;
    Ok((rows.into_iter().map(|(_, r)| r).collect(), more))
}
