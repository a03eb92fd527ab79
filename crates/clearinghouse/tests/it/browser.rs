//! The pages in a real headless Chromium, driven over WebDriver (chromedriver): sign in,
//! add a person to an organisation, see them listed, sign out. Screenshots go to
//! `artifacts/`. `scripts/test` installs Debian's `chromium` and `chromium-driver`; without
//! them this test fails (it is never skipped silently).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use ch_testkit::each_backend;
use fantoccini::{Client, ClientBuilder, Locator};

use crate::{Install, PASSWORD, Server, artifacts_dir, free_port};

/// A chromedriver process, killed on drop.
struct Driver {
    child: Child,
    url: String,
    _profile: tempfile::TempDir,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn which(name: &str, fallback: &str) -> anyhow::Result<String> {
    for dir in std::env::var("PATH").unwrap_or_default().split(':').chain([fallback]) {
        let p = std::path::Path::new(dir).join(name);
        if p.is_file() {
            return Ok(p.display().to_string());
        }
    }
    bail!("{name} is not installed: run scripts/setup (Debian packages chromium and chromium-driver)")
}

async fn start_browser() -> anyhow::Result<(Driver, Client)> {
    let chromedriver = which("chromedriver", "/usr/bin")?;
    let chromium = which("chromium", "/usr/bin")?;
    let port = free_port()?;
    let child = Command::new(chromedriver)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("starting chromedriver")?;
    let profile = tempfile::tempdir()?;
    let driver = Driver { child, url: format!("http://127.0.0.1:{port}"), _profile: profile };
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({
            "binary": chromium,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--window-size=1280,900",
                format!("--user-data-dir={}", driver._profile.path().display()),
            ]
        }),
    );
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector).capabilities(caps.clone()).connect(&driver.url).await {
            Ok(client) => return Ok((driver, client)),
            // chromedriver takes a moment to listen.
            Err(_) if Instant::now() < deadline => tokio::time::sleep(Duration::from_millis(200)).await,
            Err(e) => return Err(e).context("connecting to chromedriver"),
        }
    }
}

async fn fill(client: &Client, css: &str, value: &str) -> anyhow::Result<()> {
    let el = client.find(Locator::Css(css)).await.with_context(|| format!("no {css}"))?;
    el.clear().await?;
    el.send_keys(value).await?;
    Ok(())
}

