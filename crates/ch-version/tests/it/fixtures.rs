//! Every line of every file in `version-fixtures/`, both directions.

use std::cmp::Ordering;

use ch_version::Ecosystem;

use crate::shared_data;

fn check(file: &str, ecosystems: &[Ecosystem]) -> usize {
    let path = shared_data().join("version-fixtures").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut failures = Vec::new();
    let mut count = 0;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("# ") || line.starts_with("// ") || line == "#" || line == "//" {
            continue;
        }
        let fields: Vec<&str> = line.split(' ').collect();
        let [a, op, b] = fields[..] else { panic!("{file}:{}: bad line {line:?}", n + 1) };
        let want = match op {
            "<" => Ordering::Less,
            "=" => Ordering::Equal,
            ">" => Ordering::Greater,
            _ => panic!("{file}:{}: bad op {op:?}", n + 1),
        };
        count += 1;
        for eco in ecosystems {
            match (eco.compare(a, b), eco.compare(b, a)) {
                (Ok(x), Ok(y)) if x == want && y == want.reverse() => {}
                (x, y) => failures.push(format!("{file}:{} {eco}: {a} {op} {b}: got {x:?} / reverse {y:?}", n + 1)),
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    assert!(count > 0, "{file}: no cases");
    count
}

#[test]
fn semver() {
    let eco = [
        Ecosystem::SemVer,
        Ecosystem::Npm,
        Ecosystem::CratesIo,
        Ecosystem::Go,
        Ecosystem::Hex,
        Ecosystem::Pub,
        Ecosystem::SwiftUrl,
        Ecosystem::GitHubActions,
        Ecosystem::Bitnami,
    ];
    assert_eq!(check("semver-versions.txt", &eco), 86);
}

#[test]
fn pypi() {
    assert_eq!(check("pypi-versions.txt", &[Ecosystem::PyPI]), 37);
}

#[test]
fn maven() {
    assert_eq!(check("maven-versions.txt", &[Ecosystem::Maven]), 102);
}

#[test]
fn nuget() {
    assert_eq!(check("nuget-versions.txt", &[Ecosystem::NuGet]), 35);
}

#[test]
fn packagist() {
    assert_eq!(check("packagist-versions.txt", &[Ecosystem::Packagist]), 95);
}

#[test]
fn rubygems() {
    assert_eq!(check("rubygems-versions.txt", &[Ecosystem::RubyGems]), 25);
}

#[test]
fn debian() {
    assert_eq!(check("debian-versions.txt", &[Ecosystem::Debian, Ecosystem::Ubuntu]), 30);
}

#[test]
fn alpine() {
    assert_eq!(check("alpine-versions.txt", &[Ecosystem::Alpine, Ecosystem::Wolfi, Ecosystem::Chainguard]), 768);
}

#[test]
fn redhat() {
    let eco = [
        Ecosystem::RedHat,
        Ecosystem::RockyLinux,
        Ecosystem::AlmaLinux,
        Ecosystem::OpenSuse,
        Ecosystem::Suse,
        Ecosystem::Mageia,
        Ecosystem::OpenEuler,
        Ecosystem::AzureLinux,
        Ecosystem::PhotonOs,
    ];
    assert_eq!(check("redhat-versions.txt", &eco), 153);
}

#[test]
fn cran() {
    assert_eq!(check("cran-versions.txt", &[Ecosystem::Cran, Ecosystem::Bioconductor]), 21);
}
