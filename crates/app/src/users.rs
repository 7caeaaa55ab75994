//! Accounts: the system administrator (or the CLI, for the first one) creates
//! users with a role in one organisation. Every change is audited.

use uuid::Uuid;

use reserv_core::error::{DomainError, Field, check_text};
use reserv_core::ids::{OrgId, UserId};
use reserv_core::org::Role;
use reserv_store::UserRecord;

use crate::auth::hash_password;
use crate::{Actor, App, AppError, Origin, Principal};

/// The shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 10;

#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewUserInput {
    pub username: String,
    #[serde(default)]
    pub display_name: String,
    pub org: String,
    pub role: String,
    pub password: String,
    /// Routine role keys (`nurse`, `inpatient_care`, …); empty: the
    /// organisation's default applies.
    #[serde(default)]
    pub routine_roles: Vec<String>,
}

fn check_username(s: &str) -> Result<String, DomainError> {
    let u = check_text(Field::Username, s, 64, true)?;
    let ok = u.len() >= 3 && u.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    if ok {
        Ok(u)
    } else {
        Err(DomainError::Invalid {
            field: Field::Username,
            message: "3–64 tecken: a–z, 0–9, punkt, understreck eller bindestreck.".into(),
        })
    }
}

impl App {
    /// Creates an account. `by` is the administrator, or `None` for the CLI.
    pub async fn create_user(
        &self,
        by: Option<&Principal>,
        input: NewUserInput,
        origin: &Origin,
    ) -> Result<UserRecord, AppError> {
        self.create_user_with_hash(by, input, None, origin).await
    }

    /// As [`App::create_user`], with the password's hash made already (the
    /// demo accounts share one password: hashing it once is most of a demo
    /// start). The password is still checked.
    pub(crate) async fn create_user_with_hash(
        &self,
        by: Option<&Principal>,
        input: NewUserInput,
        password_hash: Option<String>,
        origin: &Origin,
    ) -> Result<UserRecord, AppError> {
        if let Some(p) = by
            && !p.user.role.may_manage_users()
        {
            return Err(AppError::Forbidden);
        }
        let username = check_username(&input.username)?;
        let display_name = match check_text(Field::DisplayName, &input.display_name, 120, false)? {
            n if n.is_empty() => username.clone(),
            n => n,
        };
        let role = Role::parse(&input.role)?;
        let routine_roles = reserv_core::checklist::parse_roles(Field::RoutineRoles, &input.routine_roles)?;
        let org = OrgId::parse(input.org.trim()).map_err(|_| DomainError::UnknownValue {
            field: Field::Organisation,
            value: input.org.chars().take(64).collect(),
        })?;
        if self.store.organisation(&org).await?.is_none() {
            return Err(DomainError::UnknownValue { field: Field::Organisation, value: org.to_string() }.into());
        }
        if input.password.chars().count() < MIN_PASSWORD_CHARS {
            return Err(DomainError::Invalid {
                field: Field::Password,
                message: format!("minst {MIN_PASSWORD_CHARS} tecken."),
            }
            .into());
        }
        let user = UserRecord {
            id: UserId(Uuid::now_v7()),
            username,
            display_name,
            org,
            role,
            password_hash: match password_hash {
                Some(h) => h,
                None => hash_password(input.password).await?,
            },
            failed_logins: 0,
            locked_until: None,
            created_at: self.now(),
            routine_roles,
        };
        let actor = by.map(|p| Actor::Person(&p.user)).unwrap_or(Actor::System("cli"));
        let mut detail = format!("role {} in {}", user.role.key(), user.org);
        if !user.routine_roles.is_empty() {
            let keys: Vec<&str> = user.routine_roles.iter().map(|r| r.key()).collect();
            detail.push_str(&format!(", routine roles {}", keys.join(", ")));
        }
        let audit = self.audit(actor, origin, "user.created", Some(format!("user:{}", user.username)), detail);
        self.store.insert_user(user.clone(), audit).await?;
        Ok(user)
    }

    /// All accounts, for the system administrator.
    pub async fn users(&self, p: &Principal) -> Result<Vec<UserRecord>, AppError> {
        if !p.user.role.may_manage_users() {
            return Err(AppError::Forbidden);
        }
        Ok(self.store.users().await?)
    }
}
