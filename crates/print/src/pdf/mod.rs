//! PDF documents: the invoice and the X/Z report, drawn on a [`canvas::Canvas`] with the
//! bundled DejaVu Sans (so names such as "Wanjirū" render). All layout is in whole points;
//! [`units`] is the only place they become printpdf's float-backed units.

pub mod canvas;
pub mod invoice;
pub mod report;
pub mod units;

pub use invoice::invoice_pdf;
pub use report::report_pdf;
