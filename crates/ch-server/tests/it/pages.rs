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
