//! `malipo-store` — the till's SQLite database. The only crate that speaks SQL.
//!
//! [`Store`] wraps one `rusqlite::Connection` to a file in WAL mode with foreign keys on and
//! migrations applied on open (a newer database is refused, see [`migrate`]). Open one `Store`
//! per thread; writers are serialised by SQLite (`BEGIN IMMEDIATE` + a busy timeout).
//!
//! Layout:
//! - `table/*`: one module per table, its `CREATE TABLE` beside the code that reads and
//!   writes it.
//! - [`posting`]: **the one function that records money**, [`Store::post_payment`], and the
//!   clerk's [`Store::attach_unmatched`], which allocates through the same step.
//! - [`refund`]: refunds and reversals as new rows; [`dashboard`]: the transactions query and
//!   KPI totals; [`check`]: the ledger invariants, recomputed.
//!
//! How to make a change here: a new column or table is a new entry in `migrate::MIGRATIONS`
//! (never edit a shipped one); time and ids are passed in, never read here; every write that a
//! person makes (attach, void, refund, settings) leaves an audit line in the same transaction.

mod balance;
pub mod check;
pub mod customers;
pub mod dashboard;
mod error;
pub mod manager;
pub mod manager_attempts;
mod manager_rollup;
pub mod migrate;
pub mod posting;
pub mod refund;
#[cfg(feature = "synthetic")]
pub mod synthetic;
pub mod table;

use std::path::Path;
use std::time::Duration;

use malipo_core::{
    AttemptState, Cart, Catalogue, InvoiceDraft, Item, Money, Provider, SaleStatus, TargetRef,
    Timestamp, TransitionKind,
};
use rusqlite::{Connection, Transaction, TransactionBehavior};

pub use dashboard::{Cursor, KpiGroup, Kpis, PaymentFilter, PaymentsPage};
pub use error::{Result, StoreError};
pub use manager::{ChartSpan, FoundPayment, LedgerStatus, PaymentSearch, SearchTotal};
pub use manager_attempts::AttemptSearch;
pub use migrate::SCHEMA_VERSION;
pub use posting::{Confirmation, ConflictField, PostOutcome, PostingRules, TargetBalance};
pub use refund::RefundRequest;
pub use table::allocations::Allocation;
pub use table::attempts::{AttemptRow, NewAttempt};
pub use table::audit::AuditEntry;
pub use table::carts::{CartStatus, StoredCart};
pub use table::customers::CustomerRow;
pub use table::inbox::{InboxEvent, NewInboxEvent};
pub use table::invoices::InvoiceRow;
pub use table::outbox::{NewOutboxMessage, OutboxChannel, OutboxMessage, OutboxStatus};
pub use table::payments::{Payment, PaymentStatus};
pub use table::refunds::{Refund, RefundKind};
pub use table::sales::{NewSale, SaleRow};
pub use table::unmatched::UnmatchedReceipt;
pub use table::users::{Role, User};

/// How hard a commit tries to survive a power cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// `synchronous = FULL`: every commit is on disk before it returns, so a power cut (common
    /// where these tills run) never loses a posted payment. The default.
    #[default]
    Full,
    /// `synchronous = NORMAL`: survives a crash of the app but may lose the last commits on a
    /// power cut. For benchmarks and bulk imports.
    Normal,
}

/// How to open a store.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpenOptions {
    pub durability: Durability,
    pub rules: PostingRules,
}

/// The till's database. Not `Sync`: one per thread.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    rules: PostingRules,
}

impl Store {
    /// Opens (creating if needed) the database at `path` with the default options.
    pub fn open(path: &Path) -> Result<Store> {
        Store::open_with(path, OpenOptions::default())
    }

    /// Opens the database at `path`.
    pub fn open_with(path: &Path, options: OpenOptions) -> Result<Store> {
        let conn = Connection::open(path)?;
        Store::setup(conn, options)
    }

    /// A private in-memory database (tests).
    pub fn open_in_memory() -> Result<Store> {
        Store::setup(Connection::open_in_memory()?, OpenOptions::default())
    }

