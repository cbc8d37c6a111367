//! The one boundary between Malipo's integer layout units and printpdf's float-backed units.
//!
//! Every PDF coordinate and size in this crate is a whole number of points (1/72 inch) or
//! millimetres held in an `i32`; printpdf's `Pt`, `Mm` and image transforms wrap floats. This
//! module alone builds them, by the exact integer-to-float `From` conversion of an `i16`: no
//! float arithmetic, no float type named, nothing computed in floats. The rest of the PDF code
//! calls [`pt`], [`mm`] and [`image_at`].

use printpdf::{Mm, Pt, XObjectTransform};

/// Clamps to the `i16` range, whose values convert to floats exactly.
fn small(v: i32) -> i16 {
    i16::try_from(v.clamp(i32::from(i16::MIN), i32::from(i16::MAX))).unwrap_or(0)
}

/// Whole points.
pub fn pt(points: i32) -> Pt {
    Pt(From::from(small(points)))
}

/// Whole millimetres.
pub fn mm(millimetres: i32) -> Mm {
    Mm(From::from(small(millimetres)))
}

/// Places an image with its lower-left corner at (`x`, `y`) points, at `dpi` dots per inch
/// (so `pixels × 72 / dpi` points wide).
pub fn image_at(x: i32, y: i32, dpi: i32) -> XObjectTransform {
    XObjectTransform {
        translate_x: Some(pt(x)),
        translate_y: Some(pt(y)),
        dpi: Some(From::from(small(dpi))),
        ..XObjectTransform::default()
    }
}
