//! Whether a statement speaks about a given vulnerability and product.
//!
//! Vulnerabilities match by the statement's id or any alias, ignoring ASCII case.
//! Products match by kind:
//! - purl against purl (both parsed by `ch-purl`, so per-type name normalisation
//!   applies): type, namespace and name equal; a statement purl **without a version
//!   applies to every version**, with one only to that version; every qualifier of the
//!   statement purl must be on the product purl with the same value, in any order (a
//!   statement without qualifiers covers every qualifier variant, as go-vex does);
//!   a statement subpath, if any, must be equal;
//! - CPE against CPE (either binding, by `ch-cpe`): the statement name must be equal to or
//!   a superset of the product name (NISTIR 7696), so `*` versions cover all versions;
//! - anything else: the identifiers are equal.
//!
//! A statement with no products applies to nothing here.

use ch_cpe::Cpe;
use ch_purl::Purl;

use crate::model::{ProductRef, VexStatement};

impl VexStatement {
    /// Whether the statement is about one of `vulnerability_ids` (id or alias) in
    /// `product` (a purl, a CPE or a free identifier), matched against the statement's
    /// product ids as the module documentation says. Subcomponents are not consulted:
    /// use [`VexStatement::applies_to_subcomponent`] to match a component within a product.
    pub fn applies_to(&self, vulnerability_ids: &[&str], product: &str) -> bool {
        self.names_any(vulnerability_ids) && self.products.iter().any(|p| product_matches(&p.id, product))
    }

    /// Like [`VexStatement::applies_to`], and moreover `subcomponent` is one of the
    /// product's listed subcomponents (or the product lists none, so the statement covers
    /// the whole product).
    pub fn applies_to_subcomponent(&self, vulnerability_ids: &[&str], product: &str, subcomponent: &str) -> bool {
        self.names_any(vulnerability_ids)
            && self.products.iter().any(|p: &ProductRef| {
                product_matches(&p.id, product)
                    && (p.subcomponents.is_empty() || p.subcomponents.iter().any(|s| product_matches(s, subcomponent)))
            })
    }

    fn names_any(&self, ids: &[&str]) -> bool {
        let v = &self.vulnerability;
        ids.iter().any(|id| v.id.eq_ignore_ascii_case(id) || v.aliases.iter().any(|a| a.eq_ignore_ascii_case(id)))
    }
}

/// Whether the statement's identifier `pattern` covers the identifier `target`.
pub(crate) fn product_matches(pattern: &str, target: &str) -> bool {
    if pattern == target {
        return true;
    }
    if pattern.starts_with("pkg:") && target.starts_with("pkg:") {
        return match (pattern.parse::<Purl>(), target.parse::<Purl>()) {
            (Ok(p), Ok(t)) => purl_covers(&p, &t),
            _ => false,
        };
    }
    if is_cpe(pattern) && is_cpe(target) {
        return match (pattern.parse::<Cpe>(), target.parse::<Cpe>()) {
            (Ok(p), Ok(t)) => p.matches(&t),
            _ => false,
        };
    }
    false
}

fn is_cpe(s: &str) -> bool {
    s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("cpe:"))
}

fn purl_covers(p: &Purl, t: &Purl) -> bool {
    p.ty() == t.ty()
        && p.namespace() == t.namespace()
        && p.name() == t.name()
        && p.version().is_none_or(|v| Some(v) == t.version())
        && p.subpath().is_none_or(|s| Some(s) == t.subpath())
        && p.qualifiers().iter().all(|(k, v)| t.qualifiers().get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;

    #[test]
    fn products_table() {
        let cases = [
            ("pkg:npm/lodash", "pkg:npm/lodash@4.17.20", true),
            ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.20", true),
            ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash@4.17.21", false),
            ("pkg:npm/lodash@4.17.20", "pkg:npm/lodash", false),
            ("pkg:npm/lodash", "pkg:npm/underscore@1", false),
            ("pkg:pypi/Django_REST", "pkg:pypi/django-rest@3", true),
            (
                "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64&distro=w",
                "pkg:apk/wolfi/git@2.39.0-r1?distro=w&arch=x86_64",
                true,
            ),
            ("pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64", "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", false),
            ("pkg:apk/wolfi/git@2.39.0-r1", "pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", true),
            ("pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", "pkg:apk/wolfi/git@2.39.0-r1", false),
            ("pkg:maven/g/a", "pkg:npm/a@1", false),
            ("pkg:golang/x/y#sub", "pkg:golang/x/y@1#other", false),
            ("cpe:2.3:a:apache:log4j:*:*:*:*:*:*:*:*", "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", true),
            ("cpe:/a:apache:log4j", "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", true),
            ("cpe:2.3:a:apache:log4j:2.14.0:*:*:*:*:*:*:*", "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*", false),
            ("nginx", "nginx", true),
            ("nginx", "NGINX", false),
            ("pkg:npm/a", "a", false),
            ("pkg:not a purl", "pkg:also not", false),
        ];
        for (pattern, target, want) in cases {
            assert_eq!(product_matches(pattern, target), want, "{pattern} vs {target}");
        }
    }

    #[test]
    fn vulnerabilities_by_id_or_alias() {
        let mut s = VexStatement::new("CVE-2023-27103", Status::NotAffected);
        s.vulnerability.aliases.push("SNYK-DEBIAN12-LIBDE265-3361563".into());
        s.products.push(ProductRef {
            id: "pkg:oci/nginx".into(),
            subcomponents: vec!["pkg:deb/debian/libde265@1.0.11-1".into()],
        });
        let image = "pkg:oci/nginx@sha256%3A13d2?tag=latest";
        assert!(s.applies_to(&["cve-2023-27103"], image));
        assert!(s.applies_to(&["GHSA-x", "SNYK-DEBIAN12-LIBDE265-3361563"], image));
        assert!(!s.applies_to(&["CVE-2023-27104"], image));
        assert!(!s.applies_to(&[], image));
        assert!(!s.applies_to(&["CVE-2023-27103"], "pkg:deb/debian/libde265@1.0.11-1"));
        assert!(s.applies_to_subcomponent(&["CVE-2023-27103"], image, "pkg:deb/debian/libde265@1.0.11-1"));
        assert!(!s.applies_to_subcomponent(&["CVE-2023-27103"], image, "pkg:deb/debian/libc6@2"));
        s.products.clear();
        assert!(!s.applies_to(&["CVE-2023-27103"], image), "no products: applies to nothing");
    }
}
