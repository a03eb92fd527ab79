//! Every SBOM file: valid ones parse, invalid ones fail with a located error.

use std::path::Path;

use ch_sbom::{Error, Format};

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn format_of(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_str()?;
    if name.contains("schema") || name.ends_with(".md") || name.starts_with("LICENSE") || name.starts_with("COPYING") {
        return None;
    }
    let s = path.to_string_lossy();
    if s.contains("/cyclonedx/") {
        if name.ends_with(".json") {
            Some(Format::CycloneDxJson)
        } else if name.ends_with(".xml") {
            Some(Format::CycloneDxXml)
        } else {
            None
        }
    } else if name.ends_with(".spdx.json") || name.ends_with(".json") && !name.contains("spdx3") {
        Some(Format::SpdxJson)
    } else if name.ends_with(".spdx") {
        Some(Format::SpdxTagValue)
    } else {
        None
    }
}

#[test]
fn every_sbom_file() {
    let root = crate::shared().join("sbom");
    let mut files = Vec::new();
    walk(&root, &mut files);
    let (mut valid, mut invalid, mut components) = (0, 0, 0);
    let mut failures = Vec::new();
    for path in &files {
        let Some(format) = format_of(path) else {
            continue;
        };
        let rel = path.strip_prefix(&root).expect("prefix").to_string_lossy().into_owned();
        let bytes = std::fs::read(path).expect("read");
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        let result = ch_sbom::read(&bytes, &rel, Some(format));
        // Detection agrees with the explicit format on real documents.
        if !name.starts_with("invalid-") {
            assert_eq!(ch_inventory::detect(&bytes, &rel), Some(format), "{rel}: detection");
        }
        if name.starts_with("invalid-") {
            invalid += 1;
            match result {
                Err(e @ Error::Syntax { .. }) => {
                    let loc = e.location().expect("syntax errors have a location");
                    assert!(loc.line.is_some() || loc.pointer.is_some(), "{rel}: {e}");
                    assert!(e.to_string().contains("expected"), "{rel}: {e}");
                }
                Err(other) => failures.push(format!("{rel}: wrong error kind {other}")),
                Ok(inv) => failures.push(format!("{rel}: accepted with {} components", inv.components.len())),
            }
        } else {
            valid += 1;
            match result {
                Ok(inv) => {
                    components += inv.components.len();
                    for c in &inv.components {
                        assert!(!c.name.is_empty(), "{rel}: empty name");
                    }
                    assert!(!inv.components.is_empty() || !inv.warnings.is_empty(), "{rel}: silent empty result");
                }
                Err(Error::Unsupported { .. }) if name.contains("spdx3") => {}
                Err(e) => failures.push(format!("{rel}: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
    eprintln!("sbom corpus: {valid} valid files ({components} components), {invalid} invalid files rejected");
    assert!(valid >= 180, "only {valid} valid files");
    assert!(invalid >= 98, "only {invalid} invalid files");
}

#[test]
fn spdx3_is_refused_clearly() {
    let (bytes, name) =
        crate::read("sbom/spdx/spdx-examples/spdx3.0-samples/software-example10-hello-source.spdx3.json");
    let e = ch_sbom::read(&bytes, &name, Some(Format::SpdxJson)).expect_err("spdx 3");
    assert!(e.to_string().contains("SPDX 2.2 or 2.3"), "{e}");
}

#[test]
fn garbage_and_empty_are_errors() {
    for format in [Format::CycloneDxJson, Format::CycloneDxXml, Format::SpdxJson, Format::SpdxTagValue] {
        let e = ch_sbom::read(b"", "x", Some(format)).expect_err("empty");
        assert!(matches!(e, Error::Empty { .. }), "{e}");
        let e = ch_sbom::read(b"this is not an sbom", "x", Some(format)).expect_err("garbage");
        assert!(e.to_string().starts_with("x:1:1"), "{format}: {e}");
    }
}
