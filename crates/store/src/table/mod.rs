//! One module per table: its migration SQL beside the code that reads and writes it.

pub mod allocations;
pub mod attempts;
pub mod audit;
pub mod carts;
pub mod catalogue;
pub mod conflicts;
pub mod customers;
pub mod inbox;
pub mod invoices;
pub mod ledger;
pub mod outbox;
pub mod payment_text;
pub mod payments;
pub mod refunds;
pub mod sales;
pub mod sequences;
pub mod settings;
pub mod unmatched;
pub mod users;
