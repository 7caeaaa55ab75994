//! Local accounts: argon2id password hashes, login with lockout after
//! repeated failures, sessions for browsers (with a CSRF token) and bearer
//! tokens for API clients. Only a hash of a session token is stored.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use blake2::{Blake2s256, Digest};
use jiff::SignedDuration;

use reserv_store::{SessionKind, SessionRecord, UserRecord};

use crate::{Actor, App, AppError, Origin, Principal};

/// A fresh random secret, hex-encoded (32 bytes of entropy).
pub fn random_token() -> Result<String, AppError> {
    let mut buf = [0u8; 32];
    getrandom::fill(&mut buf).map_err(|e| AppError::Internal(format!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The stored form of a session token.
pub fn token_hash(token: &str) -> String {
    hex(&Blake2s256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id (OWASP parameters, the crate's defaults).
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h| h.to_string())
            .map_err(|e| AppError::Internal(format!("cannot hash password: {e}")))
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || Argon2::default().verify_password(password.as_bytes(), hash.as_str()).is_ok())
        .await
        .unwrap_or(false)
}

/// A hash of a password nobody has, checked when the username is unknown so
/// that the answer takes as long as for a real account.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cmVzZXJ2LWR1bW15LXNhbHQ$3c5n0mG7nY1DAt5cWmXx3q2tTg1NcKqz6W2pX2oNv9E";

/// A new login.
pub struct NewSession {
    /// The secret to hand to the client (cookie value or bearer token); never stored.
    pub token: String,
    pub session: SessionRecord,
    pub user: UserRecord,
}

/// How many hex digits of the hash of an unknown username the audit log keeps.
const USERNAME_HASH_HEX: usize = 12;

/// What the audit log keeps of a typed username that is no account: a short
/// salted hash (BLAKE2s-256 of the installation's node id and the trimmed
/// text, its first 12 hex digits), never the text, which is often a password
/// typed into the wrong field. The same text gives the same hash on one
/// installation, so repeated attempts can still be told apart in a review.
/// The node id is not secret (it is on every audit record): the salt keeps
/// one installation's hashes from matching another's, not a determined
/// guesser from testing candidate texts against them.
pub fn unknown_username_hash(node_id: &str, typed: &str) -> String {
    let mut h = Blake2s256::new();
    h.update(node_id.as_bytes());
    h.update([0u8]);
    h.update(typed.trim().as_bytes());
    let mut hex = hex(&h.finalize());
    hex.truncate(USERNAME_HASH_HEX);
    hex
}

/// The key a username is throttled under: trimmed, bounded and folded to
/// lower case (usernames are compared without case).
fn throttle_key(username: &str) -> String {
    username.trim().chars().take(64).collect::<String>().to_lowercase()
}

impl App {
    /// Checks a username and password and opens a session of `kind`.
    ///
    /// Every refusal that an attacker without the password could see is the
    /// same for an unknown username, a wrong password and a locked account
    /// (`BadCredentials`, after an argon2 verification each), so neither the
    /// answer nor its timing tells which usernames exist or are locked. The
    /// one other refusal, `LoginThrottled`, depends only on the client
    /// address and the typed text (see [`crate::throttle`]), and comes
    /// before any lookup or verification. A lock that has expired starts the
    /// count again: one wrong password after it does not lock anew.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        kind: SessionKind,
        origin: &Origin,
    ) -> Result<NewSession, AppError> {
        let now = self.now();
        let key = throttle_key(username);
        if let Err(refusal) = self.login_throttle.check(&origin.0, &key, now) {
            if refusal.first {
                let detail = format!("throttled per {} until {}", refusal.throttled.key(), refusal.throttled.until());
                let audit = self.audit(Actor::System("anonymous"), origin, "login.throttled", None, detail);
                self.store.append_audit(audit).await?;
            }
            return Err(AppError::LoginThrottled { until: refusal.throttled.until() });
        }
        let Some(user) = self.store.user_by_username(username.trim()).await? else {
            let _ = verify_password(password.to_owned(), DUMMY_HASH.to_owned()).await;
            self.login_throttle.failed(&origin.0, &key, now);
            let hash = unknown_username_hash(self.store.node_id(), username);
            let detail = format!("unknown username (hash {hash})");
            self.store
                .append_audit(self.audit(Actor::System("anonymous"), origin, "login.failed", None, detail))
                .await?;
            return Err(AppError::BadCredentials);
        };
        // The same work as for a wrong password, whatever the outcome.
        let verified = verify_password(password.to_owned(), user.password_hash.clone()).await;
        if let Some(until) = user.locked_until
            && until > now
        {
            self.login_throttle.failed(&origin.0, &key, now);
            let audit = self.audit(Actor::Person(&user), origin, "login.refused_locked", None, String::new());
            self.store.append_audit(audit).await?;
            return Err(AppError::BadCredentials);
        }
        if !verified {
            let counts = self.login_throttle.failed(&origin.0, &key, now);
            if !counts {
                // This address has had its share of the lock's count.
                let detail = "not counted towards the lock: throttled address".to_owned();
                let audit = self.audit(Actor::Person(&user), origin, "login.failed", None, detail);
                self.store.append_audit(audit).await?;
                return Err(AppError::BadCredentials);
            }
            // A lock that has expired is over: the count starts again.
            let before = if user.locked_until.is_some() { 0 } else { user.failed_logins };
            let failed = before.saturating_add(1);
            let locked_until = (failed >= self.settings.max_failed_logins)
                .then(|| now + SignedDuration::from_mins(self.settings.lockout_minutes));
            let action = if locked_until.is_some() { "login.locked" } else { "login.failed" };
            let audit =
                self.audit(Actor::Person(&user), origin, action, None, format!("{failed} consecutive failures"));
            self.store.record_login_failure(user.id, failed, locked_until, audit).await?;
            return Err(AppError::BadCredentials);
        }
        self.login_throttle.succeeded(&origin.0, &key);
        let token = random_token()?;
        let session = SessionRecord {
            token_hash: token_hash(&token),
            user_id: user.id,
            kind,
            csrf_token: random_token()?,
            created_at: now,
            expires_at: now + SignedDuration::from_hours(self.settings.session_hours),
        };
        let audit = self.audit(Actor::Person(&user), origin, "login.success", None, kind.key().to_owned());
        match kind {
            SessionKind::Browser => self.store.record_login_success(session.clone(), audit).await?,
            SessionKind::Api => {
                // At most `max_api_tokens` live tokens: the oldest go, in
                // the same transaction (so it holds across servers).
                let cap = self.settings.max_api_tokens.max(1);
                let revoked = self.store.record_login_success_capped(session.clone(), cap, audit).await?;
                if revoked > 0 {
                    let detail = format!("{revoked} oldest token(s) revoked: at most {cap} live tokens");
                    let audit = self.audit(Actor::Person(&user), origin, "token.revoked_oldest", None, detail);
                    self.store.append_audit(audit).await?;
                }
            }
        }
        Ok(NewSession { token, session, user })
    }

    /// A browser login: as [`App::login`], and the session the browser
    /// already had (`previous`, its cookie's), if any, is ended, so one
    /// browser never holds more than one live session and its logout ends
    /// them all.
    pub async fn login_browser(
        &self,
        username: &str,
        password: &str,
        previous: Option<&Principal>,
        origin: &Origin,
    ) -> Result<NewSession, AppError> {
        let s = self.login(username, password, SessionKind::Browser, origin).await?;
        if let Some(p) = previous {
            let audit =
                self.audit(Actor::Person(&p.user), origin, "logout", None, "replaced by a new login".to_owned());
            self.store.delete_session(&p.session.token_hash, audit).await?;
        }
        Ok(s)
    }

    /// Resolves a session cookie or bearer token to the person behind it.
    pub async fn authenticate(&self, token: &str, kind: SessionKind, origin: Origin) -> Result<Principal, AppError> {
        match self.store.session(&token_hash(token), self.now()).await? {
            Some((session, user)) if session.kind == kind => Ok(Principal { user, session, origin }),
            _ => Err(AppError::Unauthenticated),
        }
    }

    /// Ends a session.
    pub async fn logout(&self, p: &Principal) -> Result<(), AppError> {
        let audit = self.audit(Actor::Person(&p.user), &p.origin, "logout", None, String::new());
        Ok(self.store.delete_session(&p.session.token_hash, audit).await?)
    }

    /// "Logga ut överallt": ends every browser session and revokes every
    /// API token of the person (audited, with how many); returns that number.
    pub async fn logout_everywhere(&self, p: &Principal) -> Result<u64, AppError> {
        let audit = self.audit(
            Actor::Person(&p.user),
            &p.origin,
            "logout.everywhere",
            None,
            "every session and API token ended".to_owned(),
        );
        let n = self.store.delete_user_sessions(p.user.id, audit).await?;
        tracing::info!(user = %p.user.username, sessions = n, "logged out everywhere");
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_the_dummy_hash_parses() {
        let h = hash_password("correct horse".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse".into(), h.clone()).await);
        assert!(!verify_password("wrong".into(), h.clone()).await);
        // The dummy must be a well-formed hash, or unknown users would answer faster.
        assert!(argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).is_ok());
        // And it must cost what a real hash costs: the same parameters.
        let real = argon2::password_hash::phc::PasswordHash::new(&h).unwrap();
        let dummy = argon2::password_hash::phc::PasswordHash::new(DUMMY_HASH).unwrap();
        assert_eq!(real.params.to_string(), dummy.params.to_string());
    }

    #[test]
    fn unknown_usernames_are_kept_as_a_short_salted_hash() {
        let a = unknown_username_hash("node-a", "Hunter2-MyPassword!");
        assert_eq!(a.len(), 12);
        assert!(a.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(!a.contains("Hunter"));
        assert_eq!(a, unknown_username_hash("node-a", "  Hunter2-MyPassword! "), "trimmed, like the lookup");
        assert_ne!(a, unknown_username_hash("node-b", "Hunter2-MyPassword!"), "salted per installation");
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let (a, b) = (random_token().unwrap(), random_token().unwrap());
        assert_ne!(a, b);
        assert_eq!(a.len(), 64);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
    }
}
