#![no_main]
//! CVE JSON 5: any input parses or is refused; a converted record's OSV is strict OSV that
//! reads back into the same advisory, and product status questions never panic.

use ch_advisory::cve5::Cve5Record;
use ch_advisory::{Advisory, Format, Osv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(record) = Cve5Record::from_json_slice(data) else { return };
    let Ok(a) = record.to_advisory() else { return };
    let osv = Osv::from_json_slice(a.osv.to_json_string().as_bytes()).expect("emitted OSV reads back");
    let mut back = Advisory::from_osv(osv, Format::Cve5).expect("emitted OSV converts");
    back.warnings = a.warnings.clone();
    assert_eq!(back, a);
    for p in &a.products {
        for v in &p.versions {
            let _ = p.status(&v.version);
            for end in v.less_than.iter().chain(&v.less_than_or_equal) {
                let _ = p.status(end);
            }
        }
    }
});
