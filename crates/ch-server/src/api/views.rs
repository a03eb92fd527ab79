//! Request and response bodies of the API (the HTTP shapes of store records).

use std::collections::BTreeMap;

use ch_store::identity::{ApiToken, Organisation, User};
use ch_store::jobs::Job;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Milliseconds since the epoch as RFC 3339 (UTC).
pub fn time(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_else(|_| ms.to_string())
}

/// An organisation.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// `operator`, `vendor`, `ai_developer`, `agency` or `clearinghouse`.
    pub kind: String,
    /// Operators' sector.
    pub sector: Option<String>,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&Organisation> for OrgView {
    fn from(o: &Organisation) -> Self {
        OrgView {
            id: o.id.as_string(),
            name: o.name.clone(),
            kind: o.kind.as_str().into(),
            sector: o.sector.map(|s| s.as_str().into()),
            created_at: time(o.created_at),
        }
    }
}

/// Creates an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrg {
    /// Unique name.
    pub name: String,
    /// Kind.
    pub kind: String,
    /// Sector, for operators (healthcare, finance, energy, water, communications, ...).
    pub sector: Option<String>,
}

/// A person.
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// Organisation id.
    pub org_id: String,
    /// E-mail (login name).
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role.
    pub role: String,
    /// Sign-in refused.
    pub disabled: bool,
    /// RFC 3339.
    pub created_at: String,
}

impl From<&User> for UserView {
    fn from(u: &User) -> Self {
        UserView {
            id: u.id.as_string(),
            org_id: u.org_id.as_string(),
            email: u.email.clone(),
            display_name: u.display_name.clone(),
            role: u.role.as_str().into(),
            disabled: u.disabled,
            created_at: time(u.created_at),
        }
    }
}

/// Creates a person in an organisation.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUser {
    /// E-mail address.
    pub email: String,
    /// Display name.
    pub display_name: String,
    /// Role (must suit the organisation's kind).
    pub role: String,
    /// Initial password (12+ characters). Without one, the person signs in through SSO
    /// or after an administrator sets one.
    pub password: Option<String>,
}

/// The caller.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    /// The person.
    pub user: UserView,
    /// Their organisation.
    pub organisation: OrgView,
    /// Scopes in force.
    pub scopes: Vec<String>,
    /// `session` or `token`.
    pub method: String,
}

/// An API token (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// First characters of the secret.
    pub prefix: String,
    /// Scopes.
    pub scopes: Vec<String>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub expires_at: Option<String>,
    /// RFC 3339.
    pub revoked_at: Option<String>,
    /// RFC 3339.
    pub last_used_at: Option<String>,
}

impl From<&ApiToken> for TokenView {
    fn from(t: &ApiToken) -> Self {
        TokenView {
            id: t.id.as_string(),
            name: t.name.clone(),
            prefix: t.prefix.clone(),
            scopes: t.scopes.0.iter().map(|s| s.as_str().to_string()).collect(),
            created_at: time(t.created_at),
            expires_at: t.expires_at.map(time),
            revoked_at: t.revoked_at.map(time),
            last_used_at: t.last_used_at.map(time),
        }
    }
}

/// Creates an API token for the caller.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateToken {
    /// Label.
    pub name: String,
    /// Scopes: `read`, `write`, `admin` (admins only).
    pub scopes: Vec<String>,
    /// Lifetime in days (1 to 365); default 90.
    pub expires_in_days: Option<u32>,
}

/// A new token with its secret, shown once.
#[derive(Debug, Serialize, ToSchema)]
pub struct NewTokenView {
    /// The record.
    pub token: TokenView,
    /// The secret: store it now; it cannot be shown again.
    pub secret: String,
}

/// An audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Position in the chain.
    pub seq: i64,
    /// RFC 3339.
    pub at: String,
    /// Who.
    pub actor: String,
    /// Their organisation.
    pub org: Option<String>,
    /// What.
    pub action: String,
    /// Object kind.
    pub object_type: String,
    /// Object id.
    pub object_id: String,
    /// Client address.
    pub source: String,
    /// Detail.
    #[schema(value_type = Object)]
    pub detail: serde_json::Value,
    /// Hash of the previous entry.
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

impl From<&ch_audit::Entry> for AuditEntryView {
    fn from(e: &ch_audit::Entry) -> Self {
        AuditEntryView {
            seq: e.seq,
            at: time(e.at_ms),
            actor: e.actor.clone(),
            org: e.org.clone(),
            action: e.action.clone(),
            object_type: e.object_type.clone(),
            object_id: e.object_id.clone(),
            source: e.source.clone(),
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::String(e.detail.clone())),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

/// Filters of the audit listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    /// Entries before this sequence number (paging backwards).
    pub before: Option<i64>,
    /// Action prefix, e.g. `user.`.
    pub action: Option<String>,
    /// Exact actor, e.g. `user:<id>`.
    pub actor: Option<String>,
    /// Page size (1 to 500, default 100).
    pub limit: Option<i64>,
}

/// Outcome of verifying the audit chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditVerifyView {
    /// Whether the whole chain verifies.
    pub ok: bool,
    /// Entries verified.
    pub entries: u64,
    /// Hash of the last entry.
    pub head: Option<String>,
    /// The first broken entry, described.
    pub error: Option<String>,
}

/// A background job.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobView {
    /// Id.
    pub id: String,
    /// Handler.
    pub kind: String,
    /// `queued`, `running`, `done`, `dead`, `cancelled`.
    pub state: String,
    /// Claims so far.
    pub attempts: i64,
    /// Claims allowed.
    pub max_attempts: i64,
    /// RFC 3339.
    pub run_at: String,
    /// Worker holding it.
    pub locked_by: Option<String>,
    /// Last failure.
    pub last_error: Option<String>,
    /// Progress reported by the handler.
    #[schema(value_type = Option<Object>)]
    pub progress: Option<serde_json::Value>,
    /// RFC 3339.
    pub created_at: String,
    /// RFC 3339.
    pub finished_at: Option<String>,
}

impl From<&Job> for JobView {
    fn from(j: &Job) -> Self {
        JobView {
            id: j.id.as_string(),
            kind: j.kind.clone(),
            state: j.state.as_str().into(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: time(j.run_at),
            locked_by: j.locked_by.clone(),
            last_error: j.last_error.clone(),
            progress: j.progress.clone(),
            created_at: time(j.created_at),
            finished_at: j.finished_at.map(time),
        }
    }
}

/// Jobs and counts by state.
#[derive(Debug, Serialize, ToSchema)]
pub struct JobsView {
    /// Count per state.
    pub counts: BTreeMap<String, i64>,
    /// Newest jobs.
    pub jobs: Vec<JobView>,
}

/// Filters of the job listing.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct JobsQuery {
    /// Only this state.
    pub state: Option<String>,
    /// Page size (1 to 1000, default 100).
    pub limit: Option<i64>,
}

/// Master key status.
#[derive(Debug, Serialize, ToSchema)]
pub struct KeysView {
    /// Id of the active master key.
    pub active_master_key: String,
    /// Data keys per master key id (all under the active one after a rotation).
    pub data_keys_by_master_key: BTreeMap<String, i64>,
}
