//! Written documents against their official schemas from the shared data (never
//! fetched): OpenVEX 0.2.0 and CycloneDX 1.6 (with its spdx and jsf schemas beside it).

use std::path::{Path, PathBuf};

use ch_vex::{ProductRef, Status, VexDocument, VexStatement, cyclonedx, openvex};
use jsonschema::{Retrieve, Uri};
use serde_json::Value;

use crate::{json_files, openvex_data, shared_data};

/// Serves `$ref`s from one directory by file name; anything else is an error (no network).
struct LocalDir(PathBuf);

impl Retrieve for LocalDir {
    fn retrieve(&self, uri: &Uri<String>) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let name = uri.path().as_str().rsplit('/').next().unwrap_or_default().to_owned();
        let path = self.0.join(&name);
        if name.is_empty() || !path.is_file() {
            return Err(format!("not in {}: {uri}", self.0.display()).into());
        }
        Ok(serde_json::from_str(&std::fs::read_to_string(path)?)?)
    }
}

fn validator(schema: &Path) -> jsonschema::Validator {
    let dir = schema.parent().unwrap().to_owned();
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(schema).unwrap()).unwrap();
    jsonschema::options().should_validate_formats(true).with_retriever(LocalDir(dir)).build(&schema).unwrap()
}

fn assert_valid(validator: &jsonschema::Validator, text: &str, what: &str) {
    let doc: Value = serde_json::from_str(text).unwrap();
    let errors: Vec<String> =
        validator.iter_errors(&doc).map(|e| format!("{}: {e}", e.instance_path())).take(20).collect();
    assert!(errors.is_empty(), "{what}:\n{}\n{text}", errors.join("\n"));
}

/// A document using every field, every status and every product form.
fn everything() -> VexDocument {
    let mut statements = Vec::new();
    for (i, status) in Status::ALL.into_iter().enumerate() {
        let mut s = VexStatement::new(format!("CVE-2024-000{i}"), status);
        s.vulnerability.aliases = vec![format!("GHSA-aaaa-bbbb-000{i}")];
        s.products = vec![
            ProductRef {
                id: "pkg:oci/app@sha256%3Aabc?arch=amd64".into(),
                subcomponents: vec!["pkg:npm/lodash@4.17.20".into(), "cpe:2.3:a:x:y:1:*:*:*:*:*:*:*".into()],
            },
            ProductRef { id: "cpe:/a:vendor:product:2.0".into(), subcomponents: vec![] },
            ProductRef {
                id: "urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#product-ABC".into(),
                subcomponents: vec![],
            },
        ];
        s.justification =
            (status == Status::NotAffected).then_some(ch_vex::Justification::InlineMitigationsAlreadyExist);
        s.impact_statement = Some("runs behind a WAF".into());
        s.action_statement = Some("upgrade to 4.17.21".into());
        s.status_notes = Some("reviewed by the PSIRT".into());
        s.timestamp = Some("2024-05-01T12:00:00+02:00".parse().unwrap());
        s.author = Some(if i % 2 == 0 { "Acme PSIRT".into() } else { "Operator".into() });
        statements.push(s);
    }
    VexDocument {
        id: "https://vex.example.com/docs/1".into(),
        author: "Acme PSIRT".into(),
        role: Some("Document Creator".into()),
        timestamp: Some("2024-05-01T12:00:00Z".parse().unwrap()),
        version: Some(3),
        statements,
    }
}

#[test]
fn written_openvex_validates_against_the_openvex_schema() {
    let v = validator(&shared_data().join("openvex/spec/openvex_json_schema.json"));
    // The validator is real: the documents its README lists as valid pass, an old one fails.
    for rel in ["go-vex-testdata/vex/v0.2.0.json", "vexctl-examples/openvex/demo.vex.json"] {
        assert_valid(&v, &std::fs::read_to_string(shared_data().join("openvex").join(rel)).unwrap(), rel);
    }
    let old: Value = serde_json::from_str(
        &std::fs::read_to_string(shared_data().join("openvex/go-vex-testdata/vex/v0.0.1.json")).unwrap(),
    )
    .unwrap();
    assert!(!v.is_valid(&old));

    let mut written = 0;
    for (rel, doc) in openvex_data::complete() {
        assert_valid(&v, &openvex::emit(&doc).unwrap(), rel);
        written += 1;
    }
    assert_eq!(written, 12);
    let text = openvex::emit(&everything()).unwrap();
    assert_valid(&v, &text, "everything");
    assert_eq!(openvex::parse(text.as_bytes()).unwrap(), everything_as_read());
    // ... and it looks at ours: a missing action statement is caught.
    let mut bad: Value = serde_json::from_str(&text).unwrap();
    bad["statements"][1].as_object_mut().unwrap().remove("action_statement");
    assert!(!v.is_valid(&bad));
}

/// OpenVEX has no statement author: statements read back with the document's.
fn everything_as_read() -> VexDocument {
    let mut d = everything();
    for s in &mut d.statements {
        s.author = Some(d.author.clone());
    }
    d
}

#[test]
fn written_cyclonedx_validates_against_the_1_6_schema() {
    let v = validator(&shared_data().join("sbom/cyclonedx/schema/bom-1.6.schema.json"));
    for rel in ["1.6/valid-vulnerability-1.6.json", "1.6/valid-bom-1.6.json"] {
        let path = shared_data().join("sbom/cyclonedx/spec-tests").join(rel);
        assert_valid(&v, &std::fs::read_to_string(path).unwrap(), rel);
    }
    let text = cyclonedx::emit(&everything()).unwrap();
    assert_valid(&v, &text, "everything");
    assert_eq!(cyclonedx::parse(text.as_bytes()).unwrap(), everything(), "CycloneDX keeps statement authors");

    let mut written = 0;
    for (rel, doc) in openvex_data::complete() {
        assert_valid(&v, &cyclonedx::emit(&doc).unwrap(), rel);
        written += 1;
    }
    let dir = shared_data().join("sbom/cyclonedx/bom-examples/VEX");
    for f in json_files(&dir) {
        let Ok(doc) = cyclonedx::parse(&std::fs::read(dir.join(&f)).unwrap()) else { continue };
        assert_valid(&v, &cyclonedx::emit(&doc).unwrap(), &f);
        written += 1;
    }
    assert_eq!(written, 12 + 30);
    let mut bad: Value = serde_json::from_str(&text).unwrap();
    bad["vulnerabilities"][0]["analysis"]["state"] = "affected".into();
    assert!(!v.is_valid(&bad));
}
