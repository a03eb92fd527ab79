//! The knowledge base on both backends: every shared advisory set imported twice (the
//! second time changes nothing), a crashed import resumed, and sync against a local HTTP
//! server that speaks conditional requests.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, ensure};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::IntoResponse;
use ch_knowledge::sync::SyncOutcome;
use ch_knowledge::{ImportOptions, Knowledge};
use ch_testkit::{each_backend, fixed_clock};

use ch_testkit::shared_data as shared;

/// Every advisory set of the shared data, as the issue lists them.
const SETS: &[&str] = &[
    "osv/pypa.jsonl.zst",
    "osv/rustsec.jsonl.zst",
    "osv/rustsec-advisories-md.tar.zst",
    "osv/bitnami-vulndb.jsonl.zst",
    "osv/almalinux-osv.jsonl.zst",
    "osv/ghsa-sbom-sample.jsonl.zst",
    "osv/nodejs-security-wg.jsonl.zst",
    "osv/friendsofphp-security-advisories.jsonl.zst",
    "osv/victims-cve-db.jsonl.zst",
    "cve/nvd-1.1-kev.jsonl.zst",
    "cve/nvd-2.0-kev.jsonl.zst",
    "cve/nvd-2.0-api-responses",
    "cve/cve5-kev-vulnrichment.jsonl.zst",
    "cve/cve5-kev-cvelistv5.jsonl.zst",
    "cve/cve5-samples",
    "cve/cve5-vulnrichment-all.jsonl.zst",
    "kev/known_exploited_vulnerabilities.json",
];

