//! `clearinghouse bench`: whole-capability benchmarks that print each figure beside its
//! limit or peer, measured in the same run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use ch_knowledge::{ImportOptions, Knowledge};
use clap::Subcommand;

/// Benchmarks.
#[derive(Debug, Subcommand)]
pub(crate) enum BenchCommand {
    /// Knowledge base: import rate beside the typed parse-only rate of the same file, index
    /// build, single and 1,000-query batch latency, and the import at 10x and 100x scale.
    Kb {
        /// The shared data directory (default: $CLEARINGHOUSE_SHARED_DATA, else ../shared/data).
        #[arg(long)]
        data: Option<PathBuf>,
        /// The advisory file to import, relative to the data directory.
        #[arg(long, default_value = "osv/pypa.jsonl.zst")]
        file: String,
        /// Scales to import (synthetic copies under distinct package names).
        #[arg(long, value_delimiter = ',', default_value = "1,10,100")]
        scales: Vec<usize>,
        /// Also run the imports on a fresh database of this PostgreSQL server
        /// (e.g. postgres://postgres@127.0.0.1:5432/postgres).
        #[arg(long)]
        postgres: Option<String>,
    },
}

pub(crate) fn shared_data(flag: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let candidates = flag
        .into_iter()
        .chain(std::env::var_os("CLEARINGHOUSE_SHARED_DATA").map(PathBuf::from))
        .chain([PathBuf::from("../shared/data"), PathBuf::from("/work/shared/data")]);
    for c in candidates {
        if c.is_dir() {
            return Ok(c);
        }
    }
    anyhow::bail!("the shared data directory was not found: pass --data DIR or set CLEARINGHOUSE_SHARED_DATA")
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i.min(sorted.len() - 1)).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// Typed parse-only pass: decompress and read every line into `ch_advisory::Osv`.
fn parse_only(path: &Path) -> anyhow::Result<(usize, Duration)> {
    let started = Instant::now();
    let file = fs_err::File::open(path)?;
    let reader = std::io::BufReader::new(zstd::Decoder::new(file)?);
    let mut n = 0;
    for line in reader.split(b'\n') {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let osv = ch_advisory::Osv::from_json_slice(&line).map_err(|e| anyhow::anyhow!("{e}"))?;
        std::hint::black_box(&osv);
        n += 1;
    }
    Ok((n, started.elapsed()))
}

/// Writes `k` copies of every record of `src` under distinct ids and package names.
fn synthesise(src: &Path, k: usize, dst: &Path) -> anyhow::Result<usize> {
    let file = fs_err::File::open(src)?;
    let reader = std::io::BufReader::new(zstd::Decoder::new(file)?);
    let lines: Vec<serde_json::Value> = reader
        .split(b'\n')
        .filter_map(|l| l.ok())
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| serde_json::from_slice(&l))
        .collect::<Result<_, _>>()?;
    let out = fs_err::File::create(dst)?;
    let mut enc = zstd::Encoder::new(out, 3)?.auto_finish();
    let mut n = 0;
    for copy in 0..k {
        for v in &lines {
            let mut v = v.clone();
            if copy > 0 {
                let suffix = format!("-s{copy}");
                if let Some(id) = v.get_mut("id") {
                    *id = serde_json::Value::String(format!("{}{suffix}", id.as_str().unwrap_or_default()));
                }
                for key in ["aliases", "related"] {
                    if let Some(serde_json::Value::Array(a)) = v.get_mut(key) {
                        for x in a.iter_mut() {
                            *x = serde_json::Value::String(format!("{}{suffix}", x.as_str().unwrap_or_default()));
                        }
                    }
                }
                if let Some(serde_json::Value::Array(aff)) = v.get_mut("affected") {
                    for a in aff.iter_mut() {
                        if let Some(serde_json::Value::Object(p)) = a.get_mut("package") {
                            p.remove("purl");
                            if let Some(name) = p.get_mut("name") {
                                *name =
                                    serde_json::Value::String(format!("{}{suffix}", name.as_str().unwrap_or_default()));
                            }
                        }
                    }
                }
            }
            serde_json::to_writer(&mut enc, &v)?;
            enc.write_all(b"\n")?;
            n += 1;
        }
    }
    Ok(n)
}

struct Fresh {
    store: ch_store::Store,
    _dir: Option<tempfile::TempDir>,
    pg: Option<(String, String)>,
}

