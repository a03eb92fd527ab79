//! Identity: organisations, people, passwords, API tokens and browser sessions.
//!
//! * Passwords are hashed with argon2id (OWASP parameters: 19 MiB, 2 passes); a failed
//!   sign-in for an unknown address still runs one argon2 verification, so response time
//!   does not reveal which addresses exist.
//! * API tokens are 256 random bits shown once (`chk_…`), stored as a SHA-256 digest, so
//!   checking one is a single indexed lookup (microseconds, not an argon2 run). They carry
//!   scopes, an optional expiry and can be revoked.
//! * Sessions are 256 random bits in an HTTP-only cookie, stored as a digest, with a CSRF
//!   token that every form of the session must echo.
//! * Single sign-on: [`Identity::sign_in_external`] is the seam an OIDC callback calls after
//!   it has verified an ID token; it maps (issuer, subject) to an existing person.
//!
//! Every change is written with its audit entry in one transaction.

use argon2::{Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use ch_domain::{Actor, AuthMethod, OrgId, OrgKind, Role, Scope, Scopes, Sector, TokenId, UserId};
use ch_store::audit::{self, Who};
use ch_store::identity::{self as repo, ApiToken, Organisation, Session, User};
use ch_store::{Store, Tx};
use serde_json::json;
use sha2::{Digest, Sha256};

pub use ch_store::identity::{ApiToken as Token, Organisation as Org, User as Person};

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 12;
/// Prefix of every API token secret.
pub const TOKEN_PREFIX: &str = "chk_";
/// How long a browser session lasts (12 hours).
pub const SESSION_TTL_MS: i64 = 12 * 3600 * 1000;

/// Identity errors. Messages are safe to show: they never say whether an address exists.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Wrong address or password, or a disabled account (deliberately not told apart).
    #[error("the e-mail address or password is not right")]
    BadCredentials,
    /// Input was rejected.
    #[error("{0}")]
    Invalid(String),
    /// A glossary value was wrong.
    #[error(transparent)]
    Domain(#[from] ch_domain::Error),
    /// Storage failed, or an object was missing or duplicated.
    #[error(transparent)]
    Store(#[from] ch_store::Error),
    /// Randomness or hashing failed.
    #[error("cryptographic failure: {0}")]
    Crypto(String),
}

/// Result alias.
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn random_b64(n: usize) -> Result<String> {
    let mut b = vec![0u8; n];
    getrandom::fill(&mut b).map_err(|e| Error::Crypto(e.to_string()))?;
    Ok(base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b))
}

/// SHA-256 of a secret, hex.
pub fn digest(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

fn argon() -> Result<Argon2<'static>> {
    let params = Params::new(19 * 1024, 2, 1, None).map_err(|e| Error::Crypto(e.to_string()))?;
    Ok(Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params))
}

/// Hashes a password (argon2id, PHC string).
pub fn hash_password(pw: &str) -> Result<String> {
    if pw.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::Invalid(format!("a password needs at least {MIN_PASSWORD_LEN} characters")));
    }
    let h: PasswordHash = argon()?.hash_password(pw.as_bytes()).map_err(|e| Error::Crypto(e.to_string()))?;
    Ok(h.to_string())
}

fn verify_password(pw: &str, phc: &str) -> bool {
    argon().map(|a| PasswordVerifier::<str>::verify_password(&a, pw.as_bytes(), phc).is_ok()).unwrap_or(false)
}

/// A random password for generated accounts (demo, bootstrap): 20 URL-safe characters.
pub fn generate_password() -> Result<String> {
    random_b64(15)
}

/// A freshly made API token: the record and the secret, shown once.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The stored record.
    pub token: ApiToken,
    /// The secret; not stored anywhere.
    pub secret: String,
}

/// A freshly made session: the cookie value and the stored record.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// The cookie value; not stored.
    pub secret: String,
    /// The stored record (with its CSRF token).
    pub session: Session,
    /// Who signed in.
    pub user: User,
}

/// The identity service.
#[derive(Debug, Clone)]
pub struct Identity {
    store: Store,
    dummy_hash: String,
}

