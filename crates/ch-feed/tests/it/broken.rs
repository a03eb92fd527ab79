//! Broken inputs: a truncated zstd stream, a truncated tar.zst, corrupt and foreign lines.
//! Everything before the break is delivered, the break is reported where it happened,
//! and reading goes on after a bad record.

use ch_feed::{Item, Reason};

use crate::{read, shared_data};

fn ids(results: &[Result<ch_feed::Record, ch_feed::FeedError>]) -> Vec<String> {
    results.iter().filter_map(|r| r.as_ref().ok()).map(|r| r.item.id().to_owned()).collect()
}

#[test]
fn truncated_zst_stream_reports_the_line_and_keeps_what_came_before() {
    let bytes = std::fs::read(shared_data().join("osv/rustsec.jsonl.zst")).unwrap();
    let full = read("rustsec.jsonl.zst", bytes.clone());
    assert!(full.iter().all(Result::is_ok));
    for cut in [bytes.len() / 3, bytes.len() / 2, bytes.len() - 100] {
        let results = read("rustsec.jsonl.zst", bytes[..cut].to_vec());
        let (last, before) = results.split_last().unwrap();
        // Everything before the break is there, in order, line by line.
        assert!(!before.is_empty(), "cut at {cut}");
        assert!(before.iter().all(Result::is_ok), "cut at {cut}");
        assert_eq!(ids(before), ids(&full[..before.len()]), "cut at {cut}");
        for (i, r) in before.iter().enumerate() {
            assert_eq!(r.as_ref().unwrap().source.line, Some(i as u64 + 1));
        }
        // Then one error naming the line being read when the stream broke, and the end.
        let err = last.as_ref().unwrap_err();
        assert!(matches!(err.reason, Reason::Io(_)), "{err}");
        assert!(err.is_fatal());
        assert_eq!(err.source.line, Some(before.len() as u64 + 1), "{err}");
        assert!(
            err.to_string().starts_with(&format!("rustsec.jsonl.zst:{}: reading failed: ", before.len() + 1)),
            "{err}"
        );
    }
}

#[test]
fn truncated_tar_zst_names_the_member_after_the_last_good_one() {
    let bytes = std::fs::read(shared_data().join("osv/rustsec-advisories-md.tar.zst")).unwrap();
    let cut = bytes.len() / 2;
    let results = read("advisories.tar.zst", bytes[..cut].to_vec());
    let (last, before) = results.split_last().unwrap();
    assert!(before.len() > 100, "{}", before.len());
    assert!(before.iter().all(Result::is_ok));
    let err = last.as_ref().unwrap_err();
    assert!(err.is_fatal(), "{err}");
    let member = err.source.member.as_deref().unwrap_or_default();
    let last_good = before.last().unwrap().as_ref().unwrap().source.member.clone().unwrap();
    // Either the member being read broke, or the header after the last good one did.
    assert!(member.starts_with(&last_good) || member.ends_with(".md"), "{err} after {last_good}");
}

#[test]
fn corrupt_and_foreign_lines_are_reported_and_skipped() {
    let osv = |id: &str| format!(r#"{{"id":"{id}","modified":"2024-01-01T00:00:00Z","aliases":["CVE-2024-1"]}}"#);
    let cve5 = std::fs::read_to_string(shared_data().join("cve/cve5-samples/CVE-2023-1055.json")).unwrap();
    let cve5_line = serde_json::to_string(&serde_json::from_str::<serde_json::Value>(&cve5).unwrap()).unwrap();
    let kev = r#"{"cveID":"CVE-2024-1","vendorProject":"v","product":"p","vulnerabilityName":"n","dateAdded":"2024-01-02","shortDescription":"d","requiredAction":"a","dueDate":"2024-01-23","knownRansomwareCampaignUse":"Unknown"}"#;
    let lines = [
        osv("GHSA-aaaa-bbbb-cccc"),
        r#"{"id": "GHSA-broken", "modified": "#.to_owned(),
        osv("PYSEC-2024-1"),
        cve5_line,
        String::new(),
        r#"{"id":"GHSA-2","modified":"2024-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"x"},"ranges":[{"type":"ECOSYSTEM","events":[{"fixed":"1"}]}]}]}"#.to_owned(),
        r#"{"id":"GHSA-3","modified":"2024-01-01T00:00:00Z","severity":[{"type":"CVSS_V3","scor":"x"}]}"#.to_owned(),
        kev.to_owned(),
        r#"{"something":"else"}"#.to_owned(),
        osv("RUSTSEC-2024-0001"),
    ];
    let results = read("mixed.jsonl", lines.join("\n").into_bytes());
    let shown: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(rec) => format!("{} ok {}", rec.source, rec.item.id()),
            Err(e) => e.to_string(),
        })
        .collect();
    let want = [
        "mixed.jsonl:1 ok GHSA-aaaa-bbbb-cccc",
        "mixed.jsonl:2: OSV JSON: line 1, column 33: EOF while parsing a value",
        "mixed.jsonl:3 ok PYSEC-2024-1",
        "mixed.jsonl:4 ok CVE-2023-1055",
        // Line 5 is empty. Line 6: a range without `introduced` reads, but is outside the schema.
        "mixed.jsonl:6: GHSA-2: outside the OSV schema: at /affected/0/ranges/0/events: ",
        "mixed.jsonl:7: OSV JSON record GHSA-3, at /severity/0/scor: expected a known field (`type` or `score`), found field `scor`",
        "mixed.jsonl:8 ok CVE-2024-1",
        "mixed.jsonl:9: format not recognised: expected an advisory record",
        "mixed.jsonl:10 ok RUSTSEC-2024-0001",
    ];
    assert_eq!(shown.len(), want.len(), "{shown:#?}");
    for (got, want) in shown.iter().zip(want) {
        assert!(got.starts_with(want), "\n got: {got}\nwant: {want}");
    }
    assert!(matches!(&results[6], Ok(r) if matches!(r.item, Item::Kev(_))));
}

#[test]
fn missing_files_and_garbage_are_reported_once() {
    let mut results = Vec::new();
    ch_feed::read_path("/nonexistent/clearinghouse/feed.jsonl", &ch_feed::Options::default(), |r| {
        results.push(r);
        std::ops::ControlFlow::Continue(())
    });
    assert_eq!(results.len(), 1);
    let err = results[0].as_ref().unwrap_err();
    assert!(
        err.is_fatal() && err.to_string().starts_with("/nonexistent/clearinghouse/feed.jsonl: reading failed:"),
        "{err}"
    );
    for (name, bytes) in [
        ("x.zip", b"PK\x03\x04 not really".to_vec()),
        ("x.json.gz", b"\x1f\x8b\x08 cut".to_vec()),
        ("x.tar", vec![7u8; 1024]),
        ("x.bin", vec![0xff, 0xfe, 0x00]),
    ] {
        let results = read(name, bytes);
        assert_eq!(results.len(), 1, "{name}: {results:?}");
        assert!(results[0].is_err(), "{name}");
    }
}

#[test]
fn dropping_a_feed_early_stops_the_reader() {
    let mut feed =
        ch_feed::Feed::open([shared_data().join("cve/cve5-vulnrichment-all.jsonl.zst")], ch_feed::Options::default());
    let first: Vec<_> = feed.by_ref().take(5).collect();
    assert_eq!(first.len(), 5);
    let p = feed.progress();
    assert!(p.consumed < p.total, "{p:?}");
    drop(feed); // must return promptly, not read 13 MiB more
}
