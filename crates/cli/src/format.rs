//! Formatting for people and spreadsheets, in integers only: decimal amounts from minor units,
//! ISO-8601 UTC times from milliseconds, masked payers, and CSV cells.

use malipo_core::{Money, Phone};

/// `minor` as a plain decimal string of its currency's exponent: `150000` KES → `"1500.00"`,
/// `-5` KES → `"-0.05"`, `1500` UGX → `"1500"`. No grouping, no currency code, no float.
pub fn decimal(amount: Money) -> String {
    let exponent = amount.currency.exponent();
    let sign = if amount.minor < 0 { "-" } else { "" };
    // `unsigned_abs` also handles `i64::MIN`.
    let magnitude = amount.minor.unsigned_abs();
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let per = 10_u64.pow(exponent);
    let width = exponent as usize;
    format!(
        "{sign}{}.{:0width$}",
        magnitude / per,
        magnitude % per,
        width = width
    )
}

/// Milliseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
pub fn iso_utc(ms: i64) -> String {
    let days = ms.div_euclid(86_400_000);
    let in_day = ms.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    let (h, rest) = (in_day / 3_600_000, in_day % 3_600_000);
    let (min, rest) = (rest / 60_000, rest % 60_000);
    let (s, milli) = (rest / 1000, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (H. Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The payer as support may see them: the provider's own masked/hashed form when there is one,
/// else the phone masked as on receipts (`0708***149`); never a full phone number.
pub fn payer(payer_ref: Option<&str>, payer_phone: Option<&str>) -> Option<String> {
    if let Some(r) = payer_ref.filter(|r| !r.trim().is_empty()) {
        return Some(mask_if_phone(r));
    }
    payer_phone.map(mask_if_phone)
}

/// A value that reads as a phone number is masked; anything else (already masked, a hash, a
/// card label) is kept.
fn mask_if_phone(value: &str) -> String {
    match Phone::parse(value) {
        Ok(phone) => phone.masked(),
        Err(_) => value.to_owned(),
    }
}

/// One CSV cell (RFC 4180): quoted when it holds a comma, quote or line break. Text that a
/// spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) gets a leading `'`.
pub fn csv_cell(value: &str) -> String {
    let guarded = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if guarded.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", guarded.replace('"', "\"\""))
    } else {
        guarded
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malipo_core::Currency;

    #[test]
    fn decimals_are_exact() {
        let kes = |m| decimal(Money::from_minor(m, Currency::Kes));
        assert_eq!(kes(150_000), "1500.00");
        assert_eq!(kes(100), "1.00");
        assert_eq!(kes(5), "0.05");
        assert_eq!(kes(0), "0.00");
        assert_eq!(kes(-1_250), "-12.50");
        assert_eq!(kes(i64::MAX), "92233720368547758.07");
        assert_eq!(kes(i64::MIN), "-92233720368547758.08");
        assert_eq!(decimal(Money::from_minor(1_500, Currency::Ugx)), "1500");
    }

    #[test]
    fn times_are_utc_iso() {
        assert_eq!(iso_utc(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_utc(1_576_740_075_000), "2019-12-19T07:21:15.000Z");
        assert_eq!(iso_utc(951_782_400_123), "2000-02-29T00:00:00.123Z");
        assert_eq!(iso_utc(-1), "1969-12-31T23:59:59.999Z");
    }

    #[test]
    fn payers_are_masked() {
        assert_eq!(
            payer(None, Some("254708374149")).as_deref(),
            Some("0708***149")
        );
        assert_eq!(
            payer(Some("2547 ***** 126"), None).as_deref(),
            Some("2547 ***** 126")
        );
        assert_eq!(
            payer(Some("254708374149"), None).as_deref(),
            Some("0708***149")
        );
        assert_eq!(payer(None, None), None);
    }

    #[test]
    fn csv_cells_quote_and_guard() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
    }
}
