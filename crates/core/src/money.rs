//! Money: integer minor units with an ISO 4217 currency, checked arithmetic, display and
//! parsing of what a cashier types.
//!
//! There is no float anywhere in this module: amounts are `i64` minor units (cents), sums go
//! through `checked_*` and refuse to mix currencies, and parsing works on digits.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The currencies Malipo sells in. Each knows how many minor units make one major unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    /// Kenyan shilling (2 decimals; M-Pesa Kenya takes whole shillings).
    Kes,
    /// Tanzanian shilling (2 decimals in ISO 4217).
    Tzs,
    /// Ugandan shilling (0 decimals in ISO 4217).
    Ugx,
    /// US dollar (Paystack settles some shops in USD).
    Usd,
}

impl Currency {
    /// Every supported currency, for exhaustive tests and settings screens.
    pub const ALL: [Currency; 4] = [Currency::Kes, Currency::Tzs, Currency::Ugx, Currency::Usd];

    /// The ISO 4217 code, e.g. `"KES"`.
    pub const fn code(self) -> &'static str {
        match self {
            Currency::Kes => "KES",
            Currency::Tzs => "TZS",
            Currency::Ugx => "UGX",
            Currency::Usd => "USD",
        }
    }

    /// Number of decimal digits of the minor unit (ISO 4217 exponent).
    pub const fn exponent(self) -> u32 {
        match self {
            Currency::Kes | Currency::Tzs | Currency::Usd => 2,
            Currency::Ugx => 0,
        }
    }

    /// Minor units in one major unit (100 for KES).
    pub const fn minor_per_major(self) -> i64 {
        10_i64.pow(self.exponent())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for Currency {
    type Err = MoneyError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let upper = s.trim().to_ascii_uppercase();
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == upper)
            .ok_or(MoneyError::UnknownCurrency(upper))
    }
}

/// Errors of money arithmetic.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    /// Two amounts of different currencies were combined.
    #[error("cannot combine {left} with {right}: the currencies differ")]
    CurrencyMismatch { left: Currency, right: Currency },
    /// The result does not fit in an `i64` of minor units.
    #[error("amount is too large")]
    Overflow,
    /// A currency code Malipo does not support.
    #[error("unknown currency {0:?}; Malipo supports KES, TZS, UGX and USD")]
    UnknownCurrency(String),
}

/// An amount of money: `minor` units (cents) of `currency`. Negative values are allowed for
/// refunds and differences; arithmetic is checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units, e.g. 125_000 for KES 1,250.00.
    pub minor: i64,
    /// The ISO currency.
    pub currency: Currency,
}

impl Money {
    /// An amount from minor units.
    pub const fn from_minor(minor: i64, currency: Currency) -> Money {
        Money { minor, currency }
    }

    /// An amount from whole major units (e.g. shillings). Errors on overflow.
    pub fn from_major(major: i64, currency: Currency) -> Result<Money, MoneyError> {
        major
            .checked_mul(currency.minor_per_major())
            .map(|minor| Money { minor, currency })
            .ok_or(MoneyError::Overflow)
    }

    /// Zero of a currency.
    pub const fn zero(currency: Currency) -> Money {
        Money { minor: 0, currency }
    }

    /// True when the amount is above zero.
    pub const fn is_positive(self) -> bool {
        self.minor > 0
    }

    /// True when the amount is zero.
    pub const fn is_zero(self) -> bool {
        self.minor == 0
    }

    fn same_currency(self, other: Money) -> Result<(), MoneyError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: other.currency,
            })
        }
    }

    /// `self + other`, refusing mixed currencies and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_add(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// `self - other`, refusing mixed currencies and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        let minor = self
            .minor
            .checked_sub(other.minor)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// `self × quantity`, refusing overflow.
    pub fn checked_mul(self, quantity: i64) -> Result<Money, MoneyError> {
        let minor = self
            .minor
            .checked_mul(quantity)
            .ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// The negated amount (a refund of this amount).
    pub fn checked_neg(self) -> Result<Money, MoneyError> {
        let minor = self.minor.checked_neg().ok_or(MoneyError::Overflow)?;
        Ok(Money {
            minor,
            currency: self.currency,
        })
    }

    /// The smaller of two amounts of the same currency.
    pub fn checked_min(self, other: Money) -> Result<Money, MoneyError> {
        self.same_currency(other)?;
        Ok(if self.minor <= other.minor {
            self
        } else {
            other
        })
    }

    /// Sums amounts; an empty iterator sums to zero of `currency`.
    pub fn checked_sum<I: IntoIterator<Item = Money>>(
        currency: Currency,
        items: I,
    ) -> Result<Money, MoneyError> {
        items
            .into_iter()
            .try_fold(Money::zero(currency), Money::checked_add)
    }

    /// Whole major units when the amount has no fractional part, `None` otherwise
    /// (M-Pesa takes whole shillings: the caller decides what to say about cents).
    pub fn whole_major(self) -> Option<i64> {
        let per = self.currency.minor_per_major();
        (self.minor % per == 0).then_some(self.minor / per)
    }

    /// The amount without the currency code, with thousands separators and the currency's
    /// decimals: `1,250.00`. This is the one number formatter used on screen and paper.
    pub fn format_amount(self) -> String {
        let exp = self.currency.exponent();
        let per = self.currency.minor_per_major().unsigned_abs();
        let abs = self.minor.unsigned_abs();
        let major = abs / per;
        let frac = abs % per;
        let digits = major.to_string();
        let mut grouped = String::with_capacity(digits.len() + digits.len() / 3 + 4);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                grouped.push(',');
            }
            grouped.push(ch);
        }
        let sign = if self.minor < 0 { "-" } else { "" };
        if exp == 0 {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}.{frac:0width$}", width = exp as usize)
        }
    }

    /// Parses an amount a cashier typed, in `currency`: `"1250"`, `"1,250.50"`, `"1 250"`,
    /// `"KES 1,250"`. Refuses negatives, more decimals than the currency has, misplaced
    /// thousands separators and anything that is not a digit.
    pub fn parse(input: &str, currency: Currency) -> Result<Money, AmountParseError> {
        parse_amount(input, currency)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency.code(), self.format_amount())
    }
}

