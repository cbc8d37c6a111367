//! A small page canvas over printpdf in whole points, measured from the top of an A4 page:
//! text (left, right or centre aligned, measured with the font's own glyph widths), rules,
//! boxes, QR codes drawn as filled modules, the logo as an image, and page breaks.

use std::sync::OnceLock;

use printpdf::{
    FontId, Line, LinePoint, Op, PaintMode, ParsedFont, PdfDocument, PdfFontHandle, PdfPage,
    PdfSaveOptions, Point, RawImage, RawImageData, RawImageFormat, Rect, TextItem,
};

use super::units::{image_at, mm, pt};
use crate::model::Logo;
use crate::raster::qr_modules;
use crate::PrintError;

/// A4 in points.
pub const PAGE_W: i32 = 595;
pub const PAGE_H: i32 = 842;
/// Left/right/top/bottom margin in points.
pub const MARGIN: i32 = 48;

const REGULAR_TTF: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Latin.ttf");
const BOLD_TTF: &[u8] = include_bytes!("../../../../assets/fonts/DejaVuSans-Bold-Latin.ttf");

struct Fonts {
    regular: ParsedFont,
    bold: ParsedFont,
}

/// The fonts, parsed once per process.
fn fonts() -> Result<&'static Fonts, PrintError> {
    static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let regular = ParsedFont::from_bytes(REGULAR_TTF, 0, &mut Vec::new())?;
            let bold = ParsedFont::from_bytes(BOLD_TTF, 0, &mut Vec::new())?;
            Some(Fonts { regular, bold })
        })
        .as_ref()
        .ok_or_else(|| PrintError::Pdf("the bundled font could not be read".into()))
}

/// Text weight.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

/// A document being drawn, page by page.
pub struct Canvas {
    doc: PdfDocument,
    regular: FontId,
    bold: FontId,
    pages: Vec<Vec<Op>>,
    ops: Vec<Op>,
    /// The cursor, in points from the top of the page.
    pub y: i32,
}

impl std::fmt::Debug for Canvas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Canvas(page {}, y {})", self.pages.len() + 1, self.y)
    }
}

impl Canvas {
    /// A new document titled `title`, on its first page.
    pub fn new(title: &str) -> Result<Canvas, PrintError> {
        let f = fonts()?;
        let mut doc = PdfDocument::new(title);
        let regular = doc.add_font(&f.regular);
        let bold = doc.add_font(&f.bold);
        Ok(Canvas {
            doc,
            regular,
            bold,
            pages: Vec::new(),
            ops: Vec::new(),
            y: MARGIN,
        })
    }

    /// The width of `text` at `size` points, in points (rounded up).
    pub fn width(&self, text: &str, size: i32, weight: Weight) -> i32 {
        let Ok(f) = fonts() else { return 0 };
        let font = match weight {
            Weight::Regular => &f.regular,
            Weight::Bold => &f.bold,
        };
        let upem = i64::from(font.units_per_em.max(1));
        let units: i64 = text
            .chars()
            .map(|c| {
                font.codepoint_to_glyph
                    .get(&u32::from(c))
                    .and_then(|g| font.glyph_widths.get(g))
                    .map_or(upem / 2, |w| i64::from(*w))
            })
            .sum();
        let w = (units * i64::from(size) + upem - 1) / upem;
        i32::try_from(w).unwrap_or(i32::MAX)
    }

    /// Text with its baseline at `y` (from the top) starting at `x`. A character the font
    /// lacks prints as `?` rather than an empty box.
    pub fn text(&mut self, x: i32, y: i32, size: i32, weight: Weight, text: &str) {
        let font = match weight {
            Weight::Regular => self.regular.clone(),
            Weight::Bold => self.bold.clone(),
        };
        let text: String = match fonts() {
            Ok(f) => {
                let parsed = match weight {
                    Weight::Regular => &f.regular,
                    Weight::Bold => &f.bold,
                };
                text.chars()
                    .map(|c| {
                        if parsed.codepoint_to_glyph.contains_key(&u32::from(c)) {
                            c
                        } else {
                            '?'
                        }
                    })
                    .collect()
            }
            Err(_) => text.to_string(),
        };
        self.ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(font),
                size: pt(size),
            },
            Op::SetTextCursor {
                pos: Point {
                    x: pt(x),
                    y: pt(PAGE_H - y),
                },
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
    }

    /// Text ending at `right`.
    pub fn text_right(&mut self, right: i32, y: i32, size: i32, weight: Weight, text: &str) {
        let w = self.width(text, size, weight);
        self.text(right - w, y, size, weight, text);
    }

    /// Text centred on `center`.
    pub fn text_center(&mut self, center: i32, y: i32, size: i32, weight: Weight, text: &str) {
        let w = self.width(text, size, weight);
        self.text(center - w / 2, y, size, weight, text);
    }

