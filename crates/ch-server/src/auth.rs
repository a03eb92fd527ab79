//! Who is asking: the [`Caller`] extractor resolves a bearer token or a session cookie to
//! an [`Actor`], applies the rate limits, and never decides access itself: handlers pass
//! the actor to `ch_policy::authorize` through [`AppState::check`](crate::AppState::check).

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use ch_domain::Actor;
use ch_identity::SessionActor;
use ch_store::audit::Who;

use crate::AppState;
use crate::error::ApiError;

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "ch_session";
/// Name of the pre-login CSRF cookie.
pub const LOGIN_CSRF_COOKIE: &str = "ch_login_csrf";

/// The client address as seen by this process ("unknown" in in-process tests).
pub fn client_ip(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

/// Reads one cookie from the request headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The authenticated party of a request, if any, and where it came from.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The actor, when signed in or holding a valid token.
    pub actor: Option<Actor>,
    /// The session, when signed in through the browser.
    pub session: Option<SessionActor>,
    /// The client address.
    pub source: String,
}

impl Caller {
    /// The actor, or 401.
    pub fn require(&self) -> Result<&Actor, ApiError> {
        self.actor.as_ref().ok_or_else(ApiError::unauthenticated)
    }
    /// The audit log's view of this caller.
    pub fn who(&self) -> Who {
        match &self.actor {
            Some(a) => Who::of(a, &self.source),
            None => Who::anonymous(&self.source),
        }
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let ip = client_ip(parts);
        let source = ip.map(|i| i.to_string()).unwrap_or_else(|| "unknown".into());
        let now = state.now();
        let mut caller = Caller { actor: None, session: None, source };
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let secret = auth
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("bearer ")))
                .map(str::trim)
                .ok_or_else(|| {
                    ApiError::new(
                        axum::http::StatusCode::UNAUTHORIZED,
                        "unauthenticated",
                        "the Authorization header must be `Bearer <token>`",
                    )
                })?;
            // Failed guesses are limited per client address; a valid token per token.
            let key = ch_identity::digest(secret);
            if state.limits.token_use.check_key(&key).is_err() {
                return Err(ApiError::rate_limited());
            }
            match state.identity.authenticate_token(secret, now).await? {
                Some(actor) => caller.actor = Some(actor),
                None => {
                    if state.limits.token_fail.check_key(&ip.unwrap_or(IpAddr::from([0, 0, 0, 0]))).is_err() {
                        return Err(ApiError::rate_limited());
                    }
                    return Err(ApiError::new(
                        axum::http::StatusCode::UNAUTHORIZED,
                        "invalid_token",
                        "the API token is unknown, expired or revoked",
                    ));
                }
            }
        } else if let Some(secret) = cookie(&parts.headers, SESSION_COOKIE)
            && let Some(sa) = state.identity.session_actor(secret, now).await?
        {
            {
                // The JSON API accepts a session only with its CSRF token on unsafe methods
                // (pages check the form field instead).
                if parts.uri.path().starts_with("/api/") && !parts.method.is_safe() {
                    let sent = parts.headers.get("x-csrf-token").and_then(|v| v.to_str().ok()).unwrap_or("");
                    if !crate::pages::csrf_eq(sent, &sa.session.csrf) {
                        return Err(ApiError::new(
                            axum::http::StatusCode::FORBIDDEN,
                            "csrf_failed",
                            "a signed-in browser must send the X-CSRF-Token header with changes",
                        ));
                    }
                }
                caller.actor = Some(sa.actor.clone());
                caller.session = Some(sa);
            }
        }
        parts.extensions.insert(caller.clone());
        Ok(caller)
    }
}
