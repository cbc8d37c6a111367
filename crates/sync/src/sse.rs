//! An incremental Server-Sent Events reader: bytes in as they arrive, whole messages out.
//!
//! Sans IO, so every way a stream can be cut (a message split across chunks, `\r\n` line
//! ends, comments used as keep-alives, multi-line `data`) is tested without a socket.

/// One SSE message: its `event` name (default `message`), `id` and joined `data` lines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub event: String,
    pub id: Option<String>,
    pub data: String,
}

/// Accumulates bytes until a blank line ends a message.
#[derive(Debug, Default)]
pub struct SseReader {
    buffer: Vec<u8>,
    /// Bytes at the front of `buffer` already scanned for a line end.
    scanned: usize,
    event: Option<String>,
    id: Option<String>,
    data: Vec<String>,
}

/// A stream that will not fit in memory is refused rather than buffered without end.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// The stream broke the SSE framing.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SseError {
    #[error("an event stream line is longer than {MAX_LINE} bytes")]
    LineTooLong,
}

impl SseReader {
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends bytes as they arrived from the network.
    pub fn feed(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Whether a complete message might be waiting (a blank line is buffered).
    pub fn has_buffered_line(&self) -> bool {
        self.buffer[self.scanned..].contains(&b'\n')
    }

    /// The next complete message, or `None` until more bytes arrive.
    pub fn next_message(&mut self) -> Result<Option<Message>, SseError> {
        loop {
            let Some(offset) = self.buffer[self.scanned..].iter().position(|b| *b == b'\n') else {
                self.scanned = self.buffer.len();
                if self.buffer.len() > MAX_LINE {
                    return Err(SseError::LineTooLong);
                }
                return Ok(None);
            };
            let end = self.scanned + offset;
            let mut line: Vec<u8> = self.buffer.drain(..=end).collect();
            self.scanned = 0;
            line.pop(); // '\n'
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.is_empty() {
                if self.data.is_empty() && self.event.is_none() && self.id.is_none() {
                    continue;
                }
                let message = Message {
                    event: self.event.take().unwrap_or_else(|| "message".to_owned()),
                    id: self.id.take(),
                    data: std::mem::take(&mut self.data).join("\n"),
                };
                return Ok(Some(message));
            }
            let line = String::from_utf8_lossy(&line);
            if line.starts_with(':') {
                continue; // a comment: the relay's keep-alive
            }
            let (field, value) = match line.split_once(':') {
                Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
                None => (line.as_ref(), ""),
            };
            match field {
                "event" => self.event = Some(value.to_owned()),
                "id" => self.id = Some(value.to_owned()),
                "data" => self.data.push(value.to_owned()),
                _ => {} // `retry` and unknown fields are ignored, as the spec says
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(reader: &mut SseReader) -> Vec<Message> {
        let mut out = Vec::new();
        while let Some(m) = reader.next_message().unwrap() {
            out.push(m);
        }
        out
    }

    #[test]
    fn a_message_split_anywhere_comes_out_whole() {
        let wire = b": keep-alive\n\nevent: event\nid: 7\ndata: {\"seq\":7}\n\nevent: event\r\nid: 8\r\ndata: a\r\ndata: b\r\n\r\n";
        for cut in 0..wire.len() {
            let mut r = SseReader::new();
            r.feed(&wire[..cut]);
            let mut got = all(&mut r);
            r.feed(&wire[cut..]);
            got.extend(all(&mut r));
            assert_eq!(got.len(), 2, "cut at {cut}");
            assert_eq!(got[0].id.as_deref(), Some("7"));
            assert_eq!(got[0].data, "{\"seq\":7}");
            assert_eq!(got[1].event, "event");
            assert_eq!(got[1].data, "a\nb");
        }
    }

    #[test]
    fn comments_alone_are_not_messages() {
        let mut r = SseReader::new();
        r.feed(b":\n\n: ping\n\n");
        assert!(all(&mut r).is_empty());
    }
}
