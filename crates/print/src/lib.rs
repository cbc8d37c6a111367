//! `malipo-print` — ESC/POS receipts for 58/80 mm printers, printer transports, PDF invoices
//! and X/Z reports.
//!
//! Layout:
//! - [`model`]: the receipt model (plain data the engine fills: shop, sale, lines, VAT,
//!   tenders, reversals, footer, QR), [`i18n`] the English/Kiswahili labels.
//! - [`layout`] turns a receipt into a paper [`text::Doc`] (fixed columns, numbers never
//!   split); [`escpos`] renders a `Doc` to printer bytes, [`text::Doc::to_plain_text`] to the
//!   emailed/SMS receipt; [`codepage`] keeps every character printable; [`raster`] draws the
//!   logo and the QR fallback.
//! - [`transport`]: network (9100), device file and file connections, DLE EOT status, and the
//!   print queue that keeps failed jobs for a reprint; [`spool`] runs it on its own thread so
//!   printing never holds up the register.
//! - [`invoice`] and [`pdf`]: the invoice PDF; [`report`]: X/Z reports for paper and PDF.
//! - [`samples`]: Duka la Mama's sample receipts, invoice and reports (training mode, tests,
//!   benchmarks, `docs/samples/`).

pub mod codepage;
pub mod escpos;
pub mod i18n;
pub mod invoice;
pub mod layout;
pub mod model;
pub mod pdf;
pub mod raster;
pub mod report;
pub mod samples;
pub mod spool;
pub mod text;
pub mod transport;

pub use escpos::{PrinterProfile, QrMode};
pub use i18n::{Language, Msg};
pub use model::{
    LocalTime, Logo, Paper, QrCode, Receipt, ReceiptContext, ReceiptLine, Reversal, ReversalKind,
    ShopHeader, Tender, TenderDetail, NAIROBI_OFFSET_MINUTES,
};
pub use spool::{PrintOutcome, Spooler};
pub use transport::{Connection, PrintJob, PrintQueue, PrinterStatus};

/// Why something could not be printed or rendered. Messages are for the cashier or manager.
#[derive(Debug, thiserror::Error)]
pub enum PrintError {
    #[error("the picture could not be used: {0}")]
    Image(String),
    #[error("the QR code could not be made: {0}")]
    Qr(String),
    #[error("the printer at {addr} did not answer ({reason}); check that it is switched on, has paper and is on the network, then reprint")]
    Unreachable { addr: String, reason: String },
    #[error("the printer stopped answering while printing ({reason}); check it and reprint")]
    WriteFailed { reason: String },
    #[error(
        "cannot open the printer {path} ({reason}); check the cable and that the printer is on"
    )]
    Device { path: String, reason: String },
    #[error("the printer does not report its status over this connection")]
    StatusUnsupported,
    #[error("no print job {0} in the queue")]
    NoSuchJob(u64),
    #[error("the PDF could not be made: {0}")]
    Pdf(String),
}

/// A receipt as ESC/POS bytes for `profile`.
pub fn receipt_escpos(r: &Receipt, profile: &PrinterProfile) -> Result<Vec<u8>, PrintError> {
    escpos::render(&layout::receipt_doc(r, profile.paper), profile)
}

/// A receipt as plain text for `paper` (the emailed or SMS receipt).
pub fn receipt_text(r: &Receipt, paper: Paper) -> String {
    layout::receipt_doc(r, paper).to_plain_text()
}
