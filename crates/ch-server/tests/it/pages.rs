//! Pages: sign-in with CSRF, forms that refuse a missing token, access by role.

use anyhow::{Context, ensure};
use axum::body::Body;
use axum::http::{Request, header};
use ch_testkit::each_backend;

use crate::{App, Resp, app, send};

fn get(path: &str, cookies: &str) -> Request<Body> {
    Request::builder().uri(path).header(header::COOKIE, cookies).body(Body::empty()).unwrap_or_default()
}

fn form(path: &str, cookies: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn field(html: &str, name: &str) -> Option<String> {
    let i = html.find(&format!("name=\"{name}\" value=\""))?;
    let rest = &html[i + name.len() + 15..];
    Some(rest[..rest.find('"')?].to_string())
}

/// Signs in through the form; returns the session cookie header and a page's CSRF token.
async fn sign_in(a: &App, email: &str, password: &str) -> anyhow::Result<(String, String)> {
    let r = send(&a.router, get("/login", "")).await?;
    let login_cookie = r.cookie("ch_login_csrf").context("login csrf cookie")?;
    let token = field(&r.text(), "csrf").context("csrf field")?;
    ensure!(token == login_cookie);
    let cookies = format!("ch_login_csrf={login_cookie}");
    let r = send(
        &a.router,
        form(
            "/login",
            &cookies,
            &format!("csrf={token}&email={}&password={}&next=%2Ftokens", enc(email), enc(password)),
        ),
    )
    .await?;
    ensure!(r.status == 303, "sign-in: {} {}", r.status, r.text());
    ensure!(r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()) == Some("/tokens"));
    let set =
        r.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).collect::<Vec<_>>().join("\n");
    ensure!(set.contains("HttpOnly") && set.contains("SameSite=Lax"), "{set}");
    let session = r.cookie("ch_session").context("session cookie")?;
    let cookies = format!("ch_session={session}");
    let r = send(&a.router, get("/tokens", &cookies)).await?;
    ensure!(r.status == 200, "{}", r.status);
    let csrf = field(&r.text(), "csrf").context("page csrf")?;
    Ok((cookies, csrf))
}

