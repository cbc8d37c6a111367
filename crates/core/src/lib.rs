//! `malipo-core` — Malipo's pure domain. No IO, no clock, no randomness: every function here
//! is a deterministic function of its arguments, so it is tested exhaustively and fast.
//!
//! Layout:
//! - [`money`]: `Money` (`i64` minor units + `Currency`), checked arithmetic, display, parsing.
//! - [`vat`]: tax classes and the per-sale VAT breakdown (the rounding rule is stated there).
//! - [`phone`]: Kenyan mobile numbers normalised to `2547XXXXXXXX`.
//! - [`catalogue`], [`cart`], [`sale`], [`invoice`], [`tender`]: what is sold and how it is paid.
//! - [`attempt`]: payment attempts as a checked state machine.
//! - [`matching`] and [`posting`]: which sale or invoice a confirmation settles, and how much
//!   of it is allocated (the store applies these inside its posting transaction).
//! - [`reference`], [`time`]: account-reference normalisation, timestamps passed in by callers.
//!
//! How to make a change here: keep it pure. Anything that needs the database belongs in
//! `malipo-store`, anything that needs the network in `malipo-providers`.

pub mod attempt;
pub mod cart;
pub mod catalogue;
pub mod invoice;
pub mod matching;
pub mod money;
pub mod phone;
pub mod posting;
pub mod reference;
pub mod sale;
pub mod tender;
pub mod time;
pub mod vat;

pub use attempt::{check_transition, AttemptState, IllegalTransition, TransitionKind};
pub use cart::{Cart, CartError, CartLine, CartTotals, Discount};
pub use catalogue::{Catalogue, CatalogueError, Item};
pub use invoice::{invoice_number, Customer, InvoiceDraft, InvoiceStatus, PaymentMode};
pub use matching::{
    decide, Candidate, MatchDecision, MatchFacts, MatchedBy, TargetRef, UnmatchedReason,
};
pub use money::{AmountParseError, Currency, Money, MoneyError};
pub use phone::{Phone, PhoneError};
pub use posting::{plan_allocation, AllocationPlan};
pub use reference::normalise_reference;
pub use sale::{sale_number, SaleDraft, SaleLine, SaleStatus, TargetStatus};
pub use tender::{
    cash_change, plan_tender, PaymentMethod, Provider, TenderError, TenderPart, TenderPlan,
};
pub use time::Timestamp;
pub use vat::{TaxClass, VatBreakdown, VatLine};
