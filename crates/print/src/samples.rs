//! Sample documents for the training mode, the golden tests, the benchmarks and
//! `docs/samples/`: Duka la Mama's cash, M-Pesa, card, split-tender and refunded sales, and
//! an invoice.

use malipo_core::{
    Currency, Customer, Money, PaymentMethod, Phone, TaxClass, Timestamp, VatBreakdown,
};

use crate::i18n::Language;
use crate::invoice::{Invoice, PaymentInstructions};
use crate::model::{
    LocalTime, Logo, QrCode, Receipt, ReceiptLine, Reversal, ReversalKind, ShopHeader, Tender,
    TenderDetail, NAIROBI_OFFSET_MINUTES,
};
use crate::report::{CashUp, CashierTotal, DayReport, MethodTotal, ReportKind};

/// The sample logo shipped in `assets/`.
pub const LOGO_PNG: &[u8] = include_bytes!("../../../assets/logo.png");

/// The receipts the golden tests print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SampleSale {
    Cash,
    MpesaStk,
    Card,
    Split,
    Refunded,
}

impl SampleSale {
    /// Every sample.
    pub const ALL: [SampleSale; 5] = [
        SampleSale::Cash,
        SampleSale::MpesaStk,
        SampleSale::Card,
        SampleSale::Split,
        SampleSale::Refunded,
    ];

    /// A file-name stem.
    pub const fn name(self) -> &'static str {
        match self {
            SampleSale::Cash => "cash",
            SampleSale::MpesaStk => "mpesa_stk",
            SampleSale::Card => "card",
            SampleSale::Split => "split",
            SampleSale::Refunded => "refunded",
        }
    }
}

/// KES from shillings and cents.
pub fn kes(minor: i64) -> Money {
    Money::from_minor(minor, Currency::Kes)
}

/// The sample shop, with the logo when `logo` is set.
pub fn shop(logo: bool) -> ShopHeader {
    ShopHeader {
        name: "Duka la Mama".into(),
        address: vec!["Moi Avenue, Nairobi".into()],
        pin: Some("P051234567X".into()),
        phone: Some("0712 345678".into()),
        logo: if logo {
            Logo::from_png(LOGO_PNG).ok()
        } else {
            None
        },
    }
}

fn line(name: &str, quantity: i64, unit: i64, class: TaxClass) -> (ReceiptLine, TaxClass) {
    (
        ReceiptLine {
            name: name.into(),
            quantity,
            unit_price: kes(unit),
            amount: kes(unit * quantity),
        },
        class,
    )
}

fn sample_phone() -> Option<Phone> {
    Phone::parse("0712345678").ok()
}

