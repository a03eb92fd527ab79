//! Slot tables: a bucket's answers for every version, worked out once.
//!
//! Whether an entry affects a version depends only on how the version compares to the
//! entry's event versions and listed versions. Sort every such version of a bucket
//! (its "bounds", `b0 < b1 < ... < bm-1` in the ecosystem's order) and the line of
//! versions falls into `2m + 1` slots: below `b0`, at `b0`, strictly between `b0` and
//! `b1`, at `b1`, ... above `bm-1`. All versions in one slot compare alike to every
//! bound, so every entry answers alike for them. The table keeps, per slot, a bitset of
//! the entries that affect it: a lookup is a binary search among the bounds and a walk
//! over the set bits, however many advisories the package has (tensorflow has hundreds).
//!
//! A table is built on the first lookup after the bucket changed (lookups take `&self`,
//! so it sits in a `OnceLock`), only for buckets with enough entries to be worth it, in
//! ecosystems whose order is total (not Maven, whose order is intransitive on some
//! qualifier mixes, nor Packagist, whose `#` equals every number, nor apk, which
//! compares malformed versions as strings), and only when the bounds sort
//! strictly and every event finds its bound; otherwise lookups scan, as before. Entries
//! that the table cannot describe (a `SEMVER` range in an ecosystem ordered otherwise,
//! listed versions that do not parse) are checked one by one on every lookup.

use std::cmp::Ordering;

use ch_version::{Scheme, Version};

use crate::package::PackagePosting;

/// Fewer entries than this: a scan is as quick.
const MIN_POSTINGS: usize = 12;
/// Largest table, in 64-bit words (32 MiB); a bucket past it scans.
const MAX_WORDS: usize = 1 << 22;

#[derive(Clone, Debug)]
pub(crate) struct Table {
    scheme: Scheme,
    bounds: Vec<Version>,
    /// Words per slot.
    words: usize,
    /// `(2 * bounds.len() + 1) * words` bits: slot `s`, posting `i` at bit `s * words * 64 + i`.
    bits: Vec<u64>,
    /// Postings checked one by one on every lookup.
    pub(crate) always: Vec<u32>,
}

impl Table {
    pub(crate) fn build(scheme: Scheme, postings: &[PackagePosting]) -> Option<Table> {
        if postings.len() < MIN_POSTINGS || !crate::package::total_order(scheme) {
            return None;
        }
        let mut always = Vec::new();
        let mut bounds: Vec<Version> = Vec::new();
        let mut described = vec![false; postings.len()];
        for (i, p) in postings.iter().enumerate() {
            let listed = p.listed();
            if p.ranges.iter().any(|r| r.scheme() != scheme)
                || listed.versions.iter().any(|v| v.scheme() != scheme)
                || !listed.unparsed.is_empty()
            {
                always.push(u32::try_from(i).ok()?);
                continue;
            }
            if let Some(d) = described.get_mut(i) {
                *d = true;
            }
            bounds.extend(p.ranges.iter().flat_map(|r| r.versions()).cloned());
            bounds.extend(listed.versions.iter().cloned());
        }
        bounds.sort_unstable();
        bounds.dedup_by(|a, b| (*a).cmp(&*b) == Ordering::Equal);
        if bounds.windows(2).any(|w| w[0].cmp(&w[1]) != Ordering::Less) {
            return None;
        }
        let slots = 2 * bounds.len() + 1;
        let words = postings.len().div_ceil(64);
        if slots.checked_mul(words)? > MAX_WORDS {
            return None;
        }
        let place = |v: &Version| -> Option<usize> { bounds.binary_search(v).ok() };
        let mut bits = vec![0u64; slots * words];
        for (i, p) in postings.iter().enumerate() {
            if !described.get(i).copied().unwrap_or(false) {
                continue;
            }
            // Slots of the entry's own versions, doubled-and-offset: bound k is slot 2k+1.
            let mut own: Vec<usize> = Vec::new();
            for r in &p.ranges {
                for v in r.versions() {
                    own.push(2 * place(v)? + 1);
                }
            }
            let listed: Vec<usize> =
                p.listed().versions.iter().map(|v| place(v).map(|k| 2 * k + 1)).collect::<Option<_>>()?;
            own.extend(&listed);
            own.sort_unstable();
            own.dedup();
            // The answer is constant between two of the entry's own slots: evaluate once
            // per stretch and fill it.
            let mut start = 0;
            let mut stretches: Vec<(usize, usize)> = Vec::with_capacity(2 * own.len() + 1);
            for &s in &own {
                if s > start {
                    stretches.push((start, s));
                }
                stretches.push((s, s + 1));
                start = s + 1;
            }
            stretches.push((start, slots));
            for (from, to) in stretches {
                let at = from;
                let in_range = p.ranges.iter().any(|r| {
                    r.contains_by(|v| match place(v) {
                        Some(k) => at.cmp(&(2 * k + 1)),
                        None => Ordering::Less,
                    })
                });
                let hit = in_range || listed.binary_search(&at).is_ok();
                if hit {
                    let (word, bit) = (i / 64, i % 64);
                    for s in from..to {
                        if let Some(w) = bits.get_mut(s * words + word) {
                            *w |= 1 << bit;
                        }
                    }
                }
            }
        }
        Some(Table { scheme, bounds, words, bits, always })
    }

    /// The slot of `v`, when the table orders its scheme.
    pub(crate) fn slot(&self, v: &Version) -> Option<usize> {
        if v.scheme() != self.scheme {
            return None;
        }
        Some(match self.bounds.binary_search(v) {
            Ok(k) => 2 * k + 1,
            Err(k) => 2 * k,
        })
    }

    /// The postings the table says affect slot `slot`, in posting order.
    pub(crate) fn postings(&self, slot: usize) -> impl Iterator<Item = usize> + '_ {
        let words = self.bits.get(slot * self.words..(slot + 1) * self.words).unwrap_or(&[]);
        words.iter().enumerate().flat_map(|(w, &word)| {
            let mut rest = word;
            std::iter::from_fn(move || {
                if rest == 0 {
                    return None;
                }
                let b = rest.trailing_zeros() as usize;
                rest &= rest - 1;
                Some(w * 64 + b)
            })
        })
    }
}
