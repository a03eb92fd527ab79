//! Parse-only rates (advisories/s) into typed structs, beside `serde_json::Value` parsing
//! of the same bytes (the floor for any JSON reader) in the same run:
//! PyPA (OSV JSON) and the NVD sets (API 2.0 records, 1.1 feed items), from lines
//! already decompressed in memory; then the same into normalised [`Advisory`]s (scores,
//! name normalisation, CPE trees), and with OSV schema validation.
//!
//! `cargo bench -p ch-advisory` (shared data from `CLEARINGHOUSE_SHARED_DATA`).

use std::hint::black_box;
use std::io::BufRead;
use std::path::PathBuf;
use std::time::Duration;

use ch_advisory::nvd::{Nvd1Item, Nvd2Cve};
use ch_advisory::{Advisory, Format, Osv, validate_osv};
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

/// Runs `f` on every line, keeping each result alive past the optimiser.
fn each<T>(lines: &[String], f: impl Fn(&String) -> T) {
    for l in lines {
        black_box(f(l));
    }
}

fn bench(c: &mut Criterion) {
    let pypa = lines("osv/pypa.jsonl.zst");
    let nvd2 = lines("cve/nvd-2.0-kev.jsonl.zst");
    let nvd1 = lines("cve/nvd-1.1-kev.jsonl.zst");
    let bytes = |l: &[String]| l.iter().map(String::len).sum::<usize>();
    eprintln!(
        "pypa: {} records, {} bytes; nvd 2.0: {}, {} bytes; nvd 1.1: {}, {} bytes",
        pypa.len(),
        bytes(&pypa),
        nvd2.len(),
        bytes(&nvd2),
        nvd1.len(),
        bytes(&nvd1)
    );

    let mut g = c.benchmark_group("pypa");
    g.measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    g.throughput(Throughput::Elements(pypa.len() as u64));
    g.bench_function("serde_json-value", |b| {
        b.iter(|| each(&pypa, |l| serde_json::from_str::<serde_json::Value>(black_box(l)).unwrap()))
    });
    g.bench_function("osv-typed", |b| {
        b.iter(|| each(&pypa, |l| Osv::from_json_slice(black_box(l.as_bytes())).unwrap()))
    });
    g.bench_function("advisory", |b| {
        b.iter(|| {
            each(&pypa, |l| {
                Advisory::from_osv(Osv::from_json_slice(black_box(l.as_bytes())).unwrap(), Format::OsvJson).unwrap()
            })
        })
    });
    g.bench_function("advisory+schema", |b| {
        b.iter(|| {
            each(&pypa, |l| {
                let a = Advisory::from_osv(Osv::from_json_slice(black_box(l.as_bytes())).unwrap(), Format::OsvJson)
                    .unwrap();
                validate_osv(&a.osv_json()).is_ok()
            })
        })
    });
    g.finish();

    let mut g = c.benchmark_group("nvd");
    g.measurement_time(Duration::from_secs(5)).warm_up_time(Duration::from_secs(1)).sample_size(20);
    g.throughput(Throughput::Elements(nvd1.len() as u64));
    g.bench_function("1.1/serde_json-value", |b| {
        b.iter(|| each(&nvd1, |l| serde_json::from_str::<serde_json::Value>(black_box(l)).unwrap()))
    });
    g.bench_function("1.1/typed", |b| {
        b.iter(|| each(&nvd1, |l| Nvd1Item::from_json_slice(black_box(l.as_bytes())).unwrap()))
    });
    g.bench_function("1.1/advisory", |b| {
        b.iter(|| each(&nvd1, |l| Nvd1Item::from_json_slice(black_box(l.as_bytes())).unwrap().to_advisory().unwrap()))
    });
    g.throughput(Throughput::Elements(nvd2.len() as u64));
    g.bench_function("2.0/typed", |b| {
        b.iter(|| each(&nvd2, |l| Nvd2Cve::from_json_slice(black_box(l.as_bytes())).unwrap()))
    });
    g.bench_function("2.0/advisory", |b| {
        b.iter(|| each(&nvd2, |l| Nvd2Cve::from_json_slice(black_box(l.as_bytes())).unwrap().to_advisory().unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
