//! Package URLs: no panic; the emitted form parses back to the same purl; the OSV mapping
//! never panics and maps back to the same OSV name.
#![no_main]

use ch_purl::Purl;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(p) = text.parse::<Purl>() else { return };
    let again: Purl = p.to_string().parse().unwrap();
    assert_eq!(again, p);
    if let Ok(osv) = p.to_osv()
        && let Ok(back) = Purl::from_osv(osv.ecosystem.name(), &osv.name, None)
    {
        assert_eq!(back.to_osv().map(|o| o.name), Ok(osv.name));
    }
});