#[tokio::test]
async fn sign_in_create_and_sign_out() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        // Not signed in: pages redirect to sign-in.
        let r = send(&a.router, get("/admin/organisations", "")).await?;
        ensure!(
            r.status == 303 && r.headers.get(header::LOCATION).is_some_and(|l| l == "/login?next=/admin/organisations")
        );
        // Sign-in without the CSRF cookie is refused; a wrong password re-renders with a message.
        let r = send(&a.router, form("/login", "", "csrf=x&email=admin%40clearinghouse.example&password=p")).await?;
        ensure!(r.status == 403);
        let r = send(&a.router, get("/login", "")).await?;
        let c = r.cookie("ch_login_csrf").context("cookie")?;
        let r = send(
            &a.router,
            form(
                "/login",
                &format!("ch_login_csrf={c}"),
                &format!("csrf={c}&email=admin%40clearinghouse.example&password=wrong+password+here"),
            ),
        )
        .await?;
        ensure!(r.status == 401 && r.text().contains("not right"));

        let (cookies, csrf) = sign_in(&a, &a.world.admin.email, &a.world.admin.password).await?;
        // A form without the CSRF token is refused and changes nothing.
        let r = send(
            &a.router,
            form("/admin/organisations", &cookies, "name=Water+District&kind=operator&sector=water&csrf=nope"),
        )
        .await?;
        ensure!(r.status == 403, "{}", r.status);
        let r = send(
            &a.router,
            form(
                "/admin/organisations",
                &cookies,
                &format!("name=Water+District&kind=operator&sector=water&csrf={csrf}"),
            ),
        )
        .await?;
        ensure!(r.status == 200 && r.text().contains("Added Water District."), "{}", r.text());
        // Add a person with a generated password; they are listed.
        let mut c = db.store.conn().await?;
        let org = ch_store::identity::find_org_by_name(&mut c, "Water District").await?.context("org")?;
        drop(c);
        let r = send(
            &a.router,
            form(
                &format!("/admin/organisations/{}/users", org.id),
                &cookies,
                &format!("display_name=Wanda+Water&email=wanda%40water.example&role=operator&password=&csrf={csrf}"),
            ),
        )
        .await?;
        let html = r.text();
        ensure!(
            r.status == 200 && html.contains("Added Wanda Water") && html.contains("wanda@water.example"),
            "{html}"
        );
        let r = send(&a.router, get("/admin/users", &cookies)).await?;
        ensure!(r.text().contains("wanda@water.example"));
        // The JSON API refuses a session without its CSRF header on changes.
        let req = Request::builder()
            .method("POST")
            .uri("/api/v1/tokens")
            .header(header::COOKIE, &cookies)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(r#"{"name":"x","scopes":["read"]}"#))
            .unwrap_or_default();
        let r = send(&a.router, req).await?;
        ensure!(r.status == 403 && r.json()?["code"] == "csrf_failed");
        // Make a token in the page: the secret is shown once.
        let r =
            send(&a.router, form("/tokens", &cookies, &format!("name=nightly&read=on&days=30&csrf={csrf}"))).await?;
        ensure!(r.text().contains("id=\"new-secret\">chk_"), "{}", r.text());
        let r = send(&a.router, get("/tokens", &cookies)).await?;
        ensure!(!r.text().contains("id=\"new-secret\""));
        // Audit and jobs pages.
        let r = send(&a.router, get("/admin/audit", &cookies)).await?;
        ensure!(
            r.status == 200 && r.text().contains("The chain is intact") && r.text().contains("organisation.create")
        );
        let r = send(&a.router, get("/admin/jobs", &cookies)).await?;
        ensure!(r.status == 200);
        // Sign out ends the session.
        let r = send(&a.router, form("/logout", &cookies, &format!("csrf={csrf}"))).await?;
        ensure!(r.status == 303);
        let r = send(&a.router, get("/", &cookies)).await?;
        ensure!(r.status == 303, "signed-out session still works: {}", r.status);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn operators_do_not_see_admin_pages() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let (cookies, csrf) = sign_in(&a, &a.world.alice.email, &a.world.alice.password).await?;
        let r = send(&a.router, get("/", &cookies)).await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("Prairie County Hospital") && !html.contains("/admin/audit"));
        for path in ["/admin/organisations", "/admin/users", "/admin/audit", "/admin/jobs"] {
            let r: Resp = send(&a.router, get(path, &cookies)).await?;
            ensure!(r.status == 403, "{path}: {}", r.status);
        }
        let r = send(&a.router, get(&format!("/admin/organisations/{}", a.world.org_b), &cookies)).await?;
        ensure!(r.status == 403);
        let r =
            send(&a.router, form("/admin/organisations", &cookies, &format!("name=X&kind=vendor&csrf={csrf}"))).await?;
        ensure!(r.status == 403);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn sign_in_is_rate_limited() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let r = send(&a.router, get("/login", "")).await?;
        let c = r.cookie("ch_login_csrf").context("cookie")?;
        let mut codes = vec![];
        for _ in 0..12 {
            let r = send(
                &a.router,
                form(
                    "/login",
                    &format!("ch_login_csrf={c}"),
                    &format!("csrf={c}&email=x%40y.example&password=guess+guess+guess"),
                ),
            )
            .await?;
            codes.push(r.status.as_u16());
        }
        ensure!(codes[..10].iter().all(|&s| s == 401), "{codes:?}");
        ensure!(codes[10..].iter().all(|&s| s == 429), "{codes:?}");
        Ok(db)
    })
    .await;
}