/// Why a typed amount could not be read. Each message tells the cashier what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountParseError {
    #[error("enter an amount")]
    Empty,
    #[error("amounts cannot be negative")]
    Negative,
    #[error("{ch:?} is not allowed in an amount; use digits, commas and one decimal point")]
    InvalidCharacter { ch: char },
    #[error("an amount has at most {max} digits after the decimal point")]
    TooManyDecimals { max: u32 },
    #[error("only one decimal point is allowed")]
    SeveralDecimalPoints,
    #[error("commas must separate groups of three digits, e.g. 1,250")]
    MisplacedSeparator,
    #[error("the amount is in {found}, but this sale is in {expected}")]
    WrongCurrency { found: String, expected: Currency },
    #[error("the amount is too large")]
    TooLarge,
}

fn parse_amount(input: &str, currency: Currency) -> Result<Money, AmountParseError> {
    let mut s = input.trim();
    if s.is_empty() {
        return Err(AmountParseError::Empty);
    }
    // An optional currency code in front ("KES 1,250", "ksh 1250", "TSh 500").
    let letters: String = s.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    if !letters.is_empty() {
        let code = letters.to_ascii_uppercase();
        let matches = code == currency.code()
            || (currency == Currency::Kes && (code == "KSH" || code == "KSHS"))
            || (currency == Currency::Tzs && code == "TSH")
            || (currency == Currency::Ugx && code == "USH");
        if !matches {
            if code.len() == 3 && code.parse::<Currency>().is_ok() {
                return Err(AmountParseError::WrongCurrency {
                    found: code,
                    expected: currency,
                });
            }
            let ch = letters.chars().next().unwrap_or('?');
            return Err(AmountParseError::InvalidCharacter { ch });
        }
        s = s[letters.len()..].trim_start_matches(['.', ' ']).trim();
        if s.is_empty() {
            return Err(AmountParseError::Empty);
        }
    }
    if s.starts_with('-') {
        return Err(AmountParseError::Negative);
    }
    let s = s.strip_prefix('+').unwrap_or(s);
    let mut parts = s.split('.');
    let int_part = parts.next().unwrap_or("");
    let frac_part = parts.next();
    if parts.next().is_some() {
        return Err(AmountParseError::SeveralDecimalPoints);
    }
    let int_digits = parse_grouped_integer(int_part)?;
    let exp = currency.exponent();
    let frac_digits = match frac_part {
        None => String::new(),
        Some(f) => {
            if let Some(ch) = f.chars().find(|c| !c.is_ascii_digit()) {
                return Err(AmountParseError::InvalidCharacter { ch });
            }
            if f.len() > exp as usize {
                // "1250.00" in a whole-unit currency is fine; any non-zero extra digit is not.
                if f[exp as usize..].chars().any(|c| c != '0') {
                    return Err(AmountParseError::TooManyDecimals { max: exp });
                }
                f[..exp as usize].to_string()
            } else {
                f.to_string()
            }
        }
    };
    if int_digits.is_empty() && frac_digits.is_empty() {
        return Err(AmountParseError::Empty);
    }
    let mut minor: i64 = 0;
    for ch in int_digits.chars() {
        minor = push_digit(minor, ch)?;
    }
    let padded = format!("{frac_digits:0<width$}", width = exp as usize);
    for ch in padded.chars() {
        minor = push_digit(minor, ch)?;
    }
    Ok(Money { minor, currency })
}

fn push_digit(acc: i64, ch: char) -> Result<i64, AmountParseError> {
    let d = i64::from(
        ch.to_digit(10)
            .ok_or(AmountParseError::InvalidCharacter { ch })?,
    );
    acc.checked_mul(10)
        .and_then(|v| v.checked_add(d))
        .ok_or(AmountParseError::TooLarge)
}

