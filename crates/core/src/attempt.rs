//! Payment attempts as an explicit state machine.
//!
//! ```text
//!            ┌────────► succeeded
//!  pending ──┼────────► failed ─────┐
//!            ├────────► cancelled ──┤ late success: the provider's money
//!            ├────────► timed_out ──┼──► succeeded   confirmation wins over what the
//!            └────────► expired ────┘               till believed
//! ```
//!
//! Every other change is an [`IllegalTransition`]: a succeeded attempt never fails later, and
//! nothing returns to pending. Moving to the state an attempt is already in is reported as
//! [`TransitionKind::Unchanged`] (providers repeat themselves), never as an overwrite.

use serde::{Deserialize, Serialize};

/// Where an attempt stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttemptState {
    /// Sent to the provider; waiting for the customer.
    Pending,
    /// The provider confirmed the money.
    Succeeded,
    /// The provider said no (insufficient funds, wrong PIN, …).
    Failed,
    /// The customer cancelled on their phone or in the popup.
    Cancelled,
    /// No answer within the wait (customer unreachable, or the till stopped waiting).
    TimedOut,
    /// The request itself lapsed (a QR or link past its validity).
    Expired,
}

impl AttemptState {
    /// Every state.
    pub const ALL: [AttemptState; 6] = [
        AttemptState::Pending,
        AttemptState::Succeeded,
        AttemptState::Failed,
        AttemptState::Cancelled,
        AttemptState::TimedOut,
        AttemptState::Expired,
    ];

    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            AttemptState::Pending => "pending",
            AttemptState::Succeeded => "succeeded",
            AttemptState::Failed => "failed",
            AttemptState::Cancelled => "cancelled",
            AttemptState::TimedOut => "timed_out",
            AttemptState::Expired => "expired",
        }
    }

    /// Reads [`AttemptState::code`] back.
    pub fn from_code(code: &str) -> Option<AttemptState> {
        AttemptState::ALL.into_iter().find(|s| s.code() == code)
    }

    /// True for every state but `Pending`.
    pub const fn is_terminal(self) -> bool {
        !matches!(self, AttemptState::Pending)
    }
}

/// What a legal transition does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransitionKind {
    /// The state changes.
    Changed,
    /// Already in that state: nothing to write.
    Unchanged,
    /// A confirmation of money after the till had given up: becomes succeeded, flagged late.
    LateSuccess,
}

/// A transition the state machine forbids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a payment attempt cannot go from {} to {}", from.code(), to.code())]
pub struct IllegalTransition {
    pub from: AttemptState,
    pub to: AttemptState,
}

/// Checks `from → to` (see the module doc for the rules).
pub fn check_transition(
    from: AttemptState,
    to: AttemptState,
) -> Result<TransitionKind, IllegalTransition> {
    use AttemptState::*;
    match (from, to) {
        (a, b) if a == b => Ok(TransitionKind::Unchanged),
        (Pending, Succeeded | Failed | Cancelled | TimedOut | Expired) => {
            Ok(TransitionKind::Changed)
        }
        (Failed | Cancelled | TimedOut | Expired, Succeeded) => Ok(TransitionKind::LateSuccess),
        (_, _) => Err(IllegalTransition { from, to }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AttemptState::*;

    #[test]
    fn every_pair_is_decided_by_the_rules() {
        for from in AttemptState::ALL {
            for to in AttemptState::ALL {
                let got = check_transition(from, to);
                let expected = if from == to {
                    Ok(TransitionKind::Unchanged)
                } else if from == Pending && to != Pending {
                    Ok(TransitionKind::Changed)
                } else if from.is_terminal() && from != Succeeded && to == Succeeded {
                    Ok(TransitionKind::LateSuccess)
                } else {
                    Err(IllegalTransition { from, to })
                };
                assert_eq!(got, expected, "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn illegal_transitions_are_errors_with_words() {
        let e = check_transition(Succeeded, Failed).unwrap_err();
        assert_eq!(
            e.to_string(),
            "a payment attempt cannot go from succeeded to failed"
        );
        assert!(check_transition(TimedOut, Pending).is_err());
        assert!(check_transition(Cancelled, Failed).is_err());
        assert_eq!(
            check_transition(TimedOut, Succeeded),
            Ok(TransitionKind::LateSuccess)
        );
    }
}
