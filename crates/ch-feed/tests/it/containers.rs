//! Containers built on the fly: zip, tar.gz, json.gz, directories; sources name the
//! member; each format found inside is read.

use std::io::Write;

use ch_feed::{Feed, Item, Options};

use crate::{read, shared_data};

fn sample(rel: &str) -> Vec<u8> {
    std::fs::read(shared_data().join(rel)).unwrap()
}

/// (member name, bytes) of a small mixed corpus: one file of every document kind.
fn members() -> Vec<(String, Vec<u8>)> {
    let yaml = b"id: PYSEC-2099-1\nmodified: 2021-10-05T16:15:00Z\naffected:\n- package:\n    ecosystem: PyPI\n    name: x\n  versions:\n  - 1.10\n".to_vec();
    let fop = b"title: t\nlink: https://example.invalid/a\ncve: CVE-2099-2\nbranches:\n  1.x:\n    time: 2020-01-01 10:00:00\n    versions: ['>=1.0', '<1.2.3']\nreference: composer://acme/lib\n".to_vec();
    let victims =
        b"cve: 2099-3\ntitle: t\naffected:\n  - groupId: org.acme\n    artifactId: lib\n    version: ['<=1.2.3,1.2']\n"
            .to_vec();
    let rustsec = "```toml\n[advisory]\nid = \"RUSTSEC-2099-0001\"\npackage = \"acme\"\ndate = \"2099-01-01\"\n[versions]\npatched = [\">= 1.0.1\"]\n```\n\n# Title\n\nText.\n";
    vec![
        ("osv/GHSA-1.json".into(), br#"{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z"}"#.to_vec()),
        ("osv/PYSEC-2099-1.yaml".into(), yaml),
        ("cve/CVE-2021-44228.json".into(), sample("cve/cve5-samples/CVE-2021-44228.json")),
        ("nvd/multi.json".into(), sample("cve/nvd-2.0-api-responses/multi-cve-response.json")),
        ("php/acme/lib/CVE-2099-2.yaml".into(), fop),
        ("victims/database/java/2099/3.yaml".into(), victims),
        ("crates/acme/RUSTSEC-2099-0001.md".into(), rustsec.as_bytes().to_vec()),
        ("lines/rustsec.jsonl.zst".into(), sample("osv/ghsa-sbom-sample.jsonl.zst")),
        ("notes.txt".into(), b"not an advisory".to_vec()),
    ]
}

/// Per member: (records, errors).
fn tally(results: &[Result<ch_feed::Record, ch_feed::FeedError>]) -> Vec<(String, usize, usize)> {
    let mut out: Vec<(String, usize, usize)> = Vec::new();
    for r in results {
        let (member, ok) = match r {
            Ok(rec) => (rec.source.member.clone().unwrap(), true),
            Err(e) => (e.source.member.clone().unwrap_or_default(), false),
        };
        match out.last_mut() {
            Some(last) if last.0 == member => {
                if ok {
                    last.1 += 1
                } else {
                    last.2 += 1
                }
            }
            _ => out.push((member, usize::from(ok), usize::from(!ok))),
        }
    }
    out
}

fn expected() -> Vec<(String, usize, usize)> {
    [
        ("osv/GHSA-1.json", 1, 0),
        ("osv/PYSEC-2099-1.yaml", 1, 0),
        ("cve/CVE-2021-44228.json", 1, 0),
        ("nvd/multi.json", 13, 0),
        ("php/acme/lib/CVE-2099-2.yaml", 1, 0),
        ("victims/database/java/2099/3.yaml", 1, 0),
        ("crates/acme/RUSTSEC-2099-0001.md", 1, 0),
        ("lines/rustsec.jsonl.zst", 10, 0),
        ("notes.txt", 0, 1),
    ]
    .iter()
    .map(|(m, a, b)| ((*m).to_owned(), *a, *b))
    .collect()
}

#[test]
fn zip_members() {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        // Stored and deflated members (OSV's `all.zip` exports are deflated).
        let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        let deflated = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        for (i, (name, bytes)) in members().into_iter().enumerate() {
            z.start_file(name, if i % 2 == 0 { deflated } else { stored }).unwrap();
            z.write_all(&bytes).unwrap();
        }
        z.finish().unwrap();
    }
    let results = read("bundle.zip", buf.into_inner());
    assert_eq!(tally(&results), expected());
    // What came out of the YAML is the OSV record with its scalars as written.
    let yaml = results.iter().find_map(|r| r.as_ref().ok().filter(|r| r.item.id() == "PYSEC-2099-1")).unwrap();
    let Item::Advisory(a) = &yaml.item else { panic!() };
    assert_eq!(a.packages[0].versions, ["1.10"]);
}

#[test]
fn tar_gz_members_and_their_times() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    {
        let mut t = tar::Builder::new(&mut gz);
        for (name, bytes) in members() {
            let mut h = tar::Header::new_gnu();
            h.set_size(bytes.len() as u64);
            h.set_mode(0o644);
            // 2023-11-14T22:13:20Z: the time dateless records (Victims) take.
            h.set_mtime(1_700_000_000);
            h.set_cksum();
            t.append_data(&mut h, &name, bytes.as_slice()).unwrap();
        }
        t.finish().unwrap();
    }
    let bytes = gz.finish().unwrap();
    let results = read("bundle.tar.gz", bytes);
    assert_eq!(tally(&results), expected());
    let victims =
        results.iter().find_map(|r| r.as_ref().ok().filter(|r| r.item.id() == "x_VICTIMS-CVE-2099-3")).unwrap();
    let Item::Advisory(a) = &victims.item else { panic!() };
    assert_eq!(a.modified.to_string(), "2023-11-14T22:13:20Z");
    let rustsec = results.iter().find_map(|r| r.as_ref().ok().filter(|r| r.item.id() == "RUSTSEC-2099-0001")).unwrap();
    let Item::Advisory(a) = &rustsec.item else { panic!() };
    assert_eq!(a.osv.modified, "2023-11-14T22:13:20Z");
}

