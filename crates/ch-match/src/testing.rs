//! Small advisories for unit tests, built through `ch-advisory`'s own readers.

use std::sync::Arc;

use ch_advisory::cve5::Cve5Record;
use ch_advisory::nvd::Nvd2Cve;
use ch_advisory::{Advisory, Format, Osv};
use serde_json::{Value, json};

/// An OSV advisory: `affected` entries as JSON, optional aliases and withdrawal.
pub(crate) fn osv(id: &str, aliases: &[&str], affected: Value) -> Arc<Advisory> {
    osv_with(json!({"id": id, "modified": "2024-01-01T00:00:00Z", "aliases": aliases, "affected": affected}))
}

/// An OSV advisory from a whole record.
pub(crate) fn osv_with(record: Value) -> Arc<Advisory> {
    Arc::new(Advisory::from_osv(Osv::from_json_value(&record).unwrap(), Format::OsvJson).unwrap())
}

/// One OSV `affected` entry with one range of `kind`.
pub(crate) fn entry(ecosystem: &str, name: &str, kind: &str, events: &[(&str, &str)], versions: &[&str]) -> Value {
    let events: Vec<Value> = events.iter().map(|(k, v)| json!({ *k: v })).collect();
    json!({"package": {"ecosystem": ecosystem, "name": name},
           "ranges": [{"type": kind, "events": events}], "versions": versions})
}

/// An NVD API 2.0 record with these configurations.
pub(crate) fn nvd(id: &str, configurations: Value) -> Arc<Advisory> {
    let v = json!({"id": id, "published": "2024-01-01T00:00:00.000", "lastModified": "2024-02-01T00:00:00.000",
        "descriptions": [{"lang": "en", "value": "d"}], "configurations": configurations});
    Arc::new(Nvd2Cve::from_json_value(&v).unwrap().to_advisory().unwrap())
}

/// A CVE JSON 5 record with these CNA `affected` products.
pub(crate) fn cve5(id: &str, affected: Value) -> Arc<Advisory> {
    let v = json!({"dataType": "CVE_RECORD", "dataVersion": "5.1",
        "cveMetadata": {"state": "PUBLISHED", "cveId": id, "assignerOrgId": "00000000-0000-0000-0000-000000000000",
            "datePublished": "2024-01-01T00:00:00.000Z", "dateUpdated": "2024-02-01T00:00:00.000Z"},
        "containers": {"cna": {"providerMetadata": {"orgId": "00000000-0000-0000-0000-000000000000", "shortName": "x"},
            "descriptions": [{"lang": "en", "value": "d"}], "affected": affected, "references": [{"url": "https://example.invalid"}]}}});
    Arc::new(Cve5Record::from_json_value(&v).unwrap().to_advisory().unwrap())
}

/// The ids of hits, in order.
pub(crate) fn ids(hits: &[crate::Hit]) -> Vec<String> {
    hits.iter().map(|h| h.key.to_string()).collect()
}
