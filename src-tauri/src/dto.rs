//! The shapes that cross the IPC boundary (docs/ipc.md), and only those.
//!
//! Domain types never derive `Serialize` for the UI's sake: each command converts to a DTO
//! here (`convert.rs` holds the conversions), so the wire format is written down in one place
//! and the domain can change without silently changing what the UI receives. The one
//! exception is the register's `SettingsView`, which is defined field for field after
//! docs/ipc.md's `SettingsView` and serialised as it is. `ui/src/lib/api.ts` mirrors these.

use serde::{Deserialize, Serialize};

/// An amount in integer minor units of a currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MoneyDto {
    pub minor: i64,
    pub currency: &'static str,
}

/// A user as the UI shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserViewDto {
    pub name: String,
    /// `cashier` or `manager`.
    pub role: &'static str,
    /// `en` or `sw`.
    pub language: String,
}

/// What the shell tells the UI about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfoDto {
    pub version: String,
    pub training: bool,
    pub till_id: String,
    pub shop_name: String,
    pub currency: &'static str,
    pub language: String,
    pub user: Option<UserViewDto>,
    pub paybill: Option<String>,
    pub till_number: Option<String>,
}

/// One catalogue item as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItemDto {
    /// The SKU.
    pub code: String,
    pub name: String,
    /// VAT-inclusive unit price.
    pub price: MoneyDto,
    pub tax_class: &'static str,
    pub barcode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartLineDto {
    pub line_id: i64,
    pub code: String,
    pub name: String,
    pub qty: i64,
    pub unit_price: MoneyDto,
    pub discount: MoneyDto,
    pub total: MoneyDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VatLineDto {
    pub class: &'static str,
    pub label: String,
    pub net: MoneyDto,
    pub vat: MoneyDto,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HeldCartDto {
    pub cart_id: String,
    pub label: String,
    pub total: MoneyDto,
    pub held_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CartViewDto {
    pub cart_id: String,
    pub lines: Vec<CartLineDto>,
    pub subtotal: MoneyDto,
    pub discount: MoneyDto,
    pub total: MoneyDto,
    pub vat: Vec<VatLineDto>,
    pub held: Vec<HeldCartDto>,
    pub frozen: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TenderDto {
    pub method: &'static str,
    pub amount: MoneyDto,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SaleViewDto {
    pub sale_id: i64,
    pub number: String,
    pub total: MoneyDto,
    pub paid: MoneyDto,
    pub balance: MoneyDto,
    /// `open`, `paid` or `void`.
    pub status: &'static str,
    pub tenders: Vec<TenderDto>,
    pub customer_phone: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptViewDto {
    pub attempt_id: i64,
    pub sale_id: i64,
    pub method: &'static str,
    pub state: &'static str,
    pub reason: Option<String>,
    pub amount: MoneyDto,
    pub started_ms: i64,
    pub deadline_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncomingPaymentDto {
    pub unmatched_id: i64,
    pub method: &'static str,
    pub payer_name: Option<String>,
    pub payer_masked: Option<String>,
    pub amount: MoneyDto,
    pub received_ms: i64,
    pub receipt: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayStatusDto {
    pub online: bool,
    pub offline_since_ms: Option<i64>,
    pub waiting: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PrinterStatusDto {
    /// `ready`, `offline` or `none`.
    pub state: &'static str,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusViewDto {
    pub relay: RelayStatusDto,
    pub printer: PrinterStatusDto,
    pub user: Option<UserViewDto>,
    pub training: bool,
}

/// `pay_cash`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CashPaidDto {
    pub sale: SaleViewDto,
    pub change: MoneyDto,
}

/// `qr_start`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrShownDto {
    pub attempt: AttemptViewDto,
    /// A PNG, base64, no `data:` prefix.
    pub qr_png_base64: String,
}

/// `till_wait`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TillWaitDto {
    pub paybill: Option<String>,
    pub till_number: Option<String>,
    pub account_reference: String,
    pub window_ends_ms: i64,
}

/// `card_start`'s result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardStartDto {
    pub attempt: AttemptViewDto,
    pub access_code: String,
    pub reference: String,
    /// `paystack` or `simulator`.
    pub popup: &'static str,
    pub simulator_url: Option<String>,
}

/// A plain answer for the manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerDto {
    pub ok: bool,
    pub message: String,
}

/// `settings_save_shop`'s input.
#[derive(Debug, Clone, Deserialize)]
pub struct ShopInputDto {
    pub name: String,
    pub address: String,
    pub kra_pin: String,
    pub phone: String,
    pub receipt_language: String,
}

/// `settings_save_daraja`'s input; secrets are write-only (absent/`null` keeps them).
#[derive(Deserialize)]
pub struct DarajaInputDto {
    pub environment: String,
    pub shortcode: String,
    #[serde(default)]
    pub till_number: String,
    #[serde(default)]
    pub initiator: String,
    pub consumer_key: Option<String>,
    pub consumer_secret: Option<String>,
    pub passkey: Option<String>,
    pub initiator_password: Option<String>,
    pub certificate_pem: Option<String>,
}

/// `settings_save_paystack`'s input.
#[derive(Deserialize)]
pub struct PaystackInputDto {
    #[serde(default)]
    pub public_key: String,
    pub secret_key: Option<String>,
}

/// `settings_save_clickpesa`'s input.
#[derive(Deserialize)]
pub struct ClickPesaInputDto {
    #[serde(default)]
    pub client_id: String,
    pub api_key: Option<String>,
    pub checksum_key: Option<String>,
}

/// `settings_save_relay`'s input.
#[derive(Deserialize)]
pub struct RelayInputDto {
    pub url: String,
    pub device_token: Option<String>,
}

/// Input DTOs carrying secrets print no values.
macro_rules! redacted_debug {
    ($($t:ty),*) => {$(
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(concat!(stringify!($t), " { <secrets redacted> }"))
            }
        }
    )*};
}
redacted_debug!(
    DarajaInputDto,
    PaystackInputDto,
    ClickPesaInputDto,
    RelayInputDto
);

/// `settings_save_options`'s input.
#[derive(Debug, Clone, Deserialize)]
pub struct OptionsInputDto {
    pub refunds_enabled: bool,
    pub receipt_email: bool,
    pub receipt_sms: bool,
    pub printer_kind: String,
    #[serde(default)]
    pub printer_address: String,
    pub printer_width: u16,
}

/// The one error shape of every command: a stable machine-readable `code` for the UI to
/// branch on, and a `message` a cashier can read. Technical detail goes to the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: String,
}

impl ApiError {
    /// An error with a code and a message for people.
    pub fn new(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            code: code.to_string(),
            message: message.into(),
        }
    }
}