    fn setup(mut conn: Connection, options: OpenOptions) -> Result<Store> {
        conn.busy_timeout(Duration::from_secs(10))?;
        let sync = match options.durability {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        };
        conn.execute_batch(&format!(
            "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = {sync};"
        ))?;
        conn.set_prepared_statement_cache_capacity(64);
        migrate::migrate(&mut conn)?;
        Ok(Store {
            conn,
            rules: options.rules,
        })
    }

    /// Replaces the posting rules (the engine sets them from the shop's settings).
    pub fn set_posting_rules(&mut self, rules: PostingRules) {
        self.rules = rules;
    }

    /// The posting rules in force.
    pub fn posting_rules(&self) -> PostingRules {
        self.rules
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Runs `f` in one IMMEDIATE transaction: all of it commits, or none of it.
    fn write<T>(&mut self, f: impl FnOnce(&Transaction<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }

    // ----- catalogue -------------------------------------------------------------------------

    /// Makes the active catalogue exactly `catalogue`.
    pub fn catalogue_replace(&mut self, catalogue: &Catalogue, now: Timestamp) -> Result<()> {
        table::catalogue::replace(&mut self.conn, catalogue, now)
    }

    /// Active items by name.
    pub fn catalogue_list(&self) -> Result<Vec<Item>> {
        table::catalogue::list(&self.conn)
    }

    /// An active item by barcode or SKU.
    pub fn catalogue_find(&self, code: &str) -> Result<Option<Item>> {
        table::catalogue::find(&self.conn, code)
    }

    // ----- carts ----------------------------------------------------------------------------

    /// Saves the cart on screen (new when `id` is `None`); returns its id.
    pub fn cart_save(
        &mut self,
        id: Option<i64>,
        till: &str,
        cart: &Cart,
        now: Timestamp,
    ) -> Result<i64> {
        self.write(|tx| table::carts::save(tx, id, till, cart, now))
    }

    /// Puts a cart on hold, recalls it (`Open`) or closes it.
    pub fn cart_set_status(
        &mut self,
        id: i64,
        status: CartStatus,
        label: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| table::carts::set_status(tx, id, status, label, now))
    }

    /// A saved cart.
    pub fn cart_get(&self, id: i64) -> Result<Option<StoredCart>> {
        table::carts::get(&self.conn, id)
    }

    /// The till's open and held carts (what to restore after a restart).
    pub fn carts_active(&self, till: &str) -> Result<Vec<StoredCart>> {
        table::carts::list_active(&self.conn, till)
    }

    // ----- sales and invoices ---------------------------------------------------------------

    /// Creates a sale with the till's next number and closes its cart, in one transaction.
    pub fn sale_create(&mut self, new: &NewSale<'_>, now: Timestamp) -> Result<SaleRow> {
        self.write(|tx| table::sales::create(tx, new, now))
    }

    /// A sale.
    pub fn sale_get(&self, id: i64) -> Result<SaleRow> {
        table::sales::get(&self.conn, id)
    }

    /// Completes or voids an open sale, audited.
    pub fn sale_set_status(
        &mut self,
        id: i64,
        status: SaleStatus,
        actor: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| {
            let before = table::sales::set_status(tx, id, status, now)?;
            table::audit::append(
                tx,
                table::audit::AuditLine {
                    actor,
                    action: "sale_status",
                    entity: "sale",
                    entity_id: &id.to_string(),
                    before: Some(before.code()),
                    after: Some(status.code()),
                },
                now,
            )
        })
    }

