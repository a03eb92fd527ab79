//! VEX readers: no panic on any bytes; what OpenVEX reads and writes reads back the same,
//! and what CycloneDX VEX reads and writes as CycloneDX 1.6 reads back the same.
#![no_main]

use ch_vex::{cyclonedx, openvex};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(doc) = openvex::parse(data) {
        let _ = doc.check();
        if let Ok(text) = openvex::emit(&doc) {
            assert_eq!(openvex::parse(text.as_bytes()).unwrap(), doc);
        }
        let _ = cyclonedx::emit(&doc);
    }
    if let Ok(doc) = cyclonedx::parse(data) {
        if let Ok(text) = cyclonedx::emit(&doc) {
            assert_eq!(cyclonedx::parse(text.as_bytes()).unwrap(), doc);
        }
        let _ = openvex::emit(&doc);
    }
});
