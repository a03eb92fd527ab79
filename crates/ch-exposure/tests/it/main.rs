//! The exposure service on SQLite and PostgreSQL: deliveries that survive a worker dying
//! mid-send, retries with back-off, digests, acceptance expiry, bad uploads.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::Duration;

use anyhow::{Context, ensure};
use ch_exposure::notify::{self, Delivered};
use ch_exposure::{Criticality, Exposure, Outbound};
use ch_store::exposure as db;
use ch_testkit::webhook::WebhookSink;
use ch_testkit::{World, each_backend, manual_clock};

struct Fx {
    x: Exposure,
    world: World,
    time: std::sync::Arc<std::sync::atomic::AtomicI64>,
}

async fn fx(store: &ch_store::Store) -> anyhow::Result<Fx> {
    let world = World::create(store).await?;
    let (clock, time) = manual_clock(ch_testkit::T0 + 1000);
    let kb = ch_knowledge::Knowledge::load(store.clone(), clock.clone()).await?;
    let sealer = ch_store::sealed::Sealer::new(ch_testkit::keyring()?, None);
    let outbound = Outbound { allow_private_webhooks: true, ..Outbound::default() };
    let x = Exposure::new(store.clone(), kb, clock, sealer, outbound);
    Ok(Fx { x, world, time })
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/PYSEC-2023-74.json")
}

/// An asset with `requests==2.28.1` and the advisory about it: one open finding.
async fn exposed(f: &Fx) -> anyhow::Result<db::AssetRow> {
    let org = f.world.org_a.to_string();
    f.x.knowledge().import(&[fixture()], &Default::default(), &mut |_| {}).await?;
    let asset = f.x.create_asset(&org, "Patient portal", Criticality::Critical, None, None).await?;
    let out = f.x.upload(&asset, "requirements.txt", b"requests==2.28.1\n".to_vec(), None, None).await?;
    ensure!(out.findings.new == 1, "{out:?}");
    Ok(asset)
}

async fn deliveries(f: &Fx) -> anyhow::Result<Vec<db::DeliveryRow>> {
    let mut c = f.x.store().conn().await?;
    Ok(db::list_deliveries(&mut c, &f.world.org_a.to_string(), 100).await?)
}

#[tokio::test]
async fn a_worker_dying_mid_send_sends_the_same_delivery_again_and_a_sent_one_never() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let hook = WebhookSink::start().await?;
        let org = f.world.org_a.to_string();
        let (_, secret) = notify::set_settings(&f.x, &org, Some(&hook.url()), &[], false, false).await?;
        let secret = secret.context("a new secret")?;
        exposed(&f).await?;
        let ds = deliveries(&f).await?;
        ensure!(ds.len() == 1 && ds[0].channel == "webhook" && ds[0].state == "pending", "{ds:?}");
        let id = ds[0].id.clone();

        ensure!(notify::deliver(&f.x, &id).await? == Delivered::Sent);
        // The worker dies after the receiver got it, before recording it: the row still
        // says an attempt started.
        {
            let mut tx = f.x.store().begin().await?;
            db::finish_delivery(&mut tx, &id, "sending", None, None).await?;
            tx.commit().await?;
        }
        ensure!(notify::deliver(&f.x, &id).await? == Delivered::Sent);
        let got = hook.wait_for(2, Duration::from_secs(10)).await?;
        let ids: std::collections::BTreeSet<&str> =
            got.iter().filter_map(|r| r.header("x-clearinghouse-delivery")).collect();
        ensure!(ids.len() == 1 && ids.contains(id.as_str()), "one distinct delivery: {ids:?}");
        for r in &got {
            let sig = r.header("x-clearinghouse-signature").context("signature")?;
            ch_notify::webhook::verify(secret.as_bytes(), sig, &r.body, f.x.now() / 1000, 300)?;
        }
        // Recorded as sent now: running the job again sends nothing.
        ensure!(notify::deliver(&f.x, &id).await? == Delivered::AlreadySent);
        ensure!(hook.requests().len() == 2);
        let d = deliveries(&f).await?;
        ensure!(d[0].state == "sent" && d[0].attempts == 2, "{d:?}");
        Ok(tdb)
    })
    .await;
}