#[tokio::test]
async fn every_shared_set_imports_and_a_second_import_changes_nothing() {
    each_backend(|db| async move {
        let kb = Knowledge::load(db.store.clone(), fixed_clock(ch_testkit::T0)).await?;
        let paths: Vec<PathBuf> = SETS.iter().map(|s| shared(s)).collect();
        for p in &paths {
            ensure!(p.exists(), "shared data missing: {}", p.display());
        }
        let mut errors = Vec::new();
        let first = kb
            .import(&paths, &ImportOptions::default(), &mut |e| {
                if let ch_knowledge::ImportEvent::Error(m) = e {
                    errors.push(m);
                }
            })
            .await?;
        let p = first.progress;
        // The bad records of the real data are few and each is named.
        ensure!(p.errors < 200 && p.errors as usize == errors.len(), "{} errors: {errors:#?}", p.errors);
        ensure!(p.inserted > 20_000, "{p:?}");
        ensure!(p.kev >= 1_404, "{p:?}");
        let mut c = db.store.conn().await?;
        let counts = ch_store::knowledge::counts(&mut c).await?;
        drop(c);
        ensure!(counts.advisories as u64 == p.inserted, "{counts:?} vs {p:?}");
        ensure!(counts.kev == 1_404, "{counts:?}");
        // Every source format is represented.
        {
            let index = kb.index();
            for (id, what) in [
                ("PYSEC-2021-109", "PyPA"),
                ("RUSTSEC-2020-0071", "RustSec"),
                ("CVE-2021-44228", "NVD"),
                ("GHSA-p6mc-m468-83gw", "GHSA"),
            ] {
                ensure!(!index.get(id).is_empty(), "{what}: {id} not indexed");
            }
            ensure!(index.records().any(|(_, a)| a.id.starts_with("BIT-")), "Bitnami");
            ensure!(index.records().any(|(_, a)| a.id.starts_with("ALSA-")), "AlmaLinux");
            ensure!(index.records().any(|(_, a)| a.id.starts_with("x_NSWG-")), "Node.js WG");
            ensure!(index.records().any(|(_, a)| a.id.starts_with("x_FOP-")), "FriendsOfPHP");
            ensure!(index.records().any(|(_, a)| a.id.starts_with("x_VICTIMS-")), "Victims");
            let flaw = index.flaw("CVE-2021-44228").context("log4shell")?;
            ensure!(flaw.exploited.is_some(), "KEV marking missing on CVE-2021-44228");
        }

        let seq = kb.seen_seq();
        let second = kb.import(&paths, &ImportOptions::default(), &mut |_| {}).await?;
        ensure!(second.changed() == 0, "the second import changed {:?}", second.progress);
        ensure!(second.progress.records == p.records, "{:?} vs {p:?}", second.progress);
        ensure!(kb.seen_seq() == seq, "the second import wrote a change");
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn a_crashed_import_resumes_where_it_stopped() {
    each_backend(|db| async move {
        let kb = Knowledge::load(db.store.clone(), fixed_clock(ch_testkit::T0)).await?;
        let tmp = tempfile::tempdir()?;
        let full = std::fs::read(shared("osv/almalinux-osv.jsonl.zst"))?;
        // A download or a process that died two thirds of the way through.
        let cut = tmp.path().join("almalinux-osv.jsonl.zst");
        std::fs::write(&cut, full.get(..full.len() * 2 / 3).context("cut")?)?;
        let first = kb
            .import(std::slice::from_ref(&cut), &ImportOptions { batch_size: 500, ..Default::default() }, &mut |_| {})
            .await?;
        ensure!(first.progress.errors == 1 && first.progress.inserted > 2_000, "{:?}", first.progress);
        std::fs::write(&cut, &full)?;
        let second = kb.import(&[cut], &ImportOptions { batch_size: 500, ..Default::default() }, &mut |_| {}).await?;
        ensure!(second.progress.errors == 0, "{:?}", second.progress);
        ensure!(
            second.progress.unchanged >= first.progress.inserted,
            "committed batches were redone: {:?}",
            second.progress
        );
        ensure!(
            second.progress.inserted + first.progress.inserted >= 5_600,
            "{:?} {:?}",
            first.progress,
            second.progress
        );
        let mut c = db.store.conn().await?;
        let runs = ch_store::knowledge::list_import_runs(&mut c, 5).await?;
        ensure!(runs.len() == 2 && runs.iter().all(|r| r.state == "done"), "{runs:?}");
        ensure!(runs[1].position.as_deref().is_some_and(|p| p.contains("almalinux-osv.jsonl.zst:")), "{runs:?}");
        Ok(db)
    })
    .await;
}

/// A NUL in a record's text (PostgreSQL's `text` cannot hold one) does not stop an
/// import: in an id it is refused with its line, in a summary the row keeps U+FFFD and the
/// record keeps the NUL; the records around them go in, on both backends.
#[tokio::test]
async fn a_nul_in_a_record_is_refused_or_kept_and_the_rest_go_in() {
    each_backend(|db| async move {
        let kb = Knowledge::load(db.store.clone(), fixed_clock(ch_testkit::T0)).await?;
        let tmp = tempfile::tempdir()?;
        // Three real PyPA records: the first with a NUL in its summary, the second in its id.
        let mut decoder = zstd::Decoder::new(std::fs::File::open(shared("osv/pypa.jsonl.zst"))?)?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut decoder, &mut text)?;
        let mut lines = Vec::new();
        for (i, line) in text.lines().take(3).enumerate() {
            let mut v: serde_json::Value = serde_json::from_str(line)?;
            let id = v["id"].as_str().context("id")?.to_owned();
            match i {
                0 => v["summary"] = serde_json::Value::String("before\u{0}after".into()),
                1 => v["id"] = serde_json::Value::String(format!("{id}\u{0}")),
                _ => {}
            }
            lines.push((id, serde_json::to_string(&v)?));
        }
        let path = tmp.path().join("nul.jsonl");
        std::fs::write(&path, lines.iter().map(|(_, l)| format!("{l}\n")).collect::<String>())?;
        let run = kb.import(&[path], &ImportOptions::default(), &mut |_| {}).await?;
        ensure!(run.progress.inserted == 2 && run.progress.errors == 1, "{:?} {:?}", run.progress, run.errors);
        ensure!(run.errors.iter().any(|e| e.contains("nul.jsonl:2") && e.contains("/id")), "{:?}", run.errors);
        let (summary,): (String,) = sqlx::query_as("SELECT summary FROM advisories WHERE id = $1")
            .bind(&lines[0].0)
            .fetch_one(db.store.pool())
            .await?;
        ensure!(summary == "before\u{FFFD}after", "{summary:?}");
        let mut c = db.store.conn().await?;
        let stored = ch_store::knowledge::changed_advisories(&mut c, 0).await?;
        let first = stored.iter().find(|s| s.id == lines[0].0).context("first stored")?;
        ensure!(first.json()?.contains("before\\u0000after"), "the record keeps its NUL");
        ensure!(stored.iter().any(|s| s.id == lines[2].0), "the third record");
        Ok(db)
    })
    .await;
}

/// A file server with `ETag` and `Last-Modified` validators, counting requests and
/// conditional hits.
#[derive(Clone)]
struct Served {
    body: Arc<std::sync::Mutex<(Vec<u8>, String)>>,
    requests: Arc<AtomicUsize>,
    not_modified: Arc<AtomicUsize>,
}

async fn serve_file(
    axum::extract::State(s): axum::extract::State<Served>,
    headers: HeaderMap,
) -> axum::response::Response {
    s.requests.fetch_add(1, Ordering::SeqCst);
    let (body, etag) = match s.body.lock() {
        Ok(g) => g.clone(),
        Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    };
    let last_modified = "Tue, 01 Dec 2026 10:00:00 GMT";
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(etag.as_str()) {
        s.not_modified.fetch_add(1, Ordering::SeqCst);
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
    }
    (StatusCode::OK, [(header::ETAG, etag), (header::LAST_MODIFIED, last_modified.to_owned())], body).into_response()
}

#[tokio::test]
async fn sync_fetches_only_what_changed() {
    each_backend(|db| async move {
        let kb = Knowledge::load(db.store.clone(), fixed_clock(ch_testkit::T0)).await?;
        let served = Served {
            body: Arc::new(std::sync::Mutex::new((std::fs::read(shared("osv/rustsec.jsonl.zst"))?, "\"v1\"".into()))),
            requests: Arc::new(AtomicUsize::new(0)),
            not_modified: Arc::new(AtomicUsize::new(0)),
        };
        let app = axum::Router::new()
            .route("/osv/rustsec.jsonl.zst", axum::routing::get(serve_file))
            .route(
                "/kev/known_exploited_vulnerabilities.json",
                axum::routing::get(|| async {
                    std::fs::read(shared("kev/known_exploited_vulnerabilities.json")).map_err(|_| StatusCode::NOT_FOUND)
                }),
            )
            .with_state(served.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let server = tokio::spawn(async move { axum::serve(listener, app).await });

        let now = ch_testkit::T0;
        {
            let mut tx = db.store.begin().await?;
            ch_store::knowledge::put_source(&mut tx, "rustsec", &format!("http://{addr}/osv/rustsec.jsonl.zst"), now)
                .await?;
            ch_store::knowledge::put_source(
                &mut tx,
                "kev",
                &format!("http://{addr}/kev/known_exploited_vulnerabilities.json"),
                now,
            )
            .await?;
            ch_store::knowledge::put_source(&mut tx, "gone", &format!("http://{addr}/missing.zip"), now).await?;
            tx.commit().await?;
        }
        let client = ch_knowledge::sync::client()?;
        let clock = fixed_clock(now);
        let reports = ch_knowledge::sync::sync_all(kb.store(), Some(&kb), &client, &clock, &mut |_| {}).await?;
        let by = |name: &str| reports.iter().find(|r| r.source == name).map(|r| r.outcome.clone());
        match by("rustsec") {
            Some(SyncOutcome::Imported { summary, .. }) => ensure!(summary.progress.inserted > 1_000, "{summary:?}"),
            other => anyhow::bail!("rustsec: {other:?}"),
        }
        ensure!(matches!(by("kev"), Some(SyncOutcome::Imported { .. })));
        ensure!(
            matches!(by("gone"), Some(SyncOutcome::Failed { ref reason }) if reason.contains("404")),
            "{:?}",
            by("gone")
        );
        ensure!(!kb.index().get("RUSTSEC-2020-0071").is_empty(), "synced advisories are not in the index");

        // Again: the validators go along, the server answers 304, nothing is imported.
        let reports = ch_knowledge::sync::sync_all(kb.store(), Some(&kb), &client, &clock, &mut |_| {}).await?;
        ensure!(matches!(by_name(&reports, "rustsec"), Some(SyncOutcome::NotModified)), "{reports:?}");
        ensure!(served.not_modified.load(Ordering::SeqCst) == 1);
        // The KEV server sends no validators: fetched again, and found unchanged.
        match by_name(&reports, "kev") {
            Some(SyncOutcome::Imported { summary, .. }) => ensure!(summary.changed() == 0, "{summary:?}"),
            other => anyhow::bail!("kev: {other:?}"),
        }

        // The source changes: a new body with a new ETag is imported.
        let mut rec: serde_json::Value = {
            let index = kb.index();
            index.get("RUSTSEC-2020-0071").first().context("record")?.osv_json()
        };
        rec["modified"] = serde_json::json!("2099-01-01T00:00:00Z");
        rec["summary"] = serde_json::json!("Changed upstream");
        let line = format!("{}\n", serde_json::to_string(&rec)?);
        let body = zstd::encode_all(line.as_bytes(), 3)?;
        if let Ok(mut g) = served.body.lock() {
            *g = (body, "\"v2\"".into());
        }
        let reports = ch_knowledge::sync::sync_all(kb.store(), Some(&kb), &client, &clock, &mut |_| {}).await?;
        match by_name(&reports, "rustsec") {
            Some(SyncOutcome::Imported { summary, .. }) => ensure!(summary.progress.updated == 1, "{summary:?}"),
            other => anyhow::bail!("rustsec after a change: {other:?}"),
        }
        ensure!(
            kb.index().get("RUSTSEC-2020-0071").first().and_then(|a| a.summary.clone()).as_deref()
                == Some("Changed upstream")
        );
        let mut c = db.store.conn().await?;
        let sources = ch_store::knowledge::list_sources(&mut c).await?;
        let rs = sources.iter().find(|s| s.name == "rustsec").context("rustsec source")?;
        ensure!(rs.etag.as_deref() == Some("\"v2\"") && rs.status.as_deref() == Some("imported"), "{rs:?}");
        let gone = sources.iter().find(|s| s.name == "gone").context("gone source")?;
        ensure!(gone.status.as_deref() == Some("failed") && gone.etag.is_none(), "{gone:?}");
        server.abort();
        Ok(db)
    })
    .await;
}

fn by_name(reports: &[ch_knowledge::sync::SyncReport], name: &str) -> Option<SyncOutcome> {
    reports.iter().find(|r| r.source == name).map(|r| r.outcome.clone())
}
