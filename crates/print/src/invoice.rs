//! The invoice model for the PDF: shop, customer, lines, VAT, payments and reversals, the
//! balance still due, and how to pay it (Paybill with the invoice number as the account, a
//! Paystack link, a BillPay control number). The status stamp is derived here.

use std::collections::BTreeSet;

use malipo_core::{Currency, Customer, Money, VatBreakdown};

use crate::i18n::{Language, Msg};
use crate::model::{Receipt, ReceiptLine, Reversal, ShopHeader, Tender};

/// How the customer can pay what is still due.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PaymentInstructions {
    /// The shop's M-Pesa Paybill (business) number; the account is the invoice number.
    pub paybill: Option<String>,
    /// A Paystack hosted-checkout link, printed as a QR code and as text.
    pub paystack_link: Option<String>,
    /// A ClickPesa BillPay control number.
    pub billpay_control: Option<String>,
}

/// An invoice as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub language: Language,
    pub shop: ShopHeader,
    /// `INV-000123`, which customers type as the Paybill account.
    pub number: String,
    /// Dates as printed (`25/11/2026`).
    pub issue_date: String,
    pub due_date: String,
    pub customer: Customer,
    pub currency: Currency,
    pub lines: Vec<ReceiptLine>,
    pub vat: VatBreakdown,
    pub total: Money,
    /// Each payment, with the date it arrived.
    pub payments: Vec<(String, Tender)>,
    pub reversals: Vec<(String, Reversal)>,
    pub balance_due: Money,
    pub instructions: PaymentInstructions,
    /// Free lines at the bottom (bank details, terms).
    pub notes: Vec<String>,
}

/// What the stamp on the invoice says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stamp {
    /// Paid in full, by these methods (`MPESA`, `CARD`…).
    Paid(Vec<&'static str>),
    PartlyPaid,
    Unpaid,
}

impl Stamp {
    /// For an invoice's payments and balance.
    pub fn of(payments: &[Tender], balance_due: Money) -> Stamp {
        let paid: i64 = payments.iter().map(|t| t.amount.minor).sum();
        if balance_due.minor <= 0 && paid > 0 {
            let labels: BTreeSet<&'static str> =
                payments.iter().map(|t| t.method.receipt_label()).collect();
            Stamp::Paid(labels.into_iter().collect())
        } else if paid > 0 {
            Stamp::PartlyPaid
        } else {
            Stamp::Unpaid
        }
    }

    /// `Paid (MPESA)`, `Paid (MPESA + CARD)`, `Partly paid`, `Unpaid`.
    pub fn text(&self, lang: Language) -> String {
        match self {
            Stamp::Paid(labels) => format!("{} ({})", lang.text(Msg::Paid), labels.join(" + ")),
            Stamp::PartlyPaid => lang.text(Msg::PartlyPaid).to_string(),
            Stamp::Unpaid => lang.text(Msg::Unpaid).to_string(),
        }
    }
}

impl Invoice {
    /// The stamp, counting reversed money as not paid.
    pub fn stamp(&self) -> Stamp {
        let kept: Vec<Tender> = self.payments.iter().map(|(_, t)| t.clone()).collect();
        if self.reversals.is_empty() {
            Stamp::of(&kept, self.balance_due)
        } else if self.balance_due.is_positive() {
            let reversed: i64 = self.reversals.iter().map(|(_, r)| r.amount.minor).sum();
            let paid: i64 = kept.iter().map(|t| t.amount.minor).sum();
            if paid > reversed {
                Stamp::PartlyPaid
            } else {
                Stamp::Unpaid
            }
        } else {
            Stamp::of(&kept, self.balance_due)
        }
    }

    /// An invoice for a receipt's sale (a customer asking for an invoice at the till).
    pub fn from_receipt(r: &Receipt, number: String, customer: Customer) -> Invoice {
        let date = r.time.date();
        Invoice {
            language: r.language,
            shop: r.shop.clone(),
            number,
            issue_date: date.clone(),
            due_date: date.clone(),
            customer,
            currency: r.currency,
            lines: r.lines.clone(),
            vat: r.vat.clone(),
            total: r.total,
            payments: r
                .tenders
                .iter()
                .map(|t| (date.clone(), t.clone()))
                .collect(),
            reversals: r
                .reversals
                .iter()
                .map(|v| (date.clone(), v.clone()))
                .collect(),
            balance_due: r.balance_due,
            instructions: PaymentInstructions::default(),
            notes: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::TenderDetail;
    use malipo_core::PaymentMethod;

    fn t(method: PaymentMethod, minor: i64) -> Tender {
        Tender {
            method,
            amount: Money::from_minor(minor, Currency::Kes),
            detail: TenderDetail::Card {
                brand: "VISA".into(),
                last4: "4081".into(),
                reference: None,
            },
        }
    }

    #[test]
    fn stamp_says_how_it_was_paid() {
        let kes = |m| Money::from_minor(m, Currency::Kes);
        let en = Language::English;
        let card = t(PaymentMethod::CardLink, 500);
        let mpesa = t(PaymentMethod::MpesaPaybill, 500);
        assert_eq!(
            Stamp::of(std::slice::from_ref(&card), kes(0)).text(en),
            "Paid (CARD)"
        );
        assert_eq!(
            Stamp::of(&[mpesa.clone(), card], kes(0)).text(en),
            "Paid (CARD + MPESA)"
        );
        assert_eq!(Stamp::of(&[mpesa], kes(500)).text(en), "Partly paid");
        assert_eq!(
            Stamp::of(&[], kes(500)).text(Language::Kiswahili),
            "Haijalipwa"
        );
    }
}
