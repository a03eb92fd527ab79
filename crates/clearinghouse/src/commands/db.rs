//! `clearinghouse db`: the knowledge base from the command line: import, sync, sources,
//! status.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use ch_knowledge::{ImportEvent, ImportOptions, ImportSummary};
use ch_store::Store;
use clap::Subcommand;
use comfy_table::Table;
use indicatif::{ProgressBar, ProgressStyle};

/// Knowledge-base commands.
#[derive(Debug, Subcommand)]
pub(crate) enum DbCommand {
    /// Import advisories: OSV JSON or YAML files, directories of them, .zip and .tar(.gz|.zst)
    /// archives, .jsonl(.zst) streams, CVE JSON 5 records, NVD CVE API 2.0 and NVD 1.1 feeds,
    /// the CISA KEV catalogue, RustSec Markdown, Node.js Security WG, FriendsOfPHP and
    /// Victims databases. Exit 1 when some records were skipped (each is reported).
    Import {
        /// Files or directories.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Records per transaction.
        #[arg(long, default_value_t = 8000)]
        batch: usize,
        /// Skip validation against the OSV schema.
        #[arg(long)]
        no_validate: bool,
        /// Print the summary as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Fetch every configured source now (conditional requests) and import what changed.
    Sync {
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Configure the sources `sync` fetches.
    #[command(subcommand)]
    Source(SourceCommand),
    /// Counts, sources and the latest imports.
    Status {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// Source commands.
#[derive(Debug, Subcommand)]
pub(crate) enum SourceCommand {
    /// Add a source (or change its URL): an OSV `all.zip` export, a CVE feed, the KEV JSON.
    Add {
        /// Unique name.
        name: String,
        /// http:// or https:// URL.
        url: String,
    },
    /// List sources with their last sync.
    List,
    /// Remove a source.
    Remove {
        /// Name.
        name: String,
    },
}

/// A progress bar over the bytes of the inputs, with records and rate in its message.
pub(crate) fn import_bar() -> ProgressBar {
    let pb = ProgressBar::new(0);
    pb.set_style(
        ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

/// The importer's events on a bar: progress in its message, errors printed above it.
pub(crate) fn on_bar(pb: &ProgressBar) -> impl FnMut(ImportEvent) + Send + '_ {
    let started = std::time::Instant::now();
    move |e| match e {
        ImportEvent::Progress(p) => {
            pb.set_length(p.total_bytes);
            pb.set_position(p.bytes);
            let rate = p.records as f64 / started.elapsed().as_secs_f64().max(1e-3);
            pb.set_message(format!(
                "{} records ({rate:.0}/s): {} new, {} updated, {} unchanged, {} KEV, {} errors",
                p.records, p.inserted, p.updated, p.unchanged, p.kev, p.errors
            ));
        }
        ImportEvent::Error(msg) => {
            // A hidden bar (stderr is not a terminal) prints nothing: say it plainly.
            if pb.is_hidden() {
                eprintln!("skipped: {msg}");
            } else {
                pb.println(format!("skipped: {msg}"));
            }
        }
    }
}

fn summary_line(s: &ImportSummary, secs: f64) -> String {
    let p = &s.progress;
    format!(
        "{} records in {secs:.1} s ({:.0}/s): {} new, {} updated, {} unchanged, {} KEV entries new or changed, {} skipped",
        p.records,
        p.records as f64 / secs.max(1e-3),
        p.inserted,
        p.updated,
        p.unchanged,
        p.kev,
        p.errors
    )
}

/// Runs a `db` command.
/// Rewrites the offline scanner's prebuilt index after the knowledge base changed.
async fn rebuild_scan_index(store: &Store, dir: Option<&std::path::Path>) -> anyhow::Result<()> {
    if let Some(dir) = dir {
        ch_knowledge::scan_index::build(store, dir)
            .await
            .with_context(|| format!("writing the scan index in {}", dir.display()))?;
    }
    Ok(())
}

/// Runs a `db` command. `index_dir`: where the SQLite database lives (the scan index is
/// kept beside it); `None` on PostgreSQL.
pub(crate) async fn run(
    store: &Store,
    cmd: DbCommand,
    out: &mut dyn Write,
    index_dir: Option<&std::path::Path>,
) -> anyhow::Result<u8> {
    let clock = ch_store::jobs::system_clock();
    match cmd {
        DbCommand::Import { paths, batch, no_validate, json } => {
            for p in &paths {
                anyhow::ensure!(p.exists(), "{}: no such file or directory", p.display());
            }
            let options = ImportOptions { batch_size: batch, validate: !no_validate, ..ImportOptions::default() };
            let pb = import_bar();
            let started = std::time::Instant::now();
            let summary = {
                let mut events = on_bar(&pb);
                ch_knowledge::import_without_index(store, &paths, &options, &clock, &mut events).await?
            };
            pb.finish_and_clear();
            let secs = started.elapsed().as_secs_f64();
            let missing = match index_dir {
                Some(d) => ch_knowledge::scan_index::ScanIndex::open(d)?.is_none(),
                None => false,
            };
            if summary.changed() > 0 || missing {
                rebuild_scan_index(store, index_dir).await?;
            }
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&summary)?)?;
            } else {
                writeln!(out, "{}", summary_line(&summary, secs))?;
            }
            Ok(if summary.progress.errors > 0 { 1 } else { 0 })
        }
        DbCommand::Sync { json } => {
            let client = ch_knowledge::sync::client()?;
            let pb = import_bar();
            let reports = {
                let mut events = on_bar(&pb);
                ch_knowledge::sync::sync_all(store, None, &client, &clock, &mut events).await?
            };
            pb.finish_and_clear();
            rebuild_scan_index(store, index_dir).await?;
            if json {
                writeln!(out, "{}", serde_json::to_string_pretty(&reports)?)?;
            } else if reports.is_empty() {
                writeln!(out, "No sources configured: add one with `clearinghouse db source add NAME URL`.")?;
            } else {
                for r in &reports {
                    let what = match &r.outcome {
                        ch_knowledge::sync::SyncOutcome::Imported { summary, bytes } => format!(
                            "imported {bytes} bytes: {} new, {} updated, {} unchanged, {} KEV, {} skipped",
                            summary.progress.inserted,
                            summary.progress.updated,
                            summary.progress.unchanged,
                            summary.progress.kev,
                            summary.progress.errors
                        ),
                        ch_knowledge::sync::SyncOutcome::NotModified => "not modified".into(),
                        ch_knowledge::sync::SyncOutcome::Failed { reason } => format!("FAILED: {reason}"),
                    };
                    writeln!(out, "{}: {what}", r.source)?;
                }
            }
            let failed = reports.iter().any(|r| matches!(r.outcome, ch_knowledge::sync::SyncOutcome::Failed { .. }));
            Ok(if failed { 2 } else { 0 })
        }
        DbCommand::Source(SourceCommand::Add { name, url }) => {
            anyhow::ensure!(
                url.starts_with("http://") || url.starts_with("https://"),
                "url: expected http:// or https://, found {url:?}"
            );
            let now = clock();
            let mut tx = store.begin().await?;
            ch_store::knowledge::put_source(&mut tx, &name, &url, now).await?;
            ch_store::audit::record(
                &mut tx,
                &ch_store::audit::Who::cli(),
                now,
                "knowledge.source.put",
                "advisory_source",
                &name,
                serde_json::json!({"url": ch_knowledge::sync::redact_url(&url)}),
            )
            .await?;
            tx.commit().await?;
            writeln!(out, "source {name} -> {}", ch_knowledge::sync::redact_url(&url))?;
            Ok(0)
        }
        DbCommand::Source(SourceCommand::List) => {
            let mut c = store.conn().await?;
            let sources = ch_store::knowledge::list_sources(&mut c).await?;
            let mut t = Table::new();
            t.set_header(["name", "url", "last check", "status", "detail"]);
            for s in sources {
                t.add_row([
                    s.name,
                    ch_knowledge::sync::redact_url(&s.url),
                    s.checked_at.map(crate::time).unwrap_or_else(|| "never".into()),
                    s.status.unwrap_or_default(),
                    s.detail.unwrap_or_default(),
                ]);
            }
            writeln!(out, "{t}")?;
            Ok(0)
        }
        DbCommand::Source(SourceCommand::Remove { name }) => {
            let now = clock();
            let mut tx = store.begin().await?;
            ch_store::knowledge::remove_source(&mut tx, &name).await.with_context(|| format!("source {name}"))?;
            ch_store::audit::record(
                &mut tx,
                &ch_store::audit::Who::cli(),
                now,
                "knowledge.source.remove",
                "advisory_source",
                &name,
                serde_json::json!({}),
            )
            .await?;
            tx.commit().await?;
            writeln!(out, "removed {name}")?;
            Ok(0)
        }
        DbCommand::Status { json } => {
            let mut c = store.conn().await?;
            let counts = ch_store::knowledge::counts(&mut c).await?;
            let runs = ch_store::knowledge::list_import_runs(&mut c, 5).await?;
            if json {
                writeln!(
                    out,
                    "{}",
                    serde_json::to_string_pretty(&serde_json::json!({
                        "advisories": counts.advisories, "withdrawn": counts.withdrawn, "kev": counts.kev,
                        "last_modified": counts.last_modified.map(crate::time), "seq": counts.seq, "imports": runs,
                    }))?
                )?;
            } else {
                writeln!(
                    out,
                    "{} advisories ({} withdrawn), {} KEV entries, newest modified {}",
                    counts.advisories,
                    counts.withdrawn,
                    counts.kev,
                    counts.last_modified.map(crate::time).unwrap_or_else(|| "-".into())
                )?;
                for r in runs {
                    writeln!(
                        out,
                        "  {} {} {}: {} records, {} new, {} updated, {} skipped",
                        crate::time(r.started_at),
                        r.state,
                        r.source,
                        r.records,
                        r.inserted,
                        r.updated,
                        r.errors
                    )?;
                }
            }
            Ok(0)
        }
    }
}
