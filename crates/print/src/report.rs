//! X and Z reports: a plain model of a till's day (takings by method and by cashier,
//! refunds, pending and unmatched payments, cash expected against counted) and its layout
//! for the receipt printer. The PDF is in `pdf::report`. An X report is a read-out during
//! the day; a Z report closes the day and carries its number.

use malipo_core::{Currency, Money, PaymentMethod, VatBreakdown};

use crate::i18n::{Language, Msg};
use crate::layout::{shop_header, vat_lines};
use crate::model::{LocalTime, Paper, ShopHeader};
use crate::text::{Align, Doc, Size};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// A read-out; changes nothing.
    X,
    /// The day's close, numbered.
    Z { number: u32 },
}

/// Takings through one payment method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodTotal {
    pub method: PaymentMethod,
    pub count: u32,
    pub amount: Money,
}

/// Takings by one cashier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashierTotal {
    pub name: String,
    pub count: u32,
    pub amount: Money,
}

/// The drawer: what should be in it and what was counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashUp {
    pub opening_float: Money,
    pub cash_sales: Money,
    pub cash_refunds: Money,
    /// `None` until the cashier counts the drawer.
    pub counted: Option<Money>,
}

impl CashUp {
    /// Float + cash sales − cash refunds.
    pub fn expected(&self) -> Money {
        let m = self.opening_float.minor + self.cash_sales.minor - self.cash_refunds.minor;
        Money::from_minor(m, self.opening_float.currency)
    }

    /// Counted − expected (negative: the drawer is short).
    pub fn difference(&self) -> Option<Money> {
        self.counted
            .map(|c| Money::from_minor(c.minor - self.expected().minor, c.currency))
    }
}

/// A till's day, as the engine summarises it from the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayReport {
    pub kind: ReportKind,
    pub language: Language,
    pub shop: ShopHeader,
    pub till: String,
    /// When the period started (the last Z) and when this report was made.
    pub from: LocalTime,
    pub printed: LocalTime,
    pub printed_by: String,
    pub currency: Currency,
    pub sales_count: u32,
    /// Money taken, before refunds.
    pub gross: Money,
    pub vat: VatBreakdown,
    pub by_method: Vec<MethodTotal>,
    pub by_cashier: Vec<CashierTotal>,
    pub refunds_count: u32,
    pub refunds: Money,
    /// Payment attempts still waiting for the provider's answer.
    pub pending_count: u32,
    /// Confirmed money that matched no sale or invoice yet.
    pub unmatched_count: u32,
    pub unmatched_amount: Money,
    pub cash: CashUp,
}

/// The report's method name: `MPESA STK`, `CARD`, `CASH`…
pub fn method_name(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => "CASH",
        PaymentMethod::MpesaStk => "MPESA STK",
        PaymentMethod::MpesaQr => "MPESA QR",
        PaymentMethod::MpesaPaybill => "MPESA PAYBILL",
        PaymentMethod::MpesaTill => "MPESA TILL",
        PaymentMethod::CardInline => "CARD",
        PaymentMethod::CardLink => "CARD LINK",
        PaymentMethod::BillPay => "BILLPAY",
    }
}

impl DayReport {
    /// `X REPORT` or `Z REPORT #12`.
    pub fn title(&self) -> String {
        match self.kind {
            ReportKind::X => self.language.text(Msg::XReport).to_string(),
            ReportKind::Z { number } => {
                format!("{} #{number}", self.language.text(Msg::ZReport))
            }
        }
    }

    /// Every labelled figure of the report in order, as (section, label, value) rows; both
    /// the paper and the PDF print these.
    pub fn rows(&self) -> Vec<(Option<Msg>, String, String)> {
        let l = self.language;
        let mut rows = vec![
            (
                None,
                l.text(Msg::SalesCount).to_string(),
                self.sales_count.to_string(),
            ),
            (
                None,
                l.text(Msg::Gross).to_string(),
                self.gross.format_amount(),
            ),
        ];
        for m in &self.by_method {
            rows.push((
                Some(Msg::ByMethod),
                format!("{} ({})", method_name(m.method), m.count),
                m.amount.format_amount(),
            ));
        }
        for c in &self.by_cashier {
            rows.push((
                Some(Msg::ByCashier),
                format!("{} ({})", c.name, c.count),
                c.amount.format_amount(),
            ));
        }
        let neg = |m: Money| Money::from_minor(-m.minor, m.currency).format_amount();
        let exceptions = [
            (
                format!("{} ({})", l.text(Msg::Refunds), self.refunds_count),
                neg(self.refunds),
            ),
            (
                l.text(Msg::PendingPayments).to_string(),
                self.pending_count.to_string(),
            ),
            (
                format!(
                    "{} ({})",
                    l.text(Msg::UnmatchedReceipts),
                    self.unmatched_count
                ),
                self.unmatched_amount.format_amount(),
            ),
        ];
        for (label, value) in exceptions {
            rows.push((Some(Msg::Exceptions), label, value));
        }
        let cash = &self.cash;
        let counted = cash
            .counted
            .map_or_else(|| l.text(Msg::NotCounted).to_string(), Money::format_amount);
        let difference = cash
            .difference()
            .map_or_else(String::new, Money::format_amount);
        let cash_rows = [
            (Msg::OpeningFloat, cash.opening_float.format_amount()),
            (Msg::CashSales, cash.cash_sales.format_amount()),
            (Msg::CashRefunds, neg(cash.cash_refunds)),
            (Msg::CashExpected, cash.expected().format_amount()),
            (Msg::CashCounted, counted),
            (Msg::CashDifference, difference),
        ];
        for (label, value) in cash_rows {
            if !value.is_empty() {
                rows.push((Some(Msg::CashDrawer), l.text(label).to_string(), value));
            }
        }
        rows
    }
}

/// The report laid out for the receipt printer.
pub fn report_doc(r: &DayReport, paper: Paper) -> Doc {
    let l = r.language;
    let mut d = Doc::new(paper.columns());
    shop_header(&mut d, &r.shop, l);
    d.rule();
    d.text(&r.title(), Align::Center, true, Size::Double);
    d.pair(
        &format!("{} {}", l.text(Msg::Till), r.till),
        r.currency.code(),
        false,
    );
    d.pair(l.text(Msg::Period), &r.from.format(), false);
    d.pair(l.text(Msg::Printed), &r.printed.format(), false);
    d.pair(l.text(Msg::Cashier), &r.printed_by, false);
    let mut section = None;
    for (s, label, value) in r.rows() {
        if s != section {
            d.rule();
            if let Some(heading) = s {
                d.text(l.text(heading), Align::Left, true, Size::Normal);
            }
            section = s;
        }
        d.pair(&label, &value, false);
        if s.is_none() && label == l.text(Msg::Gross) {
            vat_lines(&mut d, &r.vat, l);
        }
    }
    d.rule();
    d
}
