//! How much of a confirmed payment is allocated to its target, by the target's payment mode.
//! The store applies this inside its one posting transaction; the rest of the money waits in
//! unmatched receipts with the reason.

use crate::invoice::PaymentMode;
use crate::matching::UnmatchedReason;
use crate::money::{Money, MoneyError};

/// The split of a payment between its target and unmatched receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AllocationPlan {
    /// Allocated to the target (may be zero).
    pub allocate: Money,
    /// Left over, to unmatched receipts (may be zero).
    pub remainder: Money,
    /// Why there is a remainder; `None` exactly when the remainder is zero.
    pub remainder_reason: Option<UnmatchedReason>,
}

/// Splits `amount` given the target's `balance_due` and `mode`:
/// - nothing due → all to unmatched (`AlreadyPaid`);
/// - `Exact`: all if it equals the balance, else none (`AmountMismatch`);
/// - `AllowPartial`: up to the balance, the excess to unmatched (`OverPayment`);
/// - `AllowPartialAndOver`: all of it (the target may end over-paid).
pub fn plan_allocation(
    amount: Money,
    balance_due: Money,
    mode: PaymentMode,
) -> Result<AllocationPlan, MoneyError> {
    let zero = Money::zero(amount.currency);
    let all_unmatched = |reason| AllocationPlan {
        allocate: zero,
        remainder: amount,
        remainder_reason: Some(reason),
    };
    if amount.currency != balance_due.currency {
        return Err(MoneyError::CurrencyMismatch {
            left: amount.currency,
            right: balance_due.currency,
        });
    }
    if !balance_due.is_positive() {
        return Ok(all_unmatched(UnmatchedReason::AlreadyPaid));
    }
    let allocate = match mode {
        PaymentMode::Exact if amount == balance_due => amount,
        PaymentMode::Exact => return Ok(all_unmatched(UnmatchedReason::AmountMismatch)),
        PaymentMode::AllowPartial => amount.checked_min(balance_due)?,
        PaymentMode::AllowPartialAndOver => amount,
    };
    let remainder = amount.checked_sub(allocate)?;
    Ok(AllocationPlan {
        allocate,
        remainder,
        remainder_reason: remainder
            .is_positive()
            .then_some(UnmatchedReason::OverPayment),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn kes(m: i64) -> Money {
        Money::from_minor(m, Currency::Kes)
    }

    #[test]
    fn modes_split_as_documented() {
        use PaymentMode::*;
        let p = |a, b, m| plan_allocation(kes(a), kes(b), m).unwrap();
        assert_eq!(p(500, 500, Exact).allocate, kes(500));
        assert_eq!(
            p(400, 500, Exact).remainder_reason,
            Some(UnmatchedReason::AmountMismatch)
        );
        assert_eq!(p(400, 500, Exact).allocate, kes(0));
        assert_eq!(p(400, 500, AllowPartial).allocate, kes(400));
        assert_eq!(p(400, 500, AllowPartial).remainder_reason, None);
        let over = p(700, 500, AllowPartial);
        assert_eq!((over.allocate, over.remainder), (kes(500), kes(200)));
        assert_eq!(over.remainder_reason, Some(UnmatchedReason::OverPayment));
        assert_eq!(p(700, 500, AllowPartialAndOver).allocate, kes(700));
        assert_eq!(
            p(700, 0, AllowPartialAndOver).remainder_reason,
            Some(UnmatchedReason::AlreadyPaid)
        );
        assert!(plan_allocation(kes(1), Money::from_minor(1, Currency::Tzs), Exact).is_err());
    }
}
