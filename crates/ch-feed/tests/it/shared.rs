//! Every file of the shared advisory data through one feed: per-file counts, and the
//! non-advisory files (licences, READMEs, manifests, CSV, schemas) refused by name.

use std::collections::BTreeMap;
use std::path::PathBuf;

use ch_feed::{Feed, Item, Options, Reason};

use crate::shared_data;

#[derive(Default, Debug)]
struct Count {
    advisories: usize,
    kev: usize,
    errors: BTreeMap<String, usize>,
    first_errors: Vec<String>,
}

#[test]
fn all_shared_advisory_data() {
    let root = shared_data();
    let dirs: Vec<PathBuf> = ["osv", "cve", "kev"].iter().map(|d| root.join(d)).collect();
    let mut feed = Feed::open(dirs, Options::default());
    let mut per_file: BTreeMap<String, Count> = BTreeMap::new();
    let mut last_consumed = 0;
    let mut seen = 0;
    while let Some(r) = feed.next() {
        let source = match &r {
            Ok(rec) => rec.source.clone(),
            Err(e) => e.source.clone(),
        };
        let file = source.path.strip_prefix(&root).unwrap().to_string_lossy().into_owned();
        let c = per_file.entry(file).or_default();
        match r {
            Ok(rec) => match rec.item {
                Item::Advisory(_) => c.advisories += 1,
                Item::Kev(_) => c.kev += 1,
            },
            Err(e) => {
                let kind = match &e.reason {
                    Reason::Io(_) => "io",
                    Reason::Unrecognised { .. } => "unrecognised",
                    Reason::Record(_) => "record",
                    Reason::Schema { .. } => "schema",
                    _ => "other",
                };
                *c.errors.entry(kind.to_owned()).or_default() += 1;
                if c.first_errors.len() < 2 {
                    c.first_errors.push(e.to_string().chars().take(300).collect());
                }
            }
        }
        seen += 1;
        if seen % 5000 == 0 {
            let p = feed.progress();
            assert!(p.consumed >= last_consumed && p.consumed <= p.total, "{p:?}");
            last_consumed = p.consumed;
        }
    }
    let p = feed.progress();
    eprintln!("progress at the end: {p:?}");
    assert_eq!(p.consumed, p.total);
    for (file, c) in &per_file {
        eprintln!(
            "{file}: {} advisories, {} KEV entries, errors {:?} {:?}",
            c.advisories, c.kev, c.errors, c.first_errors
        );
    }
    let get = |f: &str| per_file.get(f).unwrap_or_else(|| panic!("{f} not read"));
    // (file, advisories expected, errors expected by kind)
    type Expected<'a> = (&'a str, usize, &'a [(&'a str, usize)]);
    let expected: &[Expected<'_>] = &[
        // 7 PyPA records carry abbreviated commits in GIT ranges: outside the schema.
        ("osv/pypa.jsonl.zst", 2661 - 7, &[("schema", 7)]),
        ("osv/rustsec.jsonl.zst", 1206, &[]),
        ("osv/rustsec-advisories-md.tar.zst", 1225, &[]),
        ("osv/bitnami-vulndb.jsonl.zst", 7444, &[]),
        ("osv/almalinux-osv.jsonl.zst", 5680, &[]),
        ("osv/ghsa-sbom-sample.jsonl.zst", 10, &[]),
        ("osv/nodejs-security-wg.jsonl.zst", 638, &[("record", 6)]),
        ("osv/friendsofphp-security-advisories.jsonl.zst", 1585, &[("record", 7)]),
        ("osv/victims-cve-db.jsonl.zst", 215, &[("record", 3)]),
        ("cve/cve5-kev-vulnrichment.jsonl.zst", 375, &[]),
        ("cve/cve5-kev-cvelistv5.jsonl.zst", 4, &[]),
        ("cve/cve5-vulnrichment-all.jsonl.zst", 62862, &[]),
        ("cve/nvd-1.1-kev.jsonl.zst", 728, &[]),
        ("cve/nvd-2.0-kev.jsonl.zst", 12, &[]),
        ("cve/nvd-2.0-api-responses/multi-cve-response.json", 13, &[]),
        ("cve/cve5-samples/CVE-2021-44228.json", 1, &[]),
    ];
    for (file, advisories, errors) in expected {
        let c = get(file);
        assert_eq!(c.advisories, *advisories, "{file}: {c:?}");
        let want: BTreeMap<String, usize> = errors.iter().map(|(k, n)| ((*k).to_owned(), *n)).collect();
        assert_eq!(c.errors, want, "{file}: {c:?}");
    }
    assert_eq!(get("kev/known_exploited_vulnerabilities.json").kev, 1404);
    let samples: usize =
        per_file.iter().filter(|(f, _)| f.starts_with("cve/cve5-samples/")).map(|(_, c)| c.advisories).sum();
    assert_eq!(samples, 23);
    let responses: usize =
        per_file.iter().filter(|(f, _)| f.starts_with("cve/nvd-2.0-api-responses/")).map(|(_, c)| c.advisories).sum();
    assert_eq!(responses, 36);
    // Everything else there is not advisory data, and each such file is refused once,
    // by name: licences, READMEs, manifests, the KEV CSV and schemas.
    for (file, c) in &per_file {
        let data = file.ends_with(".jsonl.zst")
            || file.ends_with(".tar.zst")
            || file.starts_with("cve/cve5-samples/")
            || file.starts_with("cve/nvd-2.0-api-responses/")
            || file == "kev/known_exploited_vulnerabilities.json";
        if !data {
            assert_eq!((c.advisories, c.kev), (0, 0), "{file}");
            assert_eq!(c.errors.values().sum::<usize>(), 1, "{file}: {c:?}");
            assert!(c.errors.contains_key("unrecognised") || c.errors.contains_key("record"), "{file}: {c:?}");
        }
    }
}
