#![no_main]
//! Format detection never panics; purls we build read back to the same
//! package; inventories survive a JSON round trip.

use ch_inventory::{Format, Inventory, parse_purl, purl_for};
use libfuzzer_sys::fuzz_target;

const ECOSYSTEMS: &[&str] =
    &["npm", "PyPI", "Maven", "crates.io", "Go", "RubyGems", "Packagist", "NuGet", "Debian:12", "Alpine:v3.19"];

fuzz_target!(|data: &[u8]| {
    let name = String::from_utf8_lossy(data.get(1..data.len().min(40)).unwrap_or(&[])).into_owned();
    let _ = ch_inventory::detect(data, &name);
    let Some((&selector, rest)) = data.split_first() else { return };
    let text = String::from_utf8_lossy(rest);
    let _ = parse_purl(&text);
    let _ = text.parse::<Format>();
    let eco = ECOSYSTEMS[usize::from(selector) % ECOSYSTEMS.len()];
    let (pkg, version) = text.split_once('@').unwrap_or((&text, "1.0.0"));
    if let Some(purl) = purl_for(eco, pkg, Some(version)) {
        let back = parse_purl(&purl).expect("a purl we built parses");
        assert_eq!(back.version.as_deref(), Some(version), "{purl}");
    }
    let mut inv = Inventory::new(Format::ALL[usize::from(selector) % Format::ALL.len()], &name);
    inv.components.push(ch_inventory::Component::new(
        pkg,
        Some(version.to_owned()),
        Some(eco),
        ch_inventory::Origin::line(&name, 1),
    ));
    let json = serde_json::to_string(&inv).expect("serialise");
    let back: Inventory = serde_json::from_str(&json).expect("deserialise");
    assert_eq!(back, inv);
});
