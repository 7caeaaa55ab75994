//! `[notifications]` in the configuration file: where e-mail, SMS and
//! webhook messages go, the recipients file, Reserv's public address for
//! acknowledgement links, and the scheduler's pace. Secrets are read from
//! environment variables only, never from the file, and never printed:
//! `RESERV_SMTP_USERNAME`, `RESERV_SMTP_PASSWORD`,
//! `RESERV_SMS_GATEWAY_AUTHORIZATION` and `RESERV_WEBHOOK_AUTHORIZATION`
//! (each the whole `Authorization` header value, e.g. `Bearer …`).
//! Also the wiring at start: [`attach`] and the scheduler task ([`spawn_scheduler`]).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use serde::Deserialize;

use reserv_app::App;
use reserv_app::notifications::{Notifications, RunReport};
use reserv_core::outbox::{Recipients, RetryPolicy, parse_recipients};
use reserv_delivery::{DeliveryConfig, Dispatcher, HttpTarget, Secret, SmtpConfig, SmtpTls};

use crate::config::Config;

#[derive(Debug, Clone)]
pub struct NotificationsConfig {
    /// The region's recipients file (people, addresses, groups), kept outside git.
    pub recipients: Option<PathBuf>,
    /// A directory of notification policy files (`reserv_core::notify`,
    /// e.g. a copy of data/notifications/003-gavleborg.toml): every outage a
    /// policy covers is planned and its messages sent. None: no automatic
    /// messages.
    pub policies: Option<PathBuf>,
    /// Reserv's address as recipients reach it, for acknowledgement links.
    pub public_url: Option<String>,
    pub smtp_host: Option<String>,
    pub smtp_port: Option<u16>,
    pub smtp_tls: SmtpTls,
    pub smtp_from: String,
    pub smtp_username: Option<String>,
    pub smtp_password: Option<Secret>,
    pub sms_gateway_url: Option<String>,
    pub sms_authorization: Option<Secret>,
    pub webhook_url: Option<String>,
    pub webhook_authorization: Option<Secret>,
    /// Write e-mail to files here instead of sending it (tests; demo mode
    /// uses `<data>/demo-mail` when no SMTP server is configured).
    pub mail_dir: Option<PathBuf>,
    /// How often the scheduler looks for due messages.
    pub tick_seconds: u64,
    pub max_attempts: u32,
    /// Each adapter's time-out.
    pub timeout_seconds: u64,
}

