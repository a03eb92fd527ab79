//! Format detection: from a file name, from the first bytes, and from a JSON record's
//! top-level fields.

use serde_json::Value;

/// A container: how bytes are wrapped around records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Container {
    /// A `.zip` archive.
    Zip,
    /// A `.tar` archive.
    Tar,
    /// A gzip stream (`.gz`, `.tgz`).
    Gzip,
    /// A zstd stream (`.zst`, `.tzst`).
    Zstd,
    /// One document (JSON, YAML, Markdown).
    Document,
    /// A JSONL stream: one record per line.
    Lines,
}

/// What one record (or one document holding records) is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// One OSV record (JSON).
    OsvJson,
    /// One OSV record (YAML).
    OsvYaml,
    /// A JSON array of OSV records.
    OsvArray,
    /// A CVE JSON 5 record.
    Cve5,
    /// An NVD CVE API 2.0 `cve` object.
    Nvd2Cve,
    /// An NVD CVE API 2.0 `vulnerabilities[]` item (`{"cve": {...}}`).
    Nvd2Item,
    /// A whole NVD CVE API 2.0 response.
    Nvd2Response,
    /// An NVD JSON 1.1 feed item.
    Nvd1Item,
    /// A whole NVD JSON 1.1 feed (`CVE_Items`).
    Nvd1Feed,
    /// The whole KEV catalogue.
    KevCatalogue,
    /// One KEV catalogue entry.
    KevEntry,
    /// A RustSec advisory (TOML front matter and Markdown).
    RustSec,
    /// A Node.js Security WG record.
    NodejsSecurityWg,
    /// A FriendsOfPHP record (JSON or YAML).
    FriendsOfPhp,
    /// A Victims CVE DB record (JSON or YAML).
    Victims,
}

impl Kind {
    /// A short name for messages.
    pub fn name(self) -> &'static str {
        match self {
            Kind::OsvJson => "OSV JSON",
            Kind::OsvYaml => "OSV YAML",
            Kind::OsvArray => "JSON array of OSV records",
            Kind::Cve5 => "CVE JSON 5 record",
            Kind::Nvd2Cve => "NVD CVE API 2.0 record",
            Kind::Nvd2Item => "NVD CVE API 2.0 vulnerabilities item",
            Kind::Nvd2Response => "NVD CVE API 2.0 response",
            Kind::Nvd1Item => "NVD JSON 1.1 feed item",
            Kind::Nvd1Feed => "NVD JSON 1.1 feed",
            Kind::KevCatalogue => "CISA KEV catalogue",
            Kind::KevEntry => "CISA KEV entry",
            Kind::RustSec => "RustSec advisory",
            Kind::NodejsSecurityWg => "Node.js Security WG record",
            Kind::FriendsOfPhp => "FriendsOfPHP record",
            Kind::Victims => "Victims CVE DB record",
        }
    }
}

pub(crate) const EXPECTED: &str = "an advisory record: OSV, CVE JSON 5, NVD 2.0 or 1.1, CISA KEV, RustSec, Node.js Security WG, FriendsOfPHP or Victims";

/// The outer layers of a file name, outermost first: `x.tar.zst` is `[Zstd, Tar]`,
/// `x.jsonl.gz` `[Gzip, Lines]`, `x.json` `[Document]`.
pub fn containers(name: &str) -> Vec<Container> {
    let lower = name.to_ascii_lowercase();
    let mut rest = lower.as_str();
    let mut out = Vec::new();
    loop {
        if let Some(r) = rest.strip_suffix(".zst").or_else(|| rest.strip_suffix(".zstd")) {
            out.push(Container::Zstd);
            rest = r;
        } else if let Some(r) = rest.strip_suffix(".gz") {
            out.push(Container::Gzip);
            rest = r;
        } else if rest.ends_with(".tgz") {
            out.extend([Container::Gzip, Container::Tar]);
            return out;
        } else if rest.ends_with(".tzst") {
            out.extend([Container::Zstd, Container::Tar]);
            return out;
        } else if rest.ends_with(".tar") {
            out.push(Container::Tar);
            return out;
        } else if rest.ends_with(".zip") {
            out.push(Container::Zip);
            return out;
        } else if rest.ends_with(".jsonl") || rest.ends_with(".ndjson") {
            out.push(Container::Lines);
            return out;
        } else {
            out.push(Container::Document);
            return out;
        }
    }
}

/// Sniffs a container from magic bytes, for names that say nothing.
pub fn sniff_container(head: &[u8]) -> Option<Container> {
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        Some(Container::Zip)
    } else if head.starts_with(&[0x1f, 0x8b]) {
        Some(Container::Gzip)
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Some(Container::Zstd)
    } else if head.len() >= 262 && head.get(257..262) == Some(b"ustar") {
        Some(Container::Tar)
    } else {
        None
    }
}

fn has(v: &serde_json::Map<String, Value>, keys: &[&str]) -> bool {
    keys.iter().all(|k| v.contains_key(*k))
}

