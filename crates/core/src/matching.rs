//! Which sale or invoice a confirmation settles (DESIGN.md "Matching"), as a pure function of
//! facts the store looked up.
//!
//! Precedence, first rule that applies wins:
//! 1. the attempt the till raised (CheckoutRequestID, QR RefNo, Paystack reference);
//! 2. the account reference the customer typed, normalised, against open sale/invoice numbers;
//! 3. for Till (Buy Goods) payments, which carry no reference: the sales waiting for a till
//!    payment of exactly this amount within the window — exactly one candidate matches;
//! 4. otherwise unmatched, with the reason.

use serde::{Deserialize, Serialize};

use crate::tender::PaymentMethod;

/// A sale or an invoice, by database id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum TargetRef {
    Sale(i64),
    Invoice(i64),
}

impl TargetRef {
    /// `"sale"` or `"invoice"`.
    pub const fn kind(self) -> &'static str {
        match self {
            TargetRef::Sale(_) => "sale",
            TargetRef::Invoice(_) => "invoice",
        }
    }

    /// The database id.
    pub const fn id(self) -> i64 {
        match self {
            TargetRef::Sale(id) | TargetRef::Invoice(id) => id,
        }
    }

    /// Builds from [`TargetRef::kind`] and an id.
    pub fn from_parts(kind: &str, id: i64) -> Option<TargetRef> {
        match kind {
            "sale" => Some(TargetRef::Sale(id)),
            "invoice" => Some(TargetRef::Invoice(id)),
            _ => None,
        }
    }
}

/// A candidate target and whether it still accepts money (not void, not a draft).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub target: TargetRef,
    pub accepts_money: bool,
}

/// How a confirmation found its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchedBy {
    Attempt,
    AccountReference,
    TillAmount,
    /// A clerk attached an unmatched receipt or claimed an incoming payment.
    Clerk,
}

impl MatchedBy {
    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            MatchedBy::Attempt => "attempt",
            MatchedBy::AccountReference => "account_reference",
            MatchedBy::TillAmount => "till_amount",
            MatchedBy::Clerk => "clerk",
        }
    }
}

/// Why money is waiting in unmatched receipts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedReason {
    /// The confirmation names no attempt and no reference.
    NoReference,
    /// The account reference matches no open sale or invoice.
    UnknownReference,
    /// The reference matches more than one sale or invoice.
    AmbiguousReference,
    /// Its sale or invoice was voided (e.g. a late payment after the cashier cancelled).
    TargetClosed,
    /// A till payment no waiting sale expects.
    NoTillCandidate,
    /// A till payment that several waiting sales could be: the cashier claims it.
    SeveralTillCandidates,
    /// The target is already paid: the money is extra.
    AlreadyPaid,
    /// More than the balance, in a mode that takes no over-payment.
    OverPayment,
    /// Not exactly the balance, for an invoice that accepts only exact payments.
    AmountMismatch,
}

impl UnmatchedReason {
    /// Every reason.
    pub const ALL: [UnmatchedReason; 9] = [
        UnmatchedReason::NoReference,
        UnmatchedReason::UnknownReference,
        UnmatchedReason::AmbiguousReference,
        UnmatchedReason::TargetClosed,
        UnmatchedReason::NoTillCandidate,
        UnmatchedReason::SeveralTillCandidates,
        UnmatchedReason::AlreadyPaid,
        UnmatchedReason::OverPayment,
        UnmatchedReason::AmountMismatch,
    ];

    /// Database code.
    pub const fn code(self) -> &'static str {
        match self {
            UnmatchedReason::NoReference => "no_reference",
            UnmatchedReason::UnknownReference => "unknown_reference",
            UnmatchedReason::AmbiguousReference => "ambiguous_reference",
            UnmatchedReason::TargetClosed => "target_closed",
            UnmatchedReason::NoTillCandidate => "no_till_candidate",
            UnmatchedReason::SeveralTillCandidates => "several_till_candidates",
            UnmatchedReason::AlreadyPaid => "already_paid",
            UnmatchedReason::OverPayment => "over_payment",
            UnmatchedReason::AmountMismatch => "amount_mismatch",
        }
    }

    /// Reads [`UnmatchedReason::code`] back.
    pub fn from_code(code: &str) -> Option<UnmatchedReason> {
        UnmatchedReason::ALL.into_iter().find(|r| r.code() == code)
    }

    /// What a manager reads in the unmatched-receipts list.
    pub const fn explain(self) -> &'static str {
        match self {
            UnmatchedReason::NoReference => {
                "The payment came with no reference to a sale or invoice."
            }
            UnmatchedReason::UnknownReference => {
                "The account number the customer typed matches no open sale or invoice."
            }
            UnmatchedReason::AmbiguousReference => {
                "The account number matches more than one sale or invoice."
            }
            UnmatchedReason::TargetClosed => {
                "The sale or invoice was cancelled before the money arrived."
            }
            UnmatchedReason::NoTillCandidate => {
                "No sale was waiting for a till payment of this amount."
            }
            UnmatchedReason::SeveralTillCandidates => {
                "Several sales were waiting for this amount; a cashier must choose."
            }
            UnmatchedReason::AlreadyPaid => "The sale or invoice was already paid.",
            UnmatchedReason::OverPayment => "The customer paid more than the balance due.",
            UnmatchedReason::AmountMismatch => {
                "The invoice accepts only the exact balance, and this amount differs."
            }
        }
    }
}

/// What the store found about a confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchFacts<'a> {
    pub method: PaymentMethod,
    /// The target of the attempt named by the confirmation, if it names a known one.
    pub attempt_target: Option<Candidate>,
    /// Whether the confirmation carries a non-empty account reference.
    pub has_reference: bool,
    /// Sales and invoices whose normalised number equals the normalised reference.
    pub reference_hits: &'a [Candidate],
    /// Open sales waiting for a till payment of exactly this amount, within the window.
    pub till_candidates: &'a [TargetRef],
}

