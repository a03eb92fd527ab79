//! Versions per ecosystem: parsing never panics; the order is reflexive and
//! antisymmetric on any two versions that parse.
#![no_main]

use ch_version::Ecosystem;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let eco = Ecosystem::ALL[usize::from(selector) % Ecosystem::ALL.len()];
    let (a, b) = text.split_once('\n').unwrap_or((text, "1.0"));
    let (Ok(x), Ok(y)) = (eco.parse_version(a), eco.parse_version(b)) else { return };
    assert_eq!(x.cmp(&x), std::cmp::Ordering::Equal);
    assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "{eco}: {a:?} {b:?}");
    // Parsing is a function of the string.
    assert_eq!(eco.parse_version(x.as_str()).map(|v| v.cmp(&x)), Ok(std::cmp::Ordering::Equal));
});
