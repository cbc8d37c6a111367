//! Property tests of money arithmetic, parsing/formatting, VAT and splitting.

// Tests unwrap: a panic is a failed test with its location.
#![allow(clippy::unwrap_used)]

use malipo_core::cart::spread;
use malipo_core::vat::vat_in_gross;
use malipo_core::{Currency, Money, MoneyError, TaxClass, VatBreakdown};
use proptest::prelude::*;

fn currency() -> impl Strategy<Value = Currency> {
    prop::sample::select(Currency::ALL.to_vec())
}

proptest! {
    #[test]
    fn add_then_sub_is_identity_or_overflow(a in any::<i64>(), b in any::<i64>(), c in currency()) {
        let (x, y) = (Money::from_minor(a, c), Money::from_minor(b, c));
        match x.checked_add(y) {
            Ok(sum) => {
                prop_assert_eq!(sum.minor, a + b);
                prop_assert_eq!(sum.checked_sub(y), Ok(x));
            }
            Err(e) => {
                prop_assert_eq!(e, MoneyError::Overflow);
                prop_assert!(a.checked_add(b).is_none());
            }
        }
        prop_assert_eq!(x.checked_add(y), y.checked_add(x), "addition commutes");
    }

    #[test]
    fn mixed_currencies_never_combine(a in any::<i64>(), b in any::<i64>(), c1 in currency(), c2 in currency()) {
        prop_assume!(c1 != c2);
        let r = Money::from_minor(a, c1).checked_add(Money::from_minor(b, c2));
        prop_assert_eq!(r, Err(MoneyError::CurrencyMismatch { left: c1, right: c2 }));
    }

    #[test]
    fn formatting_then_parsing_round_trips(minor in 0i64..=i64::MAX, c in currency()) {
        let m = Money::from_minor(minor, c);
        prop_assert_eq!(Money::parse(&m.format_amount(), c), Ok(m));
        prop_assert_eq!(Money::parse(&m.to_string(), c), Ok(m));
    }

    #[test]
    fn parsing_arbitrary_text_never_panics(s in ".{0,40}", c in currency()) {
        let _ = Money::parse(&s, c);
    }

    #[test]
    fn vat_breakdown_always_sums_to_the_gross(grosses in prop::collection::vec((0u8..3, 0i64..10_000_000_000), 0..20)) {
        let items: Vec<(TaxClass, Money)> = grosses
            .iter()
            .map(|(k, g)| (TaxClass::ALL[*k as usize], Money::from_minor(*g, Currency::Kes)))
            .collect();
        let total: i64 = grosses.iter().map(|(_, g)| g).sum();
        let b = VatBreakdown::from_gross(Currency::Kes, items).unwrap();
        prop_assert_eq!(b.total_gross(Currency::Kes).unwrap().minor, total);
        for l in &b.lines {
            prop_assert_eq!(l.net.minor + l.vat.minor, l.gross.minor);
            prop_assert!(l.vat.minor >= 0 && l.vat.minor <= l.gross.minor);
        }
    }

    #[test]
    fn vat_is_within_half_a_cent_of_exact(g in 0i64..1_000_000_000_000) {
        let v = vat_in_gross(Money::from_minor(g, Currency::Kes), 1600).minor;
        // |v − g·16/116| ≤ 1/2  ⇔  |116·v − 16·g| ≤ 58
        prop_assert!((116 * i128::from(v) - 16 * i128::from(g)).abs() <= 58);
    }

    #[test]
    fn spread_sums_exactly_and_is_proportional(amount in 0i64..1_000_000, weights in prop::collection::vec(1i64..1_000_000, 1..12)) {
        let ws: Vec<Money> = weights.iter().map(|w| Money::from_minor(*w, Currency::Kes)).collect();
        let total: i64 = weights.iter().sum();
        prop_assume!(amount <= total);
        let shares = spread(Money::from_minor(amount, Currency::Kes), &ws).unwrap();
        prop_assert_eq!(shares.iter().map(|s| s.minor).sum::<i64>(), amount);
        for (s, w) in shares.iter().zip(&weights) {
            let exact = i128::from(amount) * i128::from(*w);
            let lo = exact / i128::from(total);
            prop_assert!(i128::from(s.minor) == lo || i128::from(s.minor) == lo + 1);
        }
    }
}
