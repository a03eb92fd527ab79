//! Comparisons per second per ecosystem (pre-parsed, and parse + compare), CVSS scores
//! per second, beside a trivial baseline: comparing two already-parsed `u64` triples.
//!
//! `cargo bench -p ch-version -- --warm-up-time 1 --measurement-time 2`

use std::hint::black_box;
use std::path::PathBuf;

use ch_version::{Ecosystem, Version};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn fixture_pairs(file: &str) -> Vec<(String, String)> {
    let dir = std::env::var_os("CLEARINGHOUSE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data")));
    let path = dir.join("version-fixtures").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.is_empty() && !l.starts_with("# ") && !l.starts_with("// "))
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            match f.as_slice() {
                [a, _, b] => Some(((*a).to_owned(), (*b).to_owned())),
                _ => None,
            }
        })
        .collect()
}

/// An already-parsed `major.minor.patch`.
type Triple = (u64, u64, u64);

fn versions(c: &mut Criterion) {
    let mut group = c.benchmark_group("compare");
    // Baseline: the cheapest possible comparison.
    let triples: Vec<(Triple, Triple)> = (0..1000u64).map(|i| ((1, i % 7, i), (1, i % 5, 1000 - i))).collect();
    group.throughput(Throughput::Elements(triples.len() as u64));
    group.bench_function("baseline u64 triples", |b| {
        b.iter(|| triples.iter().filter(|(x, y)| black_box(x) < black_box(y)).count())
    });
    let sets = [
        ("semver-versions.txt", Ecosystem::Npm),
        ("pypi-versions.txt", Ecosystem::PyPI),
        ("maven-versions.txt", Ecosystem::Maven),
        ("nuget-versions.txt", Ecosystem::NuGet),
        ("packagist-versions.txt", Ecosystem::Packagist),
        ("rubygems-versions.txt", Ecosystem::RubyGems),
        ("debian-versions.txt", Ecosystem::Debian),
        ("alpine-versions.txt", Ecosystem::Alpine),
        ("redhat-versions.txt", Ecosystem::RedHat),
        ("cran-versions.txt", Ecosystem::Cran),
    ];
    for (file, eco) in sets {
        let pairs = fixture_pairs(file);
        let parsed: Vec<(Version, Version)> =
            pairs.iter().filter_map(|(a, b)| Some((eco.parse_version(a).ok()?, eco.parse_version(b).ok()?))).collect();
        group.throughput(Throughput::Elements(parsed.len() as u64));
        group.bench_function(format!("{eco} parsed"), |b| {
            b.iter(|| parsed.iter().filter(|(x, y)| black_box(x) < black_box(y)).count())
        });
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(format!("{eco} parse+compare"), |b| {
            b.iter(|| {
                pairs.iter().filter(|(x, y)| eco.compare(black_box(x), black_box(y)).is_ok_and(|o| o.is_lt())).count()
            })
        });
    }
    group.finish();
}

fn cvss(c: &mut Criterion) {
    let vectors = [
        "AV:N/AC:L/Au:N/C:P/I:P/A:P",
        "CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:H/A:H",
        "CVSS:3.1/AV:N/AC:L/PR:L/UI:N/S:C/C:L/I:L/A:N",
        "CVSS:3.1/AV:L/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H/E:F/RL:U/RC:C",
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N",
        "CVSS:4.0/AV:P/AC:H/AT:P/PR:L/UI:P/VC:H/VI:H/VA:H/SC:L/SI:L/SA:L/E:A/S:P/AU:Y/R:A/V:D/RE:L/U:Red",
    ];
    let mut group = c.benchmark_group("cvss");
    group.throughput(Throughput::Elements(vectors.len() as u64));
    group.bench_function("parse+score", |b| {
        b.iter(|| {
            vectors.iter().filter_map(|v| ch_cvss::Cvss::parse(black_box(v)).ok()).map(|c| c.score()).sum::<f64>()
        })
    });
    group.finish();
}

criterion_group!(benches, versions, cvss);
criterion_main!(benches);
