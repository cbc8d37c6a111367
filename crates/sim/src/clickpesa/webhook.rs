//! ClickPesa webhooks from the simulator: `{"event", "data"}` posted as JSON, with a top-level
//! `checksum` + `checksumMethod: "canonical"` when the application has a checksum key: HMAC-
//! SHA256 (hex) of the payload's canonical JSON (keys sorted recursively, compact).

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use serde_json::{json, Value};
use sha2::Sha256;

use super::state::{ClickPesaSim, Delivery};

/// Compact JSON with object keys sorted at every level (the simulator's own implementation,
/// independent of the client's).
pub fn canonical(value: &Value) -> String {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            let parts: Vec<String> = entries
                .into_iter()
                .map(|(k, v)| format!("{}:{}", json!(k), canonical(v)))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(canonical).collect();
            format!("[{}]", parts.join(","))
        }
        scalar => scalar.to_string(),
    }
}

/// Hex HMAC-SHA256 of the canonical JSON of `payload` under `key`.
pub fn checksum(payload: &Value, key: &str) -> String {
    match Hmac::<Sha256>::new_from_slice(key.as_bytes()) {
        Ok(mut mac) => {
            mac.update(canonical(payload).as_bytes());
            hex::encode(mac.finalize().into_bytes())
        }
        Err(_) => String::new(),
    }
}

impl ClickPesaSim {
    /// Builds the event (with its checksum when configured) and delivers it in the background.
    pub fn emit(&self, event: &str, data: Value) {
        let (url, key) = {
            let inner = self.lock();
            (
                inner.config.webhook_url.clone(),
                inner.config.checksum_key.clone(),
            )
        };
        let mut payload = json!({ "event": event, "data": data });
        if let (Some(key), Some(map)) = (key, payload.clone().as_object()) {
            let sum = checksum(&Value::Object(map.clone()), &key);
            if let Some(obj) = payload.as_object_mut() {
                obj.insert("checksum".into(), json!(sum));
                obj.insert("checksumMethod".into(), json!("canonical"));
            }
        }
        let Ok(body) = serde_json::to_vec(&payload) else {
            return;
        };
        let event = event.to_owned();
        let Some(url) = url else {
            self.lock().deliveries.push(Delivery {
                event,
                body,
                status: None,
            });
            return;
        };
        let sim = self.clone();
        tokio::spawn(async move {
            let status = reqwest::Client::new()
                .post(&url)
                .header("content-type", "application/json")
                .body(body.clone())
                .timeout(Duration::from_secs(30))
                .send()
                .await
                .ok()
                .map(|r| r.status().as_u16());
            tracing::debug!(%event, ?status, "clickpesa sim delivered a webhook");
            sim.lock().deliveries.push(Delivery {
                event,
                body,
                status,
            });
        });
    }
}
