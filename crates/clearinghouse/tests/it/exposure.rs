//! Exposure monitoring with real processes: an operator's inventory uploaded through one
//! server, an advisory imported by `clearinghouse db import` (a third process), and the
//! servers' job workers (two of them on PostgreSQL) turn it into one finding, one signed
//! webhook and one e-mail, and no more.

use std::time::Duration;

use anyhow::{Context, ensure};
use ch_testkit::each_backend;
use ch_testkit::smtp::SmtpSink;
use ch_testkit::webhook::WebhookSink;
use serde_json::{Value, json};

use crate::{Install, PASSWORD, Server};

async fn call(method: reqwest::Method, url: &str, token: &str, body: Option<Value>) -> anyhow::Result<Value> {
    let mut r = reqwest::Client::new().request(method.clone(), url).bearer_auth(token);
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await?;
    let status = r.status();
    let text = r.text().await?;
    ensure!(status.is_success(), "{method} {url}: {status} {text}");
    Ok(if text.is_empty() { Value::Null } else { serde_json::from_str(&text)? })
}

#[tokio::test]
async fn an_import_by_another_process_reaches_the_operator_once_by_webhook_and_mail() {
    each_backend(|db| async move {
        let install = Install::new(db)?;
        install.bootstrap()?;
        let admin = install.admin_token()?;
        let smtp = SmtpSink::start().await?;
        let hook = WebhookSink::start().await?;
        let port = smtp.port().to_string();
        let env = [
            ("CLEARINGHOUSE_SMTP_HOST", "127.0.0.1"),
            ("CLEARINGHOUSE_SMTP_PORT", port.as_str()),
            ("CLEARINGHOUSE_SMTP_SECURITY", "none"),
            ("CLEARINGHOUSE_ALLOW_PRIVATE_WEBHOOKS", "true"),
            ("CLEARINGHOUSE_FOLLOW_INTERVAL_SECS", "1"),
        ];
        let n_servers = if install.backend() == "postgres" { 2 } else { 1 };
        let mut servers = Vec::new();
        for _ in 0..n_servers {
            servers.push(Server::start(&install, &env).await?);
        }
        let (first, last) = (&servers[0].base, &servers[servers.len() - 1].base);

        // The hospital's IT person, with a token.
        let orgs: Value = serde_json::from_str(&install.ok(&["admin", "org", "list", "--json"], None)?)?;
        let org = orgs
            .as_array()
            .and_then(|a| a.iter().find(|o| o["name"] == "Prairie County Hospital"))
            .and_then(|o| o["id"].as_str())
            .context("hospital")?
            .to_owned();
        call(
            reqwest::Method::POST,
            &format!("{first}/api/v1/organisations/{org}/users"),
            &admin,
            Some(json!({"email": "it@prairie.test", "display_name": "IT", "role": "operator", "password": PASSWORD})),
        )
        .await?;
        let out = install.ok(
            &["admin", "token", "create", "--user", "it@prairie.test", "--name", "it", "--scopes", "read,write"],
            None,
        )?;
        let token = out.split_whitespace().find(|w| w.starts_with("chk_")).context("token")?.to_owned();

        let settings = call(
            reqwest::Method::PUT,
            &format!("{first}/api/v1/notifications/settings"),
            &token,
            Some(json!({"webhook_url": hook.url(), "email_to": ["it@prairie.test"]})),
        )
        .await?;
        let secret = settings["webhook_secret"].as_str().context("secret")?.to_owned();
        let asset = call(
            reqwest::Method::POST,
            &format!("{first}/api/v1/assets"),
            &token,
            Some(json!({"name": "Patient portal", "criticality": "critical"})),
        )
        .await?;
        let asset = asset["id"].as_str().context("asset id")?.to_owned();
        let r = reqwest::Client::new()
            .post(format!("{first}/api/v1/assets/{asset}/inventories?file_name=requirements.txt"))
            .bearer_auth(&token)
            .body("requests==2.28.1\nurllib3==2.0.7\n")
            .send()
            .await?;
        ensure!(r.status().as_u16() == 201, "upload: {}", r.text().await?);

        // Another process imports the advisory.
        let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../ch-server/tests/fixtures/osv/PYSEC-2023-74.json")
            .canonicalize()?;
        install.ok(&["db", "import", &fixture.to_string_lossy()], None)?;

        let hooks = hook.wait_for(1, Duration::from_secs(60)).await?;
        let mails = smtp.wait_for(1, Duration::from_secs(60)).await?;
        // Give every worker time to do anything more it would wrongly do.
        tokio::time::sleep(Duration::from_secs(4)).await;
        ensure!(hook.requests().len() == 1, "webhooks: {}", hook.requests().len());
        ensure!(smtp.messages().len() == 1, "mails: {}", smtp.messages().len());
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() as i64;
        let sig = hooks[0].header("x-clearinghouse-signature").context("signature")?;
        ch_notify::webhook::verify(secret.as_bytes(), sig, &hooks[0].body, now, 300)?;
        ensure!(
            mails[0].header("Subject").unwrap_or_default().contains("CVE-2023-32681"),
            "{:?}",
            mails[0].header("Subject")
        );

        let findings = call(reqwest::Method::GET, &format!("{last}/api/v1/findings?state=all"), &token, None).await?;
        let list = findings.as_array().context("findings")?;
        ensure!(list.len() == 1 && list[0]["vulnerability"] == "CVE-2023-32681", "{findings}");
        ensure!(list[0]["fixed_version"] == "2.31.0", "{findings}");
        for s in servers {
            s.stop()?;
        }
        Ok(install.db)
    })
    .await;
}
