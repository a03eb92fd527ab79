#![no_main]
//! The SBOM readers never panic; what they read survives a JSON round trip.

use ch_inventory::{Format, Inventory};
use libfuzzer_sys::fuzz_target;

const FORMATS: &[Format] = &[Format::CycloneDxJson, Format::CycloneDxXml, Format::SpdxJson, Format::SpdxTagValue];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let format = FORMATS[usize::from(selector) % FORMATS.len()];
    if let Ok(inv) = ch_sbom::read(rest, "fuzz", Some(format)) {
        let json = serde_json::to_string(&inv).expect("serialise");
        let back: Inventory = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, inv);
    }
    let _ = ch_sbom::read(rest, "fuzz", None);
});
