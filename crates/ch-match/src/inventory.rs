//! Matching an inventory's components, each by the best identity it carries.
//!
//! Order of preference: the purl; else the OSV ecosystem and name; else the CPE name;
//! else vendor and product (vendor optional). When one way is refused (a purl type
//! without an OSV ecosystem, a version the ecosystem cannot parse), the next is tried;
//! a component no way can ask about, or without a version, is reported as skipped with
//! the reason, never silently dropped.

use ch_inventory::Component;

use crate::hit::Hit;
use crate::index::Index;

/// Which identity of a component was looked up.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum MatchedBy {
    /// Its package URL.
    Purl,
    /// Its OSV ecosystem and name.
    Package,
    /// Its CPE name.
    Cpe,
    /// Its vendor and product.
    Product,
}

/// The hits of one component.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentMatch {
    /// Index of the component in the slice given.
    pub component: usize,
    /// Which identity found them.
    pub by: MatchedBy,
    /// The hits, one per record.
    pub hits: Vec<Hit>,
}

/// A component that could not be looked up.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    /// Index of the component in the slice given.
    pub component: usize,
    /// Why (every refusal, when several ways were tried).
    pub reason: String,
}

/// The outcome of [`Index::match_components`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ComponentMatches {
    /// Components with at least one hit, in input order.
    pub matches: Vec<ComponentMatch>,
    /// Components that could not be looked up, in input order.
    pub skipped: Vec<Skipped>,
    /// How many components were looked up (with or without hits).
    pub checked: usize,
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl Index {
    /// Looks up every component (see the module docs for the order of identities).
    /// Components without a version are skipped: "which version?" decides everything.
    pub fn match_components(&self, components: &[Component]) -> ComponentMatches {
        let mut out = ComponentMatches::default();
        for (i, c) in components.iter().enumerate() {
            let Some(version) = non_empty(&c.version) else {
                out.skipped.push(Skipped { component: i, reason: format!("{}: no version", c.name) });
                continue;
            };
            let mut refusals: Vec<String> = Vec::new();
            let mut found: Option<(MatchedBy, Vec<Hit>)> = None;
            if let Some(purl) = non_empty(&c.purl) {
                match self.purl_query(purl, Some(version)) {
                    Ok(h) => found = Some((MatchedBy::Purl, h)),
                    Err(e) => refusals.push(e.to_string()),
                }
            }
            if found.is_none()
                && let Some(eco) = non_empty(&c.ecosystem)
                && !c.name.trim().is_empty()
            {
                match self.query_package(eco, &c.name, Some(version)) {
                    Ok(h) => found = Some((MatchedBy::Package, h)),
                    Err(e) => refusals.push(e.to_string()),
                }
            }
            if found.is_none()
                && let Some(cpe) = non_empty(&c.cpe)
            {
                match self.cpe_query(cpe, Some(version)) {
                    Ok(h) => found = Some((MatchedBy::Cpe, h)),
                    Err(e) => refusals.push(e.to_string()),
                }
            }
            if found.is_none()
                && let Some(product) = non_empty(&c.product)
            {
                let vendor = non_empty(&c.vendor).unwrap_or("");
                found = Some((MatchedBy::Product, self.query_product(vendor, product, version)));
            }
            match found {
                Some((by, hits)) => {
                    out.checked += 1;
                    if !hits.is_empty() {
                        out.matches.push(ComponentMatch { component: i, by, hits });
                    }
                }
                None => {
                    let reason = if refusals.is_empty() {
                        format!("{}: no purl, ecosystem, CPE or product to look up", c.name)
                    } else {
                        format!("{}: {}", c.name, refusals.join("; "))
                    };
                    out.skipped.push(Skipped { component: i, reason });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use ch_inventory::Origin as Place;
    use serde_json::json;

    use super::*;
    use crate::testing::{entry, ids, nvd, osv};

    fn component(name: &str, version: Option<&str>, set: impl FnOnce(&mut Component)) -> Component {
        let mut c = Component::new(name, version.map(str::to_owned), None, Place::line("inventory.csv", 1));
        set(&mut c);
        c
    }

    #[test]
    fn components_table() {
        let mut index = Index::new();
        index.upsert(osv(
            "RUSTSEC-A",
            &[],
            json!([entry("crates.io", "tokio", "SEMVER", &[("introduced", "0.1.14"), ("fixed", "1.13.1")], &[])]),
        ));
        index.upsert(osv(
            "PYSEC-B",
            &[],
            json!([entry("PyPI", "jinja2", "ECOSYSTEM", &[("introduced", "0"), ("fixed", "2.10.1")], &[])]),
        ));
        index.upsert(nvd(
            "CVE-2023-27997",
            json!([{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [{"vulnerable": true,
                "criteria": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*",
                "versionStartIncluding": "7.2.0", "versionEndIncluding": "7.2.4"}]}]}]),
        ));
        let fortios = "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*";
        let components = vec![
            component("tokio", Some("1.12.0"), |c| c.purl = Some("pkg:cargo/tokio@1.12.0".into())),
            component("Jinja2", Some("2.10"), |c| c.ecosystem = Some("PyPI".into())),
            component("fortios", Some("7.2.4"), |c| c.cpe = Some(fortios.into())),
            component("FortiOS", Some("7.2.3"), |c| {
                c.vendor = Some("Fortinet".into());
                c.product = Some("FortiOS".into());
            }),
            component("tokio", None, |c| c.purl = Some("pkg:cargo/tokio".into())),
            component("thing", Some("1.0"), |c| c.purl = Some("pkg:generic/thing@1.0".into())),
            component("thing", Some("1.0"), |_| {}),
            // A purl without an OSV ecosystem falls back to the ecosystem and name.
            component("tokio", Some("1.0.0"), |c| {
                c.purl = Some("pkg:generic/tokio@1.0.0".into());
                c.ecosystem = Some("crates.io".into());
            }),
            component("jinja2", Some("3.1.4"), |c| c.ecosystem = Some("PyPI".into())),
            component("jinja2", Some("not a version"), |c| c.ecosystem = Some("PyPI".into())),
        ];
        let got = index.match_components(&components);
        let matches: Vec<(usize, MatchedBy, Vec<String>)> =
            got.matches.iter().map(|m| (m.component, m.by, ids(&m.hits))).collect();
        let one = |s: &str| vec![s.to_owned()];
        assert_eq!(
            matches,
            [
                (0, MatchedBy::Purl, one("osv/RUSTSEC-A")),
                (1, MatchedBy::Package, one("osv/PYSEC-B")),
                (2, MatchedBy::Cpe, one("nvd/CVE-2023-27997")),
                (3, MatchedBy::Product, one("nvd/CVE-2023-27997")),
                (7, MatchedBy::Package, one("osv/RUSTSEC-A")),
            ]
        );
        assert_eq!(got.checked, 6);
        let skipped: Vec<(usize, &str)> = got.skipped.iter().map(|s| (s.component, s.reason.as_str())).collect();
        assert_eq!(skipped.len(), 4, "{skipped:?}");
        assert_eq!(skipped[0], (4, "tokio: no version"));
        assert!(
            skipped[1].0 == 5 && skipped[1].1.starts_with("thing: purl \"pkg:generic/thing@1.0\" has no OSV ecosystem")
        );
        assert_eq!(skipped[2], (6, "thing: no purl, ecosystem, CPE or product to look up"));
        assert!(
            skipped[3].0 == 9 && skipped[3].1.contains("PyPI version \"not a version\" does not parse"),
            "{skipped:?}"
        );
    }
}
