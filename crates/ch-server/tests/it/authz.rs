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
    /// One organisation's need-to-know data (exposure): refused to B (403 or 404), and to
    /// the administrator too; A's own operator may use it.
    OrgOwned,
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
        (("get", "/api/v1/assets"), c(OwnOnly, None)),
        (("post", "/api/v1/assets"), c(OwnOnly, Some(json!({"name": "Kiosk", "criticality": "low"})))),
        (("get", "/api/v1/assets/{id}"), c(OrgOwned, None)),
        (("patch", "/api/v1/assets/{id}"), c(OrgOwned, Some(json!({"criticality": "high"})))),
        (
            ("post", "/api/v1/assets/{id}/inventories"),
            c(
                OrgOwned,
                Some(json!({"bomFormat": "CycloneDX", "specVersion": "1.6", "version": 1, "components": [
                    {"type": "library", "name": "requests", "version": "2.28.1", "purl": "pkg:pypi/requests@2.28.1"}]})),
            ),
        ),
        (("get", "/api/v1/findings"), c(OwnOnly, None)),
        (("get", "/api/v1/findings/{id}"), c(OrgOwned, None)),
        (("post", "/api/v1/findings/{id}/accept"), c(OrgOwned, Some(json!({"reason": "behind the VPN only"})))),
        (("post", "/api/v1/findings/{id}/reopen"), c(OrgOwned, None)),
        (("get", "/api/v1/exposure/summary"), c(OwnOnly, None)),
        (("get", "/api/v1/exposure/report.csv"), c(OwnOnly, None)),
        (("get", "/api/v1/exposure/report.pdf"), c(OwnOnly, None)),
        (("get", "/api/v1/vex"), c(OwnOnly, None)),
        (
            ("post", "/api/v1/vex"),
            c(
                OwnOnly,
                Some(json!({"statements": [{"vulnerability": {"name": "CVE-2023-32681"},
                    "products": [{"@id": "pkg:pypi/requests"}], "status": "under_investigation"}]})),
            ),
        ),
        (("delete", "/api/v1/vex/{id}"), c(OrgOwned, None)),
        (("get", "/api/v1/vex/export"), c(OwnOnly, None)),
        (("get", "/api/v1/notifications"), c(OwnOnly, None)),
        (("get", "/api/v1/notifications/settings"), c(OwnOnly, None)),
        (("put", "/api/v1/notifications/settings"), c(OwnOnly, Some(json!({"email_to": ["it@bank.example"]})))),
        (("post", "/api/v1/notifications/{id}/read"), c(OrgOwned, None)),
        (("get", "/api/v1/notifications/deliveries"), c(OwnOnly, None)),
    ])
}

#[tokio::test]
async fn every_route_refuses_anonymous_and_cross_organisation_access() {
    each_backend(|db| async move {
        // Many routes, each tried with a bad token: more than a minute's sign-in attempts.
        let config = ch_server::ServerConfig { secure_cookies: false, login_per_minute: 10_000, ..Default::default() };
        let a = crate::app_with(&db.store, config).await?;
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
        // Organisation A's exposure: an asset with a finding, a statement, a notification.
        let x = &a.state.exposure;
        let org_a = w.org_a.to_string();
        let asset = x.create_asset(&org_a, "Patient portal", ch_exposure::Criticality::Critical, None, None).await?;
        let fixture =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv/PYSEC-2023-74.json");
        a.state.knowledge.import(&[fixture], &Default::default(), &mut |_| {}).await?;
        x.upload(&asset, "requirements.txt", b"requests==2.28.1\n".to_vec(), None, None).await?;
        let finding_id = {
            let mut c = db.store.conn().await?;
            let f = ch_store::exposure::list_findings(&mut c, &org_a, &Default::default()).await?;
            ensure!(f.len() == 1, "A has one finding: {f:?}");
            f[0].id.clone()
        };
        let statement = ch_vex::openvex::parse(
            json!({"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/a", "author": "A",
                "timestamp": "2026-07-01T00:00:00Z", "version": 1,
                "statements": [{"vulnerability": {"name": "CVE-2023-32681"}, "products": [{"@id": "pkg:pypi/requests"}],
                    "status": "affected", "action_statement": "upgrade"}]})
            .to_string()
            .as_bytes(),
        )?;
        let vex_id = x.record_vex(&org_a, statement.statements.clone(), "manual", None).await?[0].id.clone();
        // B and the clearinghouse have statements of their own (their exports have
        // something to export).
        x.record_vex(&w.org_b.to_string(), statement.statements.clone(), "manual", None).await?;
        x.record_vex(&w.org_ch.to_string(), statement.statements, "manual", None).await?;
        let notification_id = {
            let mut c = db.store.conn().await?;
            let n = ch_store::exposure::list_notifications(&mut c, &org_a, 10).await?;
            ensure!(!n.is_empty(), "A has a notification");
            n[0].id.clone()
        };
        let fill = |path: &str| {
            let id = if path.starts_with("/api/v1/assets/") {
                asset.id.clone()
            } else if path.starts_with("/api/v1/findings/") {
                finding_id.clone()
            } else if path.starts_with("/api/v1/vex/") {
                vex_id.clone()
            } else if path.starts_with("/api/v1/notifications/") {
                notification_id.clone()
            } else if path.starts_with("/api/v1/organisations/") {
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
                CrossOrg::Refused | CrossOrg::OrgOwned => ensure!(
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
        // 4. An organisation's own exposure data: refused to the administrator, usable by A's
        //    operator (first: the administrator revokes Alice's token below).
        for ((method, path), case) in t.iter().filter(|(_, c)| c.cross == CrossOrg::OrgOwned) {
            let m = method.to_uppercase();
            let uri = fill(path);
            let r = send(&a.router, api(&m, &uri, Some(&w.admin.token), case.body.as_ref())).await?;
            ensure!(
                r.status == 403 || r.status == 404,
                "{m} {path} as admin of another organisation: {} {}",
                r.status,
                r.text()
            );
            let r = send(&a.router, api(&m, &uri, Some(&w.alice.token), case.body.as_ref())).await?;
            ensure!(r.status.is_success(), "{m} {path} as A's operator: {} {}", r.status, r.text());
        }
        // 5. The administrator may use every other route (so the refusals above are real).
        for ((method, path), case) in t.iter().filter(|(_, c)| c.cross != CrossOrg::OrgOwned) {
            let m = method.to_uppercase();
            let uri = fill(path);
            let token = &w.admin.token;
            let r = send(&a.router, api(&m, &uri, Some(token), case.body.as_ref())).await?;
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
