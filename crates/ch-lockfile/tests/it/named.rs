//! Real-name files: detection from the name alone, totals, samples, graph
//! classes, and the os-release and product-list paths.

use ch_inventory::{Dependency, WarningKind};
use ch_lockfile::Format;

fn read_named(rel: &str) -> ch_lockfile::Inventory {
    let bytes = crate::read(&format!("named/{rel}"));
    ch_lockfile::read(&bytes, rel, None).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn real_names_are_detected_and_read() {
    #[rustfmt::skip]
    let cases: &[(&str, Format, usize, &str, &str)] = &[
        ("locks-insecure/bun.lock", Format::BunLock, 2, "wrappy", "1.0.2"),
        ("locks-insecure/composer.lock", Format::ComposerLock, 1, "league/flysystem", "1.0.8"),
        ("locks-licenses/package-lock.json", Format::NpmLock, 4, "babel", "6.23.0"),
        ("locks-many-with-insecure/composer.lock", Format::ComposerLock, 6, "drupal/core", "10.4.5"),
        ("locks-many/Gemfile.lock", Format::GemfileLock, 1, "ast", "2.4.2"),
        ("locks-many/composer.lock", Format::ComposerLock, 1, "sentry/sdk", "2.0.4"),
        ("locks-many/package-lock.json", Format::NpmLock, 1, "ansi-html", "0.0.8"),
        ("locks-many/yarn.lock", Format::YarnLock, 1, "balanced-match", "1.0.2"),
        ("locks-requirements/requirements.txt", Format::Requirements, 3, "django", "1.11.29"),
        ("locks-requirements/requirements.prod.txt", Format::Requirements, 1, "django", "2.2.24"),
        ("locks-requirements/requirements-transitive.txt", Format::Requirements, 1, "numpy", "2.3.1"),
        ("locks-scalibr/packages.lock.json", Format::NugetLock, 1, "Newtonsoft.Json", "13.0.3"),
        ("locks-scalibr/uv.lock", Format::UvLock, 2, "protobuf", "4.25.5"),
        ("maven-override/pom.xml", Format::MavenPom, 4, "org.codehaus.plexus:plexus-utils", "3.0"),
        ("maven-transitive/pom.xml", Format::MavenPom, 1, "org.apache.logging.log4j:log4j-web", "2.14.1"),
        ("real-cargo-app/Cargo.lock", Format::CargoLock, 32, "displaydoc", "0.2.5"),
        ("real-go-module/go.mod", Format::GoMod, 206, "charm.land/glamour/v2", "v2.0.1"),
        ("real-npm-app/package-lock.json", Format::NpmLock, 106, "ajv", "6.12.6"),
        ("real-ruby-site/Gemfile.lock", Format::GemfileLock, 51, "addressable", "2.9.0"),
    ];
    let mut total = 0;
    for (rel, format, count, name, version) in cases {
        let inv = read_named(rel);
        assert_eq!(inv.format, *format, "{rel}");
        assert_eq!(inv.components.len(), *count, "{rel}");
        assert!(
            inv.components.iter().any(|c| c.name == *name && c.version.as_deref() == Some(*version)),
            "{rel}: no {name} {version}"
        );
        assert!(inv.components.iter().all(|c| c.purl.is_some() || c.version.is_none()), "{rel}: purls");
        total += inv.components.len();
    }
    // The insecure projects: the versions the matcher must flag are present.
    let npm = read_named("locks-insecure/my-package-lock.json");
    assert_eq!(npm.components[0].name, "ansi-html");
    assert_eq!(npm.components[0].version.as_deref(), Some("0.0.1"));
    eprintln!("named files: {} components", total + npm.components.len());
}

#[test]
fn graph_classes() {
    let go = read_named("real-go-module/go.mod");
    let direct = go.components.iter().filter(|c| c.dependency == Dependency::Direct).count();
    let transitive = go.components.iter().filter(|c| c.dependency == Dependency::Transitive).count();
    assert_eq!(direct + transitive, go.components.len());
    assert!(direct > 10 && transitive > direct, "{direct} {transitive}");

    let cargo = read_named("real-cargo-app/Cargo.lock");
    assert!(cargo.components.iter().any(|c| c.dependency == Dependency::Direct));
    assert!(cargo.warnings.iter().any(|w| w.kind == WarningKind::Skipped), "the workspace crate is reported");

    let ruby = read_named("real-ruby-site/Gemfile.lock");
    assert!(ruby.components.iter().any(|c| c.name == "base64" && c.dependency == Dependency::Direct));
    assert!(ruby.components.iter().all(|c| c.origin.line.is_some()));

    let npm = read_named("real-npm-app/package-lock.json");
    assert!(
        npm.components.iter().all(|c| { c.origin.pointer.as_deref().is_some_and(|p| p.starts_with("/packages/")) })
    );
}

#[test]
fn os_release_pins_the_distribution() {
    let status = crate::read("dpkg/single_status");
    let inv = ch_lockfile::read_with_os_release(
        &status,
        "status",
        None,
        Some("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n"),
    )
    .expect("dpkg");
    let c = &inv.components[0];
    assert_eq!((c.name.as_str(), c.version.as_deref()), ("sudo", Some("1.8.27-1+deb10u1")));
    assert_eq!(c.ecosystem.as_deref(), Some("Debian:12"));
    assert_eq!(c.purl.as_deref(), Some("pkg:deb/debian/sudo@1.8.27-1%2Bdeb10u1?distro=debian-12"));
    assert!(inv.warnings.is_empty(), "{:?}", inv.warnings);

    let installed = crate::read("apk/multiple_installed");
    let inv = ch_lockfile::read_with_os_release(&installed, "installed", None, Some("ID=alpine\nVERSION_ID=3.17.2\n"))
        .expect("apk");
    assert_eq!(inv.format, Format::ApkInstalled);
    assert!(inv.components.iter().all(|c| c.ecosystem.as_deref() == Some("Alpine:v3.17")));

    // Without os-release the release is unknown and the reader says so.
    let inv = ch_lockfile::read(&status, "status", None).expect("dpkg");
    assert_eq!(inv.components[0].ecosystem.as_deref(), Some("Debian"));
    assert!(inv.warnings.iter().any(|w| w.message.contains("os-release")));

    // Source packages: the binary `dmeventd` is reported as source `lvm2`.
    let inv = ch_lockfile::read(&crate::read("dpkg/source_ver_override_status"), "status", None).expect("dpkg");
    let c = &inv.components[0];
    assert_eq!(
        (c.name.as_str(), c.version.as_deref(), c.product.as_deref()),
        ("lvm2", Some("2.02.176-4.1ubuntu3"), Some("dmeventd"))
    );
}

#[test]
fn spreadsheet_product_lists() {
    let csv = "\u{feff}Vendor;Product Name;Version;Owner\nMicrosoft;Exchange Server;15.2.1118.7;IT\nProgress;MOVEit Transfer;2023.0.1;\nCitrix;NetScaler ADC;;\n";
    let inv = ch_lockfile::read(csv.as_bytes(), "software.csv", None).expect("csv");
    assert_eq!(inv.format, Format::ProductCsv);
    let got: Vec<_> = inv
        .components
        .iter()
        .map(|c| (c.vendor.as_deref(), c.product.as_deref(), c.version.as_deref(), c.origin.line))
        .collect();
    assert_eq!(
        got,
        [
            (Some("Microsoft"), Some("Exchange Server"), Some("15.2.1118.7"), Some(2)),
            (Some("Progress"), Some("MOVEit Transfer"), Some("2023.0.1"), Some(3)),
            (Some("Citrix"), Some("NetScaler ADC"), None, Some(4)),
        ]
    );
    assert!(inv.warnings.iter().any(|w| w.kind == WarningKind::Unpinned));

    let json = br#"[{"vendor": "Fortinet", "product": "FortiOS", "version": "7.2.4"},
                    {"CPE 2.3": "cpe:2.3:a:connectwise:screenconnect:23.9.7:*:*:*:*:*:*:*"}]"#;
    let inv = ch_lockfile::read(json, "products.json", Some(Format::ProductJson)).expect("json");
    assert_eq!(inv.components[0].name, "FortiOS");
    let c = &inv.components[1];
    assert_eq!(
        (c.vendor.as_deref(), c.name.as_str(), c.version.as_deref()),
        (Some("connectwise"), "screenconnect", Some("23.9.7"))
    );
    assert!(c.cpe.is_some());
}

#[test]
fn undetectable_input_is_refused() {
    let e = ch_lockfile::read(b"hello world", "notes.md", None).expect_err("undetected");
    assert!(matches!(e, ch_lockfile::Error::Undetected { .. }), "{e}");
    assert!(e.to_string().contains("name the format explicitly"), "{e}");
}

#[test]
fn inventories_serialise_stably() {
    let inv = read_named("locks-many/Gemfile.lock");
    let json = serde_json::to_string(&inv).expect("json");
    assert_eq!(
        json,
        r#"{"format":"gemfile-lock","source_name":"locks-many/Gemfile.lock","components":[{"name":"ast","version":"2.4.2","ecosystem":"RubyGems","purl":"pkg:gem/ast@2.4.2","cpe":null,"vendor":null,"product":null,"origin":{"file":"locks-many/Gemfile.lock","line":4},"dependency":"direct"}],"warnings":[]}"#
    );
}
