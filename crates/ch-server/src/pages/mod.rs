//! Server-rendered pages (askama). Every core action works without JavaScript: forms post
//! back, carry the session's CSRF token, and the server redirects or re-renders. Access is
//! decided by the same policy function as the API.

use std::collections::BTreeMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use ch_domain::{OrgId, OrgKind, Role, Scope, Scopes, Sector, TokenId, UserId};
use ch_policy::{Action, Resource};
use ch_store::identity as repo;
use serde::Deserialize;
use subtle::ConstantTimeEq;

mod advisories;
mod exposure;

use crate::AppState;
use crate::api::exposure::UPLOAD_LIMIT;
use crate::api::views::{AuditEntryView, JobView, OrgView, TokenView};
use crate::auth::{Caller, LOGIN_CSRF_COOKIE, SESSION_COOKIE};
use crate::error::{ApiError, Form, Path, Query};

/// Constant-time comparison of CSRF tokens (empty never matches).
pub fn csrf_eq(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The signed-in person as the layout shows them.
#[derive(Debug, Clone)]
pub struct NavUser {
    /// Name.
    pub display_name: String,
    /// Organisation name.
    pub org_name: String,
    /// Role.
    pub role: String,
    /// Shows the admin menu.
    pub is_admin: bool,
}

/// What the layout needs on every page.
#[derive(Debug, Clone, Default)]
pub struct Nav {
    /// Signed-in person.
    pub user: Option<NavUser>,
    /// CSRF token for forms.
    pub csrf: String,
    /// Current section (highlighted in the menu).
    pub section: &'static str,
    /// Success messages.
    pub notices: Vec<String>,
    /// Error messages.
    pub errors: Vec<String>,
}

/// A page failure: sign-in needed, or a message page.
#[derive(Debug)]
pub enum PageError {
    /// Redirect to sign-in.
    Login(String),
    /// Show a message with a status.
    Message(StatusCode, String),
}

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError::Message(e.status, e.message)
    }
}

impl From<ch_store::Error> for PageError {
    fn from(e: ch_store::Error) -> Self {
        ApiError::from(e).into()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "message.html")]
struct MessagePage {
    nav: Nav,
    heading: String,
    text: String,
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Login(next) => Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response(),
            PageError::Message(status, text) => {
                let heading = match status {
                    StatusCode::FORBIDDEN => "Not available to you",
                    StatusCode::NOT_FOUND => "Not found",
                    StatusCode::TOO_MANY_REQUESTS => "Slow down",
                    s if s.is_client_error() => "That did not work",
                    _ => "Something went wrong",
                };
                (status, MessagePage { nav: Nav::default(), heading: heading.into(), text }).into_response()
            }
        }
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

type PageResult<T = Response> = Result<T, PageError>;

/// A signed-in browser user with the page layout prepared.
struct Signed {
    caller: Caller,
    nav: Nav,
}

async fn signed(state: &AppState, caller: Caller, section: &'static str, path: &str) -> PageResult<Signed> {
    let Some(sa) = caller.session.clone() else {
        return Err(PageError::Login(path.to_string()));
    };
    let mut c = state.store.conn().await?;
    let org = repo::get_org(&mut c, sa.actor.org_id).await?;
    let nav = Nav {
        user: Some(NavUser {
            display_name: sa.user.display_name.clone(),
            org_name: org.name,
            role: sa.user.role.as_str().into(),
            is_admin: sa.user.role == Role::Admin,
        }),
        csrf: sa.session.csrf.clone(),
        section,
        notices: vec![],
        errors: vec![],
    };
    Ok(Signed { caller, nav })
}

impl Signed {
    fn check(&self, state: &AppState, action: Action, res: &Resource) -> PageResult<()> {
        Ok(state.check(self.caller.actor.as_ref(), action, res)?)
    }
    fn csrf(&self, sent: &str) -> PageResult<()> {
        if csrf_eq(sent, &self.nav.csrf) {
            Ok(())
        } else {
            Err(PageError::Message(
                StatusCode::FORBIDDEN,
                "This form has expired or did not come from this site. Go back, reload the page and try again.".into(),
            ))
        }
    }
}

fn random_token() -> String {
    let mut b = [0u8; 24];
    if getrandom::fill(&mut b).is_err() {
        return String::new();
    }
    hex::encode(b)
}

fn cookie_header(state: &AppState, name: &str, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}"))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
}

fn safe_next(next: &str) -> &str {
    if next.starts_with('/') && !next.starts_with("//") && !next.starts_with("/\\") { next } else { "/" }
}

