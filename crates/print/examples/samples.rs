//! Writes the sample documents into a directory (default `docs/samples/`): the invoice PDFs,
//! the X/Z report PDF, and the plain-text and ESC/POS receipts, for review and for the docs.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use malipo_print::samples::{self, SampleSale};
use malipo_print::{receipt_escpos, receipt_text, Paper, PrinterProfile};

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs/samples".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let partly = malipo_print::pdf::invoice_pdf(&samples::invoice(true)).unwrap();
    std::fs::write(dir.join("invoice-partly-paid.pdf"), partly).unwrap();
    let paid = malipo_print::pdf::invoice_pdf(&samples::invoice(false)).unwrap();
    std::fs::write(dir.join("invoice-paid.pdf"), paid).unwrap();
    for kind in SampleSale::ALL {
        let r = samples::receipt(kind);
        let text = receipt_text(&r, Paper::Mm58);
        std::fs::write(dir.join(format!("receipt-{}-58mm.txt", kind.name())), text).unwrap();
        let bytes = receipt_escpos(&r, &PrinterProfile::new(Paper::Mm80)).unwrap();
        std::fs::write(
            dir.join(format!("receipt-{}-80mm.escpos", kind.name())),
            bytes,
        )
        .unwrap();
    }
}
