//! proptest laws: the order is total (antisymmetric, transitive, consistent with `==`)
//! per ecosystem, on generated well-formed versions.

use std::cmp::Ordering;

use ch_version::Ecosystem;
use proptest::prelude::*;

fn check_laws(eco: Ecosystem, a: &str, b: &str, c: &str) -> Result<(), TestCaseError> {
    let parse = |s: &str| eco.parse_version(s).map_err(|e| TestCaseError::fail(e.to_string()));
    let (x, y, z) = (parse(a)?, parse(b)?, parse(c)?);
    prop_assert_eq!(x.cmp(&y), y.cmp(&x).reverse(), "antisymmetry {} {}", a, b);
    prop_assert_eq!(x.cmp(&x), Ordering::Equal);
    prop_assert_eq!(x == y, x.cmp(&y) == Ordering::Equal);
    let mut v = [x, y, z];
    v.sort();
    prop_assert!(v[0] <= v[2], "transitivity {} {} {}", v[0], v[1], v[2]);
    prop_assert!(v[0] <= v[1] && v[1] <= v[2]);
    Ok(())
}

macro_rules! law {
    ($name:ident, $eco:expr, $re:expr) => {
        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]
            #[test]
            fn $name(a in $re, b in $re, c in $re) {
                check_laws($eco, &a, &b, &c)?;
            }
        }
    };
}

law!(
    semver,
    Ecosystem::Npm,
    r"v?[0-9]{1,2}(\.[0-9]{1,2}){0,4}(-[0-9A-Za-z-]{1,3}(\.[0-9A-Za-z-]{1,3}){0,2})?(\+[a-z0-9]{1,3})?"
);
law!(
    pypi,
    Ecosystem::PyPI,
    r"([0-9]!)?[0-9]{1,2}(\.[0-9]{1,2}){0,3}((a|b|rc|alpha|c)[0-9]{0,2})?(\.post[0-9])?(\.dev[0-9])?(\+[a-z0-9]{1,3}(\.[a-z0-9]{1,3})?)?|[0-9a-z][0-9a-z.-]{0,7}"
);
// Qualifiers after `-` only: the POM's order is not transitive when a `.qualifier` meets a
// `-qualifier` at the same place (see `maven_order_is_intransitive_as_specified`).
law!(
    maven,
    Ecosystem::Maven,
    r"[0-9]{1,2}(\.[0-9]{1,2}){0,3}(-([0-9]{1,2}|alpha|beta|rc|cr|snapshot|sp|ga|final|foo|a|b|m)){0,3}"
);

/// Maven's version order specification compares separators before values at different
/// separators (`.qualifier < -qualifier`) but a value against a missing one by value
/// alone (`alpha < "" < foo`): so `4-alpha < 4 < 4.foo` and yet `4.foo < 4-alpha`. We
/// answer as the specification (and `ComparableVersion`) does; the index therefore keeps
/// Maven out of anything that sorts (`ch-match` searches Maven versions one by one).
#[test]
fn maven_order_is_intransitive_as_specified() {
    let m = |a: &str, b: &str| Ecosystem::Maven.compare(a, b).unwrap();
    assert_eq!(m("4-alpha", "4"), Ordering::Less);
    assert_eq!(m("4", "4.foo"), Ordering::Less);
    assert_eq!(m("4.foo", "4-alpha"), Ordering::Less);
}
law!(
    nuget,
    Ecosystem::NuGet,
    r"[0-9]{1,2}(\.[0-9]{1,2}){0,3}(-[0-9A-Za-z]{1,3}(\.[0-9A-Za-z]{1,3}){0,2})?(\+[a-z]{1,2})?"
);
law!(rubygems, Ecosystem::RubyGems, r"[0-9]{1,2}(\.([0-9]{1,2}|[a-z]{1,3})){0,4}(-[a-z0-9]{1,3})?");
law!(packagist, Ecosystem::Packagist, r"v?[0-9]{1,2}(\.[0-9]{1,2}){0,3}(-?(dev|alpha|beta|RC|a|b|p|pl)[0-9]?)?");
law!(debian, Ecosystem::Debian, r"([0-9]:)?[0-9][0-9a-z.+~]{0,6}(-[0-9a-z.+~]{1,4})?");
law!(
    alpine,
    Ecosystem::Alpine,
    r"[1-9][0-9]?(\.[0-9]{1,2}){0,3}[a-z]?(_(alpha|beta|pre|rc|cvs|svn|git|hg|p)[0-9]?){0,2}(-r[0-9]{1,2})?"
);
law!(rpm, Ecosystem::RedHat, r"([0-9]{1,2}:)?[0-9a-z.~^_+]{1,8}(-[0-9a-z.~^]{1,5})?");
law!(cran, Ecosystem::Cran, r"[0-9]{1,2}([.-][0-9]{1,2}){0,4}");
