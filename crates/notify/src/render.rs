//! Receipts as messages: the email is the printed receipt's own plain text
//! (`malipo_print::receipt_text`) under a subject naming the shop and sale; the SMS is one
//! line with the shop, sale number, amount paid, each method with its receipt or reference,
//! and the date — kept within one 160-character SMS where the facts allow (the footer goes
//! first, then the shop name is shortened).

use malipo_core::Money;
use malipo_print::{receipt_text, Language, Msg, Paper, Receipt, TenderDetail};

/// One SMS segment of the GSM 7-bit alphabet.
pub const SMS_SEGMENT: usize = 160;

/// A receipt email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailReceipt {
    pub subject: String,
    /// The printed receipt as plain text.
    pub body: String,
}

/// The email for `r`, laid out for `paper` (the shop's printer width, so it reads as the
/// paper does).
pub fn email_receipt(r: &Receipt, paper: Paper) -> EmailReceipt {
    let lang = r.language;
    let from = match lang {
        Language::English => "from",
        Language::Kiswahili => "kutoka",
    };
    let reprint = if r.reprint {
        format!(" {}", lang.text(Msg::Reprint))
    } else {
        String::new()
    };
    EmailReceipt {
        subject: format!(
            "{} {} {from} {}{reprint}",
            lang.text(Msg::Receipt),
            r.sale_number,
            r.shop.name
        ),
        body: receipt_text(r, paper),
    }
}

/// The GSM 03.38 basic character set: text made only of these goes as 7-bit SMS (160
/// characters a segment); one character outside it turns the whole SMS into UCS-2 (70).
const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// `text` in the GSM 7-bit alphabet: kept where it is, transliterated like the printed
/// receipt (`–` → `-`, `ū` → `u`) or stripped of its accent where not, `?` as a last resort.
pub fn gsm7(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if GSM7.contains(c) {
            out.push(c);
            continue;
        }
        for t in malipo_print::codepage::printable(&c.to_string()).chars() {
            if GSM7.contains(t) {
                out.push(t);
                continue;
            }
            out.push(match t {
                'á' | 'â' | 'ã' | 'ā' => 'a',
                'Á' | 'Â' | 'À' | 'Ã' => 'A',
                'ê' | 'ë' => 'e',
                'È' | 'Ê' | 'Ë' => 'E',
                'í' | 'î' | 'ï' => 'i',
                'Í' | 'Î' | 'Ï' | 'Ì' => 'I',
                'ó' | 'ô' | 'õ' => 'o',
                'Ó' | 'Ô' | 'Ò' | 'Õ' => 'O',
                'ú' | 'û' => 'u',
                'Ú' | 'Û' | 'Ù' => 'U',
                'ç' => 'c',
                'ÿ' | 'ý' => 'y',
                _ => '?',
            });
        }
    }
    out
}

/// `MPESA TKP5ZZ81AB`, `CARD T685312098`, `CASH`.
fn tender_note(method_label: &str, detail: &TenderDetail) -> String {
    let reference = match detail {
        TenderDetail::Cash { .. } => None,
        TenderDetail::Mpesa { receipt, .. } => receipt.clone(),
        TenderDetail::Card { reference, .. } => reference.clone(),
        TenderDetail::BillPay {
            control_number,
            reference,
        } => Some(reference.clone().unwrap_or_else(|| control_number.clone())),
    };
    match reference {
        Some(reference) => format!("{method_label} {reference}"),
        None => method_label.to_string(),
    }
}

/// The SMS text for `r`, e.g. `Duka la Mama: Sale T1-000123 Paid KES 565.00 MPESA
/// TKP5ZZ81AB 25/11/2026 09:41. Asante kwa kununua!`, in the GSM 7-bit alphabet ([`gsm7`]).
pub fn sms_receipt(r: &Receipt) -> String {
    gsm7(&sms_line(r))
}

fn sms_line(r: &Receipt) -> String {
    let lang = r.language;
    let paid = if r.tenders.is_empty() {
        r.total
    } else {
        Money::checked_sum(r.currency, r.tenders.iter().map(|t| t.amount)).unwrap_or(r.total)
    };
    let methods = r
        .tenders
        .iter()
        .map(|t| tender_note(t.method.receipt_label(), &t.detail))
        .collect::<Vec<_>>()
        .join(" + ");
    let mut facts = format!(
        "{} {} {} {paid}",
        lang.text(Msg::Sale),
        r.sale_number,
        lang.text(Msg::Paid)
    );
    if !methods.is_empty() {
        facts.push(' ');
        facts.push_str(&methods);
    }
    if r.balance_due.minor != 0 {
        facts.push_str(&format!(
            ". {} {}",
            lang.text(Msg::BalanceDue),
            r.balance_due
        ));
    }
    facts.push(' ');
    facts.push_str(&r.time.format());
    facts.push('.');
    let footer = r
        .footer
        .first()
        .map(|f| format!(" {f}"))
        .unwrap_or_default();
    let shop = r.shop.name.trim();
    let with_footer = format!("{shop}: {facts}{footer}");
    if with_footer.chars().count() <= SMS_SEGMENT {
        return with_footer;
    }
    let bare = format!("{shop}: {facts}");
    let len = bare.chars().count();
    if len <= SMS_SEGMENT {
        return bare;
    }
    // Shorten the shop name (never the facts); past that the SMS takes two segments.
    let over = len - SMS_SEGMENT;
    let keep = shop.chars().count().saturating_sub(over).max(8);
    let short: String = shop.chars().take(keep).collect();
    format!("{}: {facts}", short.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use malipo_print::samples::{receipt, SampleSale};

    #[test]
    fn every_sample_fits_one_sms_and_names_the_payment() {
        for kind in SampleSale::ALL {
            let text = sms_receipt(&receipt(kind));
            assert!(text.chars().count() <= SMS_SEGMENT, "{text}");
            assert!(text.contains("T1-000123"), "{text}");
        }
        let text = sms_receipt(&receipt(SampleSale::MpesaStk));
        assert_eq!(
            text,
            "Duka la Mama: Sale T1-000123 Paid KES 565.00 MPESA TKP5ZZ81AB 25/11/2026 09:41. Asante kwa kununua!"
        );
        let split = sms_receipt(&receipt(SampleSale::Split));
        assert!(split.contains("MPESA TKQ7AB12CD + CASH"), "{split}");
    }

    #[test]
    fn a_long_shop_name_is_shortened_before_the_facts() {
        let mut r = receipt(SampleSale::Card);
        r.shop.name = "Supermarket ya Wanjirū na Watoto Wake, Tawi la Moi Avenue, Nairobi CBD, Ghorofa ya Pili".into();
        let text = sms_receipt(&r);
        assert!(text.chars().count() <= SMS_SEGMENT, "{text}");
        assert!(text.contains("CARD T685312098"), "{text}");
        assert!(text.starts_with("Supermarket ya Wanjiru"), "{text}");
        assert_eq!(gsm7("Café – Wanjirū’s Ça"), "Café - Wanjiru's Ça");
        assert_eq!(gsm7("ÿ中"), "y?");
    }

    #[test]
    fn the_email_is_the_printed_text() {
        let r = receipt(SampleSale::MpesaStk);
        let mail = email_receipt(&r, Paper::Mm80);
        assert_eq!(mail.subject, "Receipt T1-000123 from Duka la Mama");
        assert_eq!(mail.body, receipt_text(&r, Paper::Mm80));
    }
}