    /// Splits `text` into lines no wider than `max` points at `size`.
    pub fn wrap(&self, text: &str, max: i32, size: i32, weight: Weight) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut cur = String::new();
        for word in text.split_whitespace() {
            let candidate = if cur.is_empty() {
                word.to_string()
            } else {
                format!("{cur} {word}")
            };
            if cur.is_empty() || self.width(&candidate, size, weight) <= max {
                cur = candidate;
            } else {
                lines.push(std::mem::replace(&mut cur, word.to_string()));
            }
        }
        if !cur.is_empty() || lines.is_empty() {
            lines.push(cur);
        }
        lines
    }

    /// A horizontal rule at `y` from `x1` to `x2`, `thickness` points thick.
    pub fn rule(&mut self, x1: i32, x2: i32, y: i32, thickness: i32) {
        self.ops.push(Op::SetOutlineThickness { pt: pt(thickness) });
        self.ops.push(Op::DrawLine {
            line: Line {
                points: vec![
                    LinePoint {
                        p: Point {
                            x: pt(x1),
                            y: pt(PAGE_H - y),
                        },
                        bezier: false,
                    },
                    LinePoint {
                        p: Point {
                            x: pt(x2),
                            y: pt(PAGE_H - y),
                        },
                        bezier: false,
                    },
                ],
                is_closed: false,
            },
        });
    }

    /// A rectangle with its top-left corner at (`x`, `y`).
    pub fn rect(&mut self, x: i32, y: i32, w: i32, h: i32, fill: bool) {
        self.ops.push(Op::DrawRectangle {
            rectangle: Rect {
                x: pt(x),
                y: pt(PAGE_H - y - h),
                width: pt(w),
                height: pt(h),
                mode: Some(if fill {
                    PaintMode::Fill
                } else {
                    PaintMode::Stroke
                }),
                winding_order: None,
            },
        });
    }

    /// A QR code of `payload` with its top-left at (`x`, `y`), `module` points per module
    /// (no quiet zone drawn: leave white around it). Returns its side in points.
    pub fn qr(&mut self, x: i32, y: i32, module: i32, payload: &str) -> Result<i32, PrintError> {
        let (side, dark) = qr_modules(payload)?;
        for row in 0..side {
            let mut col = 0;
            while col < side {
                if dark.get(row * side + col).copied().unwrap_or(false) {
                    let start = col;
                    while col < side && dark.get(row * side + col).copied().unwrap_or(false) {
                        col += 1;
                    }
                    let (r, s, n) = (to_i32(row), to_i32(start), to_i32(col - start));
                    self.rect(x + s * module, y + r * module, n * module, module, true);
                } else {
                    col += 1;
                }
            }
        }
        Ok(to_i32(side) * module)
    }

    /// The logo with its top-left at (`x`, `y`), `width` points wide. Returns its height.
    pub fn logo(&mut self, logo: &Logo, x: i32, y: i32, width: i32) -> i32 {
        let px_w = i32::try_from(logo.width.max(1)).unwrap_or(1);
        let px_h = i32::try_from(logo.height).unwrap_or(0);
        // pixels × 72 / dpi = width  ⇒  dpi = pixels × 72 / width.
        let dpi = (px_w * 72 / width.max(1)).max(1);
        let height = px_h * 72 / dpi;
        let id = self.doc.add_image(&RawImage {
            pixels: RawImageData::U8(logo.grey.clone()),
            width: logo.width as usize,
            height: logo.height as usize,
            data_format: RawImageFormat::R8,
            tag: Vec::new(),
        });
        self.ops.push(Op::UseXobject {
            id,
            transform: image_at(x, PAGE_H - y - height, dpi),
        });
        height
    }

    /// Starts a new page when fewer than `needed` points are left above the bottom margin.
    /// Returns true when it did.
    pub fn ensure(&mut self, needed: i32) -> bool {
        if self.y + needed <= PAGE_H - MARGIN {
            return false;
        }
        self.new_page();
        true
    }

    /// Ends the current page and starts the next one at the top margin.
    pub fn new_page(&mut self) {
        self.pages.push(std::mem::take(&mut self.ops));
        self.y = MARGIN;
    }

    /// Draws `footer(page, pages)` on every page and saves the document.
    pub fn finish(mut self, footer: impl Fn(usize, usize) -> String) -> Vec<u8> {
        if !self.ops.is_empty() || self.pages.is_empty() {
            self.pages.push(std::mem::take(&mut self.ops));
        }
        let count = self.pages.len();
        let pages: Vec<Vec<Op>> = std::mem::take(&mut self.pages);
        let mut out = Vec::with_capacity(count);
        for (i, ops) in pages.into_iter().enumerate() {
            self.ops = ops;
            let text = footer(i + 1, count);
            self.text_center(PAGE_W / 2, PAGE_H - MARGIN / 2, 8, Weight::Regular, &text);
            out.push(PdfPage::new(
                mm(210),
                mm(297),
                std::mem::take(&mut self.ops),
            ));
        }
        self.doc
            .with_pages(out)
            .save(&PdfSaveOptions::default(), &mut Vec::new())
    }
}

fn to_i32(v: usize) -> i32 {
    i32::try_from(v).unwrap_or(i32::MAX)
}