#[tokio::test]
async fn a_failing_receiver_is_retried_from_the_job_table_with_back_off() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let hook = WebhookSink::start().await?;
        let org = f.world.org_a.to_string();
        notify::set_settings(&f.x, &org, Some(&hook.url()), &[], false, false).await?;
        hook.fail_next(2);
        exposed(&f).await?;
        let x = f.x.clone();
        let handler: ch_store::jobs::Handler = std::sync::Arc::new(move |ctx: ch_store::jobs::JobContext| {
            let x = x.clone();
            Box::pin(async move {
                let id = ctx.job.payload["delivery"].as_str().unwrap_or_default().to_owned();
                notify::deliver(&x, &id).await.map(|_| ()).map_err(|e| e.to_string())
            })
        });
        let clock = {
            let t = f.time.clone();
            std::sync::Arc::new(move || t.load(Ordering::SeqCst)) as ch_store::jobs::Clock
        };
        let w = ch_store::jobs::Worker::new(f.x.store().clone(), "w", clock).handle(ch_exposure::DELIVER_JOB, handler);
        let mut runs = 0;
        for _ in 0..10 {
            match w.run_once().await? {
                Some(_) => runs += 1,
                None => {
                    if hook.requests().iter().any(|r| r.status < 300) {
                        break;
                    }
                    // Nothing runnable: the retry waits for its back-off.
                    f.time.fetch_add(60_000, Ordering::SeqCst);
                }
            }
        }
        let got = hook.requests();
        ensure!(got.len() == 3, "two 503s then a success: {:?}", got.iter().map(|r| r.status).collect::<Vec<_>>());
        let statuses: Vec<u16> = got.iter().map(|r| r.status).collect();
        ensure!(statuses == vec![503, 503, 204], "{statuses:?}");
        ensure!(runs == 3, "runs {runs}");
        let d = deliveries(&f).await?;
        ensure!(d[0].state == "sent" && d[0].attempts == 3, "{d:?}");
        Ok(tdb)
    })
    .await;
}

#[tokio::test]
async fn a_digest_organisation_gets_one_ranked_message_a_day() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let hook = WebhookSink::start().await?;
        let org = f.world.org_a.to_string();
        notify::set_settings(&f.x, &org, Some(&hook.url()), &[], true, false).await?;
        exposed(&f).await?;
        ensure!(deliveries(&f).await?.is_empty(), "nothing sent before the digest");
        ensure!(notify::send_digests(&f.x).await? == 1);
        ensure!(notify::send_digests(&f.x).await? == 0, "a second digest with nothing new");
        let ds = deliveries(&f).await?;
        ensure!(ds.len() == 1, "{ds:?}");
        ensure!(notify::deliver(&f.x, &ds[0].id).await? == Delivered::Sent);
        let got = hook.wait_for(1, Duration::from_secs(10)).await?;
        let body = got[0].json()?;
        ensure!(body["event"] == "findings.digest", "{body}");
        ensure!(body["findings"][0]["vulnerability"] == "CVE-2023-32681", "{body}");
        let mut c = f.x.store().conn().await?;
        let n = db::list_notifications(&mut c, &org, 10).await?;
        ensure!(n.iter().any(|n| n.kind == "digest" && n.title.contains("1 new finding")), "{n:?}");
        Ok(tdb)
    })
    .await;
}

