//! VAT on VAT-inclusive prices: tax classes and a per-sale breakdown that sums exactly.
//!
//! **Rounding rule.** Prices are VAT-inclusive. For each tax class, the VAT is computed once on
//! the class's total gross (after discounts): `vat = round_half_up(gross × rate / (1 + rate))`
//! in minor units, and `net = gross − vat`. So for every class `net + vat == gross` exactly, and
//! the classes' grosses sum to the sale total exactly. VAT is never computed per line and summed
//! (that drifts by a cent per line).

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money, MoneyError};

/// How an item is taxed in Kenya.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TaxClass {
    /// Standard rate, 16 % in Kenya.
    Standard,
    /// Zero-rated: taxable at 0 %.
    ZeroRated,
    /// Exempt from VAT.
    Exempt,
}

impl TaxClass {
    /// Every class, in the order a receipt lists them.
    pub const ALL: [TaxClass; 3] = [TaxClass::Standard, TaxClass::ZeroRated, TaxClass::Exempt];

    /// The rate in basis points (1600 = 16 %).
    pub const fn rate_bp(self) -> i64 {
        match self {
            TaxClass::Standard => 1600,
            TaxClass::ZeroRated | TaxClass::Exempt => 0,
        }
    }

    /// The short code stored in the database and shown on receipts ("A", "Z", "E").
    pub const fn code(self) -> &'static str {
        match self {
            TaxClass::Standard => "standard",
            TaxClass::ZeroRated => "zero_rated",
            TaxClass::Exempt => "exempt",
        }
    }

    /// Reads [`TaxClass::code`] back.
    pub fn from_code(code: &str) -> Option<TaxClass> {
        TaxClass::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// VAT of one class in a sale.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatLine {
    pub class: TaxClass,
    pub rate_bp: i64,
    /// Gross (VAT-inclusive) amount of the class.
    pub gross: Money,
    /// The VAT contained in `gross`.
    pub vat: Money,
    /// `gross − vat`.
    pub net: Money,
}

/// VAT breakdown of a sale: one line per class present, in [`TaxClass::ALL`] order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatBreakdown {
    pub lines: Vec<VatLine>,
}

impl VatBreakdown {
    /// Builds the breakdown from (class, gross) pairs, grouping by class.
    pub fn from_gross<I>(currency: Currency, items: I) -> Result<VatBreakdown, MoneyError>
    where
        I: IntoIterator<Item = (TaxClass, Money)>,
    {
        let mut totals = [Money::zero(currency); 3];
        let mut present = [false; 3];
        for (class, gross) in items {
            let idx = TaxClass::ALL.iter().position(|c| *c == class).unwrap_or(0);
            totals[idx] = totals[idx].checked_add(gross)?;
            present[idx] = true;
        }
        let mut lines = Vec::new();
        for (idx, class) in TaxClass::ALL.into_iter().enumerate() {
            if !present[idx] {
                continue;
            }
            let gross = totals[idx];
            let vat = vat_in_gross(gross, class.rate_bp());
            lines.push(VatLine {
                class,
                rate_bp: class.rate_bp(),
                gross,
                vat,
                net: gross.checked_sub(vat)?,
            });
        }
        Ok(VatBreakdown { lines })
    }

    /// Total VAT across classes.
    pub fn total_vat(&self, currency: Currency) -> Result<Money, MoneyError> {
        Money::checked_sum(currency, self.lines.iter().map(|l| l.vat))
    }

    /// Total gross across classes (equals the sale total).
    pub fn total_gross(&self, currency: Currency) -> Result<Money, MoneyError> {
        Money::checked_sum(currency, self.lines.iter().map(|l| l.gross))
    }
}

/// The VAT contained in a VAT-inclusive amount, rounded half up (half away from zero).
pub fn vat_in_gross(gross: Money, rate_bp: i64) -> Money {
    let num = i128::from(gross.minor) * i128::from(rate_bp);
    let den = 10_000_i128 + i128::from(rate_bp);
    let q = num / den;
    let r = num % den;
    let rounded = if 2 * r.abs() >= den {
        q + num.signum()
    } else {
        q
    };
    // |rounded| ≤ |gross|, so it always fits back into i64.
    Money::from_minor(
        i64::try_from(rounded).unwrap_or(gross.minor),
        gross.currency,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kes(m: i64) -> Money {
        Money::from_minor(m, Currency::Kes)
    }

    #[test]
    fn vat_is_rounded_half_up_on_inclusive_price() {
        // 565.00 incl. 16 % → 77.93 (77.931…)
        assert_eq!(vat_in_gross(kes(56_500), 1600), kes(7_793));
        // 116.00 → exactly 16.00
        assert_eq!(vat_in_gross(kes(11_600), 1600), kes(1_600));
        // 0.29 × 16/116 = 0.04 (0.04 exactly 0.04); 0.58 → 0.08
        assert_eq!(vat_in_gross(kes(58), 1600), kes(8));
        assert_eq!(vat_in_gross(kes(50), 0), kes(0));
    }

    #[test]
    fn breakdown_sums_exactly_per_class() {
        let b = VatBreakdown::from_gross(
            Currency::Kes,
            [
                (TaxClass::Standard, kes(50_000)),
                (TaxClass::Exempt, kes(6_500)),
                (TaxClass::Standard, kes(1)),
                (TaxClass::ZeroRated, kes(999)),
            ],
        )
        .unwrap();
        assert_eq!(b.lines.len(), 3);
        for l in &b.lines {
            assert_eq!(
                l.net.checked_add(l.vat).unwrap(),
                l.gross,
                "net + vat must equal gross"
            );
        }
        assert_eq!(b.total_gross(Currency::Kes).unwrap(), kes(57_500));
        assert_eq!(b.lines[0].vat, vat_in_gross(kes(50_001), 1600));
        assert_eq!(b.lines[1].vat, kes(0));
    }
}