async fn fresh_store(postgres: Option<&str>) -> anyhow::Result<Fresh> {
    match postgres {
        None => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}", dir.path().join("bench.db").display());
            Ok(Fresh { store: ch_store::Store::connect(&url).await?, _dir: Some(dir), pg: None })
        }
        Some(server) => {
            use sqlx::Connection;
            sqlx::any::install_default_drivers();
            let name = format!("ch_bench_{}", std::process::id());
            let mut admin = sqlx::AnyConnection::connect(server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await?;
            let base = server.rsplit_once('/').map(|(b, _)| b).unwrap_or(server);
            let url = format!("{base}/{name}");
            Ok(Fresh { store: ch_store::Store::connect(&url).await?, _dir: None, pg: Some((server.to_owned(), name)) })
        }
    }
}

impl Fresh {
    async fn drop_db(self) -> anyhow::Result<()> {
        use sqlx::Connection;
        self.store.close().await;
        if let Some((server, name)) = self.pg {
            let mut admin = sqlx::AnyConnection::connect(&server).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                .execute(&mut admin)
                .await?;
        }
        Ok(())
    }
}

async fn timed_import(kb: &Knowledge, path: &Path) -> anyhow::Result<(u64, Duration)> {
    let started = Instant::now();
    let summary = kb.import(&[path.to_path_buf()], &ImportOptions::default(), &mut |_| {}).await?;
    // Records the data itself gets wrong (outside the OSV schema) are read, reported and
    // skipped: they count as processed.
    Ok((summary.progress.records + summary.progress.errors, started.elapsed()))
}

/// Runs a benchmark.
pub(crate) async fn run(cmd: BenchCommand, out: &mut dyn Write) -> anyhow::Result<u8> {
    match cmd {
        BenchCommand::Kb { data, file, scales, postgres } => kb(data, &file, &scales, postgres.as_deref(), out).await,
    }
}

