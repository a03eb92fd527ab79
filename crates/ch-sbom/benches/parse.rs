//! Reader throughput on real documents, beside `serde_json::Value` parsing
//! of the same bytes in the same run (the floor for any JSON reader).
//!
//! `cargo bench -p ch-sbom` (shared data from `CLEARINGHOUSE_SHARED_DATA`).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use ch_inventory::Format;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn shared() -> PathBuf {
    std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")))
}

fn load(rel: &str) -> Vec<u8> {
    let path = shared().join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn bench(c: &mut Criterion) {
    let cases: &[(&str, &str, Format, bool)] = &[
        (
            "juice-shop-cdx-json",
            "sbom/cyclonedx/bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.json",
            Format::CycloneDxJson,
            true,
        ),
        (
            "juice-shop-cdx-xml",
            "sbom/cyclonedx/bom-examples/SBOM/juice-shop/via_npm/flat/bom.1.4.xml",
            Format::CycloneDxXml,
            false,
        ),
        ("keycloak-cdx-json", "sbom/cyclonedx/bom-examples/SBOM/keycloak-10.0.2/bom.json", Format::CycloneDxJson, true),
        ("spdx-2.3-example-json", "sbom/spdx/spdx-spec-2.3/SPDXJSONExample-v2.3.spdx.json", Format::SpdxJson, true),
        ("real-npm-app-package-lock", "lockfiles/named/real-npm-app/package-lock.json", Format::NpmLock, true),
        ("real-go-module-go-mod", "lockfiles/named/real-go-module/go.mod", Format::GoMod, false),
        ("real-ruby-site-gemfile-lock", "lockfiles/named/real-ruby-site/Gemfile.lock", Format::GemfileLock, false),
    ];
    let mut group = c.benchmark_group("read");
    group.measurement_time(Duration::from_secs(3)).warm_up_time(Duration::from_millis(500)).sample_size(20);
    for (name, rel, format, json) in cases {
        let bytes = load(rel);
        let inv = ch_lockfile::read(&bytes, rel, Some(*format)).unwrap_or_else(|e| panic!("{e}"));
        eprintln!("{name}: {} bytes, {} components", bytes.len(), inv.components.len());
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(format!("{name}/ours"), |b| {
            b.iter(|| ch_lockfile::read(black_box(&bytes), rel, Some(*format)))
        });
        if *json {
            group.bench_function(format!("{name}/serde_json-value"), |b| {
                b.iter(|| serde_json::from_slice::<serde_json::Value>(black_box(&bytes)))
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
