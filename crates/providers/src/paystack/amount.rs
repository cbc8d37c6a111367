//! Exact conversions between `Money` (minor units) and Paystack's integer subunits.
//!
//! Paystack amounts are integers in the currency's subunit: KES 1 = `100`, USD 1 = `100`
//! (reference §1, §2). Of Malipo's currencies Paystack supports KES and USD; TZS and UGX are
//! refused with [`AmountError::UnsupportedCurrency`] rather than guessed. The conversion is
//! `minor × (100 / minor_per_major)` and its inverse, checked: nothing is rounded, ever.

use malipo_core::{Currency, Money};
use serde_json::Value;

/// Paystack subunits in one major unit, for every currency it supports.
pub const SUBUNITS_PER_MAJOR: i64 = 100;

/// Why an amount could not cross the Paystack boundary exactly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    /// Paystack does not take this currency (of Malipo's: TZS, UGX).
    #[error("Paystack does not accept {0}; use KES or USD")]
    UnsupportedCurrency(String),
    /// The amount does not fit in Paystack's integer (overflow).
    #[error("amount is too large for Paystack")]
    Overflow,
    /// A subunit amount that is not a whole number of the currency's minor units.
    #[error("{subunits} Paystack subunits is not a whole number of {currency} minor units")]
    Inexact { subunits: i64, currency: String },
    /// The wire amount is neither an integer nor a string of digits.
    #[error("not a Paystack amount: {0}")]
    NotAnAmount(String),
}

/// The Paystack currency code for a Malipo currency, if Paystack accepts it.
pub fn currency_code(currency: Currency) -> Result<&'static str, AmountError> {
    match currency {
        Currency::Kes => Ok("KES"),
        Currency::Usd => Ok("USD"),
        Currency::Tzs | Currency::Ugx => {
            Err(AmountError::UnsupportedCurrency(currency.code().into()))
        }
    }
}

/// The Malipo currency for a Paystack currency code (`"KES"`), if Malipo and Paystack both
/// support it.
pub fn currency_from_code(code: &str) -> Result<Currency, AmountError> {
    let currency: Currency = code
        .parse()
        .map_err(|_| AmountError::UnsupportedCurrency(code.to_owned()))?;
    currency_code(currency)?;
    Ok(currency)
}

/// Subunits per minor unit of `currency` (1 for KES and USD).
fn factor(currency: Currency) -> Result<i64, AmountError> {
    currency_code(currency)?;
    let per_major = currency.minor_per_major();
    if per_major <= 0 || SUBUNITS_PER_MAJOR % per_major != 0 {
        return Err(AmountError::UnsupportedCurrency(currency.code().into()));
    }
    Ok(SUBUNITS_PER_MAJOR / per_major)
}

/// `Money` → Paystack subunits, exactly.
pub fn to_subunits(money: Money) -> Result<i64, AmountError> {
    money
        .minor
        .checked_mul(factor(money.currency)?)
        .ok_or(AmountError::Overflow)
}

/// Paystack subunits of the currency `code` → `Money`, exactly (an amount that is not a whole
/// number of minor units is refused, never rounded).
pub fn from_subunits(subunits: i64, code: &str) -> Result<Money, AmountError> {
    let currency = currency_from_code(code)?;
    let factor = factor(currency)?;
    if subunits % factor != 0 {
        return Err(AmountError::Inexact {
            subunits,
            currency: code.to_owned(),
        });
    }
    Ok(Money::from_minor(subunits / factor, currency))
}

/// Reads a wire amount that Paystack sends as a JSON integer (`10000`) or as a string of
/// digits (`"5000"`, Terminal and refund samples). Decimals are refused.
pub fn wire_subunits(value: &Value) -> Result<i64, AmountError> {
    match value {
        Value::Number(number) => number
            .as_i64()
            .ok_or_else(|| AmountError::NotAnAmount(number.to_string())),
        Value::String(text) => {
            let digits = text.trim();
            let body = digits.strip_prefix('-').unwrap_or(digits);
            if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
                return Err(AmountError::NotAnAmount(truncate(text)));
            }
            digits
                .parse::<i64>()
                .map_err(|_| AmountError::NotAnAmount(truncate(text)))
        }
        other => Err(AmountError::NotAnAmount(truncate(&other.to_string()))),
    }
}

/// Keeps error messages short when a hostile body sends a huge "amount".
fn truncate(text: &str) -> String {
    text.chars().take(40).collect()
}
