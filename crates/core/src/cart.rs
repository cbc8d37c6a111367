//! The cart being rung up: lines added by barcode or SKU, quantities, line and cart discounts,
//! and totals with the VAT breakdown.
//!
//! A cart discount is spread over the lines in proportion to their amounts (largest remainder,
//! so the shares sum exactly) before VAT is computed, so the VAT breakdown is of what the
//! customer actually pays.

use serde::{Deserialize, Serialize};

use crate::catalogue::Catalogue;
use crate::money::{Currency, Money, MoneyError};
use crate::vat::{TaxClass, VatBreakdown};

/// A discount on a line or on the whole cart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Discount {
    /// A fixed amount off.
    Amount(Money),
    /// A percentage off, in basis points (1000 = 10 %), rounded half up to the minor unit.
    PercentBp(i64),
}

/// One line of the cart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartLine {
    pub sku: String,
    pub name: String,
    /// VAT-inclusive unit price.
    pub unit_price: Money,
    /// Units, at least 1.
    pub quantity: i64,
    pub tax_class: TaxClass,
    pub discount: Option<Discount>,
}

/// Why a cart operation was refused. Messages are for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("no item has the barcode or SKU {0:?}")]
    UnknownCode(String),
    #[error("the quantity must be at least 1")]
    BadQuantity,
    #[error("there is no line {0} in the cart")]
    NoSuchLine(usize),
    #[error("a discount cannot be more than the amount it applies to")]
    DiscountTooLarge,
    #[error("a discount must be more than zero and at most 100 %")]
    BadDiscount,
    #[error("the cart is empty")]
    Empty,
    #[error(transparent)]
    Money(#[from] MoneyError),
}

/// Totals of a cart (or a sale).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CartTotals {
    /// Sum of quantity × unit price, before any discount.
    pub subtotal: Money,
    /// Line discounts plus the cart discount.
    pub discounts: Money,
    /// What the customer pays.
    pub total: Money,
    /// Each line's amount after its own and its share of the cart discount.
    pub line_amounts: Vec<Money>,
    pub vat: VatBreakdown,
}

/// A cart in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cart {
    pub currency: Currency,
    pub lines: Vec<CartLine>,
    pub discount: Option<Discount>,
}

impl Cart {
    /// An empty cart.
    pub fn new(currency: Currency) -> Cart {
        Cart {
            currency,
            lines: Vec::new(),
            discount: None,
        }
    }

    /// Adds `quantity` of the item with this barcode or SKU; the same SKU again adds to its
    /// line. Returns the line's index.
    pub fn add(
        &mut self,
        catalogue: &Catalogue,
        code: &str,
        quantity: i64,
    ) -> Result<usize, CartError> {
        if quantity < 1 {
            return Err(CartError::BadQuantity);
        }
        let item = catalogue
            .find(code)
            .ok_or_else(|| CartError::UnknownCode(code.trim().to_string()))?;
        if item.price.currency != self.currency {
            return Err(MoneyError::CurrencyMismatch {
                left: self.currency,
                right: item.price.currency,
            }
            .into());
        }
        if let Some(idx) = self.lines.iter().position(|l| l.sku == item.sku) {
            let line = &mut self.lines[idx];
            line.quantity = line
                .quantity
                .checked_add(quantity)
                .ok_or(MoneyError::Overflow)?;
            return Ok(idx);
        }
        self.lines.push(CartLine {
            sku: item.sku.clone(),
            name: item.name.clone(),
            unit_price: item.price,
            quantity,
            tax_class: item.tax_class,
            discount: None,
        });
        Ok(self.lines.len() - 1)
    }

    /// Sets a line's quantity (at least 1; use [`Cart::remove`] to take it out).
    pub fn set_quantity(&mut self, line: usize, quantity: i64) -> Result<(), CartError> {
        if quantity < 1 {
            return Err(CartError::BadQuantity);
        }
        let l = self
            .lines
            .get_mut(line)
            .ok_or(CartError::NoSuchLine(line))?;
        l.quantity = quantity;
        Ok(())
    }

    /// Removes a line.
    pub fn remove(&mut self, line: usize) -> Result<CartLine, CartError> {
        if line >= self.lines.len() {
            return Err(CartError::NoSuchLine(line));
        }
        Ok(self.lines.remove(line))
    }

