//! Bringing the till up: where its data lives, which mode it runs in, opening the store and
//! seeding the demo catalogue. No Tauri types here, so all of it is tested without a window.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{SystemTime, UNIX_EPOCH};

use malipo_core::{Catalogue, CatalogueError, Timestamp};
use malipo_store::{Store, StoreError};

use crate::dto::ApiError;

/// Environment variable that overrides the data directory (tests, screenshots, demos).
pub const DATA_DIR_ENV: &str = "MALIPO_DATA_DIR";

/// The database's file name inside the data directory.
pub const DB_FILE_NAME: &str = "malipo.db";

/// The demo catalogue shipped with the app, seeded into an empty store.
pub const DEMO_CATALOGUE_JSON: &str = include_str!("../../assets/catalogue.json");

/// The key of the `mode` setting in the store.
pub const MODE_SETTING: &str = "mode";

/// Who the startup code is in the audit log when it writes a setting.
const SYSTEM_ACTOR: &str = "system";

/// How the till handles money. Training (the sandbox) is the default and, for now, the only
/// mode: providers are the simulators and no real money moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Practice mode against the simulators; the UI shows a banner that cannot be missed.
    #[default]
    Training,
}

impl Mode {
    /// The value of the `mode` setting, as the UI receives it.
    pub const fn code(self) -> &'static str {
        match self {
            Mode::Training => "training",
        }
    }

    /// Reads a `mode` setting back; `None` for a mode this build does not know.
    pub fn from_code(code: &str) -> Option<Mode> {
        match code {
            "training" => Some(Mode::Training),
            _ => None,
        }
    }
}

/// Why the till could not start. Shown once, at startup, and logged.
#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("could not find a directory for Malipo's data: {0}")]
    NoDataDir(String),
    #[error("could not create the data directory {path}: {source}")]
    CreateDataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not open the database {path}: {source}")]
    Store { path: PathBuf, source: StoreError },
    #[error("the database asks for mode {0:?}, which this version of Malipo cannot run")]
    UnsupportedMode(String),
    #[error("could not read or write the mode setting: {0}")]
    ModeSetting(StoreError),
    #[error("the demo catalogue is not valid: {0}")]
    DemoCatalogue(#[from] CatalogueError),
    #[error("could not seed the demo catalogue: {0}")]
    Seed(StoreError),
    #[error("could not start the till's backend: {0}")]
    Backend(String),
}

/// The data directory: `$MALIPO_DATA_DIR` when set and non-empty, otherwise the platform's
/// application data directory (asked for lazily, so the override works without it).
pub fn resolve_data_dir<E: std::fmt::Display>(
    env_override: Option<OsString>,
    app_data_dir: impl FnOnce() -> Result<PathBuf, E>,
) -> Result<PathBuf, StartupError> {
    match env_override {
        Some(dir) if !dir.is_empty() => Ok(PathBuf::from(dir)),
        _ => app_data_dir().map_err(|e| StartupError::NoDataDir(e.to_string())),
    }
}

/// The wall clock in milliseconds since the epoch, read here at the edge.
pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0);
    Timestamp(millis)
}

/// The running till, held in Tauri's state. The store is not `Sync`, so it sits behind a
/// mutex (shared with the engine, the register and the sync client); every user holds the
/// lock only for the duration of one store step.
#[derive(Debug)]
pub struct Till {
    store: Arc<Mutex<Store>>,
    mode: Mode,
    db_path: PathBuf,
}

impl Till {
    /// Opens (creating if needed) the database in `data_dir`, settles the mode (the stored
    /// `mode` setting, or training on a new database) and seeds the demo catalogue into an
    /// empty store.
    pub fn open(data_dir: &Path, now: Timestamp) -> Result<Till, StartupError> {
        std::fs::create_dir_all(data_dir).map_err(|source| StartupError::CreateDataDir {
            path: data_dir.to_path_buf(),
            source,
        })?;
        let db_path = data_dir.join(DB_FILE_NAME);
        let mut store = Store::open(&db_path).map_err(|source| StartupError::Store {
            path: db_path.clone(),
            source,
        })?;
        let mode = settle_mode(&mut store, now)?;
        seed_demo_catalogue(&mut store, now)?;
        tracing::info!(db = %db_path.display(), mode = mode.code(), "till opened");
        Ok(Till {
            store: Arc::new(Mutex::new(store)),
            mode,
            db_path,
        })
    }

    /// The mode the till runs in.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The store as the engine, the register and the sync client share it.
    pub fn shared(&self) -> Arc<Mutex<Store>> {
        self.store.clone()
    }

    /// Where the database file is.
    pub fn db_path(&self) -> &Path {
        &self.db_path
    }

