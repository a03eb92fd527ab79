//! Organisations, users, API tokens and browser sessions.
//!
//! Tokens and sessions are stored only as SHA-256 digests of their secret; the secret
//! itself is shown once and never stored.

use ch_domain::{OrgId, OrgKind, Role, Scopes, Sector, TokenId, UserId};
use serde::Serialize;
use sqlx::AnyConnection;

use crate::{Error, Result, expect_one, parse};

/// An organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    /// Id.
    pub id: OrgId,
    /// Unique display name.
    pub name: String,
    /// Kind.
    pub kind: OrgKind,
    /// Sector (operators only).
    pub sector: Option<Sector>,
    /// Created, ms since the epoch.
    pub created_at: i64,
}

type OrgRow = (String, String, String, Option<String>, i64);

fn org_from(r: OrgRow) -> Result<Organisation> {
    Ok(Organisation {
        id: parse(&r.0, "organisations.id")?,
        name: r.1,
        kind: parse(&r.2, "organisations.kind")?,
        sector: r.3.as_deref().map(|s| parse(s, "organisations.sector")).transpose()?,
        created_at: r.4,
    })
}

/// Inserts an organisation.
pub async fn insert_org(c: &mut AnyConnection, o: &Organisation) -> Result<()> {
    sqlx::query("INSERT INTO organisations (id, name, kind, sector, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(o.id.as_string())
        .bind(&o.name)
        .bind(o.kind.as_str())
        .bind(o.sector.map(|s| s.as_str()))
        .bind(o.created_at)
        .execute(c)
        .await
        .map_err(|e| match Error::from(e) {
            Error::Conflict(_) => Error::Conflict("an organisation with that name"),
            other => other,
        })?;
    Ok(())
}

/// All organisations by name.
pub async fn list_orgs(c: &mut AnyConnection) -> Result<Vec<Organisation>> {
    let rows: Vec<OrgRow> =
        sqlx::query_as("SELECT id, name, kind, sector, created_at FROM organisations ORDER BY name")
            .fetch_all(c)
            .await?;
    rows.into_iter().map(org_from).collect()
}

/// One organisation.
pub async fn get_org(c: &mut AnyConnection, id: OrgId) -> Result<Organisation> {
    let row: Option<OrgRow> =
        sqlx::query_as("SELECT id, name, kind, sector, created_at FROM organisations WHERE id = $1")
            .bind(id.as_string())
            .fetch_optional(c)
            .await?;
    org_from(row.ok_or(Error::NotFound("organisation"))?)
}

/// One organisation by name.
pub async fn find_org_by_name(c: &mut AnyConnection, name: &str) -> Result<Option<Organisation>> {
    let row: Option<OrgRow> =
        sqlx::query_as("SELECT id, name, kind, sector, created_at FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(c)
            .await?;
    row.map(org_from).transpose()
}

/// A person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Id.
    pub id: UserId,
    /// Organisation.
    pub org_id: OrgId,
    /// Unique e-mail address (the login name).
    pub email: String,
    /// Name shown on pages.
    pub display_name: String,
    /// Role.
    pub role: Role,
    /// Whether sign-in is refused.
    pub disabled: bool,
    /// Created, ms since the epoch.
    pub created_at: i64,
    /// argon2id PHC string; never serialised.
    #[serde(skip)]
    pub password_hash: Option<String>,
}

type UserRow = (String, String, String, String, String, i64, i64, Option<String>);
const USER_COLS: &str = "id, org_id, email, display_name, role, disabled, created_at, password_hash";

fn user_from(r: UserRow) -> Result<User> {
    Ok(User {
        id: parse(&r.0, "users.id")?,
        org_id: parse(&r.1, "users.org_id")?,
        email: r.2,
        display_name: r.3,
        role: parse(&r.4, "users.role")?,
        disabled: r.5 != 0,
        created_at: r.6,
        password_hash: r.7,
    })
}

/// Inserts a person.
pub async fn insert_user(c: &mut AnyConnection, u: &User) -> Result<()> {
    sqlx::query(
        "INSERT INTO users (id, org_id, email, display_name, role, disabled, created_at, password_hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(u.id.as_string())
    .bind(u.org_id.as_string())
    .bind(&u.email)
    .bind(&u.display_name)
    .bind(u.role.as_str())
    .bind(i64::from(u.disabled))
    .bind(u.created_at)
    .bind(u.password_hash.as_deref())
    .execute(c)
    .await
    .map_err(|e| match Error::from(e) {
        Error::Conflict(_) => Error::Conflict("a user with that e-mail address"),
        other => other,
    })?;
    Ok(())
}

/// One person.
pub async fn get_user(c: &mut AnyConnection, id: UserId) -> Result<User> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE id = $1"));
    let row: Option<UserRow> = sqlx::query_as(q).bind(id.as_string()).fetch_optional(c).await?;
    user_from(row.ok_or(Error::NotFound("user"))?)
}

/// One person by e-mail (case-insensitive).
pub async fn find_user_by_email(c: &mut AnyConnection, email: &str) -> Result<Option<User>> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE lower(email) = lower($1)"));
    let row: Option<UserRow> = sqlx::query_as(q).bind(email).fetch_optional(c).await?;
    row.map(user_from).transpose()
}

