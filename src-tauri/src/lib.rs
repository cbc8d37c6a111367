//! `malipo-app` — Malipo's desktop shell, the only crate that depends on Tauri.
//!
//! Deliberately thin: it resolves where the data lives, opens the store, starts the backend
//! (register, engine, and in training mode the sandbox rig and the sync client), wires them
//! to the IPC commands of `docs/ipc.md`, forwards events to every window, and opens the
//! windows. Business rules live in `malipo-core` and `malipo-engine`, SQL in `malipo-store`.
//!
//! Layout:
//! - [`till`]: startup without Tauri types — data directory, mode, store, demo catalogue.
//! - [`backend`]: the running backend (register, engine, vault, training rig, sync client)
//!   and the event forwarding; [`api`] / [`checks`]: what each command does, on it.
//! - [`commands`]: the Tauri command wrappers; [`dto`] + [`convert`]: every shape that
//!   crosses IPC, including the `{code, message}` error.
//!
//! Configuration: the one `tauri.conf.json` sits at the repository's top level. `build.rs`
//! points `tauri-build` at it and [`context`] hands the same path to `generate_context!`;
//! the test below checks the compiled context against the file.

pub mod api;
pub mod backend;
pub mod checks;
pub mod commands;
pub mod convert;
pub mod dto;
pub mod manager;
pub mod manager_commands;
pub mod printing;
pub mod till;

use std::sync::Arc;

use tauri::{Emitter, Manager};

use crate::backend::Backend;
use crate::till::Till;

/// The training "customer phone" window's label and route.
pub const CUSTOMER_PHONE_WINDOW: &str = "customer-phone";
const CUSTOMER_PHONE_ROUTE: &str = "index.html#/customer-phone";

/// Set to `off` (or `0`) to start training mode without the customer-phone window, e.g. for
/// screenshots of the register alone.
pub const CUSTOMER_PHONE_ENV: &str = "MALIPO_CUSTOMER_PHONE";

/// Whether training mode opens the customer-phone window (it does unless told `off`/`0`).
pub fn customer_phone_wanted(setting: Option<String>) -> bool {
    !matches!(
        setting.as_deref().map(str::trim),
        Some("off" | "0" | "false")
    )
}

/// The app's context, generated at compile time from the top-level `tauri.conf.json` (paths
/// in it, such as `build.frontendDist` and `bundle.icon`, are relative to that file).
pub fn context() -> tauri::Context<tauri::Wry> {
    tauri::generate_context!("../tauri.conf.json")
}

/// Logs go to stderr, coloured only on a terminal; `RUST_LOG` filters them (default: `info`).
pub fn init_tracing() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // A second initialisation (tests) is not an error worth stopping for.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

