//! The IPC commands of docs/ipc.md, one thin wrapper each over [`Backend`]'s methods in
//! `api.rs` / `checks.rs`. Every command is `rename_all = "snake_case"` (the contract's
//! argument keys) and runs off the GTK main thread (`async`), so a slow disk or a provider
//! call never freezes the window.
//!
//! To add a command: write the method on `Backend` (tested without Tauri), add a wrapper
//! here, and list it in `lib.rs`'s `generate_handler!`.

use tauri::State;

use malipo_engine::register::SettingsView;

use crate::backend::Backend;
use crate::dto::{
    AnswerDto, ApiError, AppInfoDto, AttemptViewDto, CardStartDto, CartViewDto, CashPaidDto,
    CatalogueItemDto, ClickPesaInputDto, DarajaInputDto, IncomingPaymentDto, OptionsInputDto,
    PaystackInputDto, QrShownDto, RelayInputDto, SaleViewDto, ShopInputDto, StatusViewDto,
    TillWaitDto, UserViewDto,
};

#[tauri::command(async, rename_all = "snake_case")]
pub fn app_info(b: State<'_, Backend>) -> Result<AppInfoDto, ApiError> {
    b.app_info()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn login(b: State<'_, Backend>, name: String, pin: String) -> Result<UserViewDto, ApiError> {
    b.login(&name, &pin)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn logout(b: State<'_, Backend>) -> Result<(), ApiError> {
    b.logout()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn manager_unlock(b: State<'_, Backend>, pin: String) -> Result<UserViewDto, ApiError> {
    b.manager_unlock(&pin)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn manager_lock(b: State<'_, Backend>) -> Result<(), ApiError> {
    b.manager_lock()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn status(b: State<'_, Backend>) -> Result<StatusViewDto, ApiError> {
    b.status()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn list_catalogue(b: State<'_, Backend>) -> Result<Vec<CatalogueItemDto>, ApiError> {
    b.list_catalogue()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_get(b: State<'_, Backend>) -> Result<CartViewDto, ApiError> {
    b.cart_get()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_add(b: State<'_, Backend>, code: String, qty: i64) -> Result<CartViewDto, ApiError> {
    b.cart_add(&code, qty)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_set_qty(
    b: State<'_, Backend>,
    line_id: i64,
    qty: i64,
) -> Result<CartViewDto, ApiError> {
    b.cart_set_qty(line_id, qty)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_discount(
    b: State<'_, Backend>,
    line_id: Option<i64>,
    amount_minor: i64,
) -> Result<CartViewDto, ApiError> {
    b.cart_discount(line_id, amount_minor)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_hold(b: State<'_, Backend>, label: String) -> Result<CartViewDto, ApiError> {
    b.cart_hold(&label)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_recall(b: State<'_, Backend>, cart_id: String) -> Result<CartViewDto, ApiError> {
    b.cart_recall(&cart_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn cart_clear(b: State<'_, Backend>) -> Result<CartViewDto, ApiError> {
    b.cart_clear()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn checkout(b: State<'_, Backend>) -> Result<SaleViewDto, ApiError> {
    b.checkout()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sale_current(b: State<'_, Backend>) -> Result<Option<SaleViewDto>, ApiError> {
    b.sale_current()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sale_cancel(b: State<'_, Backend>, sale_id: i64) -> Result<CartViewDto, ApiError> {
    b.sale_cancel(sale_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn sale_new(b: State<'_, Backend>) -> Result<CartViewDto, ApiError> {
    b.sale_new()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn pay_cash(
    b: State<'_, Backend>,
    sale_id: i64,
    amount_minor: i64,
    tendered_minor: i64,
) -> Result<CashPaidDto, ApiError> {
    b.pay_cash(sale_id, amount_minor, tendered_minor)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn stk_start(
    b: State<'_, Backend>,
    sale_id: i64,
    phone: String,
    amount_minor: i64,
) -> Result<AttemptViewDto, ApiError> {
    b.stk_start(sale_id, &phone, amount_minor).await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn attempt_stop_waiting(
    b: State<'_, Backend>,
    attempt_id: i64,
) -> Result<AttemptViewDto, ApiError> {
    b.attempt_stop_waiting(attempt_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn attempts_pending(b: State<'_, Backend>) -> Result<Vec<AttemptViewDto>, ApiError> {
    b.attempts_pending()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn qr_start(
    b: State<'_, Backend>,
    sale_id: i64,
    amount_minor: i64,
) -> Result<QrShownDto, ApiError> {
    b.qr_start(sale_id, amount_minor).await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn till_wait(
    b: State<'_, Backend>,
    sale_id: i64,
    amount_minor: i64,
) -> Result<TillWaitDto, ApiError> {
    b.till_wait(sale_id, amount_minor)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn card_start(
    b: State<'_, Backend>,
    sale_id: i64,
    amount_minor: i64,
    email: Option<String>,
) -> Result<CardStartDto, ApiError> {
    b.card_start(sale_id, amount_minor, email.as_deref()).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn card_finish(
    b: State<'_, Backend>,
    attempt_id: i64,
    reference: String,
) -> Result<AttemptViewDto, ApiError> {
    b.card_finish(attempt_id, &reference).await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn card_cancelled(b: State<'_, Backend>, attempt_id: i64) -> Result<AttemptViewDto, ApiError> {
    b.card_cancelled(attempt_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn incoming_list(b: State<'_, Backend>) -> Result<Vec<IncomingPaymentDto>, ApiError> {
    b.incoming_list()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn incoming_claim(
    b: State<'_, Backend>,
    unmatched_id: i64,
    sale_id: i64,
) -> Result<SaleViewDto, ApiError> {
    b.incoming_claim(unmatched_id, sale_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn receipt_print(b: State<'_, Backend>, sale_id: i64) -> Result<(), ApiError> {
    b.receipt_print(sale_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_get(b: State<'_, Backend>) -> Result<SettingsView, ApiError> {
    b.settings_get()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_shop(
    b: State<'_, Backend>,
    input: ShopInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_shop(input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_daraja(
    b: State<'_, Backend>,
    input: DarajaInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_daraja(input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_paystack(
    b: State<'_, Backend>,
    input: PaystackInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_paystack(input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_clickpesa(
    b: State<'_, Backend>,
    input: ClickPesaInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_clickpesa(input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_relay(
    b: State<'_, Backend>,
    input: RelayInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_relay(input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn settings_save_options(
    b: State<'_, Backend>,
    input: OptionsInputDto,
) -> Result<SettingsView, ApiError> {
    b.settings_save_options(input)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_test_connection(
    b: State<'_, Backend>,
    provider: String,
) -> Result<AnswerDto, ApiError> {
    b.settings_test_connection(&provider).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn settings_register_c2b(b: State<'_, Backend>) -> Result<AnswerDto, ApiError> {
    b.settings_register_c2b().await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn user_save(
    b: State<'_, Backend>,
    name: String,
    role: String,
    pin: Option<String>,
    language: String,
) -> Result<(), ApiError> {
    b.user_save(&name, &role, pin.as_deref(), &language)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn training_customer(
    b: State<'_, Backend>,
    action: String,
    attempt_id: Option<i64>,
    phone: Option<String>,
    amount_minor: Option<i64>,
    account_reference: Option<String>,
) -> Result<(), ApiError> {
    b.training_customer(
        &action,
        attempt_id,
        phone.as_deref(),
        amount_minor,
        account_reference.as_deref(),
    )
    .await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn refunds_enabled(b: State<'_, Backend>) -> Result<bool, ApiError> {
    b.refunds_enabled()
}
