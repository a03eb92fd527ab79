//! Router tests, in process (`oneshot`), on SQLite and PostgreSQL.

mod authz;
mod exposure;
mod input;
mod knowledge;
mod pages;

use anyhow::Context;
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use ch_server::{AppState, ServerConfig};
use ch_store::Store;
use ch_testkit::{World, fixed_clock, keyring};
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub(crate) struct App {
    pub(crate) router: Router,
    pub(crate) state: AppState,
    pub(crate) world: World,
}

pub(crate) async fn app(store: &Store) -> anyhow::Result<App> {
    app_with(store, ServerConfig { secure_cookies: false, ..Default::default() }).await
}

pub(crate) async fn app_with(store: &Store, config: ServerConfig) -> anyhow::Result<App> {
    let world = World::create(store).await?;
    let sealer = ch_store::sealed::Sealer::new(keyring()?, None);
    let clock = fixed_clock(ch_testkit::T0 + 1000);
    let knowledge = ch_knowledge::Knowledge::load(store.clone(), clock.clone()).await?;
    let state = AppState::new(store.clone(), sealer, clock, config, knowledge)?;
    Ok(App { router: ch_server::router(state.clone()), state, world })
}

pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) headers: axum::http::HeaderMap,
    pub(crate) body: Vec<u8>,
}

impl Resp {
    pub(crate) fn json(&self) -> anyhow::Result<Value> {
        serde_json::from_slice(&self.body).with_context(|| format!("not JSON: {}", String::from_utf8_lossy(&self.body)))
    }
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .filter_map(|v| v.split(';').next())
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

pub(crate) async fn send(router: &Router, req: Request<Body>) -> anyhow::Result<Resp> {
    let r = router.clone().oneshot(req).await.context("router")?;
    let status = r.status();
    let headers = r.headers().clone();
    let body = r.into_body().collect().await.context("body")?.to_bytes().to_vec();
    Ok(Resp { status, headers, body })
}

/// A JSON API request with an optional bearer token.
pub(crate) fn api(method: &str, path: &str, token: Option<&str>, body: Option<&Value>) -> Request<Body> {
    let mut b = Request::builder().method(method).uri(path);
    if let Some(t) = token {
        b = b.header(header::AUTHORIZATION, format!("Bearer {t}"));
    }
    match body {
        Some(v) => b.header(header::CONTENT_TYPE, "application/json").body(Body::from(v.to_string())),
        None => b.body(Body::empty()),
    }
    .unwrap_or_default()
}
