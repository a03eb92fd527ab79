#![no_main]
//! OSV JSON and YAML: any input parses or is refused; a parsed record writes back to JSON
//! that parses to the same record, and its advisory reads back from its own OSV record.

use ch_advisory::{Advisory, Format, Osv, validate_osv};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(osv) = Osv::from_json_slice(data) {
        let again = Osv::from_json_slice(osv.to_json_string().as_bytes()).expect("own JSON reads back");
        assert_eq!(again, osv);
        let _ = validate_osv(&osv.to_json_value());
        if let Ok(a) = Advisory::from_osv(osv, Format::OsvJson) {
            let back = Advisory::from_osv(a.osv.clone(), Format::OsvJson).expect("own OSV reads back");
            assert_eq!(back, a);
            for p in &a.packages {
                if let Ok(checked) = p.checked() {
                    for v in &p.versions {
                        let _ = checked.is_affected(v);
                    }
                }
            }
        }
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Osv::from_yaml_str(text);
        let _ = ch_advisory::rustsec::to_osv(text, None);
    }
});