fn multipart(path: &str, cookies: &str, fields: &[(&str, Option<&str>, &str)]) -> Request<Body> {
    const B: &str = "ch-test-boundary-7d1f";
    let mut body = String::new();
    for (name, file_name, value) in fields {
        body.push_str(&format!("--{B}\r\nContent-Disposition: form-data; name=\"{name}\""));
        if let Some(f) = file_name {
            body.push_str(&format!("; filename=\"{f}\"\r\nContent-Type: application/octet-stream"));
        }
        body.push_str(&format!("\r\n\r\n{value}\r\n"));
    }
    body.push_str(&format!("--{B}--\r\n"));
    Request::builder()
        .method("POST")
        .uri(path)
        .header(header::COOKIE, cookies)
        .header(header::CONTENT_TYPE, format!("multipart/form-data; boundary={B}"))
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Every quoted value (an `href` or `action`) that starts with `prefix`, in page order.
fn targets(html: &str, prefix: &str) -> Vec<String> {
    html.match_indices(&format!("\"{prefix}"))
        .filter_map(|(i, _)| {
            let rest = &html[i + 1..];
            Some(rest[..rest.find('"')?].to_string())
        })
        .collect()
}

/// The first of [`targets`] that ends with `suffix`.
fn link(html: &str, prefix: &str, suffix: &str) -> Option<String> {
    targets(html, prefix).into_iter().find(|l| l.ends_with(suffix))
}

async fn exposure_actions(a: &App) -> anyhow::Result<Vec<String>> {
    let mut c = a.state.store.conn().await?;
    let f =
        ch_store::audit::Filter { before_seq: None, action_prefix: Some("exposure.".into()), actor: None, limit: 1000 };
    Ok(ch_store::audit::list(&mut c, &f).await?.into_iter().map(|e| e.action).collect())
}

#[tokio::test]
async fn exposure_pages_for_the_owner_refused_to_others_and_csrf_checked() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let fixture =
            std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/osv/PYSEC-2023-74.json");
        a.state.knowledge.import(&[fixture], &Default::default(), &mut |_| {}).await?;

        // Not signed in: sign in first.
        let r = send(&a.router, get("/exposure", "")).await?;
        ensure!(r.status == 303 && r.headers.get(header::LOCATION).is_some_and(|l| l == "/login?next=/exposure"));

        let (alice, csrf) = sign_in(&a, &a.world.alice.email, &a.world.alice.password).await?;
        // The layout links to the section; the empty dashboard says how to start.
        let r = send(&a.router, get("/exposure", &alice)).await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("href=\"/exposure\"") && html.contains("Add an asset"), "{html}");

        // Forms without the CSRF token are refused and change nothing.
        let r =
            send(&a.router, form("/exposure/assets", &alice, "name=Radiology+archive&criticality=critical")).await?;
        ensure!(r.status == 403, "asset without csrf: {}", r.status);
        let r = send(&a.router, form("/exposure/assets", &alice, "name=Radiology+archive&criticality=critical&csrf=x"))
            .await?;
        ensure!(r.status == 403, "asset with a wrong csrf: {}", r.status);
        let r = send(&a.router, get("/exposure/assets", &alice)).await?;
        ensure!(r.status == 200 && !r.text().contains("Radiology archive") && r.text().contains("No assets yet"));

        // Add an asset: to its page, which asks for an inventory.
        let r = send(
            &a.router,
            form(
                "/exposure/assets",
                &alice,
                &format!("name=Radiology+archive&criticality=critical&owner=IT+desk&description=&csrf={csrf}"),
            ),
        )
        .await?;
        ensure!(r.status == 303, "add asset: {} {}", r.status, r.text());
        let to = r.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).context("location")?.to_owned();
        let asset_path = to.split('?').next().context("path")?.to_owned();
        let asset_id = asset_path.rsplit('/').next().context("id")?.to_owned();
        let r = send(&a.router, get(&to, &alice)).await?;
        let html = r.text();
        ensure!(
            r.status == 200 && html.contains("Added Radiology archive") && html.contains("No inventory yet"),
            "{html}"
        );
        ensure!(html.contains("enctype=\"multipart/form-data\""), "upload form");
        let r = send(&a.router, get("/exposure", &alice)).await?;
        ensure!(r.text().contains("None of your assets has an inventory yet"), "{}", r.text());

        // An upload without the token is refused; with it, the inventory is read and matched.
        let inventory = "requests==2.28.1\nflask==2.2.5\n";
        let upload = format!("{asset_path}/inventories");
        let r = send(
            &a.router,
            multipart(&upload, &alice, &[("format", None, ""), ("file", Some("requirements.txt"), inventory)]),
        )
        .await?;
        ensure!(r.status == 403, "upload without csrf: {}", r.status);
        let r = send(
            &a.router,
            multipart(
                &upload,
                &alice,
                &[("csrf", None, &csrf), ("format", None, ""), ("file", Some("requirements.txt"), inventory)],
            ),
        )
        .await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("Read 2 components from requirements.txt. 1 new finding."), "{html}");
        ensure!(
            html.contains("CVE-2023-32681") && html.contains("upgrade requests on Radiology archive to 2.31.0"),
            "{html}"
        );
        ensure!(html.contains("badge current"), "current inventory marked");

        // The dashboard: figures, chart, the ranked finding with its action and links.
        let r = send(&a.router, get("/exposure", &alice)).await?;
        let html = r.text();
        ensure!(r.status == 200, "{}", r.status);
        ensure!(html.contains("<svg") && html.contains("role=\"img\""), "chart");
        ensure!(html.contains("href=\"/advisories/CVE-2023-32681\""), "advisory link: {html}");
        ensure!(html.contains("upgrade requests on Radiology archive to 2.31.0"), "action");
        ensure!(html.contains("href=\"/exposure/report.csv\"") && html.contains("href=\"/exposure/report.pdf\""));
        let r = send(&a.router, get(&format!("/exposure?state=fixed&asset={asset_id}"), &alice)).await?;
        ensure!(r.status == 200 && r.text().contains("No findings in this state."), "filtered");

        // Reports with the browser session.
        let r = send(&a.router, get("/exposure/report.csv", &alice)).await?;
        ensure!(r.status == 200 && r.text().starts_with("Rank,") && r.text().contains("CVE-2023-32681"), "csv");
        let r = send(&a.router, get("/exposure/report.pdf", &alice)).await?;
        ensure!(r.status == 200 && r.body.starts_with(b"%PDF-"), "pdf: {}", r.status);

        // Accept (refused without the token), then reopen.
        let r = send(&a.router, get(&asset_path, &alice)).await?;
        let accept = link(&r.text(), "/exposure/findings/", "/accept").context("accept form")?;
        let r = send(&a.router, form(&accept, &alice, "reason=not+reachable&until=2026-10-01")).await?;
        ensure!(r.status == 403, "accept without csrf: {}", r.status);
        let r = send(&a.router, form(&accept, &alice, &format!("reason=&until=2026-10-01&csrf={csrf}"))).await?;
        ensure!(r.status == 200 && r.text().contains("needs a reason"), "accept without a reason: {}", r.text());
        let r = send(
            &a.router,
            form(&accept, &alice, &format!("reason=not+reachable+from+outside&until=2026-10-01&csrf={csrf}")),
        )
        .await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("Accepted CVE-2023-32681 in requests until 2026-10-01"), "{html}");
        let reopen = accept.replace("/accept", "/reopen");
        ensure!(html.contains(&format!("action=\"{reopen}\"")), "reopen form");
        let r = send(&a.router, get("/exposure?state=accepted", &alice)).await?;
        ensure!(r.text().contains("not reachable from outside"), "accepted listed with its reason");

        // Another organisation's operator, the admin and an analyst are refused A's asset and finding.
        let (bob, bob_csrf) = sign_in(&a, &a.world.bob.email, &a.world.bob.password).await?;
        let (admin, _) = sign_in(&a, &a.world.admin.email, &a.world.admin.password).await?;
        let (analyst, _) = sign_in(&a, &a.world.analyst.email, &a.world.analyst.password).await?;
        for who in [&bob, &admin, &analyst] {
            let r = send(&a.router, get(&asset_path, who)).await?;
            ensure!(r.status == 403 && !r.text().contains("Radiology archive"), "other reads A's asset: {}", r.status);
            let r = send(&a.router, get("/exposure", who)).await?;
            ensure!(r.status == 200 && !r.text().contains("Radiology archive"), "other's dashboard shows A's asset");
            let r = send(&a.router, get("/exposure/report.csv", who)).await?;
            ensure!(!r.text().contains("CVE-2023-32681"), "other's report shows A's finding");
        }
        let r = send(&a.router, form(&reopen, &bob, &format!("csrf={bob_csrf}"))).await?;
        ensure!(r.status == 403, "bob reopens A's finding: {}", r.status);
        let r = send(
            &a.router,
            multipart(
                &upload,
                &bob,
                &[("csrf", None, &bob_csrf), ("file", Some("requirements.txt"), "requests==2.31.0\n")],
            ),
        )
        .await?;
        ensure!(r.status == 403, "bob uploads to A's asset: {}", r.status);
        let r =
            send(&a.router, form(&asset_path, &bob, &format!("criticality=low&owner=&description=&csrf={bob_csrf}")))
                .await?;
        ensure!(r.status == 403, "bob changes A's asset: {}", r.status);
        let r = send(&a.router, get("/exposure/assets/0190d5b2-0000-7000-8000-000000000000", &alice)).await?;
        ensure!(r.status == 404, "missing asset: {}", r.status);

        // Alice reopens it.
        let r = send(&a.router, form(&reopen, &alice, &format!("csrf={csrf}"))).await?;
        ensure!(r.status == 200 && r.text().contains("Reopened CVE-2023-32681"), "{}", r.text());

        // Change the asset's details.
        let r = send(&a.router, form(&asset_path, &alice, "criticality=low&owner=Sam&description=")).await?;
        ensure!(r.status == 403, "change without csrf: {}", r.status);
        let r = send(
            &a.router,
            form(&asset_path, &alice, &format!("criticality=high&owner=Sam&description=Front+desk&csrf={csrf}")),
        )
        .await?;
        ensure!(r.status == 200 && r.text().contains("Looked after by Sam"), "{}", r.text());

        // VEX: record one (not without the token), see it, export it; the finding is closed.
        let vex = "vulnerability=CVE-2023-32681&products=pkg%3Apypi%2Frequests&status=not_affected\
                   &justification=vulnerable_code_not_in_execute_path&impact_statement=&action_statement=";
        let r = send(&a.router, form("/exposure/vex", &alice, vex)).await?;
        ensure!(r.status == 403, "vex without csrf: {}", r.status);
        let r = send(&a.router, get("/exposure/vex", &alice)).await?;
        ensure!(r.status == 200 && r.text().contains("No statements yet"), "empty vex");
        let r = send(&a.router, form("/exposure/vex", &alice, &format!("{vex}&csrf={csrf}"))).await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("vulnerable code not in execute path"), "{html}");
        ensure!(html.contains("pkg:pypi/requests") && html.contains("/exposure/vex/export?format=cyclonedx"), "{html}");
        let r = send(&a.router, get("/exposure/vex/export?format=openvex", &alice)).await?;
        ensure!(r.status == 200 && r.text().contains("vulnerable_code_not_in_execute_path"), "export");
        let r = send(&a.router, get("/exposure/vex", &bob)).await?;
        ensure!(r.status == 200 && r.text().contains("No statements yet"), "bob sees A's statements");
        let r = send(&a.router, get("/exposure", &alice)).await?;
        ensure!(r.text().contains("Nothing open"), "the statement closes the finding");
        let delete = link(&html, "/exposure/vex/", "/delete").context("delete form")?;
        let r = send(&a.router, form(&delete, &bob, &format!("csrf={bob_csrf}"))).await?;
        ensure!(r.status == 404, "bob deletes A's statement: {}", r.status);
        let r = send(&a.router, form(&delete, &alice, &format!("csrf={csrf}"))).await?;
        ensure!(r.status == 200 && r.text().contains("Deleted the statement"), "{}", r.text());

        // Notifications: the upload's finding is there; settings show a new secret once.
        let r = send(&a.router, get("/exposure/notifications", &alice)).await?;
        let html = r.text();
        ensure!(r.status == 200 && html.contains("CVE-2023-32681") && html.contains(" unread</h2>"), "{html}");
        let settings = "webhook_url=https%3A%2F%2Fhooks.hospital.example%2Fch&email_to=it%40hospital.example&digest=on";
        let r = send(&a.router, form("/exposure/notifications/settings", &alice, settings)).await?;
        ensure!(r.status == 403, "settings without csrf: {}", r.status);
        let r = send(&a.router, form("/exposure/notifications/settings", &alice, &format!("{settings}&csrf={csrf}")))
            .await?;
        let html = r.text();
        ensure!(
            r.status == 200 && html.contains("id=\"webhook-secret\">whsec_") && html.contains("Copy it now"),
            "{html}"
        );
        let r = send(&a.router, get("/exposure/notifications", &alice)).await?;
        let html = r.text();
        ensure!(!html.contains("webhook-secret") && html.contains("it@hospital.example"), "secret shown twice");
        let read = targets(&html, "/exposure/notifications/")
            .into_iter()
            .find(|l| l.ends_with("/read") && l != "/exposure/notifications/read")
            .context("read form")?;
        let r = send(&a.router, form(&read, &bob, &format!("csrf={bob_csrf}"))).await?;
        ensure!(r.status == 403, "bob marks A's notification read: {}", r.status);
        let r = send(&a.router, form("/exposure/notifications/read", &alice, "")).await?;
        ensure!(r.status == 403, "read all without csrf: {}", r.status);
        let r = send(&a.router, form("/exposure/notifications/read", &alice, &format!("csrf={csrf}"))).await?;
        ensure!(r.status == 303, "read all: {}", r.status);
        let r = send(&a.router, get("/exposure/notifications", &alice)).await?;
        ensure!(r.text().contains("All read"), "all read");

        // Every read and write is in the audit log.
        let actions = exposure_actions(&a).await?;
        for want in [
            "exposure.dashboard.read",
            "exposure.assets.list",
            "exposure.asset.create",
            "exposure.asset.read",
            "exposure.asset.update",
            "exposure.inventory.upload",
            "exposure.finding.accept",
            "exposure.finding.reopen",
            "exposure.report.csv",
            "exposure.report.pdf",
            "exposure.vex.list",
            "exposure.vex.record",
            "exposure.vex.export",
            "exposure.vex.delete",
            "exposure.notifications.list",
            "exposure.notifications.settings",
            "exposure.notification.read",
        ] {
            ensure!(actions.iter().any(|x| x == want), "no {want} in the audit log: {actions:?}");
        }
        Ok(db)
    })
    .await;
}