    /// Marks an open sale as waiting for a Till payment of `amount` (or stops waiting).
    pub fn sale_wait_for_till(
        &mut self,
        id: i64,
        amount: Option<Money>,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| table::sales::set_till_wait(tx, id, amount, now))
    }

    /// Stores a draft invoice; returns its id.
    pub fn invoice_create_draft(&mut self, draft: &InvoiceDraft, now: Timestamp) -> Result<i64> {
        self.write(|tx| table::invoices::create_draft(tx, draft, now))
    }

    /// Issues a draft: assigns the next invoice number, audited.
    pub fn invoice_issue(&mut self, id: i64, actor: &str, now: Timestamp) -> Result<String> {
        self.write(|tx| {
            let number = table::invoices::issue(tx, id, now)?;
            let line = table::audit::AuditLine {
                actor,
                action: "invoice_issued",
                entity: "invoice",
                entity_id: &id.to_string(),
                before: Some("draft"),
                after: Some(&number),
            };
            table::audit::append(tx, line, now)?;
            Ok(number)
        })
    }

    /// Voids an invoice, audited; later money for it waits as unmatched.
    pub fn invoice_void(&mut self, id: i64, actor: &str, now: Timestamp) -> Result<()> {
        self.write(|tx| {
            let before = table::invoices::void(tx, id, now)?;
            let line = table::audit::AuditLine {
                actor,
                action: "invoice_void",
                entity: "invoice",
                entity_id: &id.to_string(),
                before: Some(before.code()),
                after: Some("void"),
            };
            table::audit::append(tx, line, now)
        })
    }

    /// An invoice.
    pub fn invoice_get(&self, id: i64) -> Result<InvoiceRow> {
        table::invoices::get(&self.conn, id)
    }

    /// A sale's or invoice's derived balance and status.
    pub fn balance(&self, target: TargetRef) -> Result<TargetBalance> {
        posting::balance(&self.conn, target)
    }

    // ----- attempts and inbox ---------------------------------------------------------------

    /// Records an attempt before the provider is called.
    pub fn attempt_create(&mut self, new: &NewAttempt, now: Timestamp) -> Result<AttemptRow> {
        self.write(|tx| table::attempts::create(tx, new, now))
    }

    /// Sets the provider's reference (e.g. CheckoutRequestID) once it answers.
    pub fn attempt_set_provider_ref(
        &mut self,
        id: i64,
        provider_ref: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| table::attempts::set_provider_ref(tx, id, provider_ref, now))
    }

    /// Moves an attempt through its state machine; an illegal move is refused.
    pub fn attempt_transition(
        &mut self,
        id: i64,
        to: AttemptState,
        reason: Option<&str>,
        now: Timestamp,
    ) -> Result<TransitionKind> {
        self.write(|tx| table::attempts::transition(tx, id, to, reason, now))
    }

    /// The attempt the provider knows as `provider_ref` (CheckoutRequestID, Paystack reference).
    pub fn attempt_by_provider_ref(
        &self,
        provider: Provider,
        provider_ref: &str,
    ) -> Result<Option<AttemptRow>> {
        table::attempts::by_provider_ref(&self.conn, provider.code(), provider_ref)
    }

    /// What was placed on a sale or invoice, oldest first.
    pub fn allocations_for_target(&self, target: TargetRef) -> Result<Vec<Allocation>> {
        table::allocations::for_target(&self.conn, target)
    }

    /// An attempt.
    pub fn attempt_get(&self, id: i64) -> Result<AttemptRow> {
        table::attempts::get(&self.conn, id)
    }

    /// Pending attempts created before `before` (the resolver's list).
    pub fn attempts_pending(&self, before: Timestamp) -> Result<Vec<AttemptRow>> {
        table::attempts::pending(&self.conn, before)
    }

    /// Stores a provider event as received; returns (id, new?).
    pub fn inbox_insert(&mut self, event: &NewInboxEvent<'_>) -> Result<(i64, bool)> {
        self.write(|tx| table::inbox::insert(tx, event))
    }

    /// Stores several events in one durable commit (a burst from the relay); returns each
    /// one's (id, new?) in order. A sequence number seen before is not stored twice.
    pub fn inbox_insert_many(&mut self, events: &[NewInboxEvent<'_>]) -> Result<Vec<(i64, bool)>> {
        self.write(|tx| events.iter().map(|e| table::inbox::insert(tx, e)).collect())
    }

    /// Records what processing an event did (`ignored`, `error`, …) when posting did not.
    pub fn inbox_set_outcome(
        &mut self,
        id: i64,
        outcome: &str,
        detail: Option<&str>,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| table::inbox::set_outcome(tx, id, outcome, detail, now))
    }

    /// Inbox events, optionally of one outcome, oldest first.
    pub fn inbox_list(&self, outcome: Option<&str>, limit: i64) -> Result<Vec<InboxEvent>> {
        table::inbox::list(&self.conn, outcome, limit)
    }

    /// Events of one provider and kind with an id above `after`, received in `[from, to)`,
    /// oldest first, at most `limit`.
    pub fn inbox_of_kind_after(
        &self,
        provider: &str,
        kind: &str,
        after: i64,
        received: (Timestamp, Timestamp),
        limit: i64,
    ) -> Result<Vec<InboxEvent>> {
        table::inbox::of_kind_after(&self.conn, provider, kind, after, received, limit)
    }

    // ----- the ledger -----------------------------------------------------------------------

    /// **Posts a confirmation to the ledger** — the only way money is recorded. See
    /// [`posting`] for the four outcomes. Idempotent on (provider, transaction id) and on the
    /// attempt; one transaction.
    pub fn post_payment(
        &mut self,
        confirmation: &Confirmation,
        now: Timestamp,
    ) -> Result<PostOutcome> {
        let rules = self.rules;
        self.write(|tx| posting::post(tx, rules, confirmation, now))
    }

    /// Posts many confirmations in one durable commit (a backlog the relay delivers after the
    /// till was offline): each is posted exactly as by [`Store::post_payment`], inside its own
    /// savepoint, so one refused confirmation neither stops nor undoes the others.
    pub fn post_payments(
        &mut self,
        confirmations: &[Confirmation],
        now: Timestamp,
    ) -> Result<Vec<Result<PostOutcome>>> {
        let rules = self.rules;
        self.write(|tx| {
            let mut outcomes = Vec::with_capacity(confirmations.len());
            for c in confirmations {
                tx.execute_batch("SAVEPOINT post_one")?;
                let out = posting::post(tx, rules, c, now);
                if out.is_ok() {
                    tx.execute_batch("RELEASE post_one")?;
                } else {
                    tx.execute_batch("ROLLBACK TO post_one; RELEASE post_one")?;
                }
                outcomes.push(out);
            }
            Ok(outcomes)
        })
    }

    /// Places an unmatched receipt (or claims an incoming Till payment) on a sale or invoice,
    /// through the same allocation step, audited.
    pub fn attach_unmatched(
        &mut self,
        receipt_id: i64,
        target: TargetRef,
        actor: &str,
        now: Timestamp,
    ) -> Result<PostOutcome> {
        self.write(|tx| posting::attach(tx, receipt_id, target, actor, now))
    }

    /// A ledger row.
    pub fn payment_get(&self, id: i64) -> Result<Payment> {
        posting::payment(&self.conn, id)
    }

    /// The ledger row of a provider's transaction id, if posted.
    pub fn payment_by_txn(&self, provider: Provider, txn: &str) -> Result<Option<Payment>> {
        table::payments::by_txn(&self.conn, provider, txn)
    }

    /// A payment's allocations.
    pub fn allocations_for(&self, payment_id: i64) -> Result<Vec<Allocation>> {
        table::allocations::for_payment(&self.conn, payment_id)
    }

    /// An unmatched receipt.
    pub fn unmatched_get(&self, id: i64) -> Result<UnmatchedReceipt> {
        table::unmatched::get(&self.conn, id)
    }

    /// Money still waiting to be placed, oldest first.
    pub fn unmatched_open(&self, limit: i64) -> Result<Vec<UnmatchedReceipt>> {
        table::unmatched::list_open(&self.conn, limit)
    }

    /// Conflicting confirmations not yet reviewed.
    pub fn conflicts_open(&self) -> Result<i64> {
        table::conflicts::open_count(&self.conn)
    }

    /// Requests a refund or reversal (checked against what can still go back), audited.
    pub fn refund_request(
        &mut self,
        request: &RefundRequest<'_>,
        now: Timestamp,
    ) -> Result<Refund> {
        self.write(|tx| refund::request(tx, request, now))
    }

    /// The provider confirmed a refund: the target's balance re-opens.
    pub fn refund_complete(
        &mut self,
        id: i64,
        provider_ref: Option<&str>,
        now: Timestamp,
    ) -> Result<Refund> {
        self.write(|tx| refund::complete(tx, id, provider_ref, now))
    }

    /// A refund.
    pub fn refund_get(&self, id: i64) -> Result<Refund> {
        table::refunds::get(&self.conn, id)
    }

    /// Records the provider's reference of a refund waiting for its result.
    pub fn refund_set_provider_ref(&mut self, id: i64, provider_ref: &str) -> Result<()> {
        self.write(|tx| table::refunds::set_provider_ref(tx, id, provider_ref))
    }

    /// Refunds waiting for a result, by payment or by the provider's reference.
    pub fn refunds_waiting(
        &self,
        payment_id: Option<i64>,
        provider_ref: Option<&str>,
    ) -> Result<Vec<Refund>> {
        table::refunds::waiting(&self.conn, payment_id, provider_ref)?
            .into_iter()
            .map(|id| table::refunds::get(&self.conn, id))
            .collect()
    }

    /// The provider refused a refund; the reason is kept.
    pub fn refund_fail(&mut self, id: i64, reason: &str, now: Timestamp) -> Result<Refund> {
        self.write(|tx| refund::fail(tx, id, reason, now))
    }

    /// The transactions dashboard: a page of payments and the filter's KPIs.
    pub fn payments_page(
        &self,
        filter: &PaymentFilter,
        limit: i64,
        after: Option<Cursor>,
    ) -> Result<PaymentsPage> {
        dashboard::page(&self.conn, filter, limit, after)
    }

    /// KPI totals alone.
    pub fn kpis(&self, filter: &PaymentFilter) -> Result<Kpis> {
        dashboard::kpis(&self.conn, filter)
    }

    /// Every ledger invariant that does not hold (empty when the books are sound).
    pub fn check(&self) -> Result<Vec<String>> {
        check::check(&self.conn)
    }

    // ----- settings, users, audit -----------------------------------------------------------

    /// A non-secret setting.
    pub fn setting_get(&self, key: &str) -> Result<Option<String>> {
        table::settings::get(&self.conn, key)
    }

    /// Sets a non-secret setting, audited with its old and new value.
    pub fn setting_set(
        &mut self,
        key: &str,
        value: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| {
            let before = table::settings::set(tx, key, value, now)?;
            let line = table::audit::AuditLine {
                actor,
                action: "setting_changed",
                entity: "setting",
                entity_id: key,
                before: before.as_deref(),
                after: Some(value),
            };
            table::audit::append(tx, line, now)
        })
    }

    /// Adds a cashier or manager with a PIN (stored hashed), audited.
    pub fn user_create(
        &mut self,
        name: &str,
        role: Role,
        pin: &str,
        actor: &str,
        now: Timestamp,
    ) -> Result<User> {
        self.write(|tx| {
            let user = table::users::create(tx, name, role, pin, now)?;
            let line = table::audit::AuditLine {
                actor,
                action: "user_created",
                entity: "user",
                entity_id: &user.id.to_string(),
                before: None,
                after: Some(role.code()),
            };
            table::audit::append(tx, line, now)?;
            Ok(user)
        })
    }

    /// The user if the name and PIN match.
    pub fn user_verify_pin(&self, name: &str, pin: &str) -> Result<Option<User>> {
        table::users::verify(&self.conn, name, pin)
    }

    /// The audit log, newest first, optionally for one entity (`("sale", "12")`).
    pub fn audit_list(&self, entity: Option<(&str, &str)>, limit: i64) -> Result<Vec<AuditEntry>> {
        table::audit::list_for(&self.conn, entity, limit)
    }
}
