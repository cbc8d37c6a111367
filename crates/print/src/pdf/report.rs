//! The X/Z report as a PDF: letterhead, title and period, then the report's rows in
//! sections (totals, by method, by cashier, refunds and follow-ups, cash drawer).

use super::canvas::{Canvas, Weight, MARGIN, PAGE_W};
use super::invoice::letterhead;
use crate::i18n::Msg;
use crate::layout::percent;
use crate::report::DayReport;
use crate::PrintError;

const RIGHT: i32 = PAGE_W - MARGIN;
const LABEL_X: i32 = MARGIN + 12;
const VALUE_RIGHT: i32 = 400;

/// Renders the report as a PDF document.
pub fn report_pdf(r: &DayReport) -> Result<Vec<u8>, PrintError> {
    let l = r.language;
    let title = r.title();
    let mut c = Canvas::new(&title)?;
    letterhead(&mut c, &r.shop, l);
    c.text_right(RIGHT, MARGIN + 18, 20, Weight::Bold, &title);
    let facts = [
        format!("{} {}  ·  {}", l.text(Msg::Till), r.till, r.currency.code()),
        format!("{} {}", l.text(Msg::Period), r.from.format()),
        format!(
            "{} {}  ·  {}",
            l.text(Msg::Printed),
            r.printed.format(),
            r.printed_by
        ),
    ];
    for (i, f) in (0_i32..).zip(facts) {
        c.text_right(RIGHT, MARGIN + 38 + i * 13, 9, Weight::Regular, &f);
    }
    c.y = c.y.max(MARGIN + 80) + 30;
    let mut section = None;
    for (s, label, value) in r.rows() {
        if s != section {
            c.y += 8;
            c.ensure(40);
            if let Some(heading) = s {
                c.text(MARGIN, c.y, 11, Weight::Bold, l.text(heading));
                c.rule(MARGIN, VALUE_RIGHT, c.y + 5, 1);
                c.y += 19;
            }
            section = s;
        }
        c.ensure(16);
        let weight = if s == Some(Msg::CashDrawer) && label == l.text(Msg::CashDifference) {
            Weight::Bold
        } else {
            Weight::Regular
        };
        c.text(LABEL_X, c.y, 10, weight, &label);
        c.text_right(VALUE_RIGHT, c.y, 10, weight, &value);
        c.y += 15;
        if s.is_none() && label == l.text(Msg::Gross) {
            for v in &r.vat.lines {
                if v.rate_bp > 0 {
                    let text = format!("VAT {} {}", percent(v.rate_bp), l.text(Msg::VatIncluded));
                    c.text(LABEL_X + 12, c.y, 9, Weight::Regular, &text);
                    c.text_right(VALUE_RIGHT, c.y, 9, Weight::Regular, &v.vat.format_amount());
                    c.y += 13;
                }
            }
        }
    }
    Ok(c.finish(move |page, pages| format!("{title}  ·  {} {page}/{pages}", l.text(Msg::Page))))
}
