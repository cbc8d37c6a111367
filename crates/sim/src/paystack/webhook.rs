//! Webhooks signed exactly as Paystack signs them: `x-paystack-signature` is the lowercase hex
//! HMAC-SHA512 of the raw body bytes, keyed with the integration's secret key. Delivered by
//! POST to the scripted URL, after the scripted delay, with the scripted duplicates, and
//! retried (as Paystack retries) when the receiver does not answer 2xx.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha512;

use super::state::{Delivery, PaystackSim};

/// The hex HMAC-SHA512 of `body` under `secret_key`.
pub fn signature(body: &[u8], secret_key: &str) -> String {
    match Hmac::<Sha512>::new_from_slice(secret_key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(body);
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

impl PaystackSim {
    /// Signs `{"event": event, "data": data}` and delivers it per the webhook script, in the
    /// background. Every copy is recorded in [`PaystackSim::deliveries`].
    pub fn emit(&self, event: &str, data: Value) {
        let body = match serde_json::to_vec(&json!({ "event": event, "data": data })) {
            Ok(body) => body,
            Err(_) => return,
        };
        let (script, key) = {
            let inner = self.lock();
            (
                inner.config.webhooks.clone(),
                inner.config.secret_key.clone(),
            )
        };
        let signature = signature(&body, &key);
        let sim = self.clone();
        let event = event.to_owned();
        let copies = script.duplicates.saturating_add(1);
        let Some(url) = script.url else {
            let mut inner = sim.lock();
            for _ in 0..copies {
                inner.deliveries.push(Delivery {
                    event: event.clone(),
                    body: body.clone(),
                    signature: signature.clone(),
                    status: None,
                });
            }
            return;
        };
        // Deliveries of one event keep their order; events are sent in emission order
        // because each waits for the previous one's lock of the delivery queue.
        let queue = sim.lock().queue.clone();
        tokio::spawn(async move {
            let _turn = queue.lock().await;
            let client = reqwest::Client::new();
            for _ in 0..copies {
                for _attempt in 0..=script.retries {
                    if script.delay_ms > 0 {
                        tokio::time::sleep(Duration::from_millis(script.delay_ms)).await;
                    }
                    let status = client
                        .post(&url)
                        .header("content-type", "application/json")
                        .header("x-paystack-signature", &signature)
                        .body(body.clone())
                        .timeout(Duration::from_secs(30))
                        .send()
                        .await
                        .ok()
                        .map(|r| r.status().as_u16());
                    tracing::debug!(%event, ?status, "paystack sim delivered a webhook");
                    sim.lock().deliveries.push(Delivery {
                        event: event.clone(),
                        body: body.clone(),
                        signature: signature.clone(),
                        status,
                    });
                    if status.is_some_and(|code| (200..300).contains(&code)) {
                        break;
                    }
                }
            }
        });
    }
}
