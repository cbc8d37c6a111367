//! Kenyan mobile numbers, normalised to the `2547XXXXXXXX` / `2541XXXXXXXX` form M-Pesa wants.
//!
//! Accepted input: `07…`, `01…`, `7…`, `1…`, `+254…`, `254…` (also `+254 0…`), with spaces,
//! dashes, dots or brackets. Everything else is a [`PhoneError`] that says what was wrong.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A normalised Kenyan mobile number: 12 digits, `254` then `7` or `1` then 8 digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Phone(String);

/// Why a phone number was refused. Messages are for the cashier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("enter the customer's phone number")]
    Empty,
    #[error("{ch:?} is not allowed in a phone number; use digits only, e.g. 0712 345 678")]
    InvalidCharacter { ch: char },
    #[error(
        "the number has {digits} digits; a Kenyan mobile number is 07XX XXX XXX or 01XX XXX XXX"
    )]
    WrongLength { digits: usize },
    #[error("+{country} is not Kenya; M-Pesa here needs a Kenyan number (+254)")]
    NotKenyan { country: String },
    #[error("0{prefix}… is not a mobile number; Kenyan mobile numbers start with 07 or 01")]
    NotMobile { prefix: char },
}

impl Phone {
    /// Normalises a number typed by a cashier or given by a provider.
    pub fn parse(input: &str) -> Result<Phone, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        let mut digits = String::with_capacity(16);
        let mut plus = false;
        for (i, ch) in trimmed.chars().enumerate() {
            match ch {
                '0'..='9' => digits.push(ch),
                ' ' | '-' | '.' | '(' | ')' => {}
                '+' if i == 0 => plus = true,
                _ => return Err(PhoneError::InvalidCharacter { ch }),
            }
        }
        if digits.is_empty() {
            return Err(PhoneError::Empty);
        }
        let national = if let Some(rest) = digits.strip_prefix("254") {
            // "+254 0712…" is a common way of writing it; the 0 is the trunk prefix.
            rest.strip_prefix('0')
                .filter(|r| r.len() == 9)
                .unwrap_or(rest)
                .to_string()
        } else if plus {
            let country: String = digits.chars().take(3).collect();
            return Err(PhoneError::NotKenyan { country });
        } else if let Some(rest) = digits.strip_prefix('0') {
            if digits.len() != 10 {
                return Err(PhoneError::WrongLength {
                    digits: digits.len(),
                });
            }
            rest.to_string()
        } else if digits.len() == 12 && (digits.starts_with("255") || digits.starts_with("256")) {
            return Err(PhoneError::NotKenyan {
                country: digits[..3].to_string(),
            });
        } else {
            digits.clone()
        };
        if national.len() != 9 {
            return Err(PhoneError::WrongLength {
                digits: digits.len(),
            });
        }
        match national.chars().next() {
            Some('7') | Some('1') => Ok(Phone(format!("254{national}"))),
            Some(prefix) => Err(PhoneError::NotMobile { prefix }),
            None => Err(PhoneError::Empty),
        }
    }

    /// The `2547XXXXXXXX` form.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The local form a Kenyan reads: `0712 345 678`.
    pub fn local(&self) -> String {
        let n = &self.0[3..];
        format!("0{} {} {}", &n[..3], &n[3..6], &n[6..])
    }

    /// The form printed on receipts, hiding the middle digits: `0712***678`.
    pub fn masked(&self) -> String {
        let n = &self.0[3..];
        format!("0{}***{}", &n[..3], &n[6..])
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Phone {
    type Error = PhoneError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Phone::parse(&value)
    }
}

impl From<Phone> for String {
    fn from(p: Phone) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_every_common_kenyan_form() {
        for input in [
            "0712345678",
            "0712 345 678",
            "0712-345-678",
            "712345678",
            "+254712345678",
            "254712345678",
            "+254 712 345 678",
            "+254 (0) 712 345678",
            "254-712-345-678",
        ] {
            assert_eq!(
                Phone::parse(input).map(|p| p.0),
                Ok("254712345678".to_string()),
                "{input}"
            );
        }
        assert_eq!(
            Phone::parse("0110 123 456").unwrap().as_str(),
            "254110123456"
        );
        assert_eq!(Phone::parse("110123456").unwrap().as_str(), "254110123456");
    }

    #[test]
    fn refuses_with_a_typed_reason() {
        assert_eq!(Phone::parse(""), Err(PhoneError::Empty));
        assert_eq!(Phone::parse(" - "), Err(PhoneError::Empty));
        assert_eq!(
            Phone::parse("07123x5678"),
            Err(PhoneError::InvalidCharacter { ch: 'x' })
        );
        assert_eq!(
            Phone::parse("071234567"),
            Err(PhoneError::WrongLength { digits: 9 })
        );
        assert_eq!(
            Phone::parse("07123456789"),
            Err(PhoneError::WrongLength { digits: 11 })
        );
        assert_eq!(
            Phone::parse("2547123456"),
            Err(PhoneError::WrongLength { digits: 10 })
        );
        assert_eq!(
            Phone::parse("+255712345678"),
            Err(PhoneError::NotKenyan {
                country: "255".into()
            })
        );
        assert_eq!(
            Phone::parse("255712345678"),
            Err(PhoneError::NotKenyan {
                country: "255".into()
            })
        );
        assert_eq!(
            Phone::parse("0201234567"),
            Err(PhoneError::NotMobile { prefix: '2' })
        );
        assert_eq!(
            Phone::parse("07+12345678"),
            Err(PhoneError::InvalidCharacter { ch: '+' })
        );
    }

    #[test]
    fn shows_local_and_masked_forms() {
        let p = Phone::parse("254712345678").unwrap();
        assert_eq!(p.local(), "0712 345 678");
        assert_eq!(p.masked(), "0712***678");
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"254712345678\"");
        assert!(serde_json::from_str::<Phone>("\"12\"").is_err());
    }
}
