//! The printer's character set: text is reduced to what code page 437 can show (accented
//! Latin letters kept, typographic punctuation and other letters transliterated to ASCII) and
//! encoded one byte per character. Raw UTF-8 never reaches the printer.

/// Code page 437 (the ESC/POS default, `ESC t 0`), bytes 0x80..=0xFF.
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

/// The `ESC t n` number of the code page Malipo prints in (PC437, USA/Standard Europe).
pub const ESC_T_PC437: u8 = 0;

/// The byte for `c` in code page 437, if it has one. Control characters have none.
pub fn encode_char(c: char) -> Option<u8> {
    if (' '..='~').contains(&c) {
        return u8::try_from(u32::from(c)).ok();
    }
    CP437_HIGH
        .iter()
        .position(|&h| h == c)
        .and_then(|i| u8::try_from(i + 0x80).ok())
}

/// The character for a byte of code page 437 (printable bytes only).
pub fn decode_byte(b: u8) -> Option<char> {
    match b {
        0x20..=0x7E => Some(char::from(b)),
        0x80..=0xFF => CP437_HIGH.get(usize::from(b - 0x80)).copied(),
        _ => None,
    }
}

/// An ASCII stand-in for a character code page 437 lacks (`–` → `-`, `’` → `'`, `ō` → `o`).
fn transliterate(c: char) -> &'static str {
    match c {
        '\u{2010}'..='\u{2015}' | '\u{2212}' => "-",
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{2032}' | '`' | '´' => "'",
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{2033}' => "\"",
        '\u{2026}' => "...",
        '\u{2022}' => "*",
        '\u{20AC}' => "EUR",
        '\u{2122}' => "TM",
        '©' => "(C)",
        '®' => "(R)",
        '×' => "x",
        '\t' | '\u{a0}' | '\u{2000}'..='\u{200A}' | '\u{202F}' => " ",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ā' | 'Ă' | 'Ą' => "A",
        'ã' | 'ā' | 'ă' | 'ą' => "a",
        'Ć' | 'Ĉ' | 'Č' => "C",
        'ć' | 'ĉ' | 'č' => "c",
        'Ď' | 'Đ' => "D",
        'ď' | 'đ' => "d",
        'È' | 'Ê' | 'Ë' | 'Ē' | 'Ė' | 'Ę' | 'Ě' => "E",
        'ē' | 'ė' | 'ę' | 'ě' => "e",
        'Ğ' | 'Ģ' => "G",
        'ğ' | 'ģ' => "g",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'Ī' | 'Į' | 'İ' => "I",
        'ī' | 'į' | 'ı' => "i",
        'Ł' => "L",
        'ł' => "l",
        'Ń' | 'Ň' | 'Ņ' => "N",
        'ń' | 'ň' | 'ņ' | 'ŋ' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ø' | 'Ō' | 'Ő' => "O",
        'õ' | 'ø' | 'ō' | 'ő' => "o",
        'Œ' => "OE",
        'œ' => "oe",
        'Ř' => "R",
        'ř' => "r",
        'Ś' | 'Š' | 'Ş' => "S",
        'ś' | 'š' | 'ş' => "s",
        'Ť' | 'Ţ' => "T",
        'ť' | 'ţ' => "t",
        'Ù' | 'Ú' | 'Û' | 'Ū' | 'Ů' | 'Ű' | 'Ų' => "U",
        'ū' | 'ů' | 'ű' | 'ų' => "u",
        'Ý' | 'Ÿ' => "Y",
        'ý' => "y",
        'Ź' | 'Ż' | 'Ž' => "Z",
        'ź' | 'ż' | 'ž' => "z",
        'Þ' => "Th",
        'þ' => "th",
        'ð' => "d",
        _ => "?",
    }
}

/// `text` reduced to characters code page 437 can print: kept where it has them,
/// transliterated where it does not, `?` for anything else. Line breaks become spaces.
pub fn printable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '\n' || c == '\r' {
            out.push(' ');
        } else if encode_char(c).is_some() {
            out.push(c);
        } else {
            out.push_str(transliterate(c));
        }
    }
    out
}

/// Encodes text that went through [`printable`] into code page 437 bytes; anything left
/// unencodable becomes `?`.
pub fn encode(text: &str, out: &mut Vec<u8>) {
    for c in text.chars() {
        match encode_char(c) {
            Some(b) => out.push(b),
            None => out.extend(transliterate(c).bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_what_cp437_has_and_transliterates_the_rest() {
        assert_eq!(printable("Café – Mama’s “best”"), "Café - Mama's \"best\"");
        assert_eq!(printable("Wanjirū Ōmondi"), "Wanjiru Omondi");
        assert_eq!(printable("€5 ✓"), "EUR5 ?");
        let mut bytes = Vec::new();
        encode(&printable("Café–ñ"), &mut bytes);
        assert_eq!(bytes, b"Caf\x82-\xa4");
        assert!(bytes.iter().all(|b| decode_byte(*b).is_some()));
        assert_eq!(decode_byte(0x82), Some('é'));
        assert_eq!(decode_byte(0x0A), None);
    }
}
