//! SARIF 2.1.0 (OASIS, errata 01) as GitHub code scanning ingests it.
//!
//! GitHub's rules, and how they are met (docs "SARIF support for code scanning" and the
//! sarif-sdk GH1xxx validation rules):
//! - one run; `tool.driver` with `name`, `version`, `informationUri` and `rules`;
//! - one rule per advisory id, with `shortDescription`, `fullDescription`, `help.text` and
//!   `help.markdown`, `helpUri`, `defaultConfiguration.level`, `properties.tags` containing
//!   `security` and `properties.security-severity` as a string score (GitHub maps > 9.0 to
//!   critical, 7.0-8.9 high, 4.0-6.9 medium, 0.1-3.9 low); a rated advisory without a score
//!   gets the middle of its band; an unrated one gets none;
//! - every result has `message.text` (GH1007), a location with `artifactLocation.uri`
//!   (GH1001) that is a relative path under `%SRCROOT%` or a `file` URI (GH1005), and a
//!   `region.startLine` >= 1 (GH1003; line 1 when the reader gave no line);
//! - `partialFingerprints` so alerts survive line moves: a SHA-256 of advisory id, package
//!   name, version and path (not the line or pointer). The version is in because a lockfile
//!   may hold two versions of one package, each its own alert; an upgrade that stays
//!   vulnerable therefore closes one alert and opens another;
//! - ignored findings are results with an `external` suppression carrying the reason, so
//!   GitHub shows them as dismissed rather than dropping them.
//!
//! Levels: `error` for high and critical or known exploited, `warning` for medium and for an
//! unrated advisory, `note` for low and none.

use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::{Group, advisory_page, groups, ignored, markdown, severity_text};
use crate::model::{Finding, ScanReport, Severity, SeverityWord};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The partial fingerprint key; bump the version if the hashed fields change.
const FINGERPRINT_KEY: &str = "clearinghouseFinding/v1";

/// GitHub keeps at most 10 tags per rule.
const MAX_TAGS: usize = 10;

pub(super) fn render(report: &ScanReport) -> Value {
    let groups = groups(report);
    let ignored = ignored(report);
    let ordered: Vec<&Finding> =
        groups.iter().flat_map(|g: &Group<'_>| g.findings.iter().copied()).chain(ignored.iter().copied()).collect();

    let mut rule_ids: Vec<&str> = Vec::new();
    let mut rules = Vec::new();
    let mut results = Vec::new();
    for f in &ordered {
        let index = match rule_ids.iter().position(|id| *id == f.advisory_id) {
            Some(i) => i,
            None => {
                rule_ids.push(&f.advisory_id);
                rules.push(rule(f));
                rule_ids.len() - 1
            }
        };
        results.push(result(f, index));
    }

    let mut notifications = Vec::new();
    for t in &report.targets {
        for w in &t.warnings {
            notifications.push(notification("warning", w, &t.path));
        }
    }
    for e in &report.errors {
        notifications.push(notification("error", &e.message, &e.path));
    }

    let mut database = Map::new();
    database.insert("advisories".into(), json!(report.database.advisories));
    database.insert("source".into(), json!(report.database.source));
    if let Some(t) = report.database.last_modified {
        database.insert("lastModified".into(), json!(t.to_string()));
    }

    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "clearinghouse",
                    "informationUri": env!("CARGO_PKG_REPOSITORY"),
                    "version": report.tool_version,
                    "rules": rules,
                }
            },
            "invocations": [{
                "executionSuccessful": report.errors.is_empty(),
                "endTimeUtc": report.scanned_at.to_string(),
                "toolExecutionNotifications": notifications,
            }],
            "results": results,
            "properties": { "database": database },
        }]
    })
}

