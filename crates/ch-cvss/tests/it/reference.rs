//! Every CVSS vector found anywhere in the shared data, scored by us and by the reference
//! calculators of the `cvss` package from PyPI (FIRST's official v2, v3.0, v3.1 and v4.0
//! calculators); `scripts/setup` installs it. Scores must agree to the tenth, and a vector
//! one side rejects must be rejected by the other.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ch_cvss::Cvss;

use crate::shared_data;

/// Every file under `dir`, decompressed when it is `.zst` (a `.tar.zst` is scanned as the
/// tar stream: its members are plain text inside).
fn scan(dir: &Path, found: &mut BTreeSet<String>, re: &regex::bytes::Regex) {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            scan(&p, found, re);
            continue;
        }
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let bytes = if name.ends_with(".zst") {
            let mut out = Vec::new();
            zstd::Decoder::new(std::fs::File::open(&p).unwrap()).unwrap().read_to_end(&mut out).unwrap();
            out
        } else if [".json", ".jsonl", ".md", ".toml", ".yaml", ".yml", ".csv", ".txt", ".sarif", ".xml"]
            .iter()
            .any(|ext| name.ends_with(ext))
        {
            std::fs::read(&p).unwrap()
        } else {
            continue;
        };
        for m in re.find_iter(&bytes) {
            if let Ok(s) = std::str::from_utf8(m.as_bytes()) {
                found.insert(s.trim_end_matches(['/', '.']).to_owned());
            }
        }
    }
}

#[test]
fn scores_agree_with_the_reference_calculators() {
    // v3/v4: `CVSS:3.x/...` and `CVSS:4.0/...`; v2: a base vector starting `AV:` (possibly
    // with temporal and environmental metrics after it), not inside a v3/v4 vector.
    let re = regex::bytes::Regex::new(
        r"CVSS:(?:3\.[01]|4\.0)/[A-Za-z]+:[A-Za-z]+(?:/[A-Za-z]+:[A-Za-z]+)*|(?-u:\b)AV:[LAN]/AC:[HML]/Au:[MSN]/C:[NPC]/I:[NPC]/A:[NPC](?:/[A-Za-z]+:[A-Za-z]+)*",
    )
    .unwrap();
    let mut found = BTreeSet::new();
    scan(&shared_data(), &mut found, &re);
    let mut per_version: BTreeMap<&str, usize> = BTreeMap::new();
    for v in &found {
        let key = if v.starts_with("CVSS:4.0") {
            "4.0"
        } else if v.starts_with("CVSS:3.1") {
            "3.1"
        } else if v.starts_with("CVSS:3.0") {
            "3.0"
        } else {
            "2.0"
        };
        *per_version.entry(key).or_default() += 1;
    }
    eprintln!("distinct vectors in the shared data: {per_version:?}");
    for version in ["2.0", "3.0", "3.1", "4.0"] {
        assert!(
            per_version.get(version).copied().unwrap_or(0) > 0,
            "no CVSS {version} vectors found: the scan is broken"
        );
    }

    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/reference.py");
    let mut child = Command::new("python3")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 is needed for the reference calculators (scripts/setup installs the `cvss` package)");
    let input: String = found.iter().map(|v| format!("{v}\n")).collect();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(input.as_bytes()));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "the reference calculator failed (is the PyPI package `cvss` installed? run scripts/setup): {}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut disagreements = Vec::new();
    let mut agreed = 0usize;
    let mut both_rejected = Vec::new();
    for line in String::from_utf8(out.stdout).unwrap().lines() {
        let mut parts = line.splitn(3, '\t');
        let vector = parts.next().unwrap();
        let reference = parts.next().unwrap();
        let ours = Cvss::parse(vector);
        match (reference, ours) {
            ("ERROR", Err(e)) => {
                both_rejected.push(format!("{vector}: ours: {e}; reference: {}", parts.next().unwrap_or("")))
            }
            ("ERROR", Ok(c)) => disagreements.push(format!(
                "{vector}: reference rejects ({}), we score {}",
                parts.next().unwrap_or(""),
                c.score()
            )),
            (score, Err(e)) => disagreements.push(format!("{vector}: reference scores {score}, we reject: {e}")),
            (score, Ok(c)) => {
                if format!("{:.1}", c.score()) == score {
                    agreed += 1;
                } else {
                    disagreements.push(format!("{vector}: reference {score}, ours {:.1}", c.score()));
                }
            }
        }
    }
    eprintln!("agreed on {agreed} vectors; both rejected {}: {both_rejected:#?}", both_rejected.len());
    assert_eq!(agreed + both_rejected.len() + disagreements.len(), found.len(), "the reference skipped vectors");
    assert!(disagreements.is_empty(), "{} disagreements:\n{}", disagreements.len(), disagreements.join("\n"));
}
