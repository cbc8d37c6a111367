//! Checkout and the sale as the tender panel shows it. The till's current sale is remembered
//! in the store's settings (`register.<till>.sale` = `<sale id>:<cart id>`), so a restart
//! resumes at the tender panel with the cart frozen.

use malipo_core::{
    AttemptState, Money, PaymentMethod, Phone, SaleDraft, SaleStatus, TargetRef, Timestamp,
};
use malipo_store::{CartStatus, NewSale, PaymentFilter, Store};

use super::{CartView, Register, RegisterError};

/// Who the register is in the audit log when it writes its own bookkeeping settings.
const REGISTER_ACTOR: &str = "register";

/// How far back (before the sale was made) a payment claimed onto it may have been received.
const TENDER_LOOKBACK_MS: i64 = 24 * 3600 * 1000;

/// One payment on the sale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenderView {
    pub method: PaymentMethod,
    /// What of the payment went to this sale.
    pub amount: Money,
    /// A line for people: `Receipt TKP5ZZ81AB 0712***678`, `VISA •••• 4081`, `Cash`.
    pub detail: String,
    pub at: Timestamp,
}

/// A sale for the tender panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaleView {
    pub sale_id: i64,
    pub number: String,
    pub total: Money,
    pub paid: Money,
    /// What is left to pay, never negative.
    pub balance: Money,
    pub status: SaleStatus,
    pub tenders: Vec<TenderView>,
    /// A known customer's phone (local form), to pre-fill the STK phone.
    pub customer_phone: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SaleMarker {
    pub sale_id: i64,
    pub cart_id: i64,
}

fn detail(p: &malipo_store::Payment) -> String {
    let txn = p.provider_txn_id.clone().unwrap_or_default();
    match p.method {
        PaymentMethod::Cash => "Cash".to_owned(),
        PaymentMethod::CardInline | PaymentMethod::CardLink => {
            p.payer_ref.clone().unwrap_or_else(|| format!("Card {txn}"))
        }
        PaymentMethod::BillPay => format!("ClickPesa {txn}"),
        PaymentMethod::MpesaStk
        | PaymentMethod::MpesaQr
        | PaymentMethod::MpesaPaybill
        | PaymentMethod::MpesaTill => {
            let phone = p.payer_phone.as_deref().map(|raw| {
                Phone::parse(raw)
                    .map(|ph| ph.masked())
                    .unwrap_or_else(|_| raw.to_owned())
            });
            match phone {
                Some(phone) => format!("Receipt {txn} {phone}"),
                None => format!("Receipt {txn}"),
            }
        }
    }
}

impl Register {
    fn marker_key(&self) -> String {
        format!("register.{}.sale", self.till)
    }

    pub(crate) fn sale_marker(&self, store: &Store) -> Result<Option<SaleMarker>, RegisterError> {
        let Some(value) = store.setting_get(&self.marker_key())? else {
            return Ok(None);
        };
        let mut parts = value.split(':').map(str::parse::<i64>);
        Ok(match (parts.next(), parts.next()) {
            (Some(Ok(sale_id)), Some(Ok(cart_id))) => Some(SaleMarker { sale_id, cart_id }),
            _ => None,
        })
    }

    fn set_marker(
        &self,
        store: &mut Store,
        marker: Option<SaleMarker>,
    ) -> Result<(), RegisterError> {
        let value = marker.map_or(String::new(), |m| format!("{}:{}", m.sale_id, m.cart_id));
        store.setting_set(&self.marker_key(), &value, REGISTER_ACTOR, self.now())?;
        Ok(())
    }

    /// The sale as the tender panel shows it.
    pub fn sale(&self, sale_id: i64) -> Result<SaleView, RegisterError> {
        let store = self.store()?;
        Self::sale_view(&store, sale_id)
    }

    pub(crate) fn sale_view(store: &Store, sale_id: i64) -> Result<SaleView, RegisterError> {
        let sale = store.sale_get(sale_id)?;
        let balance = store.balance(TargetRef::Sale(sale_id))?;
        let paid = balance.allocated.checked_sub(balance.refunded)?;
        let left = if balance.balance.minor > 0 {
            balance.balance
        } else {
            Money::zero(balance.balance.currency)
        };
        let mut tenders = Vec::new();
        if balance.allocated.is_positive() {
            let filter = PaymentFilter {
                from: Some(sale.created_at.minus_ms(TENDER_LOOKBACK_MS)),
                to: None,
                methods: Vec::new(),
                providers: Vec::new(),
                statuses: Vec::new(),
            };
            let mut after = None;
            loop {
                let page = store.payments_page(&filter, 200, after)?;
                for payment in &page.rows {
                    for a in store.allocations_for(payment.id)? {
                        if a.target == TargetRef::Sale(sale_id) {
                            tenders.push(TenderView {
                                method: payment.method,
                                amount: a.amount,
                                detail: detail(payment),
                                at: a.created_at,
                            });
                        }
                    }
                }
                match page.next {
                    Some(next) if !page.rows.is_empty() => after = Some(next),
                    _ => break,
                }
            }
            tenders.sort_by_key(|t| t.at);
        }
        Ok(SaleView {
            sale_id,
            number: sale.number,
            total: sale.total,
            paid,
            balance: left,
            status: sale.status,
            tenders,
            customer_phone: None,
        })
    }

