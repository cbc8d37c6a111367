//! The till's current cart: read and written through the store on every action, so the
//! cart on screen is always the saved one. While a sale made from it is open (or paid and not
//! yet followed by a new sale) the cart is *frozen*: shown, never changed.

use malipo_core::{Cart, Catalogue, Discount, Money, Timestamp, VatBreakdown};
use malipo_store::{CartStatus, Store};

use super::{Register, RegisterError};

/// One cart line as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartLineView {
    /// Stable while the line exists (derived from the SKU, which is unique in a cart).
    pub line_id: i64,
    pub code: String,
    pub name: String,
    pub qty: i64,
    pub unit_price: Money,
    /// The line's own discount plus its share of a cart discount.
    pub discount: Money,
    /// `qty × unit_price − discount`.
    pub total: Money,
}

/// A cart on hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HeldCart {
    pub cart_id: i64,
    pub label: String,
    pub total: Money,
    pub held_at: Timestamp,
}

/// The current cart with its totals and VAT, and the carts on hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CartView {
    pub cart_id: i64,
    pub lines: Vec<CartLineView>,
    pub subtotal: Money,
    pub discount: Money,
    pub total: Money,
    pub vat: VatBreakdown,
    /// Oldest first.
    pub held: Vec<HeldCart>,
    pub frozen: bool,
}

/// A line id from the SKU: FNV-1a, kept below 2^53 so it survives a JavaScript number.
pub(crate) fn line_id(sku: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sku.bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::try_from(hash & ((1 << 53) - 1)).unwrap_or(0)
}

/// `HH:MM` East Africa Time (UTC+3, no daylight saving), for automatic hold labels.
fn clock_label(t: Timestamp) -> String {
    let secs = (t.millis() / 1000 + 3 * 3600).rem_euclid(86_400);
    format!("{:02}:{:02}", secs / 3600, (secs % 3600) / 60)
}

/// The current cart: the open sale's (frozen) or the till's open one, created when missing.
pub(crate) struct Current {
    pub id: i64,
    pub cart: Cart,
    pub frozen: bool,
}

impl Register {
    pub(crate) fn current(&self, store: &mut Store) -> Result<Current, RegisterError> {
        if let Some(marker) = self.sale_marker(store)? {
            if let Some(saved) = store.cart_get(marker.cart_id)? {
                return Ok(Current {
                    id: saved.id,
                    cart: saved.cart,
                    frozen: true,
                });
            }
        }
        let active = store.carts_active(&self.till)?;
        if let Some(open) = active.into_iter().find(|c| c.status == CartStatus::Open) {
            return Ok(Current {
                id: open.id,
                cart: open.cart,
                frozen: false,
            });
        }
        let cart = Cart::new(self.currency);
        let id = store.cart_save(None, &self.till, &cart, self.now())?;
        Ok(Current {
            id,
            cart,
            frozen: false,
        })
    }

    fn editable(&self, store: &mut Store) -> Result<Current, RegisterError> {
        let current = self.current(store)?;
        if current.frozen {
            return Err(RegisterError::SaleOpen);
        }
        Ok(current)
    }

    pub(crate) fn view_of(
        &self,
        store: &Store,
        current: &Current,
    ) -> Result<CartView, RegisterError> {
        let totals = current.cart.totals()?;
        let mut lines = Vec::with_capacity(current.cart.lines.len());
        for (line, amount) in current.cart.lines.iter().zip(&totals.line_amounts) {
            let gross = line.unit_price.checked_mul(line.quantity)?;
            lines.push(CartLineView {
                line_id: line_id(&line.sku),
                code: line.sku.clone(),
                name: line.name.clone(),
                qty: line.quantity,
                unit_price: line.unit_price,
                discount: gross.checked_sub(*amount)?,
                total: *amount,
            });
        }
        let mut held = Vec::new();
        for c in store.carts_active(&self.till)? {
            if c.status != CartStatus::Held {
                continue;
            }
            held.push(HeldCart {
                cart_id: c.id,
                label: c.label.clone().unwrap_or_default(),
                total: c.cart.totals()?.total,
                held_at: c.updated_at,
            });
        }
        held.sort_by_key(|h| (h.held_at, h.cart_id));
        Ok(CartView {
            cart_id: current.id,
            lines,
            subtotal: totals.subtotal,
            discount: totals.discounts,
            total: totals.total,
            vat: totals.vat,
            held,
            frozen: current.frozen,
        })
    }

