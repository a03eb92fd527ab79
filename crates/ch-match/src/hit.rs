//! Query results: one [`Hit`] per record per query.
//!
//! Several affected entries (or a CVE 5 product and a CPE applicability statement) of one
//! record can match the same query; they merge into one hit: every way it matched, the
//! union of their fixed versions, and the smallest remedy. Hits come sorted by id, then
//! origin.

use std::collections::HashMap;
use std::sync::Arc;

use ch_advisory::Advisory;

use crate::index::Rec;
use crate::key::RecordKey;

/// How a record matched a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Matched {
    /// `advisory.packages[i]`, by version (ranges or listed versions).
    Package(usize),
    /// `advisory.packages[i]`, by commit (a `GIT` range's `introduced` or
    /// `last_affected` commit, or a listed commit).
    Commit(usize),
    /// `advisory.products[i]` (CVE JSON 5 `affected`), by its version status.
    Product(usize),
    /// The advisory's CPE applicability statement (NVD configurations).
    Applicability,
}

/// One record that matched a query.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The record's key.
    pub key: RecordKey,
    /// The record.
    pub advisory: Arc<Advisory>,
    /// Every way it matched, in index order, without repeats.
    pub matched: Vec<Matched>,
    /// The fixed versions of the matching entries, as written, without repeats: OSV
    /// `fixed` events (commits for commit hits), CVE 5 `lessThan` bounds and
    /// unaffected branches, NVD `versionEndExcluding` bounds.
    pub fixed: Vec<String>,
    /// The smallest of `fixed` above the queried version, in the ecosystem's order (the
    /// vendor-version order for products); `None` when no version was queried, for
    /// commits, or when no fixed version is above it.
    pub remedy: Option<String>,
    /// When there is no remedy: the smallest inclusive upper bound at or above the queried
    /// version of the matching criteria (NVD `versionEndIncluding`), so "a version later
    /// than this" is the fix. `None` otherwise.
    pub fixed_after: Option<String>,
}

impl Hit {
    /// The index of the first matching affected package within the advisory.
    pub fn package(&self) -> Option<usize> {
        self.matched.iter().find_map(|m| match m {
            Matched::Package(i) | Matched::Commit(i) => Some(*i),
            _ => None,
        })
    }
}

/// Collects hits, one per record, with the smallest remedy candidate seen (`R` orders
/// them: a parsed version, or a vendor version).
pub(crate) struct Hits<R> {
    hits: Vec<(Hit, Option<(R, String)>)>,
    after: HashMap<usize, (R, String)>,
    at: HashMap<usize, usize>,
}

impl<R: Ord + Clone> Hits<R> {
    pub(crate) fn new() -> Self {
        Hits { hits: Vec::new(), after: HashMap::new(), at: HashMap::new() }
    }

    /// Records that `rec` matched by `how`, with these fixed versions; returns the hit's
    /// slot for [`Hits::offer`].
    pub(crate) fn hit<'a>(&mut self, rec: &Arc<Rec>, how: Matched, fixed: impl IntoIterator<Item = &'a str>) -> usize {
        let id = Arc::as_ptr(rec) as usize;
        let slot = *self.at.entry(id).or_insert_with(|| {
            self.hits.push((
                Hit {
                    key: rec.key.clone(),
                    advisory: Arc::clone(&rec.advisory),
                    matched: Vec::new(),
                    fixed: Vec::new(),
                    remedy: None,
                    fixed_after: None,
                },
                None,
            ));
            self.hits.len() - 1
        });
        if let Some((hit, _)) = self.hits.get_mut(slot) {
            if !hit.matched.contains(&how) {
                hit.matched.push(how);
            }
            for f in fixed {
                if !hit.fixed.iter().any(|x| x == f) {
                    hit.fixed.push(f.to_owned());
                }
            }
        }
        slot
    }

    /// Offers `raw` (ordered as `order`) as the remedy of the hit in `slot`; the
    /// smallest offer wins, the first of equals stays.
    pub(crate) fn offer(&mut self, slot: usize, raw: &str, order: &R) {
        if let Some((_, best)) = self.hits.get_mut(slot) {
            let better = match best {
                Some((b, _)) => order < b,
                None => true,
            };
            if better {
                *best = Some((order.clone(), raw.to_owned()));
            }
        }
    }

    /// Offers `raw` as an inclusive last affected version of the hit in `slot` (see
    /// [`Hit::fixed_after`]); the smallest offer wins.
    pub(crate) fn offer_after(&mut self, slot: usize, raw: &str, order: &R) {
        let better = self.after.get(&slot).is_none_or(|(b, _)| order < b);
        if better {
            self.after.insert(slot, (order.clone(), raw.to_owned()));
        }
    }

    /// The hits, remedies filled in, sorted by id then origin.
    pub(crate) fn finish(mut self) -> Vec<Hit> {
        let mut out: Vec<Hit> = std::mem::take(&mut self.hits)
            .into_iter()
            .enumerate()
            .map(|(slot, (mut hit, best))| {
                hit.remedy = best.map(|(_, raw)| raw);
                if hit.remedy.is_none() {
                    hit.fixed_after = self.after.remove(&slot).map(|(_, raw)| raw);
                }
                hit
            })
            .collect();
        out.sort_by(|a, b| a.key.id.cmp(&b.key.id).then(a.key.origin.cmp(&b.key.origin)));
        out
    }
}
