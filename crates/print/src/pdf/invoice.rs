//! The invoice PDF: letterhead with logo, invoice number and dates, customer, status stamp,
//! the lines table, totals with VAT, payments and reversals, the balance due, and how to pay
//! it (Paybill and account, a Paystack link as QR, a BillPay control number).

use super::canvas::{Canvas, Weight, MARGIN, PAGE_W};
use crate::i18n::{Language, Msg};
use crate::invoice::{Invoice, Stamp};
use crate::layout::percent;
use crate::model::{ReversalKind, ShopHeader, TenderDetail};
use crate::PrintError;
use malipo_core::TaxClass;

const RIGHT: i32 = PAGE_W - MARGIN;
const COL_QTY: i32 = 340;
const COL_UNIT: i32 = 440;
const ITEM_WIDTH: i32 = 250;

/// Renders the invoice as a PDF document.
pub fn invoice_pdf(inv: &Invoice) -> Result<Vec<u8>, PrintError> {
    let lang = inv.language;
    let mut c = Canvas::new(&format!("{} {}", lang.text(Msg::Invoice), inv.number))?;
    letterhead(&mut c, &inv.shop, lang);
    // Title block on the right.
    c.text_right(
        RIGHT,
        MARGIN + 18,
        20,
        Weight::Bold,
        lang.text(Msg::Invoice),
    );
    c.text_right(RIGHT, MARGIN + 38, 11, Weight::Bold, &inv.number);
    let dates = [
        (Msg::InvoiceDate, &inv.issue_date),
        (Msg::DueDate, &inv.due_date),
    ];
    for (i, (label, value)) in (0_i32..).zip(dates) {
        let y = MARGIN + 54 + i * 13;
        c.text_right(
            RIGHT,
            y,
            9,
            Weight::Regular,
            &format!("{}: {value}", lang.text(label)),
        );
    }
    c.y = c.y.max(MARGIN + 90) + 28;

    // Customer on the left, stamp on the right.
    let top = c.y;
    c.text(MARGIN, top, 9, Weight::Bold, lang.text(Msg::BillTo));
    let mut y = top + 15;
    c.text(MARGIN, y, 11, Weight::Bold, &inv.customer.name);
    for extra in [
        inv.customer.phone.as_ref().map(|p| p.local()),
        inv.customer.email.clone(),
    ]
    .into_iter()
    .flatten()
    {
        y += 13;
        c.text(MARGIN, y, 9, Weight::Regular, &extra);
    }
    stamp(&mut c, inv, top - 10);
    c.y = y.max(top + 50) + 24;

    table(&mut c, inv, lang);
    totals(&mut c, inv, lang);
    payments(&mut c, inv, lang);
    if inv.balance_due.is_positive() {
        instructions(&mut c, inv, lang)?;
    }
    for note in &inv.notes {
        for l in c.wrap(note, RIGHT - MARGIN, 9, Weight::Regular) {
            c.ensure(14);
            c.text(MARGIN, c.y, 9, Weight::Regular, &l);
            c.y += 13;
        }
    }
    let number = inv.number.clone();
    Ok(
        c.finish(move |page, pages| {
            format!("{number}  ·  {} {page}/{pages}", lang.text(Msg::Page))
        }),
    )
}

/// Logo, shop name, address, PIN and phone at the top left; moves the cursor below them.
pub fn letterhead(c: &mut Canvas, shop: &ShopHeader, lang: Language) {
    let mut y = MARGIN;
    if let Some(logo) = &shop.logo {
        y += c.logo(logo, MARGIN, y, 96) + 8;
    }
    y += 14;
    c.text(MARGIN, y, 14, Weight::Bold, &shop.name);
    let pin = shop
        .pin
        .as_ref()
        .map(|p| format!("{} {p}", lang.text(Msg::Pin)));
    let tel = shop
        .phone
        .as_ref()
        .map(|p| format!("{} {p}", lang.text(Msg::Tel)));
    for line in shop.address.iter().cloned().chain(pin).chain(tel) {
        y += 12;
        c.text(MARGIN, y, 9, Weight::Regular, &line);
    }
    c.y = y;
}

