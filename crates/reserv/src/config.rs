//! Layered configuration: built-in defaults, then a TOML file
//! (`--config FILE`, `RESERV_CONFIG`, or `./reserv.toml` if present), then
//! environment variables (`RESERV_LISTEN`, `RESERV_DATA`, `RESERV_CATALOGUE`,
//! `RESERV_DIRECTORY`, `RESERV_ROUTINES`, `RESERV_CONTACTS`, `RESERV_POLICIES`, `RESERV_SECURE_COOKIES`, `RESERV_HSTS`,
//! `RESERV_TRUSTED_PROXIES`, `RESERV_AUDIT_CHECKPOINTS`, `RESERV_LOG`), then command-line
//! flags. Unknown keys in the file are errors, so a typo is not silently ignored.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: String,
    pub data: PathBuf,
    /// A catalogue file replacing the built-in one.
    pub catalogue: Option<PathBuf>,
    /// A directory file imported at every start.
    pub directory: Option<PathBuf>,
    /// A directory of routine files replacing the built-in ones.
    pub routines: Option<PathBuf>,
    /// A directory of contact files replacing the built-in ones.
    pub contacts: Option<PathBuf>,
    /// Cookies with `Secure`; by default when `notifications.public_url` is https.
    pub secure_cookies: bool,
    /// `Strict-Transport-Security`; by default when `notifications.public_url` is https.
    pub hsts: bool,
    /// Reverse proxies whose `X-Forwarded-For` is believed (IPs or CIDR
    /// blocks; none by default), see `reserv_web::kit::proxy`.
    pub trusted_proxies: Vec<String>,
    pub log: String,
    pub session_hours: i64,
    pub max_failed_logins: u32,
    pub lockout_minutes: i64,
    /// Login throttling per client address, per server (`reserv_app::throttle`).
    pub throttle_per_address: u32,
    pub throttle_per_address_and_user: u32,
    pub throttle_minutes: i64,
    /// Live API tokens per person (creating one more revokes the oldest).
    pub max_api_tokens: u32,
    /// Subscription requests per client address per hour, and from everyone.
    pub subscriptions_per_address: u32,
    pub subscriptions_per_hour: u32,
    /// The handover routine when no coordinated-discharge outage is ongoing.
    pub handover_routine: String,
    /// A directory of back-entry policy files replacing the built-in ones.
    pub policies: Option<PathBuf>,
    /// `[backentry]`: the policy id per coordinated-discharge system.
    pub backentry: std::collections::BTreeMap<String, String>,
    /// `[payment]`: the regional agreement on payment responsibility.
    pub payment: reserv_core::payment::PaymentAgreement,
    /// `[notifications]`: adapters, recipients file, public address (`notify_config.rs`).
    pub notifications: crate::notify_config::NotificationsConfig,
    /// `[audit]`: where the server appends signed checkpoints of the audit
    /// chain's heads (none by default), and how often.
    pub audit_checkpoints: Option<PathBuf>,
    pub audit_checkpoint_minutes: u64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: "127.0.0.1:8080".into(),
            data: PathBuf::from("./reserv-data"),
            catalogue: None,
            directory: None,
            routines: None,
            contacts: None,
            secure_cookies: false,
            hsts: false,
            trusted_proxies: Vec::new(),
            log: "info".into(),
            session_hours: 12,
            max_failed_logins: 5,
            lockout_minutes: 15,
            throttle_per_address: 30,
            throttle_per_address_and_user: 4,
            throttle_minutes: 15,
            max_api_tokens: 20,
            subscriptions_per_address: 5,
            subscriptions_per_hour: 200,
            handover_routine: "lifecare-sp-001".into(),
            policies: None,
            backentry: reserv_app::Settings::default().backentry_policies,
            payment: reserv_core::payment::PaymentAgreement::default(),
            notifications: Default::default(),
            audit_checkpoints: None,
            audit_checkpoint_minutes: 60,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data: Option<PathBuf>,
    catalogue: Option<PathBuf>,
    directory: Option<PathBuf>,
    routines: Option<PathBuf>,
    contacts: Option<PathBuf>,
    secure_cookies: Option<bool>,
    hsts: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    log: Option<String>,
    handover_routine: Option<String>,
    policies: Option<PathBuf>,
    backentry: Option<std::collections::BTreeMap<String, String>>,
    payment: Option<FilePayment>,
    auth: Option<FileAuth>,
    subscriptions: Option<FileSubscriptions>,
    notifications: Option<crate::notify_config::FileNotifications>,
    audit: Option<FileAudit>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileAudit {
    checkpoint_file: Option<PathBuf>,
    checkpoint_minutes: Option<u64>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FilePayment {
    days: Option<u32>,
    /// Local time, `HH:MM`.
    cutoff: Option<String>,
    /// `calendar` or `working`.
    counting: Option<String>,
}

fn apply_payment(a: &mut reserv_core::payment::PaymentAgreement, f: FilePayment) -> Result<(), String> {
    use reserv_core::payment::DayCounting;
    if let Some(d) = f.days {
        if d > 60 {
            return Err(format!("payment.days: {d} is not a plausible number of days (0–60)"));
        }
        a.days = d;
    }
    if let Some(c) = f.cutoff {
        a.cutoff = jiff::civil::Time::strptime("%H:%M", c.trim())
            .map_err(|_| format!("payment.cutoff: expected a time such as \"12:00\", got {c:?}"))?;
    }
    if let Some(c) = f.counting {
        a.counting = match c.trim() {
            "calendar" => DayCounting::Calendar,
            "working" => DayCounting::Working,
            other => return Err(format!("payment.counting: expected \"calendar\" or \"working\", got {other:?}")),
        };
    }
    Ok(())
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileAuth {
    session_hours: Option<i64>,
    max_failed_logins: Option<u32>,
    lockout_minutes: Option<i64>,
    throttle_per_address: Option<u32>,
    throttle_per_address_and_user: Option<u32>,
    throttle_minutes: Option<i64>,
    max_api_tokens: Option<u32>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FileSubscriptions {
    per_address: Option<u32>,
    per_hour: Option<u32>,
}

fn parse_bool(key: &str, v: &str) -> Result<bool, String> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "ja" => Ok(true),
        "0" | "false" | "no" | "nej" => Ok(false),
        _ => Err(format!("{key}: expected true or false, got {v:?}")),
    }
}

impl Config {
    /// Loads defaults, the file and the environment (`env` is injected for tests).
    pub fn load(file: Option<&Path>, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
        let mut c = Config::default();
        // Unset, they follow the public address (https: on).
        let (mut secure_cookies, mut hsts) = (None, None);
        let path = file.map(Path::to_path_buf).or_else(|| env("RESERV_CONFIG").map(PathBuf::from)).or_else(|| {
            let p = PathBuf::from("reserv.toml");
            p.exists().then_some(p)
        });
        if let Some(p) = path {
            let text = std::fs::read_to_string(&p).map_err(|e| format!("cannot read {}: {e}", p.display()))?;
            let f: FileConfig = toml::from_str(&text).map_err(|e| format!("{}: {e}", p.display()))?;
            c.listen = f.listen.unwrap_or(c.listen);
            c.data = f.data.unwrap_or(c.data);
            c.catalogue = f.catalogue.or(c.catalogue);
            c.directory = f.directory.or(c.directory);
            c.routines = f.routines.or(c.routines);
            c.contacts = f.contacts.or(c.contacts);
            secure_cookies = f.secure_cookies;
            hsts = f.hsts;
            c.trusted_proxies = f.trusted_proxies.unwrap_or(c.trusted_proxies);
            c.log = f.log.unwrap_or(c.log);
            c.handover_routine = f.handover_routine.unwrap_or(c.handover_routine);
            c.policies = f.policies.or(c.policies);
            c.backentry.extend(f.backentry.unwrap_or_default());
            if let Some(pay) = f.payment {
                apply_payment(&mut c.payment, pay).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            if let Some(a) = f.auth {
                c.session_hours = a.session_hours.unwrap_or(c.session_hours);
                c.max_failed_logins = a.max_failed_logins.unwrap_or(c.max_failed_logins);
                c.lockout_minutes = a.lockout_minutes.unwrap_or(c.lockout_minutes);
                c.throttle_per_address = a.throttle_per_address.unwrap_or(c.throttle_per_address);
                c.throttle_per_address_and_user =
                    a.throttle_per_address_and_user.unwrap_or(c.throttle_per_address_and_user);
                c.throttle_minutes = a.throttle_minutes.unwrap_or(c.throttle_minutes);
                c.max_api_tokens = a.max_api_tokens.unwrap_or(c.max_api_tokens);
            }
            if let Some(s) = f.subscriptions {
                c.subscriptions_per_address = s.per_address.unwrap_or(c.subscriptions_per_address);
                c.subscriptions_per_hour = s.per_hour.unwrap_or(c.subscriptions_per_hour);
            }
            if let Some(n) = f.notifications {
                c.notifications.apply_file(n).map_err(|e| format!("{}: {e}", p.display()))?;
            }
            if let Some(a) = f.audit {
                c.audit_checkpoints = a.checkpoint_file.or(c.audit_checkpoints);
                c.audit_checkpoint_minutes = a.checkpoint_minutes.unwrap_or(c.audit_checkpoint_minutes);
            }
        }
        c.notifications.apply_env(env);
        if let Some(v) = env("RESERV_LISTEN") {
            c.listen = v;
        }
        if let Some(v) = env("RESERV_DATA") {
            c.data = v.into();
        }
        if let Some(v) = env("RESERV_CATALOGUE") {
            c.catalogue = Some(v.into());
        }
        if let Some(v) = env("RESERV_DIRECTORY") {
            c.directory = Some(v.into());
        }
        if let Some(v) = env("RESERV_ROUTINES") {
            c.routines = Some(v.into());
        }
        if let Some(v) = env("RESERV_CONTACTS") {
            c.contacts = Some(v.into());
        }
        if let Some(v) = env("RESERV_POLICIES") {
            c.policies = Some(v.into());
        }
        if let Some(v) = env("RESERV_SECURE_COOKIES") {
            secure_cookies = Some(parse_bool("RESERV_SECURE_COOKIES", &v)?);
        }
        if let Some(v) = env("RESERV_HSTS") {
            hsts = Some(parse_bool("RESERV_HSTS", &v)?);
        }
        if let Some(v) = env("RESERV_TRUSTED_PROXIES") {
            c.trusted_proxies = v.split(',').map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        }
        reserv_web::kit::proxy::TrustedProxies::parse(&c.trusted_proxies)?;
        let https =
            c.notifications.public_url.as_deref().is_some_and(|u| u.to_ascii_lowercase().starts_with("https://"));
        c.secure_cookies = secure_cookies.unwrap_or(https);
        c.hsts = hsts.unwrap_or(https);
        if let Some(v) = env("RESERV_LOG") {
            c.log = v;
        }
        if let Some(v) = env("RESERV_AUDIT_CHECKPOINTS") {
            c.audit_checkpoints = Some(v.into());
        }
        if !(1..=24 * 60).contains(&c.audit_checkpoint_minutes) {
            return Err("audit: checkpoint_minutes must be between 1 and 1440".into());
        }
        if !["prator-000", "lifecare-sp-001"].contains(&c.handover_routine.as_str()) {
            return Err(format!(
                "handover_routine: unknown routine {:?} (prator-000 or lifecare-sp-001)",
                c.handover_routine
            ));
        }
        if c.session_hours < 1 || c.max_failed_logins < 1 || c.lockout_minutes < 1 {
            return Err("auth: session_hours, max_failed_logins and lockout_minutes must be at least 1".into());
        }
        if c.throttle_minutes < 1 {
            return Err("auth: throttle_minutes must be at least 1".into());
        }
        if c.max_api_tokens < 1 {
            return Err("auth: max_api_tokens must be at least 1".into());
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_apply_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        std::fs::write(&f, "listen = \"0.0.0.0:9000\"\ndata = \"/srv/reserv\"\n[auth]\nlockout_minutes = 30\nthrottle_per_address = 0\n")
            .unwrap();
        let env = |k: &str| (k == "RESERV_DATA").then(|| "/env/data".to_string());
        let c = Config::load(Some(&f), &env).unwrap();
        assert_eq!(c.listen, "0.0.0.0:9000");
        assert_eq!(c.data, PathBuf::from("/env/data"));
        assert_eq!(c.lockout_minutes, 30);
        assert_eq!((c.throttle_per_address, c.throttle_per_address_and_user, c.throttle_minutes), (0, 4, 15));
        assert_eq!(c.session_hours, 12);
    }

    #[test]
    fn secure_cookies_and_hsts_follow_an_https_public_url() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        let c = Config::load(None, &|_| None).unwrap();
        assert!(!c.secure_cookies && !c.hsts, "no public address: plain http");
        std::fs::write(&f, "[notifications]\npublic_url = \"https://reserv.example.se\"\n").unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert!(c.secure_cookies && c.hsts, "https: Secure and HSTS by default");
        std::fs::write(
            &f,
            "secure_cookies = false\nhsts = false\n[notifications]\npublic_url = \"https://reserv.example.se\"\n",
        )
        .unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert!(!c.secure_cookies && !c.hsts, "explicitly off");
        std::fs::write(&f, "[notifications]\npublic_url = \"http://reserv.test\"\n").unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert!(!c.secure_cookies && !c.hsts, "http: off");
        let env = |k: &str| (k == "RESERV_HSTS").then(|| "true".to_string());
        assert!(Config::load(Some(&f), &env).unwrap().hsts);
    }

    #[test]
    fn trusted_proxies_and_token_and_subscription_limits_are_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        let c = Config::load(None, &|_| None).unwrap();
        assert!(c.trusted_proxies.is_empty(), "none trusted by default");
        assert_eq!((c.max_api_tokens, c.subscriptions_per_address, c.subscriptions_per_hour), (20, 5, 200));
        std::fs::write(
            &f,
            "trusted_proxies = [\"10.0.0.1\", \"fd00::/8\"]\n[auth]\nmax_api_tokens = 3\n[subscriptions]\nper_address = 2\nper_hour = 50\n",
        )
        .unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert_eq!(c.trusted_proxies, ["10.0.0.1", "fd00::/8"]);
        assert_eq!((c.max_api_tokens, c.subscriptions_per_address, c.subscriptions_per_hour), (3, 2, 50));
        let env = |k: &str| (k == "RESERV_TRUSTED_PROXIES").then(|| "127.0.0.1, 10.0.0.0/8".to_string());
        assert_eq!(Config::load(Some(&f), &env).unwrap().trusted_proxies, ["127.0.0.1", "10.0.0.0/8"]);
        let env = |k: &str| (k == "RESERV_TRUSTED_PROXIES").then(|| "proxy.local".to_string());
        assert!(Config::load(None, &env).unwrap_err().contains("trusted_proxies"));
    }

    #[test]
    fn typos_and_bad_values_are_errors() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        std::fs::write(&f, "lissen = \"x\"\n").unwrap();
        assert!(Config::load(Some(&f), &|_| None).unwrap_err().contains("unknown field"));
        let env = |k: &str| (k == "RESERV_SECURE_COOKIES").then(|| "kanske".to_string());
        assert!(Config::load(None, &env).is_err());
        std::fs::write(&f, "[payment]\ncutoff = \"tolv\"\n").unwrap();
        assert!(Config::load(Some(&f), &|_| None).unwrap_err().contains("payment.cutoff"));
        std::fs::write(&f, "[payment]\ncounting = \"lunar\"\n").unwrap();
        assert!(Config::load(Some(&f), &|_| None).unwrap_err().contains("payment.counting"));
    }

    #[test]
    fn the_payment_agreement_and_policies_per_system_are_configurable() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        let text = "[backentry]\nprator = \"prator-long-outage-2024\"\n[payment]\ndays = 5\ncutoff = \"13:00\"\ncounting = \"working\"\n";
        std::fs::write(&f, text).unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert_eq!(c.backentry["prator"], "prator-long-outage-2024");
        assert_eq!(c.backentry["lifecare-sp"], "lifecare-sp-vasternorrland-2025");
        assert_eq!(c.payment.days, 5);
        assert_eq!(c.payment.cutoff, jiff::civil::Time::constant(13, 0, 0, 0));
        assert_eq!(c.payment.counting, reserv_core::payment::DayCounting::Working);
    }

    #[test]
    fn the_contacts_directory_comes_from_the_file_or_the_environment() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("r.toml");
        std::fs::write(&f, "contacts = \"/etc/reserv/contacts\"\n").unwrap();
        let c = Config::load(Some(&f), &|_| None).unwrap();
        assert_eq!(c.contacts, Some(PathBuf::from("/etc/reserv/contacts")));
        let env = |k: &str| (k == "RESERV_CONTACTS").then(|| "/env/contacts".to_string());
        assert_eq!(Config::load(Some(&f), &env).unwrap().contacts, Some(PathBuf::from("/env/contacts")));
        assert_eq!(Config::load(None, &|_| None).unwrap().contacts, None);
    }
}
