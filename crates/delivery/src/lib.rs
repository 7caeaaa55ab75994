//! The delivery adapters of Reserv's notification outbox: what turns a due
//! message into an e-mail (SMTP through `lettre`, STARTTLS, TLS or plain for
//! a local relay), an SMS (a JSON POST to the region's SMS gateway), or a
//! JSON webhook (a crisis app such as Cosafe, or any other receiver). The
//! [`Dispatcher`] implements `reserv_app::notifications::Deliver` and picks
//! the adapter by channel; phone tasks and status pages are shown inside
//! Reserv and need no adapter.
//!
//! Every adapter times out on its own (30 s by default, far inside the
//! outbox's claim lease) and classifies its failures for the outbox:
//! *transient* only when nothing can have been sent (connection refused,
//! SMTP 4xx, HTTP 5xx or 429), *permanent* when it will not work as
//! configured (SMTP 5xx, HTTP 4xx, channel not configured), *ambiguous* when
//! the far side may have taken the message (a time-out or a broken
//! connection after the request was written). Error texts name the host,
//! never a password, token, authorisation header or query string.
//!
//! Secrets come from environment variables only ([`Secret`] never prints).

mod http;
mod smtp;

use std::path::PathBuf;
use std::time::Duration;

use async_trait::async_trait;

use reserv_app::notifications::{Deliver, Outgoing};
use reserv_core::outbox::{Address, Channel, Failure};

pub use http::HttpTarget;
pub use smtp::{SmtpConfig, SmtpTls};

/// A secret (password, authorisation header): never printed, never logged.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// The default time-out of every adapter.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// Which adapters exist; a channel without one fails permanently with a
/// message that names the setting to fill in.
#[derive(Debug, Clone, Default)]
pub struct DeliveryConfig {
    pub smtp: Option<SmtpConfig>,
    pub sms: Option<HttpTarget>,
    /// The webhook for the `webhook` and `crisis_app` channels.
    pub webhook: Option<HttpTarget>,
    /// Write e-mail to files in this directory instead of sending it (demo
    /// mode and tests; used only when no SMTP server is configured).
    pub mail_dir: Option<PathBuf>,
}

/// Why the adapters could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("notifications.smtp: {0}")]
    Smtp(String),
    #[error("notifications: {0}")]
    Http(String),
}

/// Sends each message through the adapter of its channel.
pub struct Dispatcher {
    smtp: Option<smtp::Smtp>,
    sms: Option<http::Http>,
    webhook: Option<http::Http>,
    mail_dir: Option<PathBuf>,
}

impl Dispatcher {
    pub fn new(c: DeliveryConfig) -> Result<Dispatcher, SetupError> {
        Ok(Dispatcher {
            smtp: c.smtp.map(smtp::Smtp::new).transpose()?,
            sms: c.sms.map(http::Http::new).transpose()?,
            webhook: c.webhook.map(http::Http::new).transpose()?,
            mail_dir: c.mail_dir,
        })
    }

    /// What is configured, for the start-up log (no secrets).
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        match (&self.smtp, &self.mail_dir) {
            (Some(s), _) => parts.push(format!("e-post via {}", s.describe())),
            (None, Some(d)) => parts.push(format!("e-post till filer i {}", d.display())),
            (None, None) => parts.push("e-post ej konfigurerad".into()),
        }
        parts.push(match &self.sms {
            Some(h) => format!("SMS via {}", h.describe()),
            None => "SMS ej konfigurerat".into(),
        });
        parts.push(match &self.webhook {
            Some(h) => format!("webhook {}", h.describe()),
            None => "webhook ej konfigurerad".into(),
        });
        parts.join(", ")
    }
}

fn not_configured(what: &str, setting: &str) -> Failure {
    Failure::permanent(format!("{what} är inte konfigurerat i Reserv ([notifications] {setting})."))
}

#[async_trait]
impl Deliver for Dispatcher {
    async fn send(&self, m: &Outgoing) -> Result<String, Failure> {
        match (m.channel, &m.address) {
            (Channel::Email, Address::Email(to)) => match (&self.smtp, &self.mail_dir) {
                (Some(s), _) => s.send(m, to).await,
                (None, Some(dir)) => smtp::write_file(dir, m, to).await,
                (None, None) => Err(not_configured("E-post", "smtp_host")),
            },
            (Channel::Sms, Address::Phone(to)) => match &self.sms {
                Some(h) => {
                    let body = serde_json::json!({
                        "to": to,
                        "message": m.body,
                        "reference": m.message_id.to_string(),
                    });
                    h.post("SMS-gatewayen", &body).await
                }
                None => Err(not_configured("SMS", "sms_gateway_url")),
            },
            (Channel::Webhook | Channel::CrisisApp, Address::Endpoint) => match &self.webhook {
                Some(h) => h.post("Webhooken", &webhook_body(m)).await,
                None => Err(not_configured("Webhook", "webhook_url")),
            },
            (Channel::PhoneTask, Address::Phone(_)) => {
                Ok("Uppgift att ringa: visas på avbrottets sida i Reserv.".into())
            }
            (Channel::StatusPageInternal | Channel::StatusPagePublic, _) => Ok("Visas på Reservs statussida.".into()),
            (c, _) => Err(Failure::permanent(format!("Kanalen {} passar inte mottagarens adress.", c.key()))),
        }
    }
}

/// The JSON a webhook receives: everything about the message, with the
/// link that acknowledges it.
pub fn webhook_body(m: &Outgoing) -> serde_json::Value {
    serde_json::json!({
        "message_id": m.message_id,
        "outage_id": m.outage_id,
        "key": m.key,
        "rule": m.rule,
        "cite": m.cite,
        "channel": m.channel.key(),
        "sender": m.sender,
        "group": m.group,
        "subject": m.subject,
        "body": m.body,
        "ack_url": m.ack_url,
        "due_at": m.due_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("Bearer hemlig-token");
        assert_eq!(format!("{s:?}"), "Secret(***)");
        let c = HttpTarget {
            url: "https://sms.example.org/send?key=abc".into(),
            authorization: Some(s),
            timeout: DEFAULT_TIMEOUT,
        };
        let shown = format!("{c:?}");
        assert!(!shown.contains("hemlig"), "{shown}");
    }
}
