//! Who is at the till: login/logout with a PIN, a manager's unlock for manager commands (ends
//! on lock, logout or 5 idle minutes), the user list, and the training users.
//!
//! The store keeps users with Argon2id-hashed PINs but has no list of them; the register
//! keeps the list (name, role, language — nothing secret) in the `users.roster` setting.

use malipo_core::Timestamp;
use malipo_store::{Role, Store, StoreError, User};
use serde::{Deserialize, Serialize};

use super::{Register, RegisterError};

/// The training users and their PINs (training mode only; documented in the README).
pub const TRAINING_USERS: &[(&str, Role, &str)] = &[
    ("Manager", Role::Manager, "1234"),
    ("Cashier", Role::Cashier, "0000"),
];

/// The setting holding the user list.
const ROSTER_SETTING: &str = "users.roster";

/// How long a manager's unlock lasts without use.
const UNLOCK_IDLE_MS: i64 = 5 * 60 * 1000;

/// A user as the register shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    pub name: String,
    pub role: Role,
    /// `en` or `sw`.
    pub language: String,
}

#[derive(Debug, Default)]
pub(crate) struct Session {
    user: Option<UserView>,
    /// The manager who unlocked, and until when.
    unlocked: Option<(String, Timestamp)>,
}

fn check_language(language: &str) -> Result<(), RegisterError> {
    if matches!(language, "en" | "sw") {
        Ok(())
    } else {
        Err(RegisterError::Invalid(
            "the language is English (en) or Kiswahili (sw)".into(),
        ))
    }
}

