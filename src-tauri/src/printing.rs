//! The paper: a paid sale's receipt (the engine builds it from the ledger) rendered to ESC/POS
//! for the configured printer — a network printer's raw port, a device file — or, with no
//! printer set up (training), appended to `printer/receipts.escpos` in the data directory with
//! a plain-text copy beside it, so a trainee's receipts can be looked at.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use malipo_engine::Engine;
use malipo_print::{receipt_escpos, receipt_text, Connection, Paper, PrinterProfile};
use malipo_store::Store;

use crate::dto::ApiError;

/// Where the receipt went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Printed {
    Printer,
    File(PathBuf),
}

fn setting(store: &Arc<Mutex<Store>>, key: &str) -> Option<String> {
    store.lock().ok()?.setting_get(key).ok().flatten()
}

/// Prints the receipt of `sale_id` (a reprint when called again).
pub fn print_sale(
    engine: &Engine,
    store: &Arc<Mutex<Store>>,
    data_dir: &Path,
    sale_id: i64,
) -> Result<Printed, ApiError> {
    let receipt = engine.sale_receipt(sale_id)?;
    let paper = match setting(store, "printer.width").as_deref() {
        Some("58") => Paper::Mm58,
        _ => Paper::Mm80,
    };
    let bytes = receipt_escpos(&receipt, &PrinterProfile::new(paper)).map_err(|e| {
        ApiError::new(
            "printer_offline",
            format!("the receipt could not be laid out: {e}"),
        )
    })?;
    let address = setting(store, "printer.address").unwrap_or_default();
    let (connection, printed) = match setting(store, "printer.kind").as_deref() {
        Some("network") => {
            let addr = address.parse().map_err(|_| {
                ApiError::new(
                    "invalid_input",
                    "the printer's address must look like 192.168.1.50:9100",
                )
            })?;
            let connection = Connection::Network {
                addr,
                connect_timeout: Duration::from_secs(3),
                io_timeout: Duration::from_secs(10),
            };
            (connection, Printed::Printer)
        }
        Some("device") => (Connection::Device(PathBuf::from(address)), Printed::Printer),
        _ => {
            let dir = data_dir.join("printer");
            std::fs::create_dir_all(&dir).map_err(|e| {
                ApiError::new("printer_offline", format!("cannot write receipts: {e}"))
            })?;
            let text = format!("{}\n\n", receipt_text(&receipt, paper));
            let copy = dir.join("receipts.txt");
            let appended = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&copy)
                .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
            if let Err(e) = appended {
                tracing::warn!(error = %e, "the receipt's text copy was not written");
            }
            let file = dir.join("receipts.escpos");
            (Connection::File(file.clone()), Printed::File(file))
        }
    };
    connection.send(&bytes).map_err(|e| {
        ApiError::new(
            "printer_offline",
            format!("the printer did not take the receipt: {e}"),
        )
    })?;
    tracing::info!(sale_id, "receipt printed");
    Ok(printed)
}