// ---------------------------------------------------------------- sign-in

#[derive(Template, WebTemplate)]
#[template(path = "login.html")]
struct LoginPage {
    nav: Nav,
    login_csrf: String,
    next: String,
    email: String,
}

#[derive(Debug, Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_form(State(state): State<AppState>, headers: HeaderMap, Query(q): Query<NextQuery>) -> Response {
    let existing = crate::auth::cookie(&headers, LOGIN_CSRF_COOKIE).map(str::to_string);
    let token = existing.clone().filter(|t| t.len() == 48).unwrap_or_else(random_token);
    let page = LoginPage {
        nav: Nav::default(),
        login_csrf: token.clone(),
        next: safe_next(q.next.as_deref().unwrap_or("/")).to_string(),
        email: String::new(),
    };
    let mut r = page.into_response();
    if existing.as_deref() != Some(token.as_str()) {
        r.headers_mut().append(header::SET_COOKIE, cookie_header(&state, LOGIN_CSRF_COOKIE, &token, 3600));
    }
    r
}

#[derive(Debug, Deserialize)]
struct LoginForm {
    csrf: String,
    email: String,
    password: String,
    #[serde(default)]
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let cookie_token = crate::auth::cookie(&headers, LOGIN_CSRF_COOKIE).unwrap_or("");
    let retry = |msg: &str, status: StatusCode| {
        let mut nav = Nav::default();
        nav.errors.push(msg.to_string());
        let token = if cookie_token.len() == 48 { cookie_token.to_string() } else { random_token() };
        let mut r = (
            status,
            LoginPage { nav, login_csrf: token.clone(), next: safe_next(&f.next).to_string(), email: f.email.clone() },
        )
            .into_response();
        r.headers_mut().append(header::SET_COOKIE, cookie_header(&state, LOGIN_CSRF_COOKIE, &token, 3600));
        r
    };
    if !csrf_eq(&f.csrf, cookie_token) {
        return retry("The sign-in form expired. Please try again.", StatusCode::FORBIDDEN);
    }
    let ip = caller.source.parse().unwrap_or(std::net::IpAddr::from([0, 0, 0, 0]));
    if state.limits.login.check_key(&ip).is_err() {
        return retry(
            "Too many sign-in attempts from here. Wait a minute and try again.",
            StatusCode::TOO_MANY_REQUESTS,
        );
    }
    match state.identity.login(&f.email, &f.password, &caller.source, state.now()).await {
        Ok(s) => {
            let mut r = Redirect::to(safe_next(&f.next)).into_response();
            let ttl = ch_identity::SESSION_TTL_MS / 1000;
            r.headers_mut().append(header::SET_COOKIE, cookie_header(&state, SESSION_COOKIE, &s.secret, ttl));
            r.headers_mut().append(header::SET_COOKIE, cookie_header(&state, LOGIN_CSRF_COOKIE, "", 0));
            r
        }
        Err(ch_identity::Error::BadCredentials) => {
            retry("The e-mail address or password is not right.", StatusCode::UNAUTHORIZED)
        }
        Err(e) => PageError::from(ApiError::from(e)).into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct CsrfForm {
    csrf: String,
}

async fn logout(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let s = signed(&state, caller, "home", "/").await?;
    s.csrf(&f.csrf)?;
    if let Some(secret) = crate::auth::cookie(&headers, SESSION_COOKIE) {
        state.identity.logout(secret, &s.caller.who(), state.now()).await.map_err(ApiError::from)?;
    }
    let mut r = Redirect::to("/login").into_response();
    r.headers_mut().append(header::SET_COOKIE, cookie_header(&state, SESSION_COOKIE, "", 0));
    Ok(r)
}

// ---------------------------------------------------------------- overview

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
struct HomePage {
    nav: Nav,
    display_name: String,
    role: String,
    org_name: String,
    org_kind: String,
    sector: Option<String>,
    team_size: usize,
    active_tokens: usize,
    is_admin: bool,
    org_count: usize,
    audit_ok: bool,
    audit_entries: u64,
}

async fn home(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "home", "/").await?;
    let a = s.caller.require()?.clone();
    let mut c = state.store.conn().await?;
    let user = repo::get_user(&mut c, a.user_id).await?;
    let org = repo::get_org(&mut c, a.org_id).await?;
    let team_size = repo::list_users(&mut c, Some(a.org_id)).await?.len();
    let now = state.now();
    let active_tokens = repo::list_tokens(&mut c, a.user_id)
        .await?
        .iter()
        .filter(|t| t.revoked_at.is_none() && t.expires_at.is_none_or(|e| e > now))
        .count();
    let is_admin = state.check(Some(&a), Action::Read, &Resource::AuditLog).is_ok();
    let (org_count, audit_ok, audit_entries) = if is_admin {
        let n = repo::list_orgs(&mut c).await?.len();
        match ch_store::audit::verify(&mut c).await {
            Ok((e, _)) => (n, true, e),
            Err(_) => (n, false, 0),
        }
    } else {
        (0, true, 0)
    };
    Ok(HomePage {
        nav: s.nav,
        display_name: user.display_name,
        role: user.role.as_str().into(),
        org_name: org.name,
        org_kind: org.kind.as_str().into(),
        sector: org.sector.map(|x| x.as_str().to_string()),
        team_size,
        active_tokens,
        is_admin,
        org_count,
        audit_ok,
        audit_entries,
    }
    .into_response())
}

// ---------------------------------------------------------------- organisations

#[derive(Template, WebTemplate)]
#[template(path = "orgs.html")]
struct OrgsPage {
    nav: Nav,
    orgs: Vec<OrgView>,
    kinds: Vec<&'static str>,
    sectors: Vec<&'static str>,
}

async fn orgs_page(state: &AppState, s: Signed) -> PageResult {
    s.check(state, Action::List, &Resource::Organisations)?;
    let mut c = state.store.conn().await?;
    let orgs = repo::list_orgs(&mut c).await?.iter().map(OrgView::from).collect();
    Ok(OrgsPage {
        nav: s.nav,
        orgs,
        kinds: OrgKind::ALL.iter().map(|k| k.as_str()).collect(),
        sectors: Sector::ALL.iter().map(|k| k.as_str()).collect(),
    }
    .into_response())
}

async fn orgs(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "orgs", "/admin/organisations").await?;
    orgs_page(&state, s).await
}

