//! The customer's phone and card, for the training "customer phone" window and for tests:
//! answer the STK prompt, pay the Paybill or the Till, scan the Dynamic QR, pay or decline a
//! card on the Paystack checkout.
//!
//! STK answers are played here, not scripted in the simulator beforehand (see `front.rs`): the
//! result callback is the exact body the Daraja simulator sends, posted to the prompt's
//! `CallBackURL` (the relay). An approved prompt to a paybill is also paid through the
//! simulator's C2B path with the same receipt number, as M-Pesa does (the "twin" the ledger
//! must count once); the receipt is then one the simulator knows (reversal, status).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use malipo_core::{Money, Phone};
use malipo_sim::daraja::DarajaSim;
use serde::{Deserialize, Serialize};

use crate::error::TrainingError;
use crate::front::{Prompts, QrSeen, StkPrompt};

/// Test card that pays with no further step (Paystack's `4084 0840 8408 4081`).
pub const CARD_SUCCEEDS: &str = "4084084084084081";
/// Test card the bank declines.
pub const CARD_DECLINED: &str = "4084080000005408";

/// How the customer answers an STK prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StkAnswer {
    /// Enters the right PIN: paid (result 0).
    Approve,
    /// Presses cancel (1032).
    Cancel,
    /// Enters a wrong PIN (2001).
    WrongPin,
    /// Ignores the prompt until M-Pesa gives up: "DS timeout user cannot be reached" (1037),
    /// sent at once so a trainee need not wait a minute.
    NoAnswer,
}

impl StkAnswer {
    fn result(self) -> (&'static str, &'static str) {
        match self {
            StkAnswer::Approve => ("0", "The service request is processed successfully."),
            StkAnswer::Cancel => ("1032", "Request cancelled by user"),
            StkAnswer::WrongPin => ("2001", "The initiator information is invalid."),
            StkAnswer::NoAnswer => ("1037", "DS timeout user cannot be reached"),
        }
    }
}

/// What a card checkout did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardOutcome {
    /// `success`, `declined`, `retry`, `cancelled` or `error`, as the checkout page says.
    pub outcome: String,
    pub message: String,
}

/// The training customer. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Customer {
    pub(crate) daraja: DarajaSim,
    pub(crate) seen: Prompts,
    pub(crate) paystack_url: String,
    pub(crate) paybill: String,
    pub(crate) till_number: String,
    pub(crate) http: reqwest::Client,
    pub(crate) receipts: Arc<AtomicU64>,
}

fn whole(amount: Money) -> Result<u64, TrainingError> {
    amount
        .whole_major()
        .and_then(|m| u64::try_from(m).ok())
        .filter(|m| *m > 0)
        .ok_or(TrainingError::Cents(amount))
}

impl Customer {
    /// STK prompts on the phone not yet answered, oldest first.
    pub fn stk_prompts(&self) -> Vec<StkPrompt> {
        let seen = self.seen.lock();
        seen.prompts
            .iter()
            .filter(|p| !p.answered)
            .cloned()
            .collect()
    }

