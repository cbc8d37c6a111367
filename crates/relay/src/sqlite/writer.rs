//! Group commit: one writer thread appends events for every concurrent request in a shared
//! transaction and answers each request only after that transaction commits.
//!
//! A `synchronous=FULL` commit costs a disk flush, so one commit per event caps ingest at the
//! disk's flush rate (about 4,000/s on the development machines). While one batch is being
//! flushed the next requests queue up; the writer takes them all (up to `MAX_BATCH`) into the
//! next transaction, so under load many events share one flush and each is still answered only
//! once it is durable. Each event sits in its own savepoint, so one bad event (an unknown shop)
//! fails alone without leaving a gap in the sequence.

use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Mutex};

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{db, to_u64};
use crate::store::{NewEvent, ShopId, StoreError};

/// Most events in one transaction: bounds the latency a batch adds to its first event.
const MAX_BATCH: usize = 512;

/// One request waiting for its event to be committed.
pub(super) struct Job {
    pub shop: ShopId,
    pub event: NewEvent,
    pub reply: SyncSender<Result<u64, StoreError>>,
}

/// Runs until every sender is gone (the store was dropped).
pub(super) fn run(conn: Arc<Mutex<Connection>>, jobs: Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = commit(&conn, &batch);
        for (job, result) in batch.into_iter().zip(results) {
            // The requester may have gone (its connection dropped); the event is stored anyway.
            let _ = job.reply.send(result);
        }
    }
}

/// Appends `batch` in one transaction; one result per job, in order.
fn commit(conn: &Mutex<Connection>, batch: &[Job]) -> Vec<Result<u64, StoreError>> {
    let all_failed = |e: StoreError| {
        let message = e.to_string();
        batch
            .iter()
            .map(|_| Err(StoreError::Database(message.clone())))
            .collect()
    };
    let Ok(mut conn) = conn.lock() else {
        return all_failed(StoreError::Database("connection lock poisoned".into()));
    };
    let mut tx = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return all_failed(db(e)),
    };
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let one = tx.savepoint().map_err(db).and_then(|sp| {
            let seq = append_one(&sp, job.shop, &job.event)?;
            sp.commit().map_err(db)?;
            Ok(seq)
        });
        results.push(one);
    }
    match tx.commit() {
        Ok(()) => results,
        Err(e) => all_failed(db(e)),
    }
}

fn append_one(conn: &Connection, shop: ShopId, event: &NewEvent) -> Result<u64, StoreError> {
    let headers =
        serde_json::to_string(&event.headers).map_err(|e| StoreError::Database(e.to_string()))?;
    let seq: i64 = conn
        .query_row(
            "UPDATE shops SET last_seq = last_seq + 1 WHERE id = ?1 RETURNING last_seq",
            [shop.0],
            |r| r.get(0),
        )
        .optional()
        .map_err(db)?
        .ok_or(StoreError::NotFound("shop"))?;
    conn.prepare_cached(
        "INSERT INTO events (shop_id, seq, kind, received_ms, source, headers, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )
    .map_err(db)?
    .execute(params![
        shop.0,
        seq,
        event.kind,
        event.received_ms,
        event.source,
        headers,
        event.body
    ])
    .map_err(db)?;
    Ok(to_u64(seq))
}