#[derive(Debug, Deserialize)]
struct OrgForm {
    csrf: String,
    name: String,
    kind: String,
    #[serde(default)]
    sector: String,
}

async fn org_create(State(state): State<AppState>, caller: Caller, Form(f): Form<OrgForm>) -> PageResult {
    let mut s = signed(&state, caller, "orgs", "/admin/organisations").await?;
    s.csrf(&f.csrf)?;
    s.check(&state, Action::Create, &Resource::Organisations)?;
    let r = async {
        let kind: OrgKind = f.kind.parse().map_err(|e: ch_domain::Error| e.to_string())?;
        let sector: Option<Sector> = if f.sector.is_empty() {
            None
        } else {
            Some(f.sector.parse().map_err(|e: ch_domain::Error| e.to_string())?)
        };
        state
            .identity
            .create_org(&s.caller.who(), state.now(), &f.name, kind, sector)
            .await
            .map_err(|e| ApiError::from(e).message)
    }
    .await;
    match r {
        Ok(o) => s.nav.notices.push(format!("Added {}.", o.name)),
        Err(m) => s.nav.errors.push(m),
    }
    orgs_page(&state, s).await
}

#[derive(Template, WebTemplate)]
#[template(path = "org.html")]
struct OrgPage {
    nav: Nav,
    org: OrgView,
    users: Vec<UserRow>,
    roles: Vec<&'static str>,
}

struct UserRow {
    id: String,
    display_name: String,
    email: String,
    org_name: String,
    role: String,
    disabled: bool,
}

async fn user_rows(state: &AppState, org: Option<OrgId>) -> PageResult<Vec<UserRow>> {
    let mut c = state.store.conn().await?;
    let names: BTreeMap<OrgId, String> = repo::list_orgs(&mut c).await?.into_iter().map(|o| (o.id, o.name)).collect();
    Ok(repo::list_users(&mut c, org)
        .await?
        .into_iter()
        .map(|u| UserRow {
            id: u.id.as_string(),
            display_name: u.display_name,
            email: u.email,
            org_name: names.get(&u.org_id).cloned().unwrap_or_default(),
            role: u.role.as_str().into(),
            disabled: u.disabled,
        })
        .collect())
}

