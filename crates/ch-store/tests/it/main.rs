//! Storage tests, each on SQLite and (when configured) PostgreSQL.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use anyhow::{Context, ensure};
use ch_domain::DataKeyId;
use ch_store::audit::{self, Who};
use ch_store::jobs::{self, JobState, NewJob, Worker};
use ch_store::sealed::Sealer;
use ch_store::{Error, Store};
use ch_testkit::{TestDb, each_backend, keyring, manual_clock};
use serde_json::json;

#[tokio::test]
async fn migrations_apply_and_are_idempotent() {
    each_backend(|db| async move {
        let backend = format!("{:?}", db.store.backend()).to_lowercase();
        ensure!(backend == db.backend, "store is {backend}, test database is {}", db.backend);
        let applied = db.store.applied_migrations().await?;
        // Every migration, in order, mirrored by name for both backends.
        let names = |dir: &str| -> anyhow::Result<Vec<String>> {
            let mut v: Vec<String> = std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))?
                .filter_map(|e| e.ok())
                .filter_map(|e| e.file_name().into_string().ok())
                .collect();
            v.sort();
            // sqlx describes a migration by its file name, its underscores read as spaces.
            Ok(v.iter()
                .filter_map(|n| n.split_once('_').map(|(_, r)| r.trim_end_matches(".sql").replace('_', " ")))
                .collect())
        };
        let expected = names("migrations/sqlite")?;
        ensure!(expected == names("migrations/postgres")?, "migrations are not mirrored");
        ensure!(
            expected
                == vec![
                    "foundation".to_string(),
                    "knowledge".to_string(),
                    "exposure".to_string(),
                    "compression".to_string(),
                    "lookups".to_string(),
                    "keys".to_string(),
                    "keys in row".to_string()
                ],
            "{expected:?}"
        );
        ensure!(applied == expected, "applied: {applied:?}");
        // A second connect (a second process starting) applies nothing new and succeeds.
        let again = Store::connect(&db.url).await?;
        ensure!(again.applied_migrations().await? == applied);
        again.close().await;
        Ok(db)
    })
    .await;
}

