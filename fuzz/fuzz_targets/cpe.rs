//! CPE names: no panic; both bindings round-trip; a name without wildcards matches itself.
#![no_main]

use ch_cpe::{Cpe, VendorVersion};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let a = VendorVersion::new(text);
    assert_eq!(a.cmp(&a), std::cmp::Ordering::Equal);
    let Ok(c) = text.parse::<Cpe>() else { return };
    assert_eq!(Cpe::parse_formatted(&c.to_formatted()).unwrap(), c);
    assert_eq!(Cpe::parse_uri(&c.to_uri()).unwrap(), c);
    assert_ne!(c.compare(&c), ch_cpe::NameRelation::Disjoint);
});