    /// Answers the prompt `checkout_request_id` (or the newest unanswered one). Returns the
    /// M-Pesa receipt number when approved.
    pub async fn answer_stk(
        &self,
        checkout_request_id: Option<&str>,
        answer: StkAnswer,
    ) -> Result<Option<String>, TrainingError> {
        let prompt = {
            let mut seen = self.seen.lock();
            let found = seen.prompts.iter_mut().rev().find(|p| {
                !p.answered && checkout_request_id.is_none_or(|id| p.checkout_request_id == id)
            });
            let Some(found) = found else {
                return Err(TrainingError::NoPrompt);
            };
            found.answered = true;
            found.clone()
        };
        let (code, desc) = answer.result();
        let now = nairobi_now();
        let (body, receipt) = if code == "0" {
            let receipt = if prompt.paybill {
                self.daraja.pay(
                    &prompt.party_b,
                    &prompt.phone,
                    prompt.amount,
                    &prompt.account_reference,
                )
            } else {
                format!(
                    "TR{:08}",
                    self.receipts.fetch_add(1, Ordering::Relaxed) % 100_000_000
                )
            };
            (
                format!(
                    r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"{m}","CheckoutRequestID":"{c}","ResultCode":0,"ResultDesc":"{desc}","CallbackMetadata":{{"Item":[{{"Name":"Amount","Value":{a}.00}},{{"Name":"MpesaReceiptNumber","Value":"{receipt}"}},{{"Name":"Balance"}},{{"Name":"TransactionDate","Value":{now}}},{{"Name":"PhoneNumber","Value":{p}}}]}}}}}}}}"#,
                    m = prompt.merchant_request_id,
                    c = prompt.checkout_request_id,
                    a = prompt.amount,
                    p = prompt.phone,
                ),
                Some(receipt),
            )
        } else {
            (
                format!(
                    r#"{{"Body":{{"stkCallback":{{"MerchantRequestID":"{m}","CheckoutRequestID":"{c}","ResultCode":{code},"ResultDesc":"{desc}"}}}}}}"#,
                    m = prompt.merchant_request_id,
                    c = prompt.checkout_request_id,
                ),
                None,
            )
        };
        let status = self
            .http
            .post(&prompt.callback_url)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await?
            .status();
        if !status.is_success() {
            return Err(TrainingError::Refused(format!(
                "the STK callback was answered {status}"
            )));
        }
        tracing::info!(checkout = %prompt.checkout_request_id, ?answer, "training: the customer answered");
        Ok(receipt)
    }

    /// Pays the shop's Paybill from `phone` with `account_reference` (the sale or invoice
    /// number). Returns the receipt number.
    pub fn pay_paybill(
        &self,
        account_reference: &str,
        phone: &Phone,
        amount: Money,
    ) -> Result<String, TrainingError> {
        let amount = whole(amount)?;
        Ok(self
            .daraja
            .pay(&self.paybill, phone.as_str(), amount, account_reference))
    }

    /// Pays the shop's Buy Goods till from `phone`. Returns the receipt number.
    pub fn pay_till(&self, phone: &Phone, amount: Money) -> Result<String, TrainingError> {
        let amount = whole(amount)?;
        Ok(self
            .daraja
            .pay(&self.till_number, phone.as_str(), amount, ""))
    }

    /// Dynamic QRs the till generated, oldest first.
    pub fn qrs(&self) -> Vec<QrSeen> {
        self.seen.lock().qrs.clone()
    }

    /// Scans the newest Dynamic QR (with this `RefNo`, when given) and pays what it encodes.
    pub fn scan_qr(&self, phone: &Phone, ref_no: Option<&str>) -> Result<String, TrainingError> {
        let qr = {
            let seen = self.seen.lock();
            seen.qrs
                .iter()
                .rev()
                .find(|q| ref_no.is_none_or(|r| q.ref_no == r))
                .cloned()
        };
        let qr = qr.ok_or(TrainingError::NoQr)?;
        self.daraja
            .pay_qr(&qr.request_id, phone.as_str())
            .ok_or(TrainingError::NoQr)
    }

    /// Pays the Paystack checkout `access_code` with `card` (see [`CARD_SUCCEEDS`],
    /// [`CARD_DECLINED`]); a success makes the simulator send `charge.success` to the relay.
    pub async fn card_pay(
        &self,
        access_code: &str,
        card: &str,
    ) -> Result<CardOutcome, TrainingError> {
        let url = format!("{}/checkout/{access_code}/pay", self.paystack_url);
        let answer: serde_json::Value = self
            .http
            .post(url)
            .json(&serde_json::json!({ "card": card }))
            .send()
            .await?
            .json()
            .await?;
        Ok(CardOutcome {
            outcome: answer["outcome"].as_str().unwrap_or("error").to_owned(),
            message: answer["message"].as_str().unwrap_or_default().to_owned(),
        })
    }

    /// Closes the checkout without paying.
    pub async fn card_cancel(&self, access_code: &str) -> Result<CardOutcome, TrainingError> {
        let url = format!("{}/checkout/{access_code}/cancel", self.paystack_url);
        let response = self.http.post(url).send().await?;
        if !response.status().is_success() {
            return Err(TrainingError::Refused("no such checkout".into()));
        }
        Ok(CardOutcome {
            outcome: "cancelled".into(),
            message: "Cancelled".into(),
        })
    }
}

/// Now in Nairobi (UTC+3) as Daraja writes it, `YYYYMMDDHHmmss`.
fn nairobi_now() -> String {
    let offset = time::UtcOffset::from_hms(3, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let t = time::OffsetDateTime::now_utc().to_offset(offset);
    format!(
        "{:04}{:02}{:02}{:02}{:02}{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}
