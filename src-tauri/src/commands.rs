//! The IPC commands the UI may call. Each one locks what it needs, calls the layer below and
//! converts the result to a DTO; no business rule lives here.
//!
//! Commands are `async` in Tauri's sense so they run off the GTK main thread: a slow disk
//! must never freeze the window.

use tauri::State;

use crate::dto::{ApiError, AppInfoDto, CatalogueItemDto};
use crate::till::Till;

/// The catalogue, as the store lists it.
#[tauri::command(async)]
pub fn list_catalogue(till: State<'_, Till>) -> Result<Vec<CatalogueItemDto>, ApiError> {
    catalogue(&till)
}

/// Mode, version and database location.
#[tauri::command(async)]
pub fn app_info(till: State<'_, Till>) -> Result<AppInfoDto, ApiError> {
    Ok(info(&till))
}

/// [`list_catalogue`] without Tauri, for tests.
pub fn catalogue(till: &Till) -> Result<Vec<CatalogueItemDto>, ApiError> {
    let items = till.store()?.catalogue_list()?;
    Ok(items.iter().map(CatalogueItemDto::from).collect())
}

/// [`app_info`] without Tauri, for tests.
pub fn info(till: &Till) -> AppInfoDto {
    AppInfoDto {
        mode: till.mode().code().to_string(),
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: till.db_path().display().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::till::DB_FILE_NAME;
    use malipo_core::Timestamp;

    #[test]
    fn commands_return_the_seeded_catalogue_and_training_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let till = Till::open(tmp.path(), Timestamp(1_700_000_000_000)).unwrap();

        let items = catalogue(&till).unwrap();
        assert!(!items.is_empty());
        let sugar = items.iter().find(|i| i.sku == "SUG-2KG").unwrap();
        assert_eq!(sugar.barcode.as_deref(), Some("6161101660012"));
        assert_eq!(sugar.price_minor, 25_000);
        assert_eq!(sugar.currency, "KES");
        assert_eq!(sugar.price_display, "KES 250.00");
        assert_eq!(sugar.tax_class, "standard");

        let info = info(&till);
        assert_eq!(info.mode, "training");
        assert_eq!(info.version, env!("CARGO_PKG_VERSION"));
        assert_eq!(
            info.db_path,
            tmp.path().join(DB_FILE_NAME).display().to_string()
        );
    }
}
