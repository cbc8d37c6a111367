//! An invoice's payment instructions: the Paystack hosted link (with a PNG QR code of its
//! URL) and the BillPay control number — asked once, then the same number again.

use malipo_core::{normalise_reference, Money, Provider, TargetRef};
use serde::Serialize;

use super::ManagerError;
use crate::engine::Engine;

/// Pixels per QR module in the PNG.
const QR_SCALE: usize = 8;
/// Modules of white border around the code.
const QR_QUIET: usize = 4;

/// A card payment link for an invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardLinkMade {
    pub url: String,
    /// PNG of the QR code of `url`.
    pub qr_png: Vec<u8>,
    pub reference: String,
}

/// An invoice's control number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillPayView {
    pub control_number: String,
    pub amount: Money,
    pub mode: String,
}

/// The QR code of `payload` as a greyscale PNG (stored, uncompressed deflate blocks: a QR
/// code is small and this needs no image library).
pub fn qr_png(payload: &str) -> Result<Vec<u8>, ManagerError> {
    let (side, dark) = malipo_print::raster::qr_modules(payload)
        .map_err(|e| ManagerError::Invalid(format!("the QR code could not be made: {e}")))?;
    let px = (side + 2 * QR_QUIET) * QR_SCALE;
    let mut raw = Vec::with_capacity((px + 1) * px);
    for y in 0..px {
        raw.push(0u8);
        for x in 0..px {
            let (mx, my) = (x / QR_SCALE, y / QR_SCALE);
            let on = mx >= QR_QUIET
                && my >= QR_QUIET
                && mx - QR_QUIET < side
                && my - QR_QUIET < side
                && dark
                    .get((my - QR_QUIET) * side + (mx - QR_QUIET))
                    .copied()
                    .unwrap_or(false);
            raw.push(if on { 0 } else { 255 });
        }
    }
    let mut z = vec![0x78, 0x01];
    let mut chunks = raw.chunks(65_535).peekable();
    while let Some(block) = chunks.next() {
        z.push(u8::from(chunks.peek().is_none()));
        let len = u16::try_from(block.len()).unwrap_or(u16::MAX);
        z.extend_from_slice(&len.to_le_bytes());
        z.extend_from_slice(&(!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend_from_slice(&adler32(&raw).to_be_bytes());
    let side_px = u32::try_from(px).unwrap_or(u32::MAX).to_be_bytes();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&side_px);
    ihdr.extend_from_slice(&side_px);
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut png = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &z);
    chunk(&mut png, b"IEND", &[]);
    Ok(png)
}

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&len.to_be_bytes());
    let start = out.len();
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let crc = crc32(&out[start..]);
    out.extend_from_slice(&crc.to_be_bytes());
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

impl Engine {
    /// A Paystack hosted link for `amount_minor` of an issued invoice; `email` `None` → the
    /// invoice customer's.
    pub async fn invoice_card_link(
        &self,
        invoice_id: i64,
        amount_minor: i64,
        email: Option<&str>,
    ) -> Result<CardLinkMade, ManagerError> {
        let (currency, customer_email) = {
            let inv = self.store()?.invoice_get(invoice_id)?;
            (inv.total.currency, inv.draft.customer.email.clone())
        };
        if amount_minor <= 0 {
            return Err(ManagerError::InvalidAmount(
                "the amount must be above 0".into(),
            ));
        }
        let email = email
            .map(str::to_owned)
            .filter(|e| !e.trim().is_empty())
            .or(customer_email);
        let start = self
            .card_link(
                invoice_id,
                Money::from_minor(amount_minor, currency),
                email.as_deref(),
            )
            .await?;
        Ok(CardLinkMade {
            qr_png: qr_png(&start.authorization_url)?,
            url: start.authorization_url,
            reference: start.reference,
        })
    }

    /// The invoice's BillPay control number for its balance; the same number again if it was
    /// already made.
    pub async fn invoice_billpay(&self, invoice_id: i64) -> Result<BillPayView, ManagerError> {
        let (number, balance, mode) = {
            let store = self.store()?;
            let inv = store.invoice_get(invoice_id)?;
            let number = inv.number.clone().ok_or_else(|| {
                ManagerError::Invalid("issue the invoice before asking for payment".into())
            })?;
            let b = store.balance(TargetRef::Invoice(invoice_id))?;
            (number, b.balance, inv.draft.payment_mode)
        };
        let mode = super::invoices::mode_code(mode).to_owned();
        let control = normalise_reference(&number);
        if let Some(a) = self
            .store()?
            .attempt_by_provider_ref(Provider::Clickpesa, &control)?
        {
            return Ok(BillPayView {
                control_number: control,
                amount: a.amount,
                mode,
            });
        }
        if balance.minor <= 0 {
            return Err(ManagerError::InvalidAmount("the invoice is paid".into()));
        }
        let made = self
            .billpay_start(TargetRef::Invoice(invoice_id), balance)
            .await?;
        Ok(BillPayView {
            control_number: made.control_number,
            amount: made.amount,
            mode,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_qr_png_is_a_png_with_a_correct_checksum() {
        let png = super::qr_png("https://checkout.paystack.com/abc").unwrap_or_default();
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(png.ends_with(&[0xAE, 0x42, 0x60, 0x82]));
        assert_eq!(super::crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(super::adler32(b"Wikipedia"), 0x11E6_0398);
    }
}
