//! Invoices and customers on the manager screens: drafts (created, replaced until issued),
//! issue, void (manager PIN, refused once money arrived), the invoice as shown with its
//! payments and reversals, the invoice list; customers listed, shown and saved.

use malipo_core::{
    Currency, Customer, InvoiceDraft, InvoiceStatus, Money, PaymentMode, Phone, SaleLine,
    TargetRef, TaxClass, VatBreakdown,
};
use malipo_store::{CustomerRow, Store};
use serde::{Deserialize, Serialize};

use super::{method_code, target_view, verify_manager, ManagerError};
use crate::engine::Engine;

/// How many invoices/customers a list shows at most.
const LIST_LIMIT: i64 = 500;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InvoiceLineInput {
    pub description: String,
    pub qty: i64,
    pub unit_price_minor: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InvoiceDraftInput {
    pub invoice_id: Option<i64>,
    pub customer_id: Option<i64>,
    pub due_date: Option<String>,
    pub mode: String,
    #[serde(default)]
    pub lines: Vec<InvoiceLineInput>,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub description: String,
    pub qty: i64,
    pub unit_price: Money,
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerView {
    pub customer_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoicePayment {
    pub payment_id: i64,
    pub at_ms: i64,
    pub method: String,
    pub kind: String,
    pub amount: Money,
    pub receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceView {
    pub invoice_id: i64,
    pub number: Option<String>,
    pub status: String,
    pub customer: Option<CustomerView>,
    pub due_date: Option<String>,
    pub mode: String,
    pub note: String,
    pub lines: Vec<InvoiceLine>,
    pub total: Money,
    pub paid: Money,
    pub balance: Money,
    pub over: Money,
    pub payments: Vec<InvoicePayment>,
    pub paybill: Option<String>,
    pub control_number: Option<String>,
    pub issued_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceSummary {
    pub invoice_id: i64,
    pub number: Option<String>,
    pub customer_name: Option<String>,
    pub total: Money,
    pub balance: Money,
    pub status: String,
    pub due_date: Option<String>,
    pub issued_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerSummary {
    pub customer_id: i64,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub control_numbers: i64,
    pub balance: Money,
}

/// One control number of a customer: an issued invoice paid through BillPay.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlNumberView {
    pub control_number: String,
    pub customer_id: i64,
    pub description: String,
    pub amount: Money,
    pub mode: String,
    pub paid: Money,
    pub payments: Vec<InvoicePayment>,
    pub created_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CustomerDetail {
    pub customer: CustomerView,
    pub control_numbers: Vec<ControlNumberView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CustomerInput {
    pub customer_id: Option<i64>,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
}

fn mode_of(code: &str) -> Result<PaymentMode, ManagerError> {
    match code {
        "exact" | "" => Ok(PaymentMode::Exact),
        "partial" => Ok(PaymentMode::AllowPartial),
        "partial_over" => Ok(PaymentMode::AllowPartialAndOver),
        other => Err(ManagerError::Invalid(format!(
            "unknown payment mode {other:?}"
        ))),
    }
}

pub(crate) fn mode_code(m: PaymentMode) -> &'static str {
    match m {
        PaymentMode::Exact => "exact",
        PaymentMode::AllowPartial => "partial",
        PaymentMode::AllowPartialAndOver => "partial_over",
    }
}

fn customer_view(c: CustomerRow) -> CustomerView {
    CustomerView {
        customer_id: c.id,
        name: c.name,
        phone: c.phone,
        email: c.email,
    }
}

fn some(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_owned())
}

/// The invoice as shown.
fn invoice_view(store: &Store, id: i64) -> Result<InvoiceView, ManagerError> {
    let inv = store.invoice_get(id)?;
    let (customer_id, note) = store.invoice_customer(id)?;
    let customer = customer_id
        .map(|c| store.customer_get(c))
        .transpose()?
        .map(customer_view);
    let target = TargetRef::Invoice(id);
    let b = store.balance(target)?;
    let view = target_view(store, target)?;
    let currency = inv.total.currency;
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
    for r in store.refunds_for_target(target)? {
        if r.status != "completed" {
            continue;
        }
        let p = store.payment_get(r.payment_id)?;
        payments.push(InvoicePayment {
            payment_id: p.id,
            at_ms: store.refund_requested(r.id)?.1,
            method: method_code(p.method).into(),
            kind: "reversal".into(),
            amount: r.amount,
            receipt: r.provider_ref.clone(),
        });
    }
    payments.sort_by_key(|p| p.at_ms);
    let issued_ms = store
        .audit_list(Some(("invoice", &id.to_string())), 20)?
        .into_iter()
        .find(|e| e.action.contains("issue"))
        .map(|e| e.at.0);
    let over = view.paid.minor.saturating_sub(b.total.minor).max(0);
    Ok(InvoiceView {
        invoice_id: id,
        number: inv.number.clone(),
        status: view.status,
        customer,
        due_date: some(&inv.draft.due_date),
        mode: mode_code(inv.draft.payment_mode).into(),
        note,
        lines: inv
            .draft
            .lines
            .iter()
            .map(|l| InvoiceLine {
                description: l.name.clone(),
                qty: l.quantity,
                unit_price: l.unit_price,
                total: l.amount,
            })
            .collect(),
        total: inv.total,
        paid: view.paid,
        balance: view.balance,
        over: Money::from_minor(over, currency),
        payments,
        paybill: store
            .setting_get("daraja.shortcode")?
            .filter(|s| !s.is_empty()),
        control_number: inv
            .number
            .as_deref()
            .map(malipo_core::normalise_reference)
            .filter(|c| {
                store
                    .attempt_by_provider_ref(malipo_core::Provider::Clickpesa, c)
                    .ok()
                    .flatten()
                    .is_some()
            }),
        issued_ms: issued_ms.filter(|_| inv.status != InvoiceStatus::Draft),
    })
}

impl Engine {
    /// Creates a draft or replaces a draft (`invoice_not_draft` once issued).
    pub fn invoice_save_draft(
        &self,
        input: &InvoiceDraftInput,
    ) -> Result<InvoiceView, ManagerError> {
        let currency: Currency = self.config().currency;
        let mode = mode_of(&input.mode)?;
        let mut lines = Vec::new();
        let mut total = 0i64;
        for l in &input.lines {
            let description = l.description.trim();
            if description.is_empty() || l.qty <= 0 || l.unit_price_minor < 0 {
                return Err(ManagerError::Invalid(
                    "each line needs a description, a quantity above 0 and a price".into(),
                ));
            }
            let amount = l
                .unit_price_minor
                .checked_mul(l.qty)
                .ok_or_else(|| ManagerError::Invalid("a line's total is too large".into()))?;
            total = total
                .checked_add(amount)
                .ok_or_else(|| ManagerError::Invalid("the invoice total is too large".into()))?;
            lines.push(SaleLine {
                sku: String::new(),
                name: description.to_owned(),
                unit_price: Money::from_minor(l.unit_price_minor, currency),
                quantity: l.qty,
                tax_class: TaxClass::Standard,
                amount: Money::from_minor(amount, currency),
            });
        }
        let vat = VatBreakdown::from_gross(currency, lines.iter().map(|l| (l.tax_class, l.amount)))
            .map_err(|e| ManagerError::Invalid(e.to_string()))?;
        let now = self.now();
        let mut store = self.store()?;
        if let Some(id) = input.invoice_id {
            if store.invoice_get(id)?.status != InvoiceStatus::Draft {
                return Err(ManagerError::InvoiceNotDraft);
            }
        }
        let customer = match input.customer_id {
            Some(c) => {
                let row = store.customer_get(c)?;
                Customer {
                    name: row.name,
                    phone: row.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
                    email: row.email,
                }
            }
            None => Customer {
                name: String::new(),
                phone: None,
                email: None,
            },
        };
        let draft = InvoiceDraft {
            customer,
            currency,
            lines,
            total: Money::from_minor(total, currency),
            vat,
            due_date: input.due_date.clone().unwrap_or_default(),
            payment_mode: mode,
        };
        let id = store.invoice_save_draft(
            input.invoice_id,
            &draft,
            input.customer_id,
            input.note.trim(),
            now,
        )?;
        invoice_view(&store, id)
    }

    /// Issues a draft: its number is assigned (`invalid_input` without lines or customer).
    pub fn invoice_issue(&self, invoice_id: i64, actor: &str) -> Result<InvoiceView, ManagerError> {
        let now = self.now();
        let mut store = self.store()?;
        let inv = store.invoice_get(invoice_id)?;
        if inv.status != InvoiceStatus::Draft {
            return Err(ManagerError::InvoiceNotDraft);
        }
        if inv.draft.lines.is_empty() || store.invoice_customer(invoice_id)?.0.is_none() {
            return Err(ManagerError::Invalid(
                "an invoice needs a customer and at least one line".into(),
            ));
        }
        store.invoice_issue(invoice_id, actor, now)?;
        invoice_view(&store, invoice_id)
    }

    /// Voids an invoice with the manager's PIN (`invoice_has_payments` once paid).
    pub fn invoice_void(&self, invoice_id: i64, pin: &str) -> Result<InvoiceView, ManagerError> {
        let now = self.now();
        let mut store = self.store()?;
        let manager = verify_manager(&store, pin)?;
        let view = invoice_view(&store, invoice_id)?;
        if view.paid.minor > 0 || !view.payments.is_empty() {
            return Err(ManagerError::InvoiceHasPayments);
        }
        match view.status.as_str() {
            "void" => return Err(ManagerError::Invalid("the invoice is already void".into())),
            // A draft has no number yet and nothing to cancel: it is simply not issued.
            "draft" => return Err(ManagerError::InvoiceNotDraft),
            _ => {}
        }
        store.invoice_void(invoice_id, &manager, now)?;
        invoice_view(&store, invoice_id)
    }

    /// The invoice as shown.
    pub fn invoice_detail(&self, invoice_id: i64) -> Result<InvoiceView, ManagerError> {
        invoice_view(&*self.store()?, invoice_id)
    }

    /// Invoices, newest first, by shown status (`None` = any) and text.
    pub fn invoices_list(
        &self,
        status: Option<&str>,
        query: &str,
    ) -> Result<Vec<InvoiceSummary>, ManagerError> {
        let stored = match status {
            None => None,
            Some("draft") => Some("draft"),
            Some("void") => Some("void"),
            Some("issued" | "part_paid" | "paid" | "overpaid") => Some("issued"),
            Some(other) => return Err(ManagerError::Invalid(format!("unknown status {other:?}"))),
        };
        let store = self.store()?;
        let mut out = Vec::new();
        for id in store.invoices_list(stored, query, LIST_LIMIT)? {
            let v = invoice_view(&store, id)?;
            if status.is_some_and(|s| s != v.status) {
                continue;
            }
            out.push(InvoiceSummary {
                invoice_id: id,
                number: v.number,
                customer_name: v.customer.map(|c| c.name),
                total: v.total,
                balance: v.balance,
                status: v.status,
                due_date: v.due_date,
                issued_ms: v.issued_ms,
            });
        }
        Ok(out)
    }

    /// Customers matching `query`, by name, with what their open invoices still owe.
    pub fn customers_list(&self, query: &str) -> Result<Vec<CustomerSummary>, ManagerError> {
        let store = self.store()?;
        let mut owed: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
        for id in store.invoices_list(Some("issued"), "", 10_000)? {
            if let (Some(c), _) = store.invoice_customer(id)? {
                let b = store.balance(TargetRef::Invoice(id))?.balance.minor.max(0);
                *owed.entry(c).or_default() += b;
            }
        }
        let currency = self.config().currency;
        Ok(store
            .customers_list(query, LIST_LIMIT)?
            .into_iter()
            .map(|c| CustomerSummary {
                balance: Money::from_minor(owed.get(&c.id).copied().unwrap_or(0), currency),
                control_numbers: store.control_numbers_of(c.id).map_or(0, |v| v.len() as i64),
                customer_id: c.id,
                name: c.name,
                phone: c.phone,
                email: c.email,
            })
            .collect())
    }

    pub fn customer_detail(&self, customer_id: i64) -> Result<CustomerDetail, ManagerError> {
        let store = self.store()?;
        let row = store.customer_get(customer_id)?;
        let mut control_numbers = Vec::new();
        for (invoice_id, description, created) in store.control_numbers_of(customer_id)? {
            control_numbers.push(super::control::control_view(
                &store,
                invoice_id,
                customer_id,
                &description,
                created.0,
            )?);
        }
        Ok(CustomerDetail {
            customer: customer_view(row),
            control_numbers,
        })
    }

    /// Creates or updates a customer (`invalid_phone`, `invalid_input`).
    pub fn customer_save(
        &self,
        input: &CustomerInput,
        actor: &str,
    ) -> Result<CustomerView, ManagerError> {
        let name = input.name.trim();
        if name.is_empty() {
            return Err(ManagerError::Invalid("a customer needs a name".into()));
        }
        let phone = match input
            .phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            Some(p) => Some(
                Phone::parse(p)
                    .map_err(|e| {
                        ManagerError::Engine(crate::EngineError::InvalidPhone(e.to_string()))
                    })?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let email = input
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty());
        if email.is_some_and(|e| !e.contains('@') || e.contains(' ')) {
            return Err(ManagerError::Invalid(
                "that email address does not look right".into(),
            ));
        }
        let now = self.now();
        let row = self.store()?.customer_save(
            input.customer_id,
            name,
            phone.as_deref(),
            email,
            actor,
            now,
        )?;
        Ok(customer_view(row))
    }

    /// Invoices that money was allocated to since `mark` (`None`: from now on), as shown,
    /// and the new mark: the shell sends each as `invoice-changed`.
    pub fn invoices_changed_after(
        &self,
        mark: Option<i64>,
    ) -> Result<(Vec<InvoiceView>, i64), ManagerError> {
        let store = self.store()?;
        let Some(mark) = mark else {
            return Ok((Vec::new(), store.allocations_last_id()?));
        };
        let (ids, next) = store.invoices_allocated_after(mark)?;
        let views = ids
            .into_iter()
            .map(|id| invoice_view(&store, id))
            .collect::<Result<Vec<_>, _>>()?;
        Ok((views, next))
    }
}
