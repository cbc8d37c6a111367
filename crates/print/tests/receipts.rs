//! Golden tests: each sample receipt (cash, M-Pesa STK, card, split tender, refunded) is
//! rendered to ESC/POS at 58 and 80 mm, decoded back to text by the test-side decoder in
//! `common/decode.rs`, and compared with `tests/golden/`. Also: every line fits the paper,
//! the plain-text receipt says the same thing, the drawer opens only for cash, and the QR
//! code prints natively or as a raster.
#![allow(clippy::unwrap_used)]

mod common;

use common::decode::decode;
use malipo_print::samples::{receipt, SampleSale};
use malipo_print::{receipt_escpos, receipt_text, Paper, PrinterProfile, QrMode};

const PAPERS: [(Paper, &str); 2] = [(Paper::Mm58, "58"), (Paper::Mm80, "80")];

fn decoded(kind: SampleSale, profile: &PrinterProfile) -> String {
    let bytes = receipt_escpos(&receipt(kind), profile).unwrap();
    decode(&bytes, profile.paper.columns()).unwrap()
}

fn check_golden(kind: SampleSale) {
    for (paper, mm) in PAPERS {
        let text = decoded(kind, &PrinterProfile::new(paper));
        for l in text.lines() {
            if !l.starts_with("[QR ") {
                assert!(l.chars().count() <= paper.columns(), "too wide: {l:?}");
            }
        }
        common::golden(&format!("{}_{mm}.txt", kind.name()), &text);
    }
}

#[test]
fn golden_cash() {
    check_golden(SampleSale::Cash);
}

#[test]
fn golden_mpesa_stk() {
    check_golden(SampleSale::MpesaStk);
}

#[test]
fn golden_card() {
    check_golden(SampleSale::Card);
}

#[test]
fn golden_split_tender() {
    check_golden(SampleSale::Split);
}

#[test]
fn golden_refunded() {
    check_golden(SampleSale::Refunded);
}

#[test]
fn plain_text_receipt_matches_the_paper() {
    for kind in SampleSale::ALL {
        for (paper, _) in PAPERS {
            let printed: Vec<String> = decoded(kind, &PrinterProfile::new(paper))
                .lines()
                .filter(|l| !l.starts_with("[RASTER") && !matches!(*l, "[CUT]" | "[DRAWER]"))
                .map(|l| {
                    l.strip_prefix("[QR ")
                        .and_then(|q| q.strip_suffix(']'))
                        .unwrap_or(l)
                        .to_string()
                })
                .collect();
            let plain = receipt_text(&receipt(kind), paper);
            let plain: Vec<&str> = plain.lines().collect();
            assert_eq!(printed, plain, "{kind:?} at {paper:?}");
        }
    }
}

#[test]
fn drawer_opens_for_cash_only_and_every_job_is_cut() {
    for kind in SampleSale::ALL {
        let text = decoded(kind, &PrinterProfile::new(Paper::Mm80));
        let cash = matches!(kind, SampleSale::Cash | SampleSale::Split);
        assert_eq!(text.contains("[DRAWER]"), cash, "{kind:?}");
        assert!(text.ends_with("[CUT]\n"), "{kind:?}");
    }
    let mut no_drawer = PrinterProfile::new(Paper::Mm80);
    no_drawer.drawer = false;
    no_drawer.cut = false;
    let text = decoded(SampleSale::Cash, &no_drawer);
    assert!(!text.contains("[DRAWER]") && !text.contains("[CUT]"));
}

#[test]
fn qr_prints_natively_or_as_raster() {
    let native = decoded(SampleSale::Split, &PrinterProfile::new(Paper::Mm58));
    assert!(native.contains("[QR https://itax.kra.go.ke/"));
    let mut profile = PrinterProfile::new(Paper::Mm58);
    profile.qr = QrMode::Raster;
    let raster = decoded(SampleSale::Split, &profile);
    assert!(!raster.contains("[QR "));
    let marker = raster.lines().find(|l| l.starts_with("[RASTER")).unwrap();
    // A version-4 QR (33 modules + quiet zone 8) at 9 dots would not fit; 58 mm takes 9 → 6 max.
    assert!(
        marker.starts_with("[RASTER 2") || marker.starts_with("[RASTER 1"),
        "{marker}"
    );
}

#[test]
fn logo_prints_as_a_raster_within_the_paper() {
    for (paper, _) in PAPERS {
        let text = decoded(SampleSale::Cash, &PrinterProfile::new(paper));
        assert!(text.starts_with("[RASTER "), "{text}");
    }
}

#[test]
fn non_ascii_names_are_sent_in_the_code_page_not_as_utf8() {
    let bytes = receipt_escpos(
        &receipt(SampleSale::Card),
        &PrinterProfile::new(Paper::Mm80),
    )
    .unwrap();
    // "Café" is 0x82 in code page 437; "–" became "-"; no UTF-8 lead bytes for é (0xC3).
    assert!(bytes.windows(4).any(|w| w == b"Caf\x82"));
    assert!(!bytes.windows(2).any(|w| w == [0xC3, 0xA9]));
    assert!(!bytes.windows(3).any(|w| w == [0xE2, 0x80, 0x93]));
}

#[test]
fn long_names_and_large_amounts_never_overflow_or_split_a_number() {
    use malipo_print::samples::kes;
    let mut r = receipt(SampleSale::Split);
    r.shop.name = "Supermarket ya Jumla na Rejareja Mama Njeri".into();
    r.shop.address =
        vec!["Shop 14, Ground Floor, Tom Mboya Street opposite the bus stage, Nairobi".into()];
    r.cashier = "Wanjiku Wa Kamau-Mwangi".into();
    r.sale_number = "T12-0001234567".into();
    r.lines[0].name = "Pishori rice premium grade imported longgrain extra-aromatic 25kg".into();
    r.lines[1].name = "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ".into();
    r.lines[1].quantity = 1_200;
    r.lines[1].unit_price = kes(987_654_321);
    r.lines[1].amount = kes(1_185_185_185_200);
    r.total = kes(1_234_567_890_123);
    r.tenders[0].amount = kes(1_234_567_890_123);
    for (paper, _) in PAPERS {
        let bytes = receipt_escpos(&r, &PrinterProfile::new(paper)).unwrap();
        let text = decode(&bytes, paper.columns()).unwrap();
        for number in ["11,851,851,852.00", "9,876,543.21", "12,345,678,901.23"] {
            assert!(
                text.lines().any(|l| l.contains(number)),
                "{number} split or missing at {paper:?}:\n{text}"
            );
        }
        for l in text.lines().filter(|l| !l.starts_with("[QR ")) {
            assert!(
                l.chars().count() <= paper.columns(),
                "too wide at {paper:?}: {l:?}"
            );
        }
    }
}

#[test]
fn raster_qr_fallback_scans_back_to_the_payload() {
    let mut profile = PrinterProfile::new(Paper::Mm58);
    profile.qr = QrMode::Raster;
    let r = receipt(SampleSale::Split);
    let bytes = receipt_escpos(&r, &profile).unwrap();
    let (_, rasters) = common::decode::decode_with_images(&bytes, 32).unwrap();
    let qr = rasters.last().unwrap();
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(qr.width, qr.height, |x, y| {
        if qr.black(x, y) {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code in the raster");
    let (_, content) = grids[0].decode().unwrap();
    assert_eq!(content, r.qr.unwrap().payload);
}
