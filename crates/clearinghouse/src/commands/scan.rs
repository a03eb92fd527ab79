//! `clearinghouse scan`: inventories (lockfiles, SBOMs, package databases, product lists)
//! against a local knowledge base, for CI pipelines and air-gapped sites.
//!
//! The local database is a Clearinghouse data directory filled by `db import`, which also
//! writes its prebuilt scan index (`ch_knowledge::scan_index`). A scan opens no database
//! and starts no async runtime: it reads the index's sorted key file, parses only the
//! records its components can hit (and their flaws' other records and KEV entries), and a
//! small in-memory `ch-match` index over them answers exactly as the server's full index
//! does. When the database is newer than the index, the index is rebuilt first.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use ch_advisory::Advisory;
use ch_inventory::Component;
use ch_knowledge::scan_index::ScanIndex;
use ch_scan::{
    DatabaseInfo, Finding, KnownExploited, Location, OutputFormat, Package, ScanReport, Severity, SeverityWord, Target,
    TargetError,
};
use clap::Args;

/// Arguments of `scan`.
#[derive(Debug, Args)]
pub(crate) struct ScanArgs {
    /// Files or directories (walked with .gitignore respected; known inventory file names only).
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// The local knowledge base: a data directory filled by `clearinghouse db import`
    /// (default: the global --data-dir).
    #[arg(long, conflicts_with = "server")]
    db: Option<PathBuf>,
    /// Ask a clearinghouse server instead (its OSV and advisory APIs), e.g. https://ch.example.org.
    #[arg(long)]
    server: Option<String>,
    /// API token for --server, when its knowledge base is not public.
    #[arg(long, env = "CLEARINGHOUSE_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// Output: table, json, sarif, markdown or cyclonedx.
    #[arg(long, default_value = "table")]
    format: String,
    /// Exit 1 only for findings at or above this severity (low, medium, high, critical).
    #[arg(long)]
    fail_on: Option<String>,
    /// Ignore file (TOML [[ignore]] entries with id, reason, optional package and until);
    /// default `.clearinghouse-ignore.toml` in the current directory when it exists.
    #[arg(long)]
    ignore_file: Option<PathBuf>,
    /// Read every file as this inventory format (default: detected from name and content).
    #[arg(long)]
    input_format: Option<String>,
    /// /etc/os-release of the system whose package database (dpkg status, apk installed) is scanned.
    #[arg(long)]
    os_release: Option<PathBuf>,
    /// Write the report here instead of standard output.
    #[arg(long, short)]
    output: Option<PathBuf>,
}

/// SBOMs go by many names (`bom.1.4.json`, `app.cdx.json`, `x.spdx.json`): in a walked
/// directory such a file is read when its content is an SBOM, and passed over otherwise.
fn sbom_like(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    let ext_ok = [".json", ".xml", ".spdx", ".yaml", ".yml"].iter().any(|e| n.ends_with(e));
    ext_ok && ["bom", "spdx", ".cdx."].iter().any(|h| n.contains(h))
}

/// Files to read: explicit files as given (`true`: errors count); directories walked for
/// known inventory names (`false`: an SBOM-like name that is not an inventory is passed over).
fn collect(paths: &[PathBuf], errors: &mut Vec<TargetError>) -> Vec<(PathBuf, bool)> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_file() {
            out.push((p.clone(), true));
        } else if p.is_dir() {
            let walker = ignore::WalkBuilder::new(p).hidden(true).git_ignore(true).require_git(false).build();
            let mut found: Vec<PathBuf> = walker
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_some_and(|t| t.is_file()))
                .map(|e| e.into_path())
                .filter(|f| {
                    f.file_name()
                        .and_then(|n| n.to_str())
                        .is_some_and(|n| ch_inventory::detect_by_name(n).is_some() || sbom_like(n))
                })
                .collect();
            found.sort();
            for f in found {
                let by_name = f.file_name().and_then(|n| n.to_str()).and_then(ch_inventory::detect_by_name).is_some();
                out.push((f, by_name));
            }
        } else {
            errors.push(TargetError { path: p.display().to_string(), message: "no such file or directory".into() });
        }
    }
    out
}

fn severity_of(a: &Advisory, flaw: Option<&ch_match::FlawView>) -> Option<Severity> {
    let top = flaw.and_then(|f| f.max_severity.clone()).or_else(|| a.max_severity().cloned())?;
    let word = match top.severity? {
        ch_cvss::Severity::None => SeverityWord::None,
        ch_cvss::Severity::Low => SeverityWord::Low,
        ch_cvss::Severity::Medium => SeverityWord::Medium,
        ch_cvss::Severity::High => SeverityWord::High,
        ch_cvss::Severity::Critical => SeverityWord::Critical,
        _ => return None,
    };
    Some(Severity { word, score: top.value, vector: top.is_cvss().then(|| top.vector.clone()) })
}

/// A pair of lookup key parts: (ecosystem, normalised name) or (vendor, product).
type KeyPair = (String, String);