/// The organisation and role of a signed-in person, with their session's CSRF token.
#[derive(Debug, Clone)]
pub struct SessionActor {
    /// The actor.
    pub actor: Actor,
    /// The person.
    pub user: User,
    /// The session.
    pub session: Session,
}

impl Identity {
    /// The service over a store.
    pub fn new(store: Store) -> Result<Self> {
        // A real argon2 hash of a random password: failed look-ups verify against it.
        let dummy_hash = hash_password(&random_b64(24)?)?;
        Ok(Identity { store, dummy_hash })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Creates an organisation.
    pub async fn create_org(
        &self,
        who: &Who,
        now_ms: i64,
        name: &str,
        kind: OrgKind,
        sector: Option<Sector>,
    ) -> Result<Organisation> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(Error::Invalid("an organisation name needs 1 to 200 characters".into()));
        }
        kind.check_sector(sector)?;
        let org =
            Organisation { id: OrgId(uuid::Uuid::now_v7()), name: name.to_string(), kind, sector, created_at: now_ms };
        let mut tx = self.store.begin().await?;
        repo::insert_org(&mut tx, &org).await?;
        audit::record(
            &mut tx,
            who,
            now_ms,
            "organisation.create",
            "organisation",
            &org.id.as_string(),
            json!({"name": org.name, "kind": kind, "sector": sector}),
        )
        .await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Creates a person. With no password they cannot sign in until one is set (or SSO links them).
    #[allow(clippy::too_many_arguments)]
    pub async fn create_user(
        &self,
        who: &Who,
        now_ms: i64,
        org_id: OrgId,
        email: &str,
        display_name: &str,
        role: Role,
        password: Option<&str>,
    ) -> Result<User> {
        let email = email.trim().to_lowercase();
        if !valid_email(&email) {
            return Err(Error::Invalid(format!("not an e-mail address: {email:?}")));
        }
        let display_name = display_name.trim();
        if display_name.is_empty() || display_name.chars().count() > 200 {
            return Err(Error::Invalid("a name needs 1 to 200 characters".into()));
        }
        let password_hash = password.map(hash_password).transpose()?;
        let mut tx = self.store.begin().await?;
        let org = repo::get_org(&mut tx, org_id).await?;
        role.check_in(org.kind)?;
        let user = User {
            id: UserId(uuid::Uuid::now_v7()),
            org_id,
            email,
            display_name: display_name.to_string(),
            role,
            disabled: false,
            created_at: now_ms,
            password_hash,
        };
        repo::insert_user(&mut tx, &user).await?;
        audit::record(
            &mut tx,
            who,
            now_ms,
            "user.create",
            "user",
            &user.id.as_string(),
            json!({"org": org_id, "email": user.email, "role": role}),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Disables or re-enables a person; disabling ends their sessions at once.
    pub async fn set_disabled(&self, who: &Who, now_ms: i64, user: UserId, disabled: bool) -> Result<()> {
        let mut tx = self.store.begin().await?;
        repo::set_user_disabled(&mut tx, user, disabled).await?;
        if disabled {
            repo::delete_sessions_of(&mut tx, user).await?;
        }
        let action = if disabled { "user.disable" } else { "user.enable" };
        audit::record(&mut tx, who, now_ms, action, "user", &user.as_string(), json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Sets a person's password and ends their other sessions.
    pub async fn set_password(&self, who: &Who, now_ms: i64, user: UserId, password: &str) -> Result<()> {
        let h = hash_password(password)?;
        let mut tx = self.store.begin().await?;
        repo::set_password_hash(&mut tx, user, &h).await?;
        repo::delete_sessions_of(&mut tx, user).await?;
        audit::record(&mut tx, who, now_ms, "user.password", "user", &user.as_string(), json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an API token for `owner`. The secret is in the result and nowhere else.
    pub async fn create_token(
        &self,
        who: &Who,
        now_ms: i64,
        owner: UserId,
        name: &str,
        scopes: Scopes,
        expires_at: Option<i64>,
    ) -> Result<NewToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::Invalid("a token name needs 1 to 100 characters".into()));
        }
        if scopes.0.is_empty() {
            return Err(Error::Invalid("a token needs at least one scope".into()));
        }
        if let Some(e) = expires_at
            && e <= now_ms
        {
            return Err(Error::Invalid("the expiry must be in the future".into()));
        }
        let secret = format!("{TOKEN_PREFIX}{}", random_b64(32)?);
        let token = ApiToken {
            id: TokenId(uuid::Uuid::now_v7()),
            user_id: owner,
            name: name.to_string(),
            prefix: secret.chars().take(10).collect(),
            scopes,
            created_at: now_ms,
            expires_at,
            revoked_at: None,
            last_used_at: None,
            digest: digest(&secret),
        };
        let mut tx = self.store.begin().await?;
        let user = repo::get_user(&mut tx, owner).await?;
        if token.scopes.contains(Scope::Admin) && user.role != Role::Admin {
            return Err(Error::Invalid("only administrators can hold the admin scope".into()));
        }
        repo::insert_token(&mut tx, &token).await?;
        audit::record(
            &mut tx,
            who,
            now_ms,
            "token.create",
            "token",
            &token.id.as_string(),
            json!({"owner": owner, "name": token.name, "scopes": token.scopes.to_db(), "expires_at": expires_at}),
        )
        .await?;
        tx.commit().await?;
        Ok(NewToken { token, secret })
    }

    /// Revokes a token.
    pub async fn revoke_token(&self, who: &Who, now_ms: i64, id: TokenId) -> Result<()> {
        let mut tx = self.store.begin().await?;
        repo::revoke_token(&mut tx, id, now_ms).await?;
        audit::record(&mut tx, who, now_ms, "token.revoke", "token", &id.as_string(), json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn actor_for(
        &self,
        c: &mut ch_store::Conn,
        user_id: UserId,
        method: AuthMethod,
    ) -> Result<Option<(Actor, User)>> {
        let user = match repo::get_user(c, user_id).await {
            Ok(u) => u,
            Err(ch_store::Error::NotFound(_)) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if user.disabled {
            return Ok(None);
        }
        let org = repo::get_org(c, user.org_id).await?;
        let actor = Actor {
            user_id: user.id,
            org_id: org.id,
            org_kind: org.kind,
            role: user.role,
            scopes: Scopes::all(),
            method,
            token: None,
        };
        Ok(Some((actor, user)))
    }

    /// Checks a bearer token: one digest lookup. `None` for unknown, expired, revoked, or
    /// a disabled owner.
    pub async fn authenticate_token(&self, secret: &str, now_ms: i64) -> Result<Option<Actor>> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        let mut c = self.store.conn().await?;
        let Some(t) = repo::find_token_by_digest(&mut c, &digest(secret)).await? else {
            return Ok(None);
        };
        if t.revoked_at.is_some() || t.expires_at.is_some_and(|e| e <= now_ms) {
            return Ok(None);
        }
        let Some((mut actor, _)) = self.actor_for(&mut c, t.user_id, AuthMethod::Token).await? else {
            return Ok(None);
        };
        actor.scopes = t.scopes.clone();
        actor.token = Some(t.id);
        if t.last_used_at.is_none_or(|u| u < now_ms - 60_000) {
            repo::touch_token(&mut c, t.id, now_ms).await?;
        }
        Ok(Some(actor))
    }

    /// Signs a person in with e-mail and password; records success and failure.
    pub async fn login(&self, email: &str, password: &str, source: &str, now_ms: i64) -> Result<NewSession> {
        let mut c = self.store.conn().await?;
        let user = repo::find_user_by_email(&mut c, email.trim()).await?;
        drop(c);
        let ok = match &user {
            Some(u) => match &u.password_hash {
                Some(h) => verify_password(password, h) && !u.disabled,
                None => {
                    verify_password(password, &self.dummy_hash);
                    false
                }
            },
            None => {
                verify_password(password, &self.dummy_hash);
                false
            }
        };
        let Some(user) = user.filter(|_| ok) else {
            let mut tx = self.store.begin().await?;
            let email_shown: String = email.trim().chars().take(200).collect();
            audit::record(
                &mut tx,
                &Who::anonymous(source),
                now_ms,
                "session.login_failed",
                "session",
                "-",
                json!({"email": email_shown}),
            )
            .await?;
            tx.commit().await?;
            return Err(Error::BadCredentials);
        };
        let mut tx = self.store.begin().await?;
        let s = self.start_session(&mut tx, &user, source, now_ms).await?;
        tx.commit().await?;
        Ok(s)
    }

    async fn start_session(&self, tx: &mut Tx, user: &User, source: &str, now_ms: i64) -> Result<NewSession> {
        let secret = random_b64(32)?;
        let session = Session {
            digest: digest(&secret),
            user_id: user.id,
            csrf: random_b64(24)?,
            source: source.chars().take(100).collect(),
            created_at: now_ms,
            expires_at: now_ms + SESSION_TTL_MS,
        };
        repo::insert_session(tx, &session).await?;
        let who =
            Who { actor: format!("user:{}", user.id), org: Some(user.org_id.as_string()), source: source.to_string() };
        audit::record(tx, &who, now_ms, "session.login", "user", &user.id.as_string(), json!({})).await?;
        Ok(NewSession { secret, session, user: user.clone() })
    }

    /// The single-sign-on seam: after an OIDC callback has verified an ID token, map its
    /// (issuer, subject) to a person; a person not yet linked is linked by verified e-mail.
    /// People are never created here: an administrator creates them first.
    pub async fn sign_in_external(
        &self,
        issuer: &str,
        subject: &str,
        verified_email: Option<&str>,
        source: &str,
        now_ms: i64,
    ) -> Result<NewSession> {
        let mut tx = self.store.begin().await?;
        let user = match repo::find_user_by_external(&mut tx, issuer, subject).await? {
            Some(u) => u,
            None => {
                let Some(email) = verified_email else { return Err(Error::BadCredentials) };
                let Some(u) = repo::find_user_by_email(&mut tx, email).await? else {
                    return Err(Error::BadCredentials);
                };
                repo::link_external(&mut tx, u.id, issuer, subject).await?;
                u
            }
        };
        if user.disabled {
            return Err(Error::BadCredentials);
        }
        let s = self.start_session(&mut tx, &user, source, now_ms).await?;
        tx.commit().await?;
        Ok(s)
    }

    /// The person behind a session cookie, if the session is live and they are enabled.
    pub async fn session_actor(&self, secret: &str, now_ms: i64) -> Result<Option<SessionActor>> {
        if secret.len() > 200 {
            return Ok(None);
        }
        let mut c = self.store.conn().await?;
        let Some(session) = repo::find_session(&mut c, &digest(secret), now_ms).await? else {
            return Ok(None);
        };
        Ok(self.actor_for(&mut c, session.user_id, AuthMethod::Session).await?.map(|(actor, user)| SessionActor {
            actor,
            user,
            session,
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, secret: &str, who: &Who, now_ms: i64) -> Result<()> {
        let mut tx = self.store.begin().await?;
        repo::delete_session(&mut tx, &digest(secret)).await?;
        audit::record(&mut tx, who, now_ms, "session.logout", "session", "-", json!({})).await?;
        tx.commit().await?;
        Ok(())
    }

    /// On an empty database, creates the clearinghouse organisation and its first
    /// administrator. Refuses once anyone exists.
    pub async fn bootstrap_admin(&self, now_ms: i64, email: &str, name: &str, password: &str) -> Result<User> {
        let mut c = self.store.conn().await?;
        if repo::count_users(&mut c).await? > 0 {
            return Err(Error::Invalid(
                "the database already has users; bootstrap is only for an empty database".into(),
            ));
        }
        let org = match repo::find_org_by_name(&mut c, "Clearinghouse").await? {
            Some(o) => o,
            None => self.create_org(&Who::cli(), now_ms, "Clearinghouse", OrgKind::Clearinghouse, None).await?,
        };
        drop(c);
        self.create_user(&Who::cli(), now_ms, org.id, email, name, Role::Admin, Some(password)).await
    }
}

fn valid_email(e: &str) -> bool {
    let Some((local, domain)) = e.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && e.len() <= 254
        && !e.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for (e, ok) in [("a@b.org", true), ("a@b", false), ("@b.org", false), ("a b@c.org", false), ("a@.org", false)] {
            assert_eq!(valid_email(e), ok, "{e}");
        }
    }

    #[test]
    fn password_rules_and_verify() {
        assert!(hash_password("short").is_err());
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterx", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn digests_are_sha256_hex() {
        assert_eq!(digest("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