fn stamp(c: &mut Canvas, inv: &Invoice, top: i32) {
    let lang = inv.language;
    let text = inv.stamp().text(lang);
    let due = inv.balance_due.is_positive() && !matches!(inv.stamp(), Stamp::Paid(_));
    let line = format!("{} {}", lang.text(Msg::BalanceDue), inv.balance_due);
    let mut w = c.width(&text, 14, Weight::Bold) + 24;
    if due {
        w = w.max(c.width(&line, 9, Weight::Regular) + 24);
    }
    let x = RIGHT - w;
    let h = if due { 48 } else { 30 };
    c.rect(x, top, w, h, false);
    c.rect(x + 2, top + 2, w - 4, h - 4, false);
    c.text_center(x + w / 2, top + 20, 14, Weight::Bold, &text);
    if due {
        c.text_center(x + w / 2, top + 38, 9, Weight::Regular, &line);
    }
}

fn header_row(c: &mut Canvas, lang: Language) {
    c.text(MARGIN, c.y, 9, Weight::Bold, lang.text(Msg::Item));
    c.text_right(COL_QTY, c.y, 9, Weight::Bold, lang.text(Msg::Qty));
    c.text_right(COL_UNIT, c.y, 9, Weight::Bold, lang.text(Msg::UnitPrice));
    c.text_right(RIGHT, c.y, 9, Weight::Bold, lang.text(Msg::Amount));
    c.rule(MARGIN, RIGHT, c.y + 5, 1);
    c.y += 18;
}

fn table(c: &mut Canvas, inv: &Invoice, lang: Language) {
    header_row(c, lang);
    for l in &inv.lines {
        let name = c.wrap(&l.name, ITEM_WIDTH, 10, Weight::Regular);
        let rows = i32::try_from(name.len()).unwrap_or(1);
        if c.ensure(rows * 13 + 4) {
            header_row(c, lang);
        }
        c.text_right(COL_QTY, c.y, 10, Weight::Regular, &l.quantity.to_string());
        c.text_right(
            COL_UNIT,
            c.y,
            10,
            Weight::Regular,
            &l.unit_price.format_amount(),
        );
        c.text_right(RIGHT, c.y, 10, Weight::Regular, &l.amount.format_amount());
        for part in name {
            c.text(MARGIN, c.y, 10, Weight::Regular, &part);
            c.y += 13;
        }
        c.y += 3;
    }
    c.rule(MARGIN, RIGHT, c.y - 6, 1);
    c.y += 10;
}

fn pair(c: &mut Canvas, label: &str, value: &str, weight: Weight) {
    c.ensure(16);
    c.text(330, c.y, 10, weight, label);
    c.text_right(RIGHT, c.y, 10, weight, value);
    c.y += 15;
}

fn totals(c: &mut Canvas, inv: &Invoice, lang: Language) {
    c.ensure(60);
    c.text(330, c.y, 12, Weight::Bold, lang.text(Msg::Total));
    c.text_right(RIGHT, c.y, 12, Weight::Bold, &inv.total.to_string());
    c.y += 17;
    for v in &inv.vat.lines {
        let label = match v.class {
            TaxClass::Standard => {
                format!("VAT {} {}", percent(v.rate_bp), lang.text(Msg::VatIncluded))
            }
            TaxClass::ZeroRated => lang.text(Msg::ZeroRated).to_string(),
            TaxClass::Exempt => lang.text(Msg::Exempt).to_string(),
        };
        let amount = if v.class == TaxClass::Standard {
            v.vat
        } else {
            v.gross
        };
        pair(c, &label, &amount.format_amount(), Weight::Regular);
    }
    c.y += 8;
}