/// One of the sample receipts.
pub fn receipt(kind: SampleSale) -> Receipt {
    let mut lines = vec![
        line("Sugar 2kg", 2, 25_000, TaxClass::Standard),
        line("Bread 400g", 1, 6_500, TaxClass::Standard),
    ];
    if matches!(kind, SampleSale::Card | SampleSale::Split) {
        lines.push(line(
            "Café Tchibo – ground coffee 250g",
            1,
            48_000,
            TaxClass::Standard,
        ));
        lines.push(line("Maziwa Fresha 500ml", 3, 6_000, TaxClass::Exempt));
    }
    let vat = VatBreakdown::from_gross(Currency::Kes, lines.iter().map(|(l, c)| (*c, l.amount)))
        .unwrap_or(VatBreakdown { lines: Vec::new() });
    let lines: Vec<ReceiptLine> = lines.into_iter().map(|(l, _)| l).collect();
    let subtotal = kes(lines.iter().map(|l| l.amount.minor).sum());
    let discounts = if kind == SampleSale::Card {
        kes(5_000)
    } else {
        kes(0)
    };
    let total = kes(subtotal.minor - discounts.minor);
    let mpesa = |amount: i64, receipt: &str| Tender {
        method: PaymentMethod::MpesaStk,
        amount: kes(amount),
        detail: TenderDetail::Mpesa {
            receipt: Some(receipt.into()),
            phone: sample_phone(),
        },
    };
    let (tenders, reversals, balance_due) = match kind {
        SampleSale::Cash => (
            vec![Tender {
                method: PaymentMethod::Cash,
                amount: total,
                detail: TenderDetail::Cash {
                    tendered: kes(100_000),
                    change: kes(100_000 - total.minor),
                },
            }],
            vec![],
            kes(0),
        ),
        SampleSale::MpesaStk => (vec![mpesa(total.minor, "TKP5ZZ81AB")], vec![], kes(0)),
        SampleSale::Card => (
            vec![Tender {
                method: PaymentMethod::CardInline,
                amount: total,
                detail: TenderDetail::Card {
                    brand: "VISA".into(),
                    last4: "4081".into(),
                    reference: Some("T685312098".into()),
                },
            }],
            vec![],
            kes(0),
        ),
        SampleSale::Split => (
            vec![
                mpesa(50_000, "TKQ7AB12CD"),
                Tender {
                    method: PaymentMethod::Cash,
                    amount: kes(total.minor - 50_000),
                    detail: TenderDetail::Cash {
                        tendered: kes(100_000),
                        change: kes(100_000 - (total.minor - 50_000)),
                    },
                },
            ],
            vec![],
            kes(0),
        ),
        SampleSale::Refunded => (
            vec![mpesa(total.minor, "TKP5ZZ81AB")],
            vec![Reversal {
                kind: ReversalKind::Reversed,
                method: PaymentMethod::MpesaStk,
                amount: total,
                reference: Some("TKR9YY02QW".into()),
            }],
            total,
        ),
    };
    let qr = (kind == SampleSale::Split).then(|| QrCode {
        payload: "https://itax.kra.go.ke/KRA-Portal/invoiceChk.htm?invoiceNo=0040123456789".into(),
        caption: Some("Verify with KRA eTIMS".into()),
    });
    Receipt {
        language: if kind == SampleSale::Refunded {
            Language::Kiswahili
        } else {
            Language::English
        },
        shop: shop(kind == SampleSale::Cash),
        sale_number: "T1-000123".into(),
        till: "T1".into(),
        cashier: "Aisha".into(),
        // 25 Nov 2026, 09:41 in Nairobi.
        time: LocalTime::from_timestamp(Timestamp(1_795_588_860_000), NAIROBI_OFFSET_MINUTES),
        currency: Currency::Kes,
        lines,
        subtotal,
        discounts,
        total,
        vat,
        tenders,
        reversals,
        balance_due,
        reprint: kind == SampleSale::Refunded,
        footer: vec!["Asante kwa kununua!".into()],
        qr,
    }
}

