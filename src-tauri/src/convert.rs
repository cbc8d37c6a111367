//! Domain values → the DTOs of `dto.rs`. Pure functions, no state, no IO.

use malipo_core::{
    AttemptState, Item, Money, PaymentMethod, Phone, SaleStatus, TargetRef, TaxClass,
};
use malipo_engine::register::{CartView, SaleView, UserView};
use malipo_engine::EngineConfig;
use malipo_store::{AttemptRow, Payment, Role, UnmatchedReceipt};
use malipo_sync::SyncStatus;

use crate::dto::{
    AttemptViewDto, CartLineDto, CartViewDto, CatalogueItemDto, HeldCartDto, IncomingPaymentDto,
    MoneyDto, PrinterStatusDto, RelayStatusDto, SaleViewDto, StatusViewDto, TenderDto, UserViewDto,
    VatLineDto,
};

pub fn money(m: Money) -> MoneyDto {
    MoneyDto {
        minor: m.minor,
        currency: m.currency.code(),
    }
}

/// The contract's `Method`.
pub fn method(m: PaymentMethod) -> &'static str {
    match m {
        PaymentMethod::Cash => "cash",
        PaymentMethod::MpesaStk => "mpesa_stk",
        PaymentMethod::MpesaQr => "mpesa_qr",
        PaymentMethod::MpesaPaybill => "mpesa_paybill",
        PaymentMethod::MpesaTill => "mpesa_till",
        PaymentMethod::CardInline | PaymentMethod::CardLink => "card",
        PaymentMethod::BillPay => "billpay",
    }
}

pub fn role(r: Role) -> &'static str {
    match r {
        Role::Cashier => "cashier",
        Role::Manager => "manager",
    }
}

pub fn user(u: &UserView) -> UserViewDto {
    UserViewDto {
        name: u.name.clone(),
        role: role(u.role),
        language: u.language.clone(),
    }
}

pub fn item(i: &Item) -> CatalogueItemDto {
    CatalogueItemDto {
        code: i.sku.clone(),
        name: i.name.clone(),
        price: money(i.price),
        tax_class: i.tax_class.code(),
        barcode: i.barcode.clone(),
    }
}

fn vat_label(class: TaxClass, rate_bp: i64) -> String {
    match class {
        TaxClass::Exempt => "VAT exempt".to_owned(),
        TaxClass::Standard | TaxClass::ZeroRated => {
            let whole = rate_bp / 100;
            match rate_bp % 100 {
                0 => format!("VAT {whole}%"),
                part => format!("VAT {whole}.{part:02}%"),
            }
        }
    }
}

pub fn cart(c: &CartView) -> CartViewDto {
    CartViewDto {
        cart_id: c.cart_id.to_string(),
        lines: c
            .lines
            .iter()
            .map(|l| CartLineDto {
                line_id: l.line_id,
                code: l.code.clone(),
                name: l.name.clone(),
                qty: l.qty,
                unit_price: money(l.unit_price),
                discount: money(l.discount),
                total: money(l.total),
            })
            .collect(),
        subtotal: money(c.subtotal),
        discount: money(c.discount),
        total: money(c.total),
        vat: c
            .vat
            .lines
            .iter()
            .map(|v| VatLineDto {
                class: v.class.code(),
                label: vat_label(v.class, v.rate_bp),
                net: money(v.net),
                vat: money(v.vat),
            })
            .collect(),
        held: c
            .held
            .iter()
            .map(|h| HeldCartDto {
                cart_id: h.cart_id.to_string(),
                label: h.label.clone(),
                total: money(h.total),
                held_ms: h.held_at.millis(),
            })
            .collect(),
        frozen: c.frozen,
    }
}

pub fn sale(s: &SaleView) -> SaleViewDto {
    SaleViewDto {
        sale_id: s.sale_id,
        number: s.number.clone(),
        total: money(s.total),
        paid: money(s.paid),
        balance: money(s.balance),
        status: match s.status {
            SaleStatus::Open => "open",
            SaleStatus::Completed => "paid",
            SaleStatus::Void => "void",
        },
        tenders: s
            .tenders
            .iter()
            .map(|t| TenderDto {
                method: method(t.method),
                amount: money(t.amount),
                detail: t.detail.clone(),
            })
            .collect(),
        customer_phone: s.customer_phone.clone(),
    }
}

