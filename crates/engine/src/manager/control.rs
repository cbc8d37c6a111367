//! Customers' BillPay control numbers (seed 002): each recurring bill is an issued invoice
//! for the customer (one line: its description and amount, its payment mode) whose control
//! number ClickPesa makes (`billpay_start`); created one at a time or from the manager's CSV,
//! each row on its own.

use malipo_core::{normalise_reference, Phone, TargetRef};
use malipo_store::Store;
use serde::{Deserialize, Serialize};

use super::invoices::{
    mode_code, ControlNumberView, InvoiceDraftInput, InvoiceLineInput, InvoicePayment,
};
use super::{method_code, target_view, ManagerError};
use crate::engine::Engine;
use crate::error::EngineError;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ControlNumberItem {
    pub description: String,
    pub amount_minor: i64,
    #[serde(default)]
    pub mode: String,
}

/// One parsed line of the manager's CSV.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ImportRow {
    pub line: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub description: String,
    pub amount_minor: i64,
    #[serde(default)]
    pub mode: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportRowResult {
    pub line: i64,
    pub ok: bool,
    pub control_number: Option<String>,
    pub error: Option<RowError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportResult {
    pub created: i64,
    pub customers_created: i64,
    pub rows: Vec<ImportRowResult>,
}

/// A control-number bill as shown.
pub(crate) fn control_view(
    store: &Store,
    invoice_id: i64,
    customer_id: i64,
    description: &str,
    created_ms: i64,
) -> Result<ControlNumberView, ManagerError> {
    let inv = store.invoice_get(invoice_id)?;
    let target = TargetRef::Invoice(invoice_id);
    let view = target_view(store, target)?;
    let mut payments = Vec::new();
    for a in store.allocations_for_target(target)? {
        let p = store.payment_get(a.payment_id)?;
        payments.push(InvoicePayment {
            payment_id: p.id,
            at_ms: p.received_at.0,
            method: method_code(p.method).into(),
            kind: "payment".into(),
            amount: a.amount,
            receipt: p.provider_txn_id.clone(),
        });
    }
    Ok(ControlNumberView {
        control_number: normalise_reference(inv.number.as_deref().unwrap_or_default()),
        customer_id,
        description: description.to_owned(),
        amount: inv.total,
        mode: mode_code(inv.draft.payment_mode).into(),
        paid: view.paid,
        payments,
        created_ms,
    })
}

impl Engine {
    /// BillPay is set up and the shop's currency is one ClickPesa takes (TZS): checked before
    /// anything is created, so a refused bill leaves no invoice behind.
    fn billpay_ready(&self) -> Result<(), ManagerError> {
        if self.inner.clickpesa.is_none() {
            return Err(EngineError::NotConfigured("BillPay (ClickPesa)").into());
        }
        if self.config().currency != malipo_core::Currency::Tzs {
            return Err(ManagerError::Invalid(format!(
                "BillPay control numbers are in TZS; this shop takes {}",
                self.config().currency
            )));
        }
        Ok(())
    }

    /// Creates one control number per item for a customer, in order.
    pub async fn control_numbers_create(
        &self,
        customer_id: i64,
        items: &[ControlNumberItem],
        actor: &str,
    ) -> Result<Vec<ControlNumberView>, ManagerError> {
        self.store()?.customer_get(customer_id)?;
        for item in items {
            check_item(&item.description, item.amount_minor)?;
        }
        self.billpay_ready()?;
        let mut out = Vec::new();
        for item in items {
            out.push(self.control_number_one(customer_id, item, actor).await?);
        }
        Ok(out)
    }

    async fn control_number_one(
        &self,
        customer_id: i64,
        item: &ControlNumberItem,
        actor: &str,
    ) -> Result<ControlNumberView, ManagerError> {
        self.billpay_ready()?;
        let description = item.description.trim();
        let draft = self.invoice_save_draft(&InvoiceDraftInput {
            invoice_id: None,
            customer_id: Some(customer_id),
            due_date: None,
            mode: item.mode.clone(),
            lines: vec![InvoiceLineInput {
                description: description.to_owned(),
                qty: 1,
                unit_price_minor: item.amount_minor,
            }],
            note: String::new(),
        })?;
        let issued = self.invoice_issue(draft.invoice_id, actor)?;
        let now = self.now();
        self.store()?
            .control_number_add(issued.invoice_id, customer_id, description, now)?;
        self.billpay_start(TargetRef::Invoice(issued.invoice_id), issued.total)
            .await?;
        control_view(
            &*self.store()?,
            issued.invoice_id,
            customer_id,
            description,
            now.0,
        )
    }

    /// Creates the control numbers of the manager's CSV, each row on its own: the customer is
    /// found by phone, else by exact name, else created.
    pub async fn control_numbers_import(
        &self,
        rows: &[ImportRow],
        actor: &str,
    ) -> Result<ImportResult, ManagerError> {
        let mut result = ImportResult {
            created: 0,
            customers_created: 0,
            rows: Vec::new(),
        };
        for row in rows {
            let done = self
                .import_one(row, actor, &mut result.customers_created)
                .await;
            result.rows.push(match done {
                Ok(number) => {
                    result.created += 1;
                    ImportRowResult {
                        line: row.line,
                        ok: true,
                        control_number: Some(number),
                        error: None,
                    }
                }
                Err(e) => ImportRowResult {
                    line: row.line,
                    ok: false,
                    control_number: None,
                    error: Some(RowError {
                        code: e.code().into(),
                        message: e.to_string(),
                    }),
                },
            });
        }
        Ok(result)
    }

    async fn import_one(
        &self,
        row: &ImportRow,
        actor: &str,
        customers_created: &mut i64,
    ) -> Result<String, ManagerError> {
        check_item(&row.description, row.amount_minor)?;
        let name = row.name.trim();
        if name.is_empty() {
            return Err(ManagerError::Invalid(
                "the customer's name is missing".into(),
            ));
        }
        let phone = match row
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(
                Phone::parse(p)
                    .map_err(|e| ManagerError::Engine(EngineError::InvalidPhone(e.to_string())))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        self.billpay_ready()?;
        let found = self.store()?.customer_find(phone.as_deref(), name)?;
        let customer_id = match found {
            Some(c) => c.id,
            None => {
                let c = self.customer_save(
                    &super::CustomerInput {
                        customer_id: None,
                        name: name.to_owned(),
                        phone: phone.clone(),
                        email: row.email.clone(),
                    },
                    actor,
                )?;
                *customers_created += 1;
                c.customer_id
            }
        };
        let item = ControlNumberItem {
            description: row.description.clone(),
            amount_minor: row.amount_minor,
            mode: row.mode.clone(),
        };
        Ok(self
            .control_number_one(customer_id, &item, actor)
            .await?
            .control_number)
    }
}

fn check_item(description: &str, amount_minor: i64) -> Result<(), ManagerError> {
    if description.trim().is_empty() {
        return Err(ManagerError::Invalid(
            "each bill needs a description".into(),
        ));
    }
    if amount_minor <= 0 {
        return Err(ManagerError::InvalidAmount(
            "each bill needs an amount above 0".into(),
        ));
    }
    Ok(())
}