/// The outcome of matching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchDecision {
    Target { target: TargetRef, by: MatchedBy },
    Unmatched { reason: UnmatchedReason },
}

/// Decides the target of a confirmation (see the module doc for precedence).
pub fn decide(facts: &MatchFacts<'_>) -> MatchDecision {
    use MatchDecision::{Target, Unmatched};
    if let Some(c) = facts.attempt_target {
        return if c.accepts_money {
            Target {
                target: c.target,
                by: MatchedBy::Attempt,
            }
        } else {
            Unmatched {
                reason: UnmatchedReason::TargetClosed,
            }
        };
    }
    if facts.has_reference {
        return match facts.reference_hits {
            [] => {
                if facts.method == PaymentMethod::MpesaTill {
                    till(facts.till_candidates)
                } else {
                    Unmatched {
                        reason: UnmatchedReason::UnknownReference,
                    }
                }
            }
            [one] if one.accepts_money => Target {
                target: one.target,
                by: MatchedBy::AccountReference,
            },
            [_] => Unmatched {
                reason: UnmatchedReason::TargetClosed,
            },
            many => {
                let open: Vec<&Candidate> = many.iter().filter(|c| c.accepts_money).collect();
                match open.as_slice() {
                    [one] => Target {
                        target: one.target,
                        by: MatchedBy::AccountReference,
                    },
                    [] => Unmatched {
                        reason: UnmatchedReason::TargetClosed,
                    },
                    _ => Unmatched {
                        reason: UnmatchedReason::AmbiguousReference,
                    },
                }
            }
        };
    }
    if facts.method == PaymentMethod::MpesaTill {
        return till(facts.till_candidates);
    }
    Unmatched {
        reason: UnmatchedReason::NoReference,
    }
}

fn till(candidates: &[TargetRef]) -> MatchDecision {
    match candidates {
        [one] => MatchDecision::Target {
            target: *one,
            by: MatchedBy::TillAmount,
        },
        [] => MatchDecision::Unmatched {
            reason: UnmatchedReason::NoTillCandidate,
        },
        _ => MatchDecision::Unmatched {
            reason: UnmatchedReason::SeveralTillCandidates,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S1: TargetRef = TargetRef::Sale(1);
    const S2: TargetRef = TargetRef::Sale(2);
    const I1: TargetRef = TargetRef::Invoice(1);

    fn open(t: TargetRef) -> Candidate {
        Candidate {
            target: t,
            accepts_money: true,
        }
    }
    fn closed(t: TargetRef) -> Candidate {
        Candidate {
            target: t,
            accepts_money: false,
        }
    }
    fn facts<'a>(
        method: PaymentMethod,
        refs: &'a [Candidate],
        till: &'a [TargetRef],
    ) -> MatchFacts<'a> {
        MatchFacts {
            method,
            attempt_target: None,
            has_reference: !refs.is_empty(),
            reference_hits: refs,
            till_candidates: till,
        }
    }

    #[test]
    fn attempt_wins_over_everything() {
        let mut f = facts(PaymentMethod::MpesaStk, &[], &[]);
        f.attempt_target = Some(open(S1));
        f.has_reference = true;
        assert_eq!(
            decide(&f),
            MatchDecision::Target {
                target: S1,
                by: MatchedBy::Attempt
            }
        );
        f.attempt_target = Some(closed(S1));
        assert_eq!(
            decide(&f),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::TargetClosed
            }
        );
    }

    #[test]
    fn paybill_matches_by_reference() {
        let hits = [open(I1)];
        let f = facts(PaymentMethod::MpesaPaybill, &hits, &[]);
        assert_eq!(
            decide(&f),
            MatchDecision::Target {
                target: I1,
                by: MatchedBy::AccountReference
            }
        );
        let mut f = facts(PaymentMethod::MpesaPaybill, &[], &[]);
        f.has_reference = true;
        assert_eq!(
            decide(&f),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::UnknownReference
            }
        );
        let hits = [closed(S1)];
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaPaybill, &hits, &[])),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::TargetClosed
            }
        );
        let hits = [open(S1), open(I1)];
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaPaybill, &hits, &[])),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::AmbiguousReference
            }
        );
        let hits = [closed(S1), open(I1)];
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaPaybill, &hits, &[])),
            MatchDecision::Target {
                target: I1,
                by: MatchedBy::AccountReference
            }
        );
    }

    #[test]
    fn till_needs_exactly_one_waiting_sale() {
        let one = [S1];
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaTill, &[], &one)),
            MatchDecision::Target {
                target: S1,
                by: MatchedBy::TillAmount
            }
        );
        let two = [S1, S2];
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaTill, &[], &two)),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::SeveralTillCandidates
            }
        );
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaTill, &[], &[])),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::NoTillCandidate
            }
        );
        assert_eq!(
            decide(&facts(PaymentMethod::MpesaPaybill, &[], &one)),
            MatchDecision::Unmatched {
                reason: UnmatchedReason::NoReference
            },
            "till candidates never match a paybill payment"
        );
    }

    #[test]
    fn reasons_round_trip() {
        for r in UnmatchedReason::ALL {
            assert_eq!(UnmatchedReason::from_code(r.code()), Some(r));
            assert!(!r.explain().is_empty());
        }
        assert_eq!(
            TargetRef::from_parts("invoice", 4),
            Some(TargetRef::Invoice(4))
        );
        assert_eq!(TargetRef::from_parts("x", 4), None);
    }
}
