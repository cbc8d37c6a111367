//! Receipts to customers by email and SMS (being built).
