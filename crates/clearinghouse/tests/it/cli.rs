//! The binary end to end: several server processes on one database keep one audit chain,
//! `audit verify` catches an edited row, `keys rotate` re-wraps while the server runs,
//! backups restore.

use anyhow::{Context, ensure};
use ch_store::sealed::Sealer;
use ch_testkit::each_backend;
use serde_json::{Value, json};

use crate::{Install, PASSWORD, Server};

fn org_id(install: &Install, name: &str) -> anyhow::Result<String> {
    let orgs: Value = serde_json::from_str(&install.ok(&["admin", "org", "list", "--json"], None)?)?;
    orgs.as_array()
        .context("org list is not an array")?
        .iter()
        .find(|o| o["name"] == name)
        .and_then(|o| o["id"].as_str())
        .map(str::to_owned)
        .with_context(|| format!("no organisation {name} in {orgs}"))
}

async fn create_user(base: &str, token: &str, org: &str, email: &str) -> anyhow::Result<()> {
    let r = reqwest::Client::new()
        .post(format!("{base}/api/v1/organisations/{org}/users"))
        .bearer_auth(token)
        .json(&json!({"email": email, "display_name": email, "role": "operator", "password": PASSWORD}))
        .send()
        .await?;
    let status = r.status();
    ensure!(status.as_u16() == 201 || status.is_success(), "creating {email}: {status} {}", r.text().await?);
    Ok(())
}

/// What an attacker with database access does first: drop the append-only trigger.
async fn drop_update_trigger(db: &ch_testkit::TestDb) -> anyhow::Result<()> {
    let mut c = db.store.conn().await?;
    let sql = if db.backend == "postgres" {
        "DROP TRIGGER audit_log_no_update ON audit_log"
    } else {
        "DROP TRIGGER audit_log_no_update"
    };
    sqlx::query(sql).execute(&mut *c).await?;
    Ok(())
}

#[tokio::test]
async fn servers_share_one_audit_chain_and_verify_catches_an_edit() {
    each_backend(|db| async move {
        let install = Install::new(db)?;
        install.bootstrap()?;
        let token = install.admin_token()?;
        let org = org_id(&install, "Prairie County Hospital")?;
        // Several processes on PostgreSQL; SQLite serves one.
        let n_servers = if install.backend() == "postgres" { 2 } else { 1 };
        let mut servers = Vec::new();
        for _ in 0..n_servers {
            servers.push(Server::start(&install, &[("CLEARINGHOUSE_TOKEN_PER_SECOND", "1000")]).await?);
        }
        let before = audit_count(&install)?;
        // Concurrent writes through every server.
        let mut tasks = tokio::task::JoinSet::new();
        let per_server = 15;
        for (i, s) in servers.iter().enumerate() {
            for k in 0..per_server {
                let (base, token, org) = (s.base.clone(), token.clone(), org.clone());
                tasks.spawn(async move { create_user(&base, &token, &org, &format!("p{i}-{k}@prairie.test")).await });
            }
        }
        while let Some(r) = tasks.join_next().await {
            r??;
        }
        for s in servers {
            s.stop()?;
        }
        // One unbroken chain holding every write.
        let after = audit_count(&install)?;
        ensure!(after >= before + n_servers * per_server, "audit entries {before} -> {after}");
        let listed = install.ok(&["admin", "user", "list", "--json"], None)?;
        let users: Value = serde_json::from_str(&listed)?;
        ensure!(users.as_array().map(Vec::len) == Some(1 + n_servers * per_server), "users: {listed}");

        // An attacker with database access edits an entry: verify names it and exits 1.
        drop_update_trigger(&install.db).await?;
        {
            let mut c = install.db.store.conn().await?;
            sqlx::query("UPDATE audit_log SET object_id = 'someone-else' WHERE seq = 4").execute(&mut *c).await?;
        }
        let out = install.run(&["audit", "verify"], None)?;
        let text = String::from_utf8_lossy(&out.stdout);
        ensure!(out.status.code() == Some(1), "verify exit {:?}: {text}", out.status);
        ensure!(text.contains("BROKEN") && text.contains("entry 4"), "verify said: {text}");
        Ok(install.db)
    })
    .await;
}

fn audit_count(install: &Install) -> anyhow::Result<usize> {
    let out = install.ok(&["audit", "verify"], None)?;
    // "audit chain intact: N entries, head H"
    let n = out
        .split_once("intact: ")
        .and_then(|(_, r)| r.split_whitespace().next())
        .with_context(|| format!("unexpected verify output {out:?}"))?;
    Ok(n.parse()?)
}

#[tokio::test]
async fn keys_rotate_while_serving_then_backup_and_restore() {
    each_backend(|db| async move {
        let install = Install::new(db)?;
        install.bootstrap()?;
        let token = install.admin_token()?;
        let org = org_id(&install, "Prairie County Hospital")?;
        let server = Server::start(&install, &[]).await?;

        // Seal a secret with the server's master key (the key file it made on first start).
        let key_file = install.data_dir().join("master.key");
        let old_text = std::fs::read_to_string(&key_file)?;
        let old_ring = ch_seal::Keyring::from_text(&old_text)?;
        let sealer = Sealer::new(old_ring.clone(), None);
        let secret = b"model endpoint credential: s3cr3t";
        let blob = {
            let mut tx = install.db.store.begin().await?;
            let id = sealer.seal(&mut tx, None, "test.credential", secret, 1).await?;
            tx.commit().await?;
            id
        };

        // Rotate while the server runs; it keeps serving.
        let out = install.ok(&["keys", "rotate"], None)?;
        ensure!(out.contains("re-wrapped"), "rotate said: {out}");
        let me = reqwest::Client::new().get(format!("{}/api/v1/me", server.base)).bearer_auth(&token).send().await?;
        ensure!(me.status().is_success(), "GET /api/v1/me after rotation: {}", me.status());
        let new_ring = ch_seal::Keyring::from_text(&std::fs::read_to_string(&key_file)?)?;
        ensure!(new_ring.active()?.id() != old_ring.active()?.id(), "the key file still holds the old key");
        let status = install.ok(&["keys", "status"], None)?;
        ensure!(status.contains(new_ring.active()?.id()), "keys status: {status}");
        {
            let mut c = install.db.store.conn().await?;
            let opened = Sealer::new(new_ring, None).open(&mut c, blob).await?;
            ensure!(opened == secret, "sealed data changed across rotation");
            ensure!(sealer.open(&mut c, blob).await.is_err(), "the retired key still opens sealed data");
        }

        // Backup while serving, then a change, then restore: the change is gone, the rest is back.
        let backup = install.data_dir().join(if install.backend() == "postgres" { "b.dump" } else { "b.db" });
        install.ok(&["backup", "--out", backup.to_str().context("path")?], None)?;
        create_user(&server.base, &token, &org, "after.backup@prairie.test").await?;
        server.stop()?;
        ensure!(install.ok(&["admin", "user", "list"], None)?.contains("after.backup@prairie.test"));
        let restore_args = ["restore", backup.to_str().context("path")?, "--force"];
        let out = install.ok(&restore_args, None)?;
        ensure!(out.contains("restored"), "restore said: {out}");
        let users = install.ok(&["admin", "user", "list"], None)?;
        ensure!(!users.contains("after.backup@prairie.test"), "restore kept a later change: {users}");
        ensure!(users.contains("admin@clearinghouse.test"), "restore lost the administrator: {users}");
        install.ok(&["audit", "verify"], None)?;
        Ok(install.db)
    })
    .await;
}