/// A knowledge base from before the lookup tables were rebuilt (migrations 0001 to 0004,
/// with rows in every knowledge table) upgrades with nothing lost: 0005 and 0006 rebuild
/// the alias, package and product tables keyed by record, 0007 moves each record's keys
/// into its row (a record with none gets empty lists), and the keys then read, delete
/// and take new ones as a fresh database's do.
#[tokio::test]
async fn an_older_knowledge_base_upgrades_with_its_rows() {
    use ch_store::knowledge;
    use sqlx::Connection;
    use std::collections::BTreeSet;
    each_backend(|db| async move {
        // A second, empty database beside the test's own.
        let dir = tempfile::tempdir()?;
        let (url, pg_name) = match db.backend {
            "sqlite" => (format!("sqlite://{}?mode=rwc", dir.path().join("old.db").display()), None),
            _ => {
                let name = format!("ch_test_old_{}", uuid::Uuid::now_v7().simple());
                let mut admin = sqlx::AnyConnection::connect(&db.url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
                admin.close().await?;
                (ch_testkit::with_database(&db.url, &name), Some(name))
            }
        };
        let dir_of = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/");
        let older = sqlx::migrate::Migrator::new(std::path::Path::new(&format!("{dir_of}{}", db.backend))).await?;
        let mut c = sqlx::AnyConnection::connect(&url).await?;
        older.run_to(4, &mut c).await?;
        // A-3 has no lookup rows at all.
        let records = [
            ("A-1", r#"{"id":"A-1","modified":"2024-01-01T00:00:00Z"}"#),
            ("A-2", r#"{"id":"A-2","modified":"2024-01-02T00:00:00Z"}"#),
            ("A-3", r#"{"id":"A-3","modified":"2024-01-03T00:00:00Z"}"#),
        ];
        for (id, json) in records {
            sqlx::query(
                "INSERT INTO advisories (id, origin, source_format, modified, exploited, record, digest, seq, imported_at) \
                 VALUES ($1, 'osv', 'osv-json', 1, 0, $2, 'd', 1, 0)",
            )
            .bind(id)
            .bind(knowledge::pack_record(json))
            .execute(&mut c)
            .await?;
        }
        for (table, a, b, id) in [
            ("advisory_aliases (alias, id, origin)", "CVE-2024-1", "", "A-1"),
            ("advisory_aliases (alias, id, origin)", "CVE-2024-2", "", "A-2"),
            ("affected_packages (ecosystem, name, id, origin)", "PyPI", "django", "A-1"),
            ("affected_packages (ecosystem, name, id, origin)", "PyPI", "flask", "A-2"),
            ("affected_products (vendor, product, id, origin)", "acme", "vpn", "A-1"),
        ] {
            let sql = if b.is_empty() {
                format!("INSERT INTO {table} VALUES ($1, $2, 'osv')")
            } else {
                format!("INSERT INTO {table} VALUES ($1, $2, $3, 'osv')")
            };
            let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(a);
            if !b.is_empty() {
                q = q.bind(b);
            }
            q.bind(id).execute(&mut c).await?;
        }
        c.close().await?;

        let store = Store::connect(&url).await?;
        let applied = store.applied_migrations().await?;
        ensure!(
            applied.ends_with(&["lookups".to_string(), "keys".to_string(), "keys in row".to_string()]),
            "{applied:?}"
        );
        let keys = |rows: Vec<knowledge::KeyRow>| -> BTreeSet<String> {
            rows.into_iter().map(|(k, a, b, id, origin)| format!("{k} {a} {b} {id} {origin}")).collect()
        };
        let mut c = store.conn().await?;
        let all = keys(knowledge::all_keys(&mut c).await?);
        let want: BTreeSet<String> = [
            "i CVE-2024-1  A-1 osv",
            "i CVE-2024-2  A-2 osv",
            "p PyPI django A-1 osv",
            "p PyPI flask A-2 osv",
            "v acme vpn A-1 osv",
        ]
        .into_iter()
        .map(str::to_owned)
        .collect();
        ensure!(all == want, "{all:?}");
        drop(c);
        // Deleting a record takes its keys with it; the others stay, and their records read.
        let mut tx = store.begin().await?;
        knowledge::delete_advisories(&mut tx, &[("A-1", "osv")]).await?;
        tx.commit().await?;
        let mut c = store.conn().await?;
        let left = keys(knowledge::all_keys(&mut c).await?);
        ensure!(left.iter().all(|k| k.ends_with("A-2 osv")) && left.len() == 2, "{left:?}");
        let stored = knowledge::changed_advisories(&mut c, 0).await?;
        let only: Vec<String> = stored.iter().map(|s| s.json()).collect::<Result<_, _>>()?;
        ensure!(only == [records[1].1, records[2].1], "{only:?}");
        drop(c);
        store.close().await;
        if let Some(name) = pg_name {
            let mut admin = sqlx::AnyConnection::connect(&db.url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
            admin.close().await?;
        }
        Ok(db)
    })
    .await;
}

/// A bulk transaction (an import's batch) may use a large page cache on SQLite while it
/// is open, and gives it back as it ends, committed or rolled back: the pooled connection
/// does not keep it. Its writes commit as any transaction's do, on both backends.
#[tokio::test]
async fn a_bulk_transaction_gives_its_page_cache_back() {
    each_backend(|db| async move {
        // One connection, so every step below runs on the same one.
        let store = Store::connect_with(&db.url, Some(1)).await?;
        let sqlite = db.backend == "sqlite";
        let cache = |store: Store| async move {
            let mut conn = store.conn().await?;
            let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size").fetch_one(&mut *conn).await?;
            anyhow::Ok(size)
        };
        if sqlite {
            ensure!(cache(store.clone()).await? == -32768);
        }
        for commit in [true, false] {
            let mut tx = store.begin_bulk().await?;
            if sqlite {
                let (size,): (i64,) = sqlx::query_as("PRAGMA cache_size").fetch_one(&mut *tx).await?;
                ensure!(size == -262144, "in the bulk transaction: {size}");
            }
            let run = ch_store::knowledge::ImportRun {
                id: format!("bulk-{commit}"),
                state: "done".into(),
                detail: "[]".into(),
                ..Default::default()
            };
            ch_store::knowledge::put_import_run(&mut tx, &run).await?;
            if commit {
                tx.commit().await?
            } else {
                tx.rollback().await?
            }
            if sqlite {
                let size = cache(store.clone()).await?;
                ensure!(size == -32768, "after the bulk transaction (commit: {commit}): {size}");
            }
        }
        let mut conn = store.conn().await?;
        let kept: Vec<(String,)> =
            sqlx::query_as("SELECT id FROM import_runs WHERE id LIKE 'bulk-%'").fetch_all(&mut *conn).await?;
        ensure!(kept == vec![("bulk-true".to_owned(),)], "{kept:?}");
        drop(conn);
        store.close().await;
        Ok(db)
    })
    .await;
}

async fn append_n(store: &Store, n: usize, tag: &str) -> anyhow::Result<()> {
    for i in 0..n {
        let mut tx = store.begin().await?;
        audit::record(
            &mut tx,
            &Who::system(),
            1000 + i as i64,
            "test.write",
            "thing",
            &format!("{tag}-{i}"),
            json!({"i": i}),
        )
        .await?;
        tx.commit().await?;
    }
    Ok(())
}

#[tokio::test]
async fn audit_edit_in_database_is_caught() {
    each_backend(|db| async move {
        append_n(&db.store, 5, "a").await?;
        let mut c = db.store.conn().await?;
        let (n, _) = audit::verify(&mut c).await?;
        ensure!(n == 5);
        // The database itself refuses edits...
        let r = sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").execute(&mut *c).await;
        ensure!(r.is_err(), "append-only trigger should refuse an UPDATE");
        // ...so an attacker with database access drops the trigger first; verify still catches it.
        sqlx::query("DROP TRIGGER audit_log_no_update ON audit_log").execute(&mut *c).await.or(sqlx::query(
            "DROP TRIGGER audit_log_no_update",
        )
        .execute(&mut *c)
        .await)?;
        sqlx::query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").execute(&mut *c).await?;
        match audit::verify(&mut c).await {
            Err(Error::Audit(e)) => {
                let msg = e.to_string();
                ensure!(msg.contains("audit entry 3 was altered"), "message: {msg}");
            }
            other => anyhow::bail!("expected a broken chain at entry 3, got {other:?}"),
        }
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn audit_deleted_entry_is_caught() {
    each_backend(|db| async move {
        append_n(&db.store, 4, "d").await?;
        let mut c = db.store.conn().await?;
        sqlx::query("DROP TRIGGER audit_log_no_delete ON audit_log").execute(&mut *c).await.or(sqlx::query(
            "DROP TRIGGER audit_log_no_delete",
        )
        .execute(&mut *c)
        .await)?;
        sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(&mut *c).await?;
        let e = audit::verify(&mut c).await.err().context("verify should fail")?;
        ensure!(e.to_string().contains("entry 3 found where entry 2 was expected"), "{e}");
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn audit_chain_stays_one_line_with_two_pools() {
    each_backend(|db| async move {
        // A second pool is what a second server process has: separate connections.
        let other = Store::connect(&db.url).await?;
        let (a, b) = tokio::join!(append_n(&db.store, 40, "p1"), append_n(&other, 40, "p2"));
        a?;
        b?;
        let mut c = db.store.conn().await?;
        let (n, _) = audit::verify(&mut c).await?;
        ensure!(n == 80, "expected 80 entries in one chain, found {n}");
        other.close().await;
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn audit_rolls_back_with_its_change() {
    each_backend(|db| async move {
        let mut tx = db.store.begin().await?;
        audit::record(&mut tx, &Who::cli(), 1, "x.y", "t", "1", json!({})).await?;
        tx.rollback().await?;
        let mut c = db.store.conn().await?;
        ensure!(audit::verify(&mut c).await?.0 == 0, "a rolled-back change must leave no entry");
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn sealed_data_survives_rotation_and_fails_closed() {
    each_backend(|db| async move {
        let ring = keyring()?;
        let sealer = Sealer::new(ring.clone(), None);
        let mut tx = db.store.begin().await?;
        let id = sealer.seal(&mut tx, None, "model_credential", b"sk-live-123", 1).await?;
        let id2 = sealer.seal(&mut tx, None, "attachment", b"proof of concept", 1).await?;
        tx.commit().await?;
        let mut c = db.store.conn().await?;
        let raw: (Vec<u8>,) = sqlx::query_as("SELECT ciphertext FROM sealed_blobs WHERE id = $1")
            .bind(id.to_string())
            .fetch_one(&mut *c)
            .await?;
        ensure!(!raw.0.windows(7).any(|w| w == b"sk-live"), "plaintext must not be stored");
        ensure!(sealer.open(&mut c, id).await? == b"sk-live-123");

        // Rotate: new master key; every data key re-wrapped; blobs untouched.
        let mut new_ring = ring.clone();
        new_ring.push(ch_seal::MasterKey::generate()?);
        let new_id = new_ring.active()?.id().to_string();
        let report = sealer.rotate(&db.store, new_ring.clone()).await?;
        ensure!(report.rewrapped == 2 && report.active == new_id, "{report:?}");
        let status = sealer.key_status(&mut c).await?;
        ensure!(status == vec![(new_id.clone(), 2)], "{status:?}");
        let mut only_new = new_ring.clone();
        only_new.retire_all_but_active();
        let after = Sealer::new(only_new, None);
        ensure!(after.open(&mut c, id).await? == b"sk-live-123");
        ensure!(after.open(&mut c, id2).await? == b"proof of concept");

        // The old key alone opens nothing any more; a wrong key fails closed.
        let old = Sealer::new(ring, None);
        ensure!(matches!(old.open(&mut c, id).await, Err(Error::Seal(ch_seal::Error::UnknownMasterKey(_)))));
        let text = format!("chmk1:{}", "A".repeat(43) + "=");
        let wrong = ch_seal::Keyring::from_text(&text)?;
        let forged = wrong.active()?.id().to_string();
        sqlx::query("UPDATE data_keys SET master_key_id = $1").bind(&forged).execute(&mut *c).await?;
        let wrong = Sealer::new(wrong, None);
        ensure!(matches!(wrong.open(&mut c, id).await, Err(Error::Seal(ch_seal::Error::Open { .. }))));
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn destroying_a_data_key_shreds_its_blob() {
    each_backend(|db| async move {
        let sealer = Sealer::new(keyring()?, None);
        let mut tx = db.store.begin().await?;
        let keep = sealer.seal(&mut tx, None, "a", b"keep", 1).await?;
        let gone = sealer.seal(&mut tx, None, "a", b"gone", 1).await?;
        tx.commit().await?;
        let mut c = db.store.conn().await?;
        let dk: DataKeyId = sealer.blob_data_key(&mut c, gone).await?;
        let mut tx = db.store.begin().await?;
        sealer.destroy_data_key(&mut tx, dk).await?;
        tx.commit().await?;
        ensure!(matches!(sealer.open(&mut c, gone).await, Err(Error::NotFound(_))));
        ensure!(sealer.open(&mut c, keep).await? == b"keep");
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn a_running_server_picks_up_a_rotated_key_file() {
    each_backend(|db| async move {
        let ring = keyring()?;
        let server = Sealer::new(ring.clone(), None);
        let mut tx = db.store.begin().await?;
        let id = server.seal(&mut tx, None, "x", b"v", 1).await?;
        tx.commit().await?;
        // Another process rotates; this one learns the new key through its reload hook.
        let mut new_ring = ring.clone();
        new_ring.push(ch_seal::MasterKey::generate()?);
        let rotator = Sealer::new(ring.clone(), None);
        rotator.rotate(&db.store, new_ring.clone()).await?;
        let nr = new_ring.clone();
        let running = Sealer::new(ring, Some(Arc::new(move || Ok(nr.clone()))));
        let mut c = db.store.conn().await?;
        ensure!(running.open(&mut c, id).await? == b"v");
        drop(c);
        Ok(db)
    })
    .await;
}

async fn enqueue(store: &Store, kind: &str, n: usize, max_attempts: i64, now: i64) -> anyhow::Result<()> {
    let mut tx = store.begin().await?;
    for i in 0..n {
        let mut j = NewJob::new(kind, json!({"i": i}), now);
        j.max_attempts = max_attempts;
        jobs::enqueue(&mut tx, &j, now).await?;
    }
    tx.commit().await?;
    Ok(())
}

#[tokio::test]
async fn job_retries_with_backoff_then_dead_letters() {
    each_backend(|db| async move {
        enqueue(&db.store, "flaky", 1, 3, 0).await?;
        let kinds = vec!["flaky".to_string()];
        let mut now = 0;
        for attempt in 1..=3 {
            let c = jobs::claim(&db.store, "w1", &kinds, 10_000, now).await?.context("claimable")?;
            ensure!(c.attempt == attempt);
            // Not claimable again while it backs off / runs.
            ensure!(jobs::claim(&db.store, "w2", &kinds, 10_000, now).await?.is_none());
            let st = jobs::fail(&db.store, &c, "boom", now).await?;
            let expected = if attempt < 3 { JobState::Queued } else { JobState::Dead };
            ensure!(st == Some(expected), "attempt {attempt}: {st:?}");
            if attempt < 3 {
                ensure!(
                    jobs::claim(&db.store, "w1", &kinds, 10_000, now + jobs::backoff_ms(attempt) - 1).await?.is_none()
                );
            }
            now += jobs::backoff_ms(attempt);
        }
        let mut conn = db.store.conn().await?;
        let list = jobs::list(&mut conn, Some(JobState::Dead), 10).await?;
        ensure!(list.len() == 1 && list[0].last_error.as_deref() == Some("boom") && list[0].attempts == 3);
        // A person retries it: fresh attempts.
        let mut tx = db.store.begin().await?;
        jobs::retry(&mut tx, list[0].id, now).await?;
        tx.commit().await?;
        let c = jobs::claim(&db.store, "w1", &kinds, 10_000, now).await?.context("retried job claimable")?;
        ensure!(c.attempt == 1);
        ensure!(jobs::complete(&db.store, &c, now).await?);
        drop(conn);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn job_of_a_dead_worker_is_retried_after_its_lease() {
    each_backend(|db| async move {
        enqueue(&db.store, "k", 1, 5, 0).await?;
        let kinds = vec!["k".to_string()];
        let dead = jobs::claim(&db.store, "worker-that-dies", &kinds, 30_000, 0).await?.context("claim")?;
        ensure!(jobs::claim(&db.store, "w2", &kinds, 30_000, 29_999).await?.is_none(), "lease still held");
        let again = jobs::claim(&db.store, "w2", &kinds, 30_000, 30_001).await?.context("re-claim after lease")?;
        ensure!(again.id == dead.id && again.attempt == 2);
        // The dead worker wakes up: its completion is fenced off.
        ensure!(!jobs::complete(&db.store, &dead, 30_002).await?, "stale worker must not complete");
        ensure!(jobs::complete(&db.store, &again, 30_003).await?);
        let mut c = db.store.conn().await?;
        let j = jobs::get(&mut c, again.id).await?;
        ensure!(j.state == JobState::Done && j.attempts == 2);
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn lost_lease_on_last_attempt_dead_letters() {
    each_backend(|db| async move {
        enqueue(&db.store, "k", 1, 1, 0).await?;
        let kinds = vec!["k".to_string()];
        jobs::claim(&db.store, "dies", &kinds, 1_000, 0).await?.context("claim")?;
        ensure!(jobs::claim(&db.store, "w2", &kinds, 1_000, 5_000).await?.is_none());
        let mut c = db.store.conn().await?;
        let counts = jobs::counts(&mut c).await?;
        ensure!(counts.get("dead") == Some(&1), "{counts:?}");
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn dedupe_key_keeps_one_job() {
    each_backend(|db| async move {
        let mut tx = db.store.begin().await?;
        let mut j = NewJob::new("sync", json!({}), 0);
        j.dedupe_key = Some("sync:osv".into());
        let a = jobs::enqueue(&mut tx, &j, 0).await?;
        let b = jobs::enqueue(&mut tx, &j, 0).await?;
        tx.commit().await?;
        ensure!(a == b);
        let mut c = db.store.conn().await?;
        ensure!(jobs::list(&mut c, None, 10).await?.len() == 1);
        drop(c);
        Ok(db)
    })
    .await;
}

/// Two worker pools on separate connection pools (as two server processes have) drain one
/// queue; every job runs exactly once.
#[tokio::test]
async fn two_processes_never_run_the_same_job_twice() {
    each_backend(|db| async move {
        const N: usize = 120;
        enqueue(&db.store, "count", N, 3, 0).await?;
        let second = Store::connect(&db.url).await?;
        let runs: Arc<std::sync::Mutex<BTreeMap<i64, usize>>> = Arc::default();
        let total = Arc::new(AtomicUsize::new(0));
        let (clock, _) = manual_clock(1);
        let mut tasks = Vec::new();
        for (p, store) in [(0, db.store.clone()), (1, second.clone())] {
            for w in 0..3 {
                let runs = runs.clone();
                let total = total.clone();
                let handler: jobs::Handler = Arc::new(move |ctx: jobs::JobContext| {
                    let runs = runs.clone();
                    let total = total.clone();
                    Box::pin(async move {
                        let i = ctx.job.payload["i"].as_i64().unwrap_or(-1);
                        *runs.lock().map_err(|e| e.to_string())?.entry(i).or_default() += 1;
                        total.fetch_add(1, Ordering::SeqCst);
                        tokio::task::yield_now().await;
                        Ok(())
                    })
                });
                let worker = Worker::new(store.clone(), format!("p{p}-w{w}"), clock.clone()).handle("count", handler);
                tasks.push(tokio::spawn(async move {
                    let mut done = 0;
                    while worker.run_once().await?.is_some() {
                        done += 1;
                    }
                    anyhow::Ok(done)
                }));
            }
        }
        let mut per_worker = vec![];
        for t in tasks {
            per_worker.push(t.await??);
        }
        let runs = runs.lock().map_err(|e| anyhow::anyhow!("{e}"))?.clone();
        ensure!(runs.len() == N, "ran {} distinct jobs of {N}", runs.len());
        ensure!(
            runs.values().all(|&n| n == 1),
            "some job ran twice: {:?}",
            runs.iter().filter(|(_, n)| **n > 1).collect::<Vec<_>>()
        );
        ensure!(total.load(Ordering::SeqCst) == N);
        let mut c = db.store.conn().await?;
        ensure!(jobs::counts(&mut c).await?.get("done") == Some(&(N as i64)));
        drop(c);
        second.close().await;
        let _ = per_worker;
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn sqlite_backup_is_a_consistent_copy() {
    let db = TestDb::sqlite().await.expect("sqlite");
    append_n(&db.store, 3, "b").await.expect("append");
    let dir = tempfile::tempdir().expect("tmp");
    let dest = dir.path().join("copy.db");
    ch_store::backup::sqlite_backup(&db.store, &dest).await.expect("backup");
    let copy = Store::connect(&format!("sqlite://{}", dest.display())).await.expect("open copy");
    let mut c = copy.conn().await.expect("conn");
    assert_eq!(audit::verify(&mut c).await.expect("verify").0, 3);
    // Refuses to overwrite.
    assert!(ch_store::backup::sqlite_backup(&db.store, &dest).await.is_err());
}

/// An OSV record's row with no lookup keys, `modified` 1, its JSON packed.
fn osv_row(id: &str, json: &str) -> ch_store::knowledge::AdvisoryRow {
    ch_store::knowledge::AdvisoryRow {
        id: id.into(),
        origin: "osv".into(),
        source_format: "osv-json".into(),
        modified: 1,
        published: None,
        withdrawn: None,
        summary: None,
        severity: None,
        score: None,
        exploited: false,
        record: ch_store::knowledge::pack_record(json),
        digest: "d".into(),
        aliases: Vec::new(),
        packages: Vec::new(),
        products: Vec::new(),
    }
}

/// A record's lookup keys are written in its row, once each, read back by `all_keys`, and
/// go when the record goes; a damaged column is reported with its record, not skipped.
#[tokio::test]
async fn a_records_lookup_keys_live_and_go_with_it() {
    use ch_store::knowledge::{self, AdvisoryRow};
    each_backend(|db| async move {
        let row = |id: &str, aliases: &[&str], packages: &[(&str, &str)], products: &[(&str, &str)]| AdvisoryRow {
            aliases: aliases.iter().map(|a| a.to_string()).collect(),
            packages: packages.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            products: products.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect(),
            ..osv_row(id, &json!({"id": id, "modified": "2026-01-01T00:00:00Z"}).to_string())
        };
        let a = row(
            "GHSA-keys-0001",
            &["CVE-2026-1", "PYSEC-2026-1", "CVE-2026-1"],
            &[("PyPI", "demo"), ("PyPI", "demo"), ("npm", "demo \"quoted\"")],
            &[("acme", "vpn"), ("acme", "vpn")],
        );
        let b = row("GHSA-keys-0002", &[], &[], &[]);
        let mut tx = db.store.begin().await?;
        knowledge::insert_advisories(&mut tx, &[&a, &b], 1, 0).await?;
        tx.commit().await?;
        let mut c = db.store.conn().await?;
        let mut all: Vec<String> = knowledge::all_keys(&mut c)
            .await?
            .into_iter()
            .map(|(k, x, y, id, origin)| format!("{k}|{x}|{y}|{id}|{origin}"))
            .collect();
        all.sort();
        let want = [
            "i|CVE-2026-1||GHSA-keys-0001|osv",
            "i|PYSEC-2026-1||GHSA-keys-0001|osv",
            "p|PyPI|demo|GHSA-keys-0001|osv",
            "p|npm|demo \"quoted\"|GHSA-keys-0001|osv",
            "v|acme|vpn|GHSA-keys-0001|osv",
        ];
        ensure!(all == want, "{all:?}");
        // A damaged column names its record.
        sqlx::query("UPDATE advisories SET lookup_keys = '{\"i\": 7}' WHERE id = 'GHSA-keys-0002'")
            .execute(&mut *c)
            .await?;
        match knowledge::all_keys(&mut c).await {
            Err(Error::Corrupt { what, detail }) => {
                ensure!(what == "advisories.lookup_keys" && detail.contains("GHSA-keys-0002"), "{what}: {detail}")
            }
            other => anyhow::bail!("damaged keys read as {other:?}"),
        }
        drop(c);
        let mut tx = db.store.begin().await?;
        knowledge::delete_advisories(&mut tx, &[("GHSA-keys-0001", "osv"), ("GHSA-keys-0002", "osv")]).await?;
        tx.commit().await?;
        let mut c = db.store.conn().await?;
        let left = knowledge::all_keys(&mut c).await?;
        ensure!(left.is_empty(), "{left:?}");
        drop(c);
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn advisory_records_are_stored_packed_and_read_back() {
    use ch_store::knowledge::{self, AdvisoryRow};
    each_backend(|db| async move {
        // A real record's size: packing must pay for itself.
        let details = "A crafted request makes the parser read past the end of its buffer. ".repeat(40);
        let json = json!({"id": "GHSA-test-0001", "modified": "2026-01-01T00:00:00Z", "details": details}).to_string();
        let row = AdvisoryRow {
            aliases: vec!["CVE-2026-0001".into()],
            packages: vec![("PyPI".into(), "demo".into())],
            ..osv_row("GHSA-test-0001", &json)
        };
        ensure!(row.record.len() * 4 < json.len(), "packed {} of {} bytes", row.record.len(), json.len());
        let mut tx = db.store.begin().await?;
        knowledge::insert_advisories(&mut tx, &[&row], 1, 0).await?;
        tx.commit().await?;

        // A row written before records were packed holds its JSON bytes (the migration
        // turned the text column into bytes), and one is damaged: a zstd frame cut short.
        // Then a row packed before records had a dictionary, and one naming a dictionary
        // this version does not have (ours with its id changed: magic, then the id).
        let old = r#"{"id":"GHSA-test-0002","modified":"2020-01-01T00:00:00Z"}"#;
        let cut = row.record.get(..row.record.len() / 2).unwrap_or_default().to_vec();
        let plain = zstd::bulk::compress(json.as_bytes(), 1)?;
        ensure!(zstd::zstd_safe::get_dict_id_from_frame(&row.record).map(u32::from) == Some(0x4348_0001));
        let mut other = include_bytes!("../../dict/records-v1.zdict").to_vec();
        other.get_mut(4..8).ok_or_else(|| anyhow::anyhow!("short dictionary"))?.copy_from_slice(&7u32.to_le_bytes());
        let foreign = zstd::bulk::Compressor::with_dictionary(1, &other)?.compress(json.as_bytes())?;
        for (id, bytes) in [
            ("GHSA-test-0002", old.as_bytes().to_vec()),
            ("GHSA-test-0003", cut),
            ("GHSA-test-0004", plain),
            ("GHSA-test-0005", foreign),
        ] {
            sqlx::query(
                "INSERT INTO advisories (id, origin, source_format, modified, exploited, record, digest, seq, imported_at) \
                 VALUES ($1, 'osv', 'osv-json', 1, 0, $2, 'd', 2, 0)",
            )
            .bind(id)
            .bind(bytes)
            .execute(db.store.pool())
            .await?;
        }
        let mut c = db.store.conn().await?;
        let stored = knowledge::changed_advisories(&mut c, 0).await?;
        let read: BTreeMap<&str, Result<String, Error>> = stored.iter().map(|s| (s.id.as_str(), s.json())).collect();
        ensure!(read.len() == 5, "{read:?}");
        ensure!(read.get("GHSA-test-0004").and_then(|r| r.as_ref().ok()) == Some(&json));
        match read.get("GHSA-test-0005") {
            Some(Err(Error::Corrupt { detail, .. })) => ensure!(detail.contains("dictionary 0x7"), "{detail}"),
            other => anyhow::bail!("a frame of an unknown dictionary read as {other:?}"),
        }
        ensure!(read.get("GHSA-test-0001").and_then(|r| r.as_ref().ok()) == Some(&json));
        ensure!(read.get("GHSA-test-0002").and_then(|r| r.as_ref().ok()).map(String::as_str) == Some(old));
        match read.get("GHSA-test-0003") {
            Some(Err(Error::Corrupt { what, detail })) => {
                ensure!(*what == "advisories.record" && detail.contains("cannot unpack"), "{what}: {detail}")
            }
            other => anyhow::bail!("a cut record read as {other:?}"),
        }
        drop(c);
        Ok(db)
    })
    .await;
}
