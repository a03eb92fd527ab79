//! The CISA KEV catalogue.

use ch_advisory::kev::RansomwareUse;
use ch_advisory::{KevCatalogue, KevEntry};
use serde_json::Value;

use crate::shared_data;

#[test]
fn catalogue_reads_whole_and_per_entry() {
    let bytes = std::fs::read(shared_data().join("kev/known_exploited_vulnerabilities.json")).unwrap();
    let cat = KevCatalogue::from_json_slice(&bytes).unwrap();
    let raw: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(cat.count as usize, cat.vulnerabilities.len());
    assert_eq!(cat.vulnerabilities.len(), 1404);
    assert_eq!(cat.catalog_version, raw["catalogVersion"]);
    let mut known = 0;
    for (e, r) in cat.vulnerabilities.iter().zip(raw["vulnerabilities"].as_array().unwrap()) {
        // Each entry alone (a JSONL line) reads the same.
        let alone = KevEntry::from_json_slice(serde_json::to_string(r).unwrap().as_bytes()).unwrap();
        assert_eq!(&alone, e);
        assert_eq!(e.cve_id, r["cveID"]);
        assert_eq!(e.date_added.to_string(), r["dateAdded"]);
        assert_eq!(e.due_date.to_string(), r["dueDate"]);
        assert_eq!(e.cwes.len(), r["cwes"].as_array().map_or(0, Vec::len));
        known += usize::from(e.known_ransomware_campaign_use == Some(RansomwareUse::Known));
        assert_eq!(e.exploited().known_ransomware_campaign_use, Some(r["knownRansomwareCampaignUse"] == "Known"));
    }
    let raw_known = raw["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["knownRansomwareCampaignUse"] == "Known")
        .count();
    eprintln!("KEV: {} entries, {known} known ransomware use", cat.vulnerabilities.len());
    assert_eq!(known, raw_known);
}