/// Clicks a submit button and waits until the browser has loaded the next document.
async fn submit(client: &Client, css: &str) -> anyhow::Result<()> {
    let old = client.find(Locator::Css("html")).await?;
    client.find(Locator::Css(css)).await.with_context(|| format!("no {css}"))?.click().await?;
    let deadline = Instant::now() + Duration::from_secs(20);
    // The old document's root goes stale once the new document replaces it.
    while old.tag_name().await.is_ok() {
        anyhow::ensure!(Instant::now() < deadline, "submitting {css}: no new page after 20 s");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    client.wait().at_most(Duration::from_secs(20)).for_element(Locator::Css("body")).await?;
    Ok(())
}

async fn screenshot(client: &Client, name: &str) -> anyhow::Result<()> {
    let png = client.screenshot().await?;
    std::fs::write(artifacts_dir()?.join(name), png)?;
    Ok(())
}

async fn body_text(client: &Client) -> anyhow::Result<String> {
    Ok(client.find(Locator::Css("body")).await?.text().await?)
}

#[tokio::test]
async fn sign_in_add_a_person_see_them_listed() {
    each_backend(|db| async move {
        let backend = db.backend;
        let install = Install::new(db)?;
        install.bootstrap()?;
        // Default settings: cookies are Secure, which browsers accept on http://127.0.0.1.
        let server = Server::start(&install, &[]).await?;
        let (_driver, client) = start_browser().await?;
        let result = async {
            let base = &server.base;
            // Anonymous visitors are sent to the sign-in page.
            client.goto(&format!("{base}/admin/users")).await?;
            let url = client.current_url().await?;
            anyhow::ensure!(url.path() == "/login", "anonymous visit landed on {url}");

            // A wrong password is refused with a message, nothing else.
            fill(&client, "#email", "admin@clearinghouse.test").await?;
            fill(&client, "#password", "not the password").await?;
            submit(&client, "form[action='/login'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Sign in"), "after a wrong password: {text}");
            anyhow::ensure!(client.current_url().await?.path() == "/login");

            fill(&client, "#email", "admin@clearinghouse.test").await?;
            fill(&client, "#password", PASSWORD).await?;
            submit(&client, "form[action='/login'] button[type=submit]").await?;
            let url = client.current_url().await?;
            if url.path() != "/admin/users" {
                screenshot(&client, &format!("sign-in-failed-{backend}.png")).await?;
                bail!("after sign-in (next=/admin/users): {url}: {}", body_text(&client).await?);
            }

            // Open the hospital and add a person.
            client.goto(&format!("{base}/admin/organisations")).await?;
            screenshot(&client, &format!("organisations-{backend}.png")).await?;
            client.find(Locator::LinkText("Prairie County Hospital")).await?.click().await?;
            fill(&client, "#display_name", "Dana Whitfield").await?;
            fill(&client, "#email", "dana.whitfield@prairie-hospital.test").await?;
            client.find(Locator::Css("#role option[value='operator']")).await?.click().await?;
            fill(&client, "#password", "a long enough initial password").await?;
            submit(&client, "form[action$='/users'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(!text.contains("error"), "adding a person: {text}");

            // They are listed on the people page.
            client.goto(&format!("{base}/admin/users")).await?;
            let rows = client.find_all(Locator::Css("table tbody tr")).await?;
            let mut found = None;
            for r in rows {
                let t = r.text().await?;
                if t.contains("dana.whitfield@prairie-hospital.test") {
                    found = Some(t);
                }
            }
            let row = found.context("the new person is not listed on /admin/users")?;
            anyhow::ensure!(row.contains("Dana Whitfield") && row.contains("Prairie County Hospital"), "row: {row}");
            anyhow::ensure!(row.contains("operator") && row.contains("active"), "row: {row}");
            screenshot(&client, &format!("people-{backend}.png")).await?;

            // The audit view shows who did it.
            client.goto(&format!("{base}/admin/audit")).await?;
            let mut row = None;
            for r in client.find_all(Locator::Css("table tbody tr")).await? {
                let t = r.text().await?;
                if t.contains("user.create") && t.contains("dana.whitfield") {
                    row = Some(t);
                }
            }
            let row = row.context("the audit page lacks the user.create entry")?;
            // Who did it reads as the administrator's e-mail, and where from.
            anyhow::ensure!(row.contains("admin@clearinghouse.test") && row.contains("127.0.0.1"), "audit row: {row}");
            screenshot(&client, &format!("audit-{backend}.png")).await?;

            // Sign out: the session ends and admin pages send us back to sign in.
            submit(&client, "form[action='/logout'] button").await?;
            client.goto(&format!("{base}/admin/users")).await?;
            anyhow::ensure!(client.current_url().await?.path() == "/login", "still signed in after sign-out");
            anyhow::Ok(())
        }
        .await;
        let _ = client.close().await;
        if let Err(e) = result {
            bail!("{e:#}\nserver log:\n{}", server.log_text());
        }
        server.stop()?;
        // The person was really stored: the CLI sees them.
        let listed = install.ok(&["admin", "user", "list"], None)?;
        anyhow::ensure!(listed.contains("dana.whitfield@prairie-hospital.test"), "CLI list: {listed}");
        Ok(install.db)
    })
    .await;
}

#[tokio::test]
async fn advisories_show_the_kev_flag_and_merged_aliases() {
    each_backend(|db| async move {
        let backend = db.backend;
        let install = Install::new(db)?;
        let rustsec = ch_testkit::shared_data("osv/rustsec.jsonl.zst").display().to_string();
        let kev = ch_testkit::shared_data("kev/known_exploited_vulnerabilities.json").display().to_string();
        install.ok(&["db", "import", &rustsec, &kev], None)?;
        let server = Server::start(&install, &[]).await?;
        let (_driver, client) = start_browser().await?;
        let result = async {
            let base = &server.base;
            // Anyone may read advisories (the knowledge base is public by default).
            client.goto(&format!("{base}/advisories/RUSTSEC-2023-0060")).await?;
            let text = body_text(&client).await?;
            screenshot(&client, &format!("advisory-kev-{backend}.png")).await?;
            anyhow::ensure!(text.contains("Known to be exploited"), "no KEV callout: {text}");
            // One flaw, all its ids: the CVE, and the sister RustSec record through it.
            anyhow::ensure!(text.contains("CVE-2023-4863") && text.contains("RUSTSEC-2023-0061"), "ids: {text}");
            anyhow::ensure!(text.contains("libwebp-sys2"), "affected package: {text}");
            let kev_badge = client.find(Locator::Css(".kev-card .badge.kev")).await?.text().await?;
            anyhow::ensure!(kev_badge == "KEV");

            // The list, known exploited only, searched by the CVE id.
            client.goto(&format!("{base}/advisories")).await?;
            fill(&client, "input[name=q]", "CVE-2023-4863").await?;
            submit(&client, "form.filters button[type=submit]").await?;
            let rows = client.find_all(Locator::Css("table.advisories tbody tr")).await?;
            anyhow::ensure!(rows.len() == 2, "expected the two RustSec records, got {} rows", rows.len());
            for r in rows {
                let t = r.text().await?;
                anyhow::ensure!(t.contains("KEV") && t.contains("CVE-2023-4863"), "row: {t}");
            }
            screenshot(&client, &format!("advisories-search-{backend}.png")).await?;
            client.goto(&format!("{base}/advisories?known_exploited=true")).await?;
            screenshot(&client, &format!("advisories-kev-{backend}.png")).await?;
            anyhow::Ok(())
        }
        .await;
        let _ = client.close().await;
        if let Err(e) = result {
            bail!("{e:#}\nserver log:\n{}", server.log_text());
        }
        server.stop()?;
        Ok(install.db)
    })
    .await;
}

/// A screenshot of the whole page: the window grows to the document's height first.
async fn page_screenshot(client: &Client, name: &str) -> anyhow::Result<()> {
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await?
        .as_u64()
        .unwrap_or(900)
        .clamp(600, 6000);
    client.set_window_size(1280, height as u32 + 140).await?;
    let shot = screenshot(client, name).await;
    client.set_window_size(1280, 900).await?;
    shot
}

#[tokio::test]
async fn an_operator_adds_an_asset_uploads_an_inventory_and_acts_on_findings() {
    each_backend(|db| async move {
        let backend = db.backend;
        let install = Install::new(db)?;
        install.bootstrap()?;
        install.ok(
            &[
                "admin",
                "user",
                "create",
                "--org",
                "Prairie County Hospital",
                "--email",
                "it@prairie-hospital.test",
                "--name",
                "Robin Kessler",
                "--role",
                "operator",
                "--password-stdin",
            ],
            Some(PASSWORD),
        )?;
        // Real advisories (the PyPA database; NVD and CVE records of appliances small
        // organisations run, with CISA's catalogue), a real pip-compile output from
        // osv-scanner's fixtures (Django 2.2.24 and friends of early 2021), and the kind of
        // product list an IT person keeps for the appliances.
        let data = |rel: &str| ch_testkit::shared_data(rel).display().to_string();
        let sources = [
            data("osv/pypa.jsonl.zst"),
            data("cve/nvd-2.0-kev.jsonl.zst"),
            data("cve/cve5-kev-cvelistv5.jsonl.zst"),
            data("kev/known_exploited_vulnerabilities.json"),
        ];
        let mut args = vec!["db", "import"];
        args.extend(sources.iter().map(String::as_str));
        // A handful of PyPA records break the OSV schema: they are skipped, and the import
        // says so with exit code 1.
        let out = install.run(&args, None)?;
        let said = String::from_utf8_lossy(&out.stdout);
        anyhow::ensure!(
            matches!(out.status.code(), Some(0 | 1)) && said.contains(" new"),
            "import: {}\n{said}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let inventory = ch_testkit::shared_data("lockfiles/pip/multiple-packages-constrained.txt");
        anyhow::ensure!(inventory.is_file(), "missing {}", inventory.display());
        let products = install.data_dir().join("products.csv");
        std::fs::write(
            &products,
            "Vendor,Product,Version\nFortinet,FortiOS,7.2.4\nCitrix,NetScaler Gateway,13.1-48.47\n",
        )?;

        let server = Server::start(&install, &[]).await?;
        let (_driver, client) = start_browser().await?;
        let result = async {
            let base = &server.base;
            // Signing in from the section's address lands back on it.
            client.goto(&format!("{base}/exposure")).await?;
            anyhow::ensure!(client.current_url().await?.path() == "/login");
            fill(&client, "#email", "it@prairie-hospital.test").await?;
            fill(&client, "#password", PASSWORD).await?;
            submit(&client, "form[action='/login'] button[type=submit]").await?;
            anyhow::ensure!(client.current_url().await?.path() == "/exposure", "after sign-in");
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Start here") && text.contains("Add an asset"), "empty state: {text}");
            page_screenshot(&client, &format!("exposure-empty-{backend}.png")).await?;

            // Add an asset.
            client.find(Locator::LinkText("Add your first asset")).await?.click().await?;
            client.wait().for_element(Locator::Css("#name")).await?;
            fill(&client, "#name", "Patient portal").await?;
            client.find(Locator::Css("#criticality option[value='critical']")).await?.click().await?;
            fill(&client, "#owner", "IT desk").await?;
            submit(&client, "form[action='/exposure/assets'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Added Patient portal") && text.contains("No inventory yet"), "{text}");

            // Upload the inventory through the file input; the format is chosen, as the
            // file's name does not say.
            let input = client.find(Locator::Css("input#file")).await?;
            input.send_keys(&inventory.display().to_string()).await?;
            client.find(Locator::Css("#format option[value='requirements']")).await?.click().await?;
            submit(&client, "form[enctype='multipart/form-data'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Read 13 components from multiple-packages-constrained.txt"), "{text}");
            let rows = client.find_all(Locator::Css("table.findings tbody tr")).await?;
            anyhow::ensure!(rows.len() >= 3, "expected several findings on Django 2.2.24, got {}", rows.len());
            anyhow::ensure!(text.contains("upgrade django on Patient portal to"), "action sentence: {text}");
            page_screenshot(&client, &format!("exposure-asset-{backend}.png")).await?;

            // A second asset: the firewall and VPN gateway, as a product list.
            client.goto(&format!("{base}/exposure/assets")).await?;
            fill(&client, "#name", "Firewall and VPN gateway").await?;
            client.find(Locator::Css("#criticality option[value='critical']")).await?.click().await?;
            fill(&client, "#owner", "IT desk").await?;
            submit(&client, "form[action='/exposure/assets'] button[type=submit]").await?;
            client.find(Locator::Css("input#file")).await?.send_keys(&products.display().to_string()).await?;
            submit(&client, "form[enctype='multipart/form-data'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Read 2 components from products.csv"), "{text}");
            anyhow::ensure!(text.contains("Known exploited"), "the appliances' known-exploited flaws: {text}");

            // The dashboard: the figures, the chart, the ranked list with its advisory links.
            client.goto(&format!("{base}/exposure")).await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("to do now") && text.contains("Open findings, last 30 days"), "{text}");
            client.find(Locator::Css("section.chart svg[role='img']")).await.context("the chart")?;
            let figure = client.find(Locator::Css("ul.figures li.figure .n")).await?.text().await?;
            anyhow::ensure!(figure.parse::<u32>().is_ok_and(|n| n > 0), "things to do now: {figure}");
            // Known exploited flaws on the gateway come first, each with the one thing to do.
            let rows = client.find_all(Locator::Css("table.findings tbody tr")).await?;
            let first = rows.first().context("no findings listed")?.text().await?;
            anyhow::ensure!(
                first.contains("Do now")
                    && first.contains("Known exploited")
                    && first.contains("Firewall and VPN gateway"),
                "first row: {first}"
            );
            // A Django flaw, for the VEX statement below.
            let mut vuln = String::new();
            for r in &rows {
                if r.text().await?.contains("django") {
                    vuln = r.find(Locator::Css("a[href^='/advisories/']")).await?.text().await?;
                    break;
                }
            }
            anyhow::ensure!(vuln.starts_with("CVE-") || vuln.starts_with("PYSEC-"), "a django row: {vuln:?}");
            page_screenshot(&client, &format!("exposure-dashboard-{backend}.png")).await?;

            // Accept the first finding on the asset's page.
            client.goto(&format!("{base}/exposure/assets")).await?;
            page_screenshot(&client, &format!("exposure-assets-{backend}.png")).await?;
            client.find(Locator::LinkText("Patient portal")).await?.click().await?;
            client.wait().for_element(Locator::Css("table.findings")).await?;
            client.find(Locator::Css("table.findings tbody tr details summary")).await?.click().await?;
            let reason = client.find(Locator::Css("table.findings tbody tr form.accept input[name=reason]")).await?;
            reason
                .send_keys("Only reachable from the staff network; upgrade booked for the next maintenance window")
                .await?;
            submit(&client, "table.findings tbody tr form.accept button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Accepted") && text.contains("until"), "after accepting: {text}");
            let reopen = client.find_all(Locator::Css("form[action$='/reopen'] button")).await?;
            anyhow::ensure!(reopen.len() == 1, "one accepted finding, {} reopen buttons", reopen.len());
            page_screenshot(&client, &format!("exposure-accepted-{backend}.png")).await?;

            // Record a VEX statement on the flaw the dashboard listed.
            client.goto(&format!("{base}/exposure/vex")).await?;
            fill(&client, "#vulnerability", &vuln).await?;
            fill(&client, "#products", "pkg:pypi/django").await?;
            client.find(Locator::Css("#status option[value='not_affected']")).await?.click().await?;
            client
                .find(Locator::Css("#justification option[value='vulnerable_code_not_in_execute_path']"))
                .await?
                .click()
                .await?;
            fill(&client, "#impact_statement", "The portal never calls the affected function.").await?;
            submit(&client, "form[action='/exposure/vex'] button[type=submit]").await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains("Recorded") && text.contains("pkg:pypi/django"), "after recording: {text}");
            let rows = client.find_all(Locator::Css("table.vex tbody tr")).await?;
            anyhow::ensure!(rows.len() == 1, "one statement, {} rows", rows.len());
            page_screenshot(&client, &format!("exposure-vex-{backend}.png")).await?;
            // The statement closes the finding as not affected.
            client.goto(&format!("{base}/exposure?state=not_affected")).await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(text.contains(&vuln) && text.contains("not affected"), "not affected: {text}");

            // Notifications: the upload's findings are there; a webhook gets a secret, shown once.
            client.goto(&format!("{base}/exposure/notifications")).await?;
            let text = body_text(&client).await?;
            anyhow::ensure!(
                text.contains("unread") && text.contains("Patient portal") && text.contains("Firewall and VPN gateway"),
                "notifications: {text}"
            );
            fill(&client, "#webhook_url", "https://tickets.prairie-hospital.test/hooks/clearinghouse").await?;
            fill(&client, "#email_to", "it@prairie-hospital.test").await?;
            submit(&client, "form[action='/exposure/notifications/settings'] button[type=submit]").await?;
            let secret = client.find(Locator::Css("#webhook-secret")).await?.text().await?;
            anyhow::ensure!(secret.starts_with("whsec_"), "secret: {secret}");
            page_screenshot(&client, &format!("exposure-notifications-{backend}.png")).await?;
            client.goto(&format!("{base}/exposure/notifications")).await?;
            anyhow::ensure!(!body_text(&client).await?.contains(&secret), "the secret is shown twice");
            anyhow::Ok(())
        }
        .await;
        let _ = client.close().await;
        if let Err(e) = result {
            bail!("{e:#}\nserver log:\n{}", server.log_text());
        }
        server.stop()?;
        Ok(install.db)
    })
    .await;
}

