//! CVSS vectors: no panic; a parsed vector's canonical form parses to the same score.
#![no_main]

use ch_cvss::Cvss;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(v) = Cvss::parse(text) else { return };
    let again = Cvss::parse(&v.vector()).unwrap();
    assert_eq!(again.score(), v.score());
    assert_eq!(again.severity(), v.severity());
    assert!((0.0..=10.0).contains(&v.score()));
});
