//! Lays a [`Receipt`] out as a paper [`Doc`] for 58 or 80 mm: header, sale facts, lines,
//! totals and VAT, each payment with its method label and reference, reversals and the
//! balance they re-opened, footer and QR.

use malipo_core::{Money, TaxClass, VatBreakdown};

use crate::i18n::{Language, Msg};
use crate::model::{Paper, Receipt, ReversalKind, ShopHeader, Tender, TenderDetail};
use crate::text::{Align, Block, Doc, Size};

/// The receipt as a paper document for `paper`.
pub fn receipt_doc(r: &Receipt, paper: Paper) -> Doc {
    let lang = r.language;
    let mut d = Doc::new(paper.columns());
    shop_header(&mut d, &r.shop, lang);
    if r.reprint {
        d.text(lang.text(Msg::Reprint), Align::Center, true, Size::Normal);
    }
    d.rule();
    d.pair(
        &format!("{} {}", lang.text(Msg::Sale), r.sale_number),
        &r.time.format(),
        false,
    );
    d.pair(
        &format!("{} {}", lang.text(Msg::Till), r.till),
        &format!("{}: {}", lang.text(Msg::Cashier), r.cashier),
        false,
    );
    d.rule();
    for l in &r.lines {
        if l.quantity == 1 {
            d.pair(&l.name, &l.amount.format_amount(), false);
        } else {
            d.line(&l.name);
            d.pair(
                &format!("  {} x {}", l.quantity, l.unit_price.format_amount()),
                &l.amount.format_amount(),
                false,
            );
        }
    }
    d.rule();
    if r.discounts.is_positive() {
        d.pair(lang.text(Msg::Subtotal), &r.subtotal.format_amount(), false);
        d.pair(
            lang.text(Msg::Discount),
            &negative(r.discounts).format_amount(),
            false,
        );
    }
    d.big_pair(lang.text(Msg::Total), &r.total.to_string());
    vat_lines(&mut d, &r.vat, lang);
    if !r.tenders.is_empty() || !r.reversals.is_empty() {
        d.rule();
    }
    for t in &r.tenders {
        tender(&mut d, t, lang);
    }
    for v in &r.reversals {
        let label = match v.kind {
            ReversalKind::Reversed => Msg::Reversed,
            ReversalKind::Refunded => Msg::Refunded,
        };
        d.pair(
            &format!("{} ({})", lang.text(label), v.method.receipt_label()),
            &negative(v.amount).format_amount(),
            false,
        );
        if let Some(reference) = &v.reference {
            d.details(&[format!("{} {reference}", lang.text(Msg::Receipt))]);
        }
    }
    if r.balance_due.is_positive() {
        d.pair(
            lang.text(Msg::BalanceDue),
            &r.balance_due.format_amount(),
            true,
        );
    }
    d.rule();
    for f in &r.footer {
        d.center(f);
    }
    if let Some(qr) = &r.qr {
        if let Some(c) = &qr.caption {
            d.center(c);
        }
        d.blocks.push(Block::Qr(qr.payload.clone()));
    }
    d.open_drawer = r.has_cash();
    d
}

/// Logo, name (double height), address, PIN and phone, centred.
pub fn shop_header(d: &mut Doc, shop: &ShopHeader, lang: Language) {
    if let Some(logo) = &shop.logo {
        d.blocks.push(Block::Logo(logo.clone()));
    }
    d.text(&shop.name, Align::Center, true, Size::Tall);
    for a in &shop.address {
        d.center(a);
    }
    let pin = shop
        .pin
        .as_ref()
        .map(|p| format!("{} {p}", lang.text(Msg::Pin)));
    let tel = shop
        .phone
        .as_ref()
        .map(|p| format!("{} {p}", lang.text(Msg::Tel)));
    match (pin, tel) {
        (Some(p), Some(t)) if p.len() + 2 + t.len() <= d.columns => d.center(&format!("{p}  {t}")),
        (p, t) => {
            for s in [p, t].into_iter().flatten() {
                d.center(&s);
            }
        }
    }
}

/// One line per VAT class: the VAT contained for taxed classes, the gross for the others.
pub fn vat_lines(d: &mut Doc, vat: &VatBreakdown, lang: Language) {
    for v in &vat.lines {
        match v.class {
            TaxClass::Standard => d.pair(
                &format!("VAT {} {}", percent(v.rate_bp), lang.text(Msg::VatIncluded)),
                &v.vat.format_amount(),
                false,
            ),
            TaxClass::ZeroRated => {
                d.pair(lang.text(Msg::ZeroRated), &v.gross.format_amount(), false)
            }
            TaxClass::Exempt => d.pair(lang.text(Msg::Exempt), &v.gross.format_amount(), false),
        }
    }
}

/// `1600` basis points → `16%`; `1650` → `16.5%`.
pub fn percent(bp: i64) -> String {
    let (whole, frac) = (bp / 100, bp % 100);
    if frac == 0 {
        format!("{whole}%")
    } else if frac % 10 == 0 {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}

/// The amount with its sign flipped, for printing money that went back.
fn negative(m: Money) -> Money {
    m.checked_neg().unwrap_or(m)
}

/// `Paid (MPESA)  565.00` and the line of details under it.
fn tender(d: &mut Doc, t: &Tender, lang: Language) {
    d.pair(
        &format!("{} ({})", lang.text(Msg::Paid), t.method.receipt_label()),
        &t.amount.format_amount(),
        false,
    );
    match &t.detail {
        TenderDetail::Cash { tendered, change } => {
            d.pair(
                &format!("  {}", lang.text(Msg::Tendered)),
                &tendered.format_amount(),
                false,
            );
            d.pair(
                &format!("  {}", lang.text(Msg::Change)),
                &change.format_amount(),
                false,
            );
        }
        TenderDetail::Mpesa { receipt, phone } => d.details(&[
            receipt
                .as_ref()
                .map(|r| format!("{} {r}", lang.text(Msg::Receipt)))
                .unwrap_or_default(),
            phone.as_ref().map(|p| p.masked()).unwrap_or_default(),
        ]),
        TenderDetail::Card {
            brand,
            last4,
            reference,
        } => d.details(&[
            format!("{brand} ****{last4}"),
            reference
                .as_ref()
                .map(|r| format!("{} {r}", lang.text(Msg::Reference)))
                .unwrap_or_default(),
        ]),
        TenderDetail::BillPay {
            control_number,
            reference,
        } => d.details(&[
            format!("{} {control_number}", lang.text(Msg::ControlNumber)),
            reference
                .as_ref()
                .map(|r| format!("{} {r}", lang.text(Msg::Reference)))
                .unwrap_or_default(),
        ]),
    }
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn percentages_from_basis_points() {
        assert_eq!(percent(1600), "16%");
        assert_eq!(percent(1650), "16.5%");
        assert_eq!(percent(1625), "16.25%");
        assert_eq!(percent(0), "0%");
    }
}
