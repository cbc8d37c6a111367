//! An invoice's PDF (the print crate's invoice layout): lines, VAT, payments and reversals
//! from the ledger, the balance due, and how to pay it (Paybill with the invoice number as the
//! account, a BillPay control number once made).

use malipo_core::{Customer, Phone, Timestamp};
use malipo_print::invoice::{Invoice, PaymentInstructions};
use malipo_print::model::{
    LocalTime, ReceiptLine, Reversal, ReversalKind, ShopHeader, Tender, NAIROBI_OFFSET_MINUTES,
};
use malipo_print::Language;

use super::ManagerError;
use crate::engine::Engine;
use crate::receipts::tender_detail;
use crate::RECEIPT_LANGUAGE_SETTING;

fn date(ms: i64) -> String {
    let t = LocalTime::from_timestamp(Timestamp(ms), NAIROBI_OFFSET_MINUTES);
    format!("{:02}/{:02}/{:04}", t.day, t.month, t.year)
}

/// `2026-12-31` → `31/12/2026` (anything else as written).
fn iso_date(d: &str) -> String {
    let parts: Vec<&str> = d.split('-').collect();
    match parts.as_slice() {
        [y, m, day] => format!("{day}/{m}/{y}"),
        _ => d.to_owned(),
    }
}

impl Engine {
    /// The PDF of an issued invoice.
    pub fn invoice_pdf(&self, invoice_id: i64) -> Result<Vec<u8>, ManagerError> {
        let view = self.invoice_detail(invoice_id)?;
        let number = view
            .number
            .clone()
            .ok_or_else(|| ManagerError::Invalid("issue the invoice before printing it".into()))?;
        let store = self.store()?;
        let inv = store.invoice_get(invoice_id)?;
        let setting = |key: &str| store.setting_get(key).ok().flatten();
        let language = match setting(RECEIPT_LANGUAGE_SETTING).as_deref() {
            Some("sw") => Language::Kiswahili,
            _ => Language::English,
        };
        let mut payments = Vec::new();
        let mut reversals = Vec::new();
        for p in &view.payments {
            let payment = store.payment_get(p.payment_id)?;
            if p.kind == "payment" {
                payments.push((
                    date(p.at_ms),
                    Tender {
                        method: payment.method,
                        amount: p.amount,
                        detail: tender_detail(&payment),
                    },
                ));
            } else {
                reversals.push((
                    date(p.at_ms),
                    Reversal {
                        kind: ReversalKind::Reversed,
                        method: payment.method,
                        amount: p.amount,
                        reference: p.receipt.clone(),
                    },
                ));
            }
        }
        let customer = match &view.customer {
            Some(c) => Customer {
                name: c.name.clone(),
                phone: c.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
                email: c.email.clone(),
            },
            None => inv.draft.customer.clone(),
        };
        let model = Invoice {
            language,
            shop: ShopHeader {
                name: self.config().shop_name.clone(),
                address: setting("shop.address")
                    .map(|a| a.lines().map(str::to_owned).collect())
                    .unwrap_or_default(),
                pin: setting("shop.kra_pin"),
                phone: setting("shop.phone"),
                logo: None,
            },
            number,
            issue_date: date(view.issued_ms.unwrap_or(inv.created_at.0)),
            due_date: iso_date(view.due_date.as_deref().unwrap_or_default()),
            customer,
            currency: inv.total.currency,
            lines: inv.draft.lines.iter().map(ReceiptLine::from).collect(),
            vat: inv.draft.vat.clone(),
            total: inv.total,
            payments,
            reversals,
            balance_due: view.balance,
            instructions: PaymentInstructions {
                paybill: view.paybill.clone(),
                paystack_link: None,
                billpay_control: view.control_number.clone(),
            },
            notes: if view.note.is_empty() {
                Vec::new()
            } else {
                vec![view.note.clone()]
            },
        };
        malipo_print::pdf::invoice_pdf(&model)
            .map_err(|e| ManagerError::Invalid(format!("the invoice PDF could not be made: {e}")))
    }
}
