//! "Did you mean": known (vendor, product) keys ranked by closeness to what was typed.
//!
//! Similarity of two names is the larger of the Dice coefficient of their character
//! trigrams (padded, so short names and prefixes count) and one minus their
//! Levenshtein distance over the longer length; a name containing the other (four
//! characters or more) scores at least 0.8. Product similarity weighs 0.7, vendor 0.3;
//! the names joined (`fortinet_fortios`) are compared too, for vendors typed into the
//! product field. Only scores of 0.45 and more are offered.

use std::collections::HashSet;

const LIMIT: usize = 10;
const THRESHOLD: f64 = 0.45;

fn trigrams(s: &str) -> HashSet<[char; 3]> {
    let chars: Vec<char> = format!("  {s} ").chars().collect();
    chars.windows(3).filter_map(|w| <[char; 3]>::try_from(w).ok()).collect()
}

fn dice(a: &str, b: &str) -> f64 {
    let (ta, tb) = (trigrams(a), trigrams(b));
    let total = ta.len() + tb.len();
    if total == 0 {
        return 0.0;
    }
    2.0 * ta.intersection(&tb).count() as f64 / total as f64
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = i;
        let mut left = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(0);
            let value = (diag + usize::from(ca != *cb)).min(up + 1).min(left + 1);
            if let Some(slot) = row.get_mut(j) {
                *slot = left;
            }
            diag = up;
            left = value;
        }
        if let Some(slot) = row.get_mut(b.len()) {
            *slot = left;
        }
    }
    row.last().copied().unwrap_or(0)
}

/// How alike two normalised names are, 0 to 1.
pub(crate) fn similarity(a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 0.0;
    }
    let edit = 1.0 - levenshtein(a, b) as f64 / longest as f64;
    let mut score = dice(a, b).max(edit);
    let contained = (a.len() >= 4 && b.contains(a)) || (b.len() >= 4 && a.contains(b));
    if contained {
        score = score.max(0.8);
    }
    score
}

/// The best keys for (vendor, product), both normalised; an empty vendor ranks by
/// product alone.
pub(crate) fn rank(vendor: &str, product: &str, known: Vec<(&str, &str)>) -> Vec<(String, String)> {
    if product.is_empty() {
        return Vec::new();
    }
    let joined = format!("{vendor}_{product}");
    let mut scored: Vec<(f64, &str, &str)> = known
        .into_iter()
        .map(|(v, p)| {
            let by_parts = if vendor.is_empty() {
                similarity(product, p)
            } else {
                0.7 * similarity(product, p) + 0.3 * similarity(vendor, v)
            };
            let by_whole = if vendor.is_empty() {
                similarity(product, &format!("{v}_{p}"))
            } else {
                similarity(&joined, &format!("{v}_{p}"))
            };
            (by_parts.max(by_whole), v, p)
        })
        .filter(|(s, _, _)| *s >= THRESHOLD)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| (a.1, a.2).cmp(&(b.1, b.2))));
    scored.into_iter().take(LIMIT).map(|(_, v, p)| (v.to_owned(), p.to_owned())).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levenshtein_table() {
        let cases =
            [("", "", 0), ("a", "", 1), ("kitten", "sitting", 3), ("fortios", "forti_os", 1), ("abc", "abc", 0)];
        for (a, b, want) in cases {
            assert_eq!(levenshtein(a, b), want, "{a} {b}");
            assert_eq!(levenshtein(b, a), want, "{b} {a}");
        }
    }

    #[test]
    fn suggestions_table() {
        let known = vec![
            ("fortinet", "fortios"),
            ("fortinet", "fortiproxy"),
            ("fortinet", "fortimanager"),
            ("microsoft", "exchange_server"),
            ("microsoft", "internet_explorer"),
            ("citrix", "netscaler_gateway"),
        ];
        let cases: [(&str, &str, &str); 6] = [
            ("fortinet", "forti_os", "fortios"),
            ("", "fortios", "fortios"),
            ("microsoft", "exchange", "exchange_server"),
            ("", "internet_exploder", "internet_explorer"),
            ("citrix", "netscaler", "netscaler_gateway"),
            ("", "fortinet_fortios", "fortios"),
        ];
        for (v, p, want) in cases {
            let got = rank(v, p, known.clone());
            assert_eq!(got.first().map(|(_, p)| p.as_str()), Some(want), "{v} {p}: {got:?}");
        }
        assert!(rank("acme", "rocket_skates", known.clone()).is_empty(), "nothing close");
        assert!(rank("fortinet", "", known).is_empty());
    }
}
