//! The SQLite [`EventStore`]: one file in WAL mode with `synchronous=FULL`, so a commit is on
//! disk before the provider is answered; `:memory:` for tests.
//!
//! Sequence numbers come from `shops.last_seq`, bumped in the same transaction that inserts
//! the event, so they never repeat even after old events are pruned.

use std::path::Path;
use std::sync::{mpsc, Arc, Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};

mod writer;

use crate::store::{Device, DeviceId, EventStore, NewEvent, ShopId, StoreError, StoredEvent};
use crate::token::TokenHash;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS shops (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    endpoint_token_hash TEXT NOT NULL UNIQUE,
    last_seq INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    id INTEGER PRIMARY KEY,
    shop_id INTEGER NOT NULL REFERENCES shops(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    acked_seq INTEGER NOT NULL DEFAULT 0,
    created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS events (
    shop_id INTEGER NOT NULL REFERENCES shops(id),
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    received_ms INTEGER NOT NULL,
    source TEXT NOT NULL,
    headers TEXT NOT NULL,
    body BLOB NOT NULL,
    PRIMARY KEY (shop_id, seq)
) WITHOUT ROWID;
";

/// The relay's SQLite database.
///
/// Reads share one connection; appends go through one writer thread that group-commits them
/// (see `writer`).
#[derive(Debug)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    writer: mpsc::Sender<writer::Job>,
}

fn db(e: rusqlite::Error) -> StoreError {
    if let rusqlite::Error::SqliteFailure(f, _) = &e {
        if f.code == rusqlite::ErrorCode::ConstraintViolation {
            return StoreError::DuplicateToken;
        }
    }
    StoreError::Database(e.to_string())
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::init(Connection::open(path).map_err(db)?)
    }

    /// A private in-memory database (tests).
    pub fn in_memory() -> Result<Self, StoreError> {
        Self::init(Connection::open_in_memory().map_err(db)?)
    }

    fn init(conn: Connection) -> Result<Self, StoreError> {
        // WAL lets the till streams read while a provider's event commits; FULL makes each
        // commit durable before `append` returns, which is what the provider's 200 promises.
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(db)?;
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        conn.execute_batch(SCHEMA).map_err(db)?;
        let conn = Arc::new(Mutex::new(conn));
        let (writer, jobs) = mpsc::channel();
        let shared = conn.clone();
        std::thread::Builder::new()
            .name("relay-writer".into())
            .spawn(move || writer::run(shared, jobs))
            .map_err(|e| StoreError::Database(format!("cannot start the writer thread: {e}")))?;
        Ok(Self { conn, writer })
    }

    fn conn(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Database("connection lock poisoned".into()))
    }
}

impl EventStore for SqliteStore {
    fn create_shop(
        &self,
        name: &str,
        endpoint: &TokenHash,
        now_ms: i64,
    ) -> Result<ShopId, StoreError> {
        let conn = self.conn()?;
        conn.execute(
            "INSERT INTO shops (name, endpoint_token_hash, created_ms) VALUES (?1, ?2, ?3)",
            params![name, endpoint.as_str(), now_ms],
        )
        .map_err(db)?;
        Ok(ShopId(conn.last_insert_rowid()))
    }

    fn create_device(
        &self,
        shop: ShopId,
        name: &str,
        token: &TokenHash,
        now_ms: i64,
    ) -> Result<DeviceId, StoreError> {
        let conn = self.conn()?;
        let exists: Option<i64> = conn
            .query_row("SELECT id FROM shops WHERE id = ?1", [shop.0], |r| r.get(0))
            .optional()
            .map_err(db)?;
        if exists.is_none() {
            return Err(StoreError::NotFound("shop"));
        }
        conn.execute(
            "INSERT INTO devices (shop_id, name, token_hash, created_ms) VALUES (?1, ?2, ?3, ?4)",
            params![shop.0, name, token.as_str(), now_ms],
        )
        .map_err(db)?;
        Ok(DeviceId(conn.last_insert_rowid()))
    }

    fn shop_by_endpoint(&self, endpoint: &TokenHash) -> Result<Option<ShopId>, StoreError> {
        self.conn()?
            .query_row(
                "SELECT id FROM shops WHERE endpoint_token_hash = ?1",
                [endpoint.as_str()],
                |r| r.get(0).map(ShopId),
            )
            .optional()
            .map_err(db)
    }

    fn device_by_token(&self, token: &TokenHash) -> Result<Option<Device>, StoreError> {
        self.conn()?
            .query_row(
                "SELECT id, shop_id FROM devices WHERE token_hash = ?1",
                [token.as_str()],
                |r| {
                    Ok(Device {
                        id: DeviceId(r.get(0)?),
                        shop: ShopId(r.get(1)?),
                    })
                },
            )
            .optional()
            .map_err(db)
    }

