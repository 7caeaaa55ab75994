//! E-mail over SMTP with `lettre` (tokio, rustls with the system's trusted
//! certificates): STARTTLS on 587 by default, implicit TLS on 465, or plain
//! for a relay on the same host. UTF-8 subject and body (å ä ö) are encoded
//! by lettre. Also the file drop used in demo mode.

use std::path::Path;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use reserv_app::notifications::Outgoing;
use reserv_core::outbox::Failure;

use crate::{Secret, SetupError};

/// How the connection to the SMTP server is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpTls {
    /// STARTTLS, required (port 587 by default).
    StartTls,
    /// Implicit TLS (port 465 by default).
    Tls,
    /// No encryption: only for a relay on the same host or in tests.
    None,
}

impl SmtpTls {
    pub fn parse(s: &str) -> Option<SmtpTls> {
        match s {
            "starttls" => Some(SmtpTls::StartTls),
            "tls" => Some(SmtpTls::Tls),
            "none" => Some(SmtpTls::None),
            _ => None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 587 (STARTTLS), 465 (TLS), 25 (none).
    pub port: Option<u16>,
    pub tls: SmtpTls,
    /// The sender, e.g. `Reserv <reserv@region.example>`.
    pub from: String,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub timeout: Duration,
}

pub(crate) struct Smtp {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    host: String,
    port: u16,
}

impl Smtp {
    pub(crate) fn new(c: SmtpConfig) -> Result<Smtp, SetupError> {
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| SetupError::Smtp(format!("smtp_from {:?} är ingen giltig avsändare: {e}", c.from)))?;
        let tls_err = |e: lettre::transport::smtp::Error| SetupError::Smtp(format!("{}: {e}", c.host));
        let (builder, port) = match c.tls {
            SmtpTls::StartTls => {
                (AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&c.host).map_err(tls_err)?, c.port.unwrap_or(587))
            }
            SmtpTls::Tls => {
                (AsyncSmtpTransport::<Tokio1Executor>::relay(&c.host).map_err(tls_err)?, c.port.unwrap_or(465))
            }
            SmtpTls::None => (AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&c.host), c.port.unwrap_or(25)),
        };
        let mut builder = builder.port(port).timeout(Some(c.timeout));
        match (c.username, c.password) {
            (Some(u), Some(p)) => builder = builder.credentials(Credentials::new(u, p.expose().to_owned())),
            (None, None) => {}
            _ => {
                return Err(SetupError::Smtp(
                    "ange både RESERV_SMTP_USERNAME och RESERV_SMTP_PASSWORD, eller ingen".into(),
                ));
            }
        }
        Ok(Smtp { transport: builder.build(), from, host: c.host, port })
    }

    pub(crate) fn describe(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    pub(crate) async fn send(&self, m: &Outgoing, to: &str) -> Result<String, Failure> {
        let address = to.parse().map_err(|e| Failure::permanent(format!("ogiltig e-postadress {to:?}: {e}")))?;
        let mailbox = Mailbox::new(m.recipient_name.clone(), address);
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(mailbox)
            .subject(m.subject.clone())
            .header(ContentType::TEXT_PLAIN);
        // RFC 8058 one-click unsubscribe (subscription mails): the address
        // answers a POST of `List-Unsubscribe=One-Click` without a form.
        if let Some(url) = m.list_unsubscribe.as_deref().filter(|u| u.is_ascii() && !u.contains(['\r', '\n', '>'])) {
            builder = builder
                .raw_header(HeaderValue::new(HeaderName::new_from_ascii_str("List-Unsubscribe"), format!("<{url}>")))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".into(),
                ));
        }
        let email = builder
            .body(m.body.clone())
            .map_err(|e| Failure::permanent(format!("kan inte bygga e-postmeddelandet: {e}")))?;
        match self.transport.send(email).await {
            Ok(r) => Ok(format!("{} {}", r.code(), r.message().collect::<Vec<_>>().join(" ")).trim().to_owned()),
            Err(e) => Err(classify(&e, &self.describe())),
        }
    }
}

/// Sorts an SMTP error for the outbox. 4xx is transient and 5xx permanent
/// (RFC 5321); a connection that could not be opened sent nothing; a time-out
/// or a connection lost mid-session may have delivered the message.
fn classify(e: &lettre::transport::smtp::Error, server: &str) -> Failure {
    let text = format!("SMTP-servern {server}: {e}");
    if e.is_permanent() {
        Failure::permanent(text)
    } else if e.is_transient() || e.is_tls() || e.to_string().starts_with("Connection error") {
        Failure::transient(text)
    } else {
        Failure::ambiguous(text)
    }
}

/// Writes the e-mail as a UTF-8 text file instead of sending it (demo mode).
pub(crate) async fn write_file(dir: &Path, m: &Outgoing, to: &str) -> Result<String, Failure> {
    let name = format!("{}.txt", m.message_id);
    let unsubscribe = m
        .list_unsubscribe
        .as_deref()
        .map(|u| format!("List-Unsubscribe: <{u}>\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\n"))
        .unwrap_or_default();
    let text = format!(
        "To: {} <{to}>\nSubject: {}\nDate: {}\n{unsubscribe}\n{}\n",
        m.recipient_name.as_deref().unwrap_or(""),
        m.subject,
        jiff::Timestamp::now(),
        m.body
    );
    let dir = dir.to_owned();
    let written = tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{name}.part"));
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, dir.join(&name))
    })
    .await;
    match written {
        Ok(Ok(())) => Ok("Skrivet till fil i demoläge; inget e-postmeddelande skickades.".into()),
        Ok(Err(e)) => Err(Failure::transient(format!("kan inte skriva e-postfilen: {e}"))),
        Err(e) => Err(Failure::transient(format!("kan inte skriva e-postfilen: {e}"))),
    }
}
