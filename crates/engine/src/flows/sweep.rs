//! The missed-confirmation sweep: a C2B receipt the till should have heard about (the
//! customer shows the M-Pesa SMS; a confirmation was lost) is looked up with Daraja's
//! transaction status query. The answer comes back asynchronously to the relay's result URL;
//! a completed payment is posted like any confirmation — usually to unmatched receipts, where
//! the cashier places it — and a receipt already in the ledger is never asked about.

use malipo_core::{PaymentMethod, Provider, Timestamp};
use malipo_providers::daraja::{AsyncResult, StatusQueryRequest};
use malipo_store::Confirmation;

use crate::engine::Engine;
use crate::error::EngineError;
use crate::ingest::Processed;

/// What a receipt check did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReceiptCheck {
    /// Already in the ledger.
    Known { payment_id: i64 },
    /// Asked M-Pesa; the answer will post it if it completed.
    Asked,
}

impl Engine {
    /// Looks up an M-Pesa receipt number the till has no record of.
    pub async fn check_receipt(&self, receipt: &str) -> Result<ReceiptCheck, EngineError> {
        let receipt = receipt.trim().to_ascii_uppercase();
        if receipt.len() < 8 || !receipt.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(EngineError::Invalid(
                "an M-Pesa receipt number is letters and digits, like TKP5ZZ81AB".into(),
            ));
        }
        if let Some(p) = self.store()?.payment_by_txn(Provider::Mpesa, &receipt)? {
            return Ok(ReceiptCheck::Known { payment_id: p.id });
        }
        let client = self
            .inner
            .daraja
            .as_ref()
            .ok_or(EngineError::NotConfigured("M-Pesa"))?;
        let config = &self.inner.config;
        let (Some(result_url), Some(timeout_url)) = (&config.result_url, &config.timeout_url)
        else {
            return Err(EngineError::NotConfigured("the relay (result URLs)"));
        };
        let ack = client
            .transaction_status(&StatusQueryRequest {
                transaction_id: receipt.clone(),
                result_url: result_url.clone(),
                timeout_url: timeout_url.clone(),
                remarks: "Missed confirmation".into(),
                occasion: None,
            })
            .await
            .map_err(|e| EngineError::Provider(format!("M-Pesa could not be asked: {e}")))?;
        if let Ok(mut asked) = self.inner.status_queries.lock() {
            asked.insert(ack.originator_conversation_id, receipt);
        }
        Ok(ReceiptCheck::Asked)
    }

    /// A transaction status result for a receipt this till asked about, if it is one.
    pub(crate) fn status_result(
        &self,
        result: &AsyncResult,
        inbox_id: i64,
        received: Timestamp,
        now: Timestamp,
    ) -> Result<Option<Processed>, EngineError> {
        let asked = self.inner.status_queries.lock().ok().and_then(|mut q| {
            q.remove(&result.originator_conversation_id)
                .or_else(|| q.remove(&result.conversation_id))
        });
        let Some(receipt) = asked else {
            return Ok(None);
        };
        if !result.result_code.is_success() {
            return Ok(Some(Processed::Applied(
                "M-Pesa has no completed payment with that receipt",
            )));
        }
        if result.parameter("TransactionStatus") != Some("Completed") {
            return Ok(Some(Processed::Applied(
                "the receipt exists but the payment is not completed",
            )));
        }
        let Some(amount) = result.amount() else {
            return Err(EngineError::Invalid(
                "the status result carries no amount".into(),
            ));
        };
        // "2547… - NAME": the payer's number and name as M-Pesa shows them.
        let debit = result.parameter("DebitPartyName").unwrap_or("");
        let (number, name) = debit.split_once(" - ").unwrap_or(("", debit));
        let outcome = self.store()?.post_payment(
            &Confirmation {
                method: PaymentMethod::MpesaPaybill,
                provider_txn_id: Some(result.parameter("ReceiptNo").unwrap_or(&receipt).to_owned()),
                attempt_ref: None,
                account_reference: None,
                amount,
                payer_phone: malipo_core::Phone::parse(number.trim()).ok(),
                payer_name: Some(name.trim().to_owned()).filter(|n| !n.is_empty()),
                payer_ref: malipo_core::Phone::parse(number.trim())
                    .ok()
                    .map(|p| p.masked()),
                inbox_id: Some(inbox_id),
                received_at: received,
            },
            now,
        )?;
        Ok(Some(Processed::Posted(outcome)))
    }
}
