//! Exact conversions between `Money` and ClickPesa amounts, which are in **major units**
//! (`90900` = TZS 90,900; reference §1). Outgoing amounts are whole shillings: a TZS amount
//! with cents is refused rather than rounded (TZS cents do not circulate and USSD menus take
//! whole numbers). Incoming amounts are JSON numbers or strings (`"10000"`), with at most as
//! many decimals as the currency has; anything else is refused. No float is involved: the
//! text of the number is parsed digit by digit.

use malipo_core::{Currency, Money};
use serde_json::Value;

/// Why an amount could not cross the ClickPesa boundary exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// ClickPesa BillPay takes TZS only.
    #[error("ClickPesa BillPay takes TZS, not {0}")]
    UnsupportedCurrency(String),
    /// An outgoing amount with a fractional shilling.
    #[error("{0} has cents; ClickPesa control numbers take whole shillings")]
    FractionalShillings(String),
    /// A wire amount that is not a plain decimal with at most the currency's decimals.
    #[error("not a ClickPesa amount: {0}")]
    NotAnAmount(String),
    #[error("amount is too large")]
    Overflow,
}

/// `Money` (TZS) → whole shillings for a request.
pub fn to_whole_shillings(money: Money) -> Result<i64, AmountError> {
    if money.currency != Currency::Tzs {
        return Err(AmountError::UnsupportedCurrency(
            money.currency.code().into(),
        ));
    }
    money
        .whole_major()
        .ok_or_else(|| AmountError::FractionalShillings(money.to_string()))
}

/// A decimal text in major units (`"10000"`, `"10000.5"`, `"90900.00"`) → `Money`, exactly.
pub fn parse_major(text: &str, currency: Currency) -> Result<Money, AmountError> {
    let bad = || AmountError::NotAnAmount(text.chars().take(40).collect());
    let text = text.trim();
    let (whole, fraction) = match text.split_once('.') {
        Some((whole, fraction)) => (whole, fraction),
        None => (text, ""),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(fraction) {
        return Err(bad());
    }
    if text.contains('.') && fraction.is_empty() {
        return Err(bad());
    }
    let exponent = usize::try_from(currency.exponent()).map_err(|_| bad())?;
    if fraction.len() > exponent {
        return Err(bad());
    }
    let major: i64 = whole.parse().map_err(|_| AmountError::Overflow)?;
    let padded = format!("{fraction:0<exponent$}");
    let minor_part: i64 = if padded.is_empty() {
        0
    } else {
        padded.parse().map_err(|_| bad())?
    };
    major
        .checked_mul(currency.minor_per_major())
        .and_then(|m| m.checked_add(minor_part))
        .map(|minor| Money::from_minor(minor, currency))
        .ok_or(AmountError::Overflow)
}

/// A wire amount (JSON number or string) in major units → `Money`, exactly.
pub fn wire_major(value: &Value, currency: Currency) -> Result<Money, AmountError> {
    match value {
        Value::String(text) => parse_major(text, currency),
        Value::Number(number) => parse_major(&number.to_string(), currency),
        other => Err(AmountError::NotAnAmount(
            other.to_string().chars().take(40).collect(),
        )),
    }
}
