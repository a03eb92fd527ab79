//! OSV ranges: any JSON range either is refused with an error or evaluates without
//! panicking at each of its own event versions.
#![no_main]

use ch_version::{AffectedRange, Ecosystem, OsvRange};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let eco = Ecosystem::ALL[usize::from(selector) % Ecosystem::ALL.len()];
    let Ok(range) = serde_json::from_slice::<OsvRange>(rest) else { return };
    let Ok(checked) = AffectedRange::new(&range, eco) else { return };
    for e in &range.events {
        let _ = checked.contains_str(e.value());
    }
    // Serialising and reading back gives the same range.
    let json = serde_json::to_string(&range).unwrap();
    assert_eq!(serde_json::from_str::<OsvRange>(&json).unwrap(), range);
});
