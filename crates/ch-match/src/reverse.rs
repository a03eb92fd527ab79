//! Reverse-index keys: the words under which a record is posted and under which a
//! component is looked up, so that a store can answer "which inventories hold something
//! this changed record is about?" without asking the index about every component.
//!
//! A key is `p:<ecosystem family>/<normalised name>` for packages and `r:<normalised
//! product>` for products and CPE names (vendor left out: a vendor-less product row must
//! still be reached). Keys are a superset filter: every component a record can match
//! shares a key with it, and the exact answer comes from the index afterwards. The one
//! exception is a record whose applicability names ANY vendor and product
//! ([`MatchKeys::wild`]): it can match any product row.

use ch_inventory::Component;

use crate::index::Index;
use crate::key::RecordKey;
use crate::package::split_ecosystem;
use crate::product::{cpe_vendor_product, normalise_product_name};

/// The keys a record is posted under.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MatchKeys {
    /// `p:` and `r:` keys, sorted, without repeats.
    pub keys: Vec<String>,
    /// Whether the record can match any product row (ANY-vendor applicability).
    pub wild: bool,
}

/// The key of a package: ecosystem family and normalised name.
pub fn package_key(ecosystem: &str, name: &str) -> String {
    let family = split_ecosystem(ecosystem).family;
    format!("p:{family}/{}", ch_advisory::normalise_name(family, name.trim()))
}

/// The key of a product name.
pub fn product_key(product: &str) -> String {
    format!("r:{}", normalise_product_name(product))
}

/// Every key a component can be looked up by (its purl, ecosystem and name, CPE name,
/// product), sorted, without repeats; empty when it names nothing the index can ask.
pub fn component_keys(c: &Component) -> Vec<String> {
    let mut out = Vec::new();
    let given = |s: &Option<String>| s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned);
    if let Some(purl) = given(&c.purl)
        && let Ok(p) = purl.parse::<ch_purl::Purl>()
        && let Ok(osv) = p.to_osv()
    {
        out.push(package_key(osv.ecosystem.name(), &osv.name));
    }
    if let Some(eco) = given(&c.ecosystem)
        && !c.name.trim().is_empty()
    {
        out.push(package_key(&eco, &c.name));
    }
    if let Some(cpe) = given(&c.cpe)
        && let Ok(parsed) = cpe.parse::<ch_cpe::Cpe>()
        && let Some((_, product)) = cpe_vendor_product(&parsed)
    {
        out.push(format!("r:{product}"));
    }
    if let Some(product) = given(&c.product) {
        out.push(product_key(&product));
    }
    out.sort();
    out.dedup();
    out
}

impl Index {
    /// The keys the record stored under `key` is posted under; `None` when no such
    /// record is stored. A withdrawn record has none.
    pub fn match_keys(&self, key: &RecordKey) -> Option<MatchKeys> {
        let entry = self.entry(key)?;
        let mut keys: Vec<String> = entry
            .packages
            .iter()
            .map(|(family, name, _)| format!("p:{family}/{name}"))
            .chain(entry.products.iter().map(|(_, product)| format!("r:{product}")))
            .collect();
        keys.sort();
        keys.dedup();
        Some(MatchKeys { keys, wild: entry.wild })
    }
}

#[cfg(test)]
mod tests {
    use ch_inventory::Origin as Place;
    use serde_json::json;

    use super::*;
    use crate::key::Origin;
    use crate::testing::{entry, nvd, osv};

    type Setter = Box<dyn Fn(&mut Component)>;

    #[test]
    fn component_and_record_keys_meet() {
        let mut index = Index::new();
        index.upsert(osv(
            "PYSEC-1",
            &[],
            json!([entry("PyPI", "Django_REST", "ECOSYSTEM", &[("introduced", "0"), ("fixed", "2")], &[])]),
        ));
        index.upsert(nvd(
            "CVE-2023-27997",
            json!([{"nodes": [{"operator": "OR", "negate": false, "cpeMatch": [{"vulnerable": true,
                "criteria": "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*", "versionEndExcluding": "7.2.5"}]}]}]),
        ));
        let py = index.match_keys(&RecordKey::new("PYSEC-1", Origin::Osv)).unwrap_or_default();
        assert_eq!(py.keys, vec!["p:PyPI/django-rest"]);
        let forti = index.match_keys(&RecordKey::new("CVE-2023-27997", Origin::Nvd)).unwrap_or_default();
        assert_eq!(forti.keys, vec!["r:fortios"]);
        assert!(index.match_keys(&RecordKey::new("NOPE", Origin::Osv)).is_none());

        let comp = |set: &dyn Fn(&mut Component)| {
            let mut c = Component::new("x", Some("1".into()), None, Place::line("f", 1));
            set(&mut c);
            component_keys(&c)
        };
        let cases: Vec<(Setter, Vec<&str>)> = vec![
            (Box::new(|c| c.purl = Some("pkg:pypi/django.rest@1.0".into())), vec!["p:PyPI/django-rest"]),
            (
                Box::new(|c| {
                    c.name = "Django-Rest".into();
                    c.ecosystem = Some("pypi".into());
                }),
                vec!["p:PyPI/django-rest"],
            ),
            (Box::new(|c| c.cpe = Some("cpe:2.3:o:fortinet:fortios:7.2.4:*:*:*:*:*:*:*".into())), vec!["r:fortios"]),
            (
                Box::new(|c| {
                    c.vendor = Some("Fortinet".into());
                    c.product = Some(" FortiOS ".into());
                }),
                vec!["r:fortios"],
            ),
            (Box::new(|c| c.purl = Some("not a purl".into())), vec![]),
            (Box::new(|_| {}), vec![]),
        ];
        for (i, (set, want)) in cases.into_iter().enumerate() {
            assert_eq!(comp(&*set), want, "case {i}");
        }
    }
}
