#![no_main]
//! Every lockfile, package-database and product-list reader never panics;
//! what they read survives a JSON round trip.

use ch_inventory::{Format, Inventory};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let format = Format::ALL[usize::from(selector) % Format::ALL.len()];
    let os_release = (selector & 0x80 != 0).then_some("ID=debian\nVERSION_ID=\"12\"\n");
    if let Ok(inv) = ch_lockfile::read_with_os_release(rest, "fuzz", Some(format), os_release) {
        let json = serde_json::to_string(&inv).expect("serialise");
        let back: Inventory = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, inv);
    }
});
