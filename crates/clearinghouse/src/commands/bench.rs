//! `clearinghouse bench`: whole-capability benchmarks that print each figure beside its
//! limit or peer, measured in the same run.

use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

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
    /// Exposure monitoring: from importing one new advisory to its findings recorded across
    /// many inventories (target: under 100 ms at 10,000 inventories holding 5 million
    /// components), how that grows with the number of inventories, and the time to match
    /// one 5,000-component upload beside the in-memory match alone.
    Exposure {
        /// The shared data directory (default: $CLEARINGHOUSE_SHARED_DATA, else ../shared/data).
        #[arg(long)]
        data: Option<PathBuf>,
        /// The advisories imported first, relative to the data directory (PyPI records: the
        /// inventories' components are drawn from them).
        #[arg(long, default_value = "osv/pypa.jsonl.zst")]
        file: String,
        /// Numbers of inventories, one fresh store each.
        #[arg(long, value_delimiter = ',', default_value = "100,1000,10000")]
        inventories: Vec<usize>,
        /// Components per inventory.
        #[arg(long, default_value_t = 500)]
        components: usize,
        /// New advisories timed per scale (each about a different package).
        #[arg(long, default_value_t = 5)]
        advisories: usize,
        /// Components in the timed upload.
        #[arg(long, default_value_t = 5_000)]
        upload_components: usize,
        /// Also run on a fresh database of this PostgreSQL server
        /// (e.g. postgres://postgres@127.0.0.1:5432/postgres).
        #[arg(long)]
        postgres: Option<String>,
        /// Skip SQLite (with --postgres: PostgreSQL only).
        #[arg(long)]
        no_sqlite: bool,
        /// On PostgreSQL, do not run ANALYZE after setup (autovacuum would, in time; without
        /// statistics the planner may scan the whole reverse index).
        #[arg(long)]
        no_analyze: bool,
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

/// The import's stages without the store, for the breakdown: the feed (zstd, JSON,
/// schema, conversion into advisories; its lines parsed on every core), then on one
/// core the store rows as the import makes them (the record as read, or serialised;
/// digested and packed), then the index postings (range and fixed versions and CPE names
/// parsed; listed versions are parsed by the first lookup that needs them).
fn stages(path: &Path) -> anyhow::Result<(usize, Duration, Duration, Duration)> {
    let started = Instant::now();
    let advisories: Vec<(ch_advisory::Advisory, Option<Box<str>>)> =
        ch_feed::Feed::open([path], ch_feed::Options::default())
            .filter_map(|r| {
                let r = r.ok()?;
                match r.item {
                    ch_feed::Item::Advisory(a) => Some((*a, r.json)),
                    ch_feed::Item::Kev(_) => None,
                }
            })
            .collect();
    let n = advisories.len();
    let read = started.elapsed();
    let started = Instant::now();
    for (a, json) in advisories.iter() {
        std::hint::black_box(ch_knowledge::advisory_row_as_read(a, json.as_deref()));
    }
    let rows = started.elapsed();
    let started = Instant::now();
    for (a, _) in advisories {
        std::hint::black_box(ch_match::Index::prepare(std::sync::Arc::new(a)));
    }
    Ok((n, read, rows, started.elapsed()))
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
        BenchCommand::Exposure {
            data,
            file,
            inventories,
            components,
            advisories,
            upload_components,
            postgres,
            no_sqlite,
            no_analyze,
        } => {
            let opts = ExposureOptions {
                inventories,
                components,
                advisories,
                upload_components,
                postgres,
                sqlite: !no_sqlite,
                analyze: !no_analyze,
            };
            exposure::run(data, &file, &opts, out).await
        }
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

    // 1. Typed parse-only rate, the limit the import is measured against: the median of
    // five passes (this machine's timings vary run to run; medians of repeated runs
    // compare like with like).
    const RUNS: usize = 5;
    let mut parses = Vec::with_capacity(RUNS);
    let mut n = 0;
    for _ in 0..RUNS {
        let (records, t) = parse_only(&src)?;
        n = records;
        parses.push(t);
    }
    parses.sort();
    let t_parse = percentile(&parses, 0.5);
    let parse_rate = n as f64 / t_parse.as_secs_f64();
    writeln!(
        out,
        "parse only (zstd + JSON into typed OSV structs): {n} records, median of {RUNS} {:.0} ms (min {:.0}, max {:.0}) = {parse_rate:.0}/s",
        ms(t_parse),
        ms(parses.first().copied().unwrap_or_default()),
        ms(parses.last().copied().unwrap_or_default()),
    )?;

    let (staged, read, rows, postings) = stages(&src)?;
    let per = |t: Duration| t.as_secs_f64() * 1e6 / staged.max(1) as f64;
    writeln!(
        out,
        "  stages without the store, per record: feed (zstd, JSON, schema, conversion; every core) {:.1} µs; on one core: store row (JSON as read, digest, zstd with the dictionary) {:.1} µs, index postings {:.1} µs",
        per(read),
        per(rows),
        per(postings)
    )?;

    // 2. Import into SQLite (and PostgreSQL): compressed file to committed and indexed,
    // five imports into fresh databases. Each import is paired with a parse-only pass run
    // just before it, and the ratio is the median of the pairs' ratios: this machine's
    // speed drifts from second to second, and a pair sees the same machine. The OSV
    // schema validator is compiled before (once per process, as a server does at
    // start-up).
    let _ = ch_advisory::validate_osv(&serde_json::json!({}));
    let mut backends: Vec<(&str, Option<&str>)> = vec![("SQLite", None)];
    if let Some(pg) = postgres {
        backends.push(("PostgreSQL", Some(pg)));
    }
    let mut kept: Option<(Fresh, Knowledge)> = None;
    for (name, pg) in &backends {
        let mut times = Vec::with_capacity(RUNS);
        let mut ratios = Vec::with_capacity(RUNS);
        let mut records = 0;
        let mut last: Option<(Fresh, Knowledge)> = None;
        for _ in 0..RUNS {
            if let Some((fresh, kb)) = last.take() {
                drop(kb);
                fresh.drop_db().await?;
            }
            let fresh = fresh_store(*pg).await?;
            let kb = Knowledge::load(fresh.store.clone(), clock.clone()).await?;
            let (parsed, t_pass) = parse_only(&src)?;
            let (r, t) = timed_import(&kb, &src).await?;
            records = r;
            times.push(t);
            ratios.push((r as f64 / t.as_secs_f64()) / (parsed as f64 / t_pass.as_secs_f64()));
            last = Some((fresh, kb));
        }
        times.sort();
        ratios.sort_by(f64::total_cmp);
        let t = percentile(&times, 0.5);
        let rate = records as f64 / t.as_secs_f64();
        let ratio = ratios.get(ratios.len() / 2).copied().unwrap_or_default();
        writeln!(
            out,
            "import into {name} (read, validate, convert, commit, index): {records} records, median of {RUNS} {:.0} ms (min {:.0}, max {:.0}) = {rate:.0}/s = {ratio:.2} of parse-only (median of {RUNS} pairs, each import beside a parse pass just before it; min {:.2}, max {:.2}; target >= 0.20) {}",
            ms(t),
            ms(times.first().copied().unwrap_or_default()),
            ms(times.last().copied().unwrap_or_default()),
            ratios.first().copied().unwrap_or_default(),
            ratios.last().copied().unwrap_or_default(),
            if ratio >= 0.2 { "OK" } else { "BELOW TARGET" }
        )?;
        let Some((fresh, kb)) = last else { anyhow::bail!("no import ran") };
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
    let uniform: Vec<(String, String, String)> = (0..100_000)
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
        (0..100_000).map(|i| all[(i * 7919) % all.len()].clone()).collect()
    };
    writeln!(out, "query latency: {} distinct packages in the index", packages.len())?;
    for (label, queries) in [("realistic (packages uniform)", &uniform), ("heavy (range events uniform)", &weighted)] {
        let mut single = Vec::with_capacity(5_000);
        let mut hits = 0usize;
        for (e, n, v) in queries.iter().take(5_000) {
            let t = Instant::now();
            let r = kb.index().affected(e, n, Some(v)).map(|h| h.len());
            single.push(t.elapsed());
            hits += r.unwrap_or(0);
        }
        single.sort();
        // The same batches with fixed versions and remedies (what the scanner and
        // exposure matching ask), for comparison.
        let mut full = Vec::with_capacity(10);
        for b in 0..10 {
            let t = Instant::now();
            let index = kb.index();
            let mut n_hits = 0;
            for (e, n, v) in queries.iter().skip(b * 1_000).take(1_000) {
                n_hits += index.query_package(e, n, Some(v)).map(|h| h.len()).unwrap_or(0);
            }
            drop(index);
            std::hint::black_box(n_hits);
            full.push(t.elapsed());
        }
        full.sort();
        // A hundred batches, so that p99 is not simply the slowest one.
        let mut batches = Vec::with_capacity(100);
        for b in 0..100 {
            let t = Instant::now();
            let index = kb.index();
            // What /v1/querybatch asks of the index: the records, no remedies, the batch
            // split over the cores.
            let n_hits: usize = queries
                .par_iter()
                .skip(b * 1_000)
                .take(1_000)
                .map(|(e, n, v)| index.affected(e, n, Some(v)).map_or(0, |r| r.len()))
                .sum();
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
        writeln!(
            out,
            "    with fixed versions and remedies (scanner, exposure): 1,000-query batch p50 {:.2} ms, p99 {:.2} ms",
            ms(percentile(&full, 0.5)),
            ms(percentile(&full, 0.99))
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

/// What `bench exposure` runs.
struct ExposureOptions {
    inventories: Vec<usize>,
    components: usize,
    advisories: usize,
    upload_components: usize,
    postgres: Option<String>,
    sqlite: bool,
    analyze: bool,
}

/// `bench exposure`: inventories written straight into the reverse index (untimed, its
/// duration printed), then one new advisory at a time imported and matched (timed), then
/// uploads of one large inventory (timed).
mod exposure {
    use std::collections::{BTreeMap, HashSet};
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::time::{Duration, Instant};

    use anyhow::Context;
    use ch_exposure::{Criticality, Exposure, MatchRun, Outbound};
    use ch_inventory::{Component, Origin as Place};
    use ch_knowledge::{ImportOptions, Knowledge};
    use ch_store::exposure::{self as db, AssetRow, ComponentRow};
    use ch_version::{Event, RangeType};

    use super::{ExposureOptions, fresh_store, ms, percentile, shared_data};

    /// Share of inventories holding a new advisory's package at an affected version, and
    /// at its fixed version, in hundredths.
    const AFFECTED_PCT: u64 = 1;
    const FIXED_PCT: u64 = 9;
    /// Organisations the inventories are spread over.
    const ORGS: usize = 10;
    /// Inventories written per transaction during setup.
    const SETUP_BATCH: usize = 250;
    /// The target at 10,000 inventories.
    const TARGET_MS: f64 = 100.0;
    const TARGET_AT: usize = 10_000;

    /// splitmix64: a fixed, seedable sequence, so every run builds the same inventories.
    struct Rng(u64);

    impl Rng {
        fn new(seed: u64) -> Rng {
            Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
        }
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn below(&mut self, n: usize) -> usize {
            if n == 0 { 0 } else { (self.next() % n as u64) as usize }
        }
    }

    /// A PyPI package of the imported advisories, with versions from their `versions`
    /// lists and range events (affected and unaffected ones).
    struct Real {
        name: String,
        versions: Vec<String>,
    }

    /// A package a new advisory will be about: `affected` is touched by no stored
    /// advisory and lies below `fixed`, which no stored advisory touches either.
    struct Popular {
        name: String,
        advisories: usize,
        affected: String,
        fixed: String,
    }

    struct Pool {
        real: Vec<Real>,
        popular: Vec<Popular>,
        filler: usize,
    }

    fn plain_version(v: &str) -> bool {
        !v.is_empty() && v != "0" && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    }

    fn plain_name(n: &str) -> bool {
        !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
    }

    /// `4.2.7` -> `4.2.8`; `None` unless every part is a number.
    fn bump(v: &str) -> Option<String> {
        let parts: Vec<u64> = v.split('.').map(|p| p.parse::<u64>().ok()).collect::<Option<_>>()?;
        let (last, head) = parts.split_last()?;
        let mut out: Vec<String> = head.iter().map(u64::to_string).collect();
        out.push((last + 1).to_string());
        Some(out.join("."))
    }

    fn build_pool(index: &ch_match::Index, popular: usize, per: usize) -> anyhow::Result<Pool> {
        // name (lower case) -> (name as written, advisories, versions, fixed versions)
        type Entry = (String, usize, Vec<String>, Vec<String>);
        let mut by_name: BTreeMap<String, Entry> = BTreeMap::new();
        for (_, a) in index.records() {
            if a.withdrawn.is_some() {
                continue;
            }
            for p in a.packages.iter().filter(|p| p.ecosystem == "PyPI" && plain_name(&p.name)) {
                let e = by_name
                    .entry(p.name.to_ascii_lowercase())
                    .or_insert_with(|| (p.name.clone(), 0, Vec::new(), Vec::new()));
                e.1 += 1;
                e.2.extend(p.versions.iter().filter(|v| plain_version(v)).cloned());
                for r in p.ranges.iter().filter(|r| r.kind != RangeType::Git) {
                    for ev in &r.events {
                        if plain_version(ev.value()) {
                            e.2.push(ev.value().to_owned());
                        }
                        if let Event::Fixed(v) = ev
                            && plain_version(v)
                        {
                            e.3.push(v.clone());
                        }
                    }
                }
            }
        }
        let untouched =
            |name: &str, v: &str| matches!(index.query_package("PyPI", name, Some(v)), Ok(h) if h.is_empty());
        let mut ranked: Vec<&Entry> = by_name.values().collect();
        ranked.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
        let mut chosen: Vec<Popular> = Vec::new();
        // One package per family: tensorflow, tensorflow-cpu and tensorflow-gpu share
        // their advisories.
        let stem = |n: &str| n.split(['-', '_', '.']).next().unwrap_or(n).to_ascii_lowercase();
        for (name, n, _, fixed) in ranked {
            if chosen.len() == popular {
                break;
            }
            if chosen.iter().any(|c| stem(&c.name) == stem(name)) {
                continue;
            }
            let mut fixed = fixed.clone();
            fixed.sort();
            fixed.dedup();
            let pick = fixed.iter().find_map(|v| {
                let next = bump(v)?;
                (untouched(name, v) && untouched(name, &next)).then(|| (v.clone(), next))
            });
            if let Some((affected, fixed)) = pick {
                chosen.push(Popular { name: name.clone(), advisories: *n, affected, fixed });
            }
        }
        anyhow::ensure!(
            chosen.len() == popular,
            "only {} packages of the advisories have a version no advisory touches (wanted {popular})",
            chosen.len()
        );
        let taken: HashSet<String> = chosen.iter().map(|p| p.name.to_ascii_lowercase()).collect();
        let real: Vec<Real> = by_name
            .into_iter()
            .filter(|(k, e)| !taken.contains(k) && !e.2.is_empty())
            .map(|(_, (name, _, mut versions, _))| {
                versions.sort();
                versions.dedup();
                Real { name, versions }
            })
            .collect();
        anyhow::ensure!(!real.is_empty(), "the advisories name no PyPI package with a version");
        Ok(Pool { real, popular: chosen, filler: (per * 40).max(20_000) })
    }

    fn pypi(name: &str, version: &str) -> Component {
        let mut c = Component::new(name, Some(version.to_owned()), Some("PyPI"), Place::default());
        c.purl = Some(format!("pkg:pypi/{}@{version}", name.to_ascii_lowercase()));
        c
    }

    /// Inventory `i`: the new advisories' packages (at an affected version for about 1%
    /// of inventories each, at the fixed version for about 9%), a fifth real packages at
    /// versions from the advisories, the rest filler packages no advisory names.
    /// `placed[k]` counts inventories holding package `k` at its affected version.
    fn inventory(i: usize, per: usize, pool: &Pool, placed: &mut [usize]) -> Vec<Component> {
        let mut rng = Rng::new(i as u64);
        let mut out = Vec::with_capacity(per);
        for (k, p) in pool.popular.iter().enumerate() {
            if out.len() == per {
                break;
            }
            let roll = rng.next() % 100;
            if roll < AFFECTED_PCT {
                out.push(pypi(&p.name, &p.affected));
                if let Some(n) = placed.get_mut(k) {
                    *n += 1;
                }
            } else if roll < AFFECTED_PCT + FIXED_PCT {
                out.push(pypi(&p.name, &p.fixed));
            }
        }
        let real = (per / 5).min(pool.real.len()).min(per - out.len());
        let mut seen = HashSet::with_capacity(per);
        while seen.len() < real {
            let j = rng.below(pool.real.len());
            if seen.insert(j)
                && let Some(r) = pool.real.get(j)
            {
                let v = r.versions.get(rng.below(r.versions.len())).map_or("1.0", String::as_str);
                out.push(pypi(&r.name, v));
            }
        }
        seen.clear();
        while out.len() < per {
            let j = rng.below(pool.filler);
            if seen.insert(j) {
                let v = format!("{}.{}.{}", rng.below(5), rng.below(20), rng.below(10));
                out.push(pypi(&format!("pkg-{j:06}"), &v));
            }
        }
        out
    }

    /// Reverse-index rows of an inventory, as an upload writes them.
    fn rows_of(asset_id: &str, components: &[Component]) -> anyhow::Result<Vec<ComponentRow>> {
        let mut rows = Vec::with_capacity(components.len());
        for (i, c) in components.iter().enumerate() {
            let json = serde_json::to_string(c)?;
            for k in ch_match::component_keys(c) {
                rows.push(ComponentRow {
                    match_key: k,
                    asset_id: asset_id.to_owned(),
                    ordinal: i as i64,
                    component: json.clone(),
                });
            }
        }
        Ok(rows)
    }

    /// A CycloneDX inventory of `n` components: with `real`, a fifth (up to every package
    /// the advisories name) real packages at versions from the advisories, the rest filler.
    fn cyclonedx(pool: &Pool, n: usize, real: bool) -> anyhow::Result<Vec<u8>> {
        let mut rng = Rng::new(0xB0B);
        let mut comps = Vec::with_capacity(n);
        for r in pool.real.iter().take(if real { n / 5 } else { 0 }) {
            let v = r.versions.get(rng.below(r.versions.len())).map_or("1.0", String::as_str);
            comps.push(pypi(&r.name, v));
        }
        let mut j = 0;
        while comps.len() < n {
            comps.push(pypi(&format!("pkg-{j:06}"), &format!("{}.{}.{}", rng.below(5), rng.below(20), rng.below(10))));
            j += 1;
        }
        let components: Vec<serde_json::Value> = comps
            .iter()
            .map(|c| {
                serde_json::json!({
                    "type": "library",
                    "bom-ref": c.purl,
                    "name": c.name,
                    "version": c.version,
                    "purl": c.purl,
                })
            })
            .collect();
        Ok(serde_json::to_vec(&serde_json::json!({
            "bomFormat": "CycloneDX",
            "specVersion": "1.6",
            "version": 1,
            "metadata": {"component": {"type": "application", "name": "bench-upload"}},
            "components": components,
        }))?)
    }

    fn advisory(id: &str, p: &Popular) -> serde_json::Value {
        let now = jiff::Timestamp::now().to_string();
        serde_json::json!({
            "id": id,
            "modified": now,
            "published": now,
            "summary": format!("Remote code execution in {}", p.name),
            "details": format!(
                "{} before {} evaluates untrusted input. A benchmark advisory written by clearinghouse bench exposure.",
                p.name, p.fixed
            ),
            "affected": [{
                "package": {
                    "ecosystem": "PyPI",
                    "name": p.name,
                    "purl": format!("pkg:pypi/{}", p.name.to_ascii_lowercase()),
                },
                "ranges": [{"type": "ECOSYSTEM", "events": [{"introduced": "0"}, {"fixed": p.fixed}]}],
            }],
            "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H"}],
            "references": [{"type": "ADVISORY", "url": format!("https://github.com/advisories/{id}")}],
        })
    }

    fn median(d: &[Duration]) -> Duration {
        let mut d = d.to_vec();
        d.sort();
        percentile(&d, 0.5)
    }

    fn max(d: &[Duration]) -> Duration {
        d.iter().copied().max().unwrap_or_default()
    }

    /// One scale's figures.
    struct Row {
        inventories: usize,
        components: usize,
        setup: Duration,
        import: Vec<Duration>,
        matched: Vec<Duration>,
        total: Vec<Duration>,
        runs: Vec<MatchRun>,
    }

    pub(super) async fn run(
        data: Option<PathBuf>,
        file: &str,
        opts: &ExposureOptions,
        out: &mut dyn Write,
    ) -> anyhow::Result<u8> {
        let data = shared_data(data)?;
        let src = data.join(file);
        anyhow::ensure!(src.is_file(), "{}: not found", src.display());
        anyhow::ensure!(opts.components > 0, "--components must be at least 1");
        anyhow::ensure!(!opts.inventories.is_empty(), "--inventories names no scale");
        let mut backends: Vec<(&str, Option<&str>)> = Vec::new();
        if opts.sqlite {
            backends.push(("SQLite", None));
        }
        if let Some(pg) = opts.postgres.as_deref() {
            backends.push(("PostgreSQL", Some(pg)));
        }
        anyhow::ensure!(!backends.is_empty(), "--no-sqlite needs --postgres");
        writeln!(
            out,
            "# clearinghouse bench exposure: advisories {}, {} components per inventory, {} new advisories per scale",
            src.display(),
            opts.components,
            opts.advisories
        )?;
        let tmp = tempfile::tempdir()?;
        let mut pool: Option<Pool> = None;
        for (backend, pg) in backends {
            writeln!(out, "\n## {backend}")?;
            let mut rows: Vec<Row> = Vec::new();
            let largest = opts.inventories.iter().copied().max().unwrap_or(0);
            let mut upload_done = false;
            for &n in &opts.inventories {
                let fresh = fresh_store(pg).await?;
                let last = n == largest && !upload_done;
                upload_done |= last;
                let done = scale(&fresh.store, &src, n, opts, &mut pool, tmp.path(), out, last).await;
                // The database goes whether or not the scale succeeded.
                fresh.drop_db().await?;
                let (row, upload) = done.with_context(|| format!("{backend}, {n} inventories"))?;
                rows.push(row);
                if let Some(lines) = upload {
                    writeln!(out, "{lines}")?;
                }
            }
            table(&rows, backend, out)?;
        }
        Ok(0)
    }

    #[allow(clippy::too_many_arguments)]
    async fn scale(
        store: &ch_store::Store,
        src: &Path,
        n: usize,
        opts: &ExposureOptions,
        pool: &mut Option<Pool>,
        tmp: &Path,
        out: &mut dyn Write,
        upload: bool,
    ) -> anyhow::Result<(Row, Option<String>)> {
        let clock = ch_store::jobs::system_clock();
        let per = opts.components;
        let started = Instant::now();
        let kb = Knowledge::load(store.clone(), clock.clone()).await?;
        let imported = kb.import(&[src.to_path_buf()], &ImportOptions::default(), &mut |_| {}).await?;
        let t_kb = started.elapsed();
        if pool.is_none() {
            let p = build_pool(&kb.index(), opts.advisories, per)?;
            writeln!(
                out,
                "knowledge base: {} records; {} PyPI packages with versions for the inventories; filler names pkg-000000..pkg-{:06}",
                kb.index().len(),
                p.real.len() + p.popular.len(),
                p.filler - 1
            )?;
            for (k, q) in p.popular.iter().enumerate() {
                writeln!(
                    out,
                    "new advisory {k}: {} ({} stored advisories name it): introduced 0, fixed {}; about {AFFECTED_PCT}% of inventories hold {} (affected, a finding each), about {FIXED_PCT}% hold {} (no finding)",
                    q.name, q.advisories, q.fixed, q.affected, q.fixed
                )?;
            }
            *pool = Some(p);
        }
        let Some(pool) = pool.as_ref() else { anyhow::bail!("no component pool") };
        let keyring = ch_seal::Keyring::new(vec![ch_seal::MasterKey::generate()?]);
        let sealer = ch_store::sealed::Sealer::new(keyring, None);
        let exposure = Exposure::new(store.clone(), kb.clone(), clock.clone(), sealer, Outbound::default());
        let identity = ch_identity::Identity::new(store.clone())?;
        let who = ch_store::audit::Who::system();
        let mut orgs = Vec::with_capacity(ORGS);
        for o in 0..ORGS {
            let org = identity
                .create_org(
                    &who,
                    clock(),
                    &format!("Bench operator {o}"),
                    ch_domain::OrgKind::Operator,
                    Some(ch_domain::Sector::Healthcare),
                )
                .await?;
            orgs.push(org.id.as_string());
        }

        // Setup: assets and their reverse-index rows, written directly.
        let t_setup = Instant::now();
        let mut placed = vec![0usize; pool.popular.len()];
        let mut total_components = 0usize;
        let mut rows_in_index = 0usize;
        let criticalities = ["critical", "high", "medium", "low"];
        for start in (0..n).step_by(SETUP_BATCH) {
            let end = (start + SETUP_BATCH).min(n);
            let mut tx = store.begin().await?;
            for i in start..end {
                let now = clock();
                let asset = AssetRow {
                    id: uuid::Uuid::now_v7().to_string(),
                    org_id: orgs.get(i % ORGS).cloned().unwrap_or_default(),
                    name: format!("inventory-{i:05}"),
                    criticality: criticalities.get(i % criticalities.len()).copied().unwrap_or("medium").to_owned(),
                    owner: None,
                    description: None,
                    current_inventory: None,
                    created_at: now,
                    updated_at: now,
                };
                db::insert_asset(&mut tx, &asset).await?;
                let components = inventory(i, per, pool, &mut placed);
                total_components += components.len();
                let rows = rows_of(&asset.id, &components)?;
                rows_in_index += rows.len();
                db::replace_components(&mut tx, &asset.id, &rows).await?;
            }
            tx.commit().await?;
            if end.is_multiple_of(1_000) || end == n {
                eprintln!(
                    "  setup: {end}/{n} inventories, {total_components} components, {:.0} s",
                    t_setup.elapsed().as_secs_f64()
                );
            }
        }
        {
            let mut tx = store.begin().await?;
            db::set_matched_seq(&mut tx, kb.seen_seq()).await?;
            tx.commit().await?;
        }
        let t_rows = t_setup.elapsed();
        let analyzed = if opts.analyze && store.backend() == ch_store::Backend::Postgres {
            // Planner statistics, as autovacuum would gather them after a bulk load.
            let t = Instant::now();
            sqlx::query("ANALYZE").execute(store.pool()).await?;
            format!("; ANALYZE {:.1} s", t.elapsed().as_secs_f64())
        } else if store.backend() == ch_store::Backend::Postgres {
            "; no ANALYZE".to_owned()
        } else {
            String::new()
        };
        let setup = started.elapsed();
        writeln!(
            out,
            "{n} inventories: setup {:.1} s (knowledge base import {:.1} s, {} records; {} inventories, {} components, {rows_in_index} reverse-index rows written in {:.1} s{analyzed})",
            setup.as_secs_f64(),
            t_kb.as_secs_f64(),
            imported.progress.records,
            n,
            total_components,
            t_rows.as_secs_f64()
        )?;

        // The timed step: one new advisory imported and matched, findings committed.
        let mut row = Row {
            inventories: n,
            components: total_components,
            setup,
            import: Vec::new(),
            matched: Vec::new(),
            total: Vec::new(),
            runs: Vec::new(),
        };
        for (k, p) in pool.popular.iter().enumerate() {
            let id = format!("GHSA-bench-{n}-{k}");
            let path = tmp.join(format!("{id}.json"));
            fs_err::write(&path, serde_json::to_vec(&advisory(&id, p))?)?;
            let before = db::finding_total(&mut *store.conn().await?).await?;
            let t0 = Instant::now();
            let summary = kb.import(std::slice::from_ref(&path), &ImportOptions::default(), &mut |_| {}).await?;
            let t_import = t0.elapsed();
            let run = exposure.match_changes().await?;
            let t_total = t0.elapsed();
            let after = db::finding_total(&mut *store.conn().await?).await?;
            anyhow::ensure!(
                summary.progress.inserted == 1,
                "{id}: the import stored {} records (errors: {:?})",
                summary.progress.inserted,
                summary.errors
            );
            let want = placed.get(k).copied().unwrap_or(0);
            writeln!(
                out,
                "  {id} ({}): import {:.1} ms + match {:.1} ms = {:.1} ms; reverse index returned {} components, {} assets reconciled, {} findings recorded ({want} inventories hold {} {})",
                p.name,
                ms(t_import),
                ms(t_total - t_import),
                ms(t_total),
                run.components,
                run.assets,
                run.findings.new,
                p.name,
                p.affected
            )?;
            if run.findings.new as usize != want || (after - before) as usize != want {
                anyhow::bail!(
                    "{id}: {} findings recorded ({} new rows) but {want} inventories hold {} {} (affected): the match is wrong",
                    run.findings.new,
                    after - before,
                    p.name,
                    p.affected
                );
            }
            writeln!(out, "    {}", phases(store, &kb, &id).await?)?;
            row.import.push(t_import);
            row.matched.push(t_total - t_import);
            row.total.push(t_total);
            row.runs.push(run);
        }

        let upload_lines = if upload { Some(upload_bench(&exposure, &kb, pool, opts, &orgs).await?) } else { None };
        drop(exposure);
        drop(kb);
        Ok((row, upload_lines))
    }

    /// The phases of a match run, re-run read-only for an advisory already matched (same
    /// store, same index), so the timed run's figure can be split: what is left of it is
    /// the write transaction (lock, findings and notifications written, commit).
    async fn phases(store: &ch_store::Store, kb: &Knowledge, id: &str) -> anyhow::Result<String> {
        let t = Instant::now();
        kb.refresh().await?;
        let t_refresh = t.elapsed();
        let t = Instant::now();
        let (keys, flaw_ids) = {
            let index = kb.index();
            let key = ch_match::RecordKey::new(id, ch_match::Origin::Osv);
            let keys = index.match_keys(&key).map(|k| k.keys).unwrap_or_default();
            let mut ids = vec![id.to_owned()];
            if let Some(f) = index.flaw(id) {
                ids.extend(f.ids);
            }
            (keys, ids)
        };
        let t_keys = t.elapsed();
        let mut c = store.conn().await?;
        let t = Instant::now();
        let key_refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let rows = db::components_by_keys(&mut c, &key_refs).await?;
        let t_lookup = t.elapsed();
        let t = Instant::now();
        let id_refs: Vec<&str> = flaw_ids.iter().map(String::as_str).collect();
        let stale = db::findings_by_flaw(&mut c, &id_refs).await?;
        let t_stale = t.elapsed();
        let t = Instant::now();
        let mut per_asset: BTreeMap<String, Vec<Component>> = BTreeMap::new();
        for r in &rows {
            per_asset.entry(r.asset_id.clone()).or_default().push(serde_json::from_str(&r.component)?);
        }
        let t_parse = t.elapsed();
        let t = Instant::now();
        let ids: Vec<&str> = per_asset.keys().map(String::as_str).collect();
        let assets = db::assets_by_ids(&mut c, &ids).await?;
        let mut orgs: Vec<&str> = assets.iter().map(|a| a.org_id.as_str()).collect();
        orgs.sort_unstable();
        orgs.dedup();
        let vex = db::vex_of_orgs(&mut c, &orgs).await?;
        let existing = db::findings_of_assets(&mut c, &ids).await?;
        let t_rows = t.elapsed();
        let t = Instant::now();
        let mut matched = 0usize;
        {
            let index = kb.index();
            for components in per_asset.values() {
                let m = index.match_components(components);
                for cm in &m.matches {
                    for hit in &cm.hits {
                        if index.flaw(&hit.key.id).is_some() {
                            matched += 1;
                        }
                    }
                }
            }
        }
        let t_match = t.elapsed();
        drop(c);
        // An empty write transaction: SQLite's write lock and a commit.
        let t = Instant::now();
        let mut tx = store.begin().await?;
        let seq = db::lock_matched_seq(&mut tx).await?;
        db::set_matched_seq(&mut tx, seq).await?;
        tx.commit().await?;
        let t_commit = t.elapsed();
        let sum = t_refresh + t_keys + t_lookup + t_stale + t_parse + t_rows + t_match + t_commit;
        Ok(format!(
            "phases re-run read-only: refresh {:.1} ms, record keys {:.2} ms, reverse-index lookup {:.1} ms ({} rows), \
             findings by flaw {:.1} ms ({}), parse components {:.1} ms, assets + VEX + their findings {:.1} ms ({} assets, {} findings, {} statements), \
             index match {:.1} ms ({matched} hits), empty write transaction {:.1} ms; sum {:.1} ms",
            ms(t_refresh),
            ms(t_keys),
            ms(t_lookup),
            rows.len(),
            ms(t_stale),
            stale.len(),
            ms(t_parse),
            ms(t_rows),
            assets.len(),
            existing.len(),
            vex.len(),
            ms(t_match),
            ms(t_commit),
            ms(sum)
        ))
    }

    async fn upload_bench(
        exposure: &Exposure,
        kb: &Knowledge,
        pool: &Pool,
        opts: &ExposureOptions,
        orgs: &[String],
    ) -> anyhow::Result<String> {
        let bom = cyclonedx(pool, opts.upload_components, true)?;
        let clean = cyclonedx(pool, opts.upload_components, false)?;
        let t = Instant::now();
        let inventory = ch_lockfile::read(&bom, "bom.json", None).map_err(|e| anyhow::anyhow!("{e}"))?;
        let t_read = t.elapsed();
        let components = inventory.components;
        let mut in_memory = Vec::new();
        let mut hits = 0;
        for _ in 0..5 {
            let t = Instant::now();
            let m = kb.index().match_components(&components);
            in_memory.push(t.elapsed());
            hits = m.matches.len();
        }
        let org = orgs.first().context("no organisation")?;
        // The reverse-index write alone, rolled back.
        let mut write_only = Vec::new();
        for r in 0..5 {
            let rows = rows_of(&format!("write-only-{r}"), &components)?;
            let t = Instant::now();
            let mut tx = exposure.store().begin().await?;
            db::replace_components(&mut tx, &format!("write-only-{r}"), &rows).await?;
            write_only.push(t.elapsed());
            tx.rollback().await?;
        }
        let mut first = Vec::new();
        let mut findings = 0;
        let mut last_asset = None;
        for r in 0..5 {
            let asset = exposure.create_asset(org, &format!("upload-{r}"), Criticality::High, None, None).await?;
            let t = Instant::now();
            let o = exposure.upload(&asset, "bom.json", bom.clone(), None, None).await?;
            first.push(t.elapsed());
            anyhow::ensure!(o.components == components.len(), "the upload read {} components", o.components);
            findings = o.findings.new;
            last_asset = Some(asset);
        }
        let mut no_findings = Vec::new();
        for r in 0..5 {
            let asset = exposure.create_asset(org, &format!("upload-clean-{r}"), Criticality::High, None, None).await?;
            let t = Instant::now();
            let o = exposure.upload(&asset, "bom.json", clean.clone(), None, None).await?;
            no_findings.push(t.elapsed());
            anyhow::ensure!(o.findings.new == 0, "an inventory of filler packages made {} findings", o.findings.new);
        }
        let mut again = Vec::new();
        if let Some(asset) = &last_asset {
            for _ in 0..5 {
                let t = Instant::now();
                let o = exposure.upload(asset, "bom.json", bom.clone(), None, None).await?;
                again.push(t.elapsed());
                anyhow::ensure!(
                    o.findings.new == 0,
                    "a re-upload of the same inventory made {} new findings",
                    o.findings.new
                );
            }
        }
        Ok(format!(
            "upload of one {}-component CycloneDX inventory ({} bytes; {hits} components with advisories, {findings} findings), 5 runs each:\n  \
             to a new asset (read + reverse-index write + match + findings, one transaction): median {:.0} ms, max {:.0} ms\n  \
             again to the same asset (findings exist): median {:.0} ms, max {:.0} ms\n  \
             to a new asset, filler packages only (no findings): median {:.0} ms, max {:.0} ms\n  \
             parts alone: read {:.0} ms; index match_components median {:.1} ms; reverse-index rows written (no commit) median {:.0} ms",
            components.len(),
            bom.len(),
            ms(median(&first)),
            ms(max(&first)),
            ms(median(&again)),
            ms(max(&again)),
            ms(median(&no_findings)),
            ms(max(&no_findings)),
            ms(t_read),
            ms(median(&in_memory)),
            ms(median(&write_only)),
        ))
    }

    fn table(rows: &[Row], backend: &str, out: &mut dyn Write) -> anyhow::Result<()> {
        writeln!(out, "\nimport of one new advisory + match until its findings are committed ({backend}):")?;
        writeln!(
            out,
            "  {:>11} {:>11} {:>9} {:>11} {:>10} {:>13} {:>8} {:>11} {:>9} {:>9}  target",
            "inventories",
            "components",
            "setup s",
            "import ms",
            "match ms",
            "total med ms",
            "max ms",
            "rev. index",
            "assets",
            "findings"
        )?;
        for r in rows {
            let med = ms(median(&r.total));
            let target = if r.inventories >= TARGET_AT {
                format!("< {TARGET_MS:.0} ms {}", if med < TARGET_MS { "OK" } else { "ABOVE TARGET" })
            } else {
                "-".to_owned()
            };
            let components: usize = r.runs.iter().map(|x| x.components).sum();
            let assets: usize = r.runs.iter().map(|x| x.assets).sum();
            let findings: u64 = r.runs.iter().map(|x| x.findings.new).sum();
            let k = r.runs.len().max(1);
            writeln!(
                out,
                "  {:>11} {:>11} {:>9.1} {:>11.1} {:>10.1} {:>13.1} {:>8.1} {:>11} {:>9} {:>9}  {target}",
                r.inventories,
                r.components,
                r.setup.as_secs_f64(),
                ms(median(&r.import)),
                ms(median(&r.matched)),
                med,
                ms(max(&r.total)),
                components / k,
                assets / k,
                format!("{:.0}", findings as f64 / k as f64),
            )?;
        }
        writeln!(out, "  (medians over the new advisories; rev. index, assets, findings: mean per advisory)")?;
        for w in rows.windows(2) {
            if let [a, b] = w
                && b.inventories > a.inventories
            {
                let ratio = ms(median(&b.total)) / ms(median(&a.total)).max(1e-9);
                let tens = (b.inventories as f64 / a.inventories as f64).log10();
                writeln!(
                    out,
                    "  growth {} -> {} inventories: {:.2}x ({:.2}x per 10x inventories)",
                    a.inventories,
                    b.inventories,
                    ratio,
                    ratio.powf(1.0 / tens.max(1e-9))
                )?;
            }
        }
        Ok(())
    }
}
