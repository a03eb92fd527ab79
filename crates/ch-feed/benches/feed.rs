//! End-to-end read rate (advisories/s) from the compressed file: decompression,
//! per-line detection, typed parse, conversion to advisories, and OSV schema
//! validation, on the feed's reader thread; with validation off beside it.
//!
//! `cargo bench -p ch-feed` (shared data from `CLEARINGHOUSE_SHARED_DATA`).

use std::path::PathBuf;
use std::time::Duration;

use ch_feed::{Feed, Options};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn shared() -> PathBuf {
    std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("feed");
    g.measurement_time(Duration::from_secs(8)).warm_up_time(Duration::from_secs(1)).sample_size(10);
    for (name, rel, records) in [
        ("pypa.jsonl.zst", "osv/pypa.jsonl.zst", 2661u64),
        ("nvd-1.1-kev.jsonl.zst", "cve/nvd-1.1-kev.jsonl.zst", 728),
        ("rustsec-advisories-md.tar.zst", "osv/rustsec-advisories-md.tar.zst", 1225),
    ] {
        let path = shared().join(rel);
        g.throughput(Throughput::Elements(records));
        for validate in [true, false] {
            let label = if validate { "validated" } else { "unvalidated" };
            g.bench_function(format!("{name}/{label}"), |b| {
                b.iter(|| {
                    let n = Feed::open([&path], Options { validate, time: None }).count() as u64;
                    assert_eq!(n, records);
                })
            });
        }
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
