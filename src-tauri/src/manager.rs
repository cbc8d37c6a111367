//! The "Manager views" commands of docs/ipc.md as methods on [`Backend`] (no Tauri types, so
//! tests call them directly): each checks that a manager is unlocked, calls the engine's
//! `manager` module, and hands back its contract-shaped result. Files (CSV exports, report
//! PDFs) go under the data directory's `exports/` and `reports/` folders.

use std::path::PathBuf;

use base64::Engine as _;
use malipo_core::TargetRef;
use malipo_engine::manager::{
    Attached, BillPayView, ControlNumberItem, ControlNumberView, CustomerDetail, CustomerInput,
    CustomerSummary, CustomerView, DayReport, ImportResult, ImportRow, InvoiceDraftInput,
    InvoiceSummary, InvoiceView, ManagerError, OpenTarget, RefundView, TxDetail, TxFilter, TxPage,
    UnmatchedView,
};
use malipo_engine::{Engine, EngineEvent};
use serde::{Deserialize, Serialize};

use crate::backend::{Backend, Emit, TILL_ID};
use crate::dto::ApiError;

impl From<ManagerError> for ApiError {
    fn from(error: ManagerError) -> Self {
        match error {
            ManagerError::Engine(e) => e.into(),
            ManagerError::Io(e) => {
                tracing::error!(error = %e, "a manager file could not be written");
                ApiError::new(
                    "store",
                    "The file could not be written. Check the disk has room and try again.",
                )
            }
            other => {
                tracing::warn!(error = %other, code = other.code(), "refused");
                ApiError::new(other.code(), other.to_string())
            }
        }
    }
}

/// Where a file was written (and how many rows, for an export).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExportedDto {
    pub path: String,
    pub rows: u64,
}

/// A card payment link: `qr_png_base64` is a PNG of `url`, no `data:` prefix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardLinkDto {
    pub url: String,
    pub qr_png_base64: String,
    pub reference: String,
    pub expires_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathDto {
    pub path: String,
}

/// `{ kind, id }` of `unmatched_attach`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TargetArg {
    pub kind: String,
    pub id: i64,
}

/// How often the shell looks for refunds whose provider result arrived.
const REFUND_POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Sends `transactions-changed` (payload `null`) whenever a payment or attempt moved,
/// `refund-changed` when a refund's provider result arrives, and `invoice-changed` when money
/// is allocated to an invoice (the engine has no events for those two: the ledger is asked
/// every second for what finished or was allocated since the last look).
pub(crate) fn spawn_events(engine: &Engine, emit: Emit) -> tokio::task::JoinHandle<()> {
    use tokio::sync::broadcast::error::RecvError;
    let mut events = engine.subscribe();
    let engine = engine.clone();
    tokio::spawn(async move {
        let mut mark = None;
        let mut invoices_mark = None;
        let mut tick = tokio::time::interval(REFUND_POLL);
        loop {
            tokio::select! {
                event = events.recv() => match event {
                    Ok(
                        EngineEvent::AttemptChanged { .. }
                        | EngineEvent::SaleChanged { .. }
                        | EngineEvent::IncomingChanged
                        | EngineEvent::PaymentPosted { .. },
                    ) => emit("transactions-changed", serde_json::Value::Null),
                    Ok(_) | Err(RecvError::Lagged(_)) => {}
                    Err(RecvError::Closed) => return,
                },
                _ = tick.tick() => {
                    match engine.refunds_finished_after(mark) {
                        Ok((views, next)) => {
                            mark = Some(next);
                            for view in views {
                                if let Ok(json) = serde_json::to_value(&view) {
                                    emit("refund-changed", json);
                                }
                            }
                        }
                        Err(error) => tracing::warn!(%error, "cannot look for finished refunds"),
                    }
                    match engine.invoices_changed_after(invoices_mark) {
                        Ok((views, next)) => {
                            invoices_mark = Some(next);
                            if !views.is_empty() {
                                emit("transactions-changed", serde_json::Value::Null);
                            }
                            for view in views {
                                if let Ok(json) = serde_json::to_value(&view) {
                                    emit("invoice-changed", json);
                                }
                            }
                        }
                        Err(error) => tracing::warn!(%error, "cannot look for invoice payments"),
                    }
                }
            }
        }
    })
}

fn stamp(ms: Option<i64>) -> String {
    ms.map_or_else(|| "all".to_owned(), |v| v.to_string())
}

impl Backend {
    /// The unlocked manager's name (`not_permitted` otherwise).
    fn manager_name(&self) -> Result<String, ApiError> {
        Ok(self.register.require_manager()?)
    }

    fn data_dir(&self) -> PathBuf {
        self.till
            .db_path()
            .parent()
            .map_or_else(|| PathBuf::from("."), |p| p.to_path_buf())
    }