#[tokio::test]
async fn an_acceptance_runs_out_and_the_finding_opens_again() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let asset = exposed(&f).await?;
        let org = f.world.org_a.to_string();
        let finding = {
            let mut c = f.x.store().conn().await?;
            db::list_findings(&mut c, &org, &Default::default()).await?.remove(0)
        };
        ensure!(f.x.accept(&finding, "  ", None).await.is_err(), "a reason is needed");
        let until = f.x.now() + 86_400_000;
        let accepted = f.x.accept(&finding, "only reachable from the clinic LAN", Some(until)).await?;
        ensure!(accepted.state == "accepted");
        // A re-upload keeps the acceptance.
        f.x.upload(&asset, "requirements.txt", b"requests==2.28.2\n".to_vec(), None, None).await?;
        let mut c = f.x.store().conn().await?;
        let now = db::get_finding(&mut c, &finding.id).await?.context("finding")?;
        drop(c);
        ensure!(now.state == "accepted" && now.component_version == "2.28.2", "{now:?}");
        f.time.fetch_add(2 * 86_400_000, Ordering::SeqCst);
        f.x.match_changes().await?;
        let mut c = f.x.store().conn().await?;
        let now = db::get_finding(&mut c, &finding.id).await?.context("finding")?;
        ensure!(now.state == "open" && now.state_reason.as_deref() == Some("the acceptance expired"), "{now:?}");
        Ok(tdb)
    })
    .await;
}

#[tokio::test]
async fn a_bad_upload_is_refused_with_the_place_and_changes_nothing() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let asset = exposed(&f).await?;
        let err =
            f.x.upload(
                &asset,
                "bom.json",
                br#"{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{"name": 3}]}"#.to_vec(),
                None,
                None,
            )
            .await
            .err()
            .context("refused")?;
        ensure!(matches!(err, ch_exposure::Error::Inventory(_)), "{err:?}");
        ensure!(err.to_string().contains("components"), "names the place: {err}");
        let mut c = f.x.store().conn().await?;
        let invs = db::list_inventories(&mut c, &asset.id).await?;
        ensure!(invs.len() == 1, "{invs:?}");
        let open = db::list_findings(&mut c, &f.world.org_a.to_string(), &Default::default()).await?;
        ensure!(open.len() == 1 && open[0].state == "open", "{open:?}");
        Ok(tdb)
    })
    .await;
}

/// (component, flaw, state) of an organisation's findings, sorted.
async fn finding_set(f: &Fx, org: &str) -> anyhow::Result<Vec<(String, String, String, Option<String>)>> {
    let mut c = f.x.store().conn().await?;
    let all = db::list_findings(&mut c, org, &db::FindingFilter { states: vec![], ..Default::default() }).await?;
    let mut out: Vec<_> = all.into_iter().map(|r| (r.component_ref, r.flaw_id, r.state, r.fixed_version)).collect();
    out.sort();
    Ok(out)
}

