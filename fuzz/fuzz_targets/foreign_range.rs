//! Foreign range syntaxes: no panic, and every translation is a valid OSV range.
#![no_main]

use ch_version::AffectedRange;
use ch_version::foreign::{Syntax, to_osv_range};
use libfuzzer_sys::fuzz_target;

const SYNTAXES: [Syntax; 5] = [Syntax::Npm, Syntax::Composer, Syntax::Maven, Syntax::RubyGems, Syntax::Pep440];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, rest)) = data.split_first() else { return };
    let Ok(text) = std::str::from_utf8(rest) else { return };
    let syntax = SYNTAXES[usize::from(selector) % SYNTAXES.len()];
    if let Ok(range) = to_osv_range(syntax, text) {
        AffectedRange::new(&range, syntax.ecosystem()).unwrap();
    }
});