    fn emit_json(&self, name: &str, value: &impl Serialize) {
        if let (Some(emit), Ok(json)) = (self.emit.as_ref(), serde_json::to_value(value)) {
            emit(name, json);
        }
    }

    pub fn transactions_page(
        &self,
        filter: &TxFilter,
        cursor: Option<&str>,
        limit: i64,
    ) -> Result<TxPage, ApiError> {
        self.manager_name()?;
        Ok(self
            .engine
            .transactions_page(filter, cursor, limit, TILL_ID)?)
    }

    /// Streams every matching row to `<data dir>/exports/malipo-transactions-<from>-<to>.csv`.
    pub fn transactions_export_csv(&self, filter: &TxFilter) -> Result<ExportedDto, ApiError> {
        self.manager_name()?;
        let path = self.data_dir().join("exports").join(format!(
            "malipo-transactions-{}-{}.csv",
            stamp(filter.from_ms),
            stamp(filter.to_ms)
        ));
        let done = self
            .engine
            .transactions_export_csv(filter, &path, TILL_ID)?;
        Ok(ExportedDto {
            path: path.display().to_string(),
            rows: done.rows,
        })
    }

    pub fn transaction_detail(
        &self,
        payment_id: Option<i64>,
        attempt_id: Option<i64>,
    ) -> Result<TxDetail, ApiError> {
        self.manager_name()?;
        Ok(self
            .engine
            .transaction_detail(payment_id, attempt_id, TILL_ID)?)
    }

    pub fn unmatched_list(&self, query: &str) -> Result<Vec<UnmatchedView>, ApiError> {
        self.manager_name()?;
        Ok(self.engine.unmatched_list(query)?)
    }

    pub fn open_targets(&self, query: &str) -> Result<Vec<OpenTarget>, ApiError> {
        self.manager_name()?;
        Ok(self.engine.open_targets(query)?)
    }

    pub fn unmatched_attach(
        &self,
        unmatched_id: i64,
        target: &TargetArg,
        pin: &str,
    ) -> Result<Attached, ApiError> {
        self.manager_name()?;
        let target = match target.kind.as_str() {
            "sale" => TargetRef::Sale(target.id),
            "invoice" => TargetRef::Invoice(target.id),
            _ => {
                return Err(ApiError::new(
                    "invalid_input",
                    "Choose a sale or an invoice to attach the money to.",
                ))
            }
        };
        let done = self.engine.unmatched_attach(unmatched_id, target, pin)?;
        match target {
            TargetRef::Sale(id) => {
                if let Ok(sale) = self.register.sale(id) {
                    self.emit_json("sale-changed", &crate::convert::sale(&sale));
                }
            }
            TargetRef::Invoice(id) => {
                if let Ok(view) = self.engine.invoice_detail(id) {
                    self.invoice_changed(&view);
                }
            }
        }
        Ok(done)
    }

    pub async fn refund_request(
        &self,
        payment_id: i64,
        amount_minor: i64,
        receipt: &str,
        manager: &str,
        pin: &str,
    ) -> Result<RefundView, ApiError> {
        self.manager_name()?;
        let view = self
            .engine
            .refund_request(payment_id, amount_minor, receipt, manager, pin)
            .await?;
        self.emit_json("refund-changed", &view);
        Ok(view)
    }

    pub fn report_x(&self) -> Result<DayReport, ApiError> {
        self.manager_name()?;
        Ok(self.engine.report_x()?)
    }

    pub fn report_z(&self, counted_cash_minor: i64, pin: &str) -> Result<DayReport, ApiError> {
        self.manager_name()?;
        Ok(self.engine.report_z(counted_cash_minor, pin)?)
    }

    fn report_of(&self, kind: &str, z_number: Option<i64>) -> Result<DayReport, ApiError> {
        match kind {
            "x" => Ok(self.engine.report_x()?),
            "z" => Ok(self.engine.report_z_get(z_number)?),
            _ => Err(ApiError::new(
                "invalid_input",
                "Choose the X or the Z report.",
            )),
        }
    }

    /// Saves the report's PDF under `<data dir>/reports/` and says where.
    pub fn report_pdf(&self, kind: &str, z_number: Option<i64>) -> Result<PathDto, ApiError> {
        let manager = self.manager_name()?;
        let report = self.report_of(kind, z_number)?;
        let bytes = self.engine.report_pdf(&report, TILL_ID, &manager)?;
        let name = match report.z_number {
            Some(n) if kind == "z" => format!("malipo-z-{n:04}.pdf"),
            _ => format!("malipo-x-{}.pdf", report.to_ms),
        };
        let dir = self.data_dir().join("reports");
        let write = || -> std::io::Result<PathBuf> {
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(name);
            std::fs::write(&path, &bytes)?;
            Ok(path)
        };
        let path = write().map_err(ManagerError::Io)?;
        Ok(PathDto {
            path: path.display().to_string(),
        })
    }