    fn append(&self, shop: ShopId, event: &NewEvent) -> Result<u64, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let job = writer::Job {
            shop,
            event: event.clone(),
            reply,
        };
        let stopped = || StoreError::Database("the writer thread stopped".into());
        self.writer.send(job).map_err(|_| stopped())?;
        answer.recv().map_err(|_| stopped())?
    }

    fn events_after(
        &self,
        shop: ShopId,
        after: u64,
        limit: usize,
    ) -> Result<Vec<StoredEvent>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare_cached(
                "SELECT seq, kind, received_ms, source, headers, body FROM events
                 WHERE shop_id = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            )
            .map_err(db)?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![shop.0, to_i64(after), limit], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Vec<u8>>(5)?,
                ))
            })
            .map_err(db)?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, kind, received_ms, source, headers, body) = row.map_err(db)?;
            let headers: Vec<(String, String)> = serde_json::from_str(&headers)
                .map_err(|e| StoreError::Database(format!("stored headers unreadable: {e}")))?;
            out.push(StoredEvent {
                seq: to_u64(seq),
                event: NewEvent {
                    kind,
                    received_ms,
                    source,
                    headers,
                    body,
                },
            });
        }
        Ok(out)
    }

    fn acknowledge(&self, device: DeviceId, seq: u64) -> Result<u64, StoreError> {
        self.conn()?
            .query_row(
                "UPDATE devices SET acked_seq = MAX(acked_seq,
                     MIN(?2, (SELECT last_seq FROM shops WHERE shops.id = devices.shop_id)))
                 WHERE id = ?1 RETURNING acked_seq",
                params![device.0, to_i64(seq)],
                |r| r.get(0).map(to_u64),
            )
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound("device"))
    }

    fn acknowledged(&self, device: DeviceId) -> Result<u64, StoreError> {
        self.conn()?
            .query_row(
                "SELECT acked_seq FROM devices WHERE id = ?1",
                [device.0],
                |r| r.get(0).map(to_u64),
            )
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound("device"))
    }

    fn rotate_endpoint(&self, shop: ShopId, endpoint: &TokenHash) -> Result<(), StoreError> {
        let changed = self
            .conn()?
            .execute(
                "UPDATE shops SET endpoint_token_hash = ?2 WHERE id = ?1",
                params![shop.0, endpoint.as_str()],
            )
            .map_err(db)?;
        if changed == 0 {
            return Err(StoreError::NotFound("shop"));
        }
        Ok(())
    }

    fn rotate_device(&self, device: DeviceId, token: &TokenHash) -> Result<Device, StoreError> {
        self.conn()?
            .query_row(
                "UPDATE devices SET token_hash = ?2 WHERE id = ?1 RETURNING id, shop_id",
                params![device.0, token.as_str()],
                |r| {
                    Ok(Device {
                        id: DeviceId(r.get(0)?),
                        shop: ShopId(r.get(1)?),
                    })
                },
            )
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound("device"))
    }

    fn prune_acknowledged(&self, before_ms: i64) -> Result<u64, StoreError> {
        let deleted = self
            .conn()?
            .execute(
                "DELETE FROM events WHERE received_ms < ?1 AND seq <= (
                     SELECT MIN(acked_seq) FROM devices WHERE devices.shop_id = events.shop_id)",
                [before_ms],
            )
            .map_err(db)?;
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }

    fn last_seq(&self, shop: ShopId) -> Result<u64, StoreError> {
        self.conn()?
            .query_row("SELECT last_seq FROM shops WHERE id = ?1", [shop.0], |r| {
                r.get(0).map(to_u64)
            })
            .optional()
            .map_err(db)?
            .ok_or(StoreError::NotFound("shop"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(body: &[u8]) -> NewEvent {
        NewEvent {
            kind: "stk".into(),
            received_ms: 1,
            source: "127.0.0.1:1".into(),
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_vec(),
        }
    }

    #[test]
    fn sequences_are_per_shop_and_acks_are_cumulative_and_bounded() {
        let s = SqliteStore::in_memory().unwrap();
        let a = s.create_shop("A", &TokenHash::of("a"), 0).unwrap();
        let b = s.create_shop("B", &TokenHash::of("b"), 0).unwrap();
        assert_eq!(s.append(a, &event(b"1")).unwrap(), 1);
        assert_eq!(s.append(a, &event(b"2")).unwrap(), 2);
        assert_eq!(s.append(b, &event(b"x")).unwrap(), 1);
        let got = s.events_after(a, 0, 10).unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[1].event, event(b"2"));
        let d = s.create_device(a, "till", &TokenHash::of("d"), 0).unwrap();
        assert_eq!(s.acknowledge(d, 1).unwrap(), 1);
        assert_eq!(s.acknowledge(d, 0).unwrap(), 1, "never moves back");
        assert_eq!(
            s.acknowledge(d, 99).unwrap(),
            2,
            "never beyond the last event"
        );
        assert!(matches!(
            s.create_device(ShopId(42), "x", &TokenHash::of("e"), 0),
            Err(StoreError::NotFound("shop"))
        ));
        assert!(matches!(
            s.create_shop("C", &TokenHash::of("a"), 0),
            Err(StoreError::DuplicateToken)
        ));
    }

    #[test]
    fn concurrent_appends_share_commits_and_get_gapless_per_shop_sequences() {
        let dir = tempfile::tempdir().unwrap();
        let s = Arc::new(SqliteStore::open(&dir.path().join("relay.sqlite")).unwrap());
        let shops = [
            s.create_shop("A", &TokenHash::of("a"), 0).unwrap(),
            s.create_shop("B", &TokenHash::of("b"), 0).unwrap(),
        ];
        let threads: Vec<_> = (0..16u8)
            .map(|t| {
                let s = s.clone();
                std::thread::spawn(move || {
                    let shop = shops[usize::from(t % 2)];
                    let seqs: Vec<u64> = (0..50u8)
                        .map(|i| s.append(shop, &event(&[t, i])).unwrap())
                        .collect();
                    assert!(
                        seqs.windows(2).all(|w| w[0] < w[1]),
                        "a sender's events stay in order"
                    );
                    (shop, seqs)
                })
            })
            .collect();
        for t in threads {
            let (shop, seqs) = t.join().unwrap();
            for (i, seq) in seqs.into_iter().enumerate() {
                let stored = s.events_after(shop, seq - 1, 1).unwrap();
                assert_eq!(stored[0].seq, seq);
                assert_eq!(stored[0].event.body[1], u8::try_from(i).unwrap());
            }
        }
        for shop in shops {
            let all = s.events_after(shop, 0, 1000).unwrap();
            assert_eq!(all.len(), 400);
            assert!(all.iter().enumerate().all(|(i, e)| e.seq == i as u64 + 1));
        }
        assert!(matches!(
            s.append(ShopId(99), &event(b"x")),
            Err(StoreError::NotFound("shop"))
        ));
        assert_eq!(s.append(shops[0], &event(b"after")).unwrap(), 401);
    }

    #[test]
    fn rotation_keeps_the_log_and_the_mark_and_pruning_keeps_what_a_till_lacks() {
        let s = SqliteStore::in_memory().unwrap();
        let a = s.create_shop("A", &TokenHash::of("a"), 0).unwrap();
        let b = s.create_shop("B", &TokenHash::of("b"), 0).unwrap();
        let till = s.create_device(a, "till", &TokenHash::of("t"), 0).unwrap();
        let other = s
            .create_device(a, "till 2", &TokenHash::of("t2"), 0)
            .unwrap();
        for ms in [10, 20, 30] {
            s.append(
                a,
                &NewEvent {
                    received_ms: ms,
                    ..event(b"a")
                },
            )
            .unwrap();
        }
        s.append(
            b,
            &NewEvent {
                received_ms: 10,
                ..event(b"b")
            },
        )
        .unwrap();
        s.acknowledge(till, 3).unwrap();
        s.acknowledge(other, 2).unwrap();

        s.rotate_endpoint(a, &TokenHash::of("a2")).unwrap();
        assert_eq!(s.shop_by_endpoint(&TokenHash::of("a")).unwrap(), None);
        assert_eq!(s.shop_by_endpoint(&TokenHash::of("a2")).unwrap(), Some(a));
        let rotated = s.rotate_device(till, &TokenHash::of("t3")).unwrap();
        assert_eq!(rotated, Device { id: till, shop: a });
        assert_eq!(s.device_by_token(&TokenHash::of("t")).unwrap(), None);
        assert_eq!(s.acknowledged(till).unwrap(), 3);
        assert_eq!(s.append(a, &event(b"next")).unwrap(), 4);

        // Only events both tills hold (1, 2) and older than 25 ms (1, 2) go; B has no till.
        assert_eq!(s.prune_acknowledged(25).unwrap(), 2);
        let left: Vec<u64> = s
            .events_after(a, 0, 10)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect();
        assert_eq!(left, [3, 4]);
        assert_eq!(s.events_after(b, 0, 10).unwrap().len(), 1);
        assert_eq!(
            s.append(a, &event(b"later")).unwrap(),
            5,
            "sequences never reuse"
        );
        assert!(matches!(
            s.rotate_endpoint(ShopId(9), &TokenHash::of("x")),
            Err(StoreError::NotFound("shop"))
        ));
    }

    #[test]
    fn events_survive_reopening_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("relay.sqlite");
        let shop = {
            let s = SqliteStore::open(&path).unwrap();
            let shop = s.create_shop("A", &TokenHash::of("a"), 0).unwrap();
            s.append(shop, &event(&[0, 159, 255])).unwrap();
            shop
        };
        let s = SqliteStore::open(&path).unwrap();
        assert_eq!(s.shop_by_endpoint(&TokenHash::of("a")).unwrap(), Some(shop));
        assert_eq!(
            s.events_after(shop, 0, 10).unwrap()[0].event.body,
            vec![0, 159, 255]
        );
    }
}
