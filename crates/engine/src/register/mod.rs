//! The register: the cashier's actions that are not payments — the cart of each till (kept in
//! the store, so a crash or restart never loses it), hold/recall, checkout into a sale, the
//! sale as the tender panel shows it, who is logged in (PIN), and the settings screen.
//!
//! Plain Rust over the shared store (no Tauri types); the shell converts to its DTOs. The
//! payment flows themselves are the [`Engine`](crate::Engine)'s.
//!
//! - `cart.rs` — [`CartView`]: add by SKU or barcode, quantities, discounts, VAT, hold/recall.
//! - `sale.rs` — [`SaleView`]: checkout (idempotent), the open sale, cancel, next sale.
//! - `users.rs` — login/logout, manager unlock, the user list, the training users.
//! - `settings_view.rs` — [`SettingsView`] and the saves behind it (secrets to the vault only).
//!
//! How to make a change here: no SQL (call `malipo_store::Store`), no HTTP, no clock reads
//! except through the register's clock; every store lock is held for one short step.

mod cart;
mod sale;
mod settings_view;
mod users;

use std::sync::{Arc, Mutex, MutexGuard};

use malipo_core::{CartError, Currency, MoneyError, Timestamp};
use malipo_store::{Store, StoreError};
use malipo_vault::VaultError;

pub use cart::{CartLineView, CartView, HeldCart};
pub use sale::{SaleView, TenderView};
pub use settings_view::{
    ClickPesaInput, DarajaInput, OptionsInput, PaystackInput, RelayInput, SettingsView, ShopInput,
};
pub use users::{UserView, TRAINING_USERS};

use crate::error::EngineError;

/// Why a register action was refused. [`RegisterError::code`] is the IPC code.
#[derive(Debug, thiserror::Error)]
pub enum RegisterError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("no item has the barcode or code {0:?}")]
    UnknownItem(String),
    #[error("the cart is frozen into an open sale; cancel the sale to change it")]
    SaleOpen,
    #[error("something is paid or a payment is still waiting on this sale")]
    SaleHasPayments,
    #[error("{0}")]
    InvalidAmount(String),
    #[error("{0}")]
    NotPermitted(String),
    #[error("wrong name or PIN")]
    WrongPin,
    #[error("{0}")]
    Invalid(String),
    #[error("the till database is unavailable")]
    Poisoned,
}

impl RegisterError {
    /// The stable code the UI translates (docs/ipc.md).
    pub fn code(&self) -> &'static str {
        match self {
            RegisterError::Store(_) | RegisterError::Vault(_) | RegisterError::Poisoned => "store",
            RegisterError::Engine(e) => e.code(),
            RegisterError::UnknownItem(_) => "unknown_item",
            RegisterError::SaleOpen => "sale_open",
            RegisterError::SaleHasPayments => "sale_has_payments",
            RegisterError::InvalidAmount(_) => "invalid_amount",
            RegisterError::NotPermitted(_) => "not_permitted",
            RegisterError::WrongPin => "wrong_pin",
            RegisterError::Invalid(_) => "invalid_input",
        }
    }
}

impl From<CartError> for RegisterError {
    fn from(e: CartError) -> Self {
        match e {
            CartError::UnknownCode(code) => RegisterError::UnknownItem(code),
            CartError::DiscountTooLarge | CartError::BadDiscount => {
                RegisterError::InvalidAmount(e.to_string())
            }
            CartError::Money(MoneyError::CurrencyMismatch { .. }) => {
                RegisterError::InvalidAmount(e.to_string())
            }
            other => RegisterError::Invalid(other.to_string()),
        }
    }
}

impl From<MoneyError> for RegisterError {
    fn from(e: MoneyError) -> Self {
        RegisterError::InvalidAmount(e.to_string())
    }
}

/// The register of one till.
pub struct Register {
    store: Arc<Mutex<Store>>,
    till: String,
    shop_id: String,
    currency: Currency,
    clock: fn() -> Timestamp,
    session: Mutex<users::Session>,
}

impl std::fmt::Debug for Register {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Register")
            .field("till", &self.till)
            .field("currency", &self.currency)
            .finish_non_exhaustive()
    }
}

impl Register {
    /// The register of till `till` (its sale-number prefix, e.g. `T1`) of shop `shop_id`
    /// (the vault's shop id), selling in `currency`.
    pub fn new(
        store: Arc<Mutex<Store>>,
        till: impl Into<String>,
        shop_id: impl Into<String>,
        currency: Currency,
    ) -> Register {
        Register::with_clock(store, till, shop_id, currency, crate::system_clock)
    }

    /// As [`Register::new`], reading time from `clock` (tests).
    pub fn with_clock(
        store: Arc<Mutex<Store>>,
        till: impl Into<String>,
        shop_id: impl Into<String>,
        currency: Currency,
        clock: fn() -> Timestamp,
    ) -> Register {
        Register {
            store,
            till: till.into(),
            shop_id: shop_id.into(),
            currency,
            clock,
            session: Mutex::new(users::Session::default()),
        }
    }

    /// The till's id (sale-number prefix).
    pub fn till(&self) -> &str {
        &self.till
    }

    /// The shop's currency.
    pub fn currency(&self) -> Currency {
        self.currency
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    fn store(&self) -> Result<MutexGuard<'_, Store>, RegisterError> {
        self.store.lock().map_err(|_| RegisterError::Poisoned)
    }
}
