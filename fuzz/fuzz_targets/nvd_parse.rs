#![no_main]
//! NVD 2.0 records and responses, NVD 1.1 items and feeds: any input parses or is
//! refused; converted advisories read back from their own OSV records.

use ch_advisory::nvd::{Nvd1Feed, Nvd1Item, Nvd2Cve, Nvd2Response};
use ch_advisory::{Advisory, Format};
use libfuzzer_sys::fuzz_target;

fn check(a: Result<Advisory, ch_advisory::Error>, format: Format) {
    if let Ok(a) = a {
        let mut back = Advisory::from_osv(a.osv.clone(), format).expect("emitted OSV converts");
        back.warnings = a.warnings.clone();
        assert_eq!(back, a);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    match selector % 4 {
        0 => {
            if let Ok(c) = Nvd2Cve::from_json_slice(rest) {
                check(c.to_advisory(), Format::Nvd2);
            }
        }
        1 => {
            if let Ok(r) = Nvd2Response::from_json_slice(rest) {
                for v in r.vulnerabilities {
                    check(v.cve.to_advisory(), Format::Nvd2);
                }
            }
        }
        2 => {
            if let Ok(i) = Nvd1Item::from_json_slice(rest) {
                check(i.to_advisory(), Format::Nvd1);
            }
        }
        _ => {
            if let Ok(f) = Nvd1Feed::from_json_slice(rest) {
                for i in f.items {
                    check(i.to_advisory(), Format::Nvd1);
                }
            }
        }
    }
});