/// The contract's attempt state (see docs/ipc.md's mapping from the core states).
pub fn attempt_state(state: AttemptState, stopped: bool) -> &'static str {
    match state {
        AttemptState::Pending if stopped => "stopped",
        AttemptState::Pending => "pending",
        AttemptState::Succeeded => "confirmed",
        AttemptState::Cancelled => "cancelled",
        AttemptState::Failed => "failed",
        AttemptState::TimedOut => "timed_out",
        AttemptState::Expired => "expired",
    }
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

pub fn attempt(a: &AttemptRow, stopped: bool, config: &EngineConfig) -> AttemptViewDto {
    let window = match a.method {
        PaymentMethod::MpesaQr | PaymentMethod::MpesaTill | PaymentMethod::MpesaPaybill => {
            ms(config.till_window)
        }
        _ => ms(config.stk_window()),
    };
    AttemptViewDto {
        attempt_id: a.id,
        sale_id: match a.target {
            TargetRef::Sale(id) => id,
            TargetRef::Invoice(_) => 0,
        },
        method: method(a.method),
        state: attempt_state(a.state, stopped),
        reason: a.reason.clone(),
        amount: money(a.amount),
        started_ms: a.created_at.millis(),
        deadline_ms: a.created_at.millis().saturating_add(window),
    }
}

/// A phone as the register may show it: `0712***678` (or as the provider masked it).
pub fn masked(raw: &str) -> String {
    Phone::parse(raw)
        .map(|p| p.masked())
        .unwrap_or_else(|_| raw.to_owned())
}

pub fn incoming(u: &UnmatchedReceipt, p: &Payment) -> IncomingPaymentDto {
    IncomingPaymentDto {
        unmatched_id: u.id,
        method: method(p.method),
        payer_name: p.payer_name.clone(),
        payer_masked: p.payer_phone.as_deref().map(masked),
        amount: money(u.open_amount),
        received_ms: p.received_at.millis(),
        receipt: p.provider_txn_id.clone(),
    }
}

pub fn relay_status(s: &SyncStatus) -> RelayStatusDto {
    let waiting = match (s.last_stored_seq, s.last_acked_seq) {
        (Some(stored), Some(acked)) => (stored - acked).max(0),
        (Some(stored), None) => stored.max(0),
        _ => 0,
    };
    RelayStatusDto {
        online: s.online,
        offline_since_ms: s.offline_since.map(|t| t.millis()),
        waiting,
    }
}

pub fn status(
    relay: RelayStatusDto,
    printer_kind: &str,
    user: Option<UserViewDto>,
    training: bool,
) -> StatusViewDto {
    let printer = match printer_kind {
        "" | "none" => PrinterStatusDto {
            state: "none",
            detail: None,
        },
        _ => PrinterStatusDto {
            state: "offline",
            detail: Some("Printing is not connected in this version of Malipo.".to_owned()),
        },
    };
    StatusViewDto {
        relay,
        printer,
        user,
        training,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use malipo_core::Currency;

    #[test]
    fn money_is_integer_minor_units_with_the_currency_code() {
        let json = serde_json::to_value(money(Money::from_minor(125_000, Currency::Kes))).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"minor": 125000, "currency": "KES"})
        );
    }

    #[test]
    fn attempt_states_follow_the_contract() {
        assert_eq!(attempt_state(AttemptState::Pending, true), "stopped");
        assert_eq!(attempt_state(AttemptState::Pending, false), "pending");
        assert_eq!(attempt_state(AttemptState::Succeeded, false), "confirmed");
        assert_eq!(attempt_state(AttemptState::Expired, false), "expired");
        assert_eq!(vat_label(TaxClass::Standard, 1600), "VAT 16%");
        assert_eq!(vat_label(TaxClass::ZeroRated, 0), "VAT 0%");
        assert_eq!(method(PaymentMethod::CardInline), "card");
    }
}