    /// Saves `current` and returns its view.
    fn save(&self, store: &mut Store, current: &Current) -> Result<CartView, RegisterError> {
        store.cart_save(Some(current.id), &self.till, &current.cart, self.now())?;
        self.view_of(store, current)
    }

    fn line_index(current: &Current, line_id: i64) -> Result<usize, RegisterError> {
        current
            .cart
            .lines
            .iter()
            .position(|l| self::line_id(&l.sku) == line_id)
            .ok_or_else(|| RegisterError::Invalid("that line is no longer in the cart".into()))
    }

    /// The cart on screen (restored after a crash or restart).
    pub fn cart(&self) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let current = self.current(&mut store)?;
        self.view_of(&store, &current)
    }

    /// Adds `qty` of the item with this SKU or barcode (the same item again adds to its line).
    pub fn cart_add(&self, code: &str, qty: i64) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let mut current = self.editable(&mut store)?;
        let item = store
            .catalogue_find(code.trim())?
            .ok_or_else(|| RegisterError::UnknownItem(code.trim().to_owned()))?;
        let one = Catalogue {
            currency: self.currency,
            items: vec![item],
        };
        current.cart.add(&one, code.trim(), qty)?;
        self.save(&mut store, &current)
    }

    /// Sets a line's quantity; 0 removes the line.
    pub fn cart_set_qty(&self, line_id: i64, qty: i64) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let mut current = self.editable(&mut store)?;
        let index = Self::line_index(&current, line_id)?;
        if qty == 0 {
            current.cart.remove(index)?;
            // A cart discount larger than what is left goes with the line.
            if current.cart.totals().is_err() {
                current.cart.discount = None;
            }
        } else {
            current.cart.set_quantity(index, qty)?;
        }
        self.save(&mut store, &current)
    }

    /// Sets the discount of a line (`Some(line_id)`) or of the whole cart (`None`), replacing
    /// the previous one; zero removes it.
    pub fn cart_discount(
        &self,
        line_id: Option<i64>,
        amount: Money,
    ) -> Result<CartView, RegisterError> {
        if amount.minor < 0 {
            return Err(RegisterError::InvalidAmount(
                "a discount cannot be negative".into(),
            ));
        }
        let discount = (!amount.is_zero()).then_some(Discount::Amount(amount));
        let mut store = self.store()?;
        let mut current = self.editable(&mut store)?;
        match line_id {
            Some(id) => {
                let index = Self::line_index(&current, id)?;
                current.cart.set_line_discount(index, discount)?;
                if current.cart.totals().is_err() {
                    return Err(RegisterError::InvalidAmount(
                        "with the cart discount, that is more than the cart total".into(),
                    ));
                }
            }
            None => current.cart.set_cart_discount(discount)?,
        }
        self.save(&mut store, &current)
    }

    /// Puts the current cart on hold under `label` (a time when empty); a new empty cart
    /// becomes current.
    pub fn cart_hold(&self, label: &str) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let current = self.editable(&mut store)?;
        if current.cart.is_empty() {
            return Err(RegisterError::Invalid("there is nothing to hold".into()));
        }
        let now = self.now();
        let label = match label.trim() {
            "" => format!("Held {}", clock_label(now)),
            given => given.to_owned(),
        };
        store.cart_set_status(current.id, CartStatus::Held, Some(&label), now)?;
        let next = self.current(&mut store)?;
        self.view_of(&store, &next)
    }

    /// Brings a held cart back; a non-empty current cart is held first, labelled with the time.
    pub fn cart_recall(&self, cart_id: i64) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let current = self.editable(&mut store)?;
        let held = store
            .cart_get(cart_id)?
            .filter(|c| c.till == self.till && c.status == CartStatus::Held)
            .ok_or_else(|| RegisterError::Invalid("that cart is not on hold here".into()))?;
        let now = self.now();
        if current.id != held.id {
            if current.cart.is_empty() {
                store.cart_set_status(current.id, CartStatus::Closed, None, now)?;
            } else {
                let label = format!("Held {}", clock_label(now));
                store.cart_set_status(current.id, CartStatus::Held, Some(&label), now)?;
            }
        }
        store.cart_set_status(held.id, CartStatus::Open, None, now)?;
        let next = Current {
            id: held.id,
            cart: held.cart,
            frozen: false,
        };
        self.view_of(&store, &next)
    }

    /// Empties the current cart.
    pub fn cart_clear(&self) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let mut current = self.editable(&mut store)?;
        current.cart = Cart::new(self.currency);
        self.save(&mut store, &current)
    }
}
