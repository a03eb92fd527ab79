//! Product lookups over the KEV catalogue's records: NVD 1.1 feed items, NVD API 2.0
//! records and CVE JSON 5 records (Vulnrichment), with the KEV marking on their flaws.

use std::sync::Arc;

use ch_advisory::cve5;
use ch_advisory::nvd::{Nvd1Item, Nvd2Cve};
use ch_advisory::{Format, KevCatalogue};
use ch_cpe::Cpe;
use ch_match::{Index, Origin, RecordKey};

use crate::{hit, keys, lines, shared_data};

fn fortios(index: &Index, v: &str) -> Vec<ch_match::Hit> {
    index.query_product("Fortinet", "FortiOS", v)
}

#[test]
fn fortios_and_citrix_through_nvd_cve5_and_kev() {
    let mut index = Index::new();
    let path = shared_data().join("kev/known_exploited_vulnerabilities.json");
    let catalogue = KevCatalogue::from_json_slice(&std::fs::read(&path).unwrap()).unwrap();
    let count = catalogue.vulnerabilities.len();
    for e in catalogue.vulnerabilities {
        index.upsert_kev(e);
    }
    assert_eq!(index.kev_len(), count);
    assert_eq!(count as u64, catalogue.count);

    // NVD 1.1 feed items: every KEV CVE the old feeds had.
    let mut nvd1 = 0;
    for line in lines("cve/nvd-1.1-kev.jsonl.zst") {
        let a = Nvd1Item::from_json_slice(line.as_bytes()).unwrap().to_advisory().unwrap();
        index.upsert(Arc::new(a));
        nvd1 += 1;
    }
    assert_eq!(index.len(), nvd1);
    eprintln!("nvd 1.1: {nvd1} records, {} (vendor, product) keys", index.known_products().len());

    // FortiOS 7.2.4 (CVE-2023-27997: 7.2.0 - 7.2.4 inclusive; CVE-2022-41328 ends
    // before 7.2.4; CVE-2022-42475 before 7.2.3).
    let hits = fortios(&index, "7.2.4");
    assert!(hit(&hits, "nvd/CVE-2023-27997").is_some(), "{:?}", keys(&hits));
    assert!(hit(&hits, "nvd/CVE-2022-41328").is_none() && hit(&hits, "nvd/CVE-2022-42475").is_none());
    // 7.2.2: all three, with the first version past each range; not CVE-2022-40684
    // (7.2.0 up to 7.2.2 excluded).
    let hits = fortios(&index, "7.2.2");
    let remedy = |k: &str| hit(&hits, k).map(|h| h.remedy.clone());
    assert_eq!(remedy("nvd/CVE-2022-42475"), Some(Some("7.2.3".into())));
    assert_eq!(remedy("nvd/CVE-2022-41328"), Some(Some("7.2.4".into())));
    assert_eq!(remedy("nvd/CVE-2023-27997"), Some(None), "versionEndIncluding: no fix named");
    assert!(hit(&hits, "nvd/CVE-2022-40684").is_none());
    // Every hit is a KEV CVE (that is what the file holds), so every flaw is marked.
    for h in &hits {
        let flaw = index.flaw(&h.key.id).unwrap();
        let exploited = flaw.exploited.unwrap_or_else(|| panic!("{} not marked", h.key));
        assert_eq!(exploited.source, "CISA KEV");
        assert_eq!(exploited.date_added, index.kev(&h.key.id).map(|k| k.date_added));
    }
    // The same through a CPE name, and without the vendor.
    let by_cpe = index.query_cpe("cpe:2.3:o:fortinet:fortios:7.2.2:*:*:*:*:*:*:*").unwrap();
    assert_eq!(keys(&by_cpe), keys(&hits));
    assert_eq!(keys(&index.query_product("", "fortios", "7.2.2")), keys(&hits));
    // A near miss is offered the right key.
    assert_eq!(index.suggest("Fortinet", "Forti OS").first(), Some(&("fortinet".to_owned(), "fortios".to_owned())));

    // NVD API 2.0 records replace the NVD 1.1 ones of the same CVE (one NVD origin).
    let before = index.len();
    let nvd2_lines = lines("cve/nvd-2.0-kev.jsonl.zst");
    let mut new_ids = 0;
    for line in &nvd2_lines {
        let a = Nvd2Cve::from_json_slice(line.as_bytes()).unwrap().to_advisory().unwrap();
        if index.upsert(Arc::new(a)).is_none() {
            new_ids += 1;
        }
    }
    assert_eq!(index.len(), before + new_ids);
    let key = RecordKey::new("CVE-2023-27997", Origin::Nvd);
    assert_eq!(index.record(&key).map(|a| a.source), Some(Format::Nvd2));
    // NVD 2.0 writes CVE-2023-27997 partly as "FortiOS on a FortiGate 6000/7000" and
    // CVE-2019-19781 only as "ADC firmware on the ADC appliance" (AND with a platform):
    // an operator's "Citrix ADC firmware 13.0" matches, the platform assumed.
    let citrix = index.query_product("Citrix", "Application Delivery Controller Firmware", "13.0");
    assert!(hit(&citrix, "nvd/CVE-2019-19781").is_some(), "{:?}", keys(&citrix));
    let statement = index.record(&RecordKey::new("CVE-2019-19781", Origin::Nvd)).unwrap();
    let cpe = Cpe::from_product("citrix:application_delivery_controller_firmware:13.0").unwrap();
    let app = statement.applicability.as_ref().unwrap();
    assert!(!app.affects(std::slice::from_ref(&cpe)).vulnerable, "as written, the appliance must be listed too");
    assert!(app.affects_assuming_platforms(&[cpe]).vulnerable);
    // CVE-2024-21762: FortiOS 7.2.0 up to 7.2.7 excluded.
    let hits = fortios(&index, "7.2.4");
    assert_eq!(hit(&hits, "nvd/CVE-2024-21762").map(|h| h.remedy.clone()), Some(Some("7.2.7".into())));
    assert!(hit(&fortios(&index, "7.2.7"), "nvd/CVE-2024-21762").is_none());

    // CVE JSON 5 records (Vulnrichment): kept beside the NVD records of the same CVE.
    let mut refused = 0;
    for line in lines("cve/cve5-kev-vulnrichment.jsonl.zst") {
        match cve5::parse(line.as_bytes()) {
            Ok(a) => {
                assert!(index.upsert(Arc::new(a)).is_none());
            }
            Err(e) => {
                eprintln!("cve5 refused: {e}");
                refused += 1;
            }
        }
    }
    assert!(refused < 5, "{refused} CVE 5 records refused");
    let both: Vec<Origin> = index.get("CVE-2023-27997").iter().map(|a| RecordKey::of(a).origin).collect();
    assert_eq!(both, [Origin::Cve5, Origin::Nvd]);
    let hits = fortios(&index, "7.2.4");
    for k in ["cve5/CVE-2023-27997", "nvd/CVE-2023-27997", "cve5/CVE-2024-21762", "nvd/CVE-2024-21762"] {
        assert!(hit(&hits, k).is_some(), "{k} missing from {:?}", keys(&hits));
    }
    // CISA-ADP's FortiOS entries (7.2.0 up to 7.2.7 excluded) give the remedy.
    assert_eq!(hit(&hits, "cve5/CVE-2024-21762").map(|h| h.remedy.clone()), Some(Some("7.2.7".into())));
    // CNA: FortiOS 7.2.0 - 7.2.3 for CVE-2022-41328; 7.2.4 is past it in both sources.
    assert!(hit(&hits, "cve5/CVE-2022-41328").is_none() && hit(&hits, "nvd/CVE-2022-41328").is_none());
    assert!(hit(&fortios(&index, "7.2.3"), "cve5/CVE-2022-41328").is_some());
    // One flaw, two records, KEV-marked.
    let flaw = index.flaw("CVE-2023-27997").unwrap();
    assert_eq!(
        flaw.records,
        [RecordKey::new("CVE-2023-27997", Origin::Cve5), RecordKey::new("CVE-2023-27997", Origin::Nvd)]
    );
    assert_eq!(flaw.exploited.map(|e| e.source).as_deref(), Some("CISA KEV"));
    assert!(flaw.max_severity.is_some_and(|s| s.value.is_some_and(|v| v >= 9.0)));
}