/// Opens the till, starts the backend and runs the windows until they are closed.
pub fn run() -> Result<(), tauri::Error> {
    tauri::Builder::default()
        .setup(|app| {
            let data_dir = till::resolve_data_dir(std::env::var_os(till::DATA_DIR_ENV), || {
                app.path().app_data_dir()
            })?;
            let till = Till::open(&data_dir, till::now())?;
            let handle = app.handle().clone();
            let backend = tauri::async_runtime::block_on(async move {
                let mut backend = Backend::start(till, &data_dir).await?;
                backend.forward(Arc::new(move |event: &str, payload: serde_json::Value| {
                    if let Err(error) = handle.emit(event, payload) {
                        tracing::warn!(%error, event, "an event could not reach the windows");
                    }
                }));
                Ok::<_, till::StartupError>(backend)
            })?;
            let training = backend.training();
            app.manage(backend);
            if training && customer_phone_wanted(std::env::var(CUSTOMER_PHONE_ENV).ok()) {
                tauri::WebviewWindowBuilder::new(
                    app,
                    CUSTOMER_PHONE_WINDOW,
                    tauri::WebviewUrl::App(CUSTOMER_PHONE_ROUTE.into()),
                )
                .title("Customer phone (training)")
                .inner_size(380.0, 680.0)
                // Beside the register's right edge on a 1280-wide screen, not over its cart.
                .position(900.0, 60.0)
                .resizable(true)
                .build()?;
            }
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::login,
            commands::logout,
            commands::manager_unlock,
            commands::manager_lock,
            commands::status,
            commands::list_catalogue,
            commands::cart_get,
            commands::cart_add,
            commands::cart_set_qty,
            commands::cart_discount,
            commands::cart_hold,
            commands::cart_recall,
            commands::cart_clear,
            commands::checkout,
            commands::sale_current,
            commands::sale_cancel,
            commands::sale_new,
            commands::pay_cash,
            commands::stk_start,
            commands::attempt_stop_waiting,
            commands::attempts_pending,
            commands::qr_start,
            commands::till_wait,
            commands::card_start,
            commands::card_finish,
            commands::card_cancelled,
            commands::incoming_list,
            commands::incoming_claim,
            commands::receipt_print,
            commands::refunds_enabled,
            commands::settings_get,
            commands::settings_save_shop,
            commands::settings_save_daraja,
            commands::settings_save_paystack,
            commands::settings_save_clickpesa,
            commands::settings_save_relay,
            commands::settings_save_options,
            commands::settings_test_connection,
            commands::settings_register_c2b,
            commands::user_save,
            commands::training_customer,
            manager_commands::transactions_page,
            manager_commands::transactions_export_csv,
            manager_commands::transaction_detail,
            manager_commands::unmatched_list,
            manager_commands::open_targets,
            manager_commands::unmatched_attach,
            manager_commands::refund_request,
            manager_commands::report_x,
            manager_commands::report_z,
            manager_commands::report_pdf,
            manager_commands::report_print,
            manager_commands::invoices_list,
            manager_commands::invoice_save_draft,
            manager_commands::invoice_issue,
            manager_commands::invoice_void,
            manager_commands::invoice_detail,
            manager_commands::customers_list,
            manager_commands::customer_detail,
            manager_commands::customer_save,
            manager_commands::invoice_card_link,
            manager_commands::invoice_billpay,
            manager_commands::control_numbers_create,
            manager_commands::control_numbers_import,
            manager_commands::invoice_pdf
        ])
        .run(context())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The top-level configuration file, read now (at test time), not when the crate was built.
    fn config_file() -> (serde_json::Value, tauri::Config) {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tauri.conf.json");
        let text = std::fs::read_to_string(&path).unwrap();
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        let config: tauri::Config = serde_json::from_str(&text).unwrap();
        (json, config)
    }

    /// If someone edits `../tauri.conf.json` and the build does not pick it up, the compiled
    /// context and the file disagree and this fails.
    #[test]
    fn the_compiled_context_is_the_top_level_tauri_conf_json() {
        let (json, mut from_file) = config_file();
        // The only key codegen drops: the editor's schema URL.
        from_file.schema = None;
        let context = super::context();
        let compiled = context.config();

        assert_eq!(
            compiled.product_name.as_deref(),
            json["productName"].as_str()
        );
        assert_eq!(
            Some(compiled.identifier.as_str()),
            json["identifier"].as_str()
        );
        assert_eq!(compiled.version.as_deref(), json["version"].as_str());
        let window = compiled.app.windows.first().unwrap();
        assert_eq!(
            Some(window.title.as_str()),
            json["app"]["windows"][0]["title"].as_str()
        );
        assert_eq!(
            serde_json::to_value(&compiled.build.frontend_dist).unwrap(),
            json["build"]["frontendDist"]
        );
        // And everything else: the whole compiled configuration equals the file's.
        assert_eq!(
            serde_json::to_value(compiled).unwrap(),
            serde_json::to_value(&from_file).unwrap()
        );
    }

    #[test]
    fn the_customer_phone_window_opens_unless_switched_off() {
        assert!(super::customer_phone_wanted(None));
        assert!(super::customer_phone_wanted(Some("on".into())));
        assert!(!super::customer_phone_wanted(Some("off".into())));
        assert!(!super::customer_phone_wanted(Some("0".into())));
    }

    /// What the product asks of the shell today: a 1280x800 window called "Malipo".
    #[test]
    fn the_window_is_malipo_at_1280_by_800() {
        let context = super::context();
        let config = context.config();
        assert_eq!(config.product_name.as_deref(), Some("Malipo"));
        let window = config.app.windows.first().unwrap();
        assert_eq!(window.label, "main");
        assert_eq!(window.title, "Malipo");
        // Compared as JSON numbers: the configuration stores sizes as floats.
        assert_eq!(
            serde_json::to_value(window.width).unwrap(),
            serde_json::json!(1280.0)
        );
        assert_eq!(
            serde_json::to_value(window.height).unwrap(),
            serde_json::json!(800.0)
        );
    }
}
