//! Tenders: how a customer pays (the methods and their providers), cash change, and split
//! tender across several methods.

use serde::{Deserialize, Serialize};

use crate::money::{Money, MoneyError};

/// Who confirms a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// Cash in the drawer; the till itself confirms it.
    Cash,
    /// Safaricom M-Pesa (Daraja).
    Mpesa,
    /// Paystack cards.
    Paystack,
    /// ClickPesa BillPay control numbers.
    Clickpesa,
}

impl Provider {
    /// Every provider.
    pub const ALL: [Provider; 4] = [
        Provider::Cash,
        Provider::Mpesa,
        Provider::Paystack,
        Provider::Clickpesa,
    ];

    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            Provider::Cash => "cash",
            Provider::Mpesa => "mpesa",
            Provider::Paystack => "paystack",
            Provider::Clickpesa => "clickpesa",
        }
    }

    /// Reads [`Provider::code`] back.
    pub fn from_code(code: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// How a customer pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Cash,
    /// STK push to the customer's phone.
    MpesaStk,
    /// Dynamic QR scanned by the customer.
    MpesaQr,
    /// Customer pays the shop's Paybill with an account reference.
    MpesaPaybill,
    /// Customer pays the shop's Till (Buy Goods), no reference.
    MpesaTill,
    /// Paystack inline popup at the register.
    CardInline,
    /// Paystack hosted checkout link (invoices).
    CardLink,
    /// ClickPesa BillPay control number.
    BillPay,
}

impl PaymentMethod {
    /// Every method.
    pub const ALL: [PaymentMethod; 8] = [
        PaymentMethod::Cash,
        PaymentMethod::MpesaStk,
        PaymentMethod::MpesaQr,
        PaymentMethod::MpesaPaybill,
        PaymentMethod::MpesaTill,
        PaymentMethod::CardInline,
        PaymentMethod::CardLink,
        PaymentMethod::BillPay,
    ];

    /// The provider that confirms this method.
    pub const fn provider(self) -> Provider {
        match self {
            PaymentMethod::Cash => Provider::Cash,
            PaymentMethod::MpesaStk
            | PaymentMethod::MpesaQr
            | PaymentMethod::MpesaPaybill
            | PaymentMethod::MpesaTill => Provider::Mpesa,
            PaymentMethod::CardInline | PaymentMethod::CardLink => Provider::Paystack,
            PaymentMethod::BillPay => Provider::Clickpesa,
        }
    }

    /// The label on a receipt: `Paid (MPESA)`.
    pub const fn receipt_label(self) -> &'static str {
        match self.provider() {
            Provider::Cash => "CASH",
            Provider::Mpesa => "MPESA",
            Provider::Paystack => "CARD",
            Provider::Clickpesa => "BILLPAY",
        }
    }

    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            PaymentMethod::Cash => "cash",
            PaymentMethod::MpesaStk => "mpesa_stk",
            PaymentMethod::MpesaQr => "mpesa_qr",
            PaymentMethod::MpesaPaybill => "mpesa_paybill",
            PaymentMethod::MpesaTill => "mpesa_till",
            PaymentMethod::CardInline => "card_inline",
            PaymentMethod::CardLink => "card_link",
            PaymentMethod::BillPay => "billpay",
        }
    }

    /// Reads [`PaymentMethod::code`] back.
    pub fn from_code(code: &str) -> Option<PaymentMethod> {
        PaymentMethod::ALL.into_iter().find(|m| m.code() == code)
    }
}

/// Why a tender was refused. Messages are for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TenderError {
    #[error("{short} more is needed")]
    Insufficient { short: Money },
    #[error("the payments add up to {sum}, which is more than the {total} due; only cash can give change")]
    TooMuch { sum: Money, total: Money },
    #[error("each payment must be more than zero")]
    NonPositive,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// One part of a tender: a method and the amount it covers (for cash, the amount handed over).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderPart {
    pub method: PaymentMethod,
    pub amount: Money,
}

