//! Identity routes: the caller, organisations, people, API tokens.

use axum::extract::State;
use axum::http::StatusCode;
use ch_domain::{OrgId, OrgKind, Role, Scopes, Sector, TokenId, UserId};
use ch_policy::{Action, Resource};
use ch_store::identity as repo;

use super::views::*;
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody, Json, Path};

fn parse_id<T: std::str::FromStr>(s: &str, what: &str) -> Result<T, ApiError> {
    // An unparseable id names nothing that exists: 404, like an unknown one.
    s.parse().map_err(|_| ApiError::not_found(what))
}

/// The signed-in person and their organisation.
#[utoipa::path(get, path = "/api/v1/me", tag = "identity",
    responses((status = 200, body = MeView), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn me(State(state): State<AppState>, caller: Caller) -> Result<Json<MeView>, ApiError> {
    state.check(caller.actor.as_ref(), Action::Read, &Resource::OwnIdentity)?;
    let actor = caller.require()?;
    let mut c = state.store.conn().await?;
    let user = repo::get_user(&mut c, actor.user_id).await?;
    let org = repo::get_org(&mut c, actor.org_id).await?;
    Ok(Json(MeView {
        user: (&user).into(),
        organisation: (&org).into(),
        scopes: actor.scopes.0.iter().map(|s| s.as_str().to_string()).collect(),
        method: match actor.method {
            ch_domain::AuthMethod::Token => "token".into(),
            _ => "session".into(),
        },
    }))
}

/// Every organisation (administrators and analysts).
#[utoipa::path(get, path = "/api/v1/organisations", tag = "identity",
    responses((status = 200, body = Vec<OrgView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_orgs(State(state): State<AppState>, caller: Caller) -> Result<Json<Vec<OrgView>>, ApiError> {
    state.check(caller.actor.as_ref(), Action::List, &Resource::Organisations)?;
    let mut c = state.store.conn().await?;
    Ok(Json(repo::list_orgs(&mut c).await?.iter().map(OrgView::from).collect()))
}

/// Creates an organisation (administrators).
#[utoipa::path(post, path = "/api/v1/organisations", tag = "identity", request_body = CreateOrg,
    responses((status = 201, body = OrgView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn create_org(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateOrg>,
) -> Result<(StatusCode, Json<OrgView>), ApiError> {
    state.check(caller.actor.as_ref(), Action::Create, &Resource::Organisations)?;
    let kind: OrgKind = body.kind.parse().map_err(|e: ch_domain::Error| ApiError::invalid(e.to_string()))?;
    let sector: Option<Sector> = body
        .sector
        .as_deref()
        .map(str::parse)
        .transpose()
        .map_err(|e: ch_domain::Error| ApiError::invalid(e.to_string()))?;
    let org = state.identity.create_org(&caller.who(), state.now(), &body.name, kind, sector).await?;
    Ok((StatusCode::CREATED, Json((&org).into())))
}

/// One organisation (its own members, analysts, administrators).
#[utoipa::path(get, path = "/api/v1/organisations/{id}", tag = "identity",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = OrgView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_org(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<OrgView>, ApiError> {
    caller.require()?;
    let id: OrgId = parse_id(&id, "organisation")?;
    state.check(caller.actor.as_ref(), Action::Read, &Resource::Organisation(id))?;
    let mut c = state.store.conn().await?;
    Ok(Json((&repo::get_org(&mut c, id).await?).into()))
}

/// People of an organisation (its members and administrators).
#[utoipa::path(get, path = "/api/v1/organisations/{id}/users", tag = "identity",
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 200, body = Vec<UserView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_org_users(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Vec<UserView>>, ApiError> {
    caller.require()?;
    let id: OrgId = parse_id(&id, "organisation")?;
    state.check(caller.actor.as_ref(), Action::List, &Resource::Users(id))?;
    let mut c = state.store.conn().await?;
    Ok(Json(repo::list_users(&mut c, Some(id)).await?.iter().map(UserView::from).collect()))
}

/// Creates a person in an organisation (administrators).
#[utoipa::path(post, path = "/api/v1/organisations/{id}/users", tag = "identity", request_body = CreateUser,
    params(("id" = String, Path, description = "Organisation id")),
    responses((status = 201, body = UserView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
              (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Json(body): Json<CreateUser>,
) -> Result<(StatusCode, Json<UserView>), ApiError> {
    caller.require()?;
    let org: OrgId = parse_id(&id, "organisation")?;
    state.check(caller.actor.as_ref(), Action::Create, &Resource::Users(org))?;
    let role: Role = body.role.parse().map_err(|e: ch_domain::Error| ApiError::invalid(e.to_string()))?;
    let u = state
        .identity
        .create_user(&caller.who(), state.now(), org, &body.email, &body.display_name, role, body.password.as_deref())
        .await?;
    Ok((StatusCode::CREATED, Json((&u).into())))
}

async fn load_user(state: &AppState, id: &str) -> Result<repo::User, ApiError> {
    let id: UserId = parse_id(id, "user")?;
    let mut c = state.store.conn().await?;
    Ok(repo::get_user(&mut c, id).await?)
}

/// One person.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "identity",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn get_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    caller.require()?;
    let u = load_user(&state, &id).await?;
    state.check(caller.actor.as_ref(), Action::Read, &Resource::User { org: u.org_id, user: u.id })?;
    Ok(Json((&u).into()))
}

async fn set_disabled(state: AppState, caller: Caller, id: String, disabled: bool) -> Result<Json<UserView>, ApiError> {
    caller.require()?;
    let u = load_user(&state, &id).await?;
    state.check(caller.actor.as_ref(), Action::Update, &Resource::User { org: u.org_id, user: u.id })?;
    if caller.actor.as_ref().is_some_and(|a| a.user_id == u.id) && disabled {
        return Err(ApiError::invalid("you cannot disable yourself"));
    }
    state.identity.set_disabled(&caller.who(), state.now(), u.id, disabled).await?;
    let u = load_user(&state, &id).await?;
    Ok(Json((&u).into()))
}

/// Disables a person: their sessions end and their tokens stop working (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "identity",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(state, caller, id, true).await
}

/// Re-enables a person (administrators).
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "identity",
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = UserView), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<UserView>, ApiError> {
    set_disabled(state, caller, id, false).await
}

/// The caller's own API tokens.
#[utoipa::path(get, path = "/api/v1/tokens", tag = "identity",
    responses((status = 200, body = Vec<TokenView>), (status = 401, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn list_tokens(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<TokenView>>, ApiError> {
    let a = caller.require()?;
    state.check(Some(a), Action::List, &Resource::Tokens { org: a.org_id, owner: a.user_id })?;
    let mut c = state.store.conn().await?;
    Ok(Json(repo::list_tokens(&mut c, a.user_id).await?.iter().map(TokenView::from).collect()))
}

/// Makes an API token for the caller; the secret is in this response only.
#[utoipa::path(post, path = "/api/v1/tokens", tag = "identity", request_body = CreateToken,
    responses((status = 201, body = NewTokenView), (status = 400, body = ErrorBody), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<CreateToken>,
) -> Result<(StatusCode, Json<NewTokenView>), ApiError> {
    let a = caller.require()?;
    state.check(Some(a), Action::Create, &Resource::Tokens { org: a.org_id, owner: a.user_id })?;
    let scopes: Scopes =
        body.scopes.join(" ").parse().map_err(|e: ch_domain::Error| ApiError::invalid(e.to_string()))?;
    // A token never holds more than the token that made it.
    if a.method == ch_domain::AuthMethod::Token && scopes.0.iter().any(|s| !a.scopes.contains(*s)) {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "missing_scope",
            "a token cannot grant scopes it does not hold",
        ));
    }
    let days = body.expires_in_days.unwrap_or(90);
    if !(1..=365).contains(&days) {
        return Err(ApiError::invalid("expires_in_days must be 1 to 365"));
    }
    let now = state.now();
    let t = state
        .identity
        .create_token(&caller.who(), now, a.user_id, &body.name, scopes, Some(now + i64::from(days) * 86_400_000))
        .await?;
    Ok((StatusCode::CREATED, Json(NewTokenView { token: (&t.token).into(), secret: t.secret })))
}

/// Revokes one of the caller's tokens (administrators: anyone's).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "identity",
    params(("id" = String, Path, description = "Token id")),
    responses((status = 204), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)),
    security(("bearer" = []), ("session" = [])))]
pub(super) async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    caller.require()?;
    let id: TokenId = parse_id(&id, "token")?;
    let mut c = state.store.conn().await?;
    let t = repo::get_token(&mut c, id).await?;
    let owner = repo::get_user(&mut c, t.user_id).await?;
    drop(c);
    state.check(caller.actor.as_ref(), Action::Delete, &Resource::Tokens { org: owner.org_id, owner: owner.id })?;
    state.identity.revoke_token(&caller.who(), state.now(), id).await?;
    Ok(StatusCode::NO_CONTENT)
}