fn payments(c: &mut Canvas, inv: &Invoice, lang: Language) {
    if inv.payments.is_empty() && inv.reversals.is_empty() {
        return;
    }
    c.ensure(40);
    c.text(MARGIN, c.y, 11, Weight::Bold, lang.text(Msg::Payments));
    c.rule(MARGIN, RIGHT, c.y + 5, 1);
    c.y += 18;
    for (date, t) in &inv.payments {
        let detail = match &t.detail {
            TenderDetail::Cash { .. } => String::new(),
            TenderDetail::Mpesa { receipt, phone } => [
                receipt
                    .as_ref()
                    .map(|r| format!("{} {r}", lang.text(Msg::Receipt))),
                phone.as_ref().map(|p| p.masked()),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join("  "),
            TenderDetail::Card {
                brand,
                last4,
                reference,
            } => format!(
                "{brand} ****{last4}{}",
                reference
                    .as_ref()
                    .map(|r| format!("  {} {r}", lang.text(Msg::Reference)))
                    .unwrap_or_default()
            ),
            TenderDetail::BillPay { control_number, .. } => {
                format!("{} {control_number}", lang.text(Msg::ControlNumber))
            }
        };
        let label = format!("{} ({})", lang.text(Msg::Paid), t.method.receipt_label());
        payment_row(c, date, &label, &detail, &t.amount.format_amount());
    }
    for (date, r) in &inv.reversals {
        let kind = match r.kind {
            ReversalKind::Reversed => Msg::Reversed,
            ReversalKind::Refunded => Msg::Refunded,
        };
        let label = format!("{} ({})", lang.text(kind), r.method.receipt_label());
        let detail = r
            .reference
            .as_ref()
            .map(|x| format!("{} {x}", lang.text(Msg::Receipt)))
            .unwrap_or_default();
        let amount = r.amount.checked_neg().unwrap_or(r.amount).format_amount();
        payment_row(c, date, &label, &detail, &amount);
    }
    c.y += 4;
    let balance = inv.balance_due.to_string();
    pair(c, lang.text(Msg::BalanceDue), &balance, Weight::Bold);
    c.y += 10;
}

fn payment_row(c: &mut Canvas, date: &str, label: &str, detail: &str, amount: &str) {
    c.ensure(16);
    c.text(MARGIN, c.y, 9, Weight::Regular, date);
    c.text(MARGIN + 70, c.y, 9, Weight::Bold, label);
    c.text(MARGIN + 190, c.y, 9, Weight::Regular, detail);
    c.text_right(RIGHT, c.y, 9, Weight::Regular, amount);
    c.y += 14;
}

fn instructions(c: &mut Canvas, inv: &Invoice, lang: Language) -> Result<(), PrintError> {
    let ins = &inv.instructions;
    if ins.paybill.is_none() && ins.paystack_link.is_none() && ins.billpay_control.is_none() {
        return Ok(());
    }
    c.ensure(150);
    c.text(MARGIN, c.y, 11, Weight::Bold, lang.text(Msg::HowToPay));
    c.rule(MARGIN, RIGHT, c.y + 5, 1);
    c.y += 20;
    let top = c.y;
    let mut y = top;
    if let Some(paybill) = &ins.paybill {
        c.text(MARGIN, y, 10, Weight::Bold, lang.text(Msg::PayMpesa));
        y += 14;
        let rows = [
            (Msg::PaybillNumber, paybill.as_str()),
            (Msg::AccountNumber, inv.number.as_str()),
        ];
        for (label, value) in rows {
            c.text(MARGIN, y, 10, Weight::Regular, lang.text(label));
            c.text(MARGIN + 120, y, 10, Weight::Bold, value);
            y += 14;
        }
        y += 6;
    }
    if let Some(control) = &ins.billpay_control {
        c.text(MARGIN, y, 10, Weight::Regular, lang.text(Msg::PayBillPay));
        c.text(MARGIN + 120, y, 10, Weight::Bold, control);
        y += 20;
    }
    if let Some(link) = &ins.paystack_link {
        let side = c.qr(RIGHT - 100, top - 10, 3, link)?;
        let max = RIGHT - 100 - 10 - (MARGIN + 200);
        c.text(MARGIN + 200, top, 10, Weight::Bold, lang.text(Msg::PayCard));
        let mut ly = top + 14;
        for part in c.wrap(&link.replace('/', "/ "), max, 8, Weight::Regular) {
            c.text(
                MARGIN + 200,
                ly,
                8,
                Weight::Regular,
                &part.replace("/ ", "/"),
            );
            ly += 11;
        }
        y = y.max(top - 10 + side + 10).max(ly);
    }
    c.y = y + 10;
    Ok(())
}