#[test]
fn json_gz_and_directories() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&sample("kev/known_exploited_vulnerabilities.json")).unwrap();
    std::fs::create_dir_all(dir.path().join("b/c")).unwrap();
    std::fs::write(dir.path().join("b/c/kev.json.gz"), gz.finish().unwrap()).unwrap();
    std::fs::write(
        dir.path().join("a.json"),
        br#"[{"id":"GHSA-1","modified":"2024-01-01T00:00:00Z"},{"id":"GHSA-2","modified":"2024-01-01T00:00:00Z"}]"#,
    )
    .unwrap();
    let feed = Feed::open([dir.path()], Options::default());
    let results: Vec<_> = feed.collect();
    assert!(results.iter().all(Result::is_ok));
    // Name order: a.json (its two elements), then b/c/kev.json.gz (1,404 entries).
    let first: Vec<String> = results.iter().take(2).map(|r| r.as_ref().unwrap().source.to_string()).collect();
    assert_eq!(
        first,
        [format!("{}[0]", dir.path().join("a.json").display()), format!("{}[1]", dir.path().join("a.json").display())]
    );
    let kev = results.iter().filter(|r| matches!(r.as_ref().unwrap().item, Item::Kev(_))).count();
    assert_eq!(kev, 1404);
    assert_eq!(results.len(), 2 + 1404);
}

#[test]
fn validation_can_be_turned_off() {
    let line = br#"{"id":"NOTAPREFIX-1","modified":"2024-01-01T00:00:00Z"}"#.to_vec();
    assert!(read("x.json", line.clone())[0].is_err(), "the id prefix is outside the schema");
    let r: Vec<_> = Feed::from_bytes("x.json", line, Options { validate: false, time: None }).collect();
    assert_eq!(r[0].as_ref().unwrap().item.id(), "NOTAPREFIX-1");
}

#[test]
fn osv_lines_are_kept_as_published_and_documents_are_not() {
    // Two JSONL lines of OSV (the first is detected on its own, the second read on the
    // fast path), one written with spaces, then a CVE 5 record from the shared data.
    let first = r#"{"id":"GHSA-aaaa-bbbb-cccc","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"versions":["1.0"]}]}"#;
    let second = r#"{ "id": "PYSEC-2024-1", "modified": "2024-02-01T00:00:00Z", "aliases": ["CVE-2024-0001"] }"#;
    let cve = crate::read_first_line(&shared_data().join("cve/cve5-kev-vulnrichment.jsonl.zst"));
    let stream = format!("{first}\n  {second}\r\n{cve}\n");
    let results = read("mixed.jsonl", stream.into_bytes());
    let records: Vec<&ch_feed::Record> = results.iter().map(|r| r.as_ref().unwrap()).collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].json.as_deref(), Some(first));
    assert_eq!(records[1].json.as_deref(), Some(second));
    // A converted record has no OSV text of its own: it is serialised when stored.
    assert!(records[2].item.id().starts_with("CVE-"), "{:?}", records[2].item.id());
    assert_eq!(records[2].json, None);
    // Nor has an OSV document that is not a JSONL line.
    let doc = read("GHSA-aaaa-bbbb-cccc.json", first.as_bytes().to_vec());
    assert_eq!(doc.len(), 1);
    assert_eq!(doc[0].as_ref().unwrap().json, None);
}

/// Past a stream's first line, a valid OSV line is read once (into a JSON value, checked
/// against the schema as published, moved into the typed record). The feed must accept
/// exactly the lines the long way accepts (the typed parse, then the record serialised
/// back for the schema) and yield the same advisories, on every OSV stream shared.
#[test]
fn osv_lines_read_once_agree_with_the_long_way() {
    use ch_advisory::{Advisory, Format, Osv, validate_osv};
    let mut refused_somewhere = 0;
    for file in ["pypa", "rustsec", "bitnami-vulndb", "almalinux-osv", "ghsa-sbom-sample"] {
        let path = shared_data().join(format!("osv/{file}.jsonl.zst"));
        let fed: Vec<_> = Feed::open([&path], Options::default()).collect();
        let text = zstd::decode_all(std::fs::File::open(&path).unwrap()).unwrap();
        let lines: Vec<&[u8]> = text.split(|b| *b == b'\n').map(<[u8]>::trim_ascii).filter(|l| !l.is_empty()).collect();
        assert_eq!(fed.len(), lines.len(), "{file}: one result per line");
        for (n, (fed, line)) in fed.iter().zip(&lines).enumerate() {
            let long = Osv::from_json_slice(line)
                .and_then(|o| Advisory::from_osv(o, Format::OsvJson))
                .ok()
                .filter(|a| validate_osv(&a.osv_json()).is_ok());
            let at = format!("{file} line {}", n + 1);
            match (fed, long) {
                (Ok(record), Some(expected)) => match &record.item {
                    Item::Advisory(got) => assert_eq!(**got, expected, "{at}"),
                    Item::Kev(_) => panic!("{at}: read as a KEV entry"),
                },
                (Err(_), None) => refused_somewhere += 1,
                (Ok(_), None) => panic!("{at}: accepted, where the long way refuses it"),
                (Err(e), Some(_)) => panic!("{at}: refused ({e}), where the long way accepts it"),
            }
        }
    }
    // PyPA holds records outside the schema (a `fixed` commit hash in an ECOSYSTEM range):
    // the refusing side is exercised too.
    assert!(refused_somewhere > 0);
}
