//! The receipt model: plain data the engine fills from a sale and its payments (not tied to
//! the store), shared by the ESC/POS renderer, the plain-text receipt and the PDFs.

use malipo_core::{
    Currency, Money, PaymentMethod, Phone, SaleDraft, SaleLine, Timestamp, VatBreakdown,
};
use serde::{Deserialize, Serialize};

use crate::i18n::Language;

/// Paper width of a thermal printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Paper {
    /// 58 mm roll: 32 columns of font A, 384 dots.
    Mm58,
    /// 80 mm roll: 48 columns of font A, 576 dots.
    Mm80,
}

impl Paper {
    /// Characters per line in the printer's default font.
    pub const fn columns(self) -> usize {
        match self {
            Paper::Mm58 => 32,
            Paper::Mm80 => 48,
        }
    }

    /// Printable width in dots (203 dpi heads).
    pub const fn dots(self) -> u32 {
        match self {
            Paper::Mm58 => 384,
            Paper::Mm80 => 576,
        }
    }
}

/// A local wall-clock time, as printed. Build it from a [`Timestamp`] and the shop's UTC
/// offset (Nairobi is UTC+3 with no daylight saving) with [`LocalTime::from_timestamp`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
}

/// Nairobi's offset from UTC in minutes (EAT, UTC+3, no DST).
pub const NAIROBI_OFFSET_MINUTES: i32 = 180;

impl LocalTime {
    /// The local time of `ts` at `offset_minutes` east of UTC.
    pub fn from_timestamp(ts: Timestamp, offset_minutes: i32) -> LocalTime {
        let local_ms = ts
            .millis()
            .saturating_add(i64::from(offset_minutes).saturating_mul(60_000));
        let minutes = local_ms.div_euclid(60_000);
        let days = minutes.div_euclid(1_440);
        let minute_of_day = minutes.rem_euclid(1_440);
        let (year, month, day) = civil_from_days(days);
        LocalTime {
            year,
            month,
            day,
            hour: u8::try_from(minute_of_day / 60).unwrap_or(0),
            minute: u8::try_from(minute_of_day % 60).unwrap_or(0),
        }
    }

    /// `25/11/2026 09:41`, the Kenyan day-first order.
    pub fn format(&self) -> String {
        format!("{} {}", self.date(), self.clock())
    }

    /// `25/11/2026`.
    pub fn date(&self) -> String {
        format!("{:02}/{:02}/{:04}", self.day, self.month, self.year)
    }

    /// `09:41`.
    pub fn clock(&self) -> String {
        format!("{:02}:{:02}", self.hour, self.minute)
    }
}

/// Days since 1970-01-01 to (year, month, day) in the proleptic Gregorian calendar
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i32, u8, u8) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (
        i32::try_from(year).unwrap_or(i32::MAX),
        u8::try_from(month).unwrap_or(1),
        u8::try_from(day).unwrap_or(1),
    )
}

/// A shop logo: 8-bit grey pixels (0 = black, 255 = white) with transparency flattened
/// onto white. Decoded once from a PNG; rasterised per printer width at render time.
#[derive(Clone, PartialEq, Eq)]
pub struct Logo {
    pub width: u32,
    pub height: u32,
    pub grey: Vec<u8>,
}

impl std::fmt::Debug for Logo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Logo({}x{})", self.width, self.height)
    }
}

impl Logo {
    /// Decodes a PNG (any colour type) into a grey logo.
    pub fn from_png(png: &[u8]) -> Result<Logo, crate::PrintError> {
        let img = image::load_from_memory_with_format(png, image::ImageFormat::Png)
            .map_err(|e| crate::PrintError::Image(e.to_string()))?
            .to_luma_alpha8();
        let (width, height) = img.dimensions();
        let grey = img
            .pixels()
            .map(|p| {
                let [l, a] = p.0;
                // Composite onto white: l·a + 255·(255 − a), over 255.
                let v = (u32::from(l) * u32::from(a) + 255 * (255 - u32::from(a))) / 255;
                u8::try_from(v).unwrap_or(255)
            })
            .collect();
        Ok(Logo {
            width,
            height,
            grey,
        })
    }

    /// The grey value at (x, y); white outside the image.
    pub fn at(&self, x: u32, y: u32) -> u8 {
        if x >= self.width || y >= self.height {
            return 255;
        }
        let i = usize::try_from(u64::from(y) * u64::from(self.width) + u64::from(x)).ok();
        i.and_then(|i| self.grey.get(i).copied()).unwrap_or(255)
    }
}

/// The shop's header block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShopHeader {
    pub name: String,
    /// Address lines, printed centred, one per line.
    pub address: Vec<String>,
    /// KRA PIN.
    pub pin: Option<String>,
    /// The shop's phone number as it should be printed.
    pub phone: Option<String>,
    pub logo: Option<Logo>,
}

/// One sold line as printed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub name: String,
    pub quantity: i64,
    pub unit_price: Money,
    /// What the customer pays for the line, after discounts.
    pub amount: Money,
}

impl From<&SaleLine> for ReceiptLine {
    fn from(l: &SaleLine) -> ReceiptLine {
        ReceiptLine {
            name: l.name.clone(),
            quantity: l.quantity,
            unit_price: l.unit_price,
            amount: l.amount,
        }
    }
}

/// What a tender says beyond its method and amount.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenderDetail {
    /// Cash handed over and change given back.
    Cash { tendered: Money, change: Money },
    /// M-Pesa: the receipt number (e.g. `TKP5ZZ81AB`) and the payer's phone, printed masked.
    Mpesa {
        receipt: Option<String>,
        phone: Option<Phone>,
    },
    /// Card: brand (`VISA`) and the last four digits; the Paystack reference if any.
    Card {
        brand: String,
        last4: String,
        reference: Option<String>,
    },
    /// ClickPesa BillPay: the control number and the transaction id.
    BillPay {
        control_number: String,
        reference: Option<String>,
    },
}