/// The kind of a JSON document or record, from its top-level fields.
pub fn detect_value(v: &Value) -> Option<Kind> {
    let o = match v {
        Value::Array(items) => {
            return match items.first() {
                None => Some(Kind::OsvArray),
                Some(first) => match detect_value(first) {
                    Some(Kind::OsvJson) => Some(Kind::OsvArray),
                    _ => None,
                },
            };
        }
        Value::Object(o) => o,
        _ => return None,
    };
    let file = o.get("_file").and_then(Value::as_str).unwrap_or_default();
    if has(o, &["cveMetadata", "containers"]) {
        Some(Kind::Cve5)
    } else if o.contains_key("CVE_Items") {
        Some(Kind::Nvd1Feed)
    } else if o.get("cve").is_some_and(|c| c.get("CVE_data_meta").is_some()) {
        Some(Kind::Nvd1Item)
    } else if has(o, &["vulnerabilities", "catalogVersion"]) {
        Some(Kind::KevCatalogue)
    } else if o.contains_key("vulnerabilities") && (o.contains_key("resultsPerPage") || o.contains_key("format")) {
        Some(Kind::Nvd2Response)
    } else if o.get("cve").is_some_and(|c| c.get("id").is_some() && c.get("lastModified").is_some()) {
        Some(Kind::Nvd2Item)
    } else if has(o, &["id", "published", "lastModified"]) {
        Some(Kind::Nvd2Cve)
    } else if has(o, &["cveID", "vendorProject"]) {
        Some(Kind::KevEntry)
    } else if file.starts_with("vuln/") || o.contains_key("module_name") || has(o, &["vulnerable", "patched"]) {
        Some(Kind::NodejsSecurityWg)
    } else if has(o, &["branches", "reference"]) {
        Some(Kind::FriendsOfPhp)
    } else if has(o, &["cve", "affected"]) && !o.contains_key("id") {
        Some(Kind::Victims)
    } else if has(o, &["id", "modified"]) {
        Some(Kind::OsvJson)
    } else {
        None
    }
}

/// The kind of one document, from its name and content: Markdown with TOML front
/// matter, YAML (by its top-level keys), or JSON (by its fields). Reads JSON and YAML;
/// for files already parsed, [`detect_value`] is cheaper.
pub fn detect(bytes: &[u8], name: &str) -> Option<Kind> {
    let text = std::str::from_utf8(bytes).ok()?;
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with("```toml") {
        return Some(Kind::RustSec);
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let v: Value = serde_json::from_str(trimmed).ok()?;
        return detect_value(&v);
    }
    let lower = name.to_ascii_lowercase();
    if lower.ends_with(".md") {
        return None;
    }
    // YAML: the same field rules; an OSV record in YAML is OSV YAML.
    let v = ch_advisory::yaml::to_json(text, ch_advisory::Format::OsvYaml).ok()?;
    match detect_value(&v)? {
        Kind::OsvJson => Some(Kind::OsvYaml),
        k @ (Kind::FriendsOfPhp | Kind::Victims) => Some(k),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn containers_table() {
        use Container::*;
        let cases: &[(&str, &[Container])] = &[
            ("pypa.jsonl.zst", &[Zstd, Lines]),
            ("x.tar.zst", &[Zstd, Tar]),
            ("x.tgz", &[Gzip, Tar]),
            ("x.tar.gz", &[Gzip, Tar]),
            ("all.zip", &[Zip]),
            ("nvdcve-1.1-2021.json.gz", &[Gzip, Document]),
            ("CVE-2021-44228.json", &[Document]),
            ("RUSTSEC-2016-0001.md", &[Document]),
            ("x.ndjson", &[Lines]),
        ];
        for (name, want) in cases {
            assert_eq!(containers(name), *want, "{name}");
        }
    }

    #[test]
    fn detect_table() {
        let cases: &[(&str, &str, Option<Kind>)] = &[
            (r#"{"id":"GHSA-1","modified":"2020-01-01T00:00:00Z"}"#, "a.json", Some(Kind::OsvJson)),
            (r#"[{"id":"GHSA-1","modified":"x"}]"#, "a.json", Some(Kind::OsvArray)),
            (r#"{"dataType":"CVE_RECORD","cveMetadata":{},"containers":{}}"#, "a.json", Some(Kind::Cve5)),
            (r#"{"resultsPerPage":1,"format":"NVD_CVE","vulnerabilities":[]}"#, "a.json", Some(Kind::Nvd2Response)),
            (r#"{"id":"CVE-1","published":"x","lastModified":"y","vulnStatus":"z"}"#, "a.json", Some(Kind::Nvd2Cve)),
            (r#"{"cve":{"CVE_data_meta":{"ID":"CVE-1"}}}"#, "a.json", Some(Kind::Nvd1Item)),
            (r#"{"CVE_data_type":"CVE","CVE_Items":[]}"#, "a.json", Some(Kind::Nvd1Feed)),
            (r#"{"catalogVersion":"1","vulnerabilities":[]}"#, "kev.json", Some(Kind::KevCatalogue)),
            (r#"{"cveID":"CVE-1","vendorProject":"v"}"#, "a.json", Some(Kind::KevEntry)),
            (r#"{"module_name":"x","vulnerable_versions":"<1"}"#, "1.json", Some(Kind::NodejsSecurityWg)),
            (r#"{"title":"t","branches":{},"reference":"composer://a/b"}"#, "a.json", Some(Kind::FriendsOfPhp)),
            (r#"{"cve":"2016-1","affected":[]}"#, "a.json", Some(Kind::Victims)),
            ("```toml\n[advisory]\n```\n# t\n", "RUSTSEC-1.md", Some(Kind::RustSec)),
            ("id: PYSEC-1\nmodified: 2021-01-01T00:00:00Z\n", "a.yaml", Some(Kind::OsvYaml)),
            ("title: t\nbranches: {}\nreference: composer://a/b\n", "a.yaml", Some(Kind::FriendsOfPhp)),
            ("cve: 2016-1\naffected: []\n", "1.yaml", Some(Kind::Victims)),
            (r#"{"hello":"world"}"#, "a.json", None),
            ("just text", "a.txt", None),
            ("\u{0}\u{1}", "a.bin", None),
        ];
        for (bytes, name, want) in cases {
            assert_eq!(detect(bytes.as_bytes(), name), *want, "{bytes}");
        }
    }
}