/// People, of one organisation or of all.
pub async fn list_users(c: &mut AnyConnection, org: Option<OrgId>) -> Result<Vec<User>> {
    let rows: Vec<UserRow> = match org {
        Some(o) => {
            let q = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE org_id = $1 ORDER BY email"));
            sqlx::query_as(q).bind(o.as_string()).fetch_all(c).await?
        }
        None => {
            let q = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users ORDER BY email"));
            sqlx::query_as(q).fetch_all(c).await?
        }
    };
    rows.into_iter().map(user_from).collect()
}

/// Counts people (an empty database has none; bootstrap needs that).
pub async fn count_users(c: &mut AnyConnection) -> Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users").fetch_one(c).await?;
    Ok(n)
}

/// Sets or clears a person's disabled flag.
pub async fn set_user_disabled(c: &mut AnyConnection, id: UserId, disabled: bool) -> Result<()> {
    let r = sqlx::query("UPDATE users SET disabled = $1 WHERE id = $2")
        .bind(i64::from(disabled))
        .bind(id.as_string())
        .execute(c)
        .await?;
    expect_one(r, "user")
}

/// Replaces a person's password hash.
pub async fn set_password_hash(c: &mut AnyConnection, id: UserId, hash: &str) -> Result<()> {
    let r = sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(id.as_string())
        .execute(c)
        .await?;
    expect_one(r, "user")
}

/// An API token's stored record (the secret itself is never stored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ApiToken {
    /// Id.
    pub id: TokenId,
    /// Owner.
    pub user_id: UserId,
    /// Owner's label for it.
    pub name: String,
    /// First characters of the secret, to recognise it in lists.
    pub prefix: String,
    /// Scopes.
    pub scopes: Scopes,
    /// Created, ms.
    pub created_at: i64,
    /// Expiry, ms.
    pub expires_at: Option<i64>,
    /// Revoked, ms.
    pub revoked_at: Option<i64>,
    /// Last used, ms.
    pub last_used_at: Option<i64>,
    /// SHA-256 of the secret, hex; never serialised.
    #[serde(skip)]
    pub digest: String,
}

type TokenRow = (String, String, String, String, String, i64, Option<i64>, Option<i64>, Option<i64>, String);
const TOKEN_COLS: &str = "id, user_id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, digest";

fn token_from(r: TokenRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: parse(&r.0, "api_tokens.id")?,
        user_id: parse(&r.1, "api_tokens.user_id")?,
        name: r.2,
        prefix: r.3,
        scopes: parse(&r.4, "api_tokens.scopes")?,
        created_at: r.5,
        expires_at: r.6,
        revoked_at: r.7,
        last_used_at: r.8,
        digest: r.9,
    })
}

/// Inserts a token record.
pub async fn insert_token(c: &mut AnyConnection, t: &ApiToken) -> Result<()> {
    sqlx::query(
        "INSERT INTO api_tokens (id, user_id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at, digest) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(t.id.as_string())
    .bind(t.user_id.as_string())
    .bind(&t.name)
    .bind(&t.prefix)
    .bind(t.scopes.to_db())
    .bind(t.created_at)
    .bind(t.expires_at)
    .bind(t.revoked_at)
    .bind(t.last_used_at)
    .bind(&t.digest)
    .execute(c)
    .await?;
    Ok(())
}

/// A token by the digest of its secret.
pub async fn find_token_by_digest(c: &mut AnyConnection, digest: &str) -> Result<Option<ApiToken>> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE digest = $1"));
    let row: Option<TokenRow> = sqlx::query_as(q).bind(digest).fetch_optional(c).await?;
    row.map(token_from).transpose()
}

