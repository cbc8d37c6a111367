//! Writes the sample documents into a directory (default `docs/samples/`): the invoice PDFs,
//! the Z report PDF, the plain-text receipts and reports at 58 mm, and the ESC/POS receipts
//! for 80 mm (`cat receipt-cash-80mm.escpos > /dev/usb/lp0` prints one on a real printer).
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use malipo_print::escpos::render;
use malipo_print::pdf::{invoice_pdf, report_pdf};
use malipo_print::report::{report_doc, ReportKind};
use malipo_print::samples::{self, SampleSale};
use malipo_print::{receipt_escpos, receipt_text, Language, Paper, PrinterProfile};

fn main() {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "docs/samples".into()),
    );
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| std::fs::write(dir.join(name), bytes).unwrap();
    write(
        "invoice-partly-paid.pdf",
        &invoice_pdf(&samples::invoice(true)).unwrap(),
    );
    write(
        "invoice-paid.pdf",
        &invoice_pdf(&samples::invoice(false)).unwrap(),
    );
    let z = samples::day_report(ReportKind::Z { number: 12 }, Language::English);
    write("z-report.pdf", &report_pdf(&z).unwrap());
    let x = samples::day_report(ReportKind::X, Language::Kiswahili);
    let x_text = report_doc(&x, Paper::Mm58).to_plain_text();
    write("x-report-sw-58mm.txt", x_text.as_bytes());
    let x_bytes = render(
        &report_doc(&x, Paper::Mm80),
        &PrinterProfile::new(Paper::Mm80),
    )
    .unwrap();
    write("x-report-sw-80mm.escpos", &x_bytes);
    for kind in SampleSale::ALL {
        let r = samples::receipt(kind);
        let text = receipt_text(&r, Paper::Mm58);
        write(
            &format!("receipt-{}-58mm.txt", kind.name()),
            text.as_bytes(),
        );
        let bytes = receipt_escpos(&r, &PrinterProfile::new(Paper::Mm80)).unwrap();
        write(&format!("receipt-{}-80mm.escpos", kind.name()), &bytes);
    }
}