/// This run's password of a demo account, from the table `serve --demo` prints.
fn demo_password(log: &str, email: &str) -> anyhow::Result<String> {
    let line =
        log.lines().find(|l| l.contains(email)).with_context(|| format!("{email} not in the demo table:\n{log}"))?;
    let cells: Vec<&str> = line.split(['|', '│', '┆']).map(str::trim).filter(|c| !c.is_empty()).collect();
    let at = cells.iter().position(|c| *c == email).context("email cell")?;
    cells.get(at + 1).map(|p| (*p).to_owned()).context("password cell")
}

/// `serve --demo` on a first start: the hospital's and the bank's dashboards fill with real
/// findings, known-exploited ones first, as the public advisories are imported.
#[tokio::test]
async fn the_demo_dashboards_show_real_findings_on_first_start() {
    let db = ch_testkit::TestDb::sqlite().await.unwrap_or_else(|e| panic!("test database: {e:#}"));
    let result: anyhow::Result<()> = async {
        let install = Install::new(db)?;
        let data = ch_testkit::shared_data("");
        let data = data.to_string_lossy().into_owned();
        let server = Server::start_with(&install, &[("CLEARINGHOUSE_SHARED_DATA", data.as_str())], &["--demo"]).await?;
        let (_driver, client) = start_browser().await?;
        let base = &server.base;
        for (email, org, shot) in [
            ("it@prairie-hospital.example", "Prairie County Hospital", "demo-hospital-dashboard.png"),
            ("it@firstcommunity-bank.example", "First Community Bank", "demo-bank-dashboard.png"),
        ] {
            let password = demo_password(&server.log_text(), email)?;
            client.goto(&format!("{base}/login")).await?;
            fill(&client, "#email", email).await?;
            fill(&client, "#password", &password).await?;
            submit(&client, "form[action='/login'] button[type=submit]").await?;
            // The import runs in the background; findings appear as batches are matched.
            let deadline = Instant::now() + Duration::from_secs(600);
            let text = loop {
                client.goto(&format!("{base}/exposure")).await?;
                let text = body_text(&client).await?;
                if text.contains("Known exploited")
                    && (text.contains("Patient portal") || text.contains("Online banking"))
                {
                    break text;
                }
                anyhow::ensure!(
                    Instant::now() < deadline,
                    "{org}: no known-exploited findings after 10 minutes:\n{text}"
                );
                tokio::time::sleep(Duration::from_secs(3)).await;
            };
            anyhow::ensure!(text.contains(org), "{org}: {text}");
            anyhow::ensure!(text.contains("things to do now"), "{text}");
            let rows = client.find_all(Locator::Css("table tbody tr")).await?;
            anyhow::ensure!(rows.len() >= 5, "{org}: {} findings listed", rows.len());
            let first = rows[0].text().await?;
            anyhow::ensure!(first.contains("Known exploited"), "{org}: first finding is not known exploited: {first}");
            page_screenshot(&client, shot).await?;
            client.goto(&format!("{base}/exposure/assets")).await?;
            page_screenshot(&client, &shot.replace("dashboard", "assets")).await?;
            submit(&client, "form[action='/logout'] button[type=submit]").await?;
        }
        client.close().await?;
        drop(server);
        install.db.finish().await
    }
    .await;
    if let Err(e) = result {
        panic!("{e:#}");
    }
}
