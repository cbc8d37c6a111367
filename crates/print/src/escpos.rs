//! The ESC/POS renderer: a paper [`Doc`] to the bytes a thermal printer understands —
//! initialise, code page, alignment, bold and double size, native QR (`GS ( k`) or a raster
//! fallback, the logo as a raster (`GS v 0`), cut and the cash-drawer kick.

use crate::codepage::{encode, ESC_T_PC437};
use crate::model::Paper;
use crate::raster::{logo_bitmap, qr_bitmap, qr_side, Bitmap};
use crate::text::{Align, Block, Doc, Size};
use crate::PrintError;

const ESC: u8 = 0x1B;
const GS: u8 = 0x1D;
const LF: u8 = 0x0A;

/// How the printer prints QR codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum QrMode {
    /// The printer's own QR command, `GS ( k` (most Epson-compatible printers since ~2010).
    #[default]
    Native,
    /// Drawn as a raster image, for printers without `GS ( k`.
    Raster,
}

/// What Malipo knows about one receipt printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrinterProfile {
    pub paper: Paper,
    pub qr: QrMode,
    /// The printer has an auto-cutter.
    pub cut: bool,
    /// A cash drawer hangs off the printer's drawer port.
    pub drawer: bool,
}

impl PrinterProfile {
    /// A typical printer for `paper`: native QR, cutter, drawer.
    pub const fn new(paper: Paper) -> PrinterProfile {
        PrinterProfile {
            paper,
            qr: QrMode::Native,
            cut: true,
            drawer: true,
        }
    }
}

/// Renders `doc` as ESC/POS bytes for `profile`.
pub fn render(doc: &Doc, profile: &PrinterProfile) -> Result<Vec<u8>, PrintError> {
    let mut out = Vec::with_capacity(2_048);
    out.extend([ESC, b'@', ESC, b't', ESC_T_PC437]);
    let mut align = Align::Left;
    let mut bold = false;
    let mut size = Size::Normal;
    for block in &doc.blocks {
        match block {
            Block::Text {
                text,
                align: a,
                bold: b,
                size: s,
            } => {
                set_align(&mut out, &mut align, *a);
                if bold != *b {
                    out.extend([ESC, b'E', u8::from(*b)]);
                    bold = *b;
                }
                if size != *s {
                    let n = match s {
                        Size::Normal => 0x00,
                        Size::Tall => 0x01,
                        Size::Double => 0x11,
                    };
                    out.extend([GS, b'!', n]);
                    size = *s;
                }
                encode(text, &mut out);
                out.push(LF);
            }
            Block::Rule => {
                set_align(&mut out, &mut align, Align::Left);
                out.extend(std::iter::repeat_n(b'-', doc.columns));
                out.push(LF);
            }
            Block::Feed => out.push(LF),
            Block::Qr(payload) => {
                set_align(&mut out, &mut align, Align::Center);
                match profile.qr {
                    QrMode::Native => native_qr(&mut out, payload, profile.paper)?,
                    QrMode::Raster => raster(&mut out, &qr_bitmap(payload, profile.paper.dots())?)?,
                }
            }
            Block::Logo(logo) => {
                set_align(&mut out, &mut align, Align::Center);
                raster(&mut out, &logo_bitmap(logo, profile.paper.dots() / 2))?;
            }
        }
    }
    if bold {
        out.extend([ESC, b'E', 0]);
    }
    if size != Size::Normal {
        out.extend([GS, b'!', 0]);
    }
    if doc.open_drawer && profile.drawer {
        // ESC p m t1 t2: pulse pin 2 for 50 ms on, 500 ms off.
        out.extend([ESC, b'p', 0, 25, 250]);
    }
    if profile.cut {
        // GS V 66 n: feed n lines past the cutter, then a partial cut.
        out.extend([GS, b'V', 66, 3]);
    } else {
        out.extend([LF, LF, LF, LF]);
    }
    Ok(out)
}

fn set_align(out: &mut Vec<u8>, cur: &mut Align, want: Align) {
    if *cur != want {
        let n = match want {
            Align::Left => 0,
            Align::Center => 1,
            Align::Right => 2,
        };
        out.extend([ESC, b'a', n]);
        *cur = want;
    }
}

/// `GS ( k`: model 2, module size, error correction M, store the data, print it.
fn native_qr(out: &mut Vec<u8>, payload: &str, paper: Paper) -> Result<(), PrintError> {
    // Validate and size with the same encoder the raster fallback uses.
    let side = qr_side(payload)?;
    let module = u8::try_from((paper.dots() as usize / (side + 8)).clamp(1, 6)).unwrap_or(3);
    let data = payload.as_bytes();
    let len =
        u16::try_from(data.len() + 3).map_err(|_| PrintError::Qr("payload too long".into()))?;
    let [pl, ph] = len.to_le_bytes();
    out.extend([GS, b'(', b'k', 4, 0, 49, 65, 50, 0]);
    out.extend([GS, b'(', b'k', 3, 0, 49, 67, module]);
    out.extend([GS, b'(', b'k', 3, 0, 49, 69, 49]);
    out.extend([GS, b'(', b'k', pl, ph, 49, 80, 48]);
    out.extend_from_slice(data);
    out.extend([GS, b'(', b'k', 3, 0, 49, 81, 48]);
    out.push(LF);
    Ok(())
}

/// `GS v 0`: a raster bit image at normal density.
fn raster(out: &mut Vec<u8>, bmp: &Bitmap) -> Result<(), PrintError> {
    let too_big = || PrintError::Image("image too large for the printer".into());
    let [xl, xh] = u16::try_from(bmp.width_bytes)
        .map_err(|_| too_big())?
        .to_le_bytes();
    let [yl, yh] = u16::try_from(bmp.height)
        .map_err(|_| too_big())?
        .to_le_bytes();
    out.extend([GS, b'v', b'0', 0, xl, xh, yl, yh]);
    out.extend_from_slice(&bmp.bits);
    out.push(LF);
    Ok(())
}
