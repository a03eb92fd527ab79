//! Administration routes: the audit log, the job table, key status.

use axum::extract::State;
use ch_domain::JobId;
use ch_policy::{Action, Resource};
use ch_store::audit::{self, Filter};
use ch_store::jobs::{self, JobState};

use super::views::*;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Json, Path, Query};

/// Audit entries, newest first (administrators). Reading the log is itself recorded.
#[utoipa::path(get, path = "/api/v1/audit", tag = "admin", params(AuditQuery),
    responses((status = 200, body = Vec<AuditEntryView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_audit(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<AuditQuery>,
) -> Result<Json<Vec<AuditEntryView>>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::AuditLog)?;
    let f = Filter { before_seq: q.before, action_prefix: q.action, actor: q.actor, limit: q.limit.unwrap_or(100) };
    let mut c = state.store.conn().await?;
    let entries = audit::list(&mut c, &f).await?;
    drop(c);
    record_read(&state, &caller, "audit.read", "audit_log", "-").await?;
    Ok(Json(entries.iter().map(AuditEntryView::from).collect()))
}

async fn record_read(state: &AppState, caller: &Caller, action: &str, ty: &str, id: &str) -> Result<(), ApiError> {
    let mut tx = state.store.begin().await?;
    audit::record(&mut tx, &caller.who(), state.now(), action, ty, id, serde_json::json!({})).await?;
    tx.commit().await?;
    Ok(())
}

/// Verifies the whole audit chain and names the first broken entry (administrators).
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "admin",
    responses((status = 200, body = AuditVerifyView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn verify_audit(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AuditVerifyView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::AuditLog)?;
    let mut c = state.store.conn().await?;
    let view = match audit::verify(&mut c).await {
        Ok((n, head)) => AuditVerifyView { ok: true, entries: n, head: Some(head), error: None },
        Err(ch_store::Error::Audit(e)) => {
            AuditVerifyView { ok: false, entries: 0, head: None, error: Some(e.to_string()) }
        }
        Err(e) => return Err(e.into()),
    };
    Ok(Json(view))
}

/// Background jobs with counts per state (administrators).
#[utoipa::path(get, path = "/api/v1/jobs", tag = "admin", params(JobsQuery),
    responses((status = 200, body = JobsView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_jobs(
    State(state): State<AppState>,
    caller: Caller,
    Query(q): Query<JobsQuery>,
) -> Result<Json<JobsView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::List, &Resource::Jobs)?;
    let st = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(s.parse::<JobState>().map_err(|_| {
            ApiError::invalid(format!("state: expected queued, running, done, dead or cancelled, found {s:?}"))
        })?),
    };
    let mut c = state.store.conn().await?;
    let counts = jobs::counts(&mut c).await?;
    let list = jobs::list(&mut c, st, q.limit.unwrap_or(100)).await?;
    Ok(Json(JobsView { counts, jobs: list.iter().map(JobView::from).collect() }))
}

fn job_id(s: &str) -> Result<JobId, ApiError> {
    s.parse().map_err(|_| ApiError::not_found("job"))
}

/// One job with its progress (administrators).
#[utoipa::path(get, path = "/api/v1/jobs/{id}", tag = "admin",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::Jobs)?;
    let mut c = state.store.conn().await?;
    Ok(Json((&jobs::get(&mut c, job_id(&id)?).await?).into()))
}

/// Puts a dead or cancelled job back in the queue (administrators).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/retry", tag = "admin",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn retry_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Update, &Resource::Jobs)?;
    change_job(&state, &caller, &id, "job.retry").await
}

/// Cancels a queued job (administrators).
#[utoipa::path(post, path = "/api/v1/jobs/{id}/cancel", tag = "admin",
    params(("id" = String, Path, description = "Job id")),
    responses((status = 200, body = JobView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn cancel_job(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<JobView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Update, &Resource::Jobs)?;
    change_job(&state, &caller, &id, "job.cancel").await
}

async fn change_job(state: &AppState, caller: &Caller, id: &str, action: &str) -> Result<Json<JobView>, ApiError> {
    let id = job_id(id)?;
    let now = state.now();
    let mut tx = state.store.begin().await?;
    if action == "job.retry" {
        jobs::retry(&mut tx, id, now).await?;
    } else {
        jobs::cancel(&mut tx, id, now).await?;
    }
    audit::record(&mut tx, &caller.who(), now, action, "job", &id.as_string(), serde_json::json!({})).await?;
    tx.commit().await?;
    let mut c = state.store.conn().await?;
    Ok(Json((&jobs::get(&mut c, id).await?).into()))
}

/// Master key in use and data keys per master key (administrators).
#[utoipa::path(get, path = "/api/v1/keys", tag = "admin",
    responses((status = 200, body = KeysView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn key_status(State(state): State<AppState>, caller: Caller) -> Result<Json<KeysView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::Keys)?;
    let mut c = state.store.conn().await?;
    let status = state.sealer.key_status(&mut c).await?;
    Ok(Json(KeysView {
        active_master_key: state.sealer.active_master_key_id()?,
        data_keys_by_master_key: status.into_iter().collect(),
    }))
}
