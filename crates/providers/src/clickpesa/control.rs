//! Control-number references and the offline (legacy) format.
//!
//! ClickPesa references are alphanumeric only (no `-` or `_`), and numeric ones are the safe
//! choice for USSD payers (reference §3, §9). The offline order number is the shop's 4-digit
//! BillPay-Namba followed by the order reference (`1122` + `231256` = `1122231256`), computed
//! with no network. ClickPesa now calls it legacy and enables it per merchant, so it is a
//! setting, off unless the shop says its account has it.

use super::error::ClickPesaError;

/// The longest reference ClickPesa documents (bulk items: "alphanumeric, max 20 chars").
pub const REFERENCE_CHARS_MAX: usize = 20;

/// A shop's BillPay settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillPaySettings {
    /// The merchant's 4-digit BillPay-Namba (Dashboard → Settings → Collection).
    pub billpay_namba: String,
    /// Whether ClickPesa enabled offline (concatenated) order numbers for this account.
    pub offline_numbers_enabled: bool,
}

/// Checks a reference ClickPesa will accept: 1–20 ASCII letters or digits.
pub fn check_reference(reference: &str) -> Result<(), ClickPesaError> {
    let ok = !reference.is_empty()
        && reference.len() <= REFERENCE_CHARS_MAX
        && reference.bytes().all(|b| b.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ClickPesaError::InvalidRequest(format!(
            "reference {:?} must be 1 to {REFERENCE_CHARS_MAX} letters or digits (no dashes or underscores)",
            reference.chars().take(40).collect::<String>()
        )))
    }
}

/// The offline order control number for `order_reference`, if the shop has the legacy
/// format enabled. The order reference must be digits (USSD payers type it).
pub fn offline_control_number(
    settings: &BillPaySettings,
    order_reference: &str,
) -> Result<String, ClickPesaError> {
    if !settings.offline_numbers_enabled {
        return Err(ClickPesaError::InvalidRequest(
            "offline control numbers are off: ClickPesa enables them per merchant; create the number through the API".into(),
        ));
    }
    let namba = settings.billpay_namba.trim();
    if namba.len() != 4 || !namba.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ClickPesaError::InvalidRequest(
            "the BillPay-Namba is the shop's 4-digit number".into(),
        ));
    }
    if order_reference.is_empty() || !order_reference.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ClickPesaError::InvalidRequest(
            "an offline order reference must be digits only".into(),
        ));
    }
    let number = format!("{namba}{order_reference}");
    check_reference(&number)?;
    Ok(number)
}