/// Every product lookup over the NVD records answers as `ch-cpe` evaluates each
/// record's statement for "this product at this version" (platforms assumed), for
/// versions taken from the statements' own bounds and values.
#[test]
fn applicability_answers_as_ch_cpe_evaluates() {
    use std::collections::{BTreeMap, BTreeSet};

    use ch_cpe::Attribute;
    use ch_match::normalise_product_name;

    let mut index = Index::new();
    let mut records = Vec::new();
    for line in lines("cve/nvd-1.1-kev.jsonl.zst") {
        let a = Arc::new(Nvd1Item::from_json_slice(line.as_bytes()).unwrap().to_advisory().unwrap());
        index.upsert(Arc::clone(&a));
        records.push(a);
    }
    // (vendor, product) as written in the criteria -> versions named there, and the
    // records naming that product in a vulnerable criteria.
    let mut versions: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
    let mut naming: BTreeMap<(String, String), BTreeSet<usize>> = BTreeMap::new();
    for (i, a) in records.iter().enumerate() {
        let Some(app) = &a.applicability else { continue };
        for m in app.cpe_matches().into_iter().filter(|m| m.vulnerable) {
            let Some((v, p)) = m.criteria.vendor_product() else { continue };
            if v.contains(['*', '?', ':']) || p.contains(['*', '?', ':']) {
                continue;
            }
            let key = (normalise_product_name(&v), normalise_product_name(&p));
            naming.entry(key.clone()).or_default().insert(i);
            let named = versions.entry(key).or_default();
            for b in [
                &m.version_start_including,
                &m.version_start_excluding,
                &m.version_end_including,
                &m.version_end_excluding,
            ]
            .into_iter()
            .flatten()
            {
                named.insert(b.clone());
            }
            if let Some(Attribute::Value(x)) = m.criteria.attribute(3) {
                named.insert(x.unquoted());
            }
        }
    }
    let mut all: Vec<(&(String, String), &String)> =
        versions.iter().flat_map(|(k, vs)| vs.iter().map(move |v| (k, v))).collect();
    let total = all.len();
    // Every third (vendor, product, version): thousands of lookups, a few seconds.
    all = all.into_iter().step_by(3).collect();
    let (mut checked, mut vulnerable) = (0, 0);
    for ((vendor, product), version) in all {
        let Ok(target) = Cpe::from_product(&format!("{vendor}:{product}:{version}")) else { continue };
        let want: BTreeSet<String> = naming
            .get(&(vendor.clone(), product.clone()))
            .into_iter()
            .flatten()
            .filter_map(|i| records.get(*i))
            .filter(|a| {
                a.applicability
                    .as_ref()
                    .is_some_and(|app| app.affects_assuming_platforms(std::slice::from_ref(&target)).vulnerable)
            })
            .map(|a| format!("nvd/{}", a.id))
            .collect();
        let got: BTreeSet<String> = keys(&index.query_product(vendor, product, version)).into_iter().collect();
        assert_eq!(got, want, "{vendor} {product} {version}");
        checked += 1;
        vulnerable += usize::from(!want.is_empty());
    }
    eprintln!("applicability: {checked} of {total} (vendor, product, version) checked, {vulnerable} with hits");
    assert!(checked > 1_000 && vulnerable > 500, "{checked} {vulnerable}");
}
