//! The training shop's relay identity: its endpoint token, the till's device token and the
//! port the relay last listened on, created once and reused on every start.
//!
//! **Sandbox only.** In training these tokens guard nothing but a relay on 127.0.0.1 fed by
//! simulators, so they are kept in a plain JSON file under the data directory
//! (`training-relay.json`). A live till keeps its device token in the OS keyring and never
//! sees the endpoint token; nothing here applies to live mode.

use std::path::{Path, PathBuf};

use malipo_relay::admin::{create_device, create_shop};
use malipo_relay::{EventStore, TokenHash};
use serde::{Deserialize, Serialize};

use crate::error::TrainingError;

/// The identity file's name inside the data directory.
pub const IDENTITY_FILE: &str = "training-relay.json";

/// What is remembered between starts.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub shop_id: i64,
    pub endpoint_token: String,
    pub device_token: String,
    /// The relay's last port, tried first so URLs stay the same across restarts.
    pub relay_port: u16,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("shop_id", &self.shop_id)
            .field("relay_port", &self.relay_port)
            .finish_non_exhaustive()
    }
}

fn path(data_dir: &Path) -> PathBuf {
    data_dir.join(IDENTITY_FILE)
}

/// The stored identity, if there is a readable one.
pub fn load(data_dir: &Path) -> Result<Option<Identity>, TrainingError> {
    let path = path(data_dir);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| TrainingError::Identity {
                path,
                detail: e.to_string(),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(TrainingError::Identity {
            path,
            detail: e.to_string(),
        }),
    }
}

/// Writes the identity (to a temporary file, then renamed over the old one).
pub fn save(data_dir: &Path, identity: &Identity) -> Result<(), TrainingError> {
    let path = path(data_dir);
    let tmp = path.with_extension("json.tmp");
    let text = serde_json::to_string_pretty(identity).map_err(|e| TrainingError::Identity {
        path: path.clone(),
        detail: e.to_string(),
    })?;
    std::fs::write(&tmp, text)
        .and_then(|()| std::fs::rename(&tmp, &path))
        .map_err(|source| TrainingError::DataDir { path, source })
}

/// The remembered identity if the relay still knows both tokens; otherwise a new shop and
/// till registered now (under `public_base`, though URLs are recomputed on every start).
pub fn settle(
    store: &dyn EventStore,
    remembered: Option<Identity>,
    public_base: &str,
    now_ms: i64,
) -> Result<(Identity, bool), TrainingError> {
    if let Some(identity) = remembered {
        let shop = store.shop_by_endpoint(&TokenHash::of(&identity.endpoint_token))?;
        let device = store.device_by_token(&TokenHash::of(&identity.device_token))?;
        if matches!((shop, device), (Some(s), Some(d)) if s.0 == identity.shop_id && d.shop == s) {
            return Ok((identity, false));
        }
        tracing::warn!("the training relay no longer knows the saved tokens; registering anew");
    }
    let shop = create_shop(store, "Training shop", public_base, now_ms)?;
    let till = create_device(store, shop.id, "Training till", now_ms)?;
    Ok((
        Identity {
            shop_id: shop.id.0,
            endpoint_token: shop.endpoint_token.expose().to_owned(),
            device_token: till.token.expose().to_owned(),
            relay_port: 0,
        },
        true,
    ))
}
