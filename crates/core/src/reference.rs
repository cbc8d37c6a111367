//! Account references as customers type them, normalised for matching.
//!
//! A customer paying a Paybill types the invoice or sale number as the account reference, and
//! types it however they like: `inv-000123`, `INV 000123`, `Inv000123`. Matching compares the
//! normalised form: ASCII letters upper-cased, and spaces, dashes, underscores, dots, slashes
//! and `#` removed.

/// Normalises an account reference for matching (see the module doc).
pub fn normalise_reference(input: &str) -> String {
    input
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '_' | '.' | '/' | '#' | '\t'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_spaces_and_dashes_do_not_matter() {
        assert_eq!(normalise_reference("inv-000123"), "INV000123");
        assert_eq!(normalise_reference(" INV 000 123 "), "INV000123");
        assert_eq!(normalise_reference("Inv_000123"), "INV000123");
        assert_eq!(normalise_reference("#T1-000045"), "T1000045");
        assert_ne!(
            normalise_reference("INV000124"),
            normalise_reference("INV-000123")
        );
    }
}
