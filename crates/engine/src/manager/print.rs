//! The X/Z report on paper: the manager's [`DayReport`] as `malipo-print`'s report model, then
//! its PDF (`pdf::report`) or its receipt-printer layout (ESC/POS bytes).

use malipo_core::{Money, PaymentMethod, Timestamp, VatBreakdown};
use malipo_print::model::{LocalTime, ShopHeader, NAIROBI_OFFSET_MINUTES};
use malipo_print::report::{self, CashUp, ReportKind};
use malipo_print::Language;

use super::day::DayReport;
use super::ManagerError;
use crate::engine::Engine;
use crate::RECEIPT_LANGUAGE_SETTING;

fn count(n: i64) -> u32 {
    u32::try_from(n.max(0)).unwrap_or(u32::MAX)
}

impl Engine {
    /// The report in the print crate's model, as `printed_by` prints it now.
    pub fn report_model(
        &self,
        r: &DayReport,
        till_id: &str,
        printed_by: &str,
    ) -> Result<report::DayReport, ManagerError> {
        let store = self.store()?;
        let setting = |key: &str| store.setting_get(key).ok().flatten();
        let language = match setting(RECEIPT_LANGUAGE_SETTING).as_deref() {
            Some("sw") => Language::Kiswahili,
            _ => Language::English,
        };
        let currency = r.total.currency;
        let kind = match r.z_number {
            Some(n) if r.kind == "z" => ReportKind::Z {
                number: u32::try_from(n).unwrap_or(u32::MAX),
            },
            _ => ReportKind::X,
        };
        let local = |ms: i64| LocalTime::from_timestamp(Timestamp(ms), NAIROBI_OFFSET_MINUTES);
        let method = |code: &str| {
            if code == "card" {
                PaymentMethod::CardInline
            } else {
                PaymentMethod::from_code(code).unwrap_or(PaymentMethod::Cash)
            }
        };
        Ok(report::DayReport {
            kind,
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
            till: till_id.to_owned(),
            from: local(r.from_ms),
            printed: local(r.to_ms),
            printed_by: printed_by.to_owned(),
            currency,
            sales_count: count(r.by_method.iter().map(|m| m.count).sum()),
            gross: Money::from_minor(
                r.total.minor.saturating_add(r.refunds.amount.minor),
                currency,
            ),
            vat: VatBreakdown { lines: Vec::new() },
            by_method: r
                .by_method
                .iter()
                .map(|m| report::MethodTotal {
                    method: method(&m.method),
                    count: count(m.count),
                    amount: m.amount,
                })
                .collect(),
            by_cashier: r
                .by_cashier
                .iter()
                .map(|c| report::CashierTotal {
                    name: c.cashier.clone(),
                    count: count(c.count),
                    amount: c.amount,
                })
                .collect(),
            refunds_count: count(r.refunds.count),
            refunds: r.refunds.amount,
            pending_count: count(r.pending_count),
            unmatched_count: count(r.unmatched_count),
            unmatched_amount: r.unmatched,
            cash: CashUp {
                opening_float: Money::from_minor(0, currency),
                cash_sales: r.cash_expected,
                cash_refunds: Money::from_minor(0, currency),
                counted: r.cash_counted,
            },
        })
    }

    /// The report as a PDF.
    pub fn report_pdf(
        &self,
        r: &DayReport,
        till_id: &str,
        printed_by: &str,
    ) -> Result<Vec<u8>, ManagerError> {
        let model = self.report_model(r, till_id, printed_by)?;
        malipo_print::pdf::report::report_pdf(&model)
            .map_err(|e| ManagerError::Invalid(format!("the report PDF could not be made: {e}")))
    }
}
