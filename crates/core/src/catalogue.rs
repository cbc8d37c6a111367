//! The shop's catalogue: items with SKU, optional barcode, name, VAT-inclusive price and tax
//! class, and lookup by what a scanner or a cashier types.

use serde::{Deserialize, Serialize};

use crate::money::{Currency, Money};
use crate::vat::TaxClass;

/// One item for sale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    /// The shop's stock-keeping unit, unique.
    pub sku: String,
    /// The barcode (EAN-13 etc.), unique when present.
    pub barcode: Option<String>,
    pub name: String,
    /// VAT-inclusive unit price.
    pub price: Money,
    pub tax_class: TaxClass,
}

/// Why a catalogue could not be read.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error("the catalogue file is not valid: {0}")]
    Json(#[from] serde_json::Error),
    #[error("item {sku:?} appears twice")]
    DuplicateSku { sku: String },
    #[error("barcode {barcode:?} is used by both {first:?} and {second:?}")]
    DuplicateBarcode {
        barcode: String,
        first: String,
        second: String,
    },
    #[error("item {sku:?} has a price that is not positive")]
    NonPositivePrice { sku: String },
    #[error("item {sku:?} is priced in {found}, but the shop sells in {expected}")]
    WrongCurrency {
        sku: String,
        found: Currency,
        expected: Currency,
    },
    #[error("an item has an empty SKU or name")]
    Blank,
}

/// A validated set of items in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    pub currency: Currency,
    pub items: Vec<Item>,
}

impl Catalogue {
    /// Validates items: SKUs and barcodes unique, prices positive and in `currency`.
    pub fn new(currency: Currency, items: Vec<Item>) -> Result<Catalogue, CatalogueError> {
        let mut skus = std::collections::HashSet::new();
        let mut barcodes: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
        for item in &items {
            if item.sku.trim().is_empty() || item.name.trim().is_empty() {
                return Err(CatalogueError::Blank);
            }
            if !skus.insert(item.sku.as_str()) {
                return Err(CatalogueError::DuplicateSku {
                    sku: item.sku.clone(),
                });
            }
            if item.price.currency != currency {
                return Err(CatalogueError::WrongCurrency {
                    sku: item.sku.clone(),
                    found: item.price.currency,
                    expected: currency,
                });
            }
            if !item.price.is_positive() {
                return Err(CatalogueError::NonPositivePrice {
                    sku: item.sku.clone(),
                });
            }
            if let Some(code) = item.barcode.as_deref() {
                if let Some(first) = barcodes.insert(code, item.sku.as_str()) {
                    return Err(CatalogueError::DuplicateBarcode {
                        barcode: code.to_string(),
                        first: first.to_string(),
                        second: item.sku.clone(),
                    });
                }
            }
        }
        Ok(Catalogue { currency, items })
    }

    /// Reads the catalogue JSON format of `assets/catalogue.json`:
    /// `{"currency":"KES","items":[{"sku":…,"barcode":…,"name":…,"price":{"minor":…,"currency":"KES"},"tax_class":"standard"}]}`.
    pub fn from_json(json: &str) -> Result<Catalogue, CatalogueError> {
        let raw: Catalogue = serde_json::from_str(json)?;
        Catalogue::new(raw.currency, raw.items)
    }

    /// Finds an item by barcode first (what a scanner types), then by SKU, ignoring case and
    /// surrounding spaces for the SKU.
    pub fn find(&self, code: &str) -> Option<&Item> {
        let code = code.trim();
        self.items
            .iter()
            .find(|i| i.barcode.as_deref() == Some(code))
            .or_else(|| self.items.iter().find(|i| i.sku.eq_ignore_ascii_case(code)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(sku: &str, barcode: Option<&str>, minor: i64) -> Item {
        Item {
            sku: sku.into(),
            barcode: barcode.map(Into::into),
            name: format!("Item {sku}"),
            price: Money::from_minor(minor, Currency::Kes),
            tax_class: TaxClass::Standard,
        }
    }

    #[test]
    fn finds_by_barcode_then_sku() {
        let c = Catalogue::new(
            Currency::Kes,
            vec![
                item("SUG2", Some("6161101"), 25_000),
                item("BRD", None, 6_500),
            ],
        )
        .unwrap();
        assert_eq!(c.find("6161101").map(|i| i.sku.as_str()), Some("SUG2"));
        assert_eq!(c.find(" brd ").map(|i| i.sku.as_str()), Some("BRD"));
        assert!(c.find("nothing").is_none());
    }

    #[test]
    fn refuses_duplicates_and_bad_prices() {
        assert!(matches!(
            Catalogue::new(Currency::Kes, vec![item("A", None, 1), item("A", None, 2)]),
            Err(CatalogueError::DuplicateSku { .. })
        ));
        assert!(matches!(
            Catalogue::new(
                Currency::Kes,
                vec![item("A", Some("1"), 1), item("B", Some("1"), 2)]
            ),
            Err(CatalogueError::DuplicateBarcode { .. })
        ));
        assert!(matches!(
            Catalogue::new(Currency::Kes, vec![item("A", None, 0)]),
            Err(CatalogueError::NonPositivePrice { .. })
        ));
        assert!(matches!(
            Catalogue::from_json("{"),
            Err(CatalogueError::Json(_))
        ));
    }
}
