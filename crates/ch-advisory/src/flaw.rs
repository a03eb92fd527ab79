//! Alias merging: advisories about the same flaw, grouped.
//!
//! Two advisories describe one flaw when their id sets (id and aliases) share an id,
//! directly or through a chain (`GHSA-x` aliases `CVE-1`, `PYSEC-y` aliases `CVE-1` and
//! `GHSA-x`...): the groups are the connected components of that relation, found with a
//! union-find over ids. `related` ids do not link (the spec: related, not the same).
//!
//! Invariants:
//! - every advisory is in exactly one flaw; a flaw's `ids` are the union of its
//!   advisories' ids and aliases (and a KEV entry's CVE id), sorted;
//! - withdrawn advisories still link ids (an alias is an identity claim) but contribute
//!   no packages, products or scores: they stop matching;
//! - a KEV catalogue entry whose CVE id is in a flaw marks it; one that names no known
//!   advisory still becomes a flaw (known exploited, nothing else known);
//! - output is deterministic: flaws sorted by `primary_id`, contents in input order.

use std::collections::{BTreeSet, HashMap};

use ch_cpe::Applicability;

use crate::kev::KevEntry;
use crate::model::{Advisory, AffectedPackage, AffectedProduct, Exploited, Score, max_score};

/// One flaw: every advisory about it, merged.
#[derive(Clone, Debug, PartialEq)]
pub struct Flaw {
    /// The id to show: the smallest CVE id, else the smallest id.
    pub primary_id: String,
    /// Every id and alias, sorted.
    pub ids: Vec<String>,
    /// Ids of the advisories in this flaw, in input order.
    pub advisories: Vec<String>,
    /// Ids of the withdrawn ones among them.
    pub withdrawn: Vec<String>,
    /// Affected packages of the advisories that are not withdrawn, with the advisory id.
    pub packages: Vec<(String, AffectedPackage)>,
    /// Affected products, with the advisory id.
    pub products: Vec<(String, AffectedProduct)>,
    /// CPE applicability statements, with the advisory id.
    pub applicability: Vec<(String, Applicability)>,
    /// The highest score (see [`Advisory::max_severity`]).
    pub max_severity: Option<Score>,
    /// The known-exploited marking: the KEV catalogue's entry when there is one, else a
    /// record's own marking.
    pub exploited: Option<Exploited>,
    /// CWE ids, sorted.
    pub cwes: Vec<String>,
}

struct UnionFind {
    parent: Vec<usize>,
}

impl UnionFind {
    fn find(&mut self, mut x: usize) -> usize {
        while let Some(&p) = self.parent.get(x) {
            if p == x {
                break;
            }
            // Path halving.
            let gp = self.parent.get(p).copied().unwrap_or(p);
            if let Some(slot) = self.parent.get_mut(x) {
                *slot = gp;
            }
            x = gp;
        }
        x
    }

    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // Smaller index as root keeps results independent of call order.
            let (root, child) = if ra < rb { (ra, rb) } else { (rb, ra) };
            if let Some(slot) = self.parent.get_mut(child) {
                *slot = root;
            }
        }
    }
}

/// Groups `advisories` (and `kev` entries) into flaws by alias connectivity.
pub fn merge(advisories: &[Advisory], kev: &[KevEntry]) -> Vec<Flaw> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut uf = UnionFind { parent: Vec::new() };
    let node_of = |id, index: &mut HashMap<_, usize>, uf: &mut UnionFind| -> usize {
        *index.entry(id).or_insert_with(|| {
            uf.parent.push(uf.parent.len());
            uf.parent.len() - 1
        })
    };
    let mut ids_of_advisory: Vec<Vec<usize>> = Vec::with_capacity(advisories.len());
    for a in advisories {
        let nodes: Vec<usize> = a.ids().map(|id| node_of(id, &mut index, &mut uf)).collect();
        if let Some((&first, rest)) = nodes.split_first() {
            for &n in rest {
                uf.union(first, n);
            }
        }
        ids_of_advisory.push(nodes);
    }
    for k in kev {
        node_of(k.cve_id.as_str(), &mut index, &mut uf);
    }

    // Group by root.
    let mut groups: HashMap<usize, Flaw> = HashMap::new();
    let mut id_sets: HashMap<usize, BTreeSet<String>> = HashMap::new();
    let mut scores: HashMap<usize, Vec<Score>> = HashMap::new();
    for (a, nodes) in advisories.iter().zip(&ids_of_advisory) {
        let Some(&first) = nodes.first() else { continue };
        let root = uf.find(first);
        let flaw = groups.entry(root).or_insert_with(empty_flaw);
        id_sets.entry(root).or_default().extend(a.ids().map(str::to_owned));
        flaw.advisories.push(a.id.clone());
        if a.withdrawn.is_some() {
            flaw.withdrawn.push(a.id.clone());
            continue;
        }
        flaw.packages.extend(a.packages.iter().map(|p| (a.id.clone(), p.clone())));
        flaw.products.extend(a.products.iter().map(|p| (a.id.clone(), p.clone())));
        if let Some(app) = &a.applicability {
            flaw.applicability.push((a.id.clone(), app.clone()));
        }
        scores.entry(root).or_default().extend(a.severities.iter().cloned());
        if flaw.exploited.is_none() {
            flaw.exploited = a.exploited.clone();
        }
        let mut cwes: BTreeSet<String> = flaw.cwes.drain(..).collect();
        cwes.extend(a.cwes.iter().cloned());
        flaw.cwes = cwes.into_iter().collect();
    }
    for k in kev {
        let Some(&n) = index.get(k.cve_id.as_str()) else { continue };
        let root = uf.find(n);
        let flaw = groups.entry(root).or_insert_with(empty_flaw);
        id_sets.entry(root).or_default().insert(k.cve_id.clone());
        // The catalogue is the authority on KEV dates and actions.
        flaw.exploited = Some(k.exploited());
    }

    let mut flaws: Vec<Flaw> = groups
        .into_iter()
        .map(|(root, mut flaw)| {
            let ids = id_sets.remove(&root).unwrap_or_default();
            flaw.primary_id =
                ids.iter().find(|i| i.starts_with("CVE-")).or_else(|| ids.iter().next()).cloned().unwrap_or_default();
            flaw.ids = ids.into_iter().collect();
            let s = scores.remove(&root).unwrap_or_default();
            flaw.max_severity = max_score(s.iter()).cloned();
            flaw
        })
        .collect();
    flaws.sort_by(|a, b| a.primary_id.cmp(&b.primary_id).then_with(|| a.ids.cmp(&b.ids)));
    flaws
}