    /// The store, locked. A poisoned lock (a panic while it was held) is reported, not
    /// unwrapped: the UI gets an error and the log says why.
    pub fn store(&self) -> Result<MutexGuard<'_, Store>, ApiError> {
        self.store.lock().map_err(|_| {
            tracing::error!("the store's lock is poisoned: a command panicked while holding it");
            ApiError::new(
                "internal",
                "The till hit an internal error. Restart Malipo.",
            )
        })
    }
}

/// The stored mode; a new database gets the default (training) written down.
fn settle_mode(store: &mut Store, now: Timestamp) -> Result<Mode, StartupError> {
    match store
        .setting_get(MODE_SETTING)
        .map_err(StartupError::ModeSetting)?
    {
        Some(code) => Mode::from_code(&code).ok_or(StartupError::UnsupportedMode(code)),
        None => {
            let mode = Mode::default();
            store
                .setting_set(MODE_SETTING, mode.code(), SYSTEM_ACTOR, now)
                .map_err(StartupError::ModeSetting)?;
            Ok(mode)
        }
    }
}

/// Puts the demo catalogue into the store when the store has no items yet. An existing
/// catalogue is left alone: the shop's own items are never overwritten by the demo.
fn seed_demo_catalogue(store: &mut Store, now: Timestamp) -> Result<(), StartupError> {
    let existing = store.catalogue_list().map_err(StartupError::Seed)?;
    if !existing.is_empty() {
        tracing::debug!(
            items = existing.len(),
            "catalogue present; not seeding the demo"
        );
        return Ok(());
    }
    let catalogue = Catalogue::from_json(DEMO_CATALOGUE_JSON)?;
    store
        .catalogue_replace(&catalogue, now)
        .map_err(StartupError::Seed)?;
    tracing::info!(items = catalogue.items.len(), "seeded the demo catalogue");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_override_wins_and_the_platform_dir_is_not_asked() {
        let dir = resolve_data_dir(
            Some(OsString::from("/tmp/malipo-x")),
            || -> Result<PathBuf, String> {
                panic!("the platform directory must not be resolved when overridden")
            },
        )
        .unwrap();
        assert_eq!(dir, PathBuf::from("/tmp/malipo-x"));
    }

    #[test]
    fn empty_or_missing_override_falls_back_to_the_platform_dir() {
        for env in [None, Some(OsString::new())] {
            let dir =
                resolve_data_dir(env, || Ok::<_, String>(PathBuf::from("/data/app"))).unwrap();
            assert_eq!(dir, PathBuf::from("/data/app"));
        }
        let err = resolve_data_dir(None, || Err::<PathBuf, _>("no home")).unwrap_err();
        assert!(matches!(err, StartupError::NoDataDir(ref m) if m == "no home"));
    }

    #[test]
    fn opening_creates_the_database_and_seeds_the_demo_catalogue_once() {
        let tmp = tempfile::tempdir().unwrap();
        let data_dir = tmp.path().join("nested").join("data");
        let demo = Catalogue::from_json(DEMO_CATALOGUE_JSON).unwrap();

        let till = Till::open(&data_dir, Timestamp(1_700_000_000_000)).unwrap();
        assert_eq!(till.mode(), Mode::Training);
        assert_eq!(
            till.store()
                .unwrap()
                .setting_get(MODE_SETTING)
                .unwrap()
                .as_deref(),
            Some("training")
        );
        assert_eq!(till.db_path(), data_dir.join(DB_FILE_NAME));
        assert!(till.db_path().exists());
        let mut listed = till.store().unwrap().catalogue_list().unwrap();
        let mut expected = demo.items.clone();
        listed.sort_by(|a, b| a.sku.cmp(&b.sku));
        expected.sort_by(|a, b| a.sku.cmp(&b.sku));
        assert_eq!(listed, expected);
        drop(till);

        // Reopening finds the catalogue and neither duplicates nor replaces it.
        let till = Till::open(&data_dir, Timestamp(1_700_000_100_000)).unwrap();
        assert_eq!(
            till.store().unwrap().catalogue_list().unwrap().len(),
            demo.items.len()
        );
    }

    #[test]
    fn a_mode_this_build_cannot_run_is_refused_at_startup() {
        let tmp = tempfile::tempdir().unwrap();
        {
            let mut store = Store::open(&tmp.path().join(DB_FILE_NAME)).unwrap();
            store
                .setting_set(MODE_SETTING, "live", "test", Timestamp(1))
                .unwrap();
        }
        let err = Till::open(tmp.path(), Timestamp(2)).unwrap_err();
        assert!(
            matches!(err, StartupError::UnsupportedMode(ref m) if m == "live"),
            "{err}"
        );
    }

    #[test]
    fn the_clock_reads_a_plausible_time() {
        // After 2020-01-01 and before 2100-01-01.
        let t = now().millis();
        assert!(t > 1_577_836_800_000 && t < 4_102_444_800_000, "{t}");
    }
}
