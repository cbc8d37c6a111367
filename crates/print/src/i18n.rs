//! Labels printed on receipts, invoices and reports, in English and Kiswahili, from one
//! table (the shop's language is a setting). Method labels (`MPESA`, `CARD`) come from
//! `PaymentMethod::receipt_label` and are the same in both languages.

use serde::{Deserialize, Serialize};

/// The language of the paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Language {
    #[default]
    English,
    Kiswahili,
}

/// Every label, one variant each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Msg {
    Sale,
    Till,
    Cashier,
    Pin,
    Tel,
    Reprint,
    Subtotal,
    Discount,
    Total,
    VatIncluded,
    ZeroRated,
    Exempt,
    Paid,
    Reversed,
    Refunded,
    Receipt,
    Reference,
    Tendered,
    Change,
    BalanceDue,
    ControlNumber,
    Invoice,
    InvoiceDate,
    DueDate,
    BillTo,
    Item,
    Qty,
    UnitPrice,
    Amount,
    PartlyPaid,
    Unpaid,
    Payments,
    HowToPay,
    PayMpesa,
    PaybillNumber,
    AccountNumber,
    PayCard,
    PayBillPay,
    XReport,
    ZReport,
    Period,
    Printed,
    SalesCount,
    Gross,
    ByMethod,
    ByCashier,
    Refunds,
    Exceptions,
    CashDrawer,
    PendingPayments,
    UnmatchedReceipts,
    OpeningFloat,
    CashSales,
    CashRefunds,
    CashExpected,
    CashCounted,
    CashDifference,
    NotCounted,
    Page,
}

impl Language {
    /// The label for `msg` in this language.
    pub const fn text(self, msg: Msg) -> &'static str {
        let (en, sw) = pair(msg);
        match self {
            Language::English => en,
            Language::Kiswahili => sw,
        }
    }
}

/// (English, Kiswahili). Kept short: a 58 mm line has 32 columns.
const fn pair(msg: Msg) -> (&'static str, &'static str) {
    match msg {
        Msg::Sale => ("Sale", "Mauzo"),
        Msg::Till => ("Till", "Kaunta"),
        Msg::Cashier => ("Cashier", "Keshia"),
        Msg::Pin => ("PIN", "PIN"),
        Msg::Tel => ("Tel", "Simu"),
        Msg::Reprint => ("*** REPRINT ***", "*** NAKALA ***"),
        Msg::Subtotal => ("Subtotal", "Jumla ndogo"),
        Msg::Discount => ("Discount", "Punguzo"),
        Msg::Total => ("TOTAL", "JUMLA"),
        Msg::VatIncluded => ("incl.", "ndani"),
        Msg::ZeroRated => ("Zero-rated", "Kiwango sifuri"),
        Msg::Exempt => ("VAT exempt", "Msamaha wa VAT"),
        Msg::Paid => ("Paid", "Imelipwa"),
        Msg::Reversed => ("Reversed", "Imerudishwa"),
        Msg::Refunded => ("Refunded", "Imerejeshwa"),
        Msg::Receipt => ("Receipt", "Risiti"),
        Msg::Reference => ("Ref", "Kumb."),
        Msg::Tendered => ("Cash given", "Pesa iliyotolewa"),
        Msg::Change => ("Change", "Chenji"),
        Msg::BalanceDue => ("Balance due", "Salio linalodaiwa"),
        Msg::ControlNumber => ("Control no.", "Namba ya malipo"),
        Msg::Invoice => ("INVOICE", "ANKARA"),
        Msg::InvoiceDate => ("Date", "Tarehe"),
        Msg::DueDate => ("Due date", "Tarehe ya mwisho"),
        Msg::BillTo => ("Bill to", "Kwa"),
        Msg::Item => ("Item", "Bidhaa"),
        Msg::Qty => ("Qty", "Idadi"),
        Msg::UnitPrice => ("Unit price", "Bei"),
        Msg::Amount => ("Amount", "Kiasi"),
        Msg::PartlyPaid => ("Partly paid", "Imelipwa kiasi"),
        Msg::Unpaid => ("Unpaid", "Haijalipwa"),
        Msg::Payments => ("Payments", "Malipo"),
        Msg::HowToPay => ("How to pay", "Jinsi ya kulipa"),
        Msg::PayMpesa => ("M-Pesa Paybill", "M-Pesa Paybill"),
        Msg::PaybillNumber => ("Business no.", "Namba ya biashara"),
        Msg::AccountNumber => ("Account no.", "Namba ya akaunti"),
        Msg::PayCard => ("Card: scan or open", "Kadi: skani au fungua"),
        Msg::PayBillPay => ("BillPay control no.", "Namba ya BillPay"),
        Msg::XReport => ("X REPORT", "RIPOTI X"),
        Msg::ZReport => ("Z REPORT", "RIPOTI Z"),
        Msg::Period => ("From", "Kuanzia"),
        Msg::Printed => ("Printed", "Imechapishwa"),
        Msg::SalesCount => ("Sales", "Mauzo"),
        Msg::Gross => ("Takings", "Mapato"),
        Msg::ByMethod => ("By method", "Kwa njia ya malipo"),
        Msg::ByCashier => ("By cashier", "Kwa keshia"),
        Msg::Refunds => ("Refunds", "Marejesho"),
        Msg::Exceptions => ("Refunds and follow-ups", "Marejesho na ufuatiliaji"),
        Msg::CashDrawer => ("Cash drawer", "Droo ya pesa"),
        Msg::PendingPayments => ("Pending payments", "Malipo yanayosubiri"),
        Msg::UnmatchedReceipts => ("Unmatched receipts", "Malipo yasiyolingana"),
        Msg::OpeningFloat => ("Opening float", "Pesa ya kuanzia"),
        Msg::CashSales => ("Cash sales", "Mauzo ya pesa"),
        Msg::CashRefunds => ("Cash refunds", "Marejesho ya pesa"),
        Msg::CashExpected => ("Cash expected", "Pesa inayotarajiwa"),
        Msg::CashCounted => ("Cash counted", "Pesa iliyohesabiwa"),
        Msg::CashDifference => ("Difference", "Tofauti"),
        Msg::NotCounted => ("not counted", "haijahesabiwa"),
        Msg::Page => ("Page", "Ukurasa"),
    }
}