fn empty_flaw() -> Flaw {
    Flaw {
        primary_id: String::new(),
        ids: Vec::new(),
        advisories: Vec::new(),
        withdrawn: Vec::new(),
        packages: Vec::new(),
        products: Vec::new(),
        applicability: Vec::new(),
        max_severity: None,
        exploited: None,
        cwes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Format, Osv};

    fn adv(id: &str, aliases: &[&str], withdrawn: bool, vector: Option<&str>) -> Advisory {
        let mut v = serde_json::json!({"id": id, "modified": "2024-01-01T00:00:00Z", "aliases": aliases,
            "affected": [{"package": {"ecosystem": "PyPI", "name": format!("pkg-{id}")}, "versions": ["1.0"]}]});
        if withdrawn {
            v["withdrawn"] = "2024-02-01T00:00:00Z".into();
        }
        if let Some(vec) = vector {
            v["severity"] = serde_json::json!([{"type": "CVSS_V3", "score": vec}]);
        }
        Advisory::from_osv(Osv::from_json_value(&v).unwrap(), Format::OsvJson).unwrap()
    }

    fn kev(cve: &str) -> KevEntry {
        serde_json::from_value(serde_json::json!({"cveID": cve, "vendorProject": "v", "product": "p",
            "vulnerabilityName": "n", "dateAdded": "2024-03-01", "shortDescription": "d", "requiredAction": "a",
            "dueDate": "2024-03-22", "knownRansomwareCampaignUse": "Known"}))
        .unwrap()
    }

    const HIGH: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:N";
    const CRITICAL: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";

    type Summary = (String, Vec<String>, Vec<String>, usize, Option<String>, bool);

    fn summary(flaws: &[Flaw]) -> Vec<Summary> {
        flaws
            .iter()
            .map(|f| {
                let mut advisories = f.advisories.clone();
                advisories.sort();
                (
                    f.primary_id.clone(),
                    f.ids.clone(),
                    advisories,
                    f.packages.len(),
                    f.max_severity.as_ref().map(|s| s.vector.clone()),
                    f.exploited.is_some(),
                )
            })
            .collect()
    }

    #[test]
    fn groups_table() {
        let s = |x: &[&str]| x.iter().map(|y| (*y).to_owned()).collect::<Vec<_>>();
        let advisories = vec![
            adv("GHSA-1", &["CVE-1"], false, Some(HIGH)),
            adv("PYSEC-1", &["CVE-1", "GHSA-1"], false, Some(CRITICAL)),
            adv("CVE-2", &[], false, None),
            // A chain: GO-1 -> GHSA-9 -> CVE-7, never all three in one record.
            adv("GO-1", &["GHSA-9"], false, None),
            adv("CVE-7", &["GHSA-9"], false, None),
            // A withdrawn record still links its ids, but adds no packages or scores.
            adv("GHSA-3", &["CVE-3"], false, None),
            adv("OSV-3", &["CVE-3"], true, Some(CRITICAL)),
        ];
        let flaws = merge(&advisories, &[kev("CVE-1"), kev("CVE-99")]);
        let want = vec![
            (
                "CVE-1".to_owned(),
                s(&["CVE-1", "GHSA-1", "PYSEC-1"]),
                s(&["GHSA-1", "PYSEC-1"]),
                2,
                Some(CRITICAL.to_owned()),
                true,
            ),
            ("CVE-2".to_owned(), s(&["CVE-2"]), s(&["CVE-2"]), 1, None, false),
            ("CVE-3".to_owned(), s(&["CVE-3", "GHSA-3", "OSV-3"]), s(&["GHSA-3", "OSV-3"]), 1, None, false),
            ("CVE-7".to_owned(), s(&["CVE-7", "GHSA-9", "GO-1"]), s(&["CVE-7", "GO-1"]), 2, None, false),
            ("CVE-99".to_owned(), s(&["CVE-99"]), s(&[]), 0, None, true),
        ];
        assert_eq!(summary(&flaws), want);
        assert_eq!(flaws[2].withdrawn, ["OSV-3"]);
        assert_eq!(flaws[0].exploited.as_ref().unwrap().source, "CISA KEV");

        // The grouping does not depend on input order.
        for rotation in 0..advisories.len() {
            let mut shuffled = advisories.clone();
            shuffled.rotate_left(rotation);
            shuffled.reverse();
            assert_eq!(summary(&merge(&shuffled, &[kev("CVE-99"), kev("CVE-1")])), want, "rotation {rotation}");
        }
    }
}
