//! Per-document expectations: names, versions, ecosystems, graph classes.

use ch_inventory::{Component, Dependency, Inventory};
use ch_sbom::Format;

fn load(rel: &str, format: Format) -> Inventory {
    let (bytes, name) = crate::read(rel);
    ch_sbom::read(&bytes, &name, Some(format)).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'a>(inv: &'a Inventory, name: &str) -> &'a Component {
    inv.components.iter().find(|c| c.name == name).unwrap_or_else(|| panic!("{}: no component {name}", inv.source_name))
}

fn keys(inv: &Inventory) -> Vec<(String, Option<String>, Option<String>)> {
    inv.components.iter().map(|c| (c.name.clone(), c.version.clone(), c.purl.clone())).collect()
}

const CDX: &str = "sbom/cyclonedx/bom-examples/SBOM";

#[test]
fn juice_shop_has_1115_npm_components_in_json_and_xml() {
    let json = load(&format!("{CDX}/juice-shop/via_npm/flat/bom.1.4.json"), Format::CycloneDxJson);
    let xml = load(&format!("{CDX}/juice-shop/via_npm/flat/bom.1.4.xml"), Format::CycloneDxXml);
    assert_eq!(json.components.len(), 1115);
    assert!(json.components.iter().all(|c| c.ecosystem.as_deref() == Some("npm")));
    assert!(json.components.iter().all(|c| c.version.is_some() && c.purl.is_some()));
    let first = &json.components[0];
    assert_eq!(first.name, "@babel/helper-string-parser");
    assert_eq!(first.version.as_deref(), Some("7.19.4"));
    assert_eq!(first.origin.pointer.as_deref(), Some("/components/0"));
    // Known-vulnerable versions the matcher must see (Node.js Security WG hits).
    for (name, version) in
        [("jsonwebtoken", "0.4.0"), ("sanitize-html", "1.4.2"), ("lodash", "2.4.2"), ("moment", "2.0.0")]
    {
        assert!(
            json.components.iter().any(|c| c.name == name && c.version.as_deref() == Some(version)),
            "{name} {version}"
        );
    }
    let direct = json.components.iter().filter(|c| c.dependency == Dependency::Direct).count();
    let transitive = json.components.iter().filter(|c| c.dependency == Dependency::Transitive).count();
    assert!(direct > 50 && transitive > 500, "direct {direct}, transitive {transitive}");
    assert_eq!(keys(&json), keys(&xml), "JSON and XML encodings agree");
    assert!(xml.components[0].origin.line.is_some(), "XML origins carry a line");
    let xml_direct = xml.components.iter().filter(|c| c.dependency == Dependency::Direct).count();
    assert_eq!(direct, xml_direct);
}

#[test]
fn laravel_is_the_same_in_every_version_and_encoding() {
    let reference = load(&format!("{CDX}/laravel-7.12.0/bom.1.4.json"), Format::CycloneDxJson);
    assert_eq!(reference.components.len(), 62);
    let c = find(&reference, "guzzlehttp/psr7");
    assert_eq!(c.version.as_deref(), Some("1.9.0"));
    assert_eq!(c.ecosystem.as_deref(), Some("Packagist"));
    let c = find(&reference, "laravel/framework");
    assert_eq!(c.version.as_deref(), Some("v7.30.6"));
    for (file, format) in [
        ("bom.1.1.xml", Format::CycloneDxXml),
        ("bom.1.2.json", Format::CycloneDxJson),
        ("bom.1.2.xml", Format::CycloneDxXml),
        ("bom.1.3.json", Format::CycloneDxJson),
        ("bom.1.3.xml", Format::CycloneDxXml),
        ("bom.1.4.xml", Format::CycloneDxXml),
    ] {
        let inv = load(&format!("{CDX}/laravel-7.12.0/{file}"), format);
        let names =
            |i: &Inventory| i.components.iter().map(|c| (c.name.clone(), c.version.clone())).collect::<Vec<_>>();
        assert_eq!(names(&inv), names(&reference), "{file}");
    }
}

