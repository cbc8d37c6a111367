//! The one place where Daraja amounts meet `Money`.
//!
//! Outbound, Daraja takes whole Kenyan shillings: an amount with cents is refused with a clear
//! error, never rounded (a cashier must decide, not the code). Inbound, Daraja sends amounts as
//! JSON numbers (`1.00`, `500`) or decimal strings (`"5.00"`); they are read digit by digit into
//! integer cents, never through a float.

use malipo_core::{Currency, Money};

use super::error::RequestError;

/// Safaricom's per-transaction customer limit for M-Pesa Express (official FAQ 5).
pub const MAX_STK_AMOUNT_KES: i64 = 250_000;

/// The whole shillings to send for `amount`: KES only, above zero, no cents, within the
/// per-transaction limit.
pub fn whole_shillings(amount: Money) -> Result<i64, RequestError> {
    if amount.currency != Currency::Kes {
        return Err(RequestError::NotShillings {
            currency: amount.currency,
        });
    }
    if !amount.is_positive() {
        return Err(RequestError::AmountNotPositive);
    }
    let shillings = amount
        .whole_major()
        .ok_or(RequestError::AmountHasCents { amount })?;
    if shillings > MAX_STK_AMOUNT_KES {
        return Err(RequestError::AmountTooLarge { amount });
    }
    Ok(shillings)
}

/// Reads a non-negative decimal such as `"5.00"`, `"1"`, `"1.0"`, `"41880264.80"` into KES.
/// More than two decimals are accepted only when the extra digits are zeros. `None` for
/// anything else (signs, exponents, spaces inside, empty).
pub fn parse_decimal_kes(text: &str) -> Option<Money> {
    let text = text.trim();
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text, ""),
    };
    if whole.is_empty() || whole.len() > 15 || !whole.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if !fraction.bytes().all(|b| b.is_ascii_digit()) || (text.ends_with('.')) {
        return None;
    }
    let (cents_text, extra) = fraction.split_at(fraction.len().min(2));
    if !extra.bytes().all(|b| b == b'0') {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let mut cents: i64 = 0;
    for (i, digit) in cents_text.bytes().enumerate() {
        let value = i64::from(digit - b'0');
        cents += if i == 0 { value * 10 } else { value };
    }
    let minor = whole.checked_mul(100)?.checked_add(cents)?;
    Some(Money::from_minor(minor, Currency::Kes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kes(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Kes)
    }

    #[test]
    fn decimals_are_read_exactly() {
        assert_eq!(parse_decimal_kes("5.00"), Some(kes(500)));
        assert_eq!(parse_decimal_kes("1"), Some(kes(100)));
        assert_eq!(parse_decimal_kes("1.0"), Some(kes(100)));
        assert_eq!(parse_decimal_kes("0.5"), Some(kes(50)));
        assert_eq!(parse_decimal_kes("41880264.80"), Some(kes(4_188_026_480)));
        assert_eq!(parse_decimal_kes("2.500"), Some(kes(250)));
    }

    #[test]
    fn non_decimals_are_refused() {
        for bad in [
            "",
            ".5",
            "5.",
            "-1",
            "1e3",
            "1.005",
            "1 000",
            "abc",
            "99999999999999999",
        ] {
            assert_eq!(parse_decimal_kes(bad), None, "{bad:?} must be refused");
        }
    }

    #[test]
    fn cents_are_refused_not_rounded() {
        assert_eq!(whole_shillings(kes(150_000)), Ok(1500));
        assert_eq!(
            whole_shillings(kes(150_050)),
            Err(RequestError::AmountHasCents {
                amount: kes(150_050)
            })
        );
        assert_eq!(
            whole_shillings(kes(0)),
            Err(RequestError::AmountNotPositive)
        );
    }
}
