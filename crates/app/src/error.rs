//! The application's error type: every failure a caller can see, each with a
//! stable code and a Swedish and English message. The web edge maps it to an
//! HTTP status once; the CLI prints the message and exits non-zero.

use jiff::Timestamp;
use reserv_core::DomainError;
use reserv_core::ids::OutageId;
use reserv_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Invalid(#[from] DomainError),
    /// A wrong password, an unknown username or a locked account: one
    /// answer for all three, so that it does not tell which accounts exist.
    #[error("wrong username or password, or the account is locked")]
    BadCredentials,
    /// Too many failed logins from this client address (see `throttle`);
    /// the same for every username.
    #[error("too many failed logins from this address until {until}")]
    LoginThrottled { until: Timestamp },
    #[error("not logged in")]
    Unauthenticated,
    #[error("not permitted for this role")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("conflict: {0}")]
    Conflict(String),
    /// A declaration for a system that already has an ongoing outage, not
    /// confirmed (`confirm_same_system`).
    #[error("{system_name} already has an ongoing outage ({outage})")]
    OngoingOnSameSystem { outage: OutageId, system_name: String, start: Timestamp },
    /// Too many requests of one kind (confirmation mails to one address).
    #[error("too many requests")]
    RateLimited,
    /// Too many subscription requests from this client address, or from
    /// everyone together, for now (`throttle::SubscriptionThrottle`).
    #[error("too many subscription requests until {until}")]
    SubscriptionThrottled { until: Timestamp },
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::MissingReference(m) => AppError::Conflict(m),
            StoreError::Corrupt(m) => AppError::Internal(m),
        }
    }
}

impl AppError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            AppError::Invalid(d) => d.code(),
            AppError::BadCredentials => "bad_credentials",
            AppError::LoginThrottled { .. } => "login_throttled",
            AppError::Unauthenticated => "unauthenticated",
            AppError::Forbidden => "forbidden",
            AppError::NotFound => "not_found",
            AppError::Conflict(_) => "conflict",
            AppError::OngoingOnSameSystem { .. } => "ongoing_outage_same_system",
            AppError::RateLimited => "rate_limited",
            AppError::SubscriptionThrottled { .. } => "subscription_throttled",
            AppError::Unavailable(_) => "store_unavailable",
            AppError::Internal(_) => "internal",
        }
    }

    /// The field the error is about, if any.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            AppError::Invalid(d) => d.field().map(|f| f.key()),
            _ => None,
        }
    }

    pub fn message_sv(&self) -> String {
        match self {
            AppError::Invalid(d) => d.message_sv(),
            AppError::BadCredentials => "Fel användarnamn eller lösenord. Efter flera misslyckade försök låses kontot en stund; vänta då och försök igen.".into(),
            AppError::LoginThrottled { until } => format!(
                "För många misslyckade inloggningar från den här datorn. Försök igen efter {}.",
                reserv_core::time::format_local(*until)
            ),
            AppError::Unauthenticated => "Du är inte inloggad, eller så har inloggningen gått ut.".into(),
            AppError::Forbidden => "Din roll har inte behörighet till detta.".into(),
            AppError::NotFound => "Hittades inte.".into(),
            AppError::RateLimited => {
                "För många förfrågningar till den här adressen. Vänta en timme och försök igen.".into()
            }
            AppError::SubscriptionThrottled { until } => format!(
                "För många prenumerationer har begärts härifrån just nu. Försök igen efter {}.",
                reserv_core::time::format_local(*until)
            ),
            AppError::OngoingOnSameSystem { system_name, start, .. } => format!(
                "{system_name} har redan ett pågående avbrott (sedan {}). Bekräfta att du vill registrera ett till avbrott för samma system.",
                reserv_core::time::format_local(*start)
            ),
            AppError::Conflict(_) => {
                "Uppgiften har ändrats av någon annan eller finns redan. Ladda om sidan och försök igen.".into()
            }
            AppError::Unavailable(_) => {
                "Reserv kan inte spara just nu (lagringen är inte skrivbar). Inget sparades; använd pappersrutinen och försök igen."
                    .into()
            }
            AppError::Internal(_) => "Ett internt fel uppstod. Inget sparades.".into(),
        }
    }

    pub fn message_en(&self) -> String {
        match self {
            AppError::Invalid(d) => d.message_en(),
            AppError::BadCredentials => "Wrong username or password. After several failed attempts the account is locked for a while; then wait and try again.".into(),
            AppError::LoginThrottled { until } => format!(
                "Too many failed logins from this computer. Try again after {}.",
                reserv_core::time::format_local(*until)
            ),
            AppError::Unauthenticated => "You are not logged in, or your login has expired.".into(),
            AppError::Forbidden => "Your role is not permitted to do this.".into(),
            AppError::NotFound => "Not found.".into(),
            AppError::RateLimited => "Too many requests for this address. Wait an hour and try again.".into(),
            AppError::SubscriptionThrottled { until } => format!(
                "Too many subscriptions have been requested from here for now. Try again after {}.",
                reserv_core::time::format_local(*until)
            ),
            AppError::OngoingOnSameSystem { system_name, start, .. } => format!(
                "{system_name} already has an ongoing outage (since {}). Confirm that you want to declare another outage of the same system.",
                reserv_core::time::format_local(*start)
            ),
            AppError::Conflict(_) => "Someone else changed this, or it exists already. Reload and try again.".into(),
            AppError::Unavailable(_) => {
                "Reserv cannot save right now (the store is not writable). Nothing was saved; use the paper routine and try again."
                    .into()
            }
            AppError::Internal(_) => "An internal error occurred. Nothing was saved.".into(),
        }
    }
}
