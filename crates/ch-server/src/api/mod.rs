//! The JSON API under `/api/v1`. Every route is registered through utoipa-axum, so the
//! OpenAPI document at `/api/openapi.json` lists exactly the routes that exist, and the
//! authorisation test walks that list.

mod admin;
pub mod advisories;
pub mod exposure;
mod identity;
pub mod osv;
pub mod views;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Clearinghouse API",
        description = "The AI cybersecurity clearinghouse: identity, audit, jobs, the knowledge base and the OSV API (this version). \
                       Authenticate with `Authorization: Bearer chk_...`; errors are `{code, message}`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&Security),
    tags(
        (name = "identity", description = "Organisations, people, API tokens"),
        (name = "admin", description = "Audit log, jobs, keys"),
        (name = "knowledge", description = "Advisories (OSV, CVE, KEV) merged by alias; sources and sync"),
        (name = "exposure", description = "Assets and inventories, findings, VEX statements, notifications: one organisation's own"),
        (name = "osv", description = "The OSV API (api.osv.dev shapes), for existing OSV clients"),
        (name = "system", description = "Health and the API description")
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("chk_...").build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(crate::auth::SESSION_COOKIE))),
        );
    }
}

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(identity::me))
        .routes(routes!(identity::list_orgs, identity::create_org))
        .routes(routes!(identity::get_org))
        .routes(routes!(identity::list_org_users, identity::create_user))
        .routes(routes!(identity::get_user))
        .routes(routes!(identity::disable_user))
        .routes(routes!(identity::enable_user))
        .routes(routes!(identity::list_tokens, identity::create_token))
        .routes(routes!(identity::revoke_token))
        .routes(routes!(admin::list_audit))
        .routes(routes!(admin::verify_audit))
        .routes(routes!(admin::list_jobs))
        .routes(routes!(admin::get_job))
        .routes(routes!(admin::retry_job))
        .routes(routes!(admin::cancel_job))
        .routes(routes!(admin::key_status))
        .routes(routes!(advisories::list_advisories))
        .routes(routes!(advisories::get_advisory))
        .routes(routes!(advisories::knowledge_status))
        .routes(routes!(advisories::put_source))
        .routes(routes!(advisories::sync_now))
        .routes(routes!(exposure::list_assets, exposure::create_asset))
        .routes(routes!(exposure::get_asset, exposure::update_asset))
        .routes(routes!(exposure::upload_inventory))
        .routes(routes!(exposure::list_findings))
        .routes(routes!(exposure::get_finding))
        .routes(routes!(exposure::accept_finding))
        .routes(routes!(exposure::reopen_finding))
        .routes(routes!(exposure::summary))
        .routes(routes!(exposure::report_csv))
        .routes(routes!(exposure::report_pdf))
        .routes(routes!(exposure::list_vex, exposure::record_vex))
        .routes(routes!(exposure::delete_vex))
        .routes(routes!(exposure::export_vex))
        .routes(routes!(exposure::get_settings, exposure::put_settings))
        .routes(routes!(exposure::list_notifications))
        .routes(routes!(exposure::read_notification))
        .routes(routes!(exposure::list_deliveries))
        .routes(routes!(osv::query))
        .routes(routes!(osv::querybatch))
        .routes(routes!(osv::vuln))
        .route("/api/openapi.json", axum::routing::get(openapi_json))
        .route("/healthz", axum::routing::get(healthz))
        .route("/readyz", axum::routing::get(readyz))
}

async fn openapi_json(State(state): State<AppState>) -> impl IntoResponse {
    Json(state.openapi.as_ref().clone())
}

async fn healthz() -> impl IntoResponse {
    Json(serde_json::json!({"status": "ok"}))
}

async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(serde_json::json!({"status": "ready"}))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(serde_json::json!({"status": "unavailable", "code": "database_unavailable"})),
            )
        }
    }
}
