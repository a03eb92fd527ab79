//! Every CycloneDX VEX example in the shared data (`sbom/cyclonedx/bom-examples/VEX`,
//! and the spec tests that carry an `analysis`).

use ch_vex::{Error, Justification, Status, cyclonedx};

use crate::{json_files, shared_data, summary};

fn read(rel: &str) -> Result<ch_vex::VexDocument, Error> {
    let path = shared_data().join("sbom/cyclonedx").join(rel);
    cyclonedx::parse(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

const BOM_LINK_1: &str = "urn:cdx:2c385cf7-e1ee-46e9-a51c-13de1ecb380a/1#acme-product-1";
const BOM_LINK_2: &str = "urn:cdx:6ffac0b2-5246-4fb9-a6fe-7993041856a0/1#acme-product-2";
const BOM_LINK_3: &str = "urn:cdx:240b5b0b-917d-4f48-816c-97e1944d8079/1#acme-product-3";

#[test]
fn every_vex_example_reads_or_is_refused_with_a_reason() {
    let dir = shared_data().join("sbom/cyclonedx/bom-examples/VEX");
    let files = json_files(&dir);
    assert_eq!(files.len(), 39, "{files:?}");
    let (mut read_ok, mut statements, mut refused) = (0, 0, Vec::new());
    for f in &files {
        match read(&format!("bom-examples/VEX/{f}")) {
            Ok(d) => {
                read_ok += 1;
                statements += d.statements.len();
            }
            Err(Error::Unsupported { place, reason, .. }) => refused.push((f.clone(), place, reason)),
            Err(e) => panic!("{f}: {e}"),
        }
    }
    assert_eq!((read_ok, statements), (30, 92), "{refused:#?}");
    // Version ranges and versions of products without a purl: the model names products.
    let refused: Vec<(&str, &str)> = refused.iter().map(|(f, p, _)| (f.as_str(), p.as_str())).collect();
    assert_eq!(
        refused,
        [
            ("CISA-Use-Cases/Case-4/vex.json", "/vulnerabilities/0/affects/0/versions/0"),
            ("CISA-Use-Cases/Case-6/vex.json", "/vulnerabilities/0/affects/0/versions/0"),
            ("CISA-Use-Cases/Case-7/vex.json", "/vulnerabilities/0/affects/0/versions/0"),
            ("CISA-Use-Cases/Case-8/vex.json", "/vulnerabilities/0/affects/0/versions/0"),
            ("Use-Cases/Case-10/vex.json", "/vulnerabilities/0/affects/0/versions/0"),
            ("Use-Cases/Case-4/vex.json", "/vulnerabilities/0/affects/0/versions/0/range"),
            ("Use-Cases/Case-5/vex.json", "/vulnerabilities/0/affects/0/versions/0/range"),
            ("Use-Cases/Case-8/vex.json", "/vulnerabilities/0/affects/0/versions/0/range"),
            ("bom.json", "/specVersion"),
        ]
    );
}

#[test]
fn statements_of_the_use_cases() {
    let s = |v: &str, st: &'static str, p: &[&str]| {
        (v.to_owned(), st, p.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>())
    };
    let cases = [
        ("CISA-Use-Cases/Case-1/vex-affected.json", vec![s("CVE-2021-44228", "affected", &["product-DEF"])]),
        ("CISA-Use-Cases/Case-1/vex-fixed.json", vec![s("CVE-2021-44228", "fixed", &["product-DEF"])]),
        ("CISA-Use-Cases/Case-1/vex-not_affected.json", vec![s("CVE-2021-44228", "not_affected", &["product-ABC"])]),
        (
            "CISA-Use-Cases/Case-1/vex-under_investigation.json",
            vec![s("CVE-2021-44228", "under_investigation", &["product-GHI"])],
        ),
        ("CISA-Use-Cases/Case-5/vex.json", vec![s("CVE-2021-44228", "under_investigation", &["product-XYZ"])]),
        ("Use-Cases/Case-1/vex.json", vec![s("CVE-2020-25649", "not_affected", &["acme-product"])]),
        ("Use-Cases/Case-2/vex.json", vec![s("CVE-2020-25649", "affected", &["acme-product"])]),
        ("Use-Cases/Case-3/vex.json", vec![s("CVE-2020-25649", "under_investigation", &["acme-product"])]),
        (
            "Use-Cases/Case-12/vex.json",
            vec![
                s("CVE-2020-25649", "not_affected", &["acme-product"]),
                s("CVE-2020-35491", "affected", &["acme-product"]),
                s("CVE-2020-14195", "not_affected", &["acme-product"]),
            ],
        ),
        (
            "Use-Cases/Case-13/vex.json",
            vec![
                s("CVE-2020-25649", "not_affected", &[BOM_LINK_1, BOM_LINK_2]),
                s("CVE-2020-25649", "affected", &[BOM_LINK_3]),
            ],
        ),
        ("Use-Cases/Case-6/vex.json", vec![s("CVE-2020-25649", "not_affected", &[BOM_LINK_1, BOM_LINK_2, BOM_LINK_3])]),
        ("Use-Cases/Case-7/vex.json", vec![s("CVE-2020-25649", "not_affected", &[])]),
        (
            "vex.json",
            vec![s(
                "CVE-2020-25649",
                "not_affected",
                &[
                    "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.10.0?type=jar",
                ],
            )],
        ),
    ];
    for (rel, want) in cases {
        let d = read(&format!("bom-examples/VEX/{rel}")).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(summary(&d), want, "{rel}");
    }
    let d = read("bom-examples/VEX/CISA-Use-Cases/Case-3/vex.json").unwrap();
    let count = |st: Status| d.statements.iter().filter(|s| s.status == st).count();
    assert_eq!(
        [count(Status::NotAffected), count(Status::Affected), count(Status::Fixed), count(Status::UnderInvestigation)],
        [6, 5, 3, 5]
    );
    assert!(d.statements.iter().all(|s| s.products.iter().map(|p| p.id.as_str()).eq(["product-GHI"])));

    let d = read("bom-examples/VEX/Use-Cases/Case-12/vex.json").unwrap();
    let [a, b, c] = &d.statements[..] else { panic!("three statements") };
    assert_eq!(a.justification, Some(Justification::VulnerableCodeNotInExecutePath), "code_not_reachable");
    assert!(a.impact_statement.as_deref().unwrap().starts_with("Automated dataflow analysis"));
    assert_eq!(b.action_statement.as_deref(), Some("Update to Acme Product v2.4.0 or higher"), "detail as action");
    assert_eq!(c.justification, Some(Justification::InlineMitigationsAlreadyExist), "protected_by_mitigating_control");
    assert_eq!(a.timestamp, Some("2022-01-13T00:00:00Z".parse().unwrap()), "metadata.timestamp");

    let d = read("bom-examples/VEX/vex.json").unwrap();
    let s = &d.statements[0];
    assert_eq!(s.vulnerability.aliases, ["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"]);
    assert!(s.action_statement.as_deref().unwrap().starts_with("Upgrade com.fasterxml.jackson.core:jackson-databind"));
    assert_eq!(s.timestamp, Some("2021-10-26T00:00:00Z".parse().unwrap()), "vulnerability updated");
    assert!(s.applies_to(&["SNYK-JAVA-COMFASTERXMLJACKSONCORE-1048302"], &s.products[0].id));

    let d = read("bom-examples/VEX/Use-Cases/Case-7/vex.json").unwrap();
    assert_eq!(d.author, "Acme, Inc.");
    assert_eq!(d.statements[0].author.as_deref(), Some("Acme, Inc."));
}

#[test]
fn spec_tests_with_analysis() {
    for rel in ["spec-tests/1.5/valid-vulnerability-1.5.json", "spec-tests/1.6/valid-vulnerability-1.6.json"] {
        let e = read(rel).unwrap_err();
        assert_eq!(e.place(), "/vulnerabilities/0/affects/0/versions/0/range", "{rel}: {e}");
    }
}

#[test]
fn readable_examples_round_trip_through_cyclonedx_1_6() {
    let dir = shared_data().join("sbom/cyclonedx/bom-examples/VEX");
    for f in json_files(&dir) {
        let Ok(doc) = read(&format!("bom-examples/VEX/{f}")) else { continue };
        let bom = cyclonedx::emit(&doc).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert_eq!(cyclonedx::parse(bom.as_bytes()).unwrap(), doc, "{f}");
    }
}