/// A checked split tender: what each method must bring in and the change to give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TenderPlan {
    /// Amounts to collect, per part, with cash reduced to what stays in the drawer.
    pub parts: Vec<TenderPart>,
    /// Cash handed back.
    pub change: Money,
}

/// Change for a cash payment of `due` with `tendered` handed over.
pub fn cash_change(due: Money, tendered: Money) -> Result<Money, TenderError> {
    let change = tendered.checked_sub(due)?;
    if change.minor < 0 {
        return Err(TenderError::Insufficient {
            short: change.checked_neg()?,
        });
    }
    Ok(change)
}

/// Checks a (possibly split) tender against `total`. Non-cash parts are collected as given
/// and may not exceed what is due; the cash parts cover the rest and may exceed it (change).
/// Without cash the parts must sum to `total` exactly.
pub fn plan_tender(total: Money, parts: &[TenderPart]) -> Result<TenderPlan, TenderError> {
    let c = total.currency;
    if parts.iter().any(|p| !p.amount.is_positive()) {
        return Err(TenderError::NonPositive);
    }
    let non_cash = Money::checked_sum(
        c,
        parts
            .iter()
            .filter(|p| p.method != PaymentMethod::Cash)
            .map(|p| p.amount),
    )?;
    let cash = Money::checked_sum(
        c,
        parts
            .iter()
            .filter(|p| p.method == PaymentMethod::Cash)
            .map(|p| p.amount),
    )?;
    if non_cash.minor > total.minor {
        return Err(TenderError::TooMuch {
            sum: non_cash,
            total,
        });
    }
    let cash_due = total.checked_sub(non_cash)?;
    let change = cash_change(cash_due, cash)?;
    let mut out: Vec<TenderPart> = parts
        .iter()
        .filter(|p| p.method != PaymentMethod::Cash)
        .copied()
        .collect();
    if cash_due.is_positive() {
        out.push(TenderPart {
            method: PaymentMethod::Cash,
            amount: cash_due,
        });
    }
    Ok(TenderPlan { parts: out, change })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;

    fn kes(m: i64) -> Money {
        Money::from_minor(m, Currency::Kes)
    }

    #[test]
    fn cash_gives_change_or_says_what_is_short() {
        assert_eq!(cash_change(kes(56_500), kes(100_000)), Ok(kes(43_500)));
        assert_eq!(cash_change(kes(56_500), kes(56_500)), Ok(kes(0)));
        assert_eq!(
            cash_change(kes(56_500), kes(50_000)),
            Err(TenderError::Insufficient { short: kes(6_500) })
        );
    }

    #[test]
    fn split_tender_must_cover_the_total() {
        let cash = |m| TenderPart {
            method: PaymentMethod::Cash,
            amount: kes(m),
        };
        let stk = |m| TenderPart {
            method: PaymentMethod::MpesaStk,
            amount: kes(m),
        };
        let plan = plan_tender(kes(56_500), &[stk(30_000), cash(30_000)]).unwrap();
        assert_eq!(plan.change, kes(3_500));
        assert_eq!(plan.parts, vec![stk(30_000), cash(26_500)]);
        assert_eq!(
            plan_tender(kes(56_500), &[stk(56_500)]).unwrap().change,
            kes(0)
        );
        assert_eq!(
            plan_tender(kes(56_500), &[stk(50_000)]),
            Err(TenderError::Insufficient { short: kes(6_500) })
        );
        assert!(matches!(
            plan_tender(kes(56_500), &[stk(60_000)]),
            Err(TenderError::TooMuch { .. })
        ));
        assert_eq!(
            plan_tender(kes(100), &[stk(0)]),
            Err(TenderError::NonPositive)
        );
    }

    #[test]
    fn methods_know_their_provider_and_label() {
        assert_eq!(PaymentMethod::MpesaTill.provider(), Provider::Mpesa);
        assert_eq!(PaymentMethod::CardLink.receipt_label(), "CARD");
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::from_code(m.code()), Some(m));
        }
        for p in Provider::ALL {
            assert_eq!(Provider::from_code(p.code()), Some(p));
        }
    }
}