impl Register {
    fn session(&self) -> Result<std::sync::MutexGuard<'_, Session>, RegisterError> {
        self.session.lock().map_err(|_| RegisterError::Poisoned)
    }

    pub(crate) fn roster(store: &Store) -> Result<Vec<UserView>, RegisterError> {
        Ok(match store.setting_get(ROSTER_SETTING)? {
            Some(text) if !text.is_empty() => serde_json::from_str(&text)
                .map_err(|e| RegisterError::Invalid(format!("the user list is unreadable: {e}")))?,
            _ => Vec::new(),
        })
    }

    fn save_roster(
        &self,
        store: &mut Store,
        roster: &[UserView],
        actor: &str,
    ) -> Result<(), RegisterError> {
        let text = serde_json::to_string(roster)
            .map_err(|e| RegisterError::Invalid(format!("the user list cannot be saved: {e}")))?;
        store.setting_set(ROSTER_SETTING, &text, actor, self.now())?;
        Ok(())
    }

    fn view_of_user(store: &Store, user: &User) -> Result<UserView, RegisterError> {
        let language = Self::roster(store)?
            .into_iter()
            .find(|u| u.name.eq_ignore_ascii_case(&user.name))
            .map_or_else(|| "en".to_owned(), |u| u.language);
        Ok(UserView {
            name: user.name.clone(),
            role: user.role,
            language,
        })
    }

    /// Logs `name` in with `pin`.
    pub fn login(&self, name: &str, pin: &str) -> Result<UserView, RegisterError> {
        let view = {
            let store = self.store()?;
            let user = store
                .user_verify_pin(name, pin)?
                .ok_or(RegisterError::WrongPin)?;
            Self::view_of_user(&store, &user)?
        };
        let mut session = self.session()?;
        session.user = Some(view.clone());
        session.unlocked = None;
        tracing::info!(user = %view.name, "logged in");
        Ok(view)
    }

    /// Logs out whoever is logged in (and ends a manager unlock).
    pub fn logout(&self) -> Result<(), RegisterError> {
        let mut session = self.session()?;
        session.user = None;
        session.unlocked = None;
        Ok(())
    }

    /// Who is logged in.
    pub fn current_user(&self) -> Result<Option<UserView>, RegisterError> {
        Ok(self.session()?.user.clone())
    }

    /// The logged-in user's name, or `not_permitted`.
    pub fn require_user(&self) -> Result<String, RegisterError> {
        self.session()?
            .user
            .as_ref()
            .map(|u| u.name.clone())
            .ok_or_else(|| RegisterError::NotPermitted("log in first".into()))
    }

    /// Unlocks the manager commands with a manager's PIN.
    pub fn manager_unlock(&self, pin: &str) -> Result<UserView, RegisterError> {
        let found = {
            let store = self.store()?;
            let mut found = None;
            for u in Self::roster(&store)? {
                if let Some(user) = store.user_verify_pin(&u.name, pin)? {
                    found = Some(Self::view_of_user(&store, &user)?);
                    if user.role == Role::Manager {
                        break;
                    }
                }
            }
            found
        };
        let user = found.ok_or(RegisterError::WrongPin)?;
        if user.role != Role::Manager {
            return Err(RegisterError::NotPermitted(
                "that is a cashier's PIN; a manager must unlock".into(),
            ));
        }
        self.session()?.unlocked = Some((user.name.clone(), self.now().plus_ms(UNLOCK_IDLE_MS)));
        tracing::info!(manager = %user.name, "manager unlock");
        Ok(user)
    }

    /// Ends a manager unlock.
    pub fn manager_lock(&self) -> Result<(), RegisterError> {
        self.session()?.unlocked = None;
        Ok(())
    }

    /// The manager allowed to act now (logged in, or unlocked within the last 5 idle
    /// minutes — each use extends it), or `not_permitted`.
    pub fn require_manager(&self) -> Result<String, RegisterError> {
        let now = self.now();
        let mut session = self.session()?;
        if let Some(user) = session.user.as_ref().filter(|u| u.role == Role::Manager) {
            return Ok(user.name.clone());
        }
        match session.unlocked.clone() {
            Some((name, until)) if until.millis() > now.millis() => {
                session.unlocked = Some((name.clone(), now.plus_ms(UNLOCK_IDLE_MS)));
                Ok(name)
            }
            Some(_) => {
                session.unlocked = None;
                Err(RegisterError::NotPermitted(
                    "the manager unlock has expired; enter a manager PIN".into(),
                ))
            }
            None => Err(RegisterError::NotPermitted(
                "a manager must enter their PIN".into(),
            )),
        }
    }

    /// Every user of the till.
    pub fn users(&self) -> Result<Vec<UserView>, RegisterError> {
        Self::roster(&*self.store()?)
    }

    /// Adds a user (a PIN is required) or changes an existing user's language. Changing the
    /// role or PIN of an existing user is refused: the store cannot do it yet.
    pub fn user_save(
        &self,
        name: &str,
        role: Role,
        pin: Option<&str>,
        language: &str,
        actor: &str,
    ) -> Result<(), RegisterError> {
        check_language(language)?;
        let name = name.trim();
        let mut store = self.store()?;
        let mut roster = Self::roster(&store)?;
        if let Some(existing) = roster
            .iter_mut()
            .find(|u| u.name.eq_ignore_ascii_case(name))
        {
            if existing.role != role || pin.is_some() {
                return Err(RegisterError::Invalid(
                    "changing a user's role or PIN is not possible yet; add a new user".into(),
                ));
            }
            existing.language = language.to_owned();
        } else {
            let pin = pin.ok_or_else(|| RegisterError::Invalid("a new user needs a PIN".into()))?;
            let user = store
                .user_create(name, role, pin, actor, self.now())
                .map_err(|e| match e {
                    StoreError::Refused(why) => RegisterError::Invalid(why),
                    other => other.into(),
                })?;
            roster.push(UserView {
                name: user.name,
                role,
                language: language.to_owned(),
            });
        }
        self.save_roster(&mut store, &roster, actor)
    }

    /// Training mode: creates [`TRAINING_USERS`] when the till has no users yet.
    pub fn seed_training_users(&self) -> Result<(), RegisterError> {
        let mut store = self.store()?;
        let mut roster = Self::roster(&store)?;
        if !roster.is_empty() {
            return Ok(());
        }
        for (name, role, pin) in TRAINING_USERS {
            match store.user_create(name, *role, pin, "training", self.now()) {
                Ok(_) | Err(StoreError::Refused(_)) => {}
                Err(other) => return Err(other.into()),
            }
            roster.push(UserView {
                name: (*name).to_owned(),
                role: *role,
                language: "en".to_owned(),
            });
        }
        self.save_roster(&mut store, &roster, "training")?;
        tracing::info!("training users seeded");
        Ok(())
    }
}
