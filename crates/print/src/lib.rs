//! `malipo-print` — ESC/POS receipts for 58/80 mm printers, printer transports, PDF invoices and X/Z reports.
//!
//! Skeleton: this crate is laid out by the foundation and filled in by its own issue.