fn rule(f: &Finding) -> Value {
    let summary = f.summary.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let short = summary.unwrap_or(&f.advisory_id);
    let full =
        if f.aliases.is_empty() { short.to_owned() } else { format!("{short} (aliases: {})", f.aliases.join(", ")) };
    let mut tags = vec!["security".to_owned(), "vulnerability".to_owned(), "dependency".to_owned()];
    if f.known_exploited.is_some() {
        tags.push("known-exploited".to_owned());
    }
    // CodeQL's CWE tag form, which GitHub shows as a CWE link.
    tags.extend(f.cwes.iter().map(|c| format!("external/cwe/{}", c.to_ascii_lowercase())));
    tags.truncate(MAX_TAGS);
    let mut properties = Map::new();
    properties.insert("tags".into(), json!(tags));
    if let Some(score) = security_severity(f.severity.as_ref()) {
        properties.insert("security-severity".into(), json!(score));
    }
    json!({
        "id": f.advisory_id,
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "helpUri": help_uri(f),
        "help": { "text": help_text(f), "markdown": help_markdown(f) },
        "defaultConfiguration": { "level": level(f) },
        "properties": properties,
    })
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let p = &f.package;
    let mut artifact = Map::new();
    let (uri, relative) = artifact_uri(&p.location.path);
    artifact.insert("uri".into(), json!(uri));
    if relative {
        artifact.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    let line = p.location.line.filter(|l| *l >= 1).unwrap_or(1);

    let mut properties = Map::new();
    properties.insert("package".into(), json!(p.name));
    properties.insert("installedVersion".into(), json!(p.version));
    for (key, value) in
        [("ecosystem", &p.ecosystem), ("purl", &p.purl), ("cpe", &p.cpe), ("pointer", &p.location.pointer)]
    {
        if let Some(v) = value {
            properties.insert(key.into(), json!(v));
        }
    }
    if let Some(remedy) = &f.remedy {
        properties.insert("fixVersion".into(), json!(remedy));
    }
    properties.insert("fixedVersions".into(), json!(f.fixed_versions));
    properties.insert("knownExploited".into(), json!(f.known_exploited.is_some()));
    if let Some(direct) = p.direct {
        properties.insert("direct".into(), json!(direct));
    }

    let mut out = Map::new();
    out.insert("ruleId".into(), json!(f.advisory_id));
    out.insert("ruleIndex".into(), json!(rule_index));
    out.insert("level".into(), json!(level(f)));
    out.insert("message".into(), json!({ "text": message(f) }));
    out.insert(
        "locations".into(),
        json!([{ "physicalLocation": { "artifactLocation": artifact, "region": { "startLine": line } } }]),
    );
    out.insert("partialFingerprints".into(), json!({ FINGERPRINT_KEY: fingerprint(f) }));
    if let Some(why) = &f.ignored {
        let mut suppression = Map::new();
        suppression.insert("kind".into(), json!("external"));
        suppression.insert("status".into(), json!("accepted"));
        suppression.insert("justification".into(), json!(why.reason));
        if let Some(until) = why.until {
            suppression.insert("properties".into(), json!({ "until": until.to_string() }));
        }
        out.insert("suppressions".into(), json!([suppression]));
    }
    out.insert("properties".into(), Value::Object(properties));
    Value::Object(out)
}

fn notification(level: &str, text: &str, path: &str) -> Value {
    let (uri, relative) = artifact_uri(path);
    let mut artifact = Map::new();
    artifact.insert("uri".into(), json!(uri));
    if relative {
        artifact.insert("uriBaseId".into(), json!("%SRCROOT%"));
    }
    json!({
        "level": level,
        "message": { "text": format!("{path}: {text}") },
        "locations": [{ "physicalLocation": { "artifactLocation": artifact } }],
    })
}

/// `rsa 0.9.6 is affected by RUSTSEC-2023-0071 (CVE-2023-49092, medium 5.9): Marvin
/// Attack... Upgrade to 0.9.7.`
fn message(f: &Finding) -> String {
    let p = &f.package;
    let mut about = Vec::new();
    if let Some(cve) = f.first_cve().filter(|c| *c != f.advisory_id) {
        about.push(cve.to_owned());
    }
    about.push(severity_text(f.severity.as_ref()));
    let mut text = format!("{} {} is affected by {} ({})", p.name, p.version, f.advisory_id, about.join(", "));
    if let Some(s) = f.summary.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        text.push_str(": ");
        text.push_str(s.trim_end_matches('.'));
    }
    text.push('.');
    if let Some(kev) = &f.known_exploited {
        match &kev.date_added {
            Some(d) => text.push_str(&format!(" Known exploited (CISA KEV, added {d}).")),
            None => text.push_str(" Known exploited (CISA KEV)."),
        }
    }
    match &f.remedy {
        Some(v) => text.push_str(&format!(" Upgrade {} to {v}.", p.name)),
        None => text.push_str(" No fixed version is available."),
    }
    text
}

