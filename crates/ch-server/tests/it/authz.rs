//! Every API route refuses anonymous and cross-organisation access. The table below must
//! name exactly the routes in the OpenAPI document, so a new route cannot skip this test.

use std::collections::BTreeMap;

use anyhow::{Context, ensure};
use ch_testkit::each_backend;
use serde_json::{Value, json};

use crate::{api, app, send};

/// What the operator of organisation B gets when aiming at organisation A's objects.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CrossOrg {
    /// Refused (403, or 404 where existence must not leak).
    Refused,
    /// The route only ever shows or changes the caller's own things (checked separately).
    OwnOnly,
    /// Public knowledge (advisories, the OSV API): open to anyone on an open instance,
    /// to signed-in people only on a closed one (checked in both settings).
    Public,
}

struct Case {
    cross: CrossOrg,
    body: Option<Value>,
}

fn table() -> BTreeMap<(&'static str, &'static str), Case> {
    use CrossOrg::*;
    let c = |cross, body: Option<Value>| Case { cross, body };
    BTreeMap::from([
        (("get", "/api/v1/me"), c(OwnOnly, None)),
        (("get", "/api/v1/organisations"), c(Refused, None)),
        (("post", "/api/v1/organisations"), c(Refused, Some(json!({"name": "Evil Corp", "kind": "vendor"})))),
        (("get", "/api/v1/organisations/{id}"), c(Refused, None)),
        (("get", "/api/v1/organisations/{id}/users"), c(Refused, None)),
        (
            ("post", "/api/v1/organisations/{id}/users"),
            c(
                Refused,
                Some(
                    json!({"email": "mole@evil.example", "display_name": "Mole", "role": "operator", "password": "a long enough password"}),
                ),
            ),
        ),
        (("get", "/api/v1/users/{id}"), c(Refused, None)),
        (("post", "/api/v1/users/{id}/disable"), c(Refused, None)),
        (("post", "/api/v1/users/{id}/enable"), c(Refused, None)),
        (("get", "/api/v1/tokens"), c(OwnOnly, None)),
        (("post", "/api/v1/tokens"), c(OwnOnly, Some(json!({"name": "mine", "scopes": ["read"]})))),
        (("delete", "/api/v1/tokens/{id}"), c(Refused, None)),
        (("get", "/api/v1/audit"), c(Refused, None)),
        (("get", "/api/v1/audit/verify"), c(Refused, None)),
        (("get", "/api/v1/jobs"), c(Refused, None)),
        (("get", "/api/v1/jobs/{id}"), c(Refused, None)),
        (("post", "/api/v1/jobs/{id}/retry"), c(Refused, None)),
        (("post", "/api/v1/jobs/{id}/cancel"), c(Refused, None)),
        (("get", "/api/v1/keys"), c(Refused, None)),
        (("get", "/api/v1/advisories"), c(Public, None)),
        (("get", "/api/v1/advisories/{id}"), c(Public, None)),
        (("get", "/api/v1/knowledge"), c(Refused, None)),
        (
            ("post", "/api/v1/knowledge/sources"),
            c(Refused, Some(json!({"name": "osv-pypi", "url": "http://127.0.0.1:9/all.zip"}))),
        ),
        (("post", "/api/v1/knowledge/sync"), c(Refused, None)),
        (
            ("post", "/v1/query"),
            c(Public, Some(json!({"package": {"name": "django", "ecosystem": "PyPI"}, "version": "3.2"}))),
        ),
        (
            ("post", "/v1/querybatch"),
            c(Public, Some(json!({"queries": [{"package": {"purl": "pkg:pypi/django@3.2"}}]}))),
        ),
        (("get", "/v1/vulns/{id}"), c(Public, None)),
    ])
}

