//! The Tauri wrappers of the "Manager views" commands (docs/ipc.md), one per command over
//! [`Backend`]'s methods in `manager.rs`; `rename_all = "snake_case"` and off the main thread.

use tauri::State;

use malipo_engine::manager::{
    Attached, BillPayView, ControlNumberItem, ControlNumberView, CustomerDetail, CustomerInput,
    CustomerSummary, CustomerView, DayReport, ImportResult, ImportRow, InvoiceDraftInput,
    InvoiceSummary, InvoiceView, OpenTarget, RefundView, TxDetail, TxFilter, TxPage, UnmatchedView,
};

use crate::backend::Backend;
use crate::dto::ApiError;
use crate::manager::{CardLinkDto, ExportedDto, PathDto, TargetArg};

#[tauri::command(async, rename_all = "snake_case")]
pub fn transactions_page(
    b: State<'_, Backend>,
    filter: TxFilter,
    cursor: Option<String>,
    limit: i64,
) -> Result<TxPage, ApiError> {
    b.transactions_page(&filter, cursor.as_deref(), limit)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn transactions_export_csv(
    b: State<'_, Backend>,
    filter: TxFilter,
) -> Result<ExportedDto, ApiError> {
    b.transactions_export_csv(&filter)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn transaction_detail(
    b: State<'_, Backend>,
    payment_id: Option<i64>,
    attempt_id: Option<i64>,
) -> Result<TxDetail, ApiError> {
    b.transaction_detail(payment_id, attempt_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unmatched_list(
    b: State<'_, Backend>,
    query: String,
) -> Result<Vec<UnmatchedView>, ApiError> {
    b.unmatched_list(&query)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn open_targets(b: State<'_, Backend>, query: String) -> Result<Vec<OpenTarget>, ApiError> {
    b.open_targets(&query)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn unmatched_attach(
    b: State<'_, Backend>,
    unmatched_id: i64,
    target: TargetArg,
    pin: String,
) -> Result<Attached, ApiError> {
    b.unmatched_attach(unmatched_id, &target, &pin)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn refund_request(
    b: State<'_, Backend>,
    payment_id: i64,
    amount_minor: i64,
    receipt: String,
    manager: String,
    pin: String,
) -> Result<RefundView, ApiError> {
    b.refund_request(payment_id, amount_minor, &receipt, &manager, &pin)
        .await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn report_x(b: State<'_, Backend>) -> Result<DayReport, ApiError> {
    b.report_x()
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn report_z(
    b: State<'_, Backend>,
    counted_cash_minor: i64,
    pin: String,
) -> Result<DayReport, ApiError> {
    b.report_z(counted_cash_minor, &pin)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn report_pdf(
    b: State<'_, Backend>,
    kind: String,
    z_number: Option<i64>,
) -> Result<PathDto, ApiError> {
    b.report_pdf(&kind, z_number)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn report_print(
    b: State<'_, Backend>,
    kind: String,
    z_number: Option<i64>,
) -> Result<(), ApiError> {
    b.report_print(&kind, z_number)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoices_list(
    b: State<'_, Backend>,
    status: Option<String>,
    query: String,
) -> Result<Vec<InvoiceSummary>, ApiError> {
    b.invoices_list(status.as_deref(), &query)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoice_save_draft(
    b: State<'_, Backend>,
    input: InvoiceDraftInput,
) -> Result<InvoiceView, ApiError> {
    b.invoice_save_draft(&input)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoice_issue(b: State<'_, Backend>, invoice_id: i64) -> Result<InvoiceView, ApiError> {
    b.invoice_issue(invoice_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoice_void(
    b: State<'_, Backend>,
    invoice_id: i64,
    pin: String,
) -> Result<InvoiceView, ApiError> {
    b.invoice_void(invoice_id, &pin)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoice_detail(b: State<'_, Backend>, invoice_id: i64) -> Result<InvoiceView, ApiError> {
    b.invoice_detail(invoice_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn customers_list(
    b: State<'_, Backend>,
    query: String,
) -> Result<Vec<CustomerSummary>, ApiError> {
    b.customers_list(&query)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn customer_detail(
    b: State<'_, Backend>,
    customer_id: i64,
) -> Result<CustomerDetail, ApiError> {
    b.customer_detail(customer_id)
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn customer_save(
    b: State<'_, Backend>,
    input: CustomerInput,
) -> Result<CustomerView, ApiError> {
    b.customer_save(&input)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_card_link(
    b: State<'_, Backend>,
    invoice_id: i64,
    amount_minor: i64,
    email: Option<String>,
) -> Result<CardLinkDto, ApiError> {
    b.invoice_card_link(invoice_id, amount_minor, email.as_deref())
        .await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn invoice_billpay(
    b: State<'_, Backend>,
    invoice_id: i64,
) -> Result<BillPayView, ApiError> {
    b.invoice_billpay(invoice_id).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn control_numbers_create(
    b: State<'_, Backend>,
    customer_id: i64,
    items: Vec<ControlNumberItem>,
) -> Result<Vec<ControlNumberView>, ApiError> {
    b.control_numbers_create(customer_id, &items).await
}

#[tauri::command(rename_all = "snake_case")]
pub async fn control_numbers_import(
    b: State<'_, Backend>,
    rows: Vec<ImportRow>,
) -> Result<ImportResult, ApiError> {
    b.control_numbers_import(&rows).await
}

#[tauri::command(async, rename_all = "snake_case")]
pub fn invoice_pdf(b: State<'_, Backend>, invoice_id: i64) -> Result<PathDto, ApiError> {
    b.invoice_pdf(invoice_id)
}