#[tokio::test]
async fn matching_advisories_as_they_arrive_agrees_with_matching_an_upload_after_them() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        let sbom = ch_testkit::shared_data("sbom/cyclonedx/bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json");
        let bytes = std::fs::read(&sbom).with_context(|| sbom.display().to_string())?;
        let (a, b) = (f.world.org_a.to_string(), f.world.org_b.to_string());
        // A registers its SBOM before the advisories are known.
        let early = f.x.create_asset(&a, "Portal", Criticality::High, None, None).await?;
        let up = f.x.upload(&early, "bom.1.4.json", bytes.clone(), None, None).await?;
        ensure!(up.components > 1000 && up.findings.new == 0, "{} components, {:?}", up.components, up.findings);
        let sets = ["osv/nodejs-security-wg.jsonl.zst", "osv/ghsa-sbom-sample.jsonl.zst"];
        let paths: Vec<PathBuf> = sets.iter().map(|s| ch_testkit::shared_data(s)).collect();
        f.x.knowledge().import(&paths, &Default::default(), &mut |_| {}).await?;
        let run = f.x.match_changes().await?;
        ensure!(run.records > 600 && run.findings.new > 10, "{run:?}");
        // Only what the changed records can be about was read back from the reverse index.
        ensure!(run.components < up.components, "{} of {} components read", run.components, up.components);
        ensure!(f.x.match_changes().await?.findings.new == 0, "a second run has nothing to do");
        // B registers the same SBOM after the advisories: matched on upload.
        let late = f.x.create_asset(&b, "Portal", Criticality::High, None, None).await?;
        let up_b = f.x.upload(&late, "bom.1.4.json", bytes, None, None).await?;
        let (set_a, set_b) = (finding_set(&f, &a).await?, finding_set(&f, &b).await?);
        ensure!(
            set_a == set_b,
            "incremental {} vs on upload {}: {:?}",
            set_a.len(),
            set_b.len(),
            set_a.iter().filter(|x| !set_b.contains(x)).collect::<Vec<_>>()
        );
        ensure!(set_b.len() as u64 == up_b.findings.new, "{} vs {:?}", set_b.len(), up_b.findings);
        // The index's own answer for the SBOM's components, flaw by flaw, is what was recorded.
        let inv = ch_lockfile::read(&std::fs::read(&sbom)?, "bom.1.4.json", None)?;
        let mut want: Vec<(String, String)> = {
            let index = f.x.knowledge().index();
            let m = index.match_components(&inv.components);
            let mut w = Vec::new();
            for cm in &m.matches {
                let c = &inv.components[cm.component];
                for h in &cm.hits {
                    if let Some(flaw) = index.flaw(&h.key.id) {
                        w.push((ch_exposure::component_ref(c), flaw.primary_id));
                    }
                }
            }
            w
        };
        want.sort();
        want.dedup();
        let got: Vec<(String, String)> = set_b.iter().map(|x| (x.0.clone(), x.1.clone())).collect();
        let mut got_d = got.clone();
        got_d.dedup();
        ensure!(got_d == want, "recorded {} vs index {}", got_d.len(), want.len());
        Ok(tdb)
    })
    .await;
}

#[tokio::test]
async fn a_vendor_statement_annotates_other_organisations_findings_without_closing_them() {
    each_backend(|tdb| async move {
        let f = fx(&tdb.store).await?;
        exposed(&f).await?;
        let identity = ch_identity::Identity::new(tdb.store.clone())?;
        let vendor = identity
            .create_org(&ch_store::audit::Who::system(), f.x.now(), "Python Software Foundation", ch_domain::OrgKind::Vendor, None)
            .await?;
        let doc = br#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://psf.example/vex/1",
            "author": "PSF", "timestamp": "2026-07-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "GHSA-j8r2-6x86-q33q"}, "products": [{"@id": "pkg:pypi/requests"}],
              "status": "not_affected", "justification": "vulnerable_code_cannot_be_controlled_by_adversary",
              "impact_statement": "only with proxies that strip auth"}]}"#;
        f.x.import_vex(&vendor.id.to_string(), doc, None).await?;
        let org = f.world.org_a.to_string();
        let mut c = f.x.store().conn().await?;
        let findings = db::list_findings(&mut c, &org, &db::FindingFilter { states: vec![], ..Default::default() }).await?;
        drop(c);
        ensure!(findings.len() == 1, "{findings:?}");
        let fi = &findings[0];
        ensure!(fi.state == "open", "a vendor's word does not close it: {fi:?}");
        ensure!(fi.vex_status.as_deref() == Some("not_affected"), "{fi:?}");
        let note = fi.vex_note.clone().unwrap_or_default();
        ensure!(note.starts_with("Python Software Foundation says not affected") && note.contains("strip auth"), "{note}");
        // The operator adopts it with a statement of its own: now it is closed.
        let own = String::from_utf8_lossy(doc).replace("https://psf.example/vex/1", "https://a.example/vex/1");
        f.x.import_vex(&org, own.as_bytes(), None).await?;
        let mut c = f.x.store().conn().await?;
        let now = db::get_finding(&mut c, &fi.id).await?.context("finding")?;
        ensure!(now.state == "not_affected", "{now:?}");
        Ok(tdb)
    })
    .await;
}
