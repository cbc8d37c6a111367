//! Helpers shared by the integration tests: the ESC/POS decoder and golden files.

#![allow(dead_code)]

pub mod decode;

use std::path::PathBuf;

/// Compares `actual` with `tests/golden/<name>`; with `MALIPO_UPDATE_GOLDEN=1` it writes
/// the file instead (then review the diff before committing).
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var("MALIPO_UPDATE_GOLDEN").as_deref() == Ok("1") {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {}: {e}; run with MALIPO_UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert_eq!(
        actual,
        expected,
        "{name} differs from the checked-in golden file {}",
        path.display()
    );
}
