//! Captures every tracing event of a test (TRACE level, no colours) into a buffer, so a test
//! can assert that no secret was ever logged. Shared by the `*_secrets` test binaries and by
//! `malipo-notify`'s tests (SMTP password, SMS API key, whole phone numbers).

use std::io::Write;
use std::sync::{Arc, Mutex};

/// The captured log text.
#[derive(Clone, Default)]
pub struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Buffer {
    /// Everything logged so far.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Buffer {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Buffer {
    type Writer = Buffer;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

/// Starts capturing on this thread until the guard drops.
pub fn capture() -> (Buffer, tracing::subscriber::DefaultGuard) {
    let logs = Buffer::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(logs.clone())
        .with_ansi(false)
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    (logs, guard)
}