async fn org_page(state: &AppState, s: Signed, id: OrgId) -> PageResult {
    s.check(state, Action::Read, &Resource::Organisation(id))?;
    s.check(state, Action::List, &Resource::Users(id))?;
    let mut c = state.store.conn().await?;
    let org = repo::get_org(&mut c, id).await?;
    drop(c);
    let users = user_rows(state, Some(id)).await?;
    let roles = Role::ALL.iter().filter(|r| r.allowed_in(org.kind)).map(|r| r.as_str()).collect();
    Ok(OrgPage { nav: s.nav, org: (&org).into(), users, roles }.into_response())
}

fn parse_or_404<T: std::str::FromStr>(s: &str) -> PageResult<T> {
    s.parse().map_err(|_| PageError::Message(StatusCode::NOT_FOUND, "There is nothing at this address.".into()))
}

async fn org(State(state): State<AppState>, caller: Caller, Path(id): Path<String>) -> PageResult {
    let s = signed(&state, caller, "orgs", &format!("/admin/organisations/{id}")).await?;
    org_page(&state, s, parse_or_404(&id)?).await
}

#[derive(Debug, Deserialize)]
struct UserForm {
    csrf: String,
    display_name: String,
    email: String,
    role: String,
    #[serde(default)]
    password: String,
}

async fn user_create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<UserForm>,
) -> PageResult {
    let mut s = signed(&state, caller, "orgs", &format!("/admin/organisations/{id}")).await?;
    s.csrf(&f.csrf)?;
    let org: OrgId = parse_or_404(&id)?;
    s.check(&state, Action::Create, &Resource::Users(org))?;
    let r = async {
        let role: Role = f.role.parse().map_err(|e: ch_domain::Error| e.to_string())?;
        let (pw, generated) = if f.password.is_empty() {
            (ch_identity::generate_password().map_err(|e| e.to_string())?, true)
        } else {
            (f.password.clone(), false)
        };
        let u = state
            .identity
            .create_user(&s.caller.who(), state.now(), org, &f.email, &f.display_name, role, Some(&pw))
            .await
            .map_err(|e| ApiError::from(e).message)?;
        Ok::<_, String>((u, generated.then_some(pw)))
    }
    .await;
    match r {
        Ok((u, Some(pw))) => s.nav.notices.push(format!(
            "Added {} <{}>. Their password is {pw} — give it to them privately; it is not shown again.",
            u.display_name, u.email
        )),
        Ok((u, None)) => s.nav.notices.push(format!("Added {} <{}>.", u.display_name, u.email)),
        Err(m) => s.nav.errors.push(m),
    }
    org_page(&state, s, org).await
}

// ---------------------------------------------------------------- people

#[derive(Template, WebTemplate)]
#[template(path = "users.html")]
struct UsersPage {
    nav: Nav,
    users: Vec<UserRow>,
}

async fn users(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "users", "/admin/users").await?;
    s.check(&state, Action::List, &Resource::AllUsers)?;
    let users = user_rows(&state, None).await?;
    Ok(UsersPage { nav: s.nav, users }.into_response())
}

async fn user_toggle(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, op)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let s = signed(&state, caller, "users", "/admin/users").await?;
    s.csrf(&f.csrf)?;
    let uid: UserId = parse_or_404(&id)?;
    let mut c = state.store.conn().await?;
    let u = repo::get_user(&mut c, uid).await?;
    drop(c);
    s.check(&state, Action::Update, &Resource::User { org: u.org_id, user: u.id })?;
    let disable = match op.as_str() {
        "disable" => true,
        "enable" => false,
        _ => return Err(PageError::Message(StatusCode::NOT_FOUND, "There is nothing at this address.".into())),
    };
    if disable && s.caller.actor.as_ref().is_some_and(|a| a.user_id == uid) {
        return Err(PageError::Message(StatusCode::BAD_REQUEST, "You cannot disable yourself.".into()));
    }
    state.identity.set_disabled(&s.caller.who(), state.now(), uid, disable).await.map_err(ApiError::from)?;
    Ok(Redirect::to("/admin/users").into_response())
}

// ---------------------------------------------------------------- tokens

#[derive(Template, WebTemplate)]
#[template(path = "tokens.html")]
struct TokensPage {
    nav: Nav,
    tokens: Vec<TokenView>,
    new_secret: Option<String>,
    can_admin: bool,
}

async fn tokens_page(state: &AppState, s: Signed, new_secret: Option<String>) -> PageResult {
    let a = s.caller.require()?.clone();
    s.check(state, Action::List, &Resource::Tokens { org: a.org_id, owner: a.user_id })?;
    let mut c = state.store.conn().await?;
    let tokens = repo::list_tokens(&mut c, a.user_id).await?.iter().map(TokenView::from).collect();
    Ok(TokensPage { nav: s.nav, tokens, new_secret, can_admin: a.role == Role::Admin }.into_response())
}

