//! 1-bit raster images for the printer: the logo scaled to the paper, and QR codes drawn
//! dot by dot for printers without native QR (`GS ( k`). Integer arithmetic only.

use qrcode::{Color, EcLevel};

use crate::model::Logo;
use crate::PrintError;

/// A 1-bit image, rows of `width_bytes` bytes, most significant bit leftmost, 1 = black.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bitmap {
    pub width_bytes: usize,
    pub height: usize,
    pub bits: Vec<u8>,
}

impl Bitmap {
    fn blank(width_dots: usize, height: usize) -> Bitmap {
        let width_bytes = width_dots.div_ceil(8);
        Bitmap {
            width_bytes,
            height,
            bits: vec![0; width_bytes * height],
        }
    }

    fn set(&mut self, x: usize, y: usize) {
        if let Some(b) = self.bits.get_mut(y * self.width_bytes + x / 8) {
            *b |= 0x80 >> (x % 8);
        }
    }

    /// Whether the dot at (x, y) is black.
    pub fn get(&self, x: usize, y: usize) -> bool {
        self.bits
            .get(y * self.width_bytes + x / 8)
            .is_some_and(|b| b & (0x80 >> (x % 8)) != 0)
    }
}

/// The logo scaled (nearest neighbour) to at most `max_dots` wide and 160 dots high, keeping
/// its proportions; grey below 128 prints black.
pub fn logo_bitmap(logo: &Logo, max_dots: u32) -> Bitmap {
    let (w, h) = (logo.width.max(1), logo.height.max(1));
    // Scale = num/den, the largest that fits both bounds, never enlarging past 2x.
    let (mut num, mut den) = (2_u32, 1_u32);
    if w * num / den > max_dots {
        (num, den) = (max_dots, w);
    }
    if h * num / den > 160 {
        (num, den) = (160, h);
    }
    let tw = (w * num / den).max(1);
    let th = (h * num / den).max(1);
    let mut bmp = Bitmap::blank(tw as usize, th as usize);
    for y in 0..th {
        for x in 0..tw {
            if logo.at(x * den / num, y * den / num) < 128 {
                bmp.set(x as usize, y as usize);
            }
        }
    }
    bmp
}

/// The side, in modules, of the QR code of `payload` (error correction M), without drawing
/// it: the printer draws native QR codes itself.
pub fn qr_side(payload: &str) -> Result<usize, PrintError> {
    let bits = qrcode::bits::encode_auto(payload.as_bytes(), EcLevel::M)
        .map_err(|e| PrintError::Qr(e.to_string()))?;
    usize::try_from(bits.version().width()).map_err(|e| PrintError::Qr(e.to_string()))
}

/// The QR matrix of `payload` (error correction M): side length and dark modules row by row.
pub fn qr_modules(payload: &str) -> Result<(usize, Vec<bool>), PrintError> {
    let code = qrcode::QrCode::with_error_correction_level(payload.as_bytes(), EcLevel::M)
        .map_err(|e| PrintError::Qr(e.to_string()))?;
    let side = code.width();
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == Color::Dark)
        .collect();
    Ok((side, dark))
}

/// The QR code of `payload` as a bitmap at most `max_dots` wide (4-module quiet zone),
/// each module at most 6 dots.
pub fn qr_bitmap(payload: &str, max_dots: u32) -> Result<Bitmap, PrintError> {
    let (side, dark) = qr_modules(payload)?;
    let total = side + 8;
    let scale = (max_dots as usize / total).clamp(1, 6);
    let dots = total * scale;
    let mut bmp = Bitmap::blank(dots, dots);
    for my in 0..side {
        for mx in 0..side {
            if dark.get(my * side + mx).copied().unwrap_or(false) {
                for dy in 0..scale {
                    for dx in 0..scale {
                        bmp.set((mx + 4) * scale + dx, (my + 4) * scale + dy);
                    }
                }
            }
        }
    }
    Ok(bmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_side_matches_the_drawn_matrix() {
        for payload in [
            "x",
            "https://paystack.com/pay/duka-inv-000042",
            &"9".repeat(300),
        ] {
            let (side, dark) = qr_modules(payload).ok().unwrap_or_default();
            assert_eq!(qr_side(payload).ok(), Some(side));
            assert_eq!(dark.len(), side * side);
        }
        assert!(qr_side(&"x".repeat(5_000)).is_err());
    }
}