    /// Sets or clears a line's discount; it may not exceed the line's amount.
    pub fn set_line_discount(
        &mut self,
        line: usize,
        discount: Option<Discount>,
    ) -> Result<(), CartError> {
        let l = self.lines.get(line).ok_or(CartError::NoSuchLine(line))?;
        if let Some(d) = discount {
            let gross = l.unit_price.checked_mul(l.quantity)?;
            discount_amount(d, gross)?;
        }
        self.lines[line].discount = discount;
        Ok(())
    }

    /// Sets or clears the cart discount; checked against the totals.
    pub fn set_cart_discount(&mut self, discount: Option<Discount>) -> Result<(), CartError> {
        let previous = self.discount;
        self.discount = discount;
        if let Err(e) = self.totals() {
            self.discount = previous;
            return Err(e);
        }
        Ok(())
    }

    /// True when nothing is in the cart.
    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Subtotal, discounts, total, per-line amounts and the VAT breakdown.
    pub fn totals(&self) -> Result<CartTotals, CartError> {
        let c = self.currency;
        let mut subtotal = Money::zero(c);
        let mut after_line = Vec::with_capacity(self.lines.len());
        for l in &self.lines {
            let gross = l.unit_price.checked_mul(l.quantity)?;
            subtotal = subtotal.checked_add(gross)?;
            let off = match l.discount {
                Some(d) => discount_amount(d, gross)?,
                None => Money::zero(c),
            };
            after_line.push(gross.checked_sub(off)?);
        }
        let before_cart = Money::checked_sum(c, after_line.iter().copied())?;
        let cart_off = match self.discount {
            Some(d) => discount_amount(d, before_cart)?,
            None => Money::zero(c),
        };
        let shares = spread(cart_off, &after_line)?;
        let line_amounts: Vec<Money> = after_line
            .iter()
            .zip(&shares)
            .map(|(a, s)| a.checked_sub(*s))
            .collect::<Result<_, _>>()?;
        let total = before_cart.checked_sub(cart_off)?;
        let vat = VatBreakdown::from_gross(
            c,
            self.lines
                .iter()
                .map(|l| l.tax_class)
                .zip(line_amounts.iter().copied()),
        )?;
        Ok(CartTotals {
            subtotal,
            discounts: subtotal.checked_sub(total)?,
            total,
            line_amounts,
            vat,
        })
    }
}

/// The amount a discount takes off `base`.
fn discount_amount(d: Discount, base: Money) -> Result<Money, CartError> {
    match d {
        Discount::Amount(m) => {
            if m.currency != base.currency {
                return Err(MoneyError::CurrencyMismatch {
                    left: base.currency,
                    right: m.currency,
                }
                .into());
            }
            if !m.is_positive() {
                return Err(CartError::BadDiscount);
            }
            if m.minor > base.minor {
                return Err(CartError::DiscountTooLarge);
            }
            Ok(m)
        }
        Discount::PercentBp(bp) => {
            if !(1..=10_000).contains(&bp) {
                return Err(CartError::BadDiscount);
            }
            let num = i128::from(base.minor) * i128::from(bp);
            let off = (num + 5_000) / 10_000;
            let off = i64::try_from(off).map_err(|_| MoneyError::Overflow)?;
            Ok(Money::from_minor(off.min(base.minor), base.currency))
        }
    }
}

