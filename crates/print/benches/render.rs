//! Rendering benchmarks (`cargo bench -p malipo-print`): a receipt to ESC/POS bytes at 58 and
//! 80 mm (the split-tender sample, with a QR code; and the cash sample, with the logo
//! raster), the plain-text receipt, the invoice PDF and the Z report PDF.
#![allow(clippy::unwrap_used, missing_docs)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use malipo_print::pdf::{invoice_pdf, report_pdf};
use malipo_print::report::ReportKind;
use malipo_print::samples::{day_report, invoice, receipt, SampleSale};
use malipo_print::{receipt_escpos, receipt_text, Language, Paper, PrinterProfile, QrMode};

fn receipts(c: &mut Criterion) {
    let split = receipt(SampleSale::Split);
    let cash = receipt(SampleSale::Cash);
    let p58 = PrinterProfile::new(Paper::Mm58);
    let p80 = PrinterProfile::new(Paper::Mm80);
    let mut raster = p80;
    raster.qr = QrMode::Raster;
    c.bench_function("receipt_escpos_split_58mm", |b| {
        b.iter(|| receipt_escpos(black_box(&split), &p58).unwrap())
    });
    c.bench_function("receipt_escpos_split_80mm", |b| {
        b.iter(|| receipt_escpos(black_box(&split), &p80).unwrap())
    });
    c.bench_function("receipt_escpos_split_80mm_raster_qr", |b| {
        b.iter(|| receipt_escpos(black_box(&split), &raster).unwrap())
    });
    c.bench_function("receipt_escpos_cash_logo_80mm", |b| {
        b.iter(|| receipt_escpos(black_box(&cash), &p80).unwrap())
    });
    c.bench_function("receipt_text_split_58mm", |b| {
        b.iter(|| receipt_text(black_box(&split), Paper::Mm58))
    });
}

fn pdfs(c: &mut Criterion) {
    let inv = invoice(true);
    let z = day_report(ReportKind::Z { number: 12 }, Language::English);
    // Parse the fonts once, as a running till would have.
    invoice_pdf(&inv).unwrap();
    let mut g = c.benchmark_group("pdf");
    g.sample_size(20);
    g.bench_function("invoice_pdf", |b| {
        b.iter(|| invoice_pdf(black_box(&inv)).unwrap())
    });
    g.bench_function("report_pdf", |b| {
        b.iter(|| report_pdf(black_box(&z)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, receipts, pdfs);
criterion_main!(benches);
