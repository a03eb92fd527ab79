//! RustSec's native advisories against RustSec's own OSV export of the same advisories.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use ch_advisory::{Format, Osv, rustsec, validate_osv};
use serde_json::Value;

use crate::{Tally, lines, reason, shared_data};

/// (path, mtime, text) of every Markdown file in the archive.
fn markdown_files() -> Vec<(String, u64, String)> {
    let path = shared_data().join("osv/rustsec-advisories-md.tar.zst");
    let f = std::fs::File::open(&path).unwrap();
    let mut archive = tar::Archive::new(zstd::Decoder::new(f).unwrap());
    let mut out = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().to_string_lossy().into_owned();
        if !name.ends_with(".md") {
            continue;
        }
        let mtime = entry.header().mtime().unwrap();
        let mut text = String::new();
        entry.read_to_string(&mut text).unwrap();
        out.push((name, mtime, text));
    }
    out
}

#[test]
fn markdown_converts_as_the_osv_export_does() {
    let export: HashMap<String, Value> = lines("osv/rustsec.jsonl.zst")
        .iter()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["id"].as_str().unwrap().to_owned(), v)
        })
        .collect();
    let mut t = Tally::default();
    let mut compared = 0;
    let mut toolchain = 0;
    let mut differences: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let files = markdown_files();
    for (path, _mtime, text) in &files {
        let osv = match rustsec::to_osv(text, None) {
            Ok(o) => o,
            Err(e) => {
                t.refuse(reason(&e), format!("{path}: {e}"));
                continue;
            }
        };
        t.ok += 1;
        let value = osv.to_json_value();
        assert_eq!(validate_osv(&value), Ok(()), "{path}");
        let a = rustsec::parse(text, None).unwrap();
        assert_eq!(ch_advisory::Advisory::from_osv(a.osv.clone(), Format::RustSec).unwrap(), a, "{path}");
        if path.starts_with("./rust/") || path.starts_with("rust/") {
            // The toolchain: a product, not a crate; the export has no record to compare.
            assert!(a.packages.is_empty() && a.products.len() == 1, "{path}");
            assert!(!export.contains_key(&osv.id), "{path}");
            toolchain += 1;
            continue;
        }
        let Some(theirs) = export.get(&osv.id) else {
            t.refuse("not in the OSV export", path.clone());
            continue;
        };
        compared += 1;
        // Every field but `modified` (the file's last commit time) must agree.
        let (Value::Object(ours), Value::Object(theirs)) = (&value, theirs) else { unreachable!() };
        let keys: std::collections::BTreeSet<&String> = ours.keys().chain(theirs.keys()).collect();
        for k in keys {
            if k == "modified" {
                continue;
            }
            if ours.get(k) != theirs.get(k) {
                differences.entry(k.clone()).or_default().push(osv.id.clone());
            }
        }
    }
    t.print("rustsec-advisories-md.tar.zst");
    eprintln!("compared {compared} with the export, {toolchain} toolchain advisories; differences by field:");
    for (k, ids) in &differences {
        eprintln!("  {k}: {} {:?}", ids.len(), ids.iter().take(8).collect::<Vec<_>>());
    }
    assert_eq!(files.len(), 1225);
    assert_eq!(t.refused_count(), 0, "{:#?}", t.refused);
    assert_eq!(toolchain, 20);
    assert_eq!(compared, 1205);
    assert!(differences.is_empty(), "{differences:#?}");
}

#[test]
fn modified_comes_from_the_caller() {
    let (path, mtime, text) = markdown_files().into_iter().find(|(p, _, _)| p.contains("RUSTSEC-2016-0001")).unwrap();
    let t = jiff::Timestamp::from_second(mtime as i64).unwrap();
    let with = rustsec::to_osv(&text, Some(t)).unwrap();
    let without = rustsec::to_osv(&text, None).unwrap();
    assert_eq!(with.modified, t.to_string(), "{path}");
    assert_eq!(without.modified, without.published.clone().unwrap());
    assert_eq!(Osv::from_json_slice(with.to_json_string().as_bytes()).unwrap(), with);
}
