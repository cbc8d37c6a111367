//! The simulator's test cards, after Paystack's test-payments page (reference §7): what a
//! card does when charged and what happens when its charge is refunded.

/// What paying with a card does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CardBehaviour {
    /// Paid with no further step.
    Succeeds,
    /// Needs the PIN: the first try without it asks for a retry; the retry with the right
    /// PIN succeeds.
    NeedsPin(&'static str),
    /// Declined by the bank: the transaction fails with this gateway response.
    Declined(&'static str),
    /// Paid, but a refund of it fails.
    RefundFails,
    /// Paid, but a refund of it needs attention (customer bank details).
    RefundNeedsAttention,
}

/// Cards the simulator knows, digits only.
pub const CARDS: &[(&str, CardBehaviour, &str)] = &[
    (
        "4084084084084081",
        CardBehaviour::Succeeds,
        "success, no validation",
    ),
    (
        "5192602720584796",
        CardBehaviour::Succeeds,
        "bank authentication (succeeds)",
    ),
    (
        "507850785078507812",
        CardBehaviour::NeedsPin("1111"),
        "needs PIN 1111 (retry)",
    ),
    (
        "4084080000005408",
        CardBehaviour::Declined("Declined"),
        "declined",
    ),
    (
        "4084080000670037",
        CardBehaviour::Declined("Insufficient Funds"),
        "insufficient funds",
    ),
    (
        "4084080000671803",
        CardBehaviour::RefundFails,
        "paid; refund fails",
    ),
    (
        "4084080000671902",
        CardBehaviour::RefundNeedsAttention,
        "paid; refund needs attention",
    ),
];

/// The behaviour of a card number (spaces and dashes ignored). Unknown cards are declined.
pub fn behaviour(number: &str) -> CardBehaviour {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    CARDS
        .iter()
        .find(|(card, _, _)| *card == digits)
        .map(|(_, behaviour, _)| *behaviour)
        .unwrap_or(CardBehaviour::Declined("Invalid card number"))
}

/// The card's BIN (first six digits) and last four, for the `authorization` object.
pub fn bin_last4(number: &str) -> (String, String) {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let bin = digits.chars().take(6).collect();
    let last4 = digits
        .chars()
        .skip(digits.len().saturating_sub(4))
        .collect();
    (bin, last4)
}
