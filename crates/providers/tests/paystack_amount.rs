//! Paystack amounts: conversions between `Money` and Paystack subunits are exact for every
//! currency Malipo supports (KES and USD cross; TZS and UGX are refused, never guessed), and
//! wire amounts are read from numbers and numeric strings alike.
#![allow(clippy::unwrap_used)]

use malipo_core::{Currency, Money};
use malipo_providers::paystack::amount::{wire_subunits, SUBUNITS_PER_MAJOR};
use malipo_providers::paystack::{from_subunits, to_subunits, AmountError};
use proptest::prelude::*;
use serde_json::json;

#[test]
fn every_supported_currency_converts_exactly_or_is_refused() {
    for currency in Currency::ALL {
        let money = Money::from_minor(150_050, currency);
        match currency {
            Currency::Kes | Currency::Usd => {
                // KES 1,500.50 is 150050 cents: Paystack's subunit is the cent.
                assert_eq!(to_subunits(money), Ok(150_050), "{currency}");
                assert_eq!(from_subunits(150_050, currency.code()), Ok(money));
                let one = Money::from_major(1, currency).unwrap();
                assert_eq!(
                    to_subunits(one),
                    Ok(SUBUNITS_PER_MAJOR),
                    "1 {currency} = 100"
                );
            }
            Currency::Tzs | Currency::Ugx => {
                assert_eq!(
                    to_subunits(money),
                    Err(AmountError::UnsupportedCurrency(currency.code().into()))
                );
                assert!(from_subunits(100, currency.code()).is_err());
            }
        }
    }
}

#[test]
fn extremes_do_not_wrap() {
    let max = Money::from_minor(i64::MAX, Currency::Kes);
    assert_eq!(to_subunits(max), Ok(i64::MAX));
    assert_eq!(from_subunits(i64::MIN, "KES").unwrap().minor, i64::MIN);
    assert!(
        from_subunits(100, "NGN").is_err(),
        "a currency Malipo does not sell in"
    );
    assert!(
        from_subunits(100, "kes").is_ok(),
        "codes are case-insensitive"
    );
}

#[test]
fn wire_amounts_are_numbers_or_digit_strings_never_decimals() {
    assert_eq!(wire_subunits(&json!(10000)), Ok(10_000));
    assert_eq!(wire_subunits(&json!("5000")), Ok(5_000));
    assert_eq!(wire_subunits(&json!("-5000")), Ok(-5_000));
    for bad in [
        json!("50.00"),
        json!(50.5),
        json!(""),
        json!(null),
        json!("1e3"),
        json!([1]),
    ] {
        assert!(wire_subunits(&bad).is_err(), "{bad}");
    }
    assert!(
        wire_subunits(&json!("99999999999999999999")).is_err(),
        "overflow is refused"
    );
}

proptest! {
    #[test]
    fn kes_and_usd_round_trip_exactly(minor in any::<i64>(), usd in any::<bool>()) {
        let currency = if usd { Currency::Usd } else { Currency::Kes };
        let money = Money::from_minor(minor, currency);
        let subunits = to_subunits(money).unwrap();
        prop_assert_eq!(from_subunits(subunits, currency.code()).unwrap(), money);
        prop_assert_eq!(wire_subunits(&json!(subunits.to_string())).unwrap(), subunits);
    }
}
