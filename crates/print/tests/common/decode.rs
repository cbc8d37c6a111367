//! A test-side ESC/POS decoder, written from the Epson command reference and independent of
//! the renderer: it replays the bytes as a printer would (alignment, double width, code page
//! 437) and writes the paper back as text, one line per printed line, with markers for what
//! is not text: `[QR <payload>]`, `[RASTER <w>x<h>]`, `[DRAWER]`, `[CUT]`. It refuses unknown
//! commands, control bytes in text and any line wider than the paper.

/// Code page 437, bytes 0x80..=0xFF, in order.
const CP437_HIGH: &str = "ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u{a0}";

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Center,
    Right,
}

/// A raster image printed with `GS v 0`: `width` dots (a multiple of 8), rows of bits.
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub bits: Vec<u8>,
}

impl Raster {
    /// Whether the dot at (x, y) is black.
    pub fn black(&self, x: usize, y: usize) -> bool {
        self.bits[y * (self.width / 8) + x / 8] & (0x80 >> (x % 8)) != 0
    }
}

/// Decodes `bytes` for a printer of `columns` columns.
pub fn decode(bytes: &[u8], columns: usize) -> Result<String, String> {
    decode_with_images(bytes, columns).map(|(text, _)| text)
}

/// [`decode`], also returning the raster images in print order.
pub fn decode_with_images(bytes: &[u8], columns: usize) -> Result<(String, Vec<Raster>), String> {
    let mut rasters = Vec::new();
    let high: Vec<char> = CP437_HIGH.chars().collect();
    assert_eq!(high.len(), 128);
    let mut out = String::new();
    let mut line = String::new();
    let mut align = Align::Left;
    let mut double_width = false;
    let mut qr_data: Option<String> = None;
    // An image or QR code was just printed: its line feed ends the marker line.
    let mut marker_open = false;
    let mut i = 0;
    let at = |i: usize| -> Result<u8, String> {
        bytes
            .get(i)
            .copied()
            .ok_or_else(|| format!("truncated command at byte {i}"))
    };
    let flush =
        |line: &mut String, align: Align, dw: bool, out: &mut String| -> Result<(), String> {
            let cells = line.chars().count() * if dw { 2 } else { 1 };
            if cells > columns {
                return Err(format!("line wider than {columns} columns: {line:?}"));
            }
            let pad = match align {
                Align::Left => 0,
                Align::Center => (columns - cells) / 2,
                Align::Right => columns - cells,
            };
            out.push_str(&" ".repeat(pad));
            out.push_str(line);
            out.push('\n');
            line.clear();
            Ok(())
        };
    if bytes.get(..2) != Some(&[0x1B, b'@'][..]) {
        return Err("the job does not start with ESC @".into());
    }
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            0x0A => {
                if marker_open && line.is_empty() {
                    out.push('\n');
                } else {
                    flush(&mut line, align, double_width, &mut out)?;
                }
                marker_open = false;
                i += 1;
            }
            0x1B => {
                let cmd = at(i + 1)?;
                match cmd {
                    b'@' => i += 2,
                    b't' => {
                        if at(i + 2)? != 0 {
                            return Err("code page other than PC437".into());
                        }
                        i += 3;
                    }
                    b'a' => {
                        align = match at(i + 2)? {
                            0 | b'0' => Align::Left,
                            1 | b'1' => Align::Center,
                            2 | b'2' => Align::Right,
                            n => return Err(format!("bad ESC a {n}")),
                        };
                        i += 3;
                    }
                    b'E' => i += 3,
                    b'p' => {
                        at(i + 4)?;
                        out.push_str("[DRAWER]\n");
                        i += 5;
                    }
                    other => return Err(format!("unknown ESC {other:#04x} at {i}")),
                }
            }
            0x1D => {
                let cmd = at(i + 1)?;
                match cmd {
                    b'!' => {
                        double_width = at(i + 2)? & 0x70 != 0;
                        i += 3;
                    }
                    b'V' => {
                        let m = at(i + 2)?;
                        i += if m >= 65 { 4 } else { 3 };
                        out.push_str("[CUT]\n");
                    }
                    b'v' => {
                        if at(i + 2)? != b'0' {
                            return Err("GS v other than GS v 0".into());
                        }
                        let x = usize::from(at(i + 4)?) + 256 * usize::from(at(i + 5)?);
                        let y = usize::from(at(i + 6)?) + 256 * usize::from(at(i + 7)?);
                        let end = i + 8 + x * y;
                        if end > bytes.len() {
                            return Err("raster data truncated".into());
                        }
                        if x * 8 > columns * 12 {
                            return Err(format!(
                                "raster {} dots wide is wider than the paper",
                                x * 8
                            ));
                        }
                        out.push_str(&format!("[RASTER {}x{y}]", x * 8));
                        rasters.push(Raster {
                            width: x * 8,
                            height: y,
                            bits: bytes[i + 8..end].to_vec(),
                        });
                        marker_open = true;
                        i = end;
                    }
                    b'(' => {
                        if at(i + 2)? != b'k' {
                            return Err("GS ( other than GS ( k".into());
                        }
                        let len = usize::from(at(i + 3)?) + 256 * usize::from(at(i + 4)?);
                        let body = bytes.get(i + 5..i + 5 + len).ok_or("GS ( k truncated")?;
                        match (body.first(), body.get(1)) {
                            (Some(49), Some(80)) => {
                                qr_data = Some(String::from_utf8_lossy(&body[3..]).into_owned());
                            }
                            (Some(49), Some(81)) => {
                                let data =
                                    qr_data.take().ok_or("QR printed before it was stored")?;
                                out.push_str(&format!("[QR {data}]"));
                                marker_open = true;
                            }
                            (Some(49), Some(65 | 67 | 69)) => {}
                            _ => return Err("unknown GS ( k function".into()),
                        }
                        i += 5 + len;
                    }
                    other => return Err(format!("unknown GS {other:#04x} at {i}")),
                }
            }
            0x20..=0x7E => {
                line.push(char::from(b));
                i += 1;
            }
            0x80..=0xFF => {
                line.push(high[usize::from(b - 0x80)]);
                i += 1;
            }
            other => return Err(format!("control byte {other:#04x} in text at {i}")),
        }
    }
    if !line.is_empty() {
        return Err(format!("text after the last line feed: {line:?}"));
    }
    Ok((out, rasters))
}
