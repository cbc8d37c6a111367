//! `catalogue_items`: the shop's items, replaced from a catalogue file or edited in place.

use malipo_core::{Catalogue, Item, Money, TaxClass, Timestamp};
use rusqlite::{params, Connection, Row};

use crate::error::{corrupt, Result};

pub(crate) const SCHEMA_V1: &str = "
CREATE TABLE catalogue_items (
    sku         TEXT PRIMARY KEY NOT NULL,
    barcode     TEXT UNIQUE,
    name        TEXT NOT NULL,
    price_minor INTEGER NOT NULL CHECK (price_minor > 0),
    currency    TEXT NOT NULL,
    tax_class   TEXT NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1,
    updated_at  INTEGER NOT NULL
);
";

/// Makes the active catalogue exactly `catalogue`: items in it are inserted or updated, items
/// not in it are deactivated (kept, because old sales refer to their SKU).
pub(crate) fn replace(conn: &mut Connection, catalogue: &Catalogue, now: Timestamp) -> Result<()> {
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    tx.execute("UPDATE catalogue_items SET active = 0, barcode = NULL", [])?;
    {
        let mut stmt = tx.prepare(
            "INSERT INTO catalogue_items (sku, barcode, name, price_minor, currency, tax_class, active, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)
             ON CONFLICT(sku) DO UPDATE SET barcode = excluded.barcode, name = excluded.name,
               price_minor = excluded.price_minor, currency = excluded.currency,
               tax_class = excluded.tax_class, active = 1, updated_at = excluded.updated_at",
        )?;
        for item in &catalogue.items {
            stmt.execute(params![
                item.sku,
                item.barcode,
                item.name,
                item.price.minor,
                item.price.currency.code(),
                item.tax_class.code(),
                now.0
            ])?;
        }
    }
    tx.commit()?;
    Ok(())
}

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<(Item, String, String)> {
    let currency: String = row.get(4)?;
    let class: String = row.get(5)?;
    let item = Item {
        sku: row.get(0)?,
        barcode: row.get(1)?,
        name: row.get(2)?,
        price: Money::from_minor(row.get(3)?, malipo_core::Currency::Kes),
        tax_class: TaxClass::Standard,
    };
    Ok((item, currency, class))
}

fn finish(parts: (Item, String, String)) -> Result<Item> {
    let (mut item, currency, class) = parts;
    item.price.currency = currency
        .parse()
        .map_err(|e| corrupt("catalogue currency", e))?;
    item.tax_class =
        TaxClass::from_code(&class).ok_or_else(|| corrupt("catalogue tax class", class))?;
    Ok(item)
}

/// Active items, by name.
pub(crate) fn list(conn: &Connection) -> Result<Vec<Item>> {
    let mut stmt = conn.prepare_cached(
        "SELECT sku, barcode, name, price_minor, currency, tax_class FROM catalogue_items
         WHERE active = 1 ORDER BY name",
    )?;
    let rows = stmt.query_map([], item_from_row)?;
    rows.map(|r| finish(r?)).collect()
}

/// An active item by barcode, else by SKU (case-insensitive).
pub(crate) fn find(conn: &Connection, code: &str) -> Result<Option<Item>> {
    let code = code.trim();
    let mut stmt = conn.prepare_cached(
        "SELECT sku, barcode, name, price_minor, currency, tax_class FROM catalogue_items
         WHERE active = 1 AND (barcode = ?1 OR sku = ?1 COLLATE NOCASE)
         ORDER BY barcode = ?1 DESC LIMIT 1",
    )?;
    let mut rows = stmt.query_map([code], item_from_row)?;
    rows.next().transpose()?.map(finish).transpose()
}
