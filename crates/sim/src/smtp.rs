//! An SMTP sink — the email provider's stand-in, as the other modules stand in for Daraja,
//! Paystack, ClickPesa and Africa's Talking: a small real SMTP server on loopback for the
//! tests and the training mode: greeting, EHLO/HELO, AUTH PLAIN and
//! LOGIN (checked against the expected login when one is set), MAIL FROM, RCPT TO, DATA with
//! dot-unstuffing, RSET, NOOP, QUIT. It records each accepted message's envelope and data.
//! A recipient starting with `bounce` is refused with 550.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// One message the sink accepted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mail {
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent after DATA (headers and body), lines joined with `\n`.
    pub data: String,
    /// The login it authenticated with, if any.
    pub login: Option<(String, String)>,
}

impl Mail {
    /// A header's value (unfolded), if present.
    pub fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{}:", name.to_ascii_lowercase());
        let mut lines = self.data.lines().take_while(|l| !l.is_empty()).peekable();
        while let Some(line) = lines.next() {
            if line.to_ascii_lowercase().starts_with(&prefix) {
                let mut value = line[prefix.len()..].trim().to_string();
                while let Some(next) = lines.peek() {
                    if next.starts_with(' ') || next.starts_with('\t') {
                        value.push(' ');
                        value.push_str(next.trim());
                        lines.next();
                    } else {
                        break;
                    }
                }
                return Some(value);
            }
        }
        None
    }

    /// The body: everything after the blank line that ends the headers.
    pub fn body(&self) -> String {
        self.data
            .split_once("\n\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }
}

/// A running sink; stops when dropped.
#[derive(Debug)]
pub struct SmtpSink {
    pub addr: SocketAddr,
    mails: Arc<Mutex<Vec<Mail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SmtpSink {
    /// A sink on a free loopback port that accepts any login (or none).
    pub async fn start() -> std::io::Result<SmtpSink> {
        SmtpSink::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), None).await
    }

    /// A sink on `addr` that, when `login` is set, accepts only that user and password.
    pub async fn start_on(
        addr: SocketAddr,
        login: Option<(String, String)>,
    ) -> std::io::Result<SmtpSink> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let store = store.clone();
                let login = login.clone();
                tokio::spawn(async move {
                    let _ = session(stream, store, login).await;
                });
            }
        });
        Ok(SmtpSink { addr, mails, task })
    }

    /// Every message accepted so far.
    pub fn mails(&self) -> Vec<Mail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }
}

fn b64(text: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

fn path(arg: &str) -> String {
    let start = arg.find('<').map_or(0, |i| i + 1);
    let end = arg.rfind('>').unwrap_or(arg.len());
    arg[start..end].to_string()
}

async fn session(
    stream: TcpStream,
    store: Arc<Mutex<Vec<Mail>>>,
    expected: Option<(String, String)>,
) -> std::io::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read).lines();
    write.write_all(b"220 sink.test ESMTP ready\r\n").await?;
    let mut mail = Mail::default();
    let mut login: Option<(String, String)> = None;
    let mut queued = 0;
    while let Some(line) = lines.next_line().await? {
        let (verb, arg) = line.split_once(' ').unwrap_or((line.as_str(), ""));
        let reply: String = match verb.to_ascii_uppercase().as_str() {
            "EHLO" => {
                "250-sink.test\r\n250-AUTH PLAIN LOGIN\r\n250-8BITMIME\r\n250 SIZE 1000000".into()
            }
            "HELO" => "250 sink.test".into(),
            "AUTH" => {
                let (mech, initial) = arg.split_once(' ').unwrap_or((arg, ""));
                let given = if mech.eq_ignore_ascii_case("PLAIN") {
                    let token = if initial.is_empty() {
                        write.write_all(b"334 \r\n").await?;
                        lines.next_line().await?.unwrap_or_default()
                    } else {
                        initial.to_string()
                    };
                    let decoded = b64(&token);
                    let mut parts = decoded.split('\0').skip(1);
                    let user = parts.next().unwrap_or_default().to_string();
                    let pass = parts.next().unwrap_or_default().to_string();
                    (user, pass)
                } else {
                    write.write_all(b"334 VXNlcm5hbWU6\r\n").await?;
                    let user = b64(&lines.next_line().await?.unwrap_or_default());
                    write.write_all(b"334 UGFzc3dvcmQ6\r\n").await?;
                    let pass = b64(&lines.next_line().await?.unwrap_or_default());
                    (user, pass)
                };
                if expected.as_ref().is_none_or(|e| *e == given) {
                    login = Some(given);
                    "235 2.7.0 Authentication successful".into()
                } else {
                    "535 5.7.8 Authentication credentials invalid".into()
                }
            }
            "MAIL" => {
                mail = Mail {
                    from: path(arg),
                    login: login.clone(),
                    ..Mail::default()
                };
                "250 2.1.0 Ok".into()
            }
            "RCPT" => {
                let to = path(arg);
                if to.starts_with("bounce") {
                    "550 5.1.1 No such user".into()
                } else {
                    mail.to.push(to);
                    "250 2.1.5 Ok".into()
                }
            }
            "DATA" => {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = Vec::new();
                while let Some(l) = lines.next_line().await? {
                    if l == "." {
                        break;
                    }
                    data.push(l.strip_prefix('.').map_or(l.clone(), |rest| {
                        if l.starts_with("..") {
                            rest.to_string()
                        } else {
                            l.clone()
                        }
                    }));
                }
                mail.data = data.join("\n");
                queued += 1;
                if let Ok(mut mails) = store.lock() {
                    mails.push(std::mem::take(&mut mail));
                }
                format!("250 2.0.0 Ok: queued as SINK{queued}")
            }
            "RSET" => {
                mail = Mail::default();
                "250 2.0.0 Ok".into()
            }
            "NOOP" => "250 2.0.0 Ok".into(),
            "QUIT" => {
                write.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            _ => "502 5.5.2 Command not recognized".into(),
        };
        write.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
    Ok(())
}