/// One token.
pub async fn get_token(c: &mut AnyConnection, id: TokenId) -> Result<ApiToken> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {TOKEN_COLS} FROM api_tokens WHERE id = $1"));
    let row: Option<TokenRow> = sqlx::query_as(q).bind(id.as_string()).fetch_optional(c).await?;
    token_from(row.ok_or(Error::NotFound("token"))?)
}

/// Tokens of a person, newest first.
pub async fn list_tokens(c: &mut AnyConnection, user: UserId) -> Result<Vec<ApiToken>> {
    let q = sqlx::AssertSqlSafe(format!(
        "SELECT {TOKEN_COLS} FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC"
    ));
    let rows: Vec<TokenRow> = sqlx::query_as(q).bind(user.as_string()).fetch_all(c).await?;
    rows.into_iter().map(token_from).collect()
}

/// Revokes a token (idempotent: the first revocation time is kept).
pub async fn revoke_token(c: &mut AnyConnection, id: TokenId, now_ms: i64) -> Result<()> {
    let r = sqlx::query("UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2")
        .bind(now_ms)
        .bind(id.as_string())
        .execute(c)
        .await?;
    expect_one(r, "token")
}

/// Records a token's use, at most once a minute per token (keeps the hot path light).
pub async fn touch_token(c: &mut AnyConnection, id: TokenId, now_ms: i64) -> Result<()> {
    sqlx::query(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)",
    )
    .bind(now_ms)
    .bind(id.as_string())
    .bind(now_ms - 60_000)
    .execute(c)
    .await?;
    Ok(())
}

/// A browser session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the cookie value, hex.
    pub digest: String,
    /// Who.
    pub user_id: UserId,
    /// The CSRF token every form of this session must carry.
    pub csrf: String,
    /// Where from.
    pub source: String,
    /// Created, ms.
    pub created_at: i64,
    /// Expires, ms.
    pub expires_at: i64,
}

/// Inserts a session.
pub async fn insert_session(c: &mut AnyConnection, s: &Session) -> Result<()> {
    sqlx::query(
        "INSERT INTO sessions (digest, user_id, csrf, source, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(&s.digest)
    .bind(s.user_id.as_string())
    .bind(&s.csrf)
    .bind(&s.source)
    .bind(s.created_at)
    .bind(s.expires_at)
    .execute(c)
    .await?;
    Ok(())
}

/// A live session by digest.
pub async fn find_session(c: &mut AnyConnection, digest: &str, now_ms: i64) -> Result<Option<Session>> {
    let row: Option<(String, String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT digest, user_id, csrf, source, created_at, expires_at FROM sessions WHERE digest = $1 AND expires_at > $2",
    )
    .bind(digest)
    .bind(now_ms)
    .fetch_optional(c)
    .await?;
    row.map(|r| {
        Ok(Session {
            digest: r.0,
            user_id: parse(&r.1, "sessions.user_id")?,
            csrf: r.2,
            source: r.3,
            created_at: r.4,
            expires_at: r.5,
        })
    })
    .transpose()
}

/// Ends a session.
pub async fn delete_session(c: &mut AnyConnection, digest: &str) -> Result<()> {
    sqlx::query("DELETE FROM sessions WHERE digest = $1").bind(digest).execute(c).await?;
    Ok(())
}

/// Ends every session of a person (on disable or password change).
pub async fn delete_sessions_of(c: &mut AnyConnection, user: UserId) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user.as_string()).execute(c).await?;
    Ok(r.rows_affected())
}

/// Removes expired sessions; returns how many.
pub async fn purge_sessions(c: &mut AnyConnection, now_ms: i64) -> Result<u64> {
    let r = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now_ms).execute(c).await?;
    Ok(r.rows_affected())
}

/// A person by their single-sign-on identity (issuer and subject), the OIDC seam.
pub async fn find_user_by_external(c: &mut AnyConnection, issuer: &str, subject: &str) -> Result<Option<User>> {
    let q = sqlx::AssertSqlSafe(format!("SELECT {USER_COLS} FROM users WHERE oidc_issuer = $1 AND oidc_subject = $2"));
    let row: Option<UserRow> = sqlx::query_as(q).bind(issuer).bind(subject).fetch_optional(c).await?;
    row.map(user_from).transpose()
}

/// Links a person to a single-sign-on identity.
pub async fn link_external(c: &mut AnyConnection, id: UserId, issuer: &str, subject: &str) -> Result<()> {
    let r = sqlx::query("UPDATE users SET oidc_issuer = $1, oidc_subject = $2 WHERE id = $3")
        .bind(issuer)
        .bind(subject)
        .bind(id.as_string())
        .execute(c)
        .await?;
    expect_one(r, "user")
}