/// Lookup keys of components: packages and products.
fn keys_of(components: &[Component]) -> (Vec<KeyPair>, Vec<KeyPair>) {
    let mut packages: BTreeSet<(String, String)> = BTreeSet::new();
    let mut products: BTreeSet<(String, String)> = BTreeSet::new();
    for c in components {
        if let Some(purl) = c.purl.as_deref().and_then(|p| p.parse::<ch_purl::Purl>().ok())
            && let Ok(osv) = purl.to_osv()
        {
            let family = osv.ecosystem.name();
            packages.insert((family.to_owned(), ch_advisory::normalise_name(family, &osv.name)));
        }
        if let Some(eco) = &c.ecosystem {
            let family = eco.split(':').next().unwrap_or(eco);
            packages.insert((family.to_owned(), ch_advisory::normalise_name(eco, &c.name)));
        }
        if let Some((v, p)) =
            c.cpe.as_deref().and_then(|s| ch_cpe::Cpe::parse_formatted(s).ok()).and_then(|c| c.vendor_product())
        {
            products.insert(ch_knowledge::product_key(&v, &p));
        }
        if let Some(p) = &c.product {
            let vendor = c.vendor.clone().unwrap_or_default();
            products.insert(ch_knowledge::product_key(&vendor, p));
        }
    }
    (packages.into_iter().collect(), products.into_iter().collect())
}

/// The local knowledge base's prebuilt index (rebuilt first when missing or stale).
fn local_index(db_dir: &Path) -> anyhow::Result<ScanIndex> {
    let db_file = db_dir.join("clearinghouse.db");
    anyhow::ensure!(
        db_file.is_file(),
        "{}: no knowledge base here; fill one with `clearinghouse --data-dir {} db import ...`",
        db_file.display(),
        db_dir.display()
    );
    match ScanIndex::open(db_dir)? {
        Some(ix) if !ix.is_stale(&db_file) => Ok(ix),
        _ => {
            // Missing or older than the database: rebuild it once (later scans reuse it).
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            rt.block_on(async {
                let store = ch_store::Store::connect_with(&format!("sqlite://{}", db_file.display()), Some(1))
                    .await
                    .with_context(|| format!("opening {}", db_file.display()))?;
                let built = ch_knowledge::scan_index::build(&store, db_dir).await;
                store.close().await;
                built.with_context(|| format!("writing the scan index in {}", db_dir.display()))
            })?;
            ScanIndex::open(db_dir)?.context("the scan index was not written")
        }
    }
}

