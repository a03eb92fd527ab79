//! Advisories and KEV entries into store rows: the record, its digest and its lookup keys.

use ch_advisory::kev::RansomwareUse;
use ch_advisory::{Advisory, Format, KevEntry};
use ch_match::Origin;
use ch_store::knowledge::{AdvisoryRow, KevRow};
use sha2::{Digest, Sha256};

fn digest(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

/// Every format, for reading stored names back.
const FORMATS: [Format; 10] = [
    Format::OsvJson,
    Format::OsvYaml,
    Format::RustSec,
    Format::Cve5,
    Format::Nvd2,
    Format::Nvd1,
    Format::Kev,
    Format::NodejsSecurityWg,
    Format::FriendsOfPhp,
    Format::Victims,
];

/// The format of a stored `source_format` name.
pub fn format_from_name(name: &str) -> Option<Format> {
    FORMATS.into_iter().find(|f| f.name() == name)
}

/// The key a product is stored and looked up under: `ch-match`'s normalised
/// (vendor, product).
pub fn product_key(vendor: &str, product: &str) -> (String, String) {
    (ch_match::normalise_product_name(vendor), ch_match::normalise_product_name(product))
}

/// The store row of an advisory.
pub fn advisory_row(a: &Advisory) -> AdvisoryRow {
    advisory_row_as_read(a, None)
}

/// The store row of an advisory whose OSV JSON the source gave as is (`ch_feed::Record::json`):
/// that text is stored, and not serialised again from `a`.
pub fn advisory_row_as_read(a: &Advisory, json: Option<&str>) -> AdvisoryRow {
    let record: std::borrow::Cow<'_, str> = match json {
        Some(j) => j.into(),
        None => a.osv.to_json_string().into(),
    };
    let top = a.max_severity();
    let mut products: Vec<(String, String)> = Vec::new();
    for p in &a.products {
        let mut from_cpe = false;
        for cpe in &p.cpes {
            if let Some((v, pr)) = ch_cpe::Cpe::parse_formatted(cpe).ok().and_then(|c| c.vendor_product()) {
                products.push(product_key(&v, &pr));
                from_cpe = true;
            }
        }
        if !from_cpe && let (Some(v), Some(pr)) = (&p.vendor, &p.product) {
            products.push(product_key(v, pr));
        }
    }
    if let Some(app) = &a.applicability {
        for m in app.cpe_matches() {
            if let Some((v, pr)) = m.criteria.vendor_product() {
                products.push(product_key(&v, &pr));
            }
        }
    }
    products.sort();
    products.dedup();
    let mut packages: Vec<(String, String)> =
        a.packages.iter().map(|p| (p.ecosystem.clone(), p.normalised_name.clone())).collect();
    packages.sort();
    packages.dedup();
    AdvisoryRow {
        id: a.id.clone(),
        origin: Origin::of(a.source).as_str().to_owned(),
        source_format: a.source.name().to_owned(),
        modified: a.modified.as_millisecond(),
        published: a.published.map(|t| t.as_millisecond()),
        withdrawn: a.withdrawn.map(|t| t.as_millisecond()),
        summary: a.summary.clone(),
        severity: top.and_then(|s| s.severity).map(|s| s.as_str().to_ascii_lowercase()),
        score: top.and_then(|s| s.value),
        exploited: a.exploited.is_some(),
        digest: digest(&record),
        record: ch_store::knowledge::pack_record(&record),
        aliases: a.aliases.clone(),
        packages,
        products,
    }
}

/// The store row of a KEV entry.
pub fn kev_row(k: &KevEntry) -> KevRow {
    let record = serde_json::to_string(k).unwrap_or_default();
    KevRow {
        cve_id: k.cve_id.clone(),
        vendor: k.vendor_project.clone(),
        product: k.product.clone(),
        name: k.vulnerability_name.clone(),
        date_added: k.date_added.to_string(),
        due_date: k.due_date.to_string(),
        ransomware: matches!(k.known_ransomware_campaign_use, Some(RansomwareUse::Known)),
        digest: digest(&record),
        record,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_format_name_reads_back() {
        for f in FORMATS {
            assert_eq!(format_from_name(f.name()), Some(f));
        }
        assert_eq!(format_from_name("nonsense"), None);
    }

    #[test]
    fn a_record_as_read_is_stored_as_read_and_others_are_serialised() {
        let line = r#"{ "id": "PYSEC-2024-1", "modified": "2024-02-01T00:00:00Z", "aliases": ["CVE-2024-0001"] }"#;
        let osv = ch_advisory::Osv::from_json_slice(line.as_bytes()).unwrap();
        let a = Advisory::from_osv(osv, Format::OsvJson).unwrap();
        let as_read = advisory_row_as_read(&a, Some(line));
        assert_eq!(ch_store::knowledge::unpack_record(&as_read.record).unwrap(), line);
        assert_eq!(as_read.digest, digest(line));
        let serialised = advisory_row(&a);
        let text = ch_store::knowledge::unpack_record(&serialised.record).unwrap();
        assert_eq!(text, a.osv.to_json_string());
        assert_ne!(text, line);
        // Both say the same record.
        let back = ch_advisory::Osv::from_json_slice(text.as_bytes()).unwrap();
        assert_eq!(back.to_json_string(), a.osv.to_json_string());
        assert_eq!((as_read.id, as_read.aliases), (serialised.id, serialised.aliases));
    }
}
