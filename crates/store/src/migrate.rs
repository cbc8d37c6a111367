//! Versioned schema migrations, run when a database is opened.
//!
//! **Schema-version rule.** `PRAGMA user_version` holds the number of migrations applied. A
//! migration is appended to [`MIGRATIONS`] and never edited once shipped; it is additive where
//! it can be (new tables, new nullable columns) so a till on the previous release can still
//! read the data it knows. Opening a database whose version is higher than this build knows is
//! refused with [`StoreError::NewerSchema`] rather than risking a write that loses data.

use rusqlite::Connection;

use crate::error::{Result, StoreError};
use crate::table;

/// One migration: the SQL fragments it runs, in order, in one transaction.
pub(crate) struct Migration {
    pub name: &'static str,
    pub sql: &'static [&'static str],
}

/// Every migration, oldest first. Version N = the first N applied.
pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration {
        name: "foundation",
        sql: &[
            table::settings::SCHEMA_V1,
            table::users::SCHEMA_V1,
            table::audit::SCHEMA_V1,
            table::catalogue::SCHEMA_V1,
            table::sequences::SCHEMA_V1,
            table::carts::SCHEMA_V1,
            table::sales::SCHEMA_V1,
            table::invoices::SCHEMA_V1,
            table::attempts::SCHEMA_V1,
            table::inbox::SCHEMA_V1,
            table::payments::SCHEMA_V1,
            table::allocations::SCHEMA_V1,
            table::unmatched::SCHEMA_V1,
            table::refunds::SCHEMA_V1,
            table::conflicts::SCHEMA_V1,
        ],
    },
    Migration {
        name: "receipt outbox",
        sql: &[table::outbox::SCHEMA_V2],
    },
    Migration {
        name: "customers",
        sql: &[table::customers::SCHEMA_V3],
    },
    Migration {
        name: "control numbers",
        sql: &[table::customers::SCHEMA_V4],
    },
    Migration {
        name: "attempts by time",
        sql: &[table::attempts::SCHEMA_V5],
    },
    Migration {
        name: "manager ledger",
        sql: &[table::ledger::SCHEMA_V6],
    },
    Migration {
        name: "attempts without money",
        sql: &[table::attempts::SCHEMA_V7],
    },
    Migration {
        name: "payment text",
        sql: &[table::payment_text::SCHEMA_V8],
    },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Brings `conn` up to [`SCHEMA_VERSION`], or refuses a newer database.
pub(crate) fn migrate(conn: &mut Connection) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (idx, migration) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let version = idx + 1;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        // Re-check inside the write lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current >= version as i64 {
            continue;
        }
        for sql in migration.sql {
            tx.execute_batch(sql)?;
        }
        tx.execute_batch(&format!("PRAGMA user_version = {version}"))?;
        tx.commit()?;
        tracing::info!(version, name = migration.name, "applied schema migration");
    }
    Ok(())
}