impl From<malipo_store::StoreError> for ApiError {
    fn from(error: malipo_store::StoreError) -> Self {
        tracing::error!(%error, "store error");
        ApiError::new(
            "store",
            "The till's database could not be read. Restart Malipo; if this keeps happening, call support.",
        )
    }
}

impl From<malipo_engine::EngineError> for ApiError {
    fn from(error: malipo_engine::EngineError) -> Self {
        let code = error.code();
        if code == "store" {
            tracing::error!(%error, "engine error");
            return ApiError::new(
                "store",
                "The till's database could not be read. Restart Malipo; if this keeps happening, call support.",
            );
        }
        tracing::warn!(%error, code, "refused");
        ApiError::new(code, error.to_string())
    }
}

impl From<malipo_engine::register::RegisterError> for ApiError {
    fn from(error: malipo_engine::register::RegisterError) -> Self {
        use malipo_engine::register::RegisterError;
        match error {
            RegisterError::Engine(e) => e.into(),
            other if other.code() == "store" => {
                tracing::error!(error = %other, "register error");
                ApiError::new(
                    "store",
                    "The till's database could not be read. Restart Malipo; if this keeps happening, call support.",
                )
            }
            other => {
                tracing::warn!(error = %other, code = other.code(), "refused");
                ApiError::new(other.code(), other.to_string())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn api_error_serialises_as_code_and_message() {
        let json = serde_json::to_value(ApiError::new("store", "broken")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "store", "message": "broken"})
        );
    }

    #[test]
    fn secrets_in_inputs_never_print() {
        let input: DarajaInputDto = serde_json::from_value(serde_json::json!({
            "environment": "sandbox", "shortcode": "174379",
            "consumer_key": "very-secret-key", "passkey": null
        }))
        .unwrap();
        assert!(!format!("{input:?}").contains("very-secret-key"));
        assert_eq!(input.consumer_key.as_deref(), Some("very-secret-key"));
        assert!(input.passkey.is_none());
    }
}
