//! "Test connection" and "Register payment URLs" on the settings screen: each asks the
//! provider client (or the relay link) and answers the manager in one plain sentence.

use malipo_providers::daraja::DarajaClient;
use malipo_providers::paystack::PaystackClient;
use malipo_relay::EventKind;

use crate::backend::Backend;
use crate::dto::{AnswerDto, ApiError};

fn answer(ok: bool, message: impl Into<String>) -> AnswerDto {
    AnswerDto {
        ok,
        message: message.into(),
    }
}

impl Backend {
    /// `settings_test_connection`.
    pub async fn settings_test_connection(&self, provider: &str) -> Result<AnswerDto, ApiError> {
        self.register.require_manager()?;
        let config = self.engine.config();
        Ok(match provider {
            "daraja" => match &config.daraja {
                None => answer(false, "M-Pesa is not set up on this till."),
                Some(daraja) => match DarajaClient::new(daraja.clone()) {
                    Err(e) => answer(false, e.to_string()),
                    Ok(client) => {
                        let report = client.test_connection(malipo_engine::system_clock()).await;
                        let lines: Vec<String> = report
                            .checks
                            .iter()
                            .map(|c| format!("{}: {}", c.item, c.message))
                            .collect();
                        answer(report.is_ok(), lines.join(" "))
                    }
                },
            },
            "paystack" => match &config.paystack {
                None => answer(false, "Card payments are not set up on this till."),
                Some(p) => match PaystackClient::new(p.base_url.clone(), p.secret_key.clone()) {
                    Err(e) => answer(false, e.to_string()),
                    Ok(client) => match client.test_connection().await {
                        Ok(check) => answer(
                            matches!(
                                check,
                                malipo_providers::paystack::ConnectionCheck::Valid { .. }
                            ),
                            check.message(),
                        ),
                        Err(e) => answer(false, format!("Paystack could not be reached: {e}")),
                    },
                },
            },
            "clickpesa" => answer(
                false,
                "BillPay (ClickPesa) is not connected to the register in this version.",
            ),
            "relay" => {
                let status = self.sync_status.borrow().clone();
                if status.online {
                    answer(true, "The till is connected to the relay.")
                } else {
                    answer(
                        false,
                        status.last_error.unwrap_or_else(|| {
                            "The till is not connected to the relay yet.".to_owned()
                        }),
                    )
                }
            }
            "printer" => answer(false, "Printing is not connected on this till yet."),
            _ => return Err(ApiError::new("invalid_input", "Unknown provider.")),
        })
    }

    /// `settings_register_c2b`: registers the relay's C2B URLs with Daraja.
    pub async fn settings_register_c2b(&self) -> Result<AnswerDto, ApiError> {
        self.register.require_manager()?;
        let urls = self
            .register
            .settings(self.vault.as_ref())?
            .relay
            .callback_urls;
        let find = |kind: EventKind| {
            urls.iter()
                .find(|u| u.ends_with(&format!("/{}", kind.as_str())))
                .cloned()
        };
        let (Some(confirm), Some(validate)) =
            (find(EventKind::C2bConfirm), find(EventKind::C2bValidate))
        else {
            return Ok(answer(
                false,
                "The relay's payment URLs are not known; enter the relay settings first.",
            ));
        };
        if let Some(rig) = &self.rig {
            return Ok(match rig.register_c2b().await {
                Ok(()) => answer(
                    true,
                    format!("Registered. Confirmation URL: {confirm} Validation URL: {validate}"),
                ),
                Err(e) => answer(false, e.to_string()),
            });
        }
        let Some(daraja) = &self.engine.config().daraja else {
            return Ok(answer(false, "M-Pesa is not set up on this till."));
        };
        let client = DarajaClient::new(daraja.clone())
            .map_err(|e| ApiError::new("provider_unavailable", e.to_string()))?;
        Ok(
            match client.register_c2b_urls(&confirm, &validate, true).await {
                Ok(_) => answer(
                    true,
                    format!("Registered. Confirmation URL: {confirm} Validation URL: {validate}"),
                ),
                Err(e) => answer(false, format!("Daraja refused the URLs: {e}")),
            },
        )
    }
}
