//! [`EmailSender`]: plain-text receipts over SMTP with `lettre` (tokio transport, rustls).
//!
//! Security of the connection is chosen explicitly ([`SmtpSecurity`]): implicit TLS (port 465)
//! or STARTTLS (port 587) for real mail servers, with certificates checked by the platform
//! verifier; `Plain` only when configured, and then a password is sent only to a loopback
//! address (a local relay or the training sink), never across a network in the clear.
//!
//! The password is a `Sensitive<String>` from the vault. It is handed to lettre's
//! `Credentials` when the transport is built (lettre keeps it as a plain `String` inside the
//! transport, which is not `Debug` here and never logged); it never appears in an error or a
//! log line. lettre's own `tracing` feature (which logs SMTP dialogue) is not enabled.

use std::net::IpAddr;
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use malipo_vault::Sensitive;

use crate::error::{NotifyError, SendError};
use crate::mask;

const SERVICE: &str = "the mail server";

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// TLS from the first byte (SMTPS, usually port 465).
    Tls,
    /// Plain connection upgraded with STARTTLS, which is required (usually port 587).
    StartTls,
    /// No encryption: only for a relay on this machine or the training/test sink. A password
    /// is refused unless the host is a loopback address.
    Plain,
}

/// A shop's mail settings. Everything but the password is an identifier a manager may see.
#[derive(Debug, Clone)]
pub struct EmailConfig {
    pub host: String,
    pub port: u16,
    pub security: SmtpSecurity,
    /// SMTP login; `None` for a server that needs none.
    pub username: Option<String>,
    /// From the vault; required when `username` is set.
    pub password: Option<Sensitive<String>>,
    /// The sender, e.g. `Duka la Mama <receipts@dukalamama.co.ke>`.
    pub from: String,
    /// Connect and command timeout.
    pub timeout: Duration,
}

impl EmailConfig {
    /// Settings with the usual port for `security` and a 20 s timeout, no login.
    pub fn new(host: &str, security: SmtpSecurity, from: &str) -> EmailConfig {
        let port = match security {
            SmtpSecurity::Tls => 465,
            SmtpSecurity::StartTls => 587,
            SmtpSecurity::Plain => 25,
        };
        EmailConfig {
            host: host.into(),
            port,
            security,
            username: None,
            password: None,
            from: from.into(),
            timeout: Duration::from_secs(20),
        }
    }
}

/// Sends plain-text email through one SMTP server.
#[derive(Clone)]
pub struct EmailSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl std::fmt::Debug for EmailSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmailSender")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("from", &self.from.to_string())
            .finish_non_exhaustive()
    }
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl EmailSender {
    /// Checks the settings and builds the transport (no connection is made yet).
    pub fn new(config: EmailConfig) -> Result<EmailSender, NotifyError> {
        let from: Mailbox = config.from.parse().map_err(|e| {
            NotifyError::Config(format!(
                "the From address {:?} is not valid: {e}",
                config.from
            ))
        })?;
        if config.host.trim().is_empty() {
            return Err(NotifyError::Config("the mail server host is empty".into()));
        }
        let credentials = match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                Some(Credentials::new(user.clone(), password.expose().clone()))
            }
            (Some(_), None) => {
                return Err(NotifyError::Config(
                    "a mail username is set but no password is stored in the vault".into(),
                ))
            }
            (None, _) => None,
        };
        if config.security == SmtpSecurity::Plain
            && credentials.is_some()
            && !is_loopback(&config.host)
        {
            return Err(NotifyError::Config(format!(
                "a password cannot be sent unencrypted to {}; use TLS or STARTTLS",
                config.host
            )));
        }
        let relay = |r: Result<_, lettre::transport::smtp::Error>| {
            r.map_err(|e| NotifyError::Config(format!("mail server {}: {e}", config.host)))
        };
        let builder = match config.security {
            SmtpSecurity::Tls => relay(AsyncSmtpTransport::<Tokio1Executor>::relay(&config.host))?,
            SmtpSecurity::StartTls => relay(AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(
                &config.host,
            ))?,
            SmtpSecurity::Plain => {
                AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&config.host)
            }
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(config.timeout))
            .hello_name(ClientId::Domain("malipo.till".into()));
        if let Some(credentials) = credentials {
            builder = builder.credentials(credentials);
        }
        Ok(EmailSender {
            transport: builder.build(),
            from,
            host: config.host,
            port: config.port,
        })
    }

    /// Sends one plain-text message to `to`; returns the server's acceptance line (its queue
    /// id, when it gives one).
    pub async fn send(&self, to: &str, subject: &str, body: &str) -> Result<String, SendError> {
        let to_box: Mailbox = to.parse().map_err(|e| SendError::Recipient {
            service: SERVICE,
            detail: format!("{} is not an email address ({e})", mask::email(to)),
        })?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to_box)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| SendError::Rejected {
                service: SERVICE,
                detail: format!("the message could not be built: {e}"),
                retryable: false,
            })?;
        let masked = mask::email(to);
        match self.transport.send(message).await {
            Ok(response) => {
                let line = response.message().collect::<Vec<_>>().join(" ");
                tracing::info!(to = %masked, host = %self.host, "receipt email accepted");
                Ok(format!("{} {line}", response.code()))
            }
            Err(e) => {
                let err = classify(&e, &self.host, self.port);
                tracing::warn!(to = %masked, host = %self.host, error = %err, "receipt email failed");
                Err(err)
            }
        }
    }
}

/// Maps lettre's error to what the outbox can act on. lettre's messages carry the server's
/// reply text and IO errors, never the credentials.
fn classify(e: &lettre::transport::smtp::Error, host: &str, port: u16) -> SendError {
    let detail = e.to_string();
    let code = e.status().map(u16::from);
    if code.is_some_and(|c| matches!(c, 530 | 534 | 535)) {
        return SendError::Credentials {
            service: SERVICE,
            detail,
        };
    }
    if code.is_some_and(|c| matches!(c, 501 | 550 | 551 | 553)) {
        return SendError::Recipient {
            service: SERVICE,
            detail,
        };
    }
    if e.is_permanent() {
        return SendError::Rejected {
            service: SERVICE,
            detail,
            retryable: false,
        };
    }
    if e.is_transient() {
        return SendError::Rejected {
            service: SERVICE,
            detail,
            retryable: true,
        };
    }
    SendError::Unreachable {
        service: SERVICE,
        detail: format!("{host}:{port}: {detail}"),
    }
}
