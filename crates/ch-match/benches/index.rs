//! Index build and lookup rates on the shared data.
//!
//! - `build/all-osv`: an index from every OSV set (PyPA, RustSec, AlmaLinux, Bitnami, the
//!   GHSA sample, and the converted Node.js WG, FriendsOfPHP and Victims records), from
//!   advisories already parsed: the build alone is timed.
//! - `query/package-single`, `query/product-single`, `query/cpe-single`,
//!   `query/product-single-cisco-ios`: one lookup (the last against the largest CPE
//!   statements in the data).
//! - `query/package-batch-1000`: 1,000 (ecosystem, name, version) lookups sampled from
//!   the records (range events and listed versions: hits and misses).
//! - `match/components-5000`: a synthetic inventory of 5,000 components (purls,
//!   ecosystem + name, vendor + product), against the OSV sets plus the KEV NVD and
//!   CVE 5 records.
//!
//! `cargo bench -p ch-match` (shared data from `CLEARINGHOUSE_SHARED_DATA`).

use std::hint::black_box;
use std::io::BufRead;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ch_advisory::nvd::{Nvd1Item, Nvd2Cve};
use ch_advisory::{Advisory, Format, Osv, convert, cve5};
use ch_inventory::{Component, Origin};
use ch_match::Index;
use ch_version::Event;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn shared() -> PathBuf {
    std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

fn lines(rel: &str) -> Vec<String> {
    let path = shared().join(rel);
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    std::io::BufReader::new(zstd::Decoder::new(f).unwrap()).lines().map(Result::unwrap).collect()
}

fn osv_sets() -> Vec<Arc<Advisory>> {
    let mut out = Vec::new();
    for set in [
        "osv/pypa.jsonl.zst",
        "osv/rustsec.jsonl.zst",
        "osv/almalinux-osv.jsonl.zst",
        "osv/bitnami-vulndb.jsonl.zst",
        "osv/ghsa-sbom-sample.jsonl.zst",
    ] {
        for l in lines(set) {
            let osv = Osv::from_json_slice(l.as_bytes()).unwrap();
            out.push(Arc::new(Advisory::from_osv(osv, Format::OsvJson).unwrap()));
        }
    }
    let time: jiff::Timestamp = "2026-08-21T00:00:00Z".parse().unwrap();
    for (set, format) in [
        ("osv/nodejs-security-wg.jsonl.zst", Format::NodejsSecurityWg),
        ("osv/friendsofphp-security-advisories.jsonl.zst", Format::FriendsOfPhp),
        ("osv/victims-cve-db.jsonl.zst", Format::Victims),
    ] {
        for l in lines(set) {
            let v: serde_json::Value = serde_json::from_str(&l).unwrap();
            if let Ok(a) = convert::parse(format, &v, None, Some(time)) {
                out.push(Arc::new(a));
            }
        }
    }
    out
}

fn cve_sets() -> Vec<Arc<Advisory>> {
    let mut out = Vec::new();
    for l in lines("cve/nvd-1.1-kev.jsonl.zst") {
        out.push(Arc::new(Nvd1Item::from_json_slice(l.as_bytes()).unwrap().to_advisory().unwrap()));
    }
    for l in lines("cve/nvd-2.0-kev.jsonl.zst") {
        out.push(Arc::new(Nvd2Cve::from_json_slice(l.as_bytes()).unwrap().to_advisory().unwrap()));
    }
    for l in lines("cve/cve5-kev-vulnrichment.jsonl.zst") {
        if let Ok(a) = cve5::parse(l.as_bytes()) {
            out.push(Arc::new(a));
        }
    }
    out
}

/// (ecosystem, name, version) triples from the records: every `step`-th range event or
/// listed version that the index accepts as a query.
fn sample_queries(index: &Index, advisories: &[Arc<Advisory>], n: usize) -> Vec<(String, String, String)> {
    let mut all = Vec::new();
    for a in advisories {
        for p in &a.packages {
            let events = p.ranges.iter().flat_map(|r| r.events.iter()).filter_map(|e| match e {
                Event::Introduced(v) | Event::Fixed(v) | Event::LastAffected(v) if v != "0" => Some(v.as_str()),
                _ => None,
            });
            for v in events.chain(p.versions.iter().map(String::as_str)) {
                all.push((p.ecosystem.clone(), p.name.clone(), v.to_owned()));
            }
        }
    }
    let step = (all.len() / n).max(1);
    all.into_iter().step_by(step).filter(|(e, name, v)| index.query_package(e, name, Some(v)).is_ok()).take(n).collect()
}

fn inventory(queries: &[(String, String, String)], products: &[(String, String, String)], n: usize) -> Vec<Component> {
    let mut out = Vec::with_capacity(n);
    let mut q = queries.iter().cycle();
    let mut p = products.iter().cycle();
    for i in 0..n {
        let origin = Origin::line("inventory", i + 1);
        if i % 10 == 9 {
            let Some((vendor, product, version)) = p.next() else { break };
            let mut c = Component::new(product.clone(), Some(version.clone()), None, origin);
            c.vendor = Some(vendor.clone());
            c.product = Some(product.clone());
            out.push(c);
            continue;
        }
        let Some((eco, name, version)) = q.next() else { break };
        let mut c = Component::new(name.clone(), Some(version.clone()), Some(eco), origin);
        if i % 2 == 0 {
            c.purl = ch_purl::Purl::from_osv(eco, name, Some(version)).ok().map(|p| p.to_string());
        }
        out.push(c);
    }
    out
}

/// 5,000 components from the shared data's real SBOMs (juice-shop, keycloak, dropwizard,
/// laravel, cern, proton-bridge, ...): every component of each, cycled until 5,000, as an
/// operator's inventories would repeat packages across assets.
fn sbom_inventory(n: usize) -> Vec<Component> {
    let root = shared().join("sbom/cyclonedx/bom-examples/SBOM");
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    files.sort();
    let mut all = Vec::new();
    for f in files {
        let Ok(bytes) = std::fs::read(&f) else { continue };
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("bom.json").to_owned();
        if let Ok(inv) = ch_sbom::read(&bytes, &name, None) {
            all.extend(inv.components.into_iter().filter(|c| c.version.is_some()));
        }
    }
    all.iter().cycle().take(n).cloned().collect()
}

fn bench(c: &mut Criterion) {
    let advisories = osv_sets();
    let mut g = c.benchmark_group("build");
    g.sample_size(10).warm_up_time(Duration::from_secs(1));
    g.throughput(Throughput::Elements(advisories.len() as u64));
    g.bench_function("all-osv", |b| b.iter(|| black_box(advisories.iter().cloned().collect::<Index>())));
    g.finish();

    let index: Index = advisories.iter().cloned().collect();
    let packages: usize = index.package_keys().count();
    eprintln!("{} advisories, {} records, {} (ecosystem, name) buckets", advisories.len(), index.len(), packages);
    let queries = sample_queries(&index, &advisories, 1_000);
    let hits: usize = queries.iter().map(|(e, n, v)| index.query_package(e, n, Some(v)).map_or(0, |h| h.len())).sum();
    eprintln!("batch: {} queries, {hits} hits", queries.len());

    let mut full = index.clone();
    full.extend(cve_sets());
    let products: Vec<(String, String, String)> = full
        .known_products()
        .into_iter()
        .step_by(7)
        .enumerate()
        .map(|(i, (v, p))| (v.to_owned(), p.to_owned(), format!("{}.{}.{}", 1 + i % 9, i % 5, i % 3)))
        .collect();
    let components = inventory(&queries, &products, 5_000);
    let matched = full.match_components(&components);
    let ios = full.query_product("Cisco", "IOS", "15.2(4)M");
    eprintln!("cisco ios 15.2(4)M: {} hits", ios.len());
    eprintln!(
        "inventory: {} components, {} matched, {} skipped, {} hits",
        components.len(),
        matched.matches.len(),
        matched.skipped.len(),
        matched.matches.iter().map(|m| m.hits.len()).sum::<usize>()
    );

    let mut g = c.benchmark_group("query");
    g.bench_function("package-single", |b| {
        b.iter(|| black_box(index.query_package(black_box("crates.io"), black_box("tokio"), Some("1.12.0"))))
    });
    g.bench_function("product-single", |b| {
        b.iter(|| black_box(full.query_product(black_box("Fortinet"), black_box("FortiOS"), black_box("7.2.4"))))
    });
    g.bench_function("cpe-single", |b| {
        b.iter(|| black_box(full.query_cpe(black_box("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*"))))
    });
    // The largest statements in the data: Cisco IOS CVEs with hundreds of criteria.
    g.bench_function("product-single-cisco-ios", |b| {
        b.iter(|| black_box(full.query_product(black_box("Cisco"), black_box("IOS"), black_box("15.2(4)M"))))
    });
    g.throughput(Throughput::Elements(queries.len() as u64));
    g.bench_function("package-batch-1000", |b| {
        b.iter(|| {
            for (e, n, v) in &queries {
                black_box(index.query_package(e, n, Some(v)).ok());
            }
        })
    });
    g.finish();

    let mut g = c.benchmark_group("match");
    g.sample_size(20);
    g.throughput(Throughput::Elements(components.len() as u64));
    g.bench_function("components-5000", |b| b.iter(|| black_box(full.match_components(black_box(&components)))));
    // The figure: a 5,000-component inventory synthesised from the real SBOMs,
    // against every advisory in the shared data (limit: 20 ms once the index is loaded).
    let sboms = sbom_inventory(5_000);
    let m = full.match_components(&sboms);
    eprintln!(
        "SBOM inventory: {} components, {} with hits, {} hits",
        sboms.len(),
        m.matches.len(),
        m.matches.iter().map(|x| x.hits.len()).sum::<usize>()
    );
    g.bench_function("sbom-components-5000", |b| b.iter(|| black_box(full.match_components(black_box(&sboms)))));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
