//! Customers and invoice drafts for the manager screens: saving a customer (audited),
//! finding and listing them, creating or replacing an invoice DRAFT with its customer and
//! note, listing invoices, and the refunds that re-opened a sale or invoice.

use malipo_core::{InvoiceDraft, TargetRef, Timestamp};
use rusqlite::params;

use crate::error::{corrupt, Result, StoreError};
use crate::table::customers::{self, CustomerRow};
use crate::table::refunds::Refund;
use crate::Store;

impl Store {
    /// Creates (`id` = `None`) or updates a customer; audited.
    pub fn customer_save(
        &mut self,
        id: Option<i64>,
        name: &str,
        phone: Option<&str>,
        email: Option<&str>,
        actor: &str,
        now: Timestamp,
    ) -> Result<CustomerRow> {
        self.write(|tx| {
            let (id, action) = match id {
                Some(id) => {
                    customers::update(tx, id, name, phone, email, now)?;
                    (id, "customer_updated")
                }
                None => (
                    customers::insert(tx, name, phone, email, now)?,
                    "customer_created",
                ),
            };
            let row = customers::get(tx, id)?;
            let after = serde_json::to_string(&row).map_err(|e| corrupt("customer", e))?;
            crate::table::audit::append(
                tx,
                crate::table::audit::AuditLine {
                    actor,
                    action,
                    entity: "customer",
                    entity_id: &id.to_string(),
                    before: None,
                    after: Some(&after),
                },
                now,
            )?;
            Ok(row)
        })
    }

    /// A customer.
    pub fn customer_get(&self, id: i64) -> Result<CustomerRow> {
        customers::get(&self.conn, id)
    }

    /// Customers matching `query` ("" = all), by name.
    pub fn customers_list(&self, query: &str, limit: i64) -> Result<Vec<CustomerRow>> {
        customers::list(&self.conn, query.trim(), limit)
    }

    /// A customer by phone, else by exact name.
    pub fn customer_find(&self, phone: Option<&str>, name: &str) -> Result<Option<CustomerRow>> {
        customers::find(&self.conn, phone, name)
    }

    /// Creates a draft invoice, or replaces the draft `invoice_id` (refused once issued).
    pub fn invoice_save_draft(
        &mut self,
        invoice_id: Option<i64>,
        draft: &InvoiceDraft,
        customer_id: Option<i64>,
        note: &str,
        now: Timestamp,
    ) -> Result<i64> {
        self.write(|tx| {
            let id = match invoice_id {
                None => crate::table::invoices::create_draft(tx, draft, now)?,
                Some(id) => {
                    let body = serde_json::to_string(draft).map_err(|e| corrupt("invoice", e))?;
                    let changed = tx
                        .prepare_cached(
                            "UPDATE invoices SET customer_name = ?2, customer_phone = ?3, customer_email = ?4,
                               currency = ?5, total_minor = ?6, due_date = ?7, payment_mode = ?8, body = ?9,
                               updated_at = ?10
                             WHERE id = ?1 AND status = 'draft'",
                        )?
                        .execute(params![
                            id,
                            draft.customer.name,
                            draft.customer.phone.as_ref().map(|p| p.as_str().to_string()),
                            draft.customer.email,
                            draft.currency.code(),
                            draft.total.minor,
                            draft.due_date,
                            draft.payment_mode.code(),
                            body,
                            now.0
                        ])?;
                    if changed == 0 {
                        return Err(StoreError::Refused("only a draft can be edited".into()));
                    }
                    id
                }
            };
            customers::set_invoice(tx, id, customer_id, note)?;
            Ok(id)
        })
    }

    /// The customer id and note of an invoice.
    pub fn invoice_customer(&self, invoice_id: i64) -> Result<(Option<i64>, String)> {
        customers::of_invoice(&self.conn, invoice_id)
    }

    /// Invoice ids, newest first: stored status `draft`/`issued`/`void` (`None` = any), and
    /// number prefix or customer name/phone containing `query`.
    pub fn invoices_list(&self, status: Option<&str>, query: &str, limit: i64) -> Result<Vec<i64>> {
        let q = query.trim();
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM invoices WHERE (?1 IS NULL OR status = ?1)
                   AND (?2 = '' OR number LIKE ?2 || '%' OR customer_name LIKE '%' || ?2 || '%'
                        OR COALESCE(customer_phone, '') LIKE '%' || ?2 || '%')
                 ORDER BY created_at DESC, id DESC LIMIT ?3",
            )?
            .query_map(params![status, q, limit], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?)
    }

    /// Refunds/reversals recorded against a sale or invoice, oldest first.
    pub fn refunds_for_target(&self, target: TargetRef) -> Result<Vec<Refund>> {
        let ids: Vec<i64> = self
            .conn
            .prepare_cached(
                "SELECT id FROM refunds WHERE target_kind = ?1 AND target_id = ?2 ORDER BY id",
            )?
            .query_map(params![target.kind(), target.id()], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        ids.into_iter().map(|id| self.refund_get(id)).collect()
    }

    /// Records that an issued invoice is a customer's control-number bill.
    pub fn control_number_add(
        &mut self,
        invoice_id: i64,
        customer_id: i64,
        description: &str,
        now: Timestamp,
    ) -> Result<()> {
        self.write(|tx| {
            customers::control_number_add(tx, invoice_id, customer_id, description, now)
        })
    }

    /// Whether an invoice is a customer's control-number bill (a recurring bill, paid again
    /// and again on the same number).
    pub fn invoice_is_control_number(&self, invoice_id: i64) -> Result<bool> {
        customers::is_control_number(&self.conn, invoice_id)
    }

    /// A customer's control-number bills: (invoice id, description, created), oldest first.
    pub fn control_numbers_of(&self, customer_id: i64) -> Result<Vec<(i64, String, Timestamp)>> {
        customers::control_numbers_of(&self.conn, customer_id)
    }
}
