//! Recipients as they may appear in logs: phone numbers and email addresses with their
//! middle hidden (`+254712***678`, `a***@example.com`). The outbox table keeps them whole (it
//! must send to them); logs never do.

/// `+254712345678` → `+254712***678`; short numbers keep only their last two digits.
pub fn phone(number: &str) -> String {
    let chars: Vec<char> = number.chars().collect();
    let n = chars.len();
    if n >= 10 {
        let head: String = chars[..n - 6].iter().collect();
        let tail: String = chars[n - 3..].iter().collect();
        format!("{head}***{tail}")
    } else {
        let tail: String = chars[n.saturating_sub(2)..].iter().collect();
        format!("***{tail}")
    }
}

/// `wanjiru@example.com` → `w***@example.com`.
pub fn email(address: &str) -> String {
    match address.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => "***".into(),
    }
}

/// A recipient of either kind, masked.
pub fn recipient(recipient: &str) -> String {
    if recipient.contains('@') {
        email(recipient)
    } else {
        phone(recipient)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_and_addresses_are_masked() {
        assert_eq!(super::phone("+254712345678"), "+254712***678");
        assert_eq!(super::phone("255712345678"), "255712***678");
        assert_eq!(super::phone("12345"), "***45");
        assert_eq!(super::email("wanjiru@example.com"), "w***@example.com");
        assert_eq!(super::recipient("nobody"), "***dy");
    }
}