async fn tokens(State(state): State<AppState>, caller: Caller) -> PageResult {
    let s = signed(&state, caller, "tokens", "/tokens").await?;
    tokens_page(&state, s, None).await
}

#[derive(Debug, Deserialize)]
struct TokenForm {
    csrf: String,
    name: String,
    read: Option<String>,
    write: Option<String>,
    admin: Option<String>,
    days: Option<String>,
}

async fn token_create(State(state): State<AppState>, caller: Caller, Form(f): Form<TokenForm>) -> PageResult {
    let mut s = signed(&state, caller, "tokens", "/tokens").await?;
    s.csrf(&f.csrf)?;
    let a = s.caller.require()?.clone();
    s.check(&state, Action::Create, &Resource::Tokens { org: a.org_id, owner: a.user_id })?;
    let mut scopes = vec![];
    for (on, sc) in [(&f.read, Scope::Read), (&f.write, Scope::Write), (&f.admin, Scope::Admin)] {
        if on.is_some() {
            scopes.push(sc);
        }
    }
    let days: i64 = f.days.as_deref().unwrap_or("90").trim().parse().unwrap_or(0);
    if !(1..=365).contains(&days) {
        s.nav.errors.push("Expiry must be 1 to 365 days.".into());
        return tokens_page(&state, s, None).await;
    }
    let now = state.now();
    match state
        .identity
        .create_token(&s.caller.who(), now, a.user_id, &f.name, Scopes(scopes), Some(now + days * 86_400_000))
        .await
    {
        Ok(t) => tokens_page(&state, s, Some(t.secret)).await,
        Err(e) => {
            s.nav.errors.push(ApiError::from(e).message);
            tokens_page(&state, s, None).await
        }
    }
}

async fn token_revoke(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let s = signed(&state, caller, "tokens", "/tokens").await?;
    s.csrf(&f.csrf)?;
    let tid: TokenId = parse_or_404(&id)?;
    let mut c = state.store.conn().await?;
    let t = repo::get_token(&mut c, tid).await?;
    let owner = repo::get_user(&mut c, t.user_id).await?;
    drop(c);
    s.check(&state, Action::Delete, &Resource::Tokens { org: owner.org_id, owner: owner.id })?;
    state.identity.revoke_token(&s.caller.who(), state.now(), tid).await.map_err(ApiError::from)?;
    Ok(Redirect::to("/tokens").into_response())
}

// ---------------------------------------------------------------- audit, jobs

#[derive(Template, WebTemplate)]
#[template(path = "audit.html")]
struct AuditPage {
    nav: Nav,
    entries: Vec<(AuditEntryView, String)>,
    verify_ok: bool,
    verify_entries: u64,
    verify_head: String,
    verify_error: String,
    action: String,
    older: Option<i64>,
}

#[derive(Debug, Deserialize)]
struct AuditPageQuery {
    before: Option<i64>,
    action: Option<String>,
}

