//! Receipts: the same [`Receipt`] the printer gets, built from the sale and what the ledger
//! placed on it, and — opt-in per shop (`receipts.email`, `receipts.sms` = `on`) — sent to the
//! customer by email and/or SMS when a sale is paid. Sending goes through the notify outbox:
//! queued in the same store, delivered by the engine's background loop with retries, never
//! blocking the sale; failures stay visible on their outbox rows.

use malipo_core::{PaymentMethod, Phone, TargetRef};
use malipo_notify::{Outbox, ReceiptRecipients, RunSummary};
use malipo_print::{
    Language, LocalTime, Paper, Receipt, ReceiptContext, ShopHeader, Tender, TenderDetail,
    NAIROBI_OFFSET_MINUTES,
};

use crate::engine::Engine;
use crate::error::EngineError;

/// Email the receipt when a sale is paid (`on` / anything else).
pub const RECEIPT_EMAIL_SETTING: &str = "receipts.email";
/// SMS the receipt when a sale is paid.
pub const RECEIPT_SMS_SETTING: &str = "receipts.sms";
/// The receipt's language, `en` or `sw` (a shop setting).
pub const RECEIPT_LANGUAGE_SETTING: &str = "receipts.language";

/// How a customer can be reached, when the cashier knows (entered at the register).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerContact {
    pub email: Option<String>,
    pub phone: Option<Phone>,
}

pub(crate) fn tender_detail(p: &malipo_store::Payment) -> TenderDetail {
    match p.method {
        PaymentMethod::Cash => TenderDetail::Cash {
            tendered: p.amount,
            change: malipo_core::Money::from_minor(0, p.amount.currency),
        },
        PaymentMethod::MpesaStk
        | PaymentMethod::MpesaQr
        | PaymentMethod::MpesaPaybill
        | PaymentMethod::MpesaTill => TenderDetail::Mpesa {
            receipt: p.provider_txn_id.clone(),
            phone: p
                .payer_phone
                .as_deref()
                .and_then(|ph| Phone::parse(ph).ok()),
        },
        PaymentMethod::CardInline | PaymentMethod::CardLink => {
            let label = p.payer_ref.clone().unwrap_or_default();
            let mut words = label.split_whitespace();
            let brand = words.next().unwrap_or("CARD").to_owned();
            let last4 = words.last().unwrap_or("").to_owned();
            TenderDetail::Card {
                brand,
                last4,
                reference: p.provider_txn_id.clone(),
            }
        }
        PaymentMethod::BillPay => TenderDetail::BillPay {
            control_number: p.account_reference.clone().unwrap_or_default(),
            reference: p.provider_txn_id.clone(),
        },
    }
}

impl Engine {
    /// Remembers how to reach the customer of a sale (for the automatic receipt).
    pub fn set_customer_contact(&self, sale_id: i64, contact: CustomerContact) {
        if let Ok(mut contacts) = self.inner.contacts.lock() {
            contacts.insert(sale_id, contact);
        }
    }

    /// The receipt of a sale as it stands: lines, VAT, every tender the ledger placed on it,
    /// and what is still due.
    pub fn sale_receipt(&self, sale_id: i64) -> Result<Receipt, EngineError> {
        let store = self.store()?;
        let sale = store.sale_get(sale_id)?;
        let setting = |key: &str| store.setting_get(key).ok().flatten();
        let language = match setting(RECEIPT_LANGUAGE_SETTING).as_deref() {
            Some("sw") => Language::Kiswahili,
            _ => Language::English,
        };
        let ctx = ReceiptContext {
            language,
            shop: ShopHeader {
                name: self.inner.config.shop_name.clone(),
                address: setting("shop.address")
                    .map(|a| a.lines().map(str::to_owned).collect())
                    .unwrap_or_default(),
                pin: setting("shop.kra_pin"),
                phone: setting("shop.phone"),
                logo: None,
            },
            sale_number: sale.number.clone(),
            till: sale.till.clone(),
            cashier: sale.cashier.clone(),
            time: LocalTime::from_timestamp(sale.created_at, NAIROBI_OFFSET_MINUTES),
            footer: Vec::new(),
        };
        let mut receipt = Receipt::from_sale(ctx, &sale.draft);
        for a in store.allocations_for_target(TargetRef::Sale(sale_id))? {
            let p = store.payment_get(a.payment_id)?;
            receipt.tenders.push(Tender {
                method: p.method,
                amount: a.amount,
                detail: tender_detail(&p),
            });
        }
        receipt.balance_due = store.balance(TargetRef::Sale(sale_id))?.balance;
        Ok(receipt)
    }

    /// Queues the paid sale's receipt to the customer, per the shop's settings.
    pub(crate) fn queue_receipts(&self, sale_id: i64) -> Result<Vec<i64>, EngineError> {
        let (email_on, sms_on) = {
            let store = self.store()?;
            let on = |k: &str| store.setting_get(k).ok().flatten().as_deref() == Some("on");
            (on(RECEIPT_EMAIL_SETTING), on(RECEIPT_SMS_SETTING))
        };
        if !email_on && !sms_on {
            return Ok(Vec::new());
        }
        let contact = self
            .inner
            .contacts
            .lock()
            .ok()
            .and_then(|c| c.get(&sale_id).cloned())
            .unwrap_or_default();
        let receipt = self.sale_receipt(sale_id)?;
        let mut store = self.store()?;
        // The phone that paid by M-Pesa, when the cashier entered none.
        let paid_from = store
            .allocations_for_target(TargetRef::Sale(sale_id))?
            .into_iter()
            .filter_map(|a| store.payment_get(a.payment_id).ok())
            .find_map(|p| p.payer_phone);
        let phone = contact.phone.map(|p| p.as_str().to_owned()).or(paid_from);
        let to = ReceiptRecipients {
            email: contact.email.filter(|_| email_on),
            phone: phone.filter(|_| sms_on),
        };
        let now = self.now();
        let ids = Outbox::enqueue_receipt(
            &mut store,
            &receipt,
            Paper::Mm80,
            &to,
            Some(sale_id),
            None,
            now,
        )
        .map_err(|e| EngineError::Invalid(format!("the receipt could not be queued: {e}")))?;
        Ok(ids)
    }

    /// Sends the receipts that are due (claim, deliver without holding the store, record).
    pub async fn send_due_receipts(&self) -> Result<RunSummary, EngineError> {
        let mut summary = RunSummary::default();
        let Some(outbox) = self.inner.config.receipts.as_ref() else {
            return Ok(summary);
        };
        let now = self.now();
        let due = outbox
            .claim(&mut *self.store()?, now)
            .map_err(|e| EngineError::Invalid(e.to_string()))?;
        for m in due {
            let delivery = outbox.deliver(&m).await;
            outbox
                .record(&mut *self.store()?, &m, &delivery, self.now(), &mut summary)
                .map_err(|e| EngineError::Invalid(e.to_string()))?;
        }
        Ok(summary)
    }
}
