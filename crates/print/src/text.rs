//! The paper document: a list of blocks (text lines, rules, QR codes, the logo) laid out to a
//! fixed number of columns, and the column helpers that keep numbers whole. The ESC/POS
//! renderer and the plain-text receipt both read a [`Doc`], so they say the same thing.

use crate::codepage::printable;
use crate::model::Logo;

/// Horizontal alignment of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Center,
    Right,
}

/// Character size of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Normal,
    /// Double height, normal width: same number of columns.
    Tall,
    /// Double height and double width: half the columns.
    Double,
}

impl Size {
    /// How many columns one character takes.
    pub const fn cell(self) -> usize {
        match self {
            Size::Normal | Size::Tall => 1,
            Size::Double => 2,
        }
    }
}

/// One block of a paper document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// One line of text that fits the paper at its size.
    Text {
        text: String,
        align: Align,
        bold: bool,
        size: Size,
    },
    /// A line of dashes across the paper.
    Rule,
    /// An empty line.
    Feed,
    /// A QR code of this payload.
    Qr(String),
    /// The shop's logo.
    Logo(Logo),
}

/// A paper document: blocks laid out for `columns` columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub columns: usize,
    pub blocks: Vec<Block>,
    /// Kick the cash drawer after printing (cash sales).
    pub open_drawer: bool,
}

/// Width of a text in columns (one per character: the text is code page 437 only).
pub fn width(text: &str) -> usize {
    text.chars().count()
}

/// Splits `text` into lines of at most `max` columns at spaces; a word longer than a line
/// is cut (names only: callers never pass amounts here).
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word = word.to_string();
        while width(&word) > max {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            let head: String = word.chars().take(max).collect();
            word = word.chars().skip(max).collect();
            lines.push(head);
        }
        if cur.is_empty() {
            cur = word;
        } else if width(&cur) + 1 + width(&word) <= max {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut cur, word));
        }
    }
    if !cur.is_empty() || lines.is_empty() {
        lines.push(cur);
    }
    lines
}

/// `left` and `right` on one line, `right` flush right; when they do not fit together,
/// `left` is wrapped above and `right` gets a line of its own, so a number is never split.
pub fn two_cols(left: &str, right: &str, max: usize) -> Vec<String> {
    let (lw, rw) = (width(left), width(right));
    if lw + 1 + rw <= max {
        return vec![format!("{left}{}{right}", " ".repeat(max - lw - rw))];
    }
    let mut lines = wrap(left, max);
    if let Some(last) = lines.last_mut() {
        let w = width(last);
        if w + 1 + rw <= max {
            last.push_str(&" ".repeat(max - w - rw));
            last.push_str(right);
            return lines;
        }
    }
    lines.push(format!("{}{right}", " ".repeat(max.saturating_sub(rw))));
    lines
}

impl Doc {
    /// An empty document for `columns` columns.
    pub fn new(columns: usize) -> Doc {
        Doc {
            columns,
            blocks: Vec::new(),
            open_drawer: false,
        }
    }

    /// Adds text at a size and alignment, wrapped to the columns that size leaves (a line
    /// that fits is kept as written, spacing included).
    pub fn text(&mut self, text: &str, align: Align, bold: bool, size: Size) {
        let max = self.columns / size.cell();
        let text = printable(text);
        let lines = if width(&text) <= max && !text.is_empty() {
            vec![text]
        } else {
            wrap(&text, max)
        };
        for line in lines {
            self.blocks.push(Block::Text {
                text: line,
                align,
                bold,
                size,
            });
        }
    }

    /// Adds a plain left-aligned line (wrapped if long).
    pub fn line(&mut self, text: &str) {
        self.text(text, Align::Left, false, Size::Normal);
    }

    /// Adds centred text (wrapped if long).
    pub fn center(&mut self, text: &str) {
        self.text(text, Align::Center, false, Size::Normal);
    }

    /// Adds a label and a right-aligned value; see [`two_cols`].
    pub fn pair(&mut self, left: &str, right: &str, bold: bool) {
        for text in two_cols(&printable(left), &printable(right), self.columns) {
            self.blocks.push(Block::Text {
                text,
                align: Align::Left,
                bold,
                size: Size::Normal,
            });
        }
    }

    /// Adds details (a receipt number, a masked phone) on one indented line when they fit,
    /// one per line otherwise.
    pub fn details(&mut self, parts: &[String]) {
        let parts: Vec<String> = parts
            .iter()
            .filter(|p| !p.is_empty())
            .map(|p| printable(p))
            .collect();
        if parts.is_empty() {
            return;
        }
        let joined = format!("  {}", parts.join("  "));
        if width(&joined) <= self.columns {
            self.line_raw(joined);
        } else {
            for p in parts {
                for l in wrap(&p, self.columns - 2) {
                    self.line_raw(format!("  {l}"));
                }
            }
        }
    }

    fn line_raw(&mut self, text: String) {
        self.blocks.push(Block::Text {
            text,
            align: Align::Left,
            bold: false,
            size: Size::Normal,
        });
    }

    /// A label and amount at double size when it fits in half the columns, else bold.
    pub fn big_pair(&mut self, left: &str, right: &str) {
        let (left, right) = (printable(left), printable(right));
        let half = self.columns / 2;
        if width(&left) + 1 + width(&right) <= half {
            for text in two_cols(&left, &right, half) {
                self.blocks.push(Block::Text {
                    text,
                    align: Align::Left,
                    bold: true,
                    size: Size::Double,
                });
            }
        } else {
            self.pair(&left, &right, true);
        }
    }

    /// A dashed rule.
    pub fn rule(&mut self) {
        self.blocks.push(Block::Rule);
    }

    /// The document as plain text, one line per printed line, QR codes as their payload
    /// (this is the emailed / SMS receipt). The logo is left out.
    pub fn to_plain_text(&self) -> String {
        let mut out = String::new();
        for b in &self.blocks {
            match b {
                Block::Text {
                    text, align, size, ..
                } => {
                    let cells = width(text) * size.cell();
                    let pad = match align {
                        Align::Left => 0,
                        Align::Center => self.columns.saturating_sub(cells) / 2,
                        Align::Right => self.columns.saturating_sub(cells),
                    };
                    out.push_str(&" ".repeat(pad));
                    out.push_str(text);
                }
                Block::Rule => out.push_str(&"-".repeat(self.columns)),
                Block::Feed => {}
                Block::Qr(payload) => out.push_str(payload),
                Block::Logo(_) => continue,
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_stay_whole_and_lines_fit() {
        assert_eq!(two_cols("Bread", "65.00", 12), vec!["Bread  65.00"]);
        assert_eq!(
            two_cols("Maize flour 2kg", "1,250.00", 12),
            vec!["Maize flour", "2kg 1,250.00"]
        );
        assert_eq!(
            two_cols("Unga unga", "1,234,567.00", 12),
            vec!["Unga unga", "1,234,567.00"]
        );
        assert_eq!(
            wrap("Supercalifragilistic", 8),
            vec!["Supercal", "ifragili", "stic"]
        );
        assert_eq!(wrap("", 8), vec![""]);
    }
}