    /// Freezes the current cart into a sale (the till's next number). Calling it again
    /// returns the same sale until [`Register::sale_new`] or [`Register::sale_cancel`].
    pub fn checkout(&self, cashier: &str) -> Result<SaleView, RegisterError> {
        let mut store = self.store()?;
        if let Some(marker) = self.sale_marker(&store)? {
            return Self::sale_view(&store, marker.sale_id);
        }
        let current = self.current(&mut store)?;
        if current.cart.is_empty() {
            return Err(RegisterError::Invalid("the cart is empty".into()));
        }
        let draft = SaleDraft::from_cart(&current.cart)?;
        let sale = store.sale_create(
            &NewSale {
                till_prefix: &self.till,
                cashier,
                draft: &draft,
                cart_id: Some(current.id),
            },
            self.now(),
        )?;
        self.set_marker(
            &mut store,
            Some(SaleMarker {
                sale_id: sale.id,
                cart_id: current.id,
            }),
        )?;
        tracing::info!(sale = %sale.number, "checkout");
        Self::sale_view(&store, sale.id)
    }

    /// This till's current sale (open, or paid and not yet followed by a new sale).
    pub fn sale_current(&self) -> Result<Option<SaleView>, RegisterError> {
        let store = self.store()?;
        let Some(marker) = self.sale_marker(&store)? else {
            return Ok(None);
        };
        let view = Self::sale_view(&store, marker.sale_id)?;
        Ok((view.status != SaleStatus::Void).then_some(view))
    }

    /// Voids the open sale when nothing is paid and the till is waiting on nothing for it, and
    /// gives its cart back for editing. An STK prompt the cashier stopped waiting for
    /// (`stopped(attempt_id)`: `Engine::is_stopped`, called with the store locked, so it must
    /// not lock it) does not hold the sale open: the customer
    /// has walked away, and should they pay after all the payment waits as an unmatched
    /// receipt ("arrived after its sale was voided") for a clerk to place. One the till still
    /// waits for does: the cashier presses "Stop waiting" first.
    pub fn sale_cancel(
        &self,
        sale_id: i64,
        actor: &str,
        stopped: impl Fn(i64) -> bool,
    ) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        let marker = self
            .sale_marker(&store)?
            .filter(|m| m.sale_id == sale_id)
            .ok_or_else(|| RegisterError::Invalid("that is not this till's open sale".into()))?;
        let sale = store.sale_get(sale_id)?;
        if sale.status != SaleStatus::Open {
            return Err(RegisterError::SaleHasPayments);
        }
        let now = self.now();
        let balance = store.balance(TargetRef::Sale(sale_id))?;
        let pending = store
            .attempts_pending(now.plus_ms(1))?
            .into_iter()
            .any(|a| {
                a.target == TargetRef::Sale(sale_id)
                    && a.state == AttemptState::Pending
                    && !stopped(a.id)
            });
        if !balance.allocated.is_zero() || pending {
            return Err(RegisterError::SaleHasPayments);
        }
        store.sale_set_status(sale_id, SaleStatus::Void, actor, now)?;
        store.cart_set_status(marker.cart_id, CartStatus::Open, None, now)?;
        self.set_marker(&mut store, None)?;
        tracing::info!(sale = %sale.number, "sale cancelled before payment");
        let current = self.current(&mut store)?;
        self.view_of(&store, &current)
    }

    /// After a paid (or voided) sale: a new empty cart.
    pub fn sale_new(&self) -> Result<CartView, RegisterError> {
        let mut store = self.store()?;
        if let Some(marker) = self.sale_marker(&store)? {
            if store.sale_get(marker.sale_id)?.status == SaleStatus::Open {
                return Err(RegisterError::SaleOpen);
            }
            self.set_marker(&mut store, None)?;
        }
        let current = self.current(&mut store)?;
        self.view_of(&store, &current)
    }
}