async fn audit(State(state): State<AppState>, caller: Caller, Query(q): Query<AuditPageQuery>) -> PageResult {
    let s = signed(&state, caller, "audit", "/admin/audit").await?;
    s.check(&state, Action::Read, &Resource::AuditLog)?;
    let action = q.action.unwrap_or_default();
    let f = ch_store::audit::Filter {
        before_seq: q.before,
        action_prefix: (!action.is_empty()).then(|| action.clone()),
        actor: None,
        limit: 100,
    };
    let mut c = state.store.conn().await?;
    let entries = ch_store::audit::list(&mut c, &f).await?;
    // People read e-mail addresses, not ids: `user:ID[/token:ID]` becomes `e-mail[ (API token)]`.
    let emails: BTreeMap<String, String> =
        ch_store::identity::list_users(&mut c, None).await?.into_iter().map(|u| (u.id.as_string(), u.email)).collect();
    let who = |actor: &str| -> String {
        let Some(rest) = actor.strip_prefix("user:") else { return actor.to_string() };
        let (id, token) = rest.split_once("/token:").map_or((rest, false), |(id, _)| (id, true));
        match emails.get(id) {
            Some(e) if token => format!("{e} (API token)"),
            Some(e) => e.clone(),
            None => actor.to_string(),
        }
    };
    let (verify_ok, verify_entries, verify_head, verify_error) = match ch_store::audit::verify(&mut c).await {
        Ok((n, h)) => (true, n, h, String::new()),
        Err(e) => (false, 0, String::new(), e.to_string()),
    };
    drop(c);
    let mut tx = state.store.begin().await?;
    ch_store::audit::record(
        &mut tx,
        &s.caller.who(),
        state.now(),
        "audit.read",
        "audit_log",
        "-",
        serde_json::json!({}),
    )
    .await?;
    tx.commit().await?;
    let older = if entries.len() == 100 { entries.last().map(|e| e.seq) } else { None };
    Ok(AuditPage {
        nav: s.nav,
        entries: entries.iter().map(|e| (AuditEntryView::from(e), who(&e.actor))).collect(),
        verify_ok,
        verify_entries,
        verify_head,
        verify_error,
        action,
        older,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "jobs.html")]
struct JobsPage {
    nav: Nav,
    counts: BTreeMap<String, i64>,
    jobs: Vec<JobView>,
}

#[derive(Debug, Deserialize)]
struct JobsPageQuery {
    state: Option<String>,
}

async fn jobs(State(state): State<AppState>, caller: Caller, Query(q): Query<JobsPageQuery>) -> PageResult {
    let s = signed(&state, caller, "jobs", "/admin/jobs").await?;
    s.check(&state, Action::List, &Resource::Jobs)?;
    let st = q.state.as_deref().filter(|x| !x.is_empty()).and_then(|x| x.parse().ok());
    let mut c = state.store.conn().await?;
    let counts = ch_store::jobs::counts(&mut c).await?;
    let jobs = ch_store::jobs::list(&mut c, st, 200).await?.iter().map(JobView::from).collect();
    Ok(JobsPage { nav: s.nav, counts, jobs }.into_response())
}

async fn job_retry(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    Form(f): Form<CsrfForm>,
) -> PageResult {
    let s = signed(&state, caller, "jobs", "/admin/jobs").await?;
    s.csrf(&f.csrf)?;
    s.check(&state, Action::Update, &Resource::Jobs)?;
    let id: ch_domain::JobId = parse_or_404(&id)?;
    let now = state.now();
    let mut tx = state.store.begin().await?;
    ch_store::jobs::retry(&mut tx, id, now).await?;
    ch_store::audit::record(&mut tx, &s.caller.who(), now, "job.retry", "job", &id.as_string(), serde_json::json!({}))
        .await?;
    tx.commit().await?;
    Ok(Redirect::to("/admin/jobs").into_response())
}

/// The page routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/advisories", get(advisories::list))
        .route("/advisories/{id}", get(advisories::one))
        .route("/exposure", get(exposure::dashboard))
        .route("/exposure/report.csv", get(exposure::report_csv))
        .route("/exposure/report.pdf", get(exposure::report_pdf))
        .route("/exposure/assets", get(exposure::assets).post(exposure::asset_create))
        .route("/exposure/assets/{id}", get(exposure::asset).post(exposure::asset_update))
        .route("/exposure/assets/{id}/inventories", post(exposure::upload).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/exposure/findings/{id}/accept", post(exposure::accept))
        .route("/exposure/findings/{id}/reopen", post(exposure::reopen))
        .route("/exposure/vex", get(exposure::vex).post(exposure::vex_record))
        .route("/exposure/vex/import", post(exposure::vex_import).layer(DefaultBodyLimit::max(UPLOAD_LIMIT)))
        .route("/exposure/vex/export", get(exposure::vex_export))
        .route("/exposure/vex/{id}/delete", post(exposure::vex_delete))
        .route("/exposure/notifications", get(exposure::notifications))
        .route("/exposure/notifications/read", post(exposure::notifications_read_all))
        .route("/exposure/notifications/settings", post(exposure::settings_save))
        .route("/exposure/notifications/{id}/read", post(exposure::notification_read))
        .route("/login", get(login_form).post(login_submit))
        .route("/logout", post(logout))
        .route("/tokens", get(tokens).post(token_create))
        .route("/tokens/{id}/revoke", post(token_revoke))
        .route("/admin/organisations", get(orgs).post(org_create))
        .route("/admin/organisations/{id}", get(org))
        .route("/admin/organisations/{id}/users", post(user_create))
        .route("/admin/users", get(users))
        .route("/admin/users/{id}/{op}", post(user_toggle))
        .route("/admin/audit", get(audit))
        .route("/admin/jobs", get(jobs))
        .route("/admin/jobs/{id}/retry", post(job_retry))
}