/// Splits `amount` over `weights` proportionally; the shares sum to `amount` exactly
/// (largest-remainder method, ties to the earlier line).
pub fn spread(amount: Money, weights: &[Money]) -> Result<Vec<Money>, MoneyError> {
    let c = amount.currency;
    let total: i128 = weights.iter().map(|w| i128::from(w.minor)).sum();
    if weights.is_empty() || total == 0 || amount.is_zero() {
        return Ok(vec![Money::zero(c); weights.len()]);
    }
    let mut shares = Vec::with_capacity(weights.len());
    let mut remainders = Vec::with_capacity(weights.len());
    let mut given: i128 = 0;
    for (i, w) in weights.iter().enumerate() {
        let num = i128::from(amount.minor) * i128::from(w.minor);
        let share = num / total;
        given += share;
        shares.push(share);
        remainders.push((num % total, i));
    }
    let mut left = i128::from(amount.minor) - given;
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for (_, i) in remainders {
        if left == 0 {
            break;
        }
        shares[i] += 1;
        left -= 1;
    }
    shares
        .into_iter()
        .map(|s| {
            i64::try_from(s)
                .map(|m| Money::from_minor(m, c))
                .map_err(|_| MoneyError::Overflow)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Item;

    fn kes(m: i64) -> Money {
        Money::from_minor(m, Currency::Kes)
    }

    fn catalogue() -> Catalogue {
        let item = |sku: &str, bc: &str, p: i64, t| Item {
            sku: sku.into(),
            barcode: Some(bc.into()),
            name: sku.into(),
            price: kes(p),
            tax_class: t,
        };
        Catalogue::new(
            Currency::Kes,
            vec![
                item("SUGAR", "111", 25_000, TaxClass::Standard),
                item("BREAD", "222", 6_500, TaxClass::Exempt),
            ],
        )
        .unwrap()
    }

    #[test]
    fn scanning_twice_adds_to_the_same_line() {
        let c = catalogue();
        let mut cart = Cart::new(Currency::Kes);
        assert_eq!(cart.add(&c, "111", 1).unwrap(), 0);
        assert_eq!(cart.add(&c, "sugar", 1).unwrap(), 0);
        assert_eq!(cart.add(&c, "222", 1).unwrap(), 1);
        assert_eq!(cart.lines[0].quantity, 2);
        let t = cart.totals().unwrap();
        assert_eq!(t.total, kes(56_500));
        assert_eq!(t.vat.total_vat(Currency::Kes).unwrap(), kes(6_897));
        assert_eq!(t.vat.total_gross(Currency::Kes).unwrap(), t.total);
    }

    #[test]
    fn refuses_unknown_codes_bad_quantities_and_lines() {
        let c = catalogue();
        let mut cart = Cart::new(Currency::Kes);
        assert_eq!(
            cart.add(&c, "999", 1),
            Err(CartError::UnknownCode("999".into()))
        );
        assert_eq!(cart.add(&c, "111", 0), Err(CartError::BadQuantity));
        assert_eq!(cart.set_quantity(3, 1), Err(CartError::NoSuchLine(3)));
        assert!(matches!(cart.remove(0), Err(CartError::NoSuchLine(0))));
        cart.add(&c, "111", 1).unwrap();
        assert_eq!(cart.set_quantity(0, 0), Err(CartError::BadQuantity));
        cart.set_quantity(0, 3).unwrap();
        assert_eq!(cart.totals().unwrap().total, kes(75_000));
        cart.remove(0).unwrap();
        assert!(cart.is_empty());
    }

    #[test]
    fn discounts_apply_and_are_bounded() {
        let c = catalogue();
        let mut cart = Cart::new(Currency::Kes);
        cart.add(&c, "111", 2).unwrap(); // 500.00
        cart.add(&c, "222", 1).unwrap(); // 65.00
        cart.set_line_discount(0, Some(Discount::Amount(kes(5_000))))
            .unwrap(); // 450
        assert_eq!(
            cart.set_line_discount(1, Some(Discount::Amount(kes(6_501)))),
            Err(CartError::DiscountTooLarge)
        );
        assert_eq!(
            cart.set_line_discount(1, Some(Discount::PercentBp(0))),
            Err(CartError::BadDiscount)
        );
        cart.set_cart_discount(Some(Discount::PercentBp(1_000)))
            .unwrap(); // 10 % of 515 = 51.50
        let t = cart.totals().unwrap();
        assert_eq!(t.subtotal, kes(56_500));
        assert_eq!(t.total, kes(46_350));
        assert_eq!(t.discounts, kes(10_150));
        assert_eq!(
            Money::checked_sum(Currency::Kes, t.line_amounts.clone()).unwrap(),
            t.total
        );
        assert_eq!(
            cart.set_cart_discount(Some(Discount::Amount(kes(100_000)))),
            Err(CartError::DiscountTooLarge)
        );
        assert_eq!(
            cart.discount,
            Some(Discount::PercentBp(1_000)),
            "a refused discount leaves the old one"
        );
    }

    #[test]
    fn spread_sums_exactly() {
        let shares = spread(kes(100), &[kes(1), kes(1), kes(1)]).unwrap();
        assert_eq!(shares, vec![kes(34), kes(33), kes(33)]);
        assert_eq!(spread(kes(0), &[kes(5)]).unwrap(), vec![kes(0)]);
    }
}
