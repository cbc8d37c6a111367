//! Reading Rust and `Cargo.toml` just enough for the tidy rules: identifiers, crate paths,
//! dependency keys, and Rust code with its comments and literals blanked out.
//!
//! Deliberately small and dependency-free; the self tests in `self_test.rs` pin down the
//! cases it must get right (raw strings, nested comments, lifetimes versus characters).

/// Whether `name` is `pattern`, or starts with it when `pattern` ends in `_` or `-`.
pub(crate) fn name_matches(name: &str, pattern: &str) -> bool {
    if pattern.ends_with(['_', '-']) {
        name.starts_with(pattern)
    } else {
        name == pattern
    }
}

/// An identifier-like run of letters, digits and `_` in a line, with its byte range.
#[derive(Debug)]
pub(crate) struct Word<'a> {
    pub(crate) text: &'a str,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

pub(crate) fn words(line: &str) -> Vec<Word<'_>> {
    let mut found = Vec::new();
    let mut start = None;
    for (at, c) in line.char_indices().chain([(line.len(), ' ')]) {
        match (start, is_ident_char(c)) {
            (None, true) => start = Some(at),
            (Some(from), false) => {
                found.push(Word {
                    text: &line[from..at],
                    start: from,
                    end: at,
                });
                start = None;
            }
            (None, false) | (Some(_), true) => {}
        }
    }
    found
}

/// Names used as crate paths in a line of code: followed by `::`, or after `use` or `crate`.
pub(crate) fn crate_paths(line: &str) -> Vec<String> {
    let words = words(line);
    let mut found = Vec::new();
    for (index, word) in words.iter().enumerate() {
        let before = line[..word.start].trim_end();
        let after_path_sep = before.ends_with("::");
        let followed_by_path = line[word.end..].trim_start().starts_with("::");
        let after_keyword = index > 0
            && matches!(words[index - 1].text, "use" | "crate")
            && line[words[index - 1].end..word.start].trim().is_empty();
        let leading = !after_path_sep || before.trim_end_matches("::").trim_end().is_empty();
        if (followed_by_path && leading) || after_keyword {
            found.push(word.text.to_owned());
        }
    }
    found
}

/// The dependencies a `Cargo.toml` declares, with their lines: keys of every table whose name
/// contains `dependencies`, tables such as `[dependencies.name]`, and `package = "name"` renames.
pub(crate) fn manifest_dependencies(contents: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    let mut in_dependencies = false;
    for (index, raw) in contents.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if let Some(table) = line.strip_prefix('[') {
            let table = table.trim_end_matches(']').trim();
            in_dependencies = table.contains("dependencies");
            if let Some((_, name)) = table.rsplit_once("dependencies.") {
                found.push((index + 1, name.trim_matches('"').to_owned()));
            }
            continue;
        }
        if !in_dependencies || line.is_empty() {
            continue;
        }
        let key = line
            .split(['=', '.'])
            .next()
            .unwrap_or("")
            .trim()
            .trim_matches('"');
        found.push((index + 1, key.to_owned()));
        if let Some(rest) = line
            .split("package")
            .nth(1)
            .filter(|r| r.trim_start().starts_with('='))
        {
            if let Some(name) = rest.split('"').nth(1) {
                found.push((index + 1, name.to_owned()));
            }
        }
    }
    found
}

/// The code of a Rust file with comments and the insides of string and character literals
/// replaced by spaces. Newlines are kept, so line numbers still match the file.
pub(crate) fn code_only(source: &str) -> String {
    let chars: Vec<char> = source.chars().collect();
    let mut out = String::with_capacity(source.len());
    let blank = |out: &mut String, c: char| out.push(if c == '\n' { '\n' } else { ' ' });
    let at = |i: usize| chars.get(i).copied().unwrap_or('\0');
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let boundary = i == 0 || !is_ident_char(chars[i - 1]);
        if c == '/' && at(i + 1) == '/' {
            while i < chars.len() && chars[i] != '\n' {
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '/' && at(i + 1) == '*' {
            let mut depth = 0usize;
            loop {
                if i >= chars.len() {
                    break;
                } else if chars[i] == '/' && at(i + 1) == '*' {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
        } else if let Some(hashes) = raw_string_start(&chars, i).filter(|_| boundary) {
            // r"…", r#"…"#, br"…", cr"…": copy the prefix, blank up to the closing quote.
            let open = chars[i..].iter().position(|&ch| ch == '"').unwrap_or(0) + i;
            chars[i..=open].iter().for_each(|&ch| out.push(ch));
            i = open + 1;
            while i < chars.len() {
                let closes = chars[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#');
                if closes {
                    out.push('"');
                    (0..hashes).for_each(|_| out.push('#'));
                    i += 1 + hashes;
                    break;
                }
                blank(&mut out, chars[i]);
                i += 1;
            }
        } else if c == '"' {
            out.push('"');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
                if i < chars.len() {
                    blank(&mut out, chars[i]);
                    i += 1;
                }
            }
            if i < chars.len() {
                out.push('"');
                i += 1;
            }
        } else if c == '\'' && (at(i + 1) == '\\' || (at(i + 2) == '\'' && at(i + 1) != '\'')) {
            // A character literal ('x', '\n', '\u{1F511}'), not a lifetime ('a).
            out.push('\'');
            i += 1;
            if chars[i] == '\\' {
                out.push_str("  ");
                i += 2;
            }
            while i < chars.len() && chars[i] != '\'' {
                blank(&mut out, chars[i]);
                i += 1;
            }
            if i < chars.len() {
                out.push('\'');
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// At `i`, the number of `#` of a raw string's opening (`r"`, `r#"`, `br"`, `cr"`), if any.
pub(crate) fn raw_string_start(chars: &[char], i: usize) -> Option<usize> {
    let mut j = i;
    if matches!(chars.get(j), Some('b' | 'c')) {
        j += 1;
    }
    if chars.get(j) != Some(&'r') {
        return None;
    }
    let hashes = chars[j + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(j + 1 + hashes) == Some(&'"')).then_some(hashes)
}