fn level(f: &Finding) -> &'static str {
    if f.known_exploited.is_some() {
        return "error";
    }
    match f.severity.as_ref().map(|s| s.word) {
        Some(SeverityWord::Critical | SeverityWord::High) => "error",
        Some(SeverityWord::Medium) | None => "warning",
        Some(SeverityWord::Low | SeverityWord::None) => "note",
    }
}

/// GitHub's `security-severity`: the score, else the middle of the word's band.
fn security_severity(s: Option<&Severity>) -> Option<String> {
    let s = s?;
    Some(match s.valid_score() {
        Some(score) => format!("{score:.1}"),
        None => match s.word {
            SeverityWord::Critical => "9.5",
            SeverityWord::High => "8.0",
            SeverityWord::Medium => "5.5",
            SeverityWord::Low => "2.0",
            SeverityWord::None => "0.0",
        }
        .to_owned(),
    })
}

/// The advisory's page ([`advisory_page`]), else its osv.dev page.
fn help_uri(f: &Finding) -> String {
    advisory_page(f).unwrap_or_else(|| format!("https://osv.dev/vulnerability/{}", percent_encode(&f.advisory_id)))
}

fn kev_line(f: &Finding) -> Option<String> {
    let kev = f.known_exploited.as_ref()?;
    let mut line = "Known exploited: listed in CISA KEV".to_owned();
    if let Some(d) = &kev.date_added {
        line.push_str(&format!(" since {d}"));
    }
    if let Some(d) = &kev.due_date {
        line.push_str(&format!(" (due {d})"));
    }
    line.push('.');
    if kev.ransomware == Some(true) {
        line.push_str(" Known ransomware campaign use.");
    }
    if let Some(a) = &kev.required_action {
        line.push_str(&format!(" Required action: {a}"));
    }
    Some(line)
}

fn help_text(f: &Finding) -> String {
    let mut lines = vec![format!("{}: {}", f.advisory_id, f.summary.as_deref().unwrap_or("(no summary)"))];
    let sev = severity_text(f.severity.as_ref());
    match f.severity.as_ref().and_then(|s| s.vector.as_deref()) {
        Some(v) => lines.push(format!("Severity: {sev} ({v})")),
        None => lines.push(format!("Severity: {sev}")),
    }
    if !f.aliases.is_empty() {
        lines.push(format!("Aliases: {}", f.aliases.join(", ")));
    }
    lines.extend(kev_line(f));
    if f.fixed_versions.is_empty() {
        lines.push("Fixed in: no fixed version".to_owned());
    } else {
        lines.push(format!("Fixed in: {}", f.fixed_versions.join(", ")));
    }
    if !f.cwes.is_empty() {
        lines.push(format!("Weaknesses: {}", f.cwes.join(", ")));
    }
    if !f.references.is_empty() {
        lines.push("References:".to_owned());
        lines.extend(f.references.iter().map(|r| format!("- {r}")));
    }
    lines.join("\n")
}

