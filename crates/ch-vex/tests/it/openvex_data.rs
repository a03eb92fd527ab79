//! Every OpenVEX document in the shared data (`openvex/`).

use ch_vex::{Error, Justification, Status, VexDocument, cyclonedx, openvex};

use crate::{json_files, shared_data, summary};

const NGINX: &str = "pkg:oci/nginx@sha256%3A13d22ec63300e16014d4a42aed735207a8b33c223cff19627dd3042e5a10a3a0";
const ALPINE: &str = "pkg:oci/alpine@sha256%3A124c7d2707904eea7431fffe91522a01e5a861a624ee31d03372cc1d138a3126";

/// (file, [(vulnerability, status, products)]) for every OpenVEX document.
/// (vulnerability, status, product ids).
type Want = (&'static str, &'static str, Vec<&'static str>);

fn expected() -> Vec<(&'static str, Vec<Want>)> {
    let git = |distro: &'static str| -> Vec<&'static str> {
        if distro == "wolfi" {
            vec!["pkg:apk/wolfi/git@2.39.0-r1?arch=armv7", "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"]
        } else {
            vec!["pkg:apk/distro/git@2.39.0-r1?arch=armv7", "pkg:apk/distro/git@2.39.0-r1?arch=x86_64"]
        }
    };
    let bash = || vec!["pkg:apk/wolfi/bash@1.0.0"];
    vec![
        ("go-vex-testdata/csaf/openvex.json", vec![("CVE-2014-123456", "fixed", git("distro"))]),
        ("go-vex-testdata/vex/v0.0.1-noversion.json", vec![("CVE-2023-12345", "fixed", git("wolfi"))]),
        ("go-vex-testdata/vex/v0.0.1.json", vec![("CVE-2023-12345", "fixed", git("wolfi"))]),
        (
            "go-vex-testdata/vex/v0.2.0.json",
            vec![
                ("CVE-2023-1255", "fixed", vec![ALPINE]),
                ("CVE-2023-2650", "fixed", vec![ALPINE]),
                ("CVE-2023-2975", "fixed", vec![ALPINE]),
                ("CVE-2023-3446", "not_affected", vec![ALPINE]),
                ("CVE-2023-3817", "not_affected", vec![ALPINE]),
            ],
        ),
        ("go-vex-testdata/vex/v001-1.vex.json", vec![("CVE-1234-5678", "under_investigation", bash())]),
        ("go-vex-testdata/vex/v001-2.vex.json", vec![("CVE-1234-5678", "fixed", bash())]),
        ("go-vex-testdata/vex/v020-1.vex.json", vec![("CVE-9876-54321", "under_investigation", bash())]),
        (
            "go-vex-testdata/vex/v020-2.vex.json",
            vec![("CVE-1234-5678", "under_investigation", vec!["pkg:apk/wolfi/git@2.41.0-1"])],
        ),
        (
            "vexctl-examples/csaf/openvex.json",
            vec![("CVE-2014-123456", "fixed", vec!["pkg:generic/component2@2.39.0-r1"])],
        ),
        ("vexctl-examples/openvex/demo.vex.json", vec![("CVE-2014-123456", "fixed", git("distro"))]),
        ("vexctl-examples/openvex/document1.vex.json", vec![("CVE-1234-5678", "under_investigation", bash())]),
        ("vexctl-examples/openvex/document2.vex.json", vec![("CVE-1234-5678", "fixed", bash())]),
        (
            "vexctl-examples/openvex/images.vex.json",
            vec![
                (
                    "CVE-1234-5678",
                    "under_investigation",
                    vec!["pkg:oci/alpine@sha256%3Af271e74b17ced29b915d351685fd4644785c6d1559dd1f2d4189a5e851ef753a"],
                ),
                ("CVE-1234-5678", "under_investigation", vec!["nginx"]),
                ("CVE-1234-5678", "under_investigation", vec!["registry.k8s.io/kube-apiserver:v1.26.0"]),
                (
                    "CVE-1234-5678",
                    "under_investigation",
                    vec!["pkg:oci/kube-apiserver?repository_url=registry.k8s.io&tag=v1.26.0"],
                ),
            ],
        ),
        (
            "vexctl-examples/openvex/oci-vexctl.openvex.json",
            vec![("CVE-2014-12345678", "not_affected", vec!["pkg:oci/vexctl"])],
        ),
        (
            "vexctl-examples/openvex/test.vex.json",
            vec![("CVE-2009-4487", "not_affected", vec![]), ("CVE-2021-44228", "affected", vec![])],
        ),
        (
            "vexctl-examples/sarif-filtering/sample-1statement.openvex.json",
            vec![("CVE-2023-27103", "not_affected", vec![NGINX])],
        ),
        (
            "vexctl-examples/sarif-filtering/sample-2vulns.openvex.json",
            vec![("CVE-2023-27103", "not_affected", vec![NGINX]), ("CVE-2007-5686", "fixed", vec![NGINX])],
        ),
        (
            "vexctl-examples/sarif-filtering/sample-history.openvex.json",
            vec![("CVE-2023-27103", "not_affected", vec![NGINX]), ("CVE-2023-27103", "not_affected", vec![NGINX])],
        ),
    ]
}

/// Files under `openvex/` that are not OpenVEX JSON documents.
const NOT_OPENVEX: [&str; 4] = [
    "go-vex-testdata/csaf/csaf.json", // CSAF VEX
    "go-vex-testdata/vex/csaf.json",  // CSAF VEX
    "vexctl-examples/csaf/csaf.json", // CSAF VEX
    "vexctl-examples/csaf/sbom.spdx.json",
];

pub(crate) fn read(rel: &str) -> VexDocument {
    let path = shared_data().join("openvex").join(rel);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    openvex::parse(&bytes).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The documents that are complete enough to be written as 0.2.0 as they are.
pub(crate) fn complete() -> Vec<(&'static str, VexDocument)> {
    expected()
        .into_iter()
        .map(|(rel, _)| (rel, read(rel)))
        .filter(|(_, d)| d.timestamp.is_some() && d.version.is_some())
        .collect()
}

#[test]
fn every_openvex_document_reads_into_its_statements() {
    let dir = shared_data().join("openvex");
    let expected = expected();
    let listed: Vec<&str> = expected.iter().map(|(f, _)| *f).chain(NOT_OPENVEX).collect();
    for file in json_files(&dir) {
        if file.starts_with("spec/") {
            continue;
        }
        assert!(listed.contains(&file.as_str()), "{file}: new document without expectations");
    }
    for (rel, want) in &expected {
        let doc = read(rel);
        let want: Vec<(String, &str, Vec<String>)> =
            want.iter().map(|(v, s, p)| ((*v).to_owned(), *s, p.iter().map(|x| (*x).to_owned()).collect())).collect();
        assert_eq!(summary(&doc), want, "{rel}");
        assert!(!doc.author.is_empty() && !doc.id.is_empty(), "{rel}");
        for s in &doc.statements {
            assert_eq!(s.author.as_deref(), Some(doc.author.as_str()), "{rel}: statements inherit the author");
            if doc.timestamp.is_some() {
                assert!(s.timestamp.is_some(), "{rel}: statements inherit the timestamp");
            }
        }
    }
    // CSAF documents are not OpenVEX: refused at @context.
    for rel in &NOT_OPENVEX[..3] {
        let e = openvex::parse(&std::fs::read(dir.join(rel)).unwrap()).unwrap_err();
        assert_eq!(e.place(), "/@context", "{rel}: {e}");
    }
}

#[test]
fn details_of_the_richest_documents() {
    let d = read("go-vex-testdata/vex/v0.2.0.json");
    assert_eq!((d.version, d.role.as_deref()), (Some(1), Some("Demo Writer")));
    assert_eq!(d.timestamp, Some("2023-07-17T18:28:47.696004345-06:00".parse().unwrap()));
    let s = &d.statements[3];
    assert_eq!(s.justification, Some(Justification::VulnerableCodeNotPresent));
    assert_eq!(s.impact_statement.as_deref(), Some("affected functions were removed before packaging"));
    assert_eq!(s.products[0].subcomponents, ["pkg:apk/alpine/libssl3@3.0.8-r3", "pkg:apk/alpine/libcrypto3@3.0.8-r3"]);
    assert!(s.applies_to(&["CVE-2023-3446"], ALPINE));
    assert!(s.applies_to_subcomponent(&["CVE-2023-3446"], ALPINE, "pkg:apk/alpine/libssl3@3.0.8-r3"));

    let d = read("vexctl-examples/sarif-filtering/sample-history.openvex.json");
    let (a, b) = (&d.statements[0], &d.statements[1]);
    assert_eq!(a.vulnerability.aliases, ["SNYK-DEBIAN12-LIBDE265-3361563"]);
    assert_eq!(a.timestamp, Some("2023-08-15T19:55:22.076684217-06:00".parse().unwrap()), "own timestamp");
    assert_eq!(b.timestamp, d.timestamp, "inherited timestamp");
    assert!(a.applies_to(&["SNYK-DEBIAN12-LIBDE265-3361563"], &format!("{NGINX}?arch=amd64")));

    let d = read("vexctl-examples/openvex/test.vex.json");
    assert_eq!(d.statements[1].action_statement.as_deref(), Some("Customers are advised to upgrade"));
    assert_eq!(d.statements[0].justification, Some(Justification::VulnerableCodeNotInExecutePath));

    let d = read("go-vex-testdata/vex/v0.0.1.json");
    assert_eq!(d.version, Some(1), "0.0.x version \"1\"");
    assert!(d.statements[0].applies_to(&["CVE-2023-12345"], "pkg:apk/wolfi/git@2.39.0-r1?arch=x86_64"));
    assert!(!d.statements[0].applies_to(&["CVE-2023-12345"], "pkg:apk/wolfi/git@2.39.0-r1?arch=aarch64"));
    assert_eq!(read("vexctl-examples/openvex/images.vex.json").statements[0].status_notes.as_deref(), Some(""));
}

#[test]
fn openvex_round_trips() {
    let complete = complete();
    let names: Vec<&str> = complete.iter().map(|(f, _)| *f).collect();
    assert_eq!(names.len(), 12, "{names:?}");
    for (rel, doc) in &complete {
        let text = openvex::emit(doc).unwrap_or_else(|e| panic!("{rel}: {e}"));
        assert_eq!(&openvex::parse(text.as_bytes()).unwrap(), doc, "{rel}");
        assert_eq!(openvex::emit(&openvex::parse(text.as_bytes()).unwrap()).unwrap(), text, "{rel}: stable");
    }
    // The incomplete older documents are refused at the missing member; completed, they
    // round-trip too, except bare product names, which are not IRIs.
    for (rel, _) in expected() {
        let mut doc = read(rel);
        if doc.timestamp.is_some() && doc.version.is_some() {
            continue;
        }
        let e = openvex::emit(&doc).unwrap_err();
        assert!(["/@id", "/timestamp", "/version"].contains(&e.place()), "{rel}: {e}");
        doc.timestamp = Some("2024-01-01T00:00:00Z".parse().unwrap());
        doc.version = Some(1);
        if !doc.id.contains(':') {
            doc.id = format!("https://example.com/{}", doc.id);
        }
        match openvex::emit(&doc) {
            Ok(text) => {
                let again = openvex::parse(text.as_bytes()).unwrap();
                assert_eq!(summary(&again), summary(&doc), "{rel}");
            }
            Err(e) => {
                assert_eq!(rel, "vexctl-examples/openvex/images.vex.json");
                assert_eq!(e.place(), "/statements/1/products/0/@id", "{e}");
                assert!(matches!(e, Error::Invalid { .. }));
            }
        }
    }
}

#[test]
fn openvex_documents_survive_cyclonedx() {
    for (rel, _) in expected() {
        let doc = read(rel);
        let bom = cyclonedx::emit(&doc).unwrap_or_else(|e| panic!("{rel}: {e}"));
        let back = cyclonedx::parse(bom.as_bytes()).unwrap_or_else(|e| panic!("{rel}: {e}\n{bom}"));
        assert_eq!(back, doc, "{rel}");
    }
}

#[test]
fn status_is_read_from_every_label() {
    for status in Status::ALL {
        let text = format!(
            r#"{{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://x.example/1", "author": "a",
                "statements": [{{"vulnerability": {{"name": "CVE-1"}}, "status": "{status}",
                "justification": "component_not_present", "action_statement": "upgrade"}}]}}"#
        );
        assert_eq!(openvex::parse(text.as_bytes()).unwrap().statements[0].status, status);
    }
}