#[tokio::test]
async fn every_route_refuses_anonymous_and_cross_organisation_access() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let w = &a.world;
        // The same database served by an instance whose knowledge base is not public.
        let closed = {
            let sealer = ch_store::sealed::Sealer::new(ch_testkit::keyring()?, None);
            let clock = ch_testkit::fixed_clock(ch_testkit::T0 + 1000);
            let kb = ch_knowledge::Knowledge::load(db.store.clone(), clock.clone()).await?;
            let config =
                ch_server::ServerConfig { secure_cookies: false, public_knowledge: false, ..Default::default() };
            ch_server::router(ch_server::AppState::new(db.store.clone(), sealer, clock, config, kb)?)
        };
        struct Closed {
            router: axum::Router,
        }
        let closed = Closed { router: closed };
        // Objects of organisation A (and the clearinghouse) to aim at.
        let alice_token_id = {
            let mut c = db.store.conn().await?;
            ch_store::identity::list_tokens(&mut c, w.alice.id).await?[0].id
        };
        let job_id = {
            let mut tx = db.store.begin().await?;
            let id = ch_store::jobs::enqueue(&mut tx, &ch_store::jobs::NewJob::new("noop", json!({}), 0), 0).await?;
            tx.commit().await?;
            id
        };
        let fill = |path: &str| {
            let id = if path.starts_with("/api/v1/organisations/") {
                w.org_a.to_string()
            } else if path.starts_with("/api/v1/users/") {
                w.alice.id.to_string()
            } else if path.starts_with("/api/v1/tokens/") {
                alice_token_id.to_string()
            } else {
                job_id.to_string()
            };
            path.replace("{id}", &id)
        };

        // The table covers exactly the documented routes.
        let mut documented = vec![];
        for (path, item) in &a.state.openapi.paths.paths {
            for (m, op) in [
                ("get", &item.get),
                ("post", &item.post),
                ("put", &item.put),
                ("patch", &item.patch),
                ("delete", &item.delete),
            ] {
                if op.is_some() {
                    documented.push((m, path.clone()));
                }
            }
        }
        let t = table();
        let listed: Vec<(&str, String)> = t.keys().map(|(m, p)| (*m, p.to_string())).collect();
        let mut d = documented.clone();
        d.sort();
        ensure!(d == listed, "authorisation table and OpenAPI routes differ:\n documented {d:?}\n listed {listed:?}");
        ensure!(documented.len() >= 19);

        for ((method, path), case) in &t {
            let uri = fill(path);
            let m = method.to_uppercase();
            // 1. Anonymous: 401 with our error shape (public knowledge: answered, not refused).
            let r = send(&a.router, api(&m, &uri, None, case.body.as_ref())).await?;
            if case.cross == CrossOrg::Public {
                ensure!(
                    r.status.is_success() || r.status == 404,
                    "{m} {path} anonymous on an open instance: {} {}",
                    r.status,
                    r.text()
                );
                let r = send(&closed.router, api(&m, &uri, None, case.body.as_ref())).await?;
                ensure!(r.status == 401, "{m} {path} anonymous on a closed instance: {} {}", r.status, r.text());
                let r = send(&closed.router, api(&m, &uri, Some(&w.bob.token), case.body.as_ref())).await?;
                ensure!(
                    r.status.is_success() || r.status == 404,
                    "{m} {path} signed in, closed instance: {} {}",
                    r.status,
                    r.text()
                );
            } else {
                ensure!(r.status == 401, "{m} {path} anonymous: {} {}", r.status, r.text());
                ensure!(r.json()?["code"] == "unauthenticated", "{m} {path}: {}", r.text());
            }
            // 2. A bad token: 401.
            let r = send(&a.router, api(&m, &uri, Some("chk_not-a-real-token"), case.body.as_ref())).await?;
            ensure!(r.status == 401, "{m} {path} bad token: {}", r.status);
            // 3. Bob, operator of organisation B.
            let r = send(&a.router, api(&m, &uri, Some(&w.bob.token), case.body.as_ref())).await?;
            match case.cross {
                CrossOrg::Refused => ensure!(
                    r.status == 403 || r.status == 404,
                    "{m} {path} cross-organisation: expected 403/404, got {} {}",
                    r.status,
                    r.text()
                ),
                CrossOrg::Public => {
                    ensure!(r.status.is_success() || r.status == 404, "{m} {path} public: {} {}", r.status, r.text())
                }
                CrossOrg::OwnOnly => {
                    ensure!(r.status.is_success(), "{m} {path} own: {} {}", r.status, r.text());
                    let text = r.text();
                    ensure!(
                        !text.contains(&w.alice.id.to_string()) && !text.contains("alice@"),
                        "{m} {path} leaked A: {text}"
                    );
                }
            }
        }
        // 4. The administrator may use every route (so the refusals above are real).
        for ((method, path), case) in &t {
            let m = method.to_uppercase();
            let uri = fill(path);
            let r = send(&a.router, api(&m, &uri, Some(&w.admin.token), case.body.as_ref())).await?;
            // Retrying a queued job and cancelling it twice are legitimately refused by state.
            // Ids of advisories that do not exist are a 404, not a refusal.
            let ok = r.status.is_success()
                || (path.contains("/jobs/{id}/") && r.status == 404)
                || (case.cross == CrossOrg::Public && path.ends_with("{id}") && r.status == 404);
            ensure!(ok, "{m} {path} as admin: {} {}", r.status, r.text());
        }
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn own_things_stay_own() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let w = &a.world;
        // Alice sees her organisation and team, not Bob's.
        let r = send(
            &a.router,
            api("GET", &format!("/api/v1/organisations/{}/users", w.org_a), Some(&w.alice.token), None),
        )
        .await?;
        ensure!(r.status == 200);
        let users = r.json()?;
        ensure!(users.as_array().context("array")?.len() == 1 && users[0]["email"] == "alice@hospital.example");
        // Bob cannot revoke Alice's token; Alice can.
        let tid = {
            let mut c = db.store.conn().await?;
            ch_store::identity::list_tokens(&mut c, w.alice.id).await?[0].id
        };
        let r = send(&a.router, api("DELETE", &format!("/api/v1/tokens/{tid}"), Some(&w.bob.token), None)).await?;
        ensure!(r.status == 403);
        let r = send(&a.router, api("DELETE", &format!("/api/v1/tokens/{tid}"), Some(&w.alice.token), None)).await?;
        ensure!(r.status == 204, "{}", r.status);
        // Her token no longer works.
        let r = send(&a.router, api("GET", "/api/v1/me", Some(&w.alice.token), None)).await?;
        ensure!(r.status == 401 && r.json()?["code"] == "invalid_token");
        // Analysts list organisations but cannot create them; a read-only token cannot write.
        let r = send(&a.router, api("GET", "/api/v1/organisations", Some(&w.analyst.token), None)).await?;
        ensure!(r.status == 200 && r.json()?.as_array().map(|v| v.len()) == Some(3));
        let body = json!({"name": "New", "kind": "vendor"});
        let r = send(&a.router, api("POST", "/api/v1/organisations", Some(&w.analyst.token), Some(&body))).await?;
        ensure!(r.status == 403);
        let ro = {
            let id = ch_identity::Identity::new(db.store.clone())?;
            id.create_token(&ch_store::audit::Who::cli(), ch_testkit::T0, w.bob.id, "ro", "read".parse()?, None)
                .await?
                .secret
        };
        let body = json!({"name": "x", "scopes": ["read"]});
        let r = send(&a.router, api("POST", "/api/v1/tokens", Some(&ro), Some(&body))).await?;
        ensure!(r.status == 403 && r.json()?["code"] == "missing_scope", "{}", r.text());
        // A token cannot mint a token with more scopes than it holds.
        let body = json!({"name": "x", "scopes": ["read", "write"]});
        let r = send(&a.router, api("POST", "/api/v1/tokens", Some(&w.bob.token), Some(&body))).await?;
        ensure!(r.status == 201);
        let secret = r.json()?["secret"].as_str().context("secret")?.to_string();
        let r = send(&a.router, api("GET", "/api/v1/me", Some(&secret), None)).await?;
        ensure!(r.status == 200 && r.json()?["user"]["email"] == "bob@bank.example");
        // Reading the audit log is itself audited.
        let r = send(&a.router, api("GET", "/api/v1/audit?limit=5", Some(&w.admin.token), None)).await?;
        ensure!(r.status == 200);
        let r = send(&a.router, api("GET", "/api/v1/audit?action=audit.read", Some(&w.admin.token), None)).await?;
        ensure!(r.json()?.as_array().map(|v| !v.is_empty()) == Some(true), "audit.read entries");
        Ok(db)
    })
    .await;
}