fn help_markdown(f: &Finding) -> String {
    let e = markdown::escape;
    let mut out = vec![format!(
        "**{}**: {}",
        e(&f.advisory_id),
        f.summary.as_deref().map(e).unwrap_or_else(|| "(no summary)".into())
    )];
    let mut facts = Vec::new();
    let sev = severity_text(f.severity.as_ref());
    match f.severity.as_ref().and_then(|s| s.vector.as_deref()) {
        Some(v) => facts.push(format!("- Severity: {sev} ({})", e(v))),
        None => facts.push(format!("- Severity: {sev}")),
    }
    if !f.aliases.is_empty() {
        facts.push(format!("- Aliases: {}", f.aliases.iter().map(|a| e(a)).collect::<Vec<_>>().join(", ")));
    }
    if let Some(k) = kev_line(f) {
        facts.push(format!("- {}", e(&k)));
    }
    if f.fixed_versions.is_empty() {
        facts.push("- Fixed in: no fixed version".to_owned());
    } else {
        facts.push(format!("- Fixed in: {}", f.fixed_versions.iter().map(|v| e(v)).collect::<Vec<_>>().join(", ")));
    }
    if !f.cwes.is_empty() {
        facts.push(format!("- Weaknesses: {}", f.cwes.iter().map(|c| e(c)).collect::<Vec<_>>().join(", ")));
    }
    out.push(facts.join("\n"));
    let links: Vec<String> = f
        .references
        .iter()
        .filter(|r| r.starts_with("https://") || r.starts_with("http://"))
        .map(|r| format!("- <{}>", markdown::link_target(r)))
        .collect();
    if !links.is_empty() {
        out.push(format!("References:\n\n{}", links.join("\n")));
    }
    out.join("\n\n")
}

/// SHA-256 of advisory id, package name, version and path, NUL-separated, in hex.
fn fingerprint(f: &Finding) -> String {
    let mut h = Sha256::new();
    for part in [&f.advisory_id, &f.package.name, &f.package.version, &f.package.location.path] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    hex::encode(h.finalize())
}

/// The artifact URI for a path, and whether it is relative (to `%SRCROOT%`).
///
/// Relative paths are percent-encoded URI references (backslashes become `/`, a leading `./`
/// is dropped); absolute paths (`/x`, `C:\x`) become `file` URIs.
fn artifact_uri(path: &str) -> (String, bool) {
    let slashed = path.replace('\\', "/");
    let bytes = slashed.as_bytes();
    let drive = bytes.len() >= 3
        && bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.get(1) == Some(&b':')
        && bytes.get(2) == Some(&b'/');
    if drive {
        let (letter, rest) = slashed.split_at(2);
        (format!("file:///{letter}{}", percent_encode(rest)), false)
    } else if slashed.starts_with('/') {
        (format!("file://{}", percent_encode(&slashed)), false)
    } else {
        let mut rel = slashed.as_str();
        while let Some(r) = rel.strip_prefix("./") {
            rel = r;
        }
        (percent_encode(rel), true)
    }
}

/// Percent-encodes everything but RFC 3986 unreserved characters and `/`.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_uri_table() {
        for (path, want, relative) in [
            ("Cargo.lock", "Cargo.lock", true),
            ("./web/package-lock.json", "web/package-lock.json", true),
            ("dir with space/requirements.txt", "dir%20with%20space/requirements.txt", true),
            ("a\\b\\go.sum", "a/b/go.sum", true),
            ("C:x.lock", "C%3Ax.lock", true),
            ("C:/x.lock", "file:///C:/x.lock", false),
            ("/srv/app/Cargo.lock", "file:///srv/app/Cargo.lock", false),
            ("C:\\src\\app\\yarn.lock", "file:///C:/src/app/yarn.lock", false),
            ("dé/ü.lock", "d%C3%A9/%C3%BC.lock", true),
        ] {
            assert_eq!(artifact_uri(path), (want.to_owned(), relative), "{path}");
        }
    }

    #[test]
    fn security_severity_table() {
        let s = |word, score| Severity { word, score, vector: None };
        for (sev, want) in [
            (Some(s(SeverityWord::Critical, Some(9.8))), Some("9.8")),
            (Some(s(SeverityWord::High, Some(7.0))), Some("7.0")),
            (Some(s(SeverityWord::High, None)), Some("8.0")),
            (Some(s(SeverityWord::Medium, Some(f64::INFINITY))), Some("5.5")),
            (None, None),
        ] {
            assert_eq!(security_severity(sev.as_ref()).as_deref(), want, "{sev:?}");
        }
    }
}