impl Default for NotificationsConfig {
    fn default() -> Self {
        NotificationsConfig {
            recipients: None,
            policies: None,
            public_url: None,
            smtp_host: None,
            smtp_port: None,
            smtp_tls: SmtpTls::StartTls,
            smtp_from: "Reserv <reserv@localhost>".into(),
            smtp_username: None,
            smtp_password: None,
            sms_gateway_url: None,
            sms_authorization: None,
            webhook_url: None,
            webhook_authorization: None,
            mail_dir: None,
            tick_seconds: 5,
            max_attempts: reserv_core::outbox::RetryPolicy::default().max_attempts,
            timeout_seconds: 30,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FileNotifications {
    recipients: Option<PathBuf>,
    policies: Option<PathBuf>,
    public_url: Option<String>,
    smtp_host: Option<String>,
    smtp_port: Option<u16>,
    /// `starttls` (default), `tls` or `none`.
    smtp_tls: Option<String>,
    smtp_from: Option<String>,
    sms_gateway_url: Option<String>,
    webhook_url: Option<String>,
    mail_dir: Option<PathBuf>,
    tick_seconds: Option<u64>,
    max_attempts: Option<u32>,
    timeout_seconds: Option<u64>,
}

fn url(key: &str, v: String) -> Result<String, String> {
    let v = v.trim().trim_end_matches('/').to_owned();
    if v.starts_with("https://") || v.starts_with("http://") {
        Ok(v)
    } else {
        Err(format!("notifications.{key}: expected a URL starting with https:// (or http://)"))
    }
}

impl NotificationsConfig {
    pub fn apply_file(&mut self, f: FileNotifications) -> Result<(), String> {
        if let Some(v) = f.smtp_tls {
            self.smtp_tls = SmtpTls::parse(v.trim())
                .ok_or_else(|| format!("notifications.smtp_tls: expected starttls, tls or none, got {v:?}"))?;
        }
        self.recipients = f.recipients.or(self.recipients.take());
        self.policies = f.policies.or(self.policies.take());
        if let Some(v) = f.public_url {
            self.public_url = Some(url("public_url", v)?);
        }
        self.smtp_host = f.smtp_host.filter(|h| !h.trim().is_empty()).or(self.smtp_host.take());
        self.smtp_port = f.smtp_port.or(self.smtp_port);
        self.smtp_from = f.smtp_from.unwrap_or(std::mem::take(&mut self.smtp_from));
        if let Some(v) = f.sms_gateway_url {
            self.sms_gateway_url = Some(url("sms_gateway_url", v)?);
        }
        if let Some(v) = f.webhook_url {
            self.webhook_url = Some(url("webhook_url", v)?);
        }
        self.mail_dir = f.mail_dir.or(self.mail_dir.take());
        self.tick_seconds = f.tick_seconds.unwrap_or(self.tick_seconds);
        self.max_attempts = f.max_attempts.unwrap_or(self.max_attempts);
        self.timeout_seconds = f.timeout_seconds.unwrap_or(self.timeout_seconds);
        if !(1..=3600).contains(&self.tick_seconds) {
            return Err("notifications.tick_seconds: 1–3600".into());
        }
        if !(1..=50).contains(&self.max_attempts) {
            return Err("notifications.max_attempts: 1–50".into());
        }
        // The outbox takes a claim older than its lease (5 min) for a crash.
        if !(1..=120).contains(&self.timeout_seconds) {
            return Err("notifications.timeout_seconds: 1–120".into());
        }
        Ok(())
    }

    /// The secrets, from the environment only.
    pub fn apply_env(&mut self, env: &dyn Fn(&str) -> Option<String>) {
        let secret = |k: &str| env(k).filter(|v| !v.is_empty()).map(Secret::new);
        self.smtp_username = env("RESERV_SMTP_USERNAME").filter(|v| !v.is_empty());
        self.smtp_password = secret("RESERV_SMTP_PASSWORD");
        self.sms_authorization = secret("RESERV_SMS_GATEWAY_AUTHORIZATION");
        self.webhook_authorization = secret("RESERV_WEBHOOK_AUTHORIZATION");
    }

    /// The adapters' configuration; `demo_mail_dir` is used for e-mail when
    /// neither an SMTP server nor a mail directory is configured (demo mode).
    pub fn delivery(&self, demo_mail_dir: Option<&Path>) -> DeliveryConfig {
        let timeout = Duration::from_secs(self.timeout_seconds);
        let http = |url: &Option<String>, auth: &Option<Secret>| {
            url.clone().map(|url| HttpTarget { url, authorization: auth.clone(), timeout })
        };
        DeliveryConfig {
            smtp: self.smtp_host.clone().map(|host| SmtpConfig {
                host,
                port: self.smtp_port,
                tls: self.smtp_tls,
                from: self.smtp_from.clone(),
                username: self.smtp_username.clone(),
                password: self.smtp_password.clone(),
                timeout,
            }),
            sms: http(&self.sms_gateway_url, &self.sms_authorization),
            webhook: http(&self.webhook_url, &self.webhook_authorization),
            mail_dir: self.mail_dir.clone().or_else(|| demo_mail_dir.map(Path::to_path_buf)),
        }
    }
}

/// Sets up notifications on the app: the recipients (the configured file;
/// the demo set in demo mode), the adapters, retries, and the address for
/// acknowledgement links (`public_url`, else the address Reserv listens on).
/// In demo mode, e-mail is written to `<data>/demo-mail` unless an SMTP
/// server is configured, and the demo's messages are enqueued.
pub async fn attach(app: App, cfg: &Config, demo: bool, addr: SocketAddr) -> Result<App, String> {
    let n = &cfg.notifications;
    let recipients = match &n.recipients {
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("kan inte läsa {}: {e}", p.display()))?;
            parse_recipients(&p.display().to_string(), &text).map_err(|errs| {
                let lines: Vec<String> = errs.iter().map(|e| e.message_sv()).collect();
                format!("fel i mottagarfilen {}:\n{}", p.display(), lines.join("\n"))
            })?
        }
        None if demo => reserv_app::demo::demo_recipients(),
        None => {
            tracing::warn!("notifications.recipients is not set: messages to recipient groups will fail visibly");
            Recipients::new()
        }
    };
    let demo_mail = (demo && n.smtp_host.is_none() && n.mail_dir.is_none()).then(|| cfg.data.join("demo-mail"));
    let dispatcher = Dispatcher::new(n.delivery(demo_mail.as_deref())).map_err(|e| e.to_string())?;
    tracing::info!(channels = %dispatcher.describe(), groups = recipients.len(), "notifications");
    let public_url = match &n.public_url {
        Some(u) => Some(u.clone()),
        None if addr.ip().is_unspecified() => {
            tracing::warn!("notifications.public_url is not set: messages carry no acknowledgement link");
            None
        }
        None => Some(format!("http://{addr}")),
    };
    let retry = RetryPolicy { max_attempts: n.max_attempts, ..RetryPolicy::default() };
    let policies = match &n.policies {
        Some(dir) => load_policies(dir, app.catalogue())?,
        None => Vec::new(),
    };
    let app = app
        .with_notifications(Notifications { deliver: Arc::new(dispatcher), recipients, retry, public_url })
        .with_notification_policies(policies);
    if demo {
        reserv_app::demo::load_messages(&app).await.map_err(|e| format!("demomeddelanden: {}", e.message_sv()))?;
        if let Some(d) = &demo_mail {
            println!("Demoläge: e-post skickas inte utan skrivs till filer i {}.", d.display());
        }
    }
    // Outages changed while planning failed, or before a policy was configured.
    let r = app.plan_open_outages().await.map_err(|e| format!("utskicksplanen: {}", e.message_sv()))?;
    if r.added + r.replanned + r.withdrawn > 0 {
        tracing::info!(
            added = r.added,
            replanned = r.replanned,
            withdrawn = r.withdrawn,
            "notification plans caught up"
        );
    }
    Ok(app)
}

/// The notification policies of a directory (`*.toml`; recipients files,
/// `recipients*.toml`, may lie beside them and are skipped): every problem
/// of every file, as `file:line: reason`.
fn load_policies(
    dir: &Path,
    catalogue: &reserv_core::catalogue::Catalogue,
) -> Result<Vec<reserv_core::notify::Policy>, String> {
    let mut policies = Vec::new();
    let mut problems = Vec::new();
    for (name, text) in crate::read_routine_dir(dir)? {
        if name.starts_with("recipients") {
            continue;
        }
        match reserv_core::notify::load(&name, &text, catalogue) {
            Ok(p) => policies.push(p),
            Err(errors) => problems.extend(errors.iter().map(|e| e.message_sv())),
        }
    }
    if problems.is_empty() {
        tracing::info!(policies = policies.len(), dir = %dir.display(), "notification policies");
        Ok(policies)
    } else {
        Err(format!("fel i utskickspolicyerna i {}:\n{}", dir.display(), problems.join("\n")))
    }
}

/// Starts the scheduler: one step at once (catching up on whatever fell due
/// while Reserv was down), then one every `tick_seconds`. A failed step is
/// logged and tried again at the next tick; nothing is lost, since the
/// outbox is in the store.
pub fn spawn_scheduler(app: Arc<App>, tick_seconds: u64) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(tick_seconds.max(1)));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match app.run_due(app.now()).await {
                Ok(r) if r != RunReport::default() => tracing::info!(
                    sent = r.sent,
                    retrying = r.retrying,
                    failed = r.failed,
                    unknown = r.unknown,
                    skipped = r.skipped,
                    "notifications"
                ),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "notification step failed; trying again at the next tick"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_values_are_checked_and_secrets_come_from_the_environment_only() {
        let f: FileNotifications = toml::from_str(
            "smtp_host = \"smtp.rvn.example\"\nsmtp_tls = \"tls\"\nsms_gateway_url = \"https://sms.example/send/\"\n",
        )
        .unwrap();
        let mut c = NotificationsConfig::default();
        c.apply_file(f).unwrap();
        let env = |k: &str| match k {
            "RESERV_SMTP_PASSWORD" => Some("hemligt".to_string()),
            "RESERV_SMTP_USERNAME" => Some("reserv".to_string()),
            "RESERV_SMS_GATEWAY_AUTHORIZATION" => Some("Bearer xyz".to_string()),
            _ => None,
        };
        c.apply_env(&env);
        assert_eq!(c.sms_gateway_url.as_deref(), Some("https://sms.example/send"));
        assert_eq!(c.smtp_tls, SmtpTls::Tls);
        let shown = format!("{c:?} {:?}", c.delivery(None));
        assert!(!shown.contains("hemligt") && !shown.contains("xyz"), "{shown}");
        assert_eq!(c.delivery(None).smtp.unwrap().password.unwrap().expose(), "hemligt");
        assert!(toml::from_str::<FileNotifications>("smtp_password = \"x\"\n").is_err(), "no secrets in the file");
        let bad: FileNotifications = toml::from_str("smtp_tls = \"ssl\"\n").unwrap();
        assert!(NotificationsConfig::default().apply_file(bad).unwrap_err().contains("smtp_tls"));
        let bad: FileNotifications = toml::from_str("webhook_url = \"ftp://x\"\n").unwrap();
        assert!(NotificationsConfig::default().apply_file(bad).is_err());
    }
}
