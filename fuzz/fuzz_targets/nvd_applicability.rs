//! NVD configurations: any JSON reads or is refused; evaluation never panics.
#![no_main]

use ch_cpe::{Applicability, Cpe};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    let Ok(a) = Applicability::from_json(&json) else { return };
    let inventory: Vec<Cpe> = a.cpe_matches().iter().map(|m| m.criteria.clone()).collect();
    let _ = a.affects(&inventory);
    let _ = a.affects_assuming_platforms(&inventory);
});