/// A sample invoice for Wanjirū's school supplies: partly paid by M-Pesa when `partly_paid`,
/// otherwise paid in full by card; Paybill, Paystack link and BillPay instructions.
pub fn invoice(partly_paid: bool) -> Invoice {
    let items = [
        ("Exercise books A4 (pack of 12)", 10, 84_000),
        ("Pencils HB – box of 100", 2, 65_000),
        ("Geometry sets", 30, 35_000),
        ("Café au lait mugs", 12, 45_000),
        ("Fees receipt book", 5, 12_000),
    ];
    let lines: Vec<ReceiptLine> = items
        .iter()
        .map(|(name, q, unit)| ReceiptLine {
            name: (*name).into(),
            quantity: *q,
            unit_price: kes(*unit),
            amount: kes(unit * q),
        })
        .collect();
    let vat = VatBreakdown::from_gross(
        Currency::Kes,
        lines.iter().enumerate().map(|(i, l)| {
            let class = if i == 4 {
                TaxClass::Exempt
            } else {
                TaxClass::Standard
            };
            (class, l.amount)
        }),
    )
    .unwrap_or(VatBreakdown { lines: Vec::new() });
    let total = kes(lines.iter().map(|l| l.amount.minor).sum());
    let payments = if partly_paid {
        vec![(
            "20/11/2026".to_string(),
            Tender {
                method: PaymentMethod::MpesaPaybill,
                amount: kes(1_000_000),
                detail: TenderDetail::Mpesa {
                    receipt: Some("TKL3MN45OP".into()),
                    phone: sample_phone(),
                },
            },
        )]
    } else {
        vec![(
            "25/11/2026".to_string(),
            Tender {
                method: PaymentMethod::CardLink,
                amount: total,
                detail: TenderDetail::Card {
                    brand: "MASTERCARD".into(),
                    last4: "5521".into(),
                    reference: Some("T902211455".into()),
                },
            },
        )]
    };
    let paid: i64 = payments.iter().map(|(_, t)| t.amount.minor).sum();
    Invoice {
        language: Language::English,
        shop: shop(true),
        number: "INV-000042".into(),
        issue_date: "18/11/2026".into(),
        due_date: "02/12/2026".into(),
        customer: Customer {
            name: "Wanjirū Kamau — St. Mary’s Academy".into(),
            phone: sample_phone(),
            email: Some("accounts@stmarys.ac.ke".into()),
        },
        currency: Currency::Kes,
        lines,
        vat,
        total,
        payments,
        reversals: Vec::new(),
        balance_due: kes(total.minor - paid),
        instructions: PaymentInstructions {
            paybill: Some("522533".into()),
            paystack_link: Some("https://paystack.com/pay/duka-inv-000042".into()),
            billpay_control: Some("9912345678".into()),
        },
        notes: vec!["Goods remain the property of Duka la Mama until paid in full.".into()],
    }
}

/// A sample day at till T1: an X read-out in the afternoon or the Z close (drawer counted,
/// KES 150 short).
pub fn day_report(kind: ReportKind, language: Language) -> DayReport {
    let by_method = [
        (PaymentMethod::Cash, 14, 1_245_000),
        (PaymentMethod::MpesaStk, 31, 3_412_050),
        (PaymentMethod::MpesaTill, 6, 287_000),
        (PaymentMethod::CardInline, 4, 918_000),
        (PaymentMethod::BillPay, 1, 120_000),
    ];
    let gross: i64 = by_method.iter().map(|m| m.2).sum();
    let counted =
        matches!(kind, ReportKind::Z { .. }).then(|| kes(500_000 + 1_245_000 - 56_500 - 15_000));
    DayReport {
        kind,
        language,
        shop: shop(false),
        till: "T1".into(),
        from: LocalTime::from_timestamp(Timestamp(1_795_582_800_000), NAIROBI_OFFSET_MINUTES),
        printed: LocalTime::from_timestamp(Timestamp(1_795_626_000_000), NAIROBI_OFFSET_MINUTES),
        printed_by: "Aisha".into(),
        currency: Currency::Kes,
        sales_count: 55,
        gross: kes(gross),
        vat: VatBreakdown::from_gross(
            Currency::Kes,
            [
                (TaxClass::Standard, kes(gross - 180_000)),
                (TaxClass::Exempt, kes(180_000)),
            ],
        )
        .unwrap_or(VatBreakdown { lines: Vec::new() }),
        by_method: by_method
            .iter()
            .map(|(method, count, amount)| MethodTotal {
                method: *method,
                count: *count,
                amount: kes(*amount),
            })
            .collect(),
        by_cashier: vec![
            CashierTotal {
                name: "Aisha".into(),
                count: 37,
                amount: kes(4_102_050),
            },
            CashierTotal {
                name: "Ōtieno Brian".into(),
                count: 18,
                amount: kes(gross - 4_102_050),
            },
        ],
        refunds_count: 2,
        refunds: kes(113_000),
        pending_count: 1,
        unmatched_count: 2,
        unmatched_amount: kes(35_000),
        cash: CashUp {
            opening_float: kes(500_000),
            cash_sales: kes(1_245_000),
            cash_refunds: kes(56_500),
            counted,
        },
    }
}
