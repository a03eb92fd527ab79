//! Helpers the CVE and pre-OSV converters share: reference typing from source tags, the
//! English description, CWE ids, and scores chosen for OSV `severity`.

use std::collections::BTreeSet;

use crate::model::{Score, ScoreKind, ScoreSource};
use crate::osv::{Reference, ReferenceType, Severity, SeverityType};

/// The OSV reference type for a URL tagged by NVD (`Patch`, `Vendor Advisory`...) or a
/// CVE 5 CNA (`patch`, `vendor-advisory`...). The first tag that names a type wins, in
/// the order fix, advisory, report, evidence, article, discussion; untyped is `WEB`.
pub(crate) fn reference_type(tags: &[String]) -> ReferenceType {
    let norm: Vec<String> = tags.iter().map(|t| t.to_ascii_lowercase().replace([' ', '_'], "-")).collect();
    let has = |names: &[&str]| norm.iter().any(|t| names.contains(&t.as_str()));
    if has(&["patch"]) {
        ReferenceType::Fix
    } else if has(&["vendor-advisory", "third-party-advisory", "us-government-resource", "government-resource"]) {
        ReferenceType::Advisory
    } else if has(&["issue-tracking"]) {
        ReferenceType::Report
    } else if has(&["exploit"]) {
        ReferenceType::Evidence
    } else if has(&["technical-description", "press-media-coverage", "media-coverage", "product"]) {
        ReferenceType::Article
    } else if has(&["mailing-list"]) {
        ReferenceType::Discussion
    } else {
        ReferenceType::Web
    }
}

/// Whether `url` is an absolute URI the OSV schema's `format: uri` accepts: a scheme,
/// `:`, and no whitespace or characters RFC 3986 excludes.
pub(crate) fn is_uri(url: &str) -> bool {
    let Some((scheme, rest)) = url.split_once(':') else { return false };
    let scheme_ok = scheme.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    scheme_ok
        && !rest.is_empty()
        && url.chars().all(|c| {
            c.is_ascii()
                && !c.is_ascii_control()
                && !matches!(c, ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

/// Builds `references`, dropping duplicates (by URL, first kept). A URL the schema would
/// refuse is percent-encoded where that makes it one (spaces, `|`, non-ASCII), else
/// dropped with a note in `warnings`.
pub(crate) fn references(
    items: impl IntoIterator<Item = (String, ReferenceType)>,
    warnings: &mut Vec<String>,
) -> Vec<Reference> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for (url, kind) in items {
        let url = url.trim().to_owned();
        let url = if is_uri(&url) { url } else { percent_encode(&url) };
        if !is_uri(&url) {
            warnings.push(format!("reference {url:?} dropped: not a URI"));
            continue;
        }
        if seen.insert(url.clone()) {
            out.push(Reference { kind, url });
        }
    }
    out
}

fn percent_encode(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c.is_ascii()
            && !c.is_ascii_control()
            && !matches!(c, ' ' | '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

/// Picks the English text: the first `en` or `en-*` entry, else the first one.
pub(crate) fn english<'a>(items: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<String> {
    let items: Vec<(&str, &str)> = items.into_iter().collect();
    items
        .iter()
        .find(|(lang, _)| lang.eq_ignore_ascii_case("en") || lang.to_ascii_lowercase().starts_with("en-"))
        .or_else(|| items.first())
        .map(|(_, v)| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `CWE-79` ids found in `text` (NVD writes them alone; CVE 5 also as `CWE-79 Cross-site ...`).
pub(crate) fn cwe_ids(text: &str, out: &mut BTreeSet<String>) {
    let mut rest = text;
    while let Some(i) = rest.find("CWE-") {
        let after = rest.get(i + 4..).unwrap_or_default();
        let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
        if !digits.is_empty() {
            out.insert(format!("CWE-{digits}"));
        }
        rest = after;
    }
}

/// OSV `severity`: one vector per CVSS version family (v2, v3, v4), the first of each in
/// `scores` that `ch-cvss` scores and that the schema's pattern for its type accepts
/// (a v2 vector without the `CVSS:2.0/` prefix some feeds add).
pub(crate) fn osv_severity(scores: &[ScoreSource]) -> Vec<Severity> {
    let mut out: Vec<Severity> = Vec::new();
    for s in scores {
        let kind = match s.kind {
            ScoreKind::CvssV2 => SeverityType::CvssV2,
            ScoreKind::CvssV3 => SeverityType::CvssV3,
            ScoreKind::CvssV4 => SeverityType::CvssV4,
            _ => continue,
        };
        if out.iter().any(|o| o.kind == kind) {
            continue;
        }
        let (score, problem) = Score::new(s.origin.clone(), s.kind, s.score.clone());
        if problem.is_some() || score.value.is_none() {
            continue;
        }
        let vector = match kind {
            SeverityType::CvssV2 => s.score.trim().trim_start_matches("CVSS:2.0/").trim_matches(['(', ')']).to_owned(),
            _ => s.score.trim().to_owned(),
        };
        out.push(Severity { kind, score: vector });
    }
    out.sort_by_key(|s| s.kind);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_table() {
        let cases: &[(&[&str], ReferenceType)] = &[
            (&["Patch", "Third Party Advisory"], ReferenceType::Fix),
            (&["vendor-advisory"], ReferenceType::Advisory),
            (&["Issue Tracking", "Exploit"], ReferenceType::Report),
            (&["exploit"], ReferenceType::Evidence),
            (&["Mailing List"], ReferenceType::Discussion),
            (&["x_refsource_MISC"], ReferenceType::Web),
            (&[], ReferenceType::Web),
        ];
        for (tags, want) in cases {
            let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
            assert_eq!(reference_type(&tags), *want, "{tags:?}");
        }
    }

    #[test]
    fn references_are_uris() {
        let mut w = Vec::new();
        let refs = references(
            [
                ("https://a.example/x y".to_owned(), ReferenceType::Web),
                ("https://a.example/x%20y".to_owned(), ReferenceType::Fix),
                ("not a url".to_owned(), ReferenceType::Web),
                ("https://b.example/é".to_owned(), ReferenceType::Web),
            ],
            &mut w,
        );
        let urls: Vec<&str> = refs.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["https://a.example/x%20y", "https://b.example/%C3%A9"]);
        assert_eq!(w.len(), 1, "{w:?}");
    }

    #[test]
    fn cwe_table() {
        let mut out = BTreeSet::new();
        cwe_ids("CWE-79 Improper Neutralization; see CWE-1021, not CWE-x", &mut out);
        assert_eq!(out.into_iter().collect::<Vec<_>>(), ["CWE-1021", "CWE-79"]);
    }
}