async fn kb(
    data: Option<PathBuf>,
    file: &str,
    scales: &[usize],
    postgres: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<u8> {
    let data = shared_data(data)?;
    let src = data.join(file);
    anyhow::ensure!(src.is_file(), "{}: not found", src.display());
    let clock = ch_store::jobs::system_clock();
    writeln!(out, "# clearinghouse bench kb: {} ({} bytes compressed)", src.display(), fs_err::metadata(&src)?.len())?;

    // 1. Typed parse-only rate, the limit the import is measured against.
    let (n, t_parse) = parse_only(&src)?;
    let parse_rate = n as f64 / t_parse.as_secs_f64();
    writeln!(
        out,
        "parse only (zstd + JSON into typed OSV structs): {n} records in {:.0} ms = {parse_rate:.0}/s",
        ms(t_parse)
    )?;

    // 2. Import into SQLite (and PostgreSQL): compressed file to committed and indexed.
    // The first import of a process also compiles the OSV schema validator once; the
    // scale table below (fresh databases, same process) shows the steady state.
    let mut backends: Vec<(&str, Option<&str>)> = vec![("SQLite", None)];
    if let Some(pg) = postgres {
        backends.push(("PostgreSQL", Some(pg)));
    }
    let mut kept: Option<(Fresh, Knowledge)> = None;
    for (name, pg) in &backends {
        let fresh = fresh_store(*pg).await?;
        let kb = Knowledge::load(fresh.store.clone(), clock.clone()).await?;
        let (records, t) = timed_import(&kb, &src).await?;
        let rate = records as f64 / t.as_secs_f64();
        writeln!(
            out,
            "import into {name} (read, validate, convert, commit, index): {records} records in {:.0} ms = {rate:.0}/s = {:.2} of parse-only (target >= 0.20) {}",
            ms(t),
            rate / parse_rate,
            if rate / parse_rate >= 0.2 { "OK" } else { "BELOW TARGET" }
        )?;
        let again = Instant::now();
        let summary = kb.import(std::slice::from_ref(&src), &ImportOptions::default(), &mut |_| {}).await?;
        writeln!(
            out,
            "  re-import of the same file on {name}: {} unchanged, {} changed, {:.0} ms",
            summary.progress.unchanged,
            summary.changed(),
            ms(again.elapsed())
        )?;
        if kept.is_none() {
            kept = Some((fresh, kb));
        } else {
            drop(kb);
            fresh.drop_db().await?;
        }
    }
    let Some((fresh, _)) = kept else { anyhow::bail!("no backend ran") };

    // 3. Index build from the store (what a server does at start-up).
    let started = Instant::now();
    let kb = Knowledge::load(fresh.store.clone(), clock.clone()).await?;
    let t_build = started.elapsed();
    writeln!(out, "index build from SQLite: {} records in {:.0} ms", kb.index().len(), ms(t_build))?;

    // 4. Query latency: versions at range events of the imported advisories. A lockfile
    // names each package once: the realistic batch picks packages uniformly. The heavy
    // batch picks range events uniformly, so packages with hundreds of advisories
    // (tensorflow, the kernel) dominate it: the worst case.
    let mut by_package: std::collections::BTreeMap<(String, String), Vec<String>> = Default::default();
    {
        let index = kb.index();
        for (_, a) in index.records() {
            for p in &a.packages {
                for r in &p.ranges {
                    for e in &r.events {
                        let v = e.value();
                        if v != "0" && !v.is_empty() {
                            by_package.entry((p.ecosystem.clone(), p.name.clone())).or_default().push(v.to_owned());
                        }
                    }
                }
            }
        }
    }
    let packages: Vec<(&(String, String), &Vec<String>)> = by_package.iter().collect();
    anyhow::ensure!(!packages.is_empty(), "no queries could be formed from the data");
    let uniform: Vec<(String, String, String)> = (0..30_000)
        .map(|i| {
            let (k, vs) = packages[(i * 7919) % packages.len()];
            (k.0.clone(), k.1.clone(), vs[(i / packages.len()) % vs.len()].clone())
        })
        .collect();
    let weighted: Vec<(String, String, String)> = {
        let all: Vec<(String, String, String)> = by_package
            .iter()
            .flat_map(|(k, vs)| vs.iter().map(move |v| (k.0.clone(), k.1.clone(), v.clone())))
            .collect();
        (0..30_000).map(|i| all[(i * 7919) % all.len()].clone()).collect()
    };
    writeln!(out, "query latency: {} distinct packages in the index", packages.len())?;
    for (label, queries) in [("realistic (packages uniform)", &uniform), ("heavy (range events uniform)", &weighted)] {
        let mut single = Vec::with_capacity(5_000);
        let mut hits = 0usize;
        for (e, n, v) in queries.iter().take(5_000) {
            let t = Instant::now();
            let r = kb.index().query_package(e, n, Some(v));
            single.push(t.elapsed());
            hits += r.map(|h| h.len()).unwrap_or(0);
        }
        single.sort();
        let mut batches = Vec::with_capacity(30);
        for b in 0..30 {
            let t = Instant::now();
            let index = kb.index();
            let mut n_hits = 0;
            for (e, n, v) in queries.iter().skip(b * 1_000).take(1_000) {
                n_hits += index.query_package(e, n, Some(v)).map(|h| h.len()).unwrap_or(0);
            }
            drop(index);
            std::hint::black_box(n_hits);
            batches.push(t.elapsed());
        }
        batches.sort();
        let p99 = percentile(&batches, 0.99);
        writeln!(
            out,
            "  {label}: single query p50 {:.1} µs, p99 {:.1} µs ({:.1} hits per query); 1,000-query batch p50 {:.2} ms, p99 {:.2} ms (target < 20 ms) {}",
            ms(percentile(&single, 0.5)) * 1000.0,
            ms(percentile(&single, 0.99)) * 1000.0,
            hits as f64 / 5_000.0,
            ms(percentile(&batches, 0.5)),
            ms(p99),
            if ms(p99) < 20.0 { "OK" } else { "ABOVE TARGET" }
        )?;
    }
    drop(kb);
    fresh.drop_db().await?;

    // 5. Scale: the same advisories copied under distinct names.
    let tmp = tempfile::tempdir()?;
    let mut base_cost: Option<f64> = None;
    writeln!(out, "scale (SQLite; synthetic copies under distinct package names):")?;
    writeln!(
        out,
        "  {:>6} {:>10} {:>10} {:>12} {:>14} {:>10}",
        "scale", "records", "ms", "records/s", "µs/record", "vs 1x"
    )?;
    for &k in scales {
        let path = tmp.path().join(format!("scale-{k}.jsonl.zst"));
        let n = synthesise(&src, k.max(1), &path).with_context(|| format!("synthesising {k}x"))?;
        let fresh = fresh_store(None).await?;
        let kb = Knowledge::load(fresh.store.clone(), clock.clone()).await?;
        let (records, t) = timed_import(&kb, &path).await?;
        anyhow::ensure!(records as usize == n, "imported {records} of {n} records");
        let per = t.as_secs_f64() * 1e6 / records as f64;
        let base = *base_cost.get_or_insert(per);
        writeln!(
            out,
            "  {:>6} {:>10} {:>10.0} {:>12.0} {:>14.1} {:>9.2}x",
            format!("{k}x"),
            records,
            ms(t),
            records as f64 / t.as_secs_f64(),
            per,
            per / base
        )?;
        drop(kb);
        fresh.drop_db().await?;
    }
    Ok(0)
}
