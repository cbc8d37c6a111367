//! The shapes that cross the IPC boundary, and only those.
//!
//! Domain types (`malipo_core`) never derive `Serialize` for the UI's sake: each command
//! converts to a DTO here, so the wire format is written down in one place and the domain can
//! change without silently changing what the UI receives. `ui/src/api.ts` mirrors these.

use serde::Serialize;

use malipo_core::Item;

/// One catalogue item as the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogueItemDto {
    pub sku: String,
    pub barcode: Option<String>,
    pub name: String,
    /// VAT-inclusive unit price in integer minor units (cents).
    pub price_minor: i64,
    /// ISO 4217 code, e.g. `"KES"`.
    pub currency: String,
    /// The price as the till displays it everywhere, e.g. `"KES 1,250.00"`.
    pub price_display: String,
    /// The tax class code, e.g. `"standard"`.
    pub tax_class: String,
}

impl From<&Item> for CatalogueItemDto {
    fn from(item: &Item) -> Self {
        CatalogueItemDto {
            sku: item.sku.clone(),
            barcode: item.barcode.clone(),
            name: item.name.clone(),
            price_minor: item.price.minor,
            currency: item.price.currency.code().to_string(),
            price_display: item.price.to_string(),
            tax_class: item.tax_class.code().to_string(),
        }
    }
}

/// What the shell tells the UI about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppInfoDto {
    /// `"training"` (the sandbox, the default) or `"live"`.
    pub mode: String,
    /// The app's version, from Cargo.
    pub version: String,
    /// Where the till's database lives.
    pub db_path: String,
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

#[cfg(test)]
mod tests {
    use super::*;
    use malipo_core::{Currency, Money, TaxClass};

    #[test]
    fn item_becomes_a_dto_with_integer_price_and_display_string() {
        let item = Item {
            sku: "SUG-2KG".to_string(),
            barcode: Some("6161101660012".to_string()),
            name: "Sugar 2kg".to_string(),
            price: Money::from_minor(125_000, Currency::Kes),
            tax_class: TaxClass::Standard,
        };
        let dto = CatalogueItemDto::from(&item);
        assert_eq!(dto.price_minor, 125_000);
        assert_eq!(dto.currency, "KES");
        assert_eq!(dto.price_display, "KES 1,250.00");
        assert_eq!(dto.tax_class, TaxClass::Standard.code());
        let json = serde_json::to_value(&dto).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "sku": "SUG-2KG",
                "barcode": "6161101660012",
                "name": "Sugar 2kg",
                "price_minor": 125000,
                "currency": "KES",
                "price_display": "KES 1,250.00",
                "tax_class": TaxClass::Standard.code(),
            })
        );
    }

    #[test]
    fn api_error_serialises_as_code_and_message() {
        let json = serde_json::to_value(ApiError::new("store", "broken")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": "store", "message": "broken"})
        );
    }
}
