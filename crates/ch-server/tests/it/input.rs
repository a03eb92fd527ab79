//! Bad input gets a 4xx with our `{code, message}` shape and changes nothing.

use anyhow::ensure;
use axum::body::Body;
use axum::http::{Request, header};
use ch_server::ServerConfig;
use ch_testkit::each_backend;

use crate::{api, app_with, send};

#[tokio::test]
async fn bad_requests_get_clear_errors_and_change_nothing() {
    each_backend(|db| async move {
        let a =
            app_with(&db.store, ServerConfig { body_limit: 4096, secure_cookies: false, ..Default::default() }).await?;
        let t = a.world.admin.token.clone();
        let post = |ct: Option<&str>, body: Vec<u8>| {
            let mut b = Request::builder()
                .method("POST")
                .uri("/api/v1/organisations")
                .header(header::AUTHORIZATION, format!("Bearer {t}"));
            if let Some(ct) = ct {
                b = b.header(header::CONTENT_TYPE, ct);
            }
            b.body(Body::from(body)).unwrap_or_default()
        };
        let count = || async {
            let mut c = db.store.conn().await?;
            anyhow::Ok(ch_store::identity::list_orgs(&mut c).await?.len())
        };
        let before = count().await?;
        let cases: Vec<(Request<Body>, u16, &str)> = vec![
            (post(Some("application/json"), vec![b'{'; 10_000]), 413, "payload_too_large"),
            (post(Some("application/json"), b"{\"name\": \"x\", ".to_vec()), 400, "invalid_json"),
            (post(Some("text/plain"), b"{}".to_vec()), 415, "unsupported_media_type"),
            (post(None, b"{}".to_vec()), 415, "unsupported_media_type"),
            (
                post(Some("application/json"), br#"{"name":"x","kind":"vendor","admin":true}"#.to_vec()),
                422,
                "invalid_body",
            ),
            (
                post(Some("application/json"), b"{\"name\":\"\xff\xfe\",\"kind\":\"vendor\"}".to_vec()),
                400,
                "invalid_json",
            ),
            (post(Some("application/json"), br#"{"name":"x","kind":"pirate"}"#.to_vec()), 400, "invalid_input"),
            (
                post(Some("application/json"), br#"{"name":"x","kind":"vendor","sector":"water"}"#.to_vec()),
                400,
                "invalid_input",
            ),
            (post(Some("application/json"), br#"{"name":"","kind":"vendor"}"#.to_vec()), 400, "invalid_input"),
            (post(Some("application/json"), br#"[1,2]"#.to_vec()), 422, "invalid_body"),
        ];
        for (i, (req, status, code)) in cases.into_iter().enumerate() {
            let r = send(&a.router, req).await?;
            ensure!(r.status.as_u16() == status, "case {i}: expected {status}, got {} {}", r.status, r.text());
            let j = r.json()?;
            ensure!(j["code"] == code, "case {i}: expected code {code}, got {j}");
            ensure!(j["message"].as_str().is_some_and(|m| !m.is_empty()));
        }
        ensure!(count().await? == before, "a refused request changed the store");
        // Unknown query fields, bad ids, unknown routes.
        let r = send(&a.router, api("GET", "/api/v1/audit?bogus=1", Some(&t), None)).await?;
        ensure!(r.status == 400 && r.json()?["code"] == "invalid_query", "{}", r.text());
        let r = send(&a.router, api("GET", "/api/v1/users/not-a-uuid", Some(&t), None)).await?;
        ensure!(r.status == 404 && r.json()?["code"] == "not_found");
        let r = send(&a.router, api("GET", "/api/v1/nothing-here", Some(&t), None)).await?;
        ensure!(r.status == 404 && r.json()?["code"] == "not_found");
        let basic = Request::builder()
            .uri("/api/v1/me")
            .header(header::AUTHORIZATION, "Basic dXNlcjpwYXNz")
            .body(Body::empty())
            .unwrap_or_default();
        let r = send(&a.router, basic).await?;
        ensure!(r.status == 401 && r.json()?["code"] == "unauthenticated", "{}", r.text());
        // A duplicate is a conflict.
        let body = serde_json::json!({"name": "First Community Bank", "kind": "operator", "sector": "finance"});
        let r = send(&a.router, api("POST", "/api/v1/organisations", Some(&t), Some(&body))).await?;
        ensure!(r.status == 409 && r.json()?["code"] == "conflict");
        // Every response carries a request id.
        ensure!(r.headers.get("x-request-id").is_some());
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn health_readiness_openapi_and_metrics() {
    each_backend(|db| async move {
        let a = crate::app(&db.store).await?;
        for (path, status) in [("/healthz", 200), ("/readyz", 200), ("/api/openapi.json", 200)] {
            let r = send(&a.router, api("GET", path, None, None)).await?;
            ensure!(r.status.as_u16() == status, "{path}: {}", r.status);
        }
        let doc = send(&a.router, api("GET", "/api/openapi.json", None, None)).await?.json()?;
        ensure!(doc["openapi"].as_str().is_some_and(|v| v.starts_with("3.1")), "{}", doc["openapi"]);
        ensure!(doc["paths"]["/api/v1/me"]["get"].is_object());
        ensure!(doc["components"]["securitySchemes"]["bearer"].is_object());
        // Metrics: not for anonymous callers off this host (no client address in-process).
        let r = send(&a.router, api("GET", "/metrics", None, None)).await?;
        ensure!(r.status == 401, "{}", r.status);
        let r = send(&a.router, api("GET", "/metrics", Some(&a.world.admin.token), None)).await?;
        ensure!(r.status == 200 && r.text().contains("http_requests_total"), "{}", r.text());
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn token_guessing_is_rate_limited() {
    each_backend(|db| async move {
        let a = crate::app(&db.store).await?;
        let mut limited = false;
        for i in 0..40 {
            let r = send(&a.router, api("GET", "/api/v1/me", Some(&format!("chk_guess{i}")), None)).await?;
            if r.status == 429 {
                ensure!(r.json()?["code"] == "rate_limited");
                limited = true;
                break;
            }
            ensure!(r.status == 401);
        }
        ensure!(limited, "40 bad tokens from one address were never limited");
        Ok(db)
    })
    .await;
}
