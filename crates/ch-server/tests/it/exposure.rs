//! Exposure monitoring end to end in the server, on SQLite and PostgreSQL, with two server
//! processes sharing the database: an uploaded inventory, then an advisory that affects it,
//! gives one finding, one signed webhook and one e-mail; a VEX `not_affected` statement
//! suppresses it; an upgraded inventory closes it; the other organisation sees none of it.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::{Context, ensure};
use ch_server::{AppState, ServerConfig};
use ch_testkit::each_backend;
use ch_testkit::smtp::SmtpSink;
use ch_testkit::webhook::WebhookSink;
use serde_json::{Value, json};

use crate::{App, api, app_with, send};

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

fn config(smtp: &SmtpSink) -> ServerConfig {
    ServerConfig {
        secure_cookies: false,
        smtp: Some(ch_notify::mail::SmtpConfig {
            host: "127.0.0.1".into(),
            port: smtp.port(),
            security: ch_notify::mail::Security::None,
            username: None,
            password: None,
            from: "Clearinghouse <alerts@clearinghouse.example>".into(),
            hello_name: None,
            timeout_secs: Some(5),
        }),
        base_url: "https://clearinghouse.example".into(),
        allow_private_webhooks: true,
        ..Default::default()
    }
}

/// A second server process on the same database: its own pool, index and services.
/// (The master key is the same in every process, as `clearinghouse serve` reads it from one
/// file.)
async fn second_process(url: &str, config: ServerConfig, sealer: ch_store::sealed::Sealer) -> anyhow::Result<AppState> {
    let store = ch_store::Store::connect(url).await?;
    let clock = ch_testkit::fixed_clock(ch_testkit::T0 + 1000);
    let kb = ch_knowledge::Knowledge::load(store.clone(), clock.clone()).await?;
    Ok(AppState::new(store, sealer, clock, config, kb)?)
}

/// Runs both processes' workers until neither finds work.
async fn drain(a: &AppState, b: &AppState) -> anyhow::Result<usize> {
    let (wa, wb) = (ch_server::worker(a, "p1".into()), ch_server::worker(b, "p2".into()));
    let mut ran = 0;
    loop {
        let (ra, rb) = tokio::join!(wa.run_once(), wb.run_once());
        let (ra, rb) = (ra?, rb?);
        if ra.is_none() && rb.is_none() {
            return Ok(ran);
        }
        ran += usize::from(ra.is_some()) + usize::from(rb.is_some());
    }
}

async fn enqueue_match(state: &AppState) -> anyhow::Result<()> {
    let mut tx = state.store.begin().await?;
    let job = ch_store::jobs::NewJob::new(ch_exposure::MATCH_JOB, json!({}), state.now());
    ch_store::jobs::enqueue(&mut tx, &job, state.now()).await?;
    tx.commit().await?;
    Ok(())
}

async fn findings(a: &App, token: &str, state: &str) -> anyhow::Result<Vec<Value>> {
    let r = send(&a.router, api("GET", &format!("/api/v1/findings?state={state}"), Some(token), None)).await?;
    ensure!(r.status == 200, "findings: {} {}", r.status, r.text());
    Ok(r.json()?.as_array().cloned().unwrap_or_default())
}

async fn upload(a: &App, token: &str, asset: &str, file: &str, body: &str) -> anyhow::Result<Value> {
    let req = axum::http::Request::builder()
        .method("POST")
        .uri(format!("/api/v1/assets/{asset}/inventories?file_name={file}"))
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body.to_owned()))?;
    let r = send(&a.router, req).await?;
    ensure!(r.status == 201, "upload: {} {}", r.status, r.text());
    r.json()
}