/// Runs a scan; returns the exit code.
pub(crate) fn run(args: ScanArgs, data_dir: &Path, out: &mut dyn Write) -> anyhow::Result<u8> {
    let format: OutputFormat = args.format.parse().map_err(|e| anyhow::anyhow!("--format: {e}"))?;
    let fail_on: Option<SeverityWord> =
        args.fail_on.as_deref().map(str::parse).transpose().map_err(|e| anyhow::anyhow!("--fail-on: {e}"))?;
    let input_format: Option<ch_inventory::Format> =
        args.input_format.as_deref().map(str::parse).transpose().map_err(|e| anyhow::anyhow!("--input-format: {e}"))?;
    let ignore = {
        let path = args.ignore_file.clone().or_else(|| {
            let d = PathBuf::from(".clearinghouse-ignore.toml");
            d.is_file().then_some(d)
        });
        match path {
            Some(p) => {
                let text = fs_err::read_to_string(&p)?;
                Some(ch_scan::parse_ignore_file(&text, &p.display().to_string()).map_err(|e| anyhow::anyhow!("{e}"))?)
            }
            None => None,
        }
    };
    let os_release = args.os_release.as_ref().map(fs_err::read_to_string).transpose()?;

    // Read the inventories.
    let mut errors: Vec<TargetError> = Vec::new();
    let files = collect(&args.paths, &mut errors);
    let mut targets: Vec<Target> = Vec::new();
    let mut components: Vec<Component> = Vec::new();
    let mut component_file: Vec<String> = Vec::new();
    for (f, must) in &files {
        let shown = f.display().to_string();
        let bytes = match fs_err::read(f) {
            Ok(b) => b,
            Err(e) => {
                errors.push(TargetError { path: shown, message: e.to_string() });
                continue;
            }
        };
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or(&shown).to_owned();
        match ch_lockfile::read_with_os_release(&bytes, &name, input_format, os_release.as_deref()) {
            Ok(inv) => {
                targets.push(Target {
                    path: shown.clone(),
                    format: inv.format.as_str().to_owned(),
                    components: inv.components.len(),
                    warnings: inv.warnings.iter().map(|w| w.message.clone()).collect(),
                });
                for c in inv.components {
                    components.push(c);
                    component_file.push(shown.clone());
                }
            }
            Err(ch_inventory::Error::Undetected { .. }) if !must => {}
            Err(e) => errors.push(TargetError { path: shown, message: e.to_string() }),
        }
    }

    // Only the records these components can hit: from the prebuilt index, or the server.
    let db_dir = args.db.clone().unwrap_or_else(|| data_dir.to_path_buf());
    let (index, prebuilt, database) = match &args.server {
        None => {
            let prebuilt = local_index(&db_dir)?;
            let (package_keys, product_keys) = keys_of(&components);
            let index = prebuilt.load_for(&package_keys, &product_keys)?;
            let database = DatabaseInfo {
                advisories: prebuilt.meta.advisories,
                last_modified: prebuilt.meta.last_modified.and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok()),
                source: format!("local {}", db_dir.display()),
            };
            (index, Some(prebuilt), database)
        }
        Some(server) => {
            let (index, total) = super::scan_server::fetch(server, args.token.as_deref(), &components)?;
            let database = DatabaseInfo { advisories: total, last_modified: None, source: format!("server {server}") };
            (index, None, database)
        }
    };

    let matched = index.match_components(&components);
    let mut findings: Vec<Finding> = Vec::new();
    for m in &matched.matches {
        let Some(c) = components.get(m.component) else { continue };
        let file = component_file.get(m.component).cloned().unwrap_or_default();
        for hit in &m.hits {
            let a = &hit.advisory;
            let flaw = index.flaw(&a.id);
            let exploited = flaw.as_ref().and_then(|f| f.exploited.clone()).or_else(|| a.exploited.clone());
            let mut aliases: Vec<String> = flaw
                .as_ref()
                .map(|f| f.ids.iter().filter(|i| **i != a.id).cloned().collect())
                .unwrap_or_else(|| a.aliases.clone());
            aliases.sort();
            findings.push(Finding {
                package: Package {
                    name: c.name.clone(),
                    version: c.version.clone().unwrap_or_default(),
                    ecosystem: c.ecosystem.clone(),
                    purl: c.purl.clone(),
                    cpe: c.cpe.clone(),
                    vendor: c.vendor.clone(),
                    product: c.product.clone(),
                    location: Location { path: file.clone(), line: c.origin.line, pointer: c.origin.pointer.clone() },
                    direct: match c.dependency {
                        ch_inventory::Dependency::Direct => Some(true),
                        ch_inventory::Dependency::Transitive => Some(false),
                        ch_inventory::Dependency::Unknown => None,
                    },
                },
                advisory_id: a.id.clone(),
                aliases,
                summary: a.summary.clone().or_else(|| {
                    a.details.as_deref().and_then(|d| d.lines().find(|l| !l.trim().is_empty())).map(str::to_owned)
                }),
                severity: severity_of(a, flaw.as_ref()),
                known_exploited: exploited.map(|e| KnownExploited {
                    date_added: e.date_added.map(|d| d.to_string()),
                    due_date: e.due_date.map(|d| d.to_string()),
                    ransomware: e.known_ransomware_campaign_use,
                    required_action: e.required_action.clone(),
                }),
                fixed_versions: hit.fixed.clone(),
                remedy: hit.remedy.clone(),
                references: a.references.iter().map(|r| r.url.clone()).collect(),
                cwes: a.cwes.clone(),
                ignored: None,
            });
        }
    }
    // Product rows that name no product the knowledge base knows: say so, with the
    // closest known names (a typo or a marketing name hides every finding).
    let mut known: Option<Vec<(String, String)>> = None;
    for (i, c) in components.iter().enumerate() {
        let Some(product) = c.product.as_deref().filter(|p| !p.trim().is_empty()) else { continue };
        if c.cpe.is_some() || c.purl.is_some() {
            continue;
        }
        let (v, p) = ch_knowledge::product_key(c.vendor.as_deref().unwrap_or_default(), product);
        let Some(prebuilt) = &prebuilt else { break };
        let known = known.get_or_insert_with(|| prebuilt.known_products());
        let found = known.iter().any(|(kv, kp)| *kp == p && (v.is_empty() || *kv == v));
        if found {
            continue;
        }
        let refs: Vec<(&str, &str)> = known.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let close = ch_match::suggest_products(&v, &p, refs);
        let hint = if close.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = close.iter().take(3).map(|(a, b)| format!("{a} {b}")).collect();
            format!("; did you mean {}?", names.join(", "))
        };
        let shown = format!("{} {}", c.vendor.as_deref().unwrap_or_default(), product).trim().to_owned();
        if let Some(t) = component_file.get(i).and_then(|f| targets.iter_mut().find(|t| t.path == *f)) {
            t.warnings.push(format!("{shown}: no known product of that name{hint}"));
        }
    }
    for s in &matched.skipped {
        if let Some(t) = component_file.get(s.component).and_then(|f| targets.iter_mut().find(|t| t.path == *f)) {
            t.warnings.push(format!("not checked: {}", s.reason));
        }
    }

    let now = jiff::Timestamp::now();
    let mut report = ScanReport {
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        scanned_at: now,
        database,
        targets,
        errors,
        findings,
    };
    if let Some(ig) = &ignore {
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        for w in ig.apply(&mut report, today) {
            eprintln!("warning: {w}");
        }
    }
    let text = ch_scan::render(&report, format).map_err(|e| anyhow::anyhow!("{e}"))?;
    match &args.output {
        Some(p) => fs_err::write(p, text.as_bytes())?,
        None => out.write_all(text.as_bytes())?,
    }
    for e in &report.errors {
        eprintln!("error: {}: {}", e.path, e.message);
    }
    Ok(ch_scan::exit_code(&report, fail_on))
}
