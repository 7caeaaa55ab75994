//! View models: what the templates show, formatted for one language. Pure
//! functions from application data to strings; no rule is decided here.

use reserv_app::{App, AppError};

use crate::kit::ctx::Ctx;
use crate::kit::i18n::{Lang, Texts, role_label};

/// What the page layout needs.
pub struct Layout {
    pub lang: &'static str,
    pub t: &'static Texts,
    pub user: Option<UserBadge>,
    pub csrf: String,
    pub path: String,
}

pub struct UserBadge {
    pub name: String,
    pub role: &'static str,
    pub org: String,
    pub manages_outages: bool,
    pub manages_users: bool,
    pub reads_audit: bool,
    pub manages_subscriptions: bool,
}

impl Layout {
    pub async fn new(ctx: &Ctx, app: &App) -> Layout {
        let user = match &ctx.principal {
            Some(p) => {
                let org = match app.organisation(&p.user.org).await {
                    Ok(Some(o)) => o.name,
                    _ => p.user.org.to_string(),
                };
                let r = p.user.role;
                Some(UserBadge {
                    name: p.user.display_name.clone(),
                    role: role_label(ctx.lang, r),
                    org,
                    manages_outages: r.may_manage_outages(),
                    manages_users: r.may_manage_users(),
                    reads_audit: r.may_read_audit_log(),
                    manages_subscriptions: reserv_core::access::Permissions::of(r).manages_subscriptions,
                })
            }
            None => None,
        };
        Layout { lang: ctx.lang.code(), t: ctx.lang.texts(), user, csrf: ctx.csrf.clone(), path: ctx.path.clone() }
    }
}

/// One error shown above a form, linked to its field.
pub struct FormError {
    pub field: Option<&'static str>,
    pub message: String,
}

impl FormError {
    pub fn from_app(lang: Lang, e: &AppError) -> FormError {
        FormError {
            field: e.field(),
            message: match lang {
                Lang::Sv => e.message_sv(),
                Lang::En => e.message_en(),
            },
        }
    }
}

/// The errors of one form, looked up by field key, so a template marks the
/// field itself (`aria-invalid`, the message above the input) as well as the
/// summary above the form.
pub trait ErrorsAt {
    /// The message about the field `key`, if any.
    fn at(&self, key: &str) -> Option<&str>;
}

impl ErrorsAt for Vec<FormError> {
    fn at(&self, key: &str) -> Option<&str> {
        self.iter().find(|e| e.field == Some(key)).map(|e| e.message.as_str())
    }
}

pub struct TimelineRow {
    pub at: String,
    pub who: String,
    pub what: String,
}