/// One payment on a receipt or invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tender {
    pub method: PaymentMethod,
    /// Amount applied to the sale (for cash: what stays in the drawer).
    pub amount: Money,
    pub detail: TenderDetail,
}

/// Whether money went back through the provider (reversal) or was handed back (refund).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ReversalKind {
    Reversed,
    Refunded,
}

/// Money that went back to the customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reversal {
    pub kind: ReversalKind,
    pub method: PaymentMethod,
    /// The amount that went back, positive; printed negative.
    pub amount: Money,
    /// The provider's reference for the reversal (M-Pesa `TKR…`).
    pub reference: Option<String>,
}

/// A QR code printed under the receipt (a Paystack link, a BillPay control number, a KRA
/// eTIMS verification link) with an optional caption above it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QrCode {
    pub payload: String,
    pub caption: Option<String>,
}

/// A sales receipt as printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    pub language: Language,
    pub shop: ShopHeader,
    pub sale_number: String,
    pub till: String,
    pub cashier: String,
    pub time: LocalTime,
    pub currency: Currency,
    pub lines: Vec<ReceiptLine>,
    /// Sum of the line amounts before the cart discount.
    pub subtotal: Money,
    /// Total discounts (positive); printed only when non-zero.
    pub discounts: Money,
    pub total: Money,
    pub vat: VatBreakdown,
    pub tenders: Vec<Tender>,
    pub reversals: Vec<Reversal>,
    /// The balance left to pay (re-opened by a reversal); printed when non-zero.
    pub balance_due: Money,
    /// A reprint says so at the top.
    pub reprint: bool,
    /// Lines printed centred at the bottom ("Asante kwa kununua!").
    pub footer: Vec<String>,
    pub qr: Option<QrCode>,
}

/// Who, where and when: the facts of a receipt that are not in the sale itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiptContext {
    pub language: Language,
    pub shop: ShopHeader,
    pub sale_number: String,
    pub till: String,
    pub cashier: String,
    pub time: LocalTime,
    pub footer: Vec<String>,
}

impl Receipt {
    /// A receipt for a sale, with no payments yet: the engine adds the tenders and
    /// reversals from the ledger and sets `balance_due` from the store's derived balance.
    pub fn from_sale(ctx: ReceiptContext, sale: &SaleDraft) -> Receipt {
        Receipt {
            language: ctx.language,
            shop: ctx.shop,
            sale_number: ctx.sale_number,
            till: ctx.till,
            cashier: ctx.cashier,
            time: ctx.time,
            currency: sale.currency,
            lines: sale.lines.iter().map(ReceiptLine::from).collect(),
            subtotal: sale.subtotal,
            discounts: sale.discounts,
            total: sale.total,
            vat: sale.vat.clone(),
            tenders: Vec::new(),
            reversals: Vec::new(),
            balance_due: Money::zero(sale.currency),
            reprint: false,
            footer: ctx.footer,
            qr: None,
        }
    }

    /// True when a cash tender is part of the sale (the drawer opens).
    pub fn has_cash(&self) -> bool {
        self.tenders.iter().any(|t| t.method == PaymentMethod::Cash)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malipo_core::TaxClass;

    #[test]
    fn receipt_from_a_sale_draft() {
        let kes = |m| Money::from_minor(m, Currency::Kes);
        let line = SaleLine {
            sku: "SUG2".into(),
            name: "Sugar 2kg".into(),
            unit_price: kes(25_000),
            quantity: 2,
            tax_class: TaxClass::Standard,
            amount: kes(50_000),
        };
        let vat = VatBreakdown::from_gross(Currency::Kes, [(TaxClass::Standard, kes(50_000))])
            .unwrap_or(VatBreakdown { lines: Vec::new() });
        let sale = SaleDraft {
            currency: Currency::Kes,
            lines: vec![line],
            subtotal: kes(50_000),
            discounts: kes(0),
            total: kes(50_000),
            vat,
        };
        let ctx = ReceiptContext {
            language: Language::Kiswahili,
            shop: ShopHeader::default(),
            sale_number: "T1-000007".into(),
            till: "T1".into(),
            cashier: "Aisha".into(),
            time: LocalTime::from_timestamp(Timestamp(0), NAIROBI_OFFSET_MINUTES),
            footer: Vec::new(),
        };
        let r = Receipt::from_sale(ctx, &sale);
        assert_eq!(r.lines[0].quantity, 2);
        assert_eq!(r.total, kes(50_000));
        assert!(!r.has_cash());
        assert_eq!(r.vat.lines[0].vat, kes(6_897));
    }

    #[test]
    fn local_time_in_nairobi() {
        // 2026-11-25T06:41:00Z is 09:41 in Nairobi.
        let t = LocalTime::from_timestamp(Timestamp(1_795_588_860_000), NAIROBI_OFFSET_MINUTES);
        assert_eq!(t.format(), "25/11/2026 09:41");
        // 22:30 UTC on 31 Dec is already New Year in Nairobi.
        let t = LocalTime::from_timestamp(Timestamp(1_767_220_200_000), NAIROBI_OFFSET_MINUTES);
        assert_eq!(t.format(), "01/01/2026 01:30");
        assert_eq!(
            LocalTime::from_timestamp(Timestamp(0), 0).format(),
            "01/01/1970 00:00"
        );
    }
}