#[test]
fn maven_go_and_npm_sboms() {
    for (file, count, ecosystem, name, version) in [
        ("dropwizard-1.3.15/bom.json", 167, "Maven", "com.google.guava:guava", "24.1.1-jre"),
        ("dropwizard-1.3.15/bom.xml", 167, "Maven", "com.fasterxml.jackson.core:jackson-annotations", "2.9.10"),
        ("keycloak-10.0.2/bom.json", 903, "Maven", "org.bouncycastle:bcprov-jdk15on", "1.62"),
        ("cern-lhc-vdm-editor-e564943/bom.json", 43, "npm", "puppeteer", "1.19.0"),
        ("cern-lhc-vdm-editor-e564943/bom.xml", 43, "npm", "debug", "4.1.1"),
        (
            "proton-bridge/proton-bridge-v1.8.0.bom.json",
            201,
            "Go",
            "github.com/0xAX/notificator",
            "v0.0.0-20191016112426-3962a5ea8da1",
        ),
    ] {
        let format = if file.ends_with(".xml") { Format::CycloneDxXml } else { Format::CycloneDxJson };
        let inv = load(&format!("{CDX}/{file}"), format);
        assert_eq!(inv.components.len(), count, "{file}");
        assert!(inv.components.iter().all(|c| c.ecosystem.as_deref() == Some(ecosystem)), "{file}");
        assert_eq!(find(&inv, name).version.as_deref(), Some(version), "{file}");
    }
    // Victims CVE DB hits in the Maven SBOMs.
    let keycloak = load(&format!("{CDX}/keycloak-10.0.2/bom.json"), Format::CycloneDxJson);
    assert!(
        keycloak
            .components
            .iter()
            .any(|c| c.name == "commons-collections:commons-collections" && c.version.as_deref() == Some("3.2.1"))
    );
}

#[test]
fn spdx_json_and_tag_value_agree_on_the_spec_example() {
    let json = load("sbom/spdx/spdx-spec-2.3/SPDXJSONExample-v2.3.spdx.json", Format::SpdxJson);
    let tv = load("sbom/spdx/spdx-spec-2.3/SPDXTagExample-v2.3.spdx", Format::SpdxTagValue);
    assert_eq!(json.components.len(), 4);
    let glibc = find(&json, "glibc");
    assert_eq!(glibc.version.as_deref(), Some("2.11.1"));
    assert_eq!(glibc.vendor.as_deref(), Some("Jane Doe (jane.doe@example.com)"));
    assert!(glibc.cpe.as_deref().is_some_and(|c| c.starts_with("cpe:2.3:a:")), "{:?}", glibc.cpe);
    let mut a = keys(&json);
    let mut b = keys(&tv);
    a.sort();
    b.sort();
    assert_eq!(a, b);
    assert!(tv.components.iter().all(|c| c.origin.line.is_some()));
}

#[test]
fn spdx_examples() {
    for (file, format, count, name, version) in [
        ("presentations-2.3/01-MinimalSBOM.json", Format::SpdxJson, 1, "tools-java", Some("1.5.1")),
        ("presentations-2.3/03-SBOMwDependency.json", Format::SpdxJson, 2, "org.webjars.npm:xlsx", Some("0.16.6")),
        ("presentations-2.3/ACME-v2.3.spdx.json", Format::SpdxJson, 4, "elliptic", Some("6.5.2")),
        ("software/example11/spdx2.3/sbom.spdx.json", Format::SpdxJson, 4, "hyper", Some("0.14")),
        ("software/example7/spdx2.2/example7-golang.spdx.json", Format::SpdxJson, 2, "go", Some("1.16.4")),
        ("software/example1/spdx2.2/example1.spdx", Format::SpdxTagValue, 1, "hello", None),
    ] {
        let inv = load(&format!("sbom/spdx/spdx-examples/{file}"), format);
        assert_eq!(inv.components.len(), count, "{file}: {:#?}", inv.components);
        assert_eq!(find(&inv, name).version.as_deref(), version, "{file}");
    }
    let dep = load("sbom/spdx/spdx-examples/presentations-2.3/03-SBOMwDependency.json", Format::SpdxJson);
    assert_eq!(find(&dep, "org.webjars.npm:xlsx").dependency, Dependency::Direct);
}

#[test]
fn serialises_with_stable_field_names() {
    let inv = load(&format!("{CDX}/laravel-7.12.0/bom.1.4.json"), Format::CycloneDxJson);
    let v = serde_json::to_value(&inv).expect("serialise");
    assert_eq!(v["format"], "cyclonedx-json");
    assert_eq!(v["components"][0]["name"], "asm89/stack-cors");
    assert_eq!(v["components"][0]["origin"]["pointer"], "/components/0");
}