    /// The receipt printer is not connected to the shell yet: the report is checked and the
    /// manager told `printer_offline` (the PDF works).
    pub fn report_print(&self, kind: &str, z_number: Option<i64>) -> Result<(), ApiError> {
        self.manager_name()?;
        self.report_of(kind, z_number)?;
        Err(ApiError::new(
            "printer_offline",
            "The receipt printer is not connected on this till; save the PDF instead.",
        ))
    }

    fn invoice_changed(&self, view: &InvoiceView) {
        self.emit_json("invoice-changed", view);
    }

    pub fn invoices_list(
        &self,
        status: Option<&str>,
        query: &str,
    ) -> Result<Vec<InvoiceSummary>, ApiError> {
        self.manager_name()?;
        Ok(self.engine.invoices_list(status, query)?)
    }

    pub fn invoice_save_draft(&self, input: &InvoiceDraftInput) -> Result<InvoiceView, ApiError> {
        self.manager_name()?;
        Ok(self.engine.invoice_save_draft(input)?)
    }

    pub fn invoice_issue(&self, invoice_id: i64) -> Result<InvoiceView, ApiError> {
        let manager = self.manager_name()?;
        let view = self.engine.invoice_issue(invoice_id, &manager)?;
        self.invoice_changed(&view);
        Ok(view)
    }

    pub fn invoice_void(&self, invoice_id: i64, pin: &str) -> Result<InvoiceView, ApiError> {
        self.manager_name()?;
        let view = self.engine.invoice_void(invoice_id, pin)?;
        self.invoice_changed(&view);
        Ok(view)
    }

    pub fn invoice_detail(&self, invoice_id: i64) -> Result<InvoiceView, ApiError> {
        self.manager_name()?;
        Ok(self.engine.invoice_detail(invoice_id)?)
    }

    pub fn customers_list(&self, query: &str) -> Result<Vec<CustomerSummary>, ApiError> {
        self.manager_name()?;
        Ok(self.engine.customers_list(query)?)
    }

    pub fn customer_detail(&self, customer_id: i64) -> Result<CustomerDetail, ApiError> {
        self.manager_name()?;
        Ok(self.engine.customer_detail(customer_id)?)
    }

    pub fn customer_save(&self, input: &CustomerInput) -> Result<CustomerView, ApiError> {
        let manager = self.manager_name()?;
        Ok(self.engine.customer_save(input, &manager)?)
    }

    pub async fn invoice_card_link(
        &self,
        invoice_id: i64,
        amount_minor: i64,
        email: Option<&str>,
    ) -> Result<CardLinkDto, ApiError> {
        self.manager_name()?;
        let made = self
            .engine
            .invoice_card_link(invoice_id, amount_minor, email)
            .await?;
        Ok(CardLinkDto {
            url: made.url,
            qr_png_base64: base64::engine::general_purpose::STANDARD.encode(&made.qr_png),
            reference: made.reference,
            expires_ms: None,
        })
    }

    pub async fn invoice_billpay(&self, invoice_id: i64) -> Result<BillPayView, ApiError> {
        self.manager_name()?;
        Ok(self.engine.invoice_billpay(invoice_id).await?)
    }

    pub async fn control_numbers_create(
        &self,
        customer_id: i64,
        items: &[ControlNumberItem],
    ) -> Result<Vec<ControlNumberView>, ApiError> {
        let manager = self.manager_name()?;
        Ok(self
            .engine
            .control_numbers_create(customer_id, items, &manager)
            .await?)
    }

    pub async fn control_numbers_import(
        &self,
        rows: &[ImportRow],
    ) -> Result<ImportResult, ApiError> {
        let manager = self.manager_name()?;
        Ok(self.engine.control_numbers_import(rows, &manager).await?)
    }

    /// Saves the invoice's PDF under `<data dir>/exports/` and says where.
    pub fn invoice_pdf(&self, invoice_id: i64) -> Result<PathDto, ApiError> {
        self.manager_name()?;
        let bytes = self.engine.invoice_pdf(invoice_id)?;
        let number = self
            .engine
            .invoice_detail(invoice_id)?
            .number
            .unwrap_or_else(|| invoice_id.to_string());
        let dir = self.data_dir().join("exports");
        let write = || -> std::io::Result<PathBuf> {
            std::fs::create_dir_all(&dir)?;
            let path = dir.join(format!("malipo-invoice-{number}.pdf"));
            std::fs::write(&path, &bytes)?;
            Ok(path)
        };
        let path = write().map_err(ManagerError::Io)?;
        Ok(PathDto {
            path: path.display().to_string(),
        })
    }
}