/// Reads "1,250" / "1 250" / "1250" into plain digits, checking the groups of three.
fn parse_grouped_integer(s: &str) -> Result<String, AmountParseError> {
    if let Some(ch) = s
        .chars()
        .find(|c| !(c.is_ascii_digit() || *c == ',' || *c == ' '))
    {
        return Err(AmountParseError::InvalidCharacter { ch });
    }
    if !s.contains([',', ' ']) {
        return Ok(s.to_string());
    }
    let groups: Vec<&str> = s.split([',', ' ']).collect();
    let first_ok = groups.first().is_some_and(|g| (1..=3).contains(&g.len()));
    let rest_ok = groups.iter().skip(1).all(|g| g.len() == 3);
    if !first_ok || !rest_ok {
        return Err(AmountParseError::MisplacedSeparator);
    }
    Ok(groups.concat())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kes(minor: i64) -> Money {
        Money::from_minor(minor, Currency::Kes)
    }

    #[test]
    fn displays_with_code_thousands_and_two_decimals() {
        assert_eq!(kes(125_000).to_string(), "KES 1,250.00");
        assert_eq!(kes(5).to_string(), "KES 0.05");
        assert_eq!(kes(-56_500).to_string(), "KES -565.00");
        assert_eq!(kes(12_345_678_901).format_amount(), "123,456,789.01");
        assert_eq!(
            Money::from_minor(1_500, Currency::Ugx).to_string(),
            "UGX 1,500"
        );
    }

    #[test]
    fn parses_what_cashiers_type() {
        let c = Currency::Kes;
        assert_eq!(Money::parse("1250", c), Ok(kes(125_000)));
        assert_eq!(Money::parse("1,250.50", c), Ok(kes(125_050)));
        assert_eq!(Money::parse(" 1 250.5 ", c), Ok(kes(125_050)));
        assert_eq!(Money::parse("KES 1,250", c), Ok(kes(125_000)));
        assert_eq!(Money::parse("Ksh. 20", c), Ok(kes(2_000)));
        assert_eq!(Money::parse(".50", c), Ok(kes(50)));
        assert_eq!(Money::parse("0", c), Ok(kes(0)));
        assert_eq!(
            Money::parse("1500.00", Currency::Ugx),
            Ok(Money::from_minor(1500, Currency::Ugx))
        );
    }

    #[test]
    fn refuses_bad_amounts_with_a_reason() {
        let c = Currency::Kes;
        assert_eq!(Money::parse("", c), Err(AmountParseError::Empty));
        assert_eq!(Money::parse("   ", c), Err(AmountParseError::Empty));
        assert_eq!(Money::parse("-5", c), Err(AmountParseError::Negative));
        assert_eq!(
            Money::parse("12a", c),
            Err(AmountParseError::InvalidCharacter { ch: 'a' })
        );
        assert_eq!(
            Money::parse("1.234", c),
            Err(AmountParseError::TooManyDecimals { max: 2 })
        );
        assert_eq!(
            Money::parse("1.2.3", c),
            Err(AmountParseError::SeveralDecimalPoints)
        );
        assert_eq!(
            Money::parse("1,25", c),
            Err(AmountParseError::MisplacedSeparator)
        );
        assert_eq!(
            Money::parse("12,5000", c),
            Err(AmountParseError::MisplacedSeparator)
        );
        assert_eq!(
            Money::parse("1250,", c),
            Err(AmountParseError::MisplacedSeparator)
        );
        assert_eq!(
            Money::parse("TZS 100", c),
            Err(AmountParseError::WrongCurrency {
                found: "TZS".into(),
                expected: Currency::Kes
            })
        );
        assert_eq!(
            Money::parse("99999999999999999999", c),
            Err(AmountParseError::TooLarge)
        );
        assert_eq!(
            Money::parse("1.5", Currency::Ugx),
            Err(AmountParseError::TooManyDecimals { max: 0 })
        );
        assert_eq!(Money::parse(".", c), Err(AmountParseError::Empty));
    }

    #[test]
    fn arithmetic_refuses_mixed_currencies_and_overflow() {
        let t = Money::from_minor(100, Currency::Tzs);
        assert_eq!(
            kes(100).checked_add(t),
            Err(MoneyError::CurrencyMismatch {
                left: Currency::Kes,
                right: Currency::Tzs
            })
        );
        assert!(matches!(
            kes(1).checked_sub(t),
            Err(MoneyError::CurrencyMismatch { .. })
        ));
        assert_eq!(kes(i64::MAX).checked_add(kes(1)), Err(MoneyError::Overflow));
        assert_eq!(kes(i64::MIN).checked_sub(kes(1)), Err(MoneyError::Overflow));
        assert_eq!(kes(i64::MAX).checked_mul(2), Err(MoneyError::Overflow));
        assert_eq!(kes(250).checked_mul(3), Ok(kes(750)));
        assert_eq!(
            Money::checked_sum(Currency::Kes, [kes(1), kes(2)]),
            Ok(kes(3))
        );
        assert!(Money::checked_sum(Currency::Kes, [kes(1), t]).is_err());
    }

    #[test]
    fn whole_major_units_are_explicit() {
        assert_eq!(kes(50_000).whole_major(), Some(500));
        assert_eq!(kes(50_050).whole_major(), None);
        assert_eq!("kes".parse::<Currency>(), Ok(Currency::Kes));
        assert!("NGN".parse::<Currency>().is_err());
    }
}