#[tokio::test]
async fn an_advisory_after_an_upload_makes_one_finding_one_webhook_one_mail_then_vex_and_upgrade_close_it() {
    each_backend(|db| async move {
        let smtp = SmtpSink::start().await?;
        let hook = WebhookSink::start().await?;
        let a = app_with(&db.store, config(&smtp)).await?;
        let b = second_process(&db.url, config(&smtp), a.state.sealer.clone()).await?;
        let w = &a.world;
        let alice = w.alice.token.as_str();

        // Settings: a webhook and an e-mail recipient; the secret is shown once.
        let r = send(
            &a.router,
            api(
                "PUT",
                "/api/v1/notifications/settings",
                Some(alice),
                Some(
                    &json!({"webhook_url": hook.url_for("/hooks/clearinghouse"), "email_to": ["it@riverside.example"]}),
                ),
            ),
        )
        .await?;
        ensure!(r.status == 200, "settings: {} {}", r.status, r.text());
        let secret = r.json()?["webhook_secret"].as_str().context("secret shown once")?.to_owned();
        let again = send(&a.router, api("GET", "/api/v1/notifications/settings", Some(alice), None)).await?;
        ensure!(again.json()?.get("webhook_secret").is_none() && !again.text().contains(&secret), "secret shown twice");

        // An asset and its inventory: nothing known about it yet.
        let r = send(
            &a.router,
            api(
                "POST",
                "/api/v1/assets",
                Some(alice),
                Some(&json!({"name": "Patient portal", "criticality": "critical", "owner": "IT desk"})),
            ),
        )
        .await?;
        ensure!(r.status == 201, "asset: {} {}", r.status, r.text());
        let asset = r.json()?["id"].as_str().context("asset id")?.to_owned();
        let up = upload(&a, alice, &asset, "requirements.txt", "requests==2.28.1\nflask==2.2.5\n").await?;
        ensure!(up["components"] == 2 && up["findings"]["new"] == 0, "{up}");
        ensure!(findings(&a, alice, "all").await?.is_empty());

        // The advisory arrives through process A; both processes run the match job.
        a.state.knowledge.import(&[fixture("osv/PYSEC-2023-74.json")], &Default::default(), &mut |_| {}).await?;
        enqueue_match(&a.state).await?;
        enqueue_match(&b).await?;
        drain(&a.state, &b).await?;

        let open = findings(&a, alice, "open").await?;
        ensure!(open.len() == 1, "one finding: {open:?}");
        let f = &open[0];
        ensure!(f["vulnerability"] == "CVE-2023-32681", "{f}");
        ensure!(f["fixed_version"] == "2.31.0", "{f}");
        let action = f["action"].as_str().unwrap_or_default();
        ensure!(action.contains("upgrade requests on Patient portal to 2.31.0"), "{action}");
        let aliases = f["aliases"].to_string();
        ensure!(aliases.contains("PYSEC-2023-74") && aliases.contains("GHSA-j8r2-6x86-q33q"), "{aliases}");

        // One webhook whose signature verifies, one e-mail; nothing more after another drain.
        let hooks = hook.wait_for(1, Duration::from_secs(10)).await?;
        let mails = smtp.wait_for(1, Duration::from_secs(10)).await?;
        drain(&a.state, &b).await?;
        ensure!(hook.requests().len() == 1, "webhooks: {}", hook.requests().len());
        ensure!(smtp.messages().len() == 1, "mails: {}", smtp.messages().len());
        let req = &hooks[0];
        let sig = req.header("x-clearinghouse-signature").context("signature header")?;
        let now = a.state.now() / 1000;
        ch_notify::webhook::verify(secret.as_bytes(), sig, &req.body, now, 300).context("signature verifies")?;
        ensure!(ch_notify::webhook::verify(b"wrong", sig, &req.body, now, 300).is_err());
        let payload = req.json()?;
        ensure!(
            payload["event"] == "findings.new" && payload["findings"][0]["vulnerability"] == "CVE-2023-32681",
            "{payload}"
        );
        ensure!(req.header("x-clearinghouse-delivery") == payload["delivery"].as_str(), "delivery id");
        let mail = &mails[0];
        ensure!(mail.to == vec!["it@riverside.example".to_owned()], "{:?}", mail.to);
        ensure!(mail.header("Subject").unwrap_or_default().contains("CVE-2023-32681"), "{:?}", mail.header("Subject"));
        ensure!(mail.body().contains("2.31.0"), "{}", mail.body());

        // A delivery already sent is not sent again, even if its job ran again.
        let delivery = payload["delivery"].as_str().context("delivery")?;
        let out = ch_exposure::notify::deliver(&b.exposure, delivery).await?;
        ensure!(out == ch_exposure::notify::Delivered::AlreadySent, "{out:?}");
        ensure!(hook.requests().len() == 1);

        // Bob (organisation B) sees none of it.
        let bob = w.bob.token.as_str();
        ensure!(findings(&a, bob, "all").await?.is_empty(), "bob sees A's findings");
        let r = send(&a.router, api("GET", &format!("/api/v1/assets/{asset}"), Some(bob), None)).await?;
        ensure!(r.status == 403 || r.status == 404, "bob reads A's asset: {}", r.status);
        let fid = f["id"].as_str().context("finding id")?;
        let r = send(&a.router, api("GET", &format!("/api/v1/findings/{fid}"), Some(bob), None)).await?;
        ensure!(r.status == 403 || r.status == 404, "bob reads A's finding: {}", r.status);

        // VEX not_affected suppresses it.
        let st = json!({"statements": [{"vulnerability": {"name": "CVE-2023-32681"},
            "products": [{"@id": "pkg:pypi/requests"}], "status": "not_affected",
            "justification": "vulnerable_code_not_in_execute_path"}]});
        let r = send(&a.router, api("POST", "/api/v1/vex", Some(alice), Some(&st))).await?;
        ensure!(r.status == 201, "vex: {} {}", r.status, r.text());
        let vex_id = r.json()?[0]["id"].as_str().context("vex id")?.to_owned();
        ensure!(findings(&a, alice, "open").await?.is_empty(), "suppressed");
        let na = findings(&a, alice, "not_affected").await?;
        ensure!(na.len() == 1 && na[0]["id"] == f["id"], "{na:?}");
        let r = send(&a.router, api("GET", "/api/v1/vex/export?format=openvex", Some(alice), None)).await?;
        ensure!(r.status == 200 && r.text().contains("vulnerable_code_not_in_execute_path"), "{}", r.text());
        let r = send(&a.router, api("GET", "/api/v1/vex", Some(bob), None)).await?;
        ensure!(r.json()?.as_array().is_some_and(|v| v.is_empty()), "bob sees A's statements");

        // Without the statement it is open again (the same finding).
        let r = send(&a.router, api("DELETE", &format!("/api/v1/vex/{vex_id}"), Some(alice), None)).await?;
        ensure!(r.status == 204, "delete vex: {}", r.status);
        let open = findings(&a, alice, "open").await?;
        ensure!(open.len() == 1 && open[0]["id"] == f["id"], "{open:?}");

        // An upgraded inventory closes it.
        let up = upload(&a, alice, &asset, "requirements.txt", "requests==2.31.0\nflask==2.2.5\n").await?;
        ensure!(up["findings"]["closed"] == 1, "{up}");
        ensure!(findings(&a, alice, "open").await?.is_empty());
        let fixed = findings(&a, alice, "fixed").await?;
        ensure!(fixed.len() == 1, "{fixed:?}");
        let reason = fixed[0]["state_reason"].as_str().unwrap_or_default();
        ensure!(reason.contains("newer inventory") && reason.contains("2.31.0"), "{reason}");
        let all = findings(&a, alice, "all").await?;
        ensure!(all.len() == 1, "no duplicate finding: {all:?}");

        // The asset keeps its history.
        let r = send(&a.router, api("GET", &format!("/api/v1/assets/{asset}"), Some(alice), None)).await?;
        let detail = r.json()?;
        ensure!(detail["inventories"].as_array().map(Vec::len) == Some(2), "{detail}");

        // Exports for the board.
        let r = send(&a.router, api("GET", "/api/v1/exposure/report.csv", Some(alice), None)).await?;
        ensure!(r.status == 200 && r.text().starts_with("Rank,"), "{}", r.text());
        let r = send(&a.router, api("GET", "/api/v1/exposure/report.pdf", Some(alice), None)).await?;
        ensure!(r.status == 200 && r.body.starts_with(b"%PDF-"), "pdf: {}", r.status);
        b.store.close().await;
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn the_demo_operators_see_real_findings_known_exploited_first() {
    each_backend(|db| async move {
        let a = crate::app(&db.store).await?;
        ch_server::demo::seed(&a.state.identity, a.state.now()).await?;
        let data = ch_testkit::shared_data("");
        let made = ch_server::demo::seed_exposure(&a.state.identity, &a.state.exposure, Some(&data)).await?;
        ensure!(made == ch_server::demo::DEMO_ASSETS.len(), "{made} assets");
        ensure!(ch_server::demo::seed_exposure(&a.state.identity, &a.state.exposure, Some(&data)).await? == 0, "once");
        // The advisories arrive after the assets, as on a first start.
        let sets = [
            "kev/known_exploited_vulnerabilities.json",
            "cve/nvd-1.1-kev.jsonl.zst",
            "cve/nvd-2.0-kev.jsonl.zst",
            "cve/cve5-kev-cvelistv5.jsonl.zst",
            "osv/nodejs-security-wg.jsonl.zst",
            "osv/ghsa-sbom-sample.jsonl.zst",
            "osv/friendsofphp-security-advisories.jsonl.zst",
        ];
        let paths: Vec<PathBuf> = sets.iter().map(|s| ch_testkit::shared_data(s)).collect();
        a.state.knowledge.import(&paths, &Default::default(), &mut |_| {}).await?;
        let run = a.state.exposure.match_changes().await?;
        ensure!(run.findings.new > 0, "{run:?}");
        let mut c = db.store.conn().await?;
        for org_name in ["Prairie County Hospital", "First Community Bank"] {
            let org = ch_store::identity::find_org_by_name(&mut c, org_name).await?.context("demo org")?;
            let org_id = org.id.to_string();
            let assets = ch_store::exposure::list_assets(&mut c, &org_id).await?;
            ensure!(assets.len() == 3, "{org_name}: {assets:?}");
            for asset in &assets {
                let f = ch_store::exposure::list_findings(
                    &mut c,
                    &org_id,
                    &ch_store::exposure::FindingFilter { asset_id: Some(asset.id.clone()), ..Default::default() },
                )
                .await?;
                ensure!(!f.is_empty(), "{org_name} / {}: no findings", asset.name);
            }
            let ranked = ch_store::exposure::list_findings(&mut c, &org_id, &Default::default()).await?;
            let top = &ranked[0];
            ensure!(top.known_exploited == 1, "{org_name}: top finding not known exploited: {top:?}");
            eprintln!("{org_name}: {} open; first: {} — {}", ranked.len(), top.flaw_id, top.action);
        }
        Ok(db)
    })
    .await;
}
