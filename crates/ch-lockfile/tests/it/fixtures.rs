//! Every unit fixture, by hand-checked expectation: the exact components
//! (name, version; "" for none) in order, or the exact error text.

use ch_lockfile::Format;

type Expect = Result<&'static [(&'static str, &'static str)], &'static str>;

#[rustfmt::skip]
const FIXTURES: &[(&str, &str, Expect)] = &[
    ("apk/empty_installed", "apk-installed", Err("apk/empty_installed: expected an apk installed database, found an empty file")),
    ("apk/malformed_installed", "apk-installed", Err("apk/malformed_installed:2:1: expected an apk `K:value` line, found `This is a malformed APK installed file`")),
    ("apk/multiple_installed", "apk-installed", Ok(&[("alpine-baselayout", "3.4.0-r0"), ("musl", "1.2.3-r4"), ("busybox", "1.35.0-r29")])),
    ("apk/not_installed", "apk-installed", Err("apk/not_installed:1:1: expected an apk `K:value` line, found `Not an APK file!`")),
    ("apk/shuffled_installed", "apk-installed", Ok(&[("apk-tools", "2.12.10-r1")])),
    ("apk/single_installed", "apk-installed", Ok(&[("apk-tools", "2.12.10-r1")])),
    ("bundler/has-git-gem.lock", "gemfile-lock", Ok(&[("hanami-controller", "2.0.0.alpha1"), ("hanami-utils", "2.0.0.alpha1"), ("concurrent-ruby", "1.1.7"), ("rack", "2.2.3"), ("transproc", "1.1.1")])),
    ("bundler/has-local-gem.lock", "gemfile-lock", Ok(&[("actionpack", "7.0.2.2"), ("actionview", "7.0.2.2"), ("activesupport", "7.0.2.2"), ("builder", "3.2.4"), ("coffee-script", "2.4.1"), ("coffee-script-source", "1.12.2"), ("concurrent-ruby", "1.1.9"), ("crass", "1.0.6"), ("eco", "1.0.0"), ("eco-source", "1.1.0.rc.1"), ("ejs", "1.1.1"), ("erubi", "1.10.0"), ("execjs", "2.8.1"), ("i18n", "1.10.0"), ("jquery-rails", "4.4.0"), ("loofah", "2.14.0"), ("method_source", "1.0.0"), ("minitest", "5.15.0"), ("nokogiri", "1.13.3"), ("racc", "1.6.0"), ("rack", "2.2.3"), ("rack-test", "1.1.0"), ("rails-dom-testing", "2.0.3"), ("rails-html-sanitizer", "1.4.2"), ("railties", "7.0.2.2"), ("rake", "13.0.6"), ("thor", "1.2.1"), ("tzinfo", "2.0.4"), ("zeitwerk", "2.5.4")])),
    ("bundler/multiple-gems.lock", "gemfile-lock", Ok(&[("bundler-audit", "0.9.0.1"), ("coderay", "1.1.3"), ("dotenv", "2.7.6"), ("method_source", "1.0.0"), ("pry", "0.14.1"), ("thor", "1.2.1")])),
    ("bundler/no-gem-section.lock", "gemfile-lock", Ok(&[])),
    ("bundler/no-gems.lock", "gemfile-lock", Ok(&[])),
    ("bundler/no-spec-section.lock", "gemfile-lock", Ok(&[])),
    ("bundler/one-gem.lock", "gemfile-lock", Ok(&[("ast", "2.4.2")])),
    ("bundler/rails.lock", "gemfile-lock", Ok(&[("actioncable", "7.0.2.2"), ("actionmailbox", "7.0.2.2"), ("actionmailer", "7.0.2.2"), ("actionpack", "7.0.2.2"), ("actiontext", "7.0.2.2"), ("actionview", "7.0.2.2"), ("activejob", "7.0.2.2"), ("activemodel", "7.0.2.2"), ("activerecord", "7.0.2.2"), ("activestorage", "7.0.2.2"), ("activesupport", "7.0.2.2"), ("builder", "3.2.4"), ("concurrent-ruby", "1.1.9"), ("crass", "1.0.6"), ("digest", "3.1.0"), ("erubi", "1.10.0"), ("globalid", "1.0.0"), ("i18n", "1.10.0"), ("io-wait", "0.2.1"), ("loofah", "2.14.0"), ("mail", "2.7.1"), ("marcel", "1.0.2"), ("method_source", "1.0.0"), ("mini_mime", "1.1.2"), ("minitest", "5.15.0"), ("net-imap", "0.2.3"), ("net-pop", "0.1.1"), ("net-protocol", "0.1.2"), ("net-smtp", "0.3.1"), ("nio4r", "2.5.8"), ("nokogiri", "1.13.3"), ("racc", "1.6.0"), ("rack", "2.2.3"), ("rack-test", "1.1.0"), ("rails", "7.0.2.2"), ("rails-dom-testing", "2.0.3"), ("rails-html-sanitizer", "1.4.2"), ("railties", "7.0.2.2"), ("rake", "13.0.6"), ("strscan", "3.0.1"), ("thor", "1.2.1"), ("timeout", "0.2.0"), ("tzinfo", "2.0.4"), ("websocket-driver", "0.7.5"), ("websocket-extensions", "0.1.5"), ("zeitwerk", "2.5.4")])),
    ("bundler/rubocop.lock", "gemfile-lock", Ok(&[("ast", "2.4.2"), ("parallel", "1.21.0"), ("parser", "3.1.1.0"), ("rainbow", "3.1.1"), ("regexp_parser", "2.2.1"), ("rexml", "3.2.5"), ("rubocop", "1.25.1"), ("rubocop-ast", "1.16.0"), ("ruby-progressbar", "1.11.0"), ("unicode-display_width", "2.1.0")])),
    ("bundler/some-gems.lock", "gemfile-lock", Ok(&[("coderay", "1.1.3"), ("method_source", "1.0.0"), ("pry", "0.14.1")])),
    ("cargo/empty.lock", "cargo-lock", Ok(&[])),
    ("cargo/not-toml.txt", "cargo-lock", Err("cargo/not-toml.txt:1:6: expected `=` (key with no value), found `is not valid toml! (I think)`")),
    ("cargo/one-package.lock", "cargo-lock", Ok(&[("addr2line", "0.15.2")])),
    ("cargo/package-with-build-string.lock", "cargo-lock", Ok(&[("wasi", "0.10.2+wasi-snapshot-preview1")])),
    ("cargo/two-packages-with-local.lock", "cargo-lock", Ok(&[("addr2line", "0.15.2")])),
    ("cargo/two-packages.lock", "cargo-lock", Ok(&[("addr2line", "0.15.2"), ("syn", "1.0.73")])),
    ("composer/empty.json", "composer-lock", Ok(&[])),
    ("composer/not-json.txt", "composer-lock", Err("composer/not-json.txt:1:1: expected a JSON value (a composer.lock), found `this is not json!`")),
    ("composer/one-package-dev.json", "composer-lock", Ok(&[("sentry/sdk", "2.0.4")])),
    ("composer/one-package.json", "composer-lock", Ok(&[("sentry/sdk", "2.0.4")])),
    ("composer/two-packages-alt.json", "composer-lock", Ok(&[("sentry/sdk", "2.0.4"), ("theseer/tokenizer", "1.1.3")])),
    ("composer/two-packages.json", "composer-lock", Ok(&[("sentry/sdk", "2.0.4"), ("theseer/tokenizer", "1.1.3")])),
    ("conan/empty.v1.json", "conan-lock", Ok(&[])),
    ("conan/empty.v1.revisions.json", "conan-lock", Ok(&[])),
    ("conan/empty.v2.json", "conan-lock", Ok(&[])),
    ("conan/nested-dependencies.v1.json", "conan-lock", Ok(&[("freetype", "2.12.1"), ("libpng", "1.6.39"), ("zlib", "1.2.13"), ("bzip2", "1.0.8"), ("brotli", "1.0.9")])),
    ("conan/nested-dependencies.v1.revisions.json", "conan-lock", Ok(&[("freetype", "2.12.1"), ("libpng", "1.6.39"), ("zlib", "1.2.13"), ("bzip2", "1.0.8"), ("brotli", "1.0.9")])),
    ("conan/nested-dependencies.v2.json", "conan-lock", Ok(&[("zlib", "1.2.13"), ("libpng", "1.6.39"), ("freetype", "2.12.1"), ("bzip2", "1.0.8"), ("brotli", "1.0.9")])),
    ("conan/no-name.v1.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/no-name.v1.revisions.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/no-name.v2.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/not-json.txt", "conan-lock", Err("conan/not-json.txt:1:1: expected a JSON value (a conan.lock), found `this is not json!`")),
    ("conan/old-format-0.0.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/old-format-0.1.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/old-format-0.2.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/old-format-0.3.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/one-package-dev.v1.json", "conan-lock", Ok(&[("ninja", "1.11.1")])),
    ("conan/one-package-dev.v1.revisions.json", "conan-lock", Ok(&[("ninja", "1.11.1")])),
    ("conan/one-package-dev.v2.json", "conan-lock", Ok(&[("ninja", "1.11.1")])),
    ("conan/one-package.v1.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/one-package.v1.revisions.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/one-package.v2.json", "conan-lock", Ok(&[("zlib", "1.2.11")])),
    ("conan/two-packages.v1.json", "conan-lock", Ok(&[("zlib", "1.2.11"), ("bzip2", "1.0.8")])),
    ("conan/two-packages.v1.revisions.json", "conan-lock", Ok(&[("zlib", "1.2.11"), ("bzip2", "1.0.8")])),
    ("conan/two-packages.v2.json", "conan-lock", Ok(&[("zlib", "1.2.11"), ("bzip2", "1.0.8")])),
    ("csv/commits.csv", "product-csv", Ok(&[("@typescript-eslint/types", "4.9.0"), ("vue", ""), ("addr2line", "0.15.2"), ("babel-preset-php", "")])),
    ("csv/empty.csv", "product-csv", Err("csv/empty.csv: expected a CSV product list, found an empty file")),
    ("csv/multiple-rows.csv", "product-csv", Ok(&[("@typescript-eslint/types", "4.9.0"), ("addr2line", "0.15.2"), ("@typescript-eslint/types", "5.13.0"), ("wasi", "0.10.2+wasi-snapshot-preview1"), ("sentry/sdk", "2.0.4")])),
    ("csv/not-a-csv.xml", "product-csv", Err("csv/not-a-csv.xml:1:1: expected a row `vendor,product,version` or a CPE 2.3 name, found `<project>`")),
    ("csv/one-row.csv", "product-csv", Ok(&[("@typescript-eslint/types", "5.13.0")])),
    ("csv/two-rows.csv", "product-csv", Ok(&[("Yarp.ReverseProxy", ""), ("@typescript-eslint/types", "5.13.0")])),
    ("csv/with-extra-columns.csv", "product-csv", Ok(&[("addr2line", "0.15.2"), ("@typescript-eslint/types", "5.13.0"), ("wasi", "0.10.2+wasi-snapshot-preview1"), ("sentry/sdk", "2.0.4")])),
    ("csv/with-headers.csv", "product-csv", Ok(&[("@typescript-eslint/types", "5.13.0"), ("sentry/sdk", "2.0.4")])),
    ("dpkg/empty_status", "dpkg-status", Err("dpkg/empty_status: expected a dpkg status database, found an empty file")),
    ("dpkg/malformed_status", "dpkg-status", Err("dpkg/malformed_status:1:1: expected a dpkg `Field: value` line, found `Malformed DPKG`")),
    ("dpkg/multiple_status", "dpkg-status", Ok(&[("bash", "5.1-2+deb11u1"), ("util-linux", "2.36.1-8+deb11u1"), ("glibc", "2.31-13+deb11u5"), ("base-files", "12.4+deb12u5")])),
    ("dpkg/not_status", "dpkg-status", Err("dpkg/not_status:1:1: expected a dpkg `Field: value` line, found `Not a dpkg status file!`")),
    ("dpkg/shuffled_status", "dpkg-status", Ok(&[("glibc", "2.31-13+deb11u5")])),
    ("dpkg/single_status", "dpkg-status", Ok(&[("sudo", "1.8.27-1+deb10u1")])),
    ("dpkg/source_ver_override_status", "dpkg-status", Ok(&[("lvm2", "2.02.176-4.1ubuntu3")])),
    ("go/empty.mod", "go-mod", Err("go/empty.mod: expected a go.mod, found an empty file")),
    ("go/indirect-packages.mod", "go-mod", Ok(&[("github.com/BurntSushi/toml", "v1.0.0"), ("gopkg.in/yaml.v2", "v2.4.0"), ("github.com/mattn/go-colorable", "v0.1.9"), ("github.com/mattn/go-isatty", "v0.0.14"), ("golang.org/x/sys", "v0.0.0-20210630005230-0f9fa26af87c")])),
    ("go/not-go-mod.txt", "go-mod", Err("go/not-go-mod.txt:1:1: expected a go.mod directive (module, go, require, replace, ...), found `this is not a go.mod file!`")),
    ("go/one-package.mod", "go-mod", Ok(&[("github.com/BurntSushi/toml", "v1.0.0")])),
    ("go/replace-different.mod", "go-mod", Ok(&[("example.com/fork/foe", "v1.4.5"), ("example.com/fork/foe", "v1.4.2")])),
    ("go/replace-local.mod", "go-mod", Ok(&[("github.com/BurntSushi/toml", "v1.0.0")])),
    ("go/replace-mixed.mod", "go-mod", Ok(&[("example.com/fork/net", "v1.4.5"), ("golang.org/x/net", "v0.5.6")])),
    ("go/replace-no-version.mod", "go-mod", Ok(&[("example.com/fork/net", "v1.4.5")])),
    ("go/replace-not-required.mod", "go-mod", Ok(&[("golang.org/x/net", "v0.5.6"), ("github.com/BurntSushi/toml", "v1.0.0")])),
    ("go/replace-one.mod", "go-mod", Ok(&[("example.com/fork/net", "v1.4.5")])),
    ("go/two-packages.mod", "go-mod", Ok(&[("github.com/BurntSushi/toml", "v1.0.0"), ("gopkg.in/yaml.v2", "v2.4.0")])),
    ("gradle/5-pkg", "gradle-lockfile", Ok(&[("org.springframework.boot:spring-boot-autoconfigure", "2.7.4"), ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5"), ("org.springframework.boot:spring-boot-devtools", "2.7.6"), ("org.springframework.boot:spring-boot-starter-aop", "2.7.7"), ("org.springframework.boot:spring-boot-starter-data-jpa", "2.7.8")])),
    ("gradle/one-pkg", "gradle-lockfile", Ok(&[("org.springframework.security:spring-security-crypto", "5.7.3")])),
    ("gradle/only-comments", "gradle-lockfile", Ok(&[])),
    ("gradle/only-empty", "gradle-lockfile", Ok(&[])),
    ("gradle/with-bad-pkg", "gradle-lockfile", Ok(&[("org.springframework.boot:spring-boot-autoconfigure", "2.7.4"), ("org.springframework.boot:spring-boot-configuration-processor", "2.7.5")])),
    ("gradle-verification-metadata/complex.xml", "gradle-verification-metadata", Ok(&[("com.google:google", "1"), ("com.google.errorprone:javac", "9+181-r4173-1"), ("com.android.tools:sdklib", "31.3.0"), ("com.android.tools.build:aapt2", "8.3.0-10880808"), ("com.android.tools.build:aapt2-proto", "8.3.0-10880808"), ("com.android.tools.build:transform-api", "2.0.0-deprecated-use-gradle-api"), ("com.android.tools.build.jetifier:jetifier-core", "1.0.0-beta10"), ("com.android.tools.build.jetifier:jetifier-processor", "1.0.0-beta10"), ("com.android.tools.emulator:proto", "31.3.0"), ("com.android.tools.external.com-intellij:intellij-core", "31.3.0"), ("com.android.tools.external.com-intellij:kotlin-compiler", "31.3.0"), ("com.android.tools.external.org-jetbrains:uast", "31.3.0"), ("com.facebook:ktfmt", "0.47"), ("com.github.ben-manes:gradle-versions-plugin", "0.51.0"), ("com.github.spullara.mustache.java:compiler", "0.9.6"), ("com.google.android:annotations", "4.1.1.4"), ("com.google.apis:google-api-services-androidpublisher", "v3-rev20231115-2.0.0"), ("com.google.devtools.ksp:symbol-processing", "1.9.22-1.0.17"), ("com.google.devtools.ksp:symbol-processing-api", "1.9.22-1.0.17"), ("com.google.devtools.ksp:symbol-processing-gradle-plugin", "1.9.22-1.0.17"), ("com.google.googlejavaformat:google-java-format", "1.8"), ("com.google.guava:guava", "32.0.0-jre"), ("com.google.guava:guava", "32.0.1-jre"), ("com.google.guava:guava", "32.1.3-jre"), ("com.google.guava:listenablefuture", "1.0"), ("com.google.guava:listenablefuture", "9999.0-empty-to-avoid-conflict-with-guava"), ("com.google.j2objc:j2objc-annotations", "2.8"), ("com.google.jimfs:jimfs", "1.1"), ("com.google.testing.platform:core", "0.0.9-alpha02"), ("com.google.testing.platform:core-proto", "0.0.9-alpha02"), ("com.google.testing.platform:launcher", "0.0.9-alpha02"), ("com.h2database:h2", "2.1.214"), ("com.hankcs:aho-corasick-double-array-trie", "1.2.3"), ("com.jakewharton.android.repackaged:dalvik-dx", "9.0.0_r3"), ("com.samskivert:jmustache", "1.15"), ("com.squareup.curtains:curtains", "1.2.4"), ("com.vaadin.external.google:android-json", "0.0.20131108.vaadin1"), ("commons-logging:commons-logging", "1.2"), ("commons-logging:commons-logging", "1.3.0"), ("commons-validator:commons-validator", "1.7"), ("commons-validator:commons-validator", "1.8.0"), ("de.mannodermaus.gradle.plugins:android-junit5", "1.10.0.0"), ("io.netty:netty-codec-http", "4.1.93.Final"), ("io.netty:netty-codec-http2", "4.1.93.Final"), ("javax.inject:javax.inject", "1"), ("org.jetbrains.intellij.deps:trove4j", "1.0.20200330"), ("org.sonatype.ossindex:ossindex-service-client", "1.8.2"), ("org.tensorflow:tensorflow-lite-metadata", "0.1.0-rc2"), ("org.tukaani:xz", "1.9"), ("org.whitesource:pecoff4j", "0.0.2.1"), ("org.yaml:snakeyaml", "2.2"), ("us.springett:cpe-parser", "2.0.3"), ("org.json:json", "20180813"), ("org.json:json", "20211205"), ("org.json:json", "20220320"), ("junit:junit", "4.12"), ("junit:junit", "4.13"), ("junit:junit", "4.13.1"), ("junit:junit", "4.13.2"), ("com.almworks.sqlite4java:sqlite4java", "0.282"), ("com.almworks.sqlite4java:sqlite4java", "1.0.392"), ("org.apache:apache", "13"), ("org.apache:apache", "15"), ("org.apache:apache", "16"), ("org.apache:apache", "5"), ("org.apache:apache", "9")])),
    ("gradle-verification-metadata/empty.xml", "gradle-verification-metadata", Ok(&[])),
    ("gradle-verification-metadata/multiple-versions.xml", "gradle-verification-metadata", Ok(&[("androidx.activity:activity", "1.2.1"), ("androidx.activity:activity", "1.2.3"), ("androidx.activity:activity", "1.5.1"), ("androidx.activity:activity", "1.6.0"), ("androidx.activity:activity", "1.7.0"), ("androidx.activity:activity", "1.7.2"), ("androidx.activity:activity-compose", "1.5.0"), ("androidx.activity:activity-compose", "1.7.0"), ("androidx.activity:activity-compose", "1.7.2"), ("androidx.activity:activity-ktx", "1.5.1"), ("androidx.activity:activity-ktx", "1.7.0"), ("androidx.activity:activity-ktx", "1.7.2"), ("io.ktor:ktor-serialization-jvm", "2.0.0"), ("io.ktor:ktor-serialization-jvm", "2.0.0-beta-1"), ("io.ktor:ktor-serialization-jvm", "2.0.3"), ("com.google.auto.service:auto-service", "1.0-rc4"), ("com.google.auto.service:auto-service", "1.0.1"), ("com.google.auto.service:auto-service", "1.1.1")])),
    ("gradle-verification-metadata/not-xml.txt", "gradle-verification-metadata", Err("gradle-verification-metadata/not-xml.txt:1:1: expected an XML element, found `this is not a valid xml file!`")),
    ("gradle-verification-metadata/one-package.xml", "gradle-verification-metadata", Ok(&[("org.apache.pdfbox:pdfbox", "2.0.17")])),
    ("gradle-verification-metadata/two-packages.xml", "gradle-verification-metadata", Ok(&[("org.apache.pdfbox:pdfbox", "2.0.17"), ("com.github.javaparser:javaparser-core", "3.6.11")])),
    ("maven/empty.xml", "maven-pom", Ok(&[])),
    ("maven/interpolation.xml", "maven-pom", Ok(&[("org.mine:mypackage", "1.0.0"), ("org.mine:my.package", "2.3.4"), ("org.mine:ranged-package", "")])),
    ("maven/invalid-syntax.xml", "maven-pom", Err("maven/invalid-syntax.xml:3:5: expected an XML element name, found `<${Id}.version>`")),
    ("maven/not-pom.txt", "maven-pom", Err("maven/not-pom.txt:1:1: expected an XML element, found `this is not a pom.xml file!`")),
    ("maven/one-package.xml", "maven-pom", Ok(&[("org.apache.maven:maven-artifact", "1.0.0")])),
    ("maven/two-packages.xml", "maven-pom", Ok(&[("io.netty:netty-all", "4.1.42.Final"), ("org.slf4j:slf4j-log4j12", "1.7.25")])),
    ("maven/with-dependency-management.xml", "maven-pom", Ok(&[("io.netty:netty-all", "4.1.9"), ("org.slf4j:slf4j-log4j12", "1.7.25"), ("com.google.code.findbugs:jsr305", "3.0.2")])),
    ("maven/with-scope.xml", "maven-pom", Ok(&[("abc:xyz", "1.2.3"), ("junit:junit", "4.12")])),
    ("mix/empty.lock", "mix-lock", Ok(&[])),
    ("mix/git.lock", "mix-lock", Ok(&[("foe", ""), ("foo", ""), ("bar", "")])),
    ("mix/many.lock", "mix-lock", Ok(&[("backoff", "1.1.6"), ("decimal", "2.0.0"), ("dialyxir", "1.1.0"), ("earmark", "1.4.3"), ("earmark_parser", "1.4.10"), ("ecto", "3.5.5"), ("erlex", "0.2.6"), ("ex_doc", "0.23.0"), ("makeup", "1.0.5"), ("makeup_elixir", "0.15.0"), ("meck", "0.9.2"), ("mime", "1.5.0"), ("nimble_parsec", "1.1.0"), ("phoenix", "1.4.17"), ("phoenix_html", "2.14.3"), ("phoenix_pubsub", "1.1.2"), ("plug", "1.11.1"), ("plug_crypto", "1.2.2"), ("poolboy", "1.5.2"), ("pow", "1.0.15"), ("telemetry", "0.4.2")])),
    ("mix/one-package.lock", "mix-lock", Ok(&[("plug", "1.11.1")])),
    ("mix/two-packages.lock", "mix-lock", Ok(&[("plug", "1.11.1"), ("plug_crypto", "1.2.2")])),
    ("npm/alias.v1.json", "npm-lock", Ok(&[("@babel/code-frame", "7.0.0"), ("string-width", "5.1.2"), ("string-width", "4.2.0")])),
    ("npm/alias.v2.json", "npm-lock", Ok(&[("@babel/code-frame", "7.0.0"), ("string-width", "5.1.2"), ("string-width", "4.2.0")])),
    ("npm/commits.v1.json", "npm-lock", Ok(&[("@segment/analytics.js-integration-facebook-pixel", ""), ("ansi-styles", "1.0.0"), ("babel-preset-php", ""), ("is-number-1", ""), ("is-number-2", ""), ("is-number-3", ""), ("is-number-4", ""), ("is-number-5", ""), ("is-number-6", ""), ("postcss-calc", "7.0.1"), ("raven-js", ""), ("slick-carousel", "")])),
    ("npm/commits.v2.json", "npm-lock", Ok(&[("@segment/analytics.js-integration-facebook-pixel", ""), ("ansi-styles", "1.0.0"), ("babel-preset-php", ""), ("is-number-1", ""), ("is-number-2", ""), ("is-number-3", ""), ("is-number-4", ""), ("is-number-5", ""), ("postcss-calc", "7.0.1"), ("raven-js", ""), ("slick-carousel", "")])),
    ("npm/empty.v1.json", "npm-lock", Ok(&[])),
    ("npm/empty.v2.json", "npm-lock", Ok(&[])),
    ("npm/files.v1.json", "npm-lock", Ok(&[("lodash", "1.3.1")])),
    ("npm/files.v2.json", "npm-lock", Ok(&[("abbrev", "2.3.4"), ("abbrev", "1.0.9")])),
    ("npm/nested-dependencies-dup.v1.json", "npm-lock", Ok(&[("@vue/component-compiler-utils", "2.6.0"), ("autoprefixer", "9.5.1"), ("babel-code-frame", "6.26.0"), ("css-declaration-sorter", "4.0.1"), ("cssnano", "4.1.10"), ("cssnano-preset-default", "4.0.7"), ("cssnano-util-raw-cache", "4.0.1"), ("friendly-errors-webpack-plugin", "1.7.0"), ("postcss-calc", "7.0.1"), ("postcss-colormin", "4.0.3"), ("postcss-convert-values", "4.0.1"), ("postcss-discard-comments", "4.0.2"), ("postcss-discard-duplicates", "4.0.2"), ("postcss-discard-empty", "4.0.1"), ("postcss-discard-overridden", "4.0.1"), ("postcss-loader", "3.0.0"), ("postcss-merge-longhand", "4.0.11"), ("postcss-merge-rules", "4.0.3"), ("postcss-minify-font-values", "4.0.2"), ("postcss-minify-gradients", "4.0.2"), ("postcss-minify-params", "4.0.2"), ("postcss-minify-selectors", "4.0.2"), ("postcss-normalize-charset", "4.0.1"), ("postcss-normalize-display-values", "4.0.2"), ("postcss-normalize-positions", "4.0.2"), ("postcss-normalize-repeat-style", "4.0.2"), ("postcss-normalize-string", "4.0.2"), ("postcss-normalize-timing-functions", "4.0.2"), ("postcss-normalize-unicode", "4.0.1"), ("postcss-normalize-url", "4.0.1"), ("postcss-normalize-whitespace", "4.0.2"), ("postcss-ordered-values", "4.1.2"), ("postcss-reduce-initial", "4.0.3"), ("postcss-reduce-transforms", "4.0.2"), ("postcss-svgo", "4.0.2"), ("postcss-unique-selectors", "4.0.1"), ("supports-color", "5.5.0"), ("supports-color", "6.1.0"), ("supports-color", "2.0.0")])),
    ("npm/nested-dependencies-dup.v2.json", "npm-lock", Ok(&[("supports-color", "6.1.0"), ("supports-color", "2.0.0")])),
    ("npm/nested-dependencies.v1.json", "npm-lock", Ok(&[("postcss", "6.0.23"), ("postcss-calc", "7.0.1"), ("supports-color", "5.5.0"), ("postcss", "7.0.16"), ("supports-color", "6.1.0")])),
    ("npm/nested-dependencies.v2.json", "npm-lock", Ok(&[("postcss", "6.0.23"), ("postcss-calc", "7.0.1"), ("postcss", "7.0.16"), ("supports-color", "6.1.0"), ("supports-color", "5.5.0")])),
    ("npm/not-json.txt", "npm-lock", Err("npm/not-json.txt:1:1: expected a JSON value (a package-lock.json), found `this is not json!`")),
    ("npm/one-package-dev.v1.json", "npm-lock", Ok(&[("wrappy", "1.0.2")])),
    ("npm/one-package-dev.v2.json", "npm-lock", Ok(&[("wrappy", "1.0.2")])),
    ("npm/one-package.v1.json", "npm-lock", Ok(&[("wrappy", "1.0.2")])),
    ("npm/one-package.v2.json", "npm-lock", Ok(&[("wrappy", "1.0.2")])),
    ("npm/optional-package.v1.json", "npm-lock", Ok(&[("supports-color", "5.5.0"), ("wrappy", "1.0.2")])),
    ("npm/optional-package.v2.json", "npm-lock", Ok(&[("supports-color", "5.5.0"), ("wrappy", "1.0.2")])),
    ("npm/same-package-different-groups.v1.json", "npm-lock", Ok(&[("ajv", "5.5.2"), ("eslint", "1.2.3"), ("table", "1.0.0")])),
    ("npm/same-package-different-groups.v2.json", "npm-lock", Ok(&[("ajv", "5.5.2"), ("eslint", "1.2.3"), ("table", "1.0.0")])),
    ("npm/scoped-packages.v1.json", "npm-lock", Ok(&[("@babel/code-frame", "7.0.0"), ("wrappy", "1.0.2")])),
    ("npm/scoped-packages.v2.json", "npm-lock", Ok(&[("@babel/code-frame", "7.0.0"), ("wrappy", "1.0.2")])),
    ("npm/two-packages.v1.json", "npm-lock", Ok(&[("supports-color", "5.5.0"), ("wrappy", "1.0.2")])),
    ("npm/two-packages.v2.json", "npm-lock", Ok(&[("supports-color", "5.5.0"), ("wrappy", "1.0.2")])),
    ("nuget/empty.v0.json", "nuget-lock", Ok(&[])),
    ("nuget/empty.v1.json", "nuget-lock", Ok(&[])),
    ("nuget/not-json.txt", "nuget-lock", Err("nuget/not-json.txt:1:1: expected a JSON value (a NuGet packages.lock.json), found `this is not json!`")),
    ("nuget/one-framework-one-package.v1.json", "nuget-lock", Ok(&[("Test.Core", "6.0.5")])),
    ("nuget/one-framework-two-packages.v1.json", "nuget-lock", Ok(&[("Test.Core", "6.0.5"), ("Test.System", "0.13.0-beta4")])),
    ("nuget/two-frameworks-different-packages.v1.json", "nuget-lock", Ok(&[("Test.Core", "6.0.5"), ("Test.System", "0.13.0-beta4")])),
    ("nuget/two-frameworks-duplicate-packages.v1.json", "nuget-lock", Ok(&[("Test.Core", "6.0.5")])),
    ("nuget/two-frameworks-mixed-packages.v1.json", "nuget-lock", Ok(&[("Test.Core", "6.0.5"), ("Test.System", "0.13.0-beta4"), ("Test.System", "2.15.0")])),
    ("pdm/dev-dependency.toml", "pdm-lock", Ok(&[("pyroute2", "0.7.11"), ("toml", "0.10.2"), ("win-inet-pton", "1.1.0")])),
    ("pdm/empty.toml", "pdm-lock", Ok(&[])),
    ("pdm/git-dependency.toml", "pdm-lock", Ok(&[("toml", "0.10.2")])),
    ("pdm/not-toml.txt", "pdm-lock", Err("pdm/not-toml.txt:1:6: expected `=` (key with no value), found `is not valid toml! (I think)`")),
    ("pdm/optional-dependency.toml", "pdm-lock", Ok(&[("pyroute2", "0.7.11"), ("toml", "0.10.2"), ("win-inet-pton", "1.1.0")])),
    ("pdm/single-package.toml", "pdm-lock", Ok(&[("toml", "0.10.2")])),
    ("pdm/two-packages.toml", "pdm-lock", Ok(&[("six", "1.16.0"), ("toml", "0.10.2")])),
    ("pip/cyclic-r-complex-1.txt", "requirements", Ok(&[("cyclic-r-complex", "1")])),
    ("pip/cyclic-r-complex-2.txt", "requirements", Ok(&[("cyclic-r-complex", "2")])),
    ("pip/cyclic-r-complex-3.txt", "requirements", Ok(&[("cyclic-r-complex", "3")])),
    ("pip/cyclic-r-self.txt", "requirements", Ok(&[("requests", "1.2.3"), ("pandas", "0.23.4")])),
    ("pip/duplicate-r-base.txt", "requirements", Ok(&[("django", "0.1.0")])),
    ("pip/duplicate-r-dev.txt", "requirements", Ok(&[("pandas", "0.23.4"), ("requests", "1.2.3")])),
    ("pip/duplicate-r-test.txt", "requirements", Ok(&[("requests", "1.2.3"), ("unittest", "1.0.0")])),
    ("pip/empty.txt", "requirements", Ok(&[])),
    ("pip/file-format-example.txt", "requirements", Ok(&[("docopt", "0.6.1")])),
    ("pip/line-continuation.txt", "requirements", Ok(&[("foo", "1.2.3"), ("bar", "4.5\\.6"), ("baz", "7.8.9"), ("qux", "10.11.12")])),
    ("pip/multiple-packages-constrained.txt", "requirements", Ok(&[("astroid", "2.5.1"), ("beautifulsoup4", "4.9.3"), ("boto3", "1.17.19"), ("botocore", "1.20.19"), ("certifi", "2020.12.5"), ("chardet", "4.0.0"), ("circus", "0.17.1"), ("click", "7.1.2"), ("django-debug-toolbar", "3.2.1"), ("django-filter", "2.4.0"), ("django-nose", "1.4.7"), ("django-storages", "1.11.1"), ("django", "2.2.24")])),
    ("pip/multiple-packages-mixed.txt", "requirements", Ok(&[("pandas", "0.23.4"), ("numpy", "1.16.0"), ("scikit-learn", "0.20.1")])),
    ("pip/non-normalized-names.txt", "requirements", Ok(&[("zope-interface", "5.4.0"), ("pillow", "1.0.0"), ("twisted", "20.3.0")])),
    ("pip/one-package-constrained.txt", "requirements", Ok(&[("django", "2.2.24")])),
    ("pip/one-package-unconstrained.txt", "requirements", Ok(&[])),
    ("pip/only-comments.txt", "requirements", Ok(&[])),
    ("pip/other-file.txt", "requirements", Ok(&[("django", "2.2.24")])),
    ("pip/with-added-support.txt", "requirements", Ok(&[("twisted", "20.3.0")])),
    ("pip/with-bad-r-option.txt", "requirements", Ok(&[("requests", "1.2.3")])),
    ("pip/with-multiple-r-options.txt", "requirements", Ok(&[("requests", "1.2.3"), ("pandas", "0.23.4")])),
    ("pip/with-per-requirement-options.txt", "requirements", Ok(&[("boto3", "1.26.121"), ("foo", "1.0.0"), ("fooproject", "1.2")])),
    ("pipenv/empty.json", "pipfile-lock", Ok(&[])),
    ("pipenv/multiple-packages.json", "pipfile-lock", Ok(&[("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1"), ("pluggy", "1.0.1"), ("itsdangerous", "2.1.2"), ("pluggy", "1.0.0")])),
    ("pipenv/no-version.json", "pipfile-lock", Ok(&[])),
    ("pipenv/not-json.txt", "pipfile-lock", Err("pipenv/not-json.txt:1:1: expected a JSON value (a Pipfile.lock), found `this is not json!`")),
    ("pipenv/one-package-dev.json", "pipfile-lock", Ok(&[("markupsafe", "2.1.1")])),
    ("pipenv/one-package.json", "pipfile-lock", Ok(&[("markupsafe", "2.1.1")])),
    ("pipenv/two-packages-alt.json", "pipfile-lock", Ok(&[("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")])),
    ("pipenv/two-packages.json", "pipfile-lock", Ok(&[("itsdangerous", "2.1.2"), ("markupsafe", "2.1.1")])),
    ("pnpm/commits.v9.yaml", "pnpm-lock", Ok(&[("ansi-regex", ""), ("is-number", "")])),
    ("pnpm/commits.yaml", "pnpm-lock", Ok(&[("my-bitbucket-package", ""), ("faker-parser", ""), ("mocks", ""), ("@my-scope/my-other-package", ""), ("@my-scope/my-package", "")])),
    ("pnpm/empty.yaml", "pnpm-lock", Err("pnpm/empty.yaml:1:1 at /: expected a pnpm lockfile mapping with `lockfileVersion`, found an empty document")),
    ("pnpm/exotic.yaml", "pnpm-lock", Ok(&[("@foo/bar", "1.0.0"), ("foo", "1.0.0"), ("foo", "1.4.0"), ("foo", "1.2.0"), ("foo", "1.3.0"), ("@foo/bar", "1.1.0"), ("foo", "1.1.0")])),
    ("pnpm/files.yaml", "pnpm-lock", Ok(&[])),
    ("pnpm/invalid-package-path.yaml", "pnpm-lock", Err("pnpm/invalid-package-path.yaml at /packages/axios@1.2.5: expected a `/name/version` package key (lockfile v5), found `axios@1.2.5`")),
    ("pnpm/mixed-groups.v53.yaml", "pnpm-lock", Ok(&[("ansi-regex", "5.0.1"), ("is-number", "7.0.0"), ("uuid", "8.3.2")])),
    ("pnpm/mixed-groups.v54.yaml", "pnpm-lock", Ok(&[("ansi-regex", "5.0.1"), ("is-number", "7.0.0"), ("uuid", "8.3.2")])),
    ("pnpm/mixed-groups.v6.yaml", "pnpm-lock", Ok(&[("ansi-regex", "5.0.0"), ("is-number", "7.0.0"), ("uuid", "8.0.0")])),
    ("pnpm/mixed-groups.v9.yaml", "pnpm-lock", Ok(&[("ansi-regex", "5.0.1"), ("is-number", "7.0.0"), ("uuid", "8.3.2")])),
    ("pnpm/multiple-packages.yaml", "pnpm-lock", Ok(&[("aws-sdk", "2.1087.0"), ("base64-js", "1.5.1"), ("buffer", "4.9.2"), ("events", "1.1.1"), ("ieee754", "1.1.13"), ("isarray", "1.0.0"), ("jmespath", "0.16.0"), ("punycode", "1.3.2"), ("querystring", "0.2.0"), ("sax", "1.2.1"), ("url", "0.10.3"), ("uuid", "3.3.2"), ("xml2js", "0.4.19"), ("xmlbuilder", "9.0.7")])),
    ("pnpm/multiple-versions.v9.yaml", "pnpm-lock", Ok(&[("uuid", "8.0.0"), ("uuid", "8.3.2"), ("xmlbuilder", "11.0.1")])),
    ("pnpm/multiple-versions.yaml", "pnpm-lock", Ok(&[("uuid", "3.3.2"), ("uuid", "8.3.2"), ("xmlbuilder", "9.0.7")])),
    ("pnpm/no-packages.v9.yaml", "pnpm-lock", Ok(&[])),
    ("pnpm/no-packages.yaml", "pnpm-lock", Ok(&[])),
    ("pnpm/not-yaml.txt", "pnpm-lock", Err("pnpm/not-yaml.txt:1:1 at /: expected a pnpm lockfile mapping with `lockfileVersion`, found the text `this is not valid yaml!`")),
    ("pnpm/one-package-dev.v9.yaml", "pnpm-lock", Ok(&[("acorn", "8.11.3")])),
    ("pnpm/one-package-dev.yaml", "pnpm-lock", Ok(&[("acorn", "8.7.0")])),
    ("pnpm/one-package-v6-lockfile.yaml", "pnpm-lock", Ok(&[("acorn", "8.7.0")])),
    ("pnpm/one-package.v9.yaml", "pnpm-lock", Ok(&[("acorn", "8.11.3")])),
    ("pnpm/one-package.yaml", "pnpm-lock", Ok(&[("acorn", "8.7.0")])),
    ("pnpm/peer-dependencies-advanced.v9.yaml", "pnpm-lock", Ok(&[("@eslint-community/eslint-utils", "4.4.0"), ("@eslint/eslintrc", "2.1.4"), ("@typescript-eslint/eslint-plugin", "5.62.0"), ("@typescript-eslint/parser", "5.62.0"), ("@typescript-eslint/type-utils", "5.62.0"), ("@typescript-eslint/typescript-estree", "5.62.0"), ("@typescript-eslint/utils", "5.62.0"), ("debug", "4.3.4"), ("eslint", "8.57.0"), ("has-flag", "4.0.0"), ("supports-color", "7.2.0"), ("tsutils", "3.21.0"), ("typescript", "4.9.5")])),
    ("pnpm/peer-dependencies-advanced.yaml", "pnpm-lock", Ok(&[("@typescript-eslint/eslint-plugin", "5.13.0"), ("@typescript-eslint/parser", "5.13.0"), ("@typescript-eslint/type-utils", "5.13.0"), ("@typescript-eslint/types", "5.13.0"), ("@typescript-eslint/typescript-estree", "5.13.0"), ("@typescript-eslint/utils", "5.13.0"), ("eslint-utils", "3.0.0"), ("eslint", "8.10.0"), ("tsutils", "3.21.0")])),
    ("pnpm/peer-dependencies.v9.yaml", "pnpm-lock", Ok(&[("acorn-jsx", "5.3.2"), ("acorn", "8.11.3")])),
    ("pnpm/peer-dependencies.yaml", "pnpm-lock", Ok(&[("acorn-jsx", "5.3.2"), ("acorn", "8.7.0")])),
    ("pnpm/scoped-packages-v6-lockfile.yaml", "pnpm-lock", Ok(&[("@typescript-eslint/types", "5.57.1")])),
    ("pnpm/scoped-packages.v9.yaml", "pnpm-lock", Ok(&[("@typescript-eslint/types", "5.62.0")])),
    ("pnpm/scoped-packages.yaml", "pnpm-lock", Ok(&[("@typescript-eslint/types", "5.13.0")])),
    ("pnpm/tarball.yaml", "pnpm-lock", Ok(&[("@my-org/my-package", "")])),
    ("poetry/empty.lock", "poetry-lock", Ok(&[])),
    ("poetry/not-toml.txt", "poetry-lock", Err("poetry/not-toml.txt:1:6: expected `=` (key with no value), found `is not valid toml! (I think)`")),
    ("poetry/one-package-with-metadata.lock", "poetry-lock", Ok(&[("emoji", "2.0.0")])),
    ("poetry/one-package.lock", "poetry-lock", Ok(&[("numpy", "1.23.3")])),
    ("poetry/optional-package.lock", "poetry-lock", Ok(&[("numpy", "1.23.3")])),
    ("poetry/source-git.lock", "poetry-lock", Ok(&[("ike", "0.2.0")])),
    ("poetry/source-legacy.lock", "poetry-lock", Ok(&[("appdirs", "1.4.4")])),
    ("poetry/two-packages.lock", "poetry-lock", Ok(&[("proto-plus", "1.22.0"), ("protobuf", "4.21.5")])),
    ("pub/empty.lock", "pubspec-lock", Err("pub/empty.lock: expected a pubspec.lock, found an empty file")),
    ("pub/mixed-packages.lock", "pubspec-lock", Ok(&[("back_button_interceptor", "6.0.1"), ("build_runner", "2.2.1"), ("shelf", "1.3.2"), ("shelf_web_socket", "1.0.2")])),
    ("pub/no-packages.lock", "pubspec-lock", Ok(&[])),
    ("pub/not-yaml.txt", "pubspec-lock", Err("pub/not-yaml.txt:1:1 at /: expected a mapping with `packages`, found the text `this is not valid yaml!`")),
    ("pub/one-package-dev.lock", "pubspec-lock", Ok(&[("build_runner", "2.2.1")])),
    ("pub/one-package.lock", "pubspec-lock", Ok(&[("back_button_interceptor", "6.0.1")])),
    ("pub/source-git.lock", "pubspec-lock", Ok(&[("flutter_rust_bridge", "1.32.0"), ("screen_retriever", "0.1.2"), ("toggle_switch", "1.4.0"), ("tray_manager", "0.1.8"), ("window_manager", "0.2.7")])),
    ("pub/source-path.lock", "pubspec-lock", Ok(&[])),
    ("pub/source-sdk.lock", "pubspec-lock", Ok(&[])),
    ("pub/two-packages.lock", "pubspec-lock", Ok(&[("shelf", "1.3.2"), ("shelf_web_socket", "1.0.2")])),
    ("renv/empty.lock", "renv-lock", Err("renv/empty.lock:1:1 at /: expected field `Packages`, found an object without it")),
    ("renv/not-json.txt", "renv-lock", Err("renv/not-json.txt:1:1: expected a JSON value (a renv.lock), found `this is not json!`")),
    ("renv/one-package.lock", "renv-lock", Ok(&[("morning", "0.1.0")])),
    ("renv/two-packages.lock", "renv-lock", Ok(&[("markdown", "1.0"), ("mime", "0.7")])),
    ("renv/with-bioconductor.lock", "renv-lock", Ok(&[("BH", "1.75.0-0"), ("BSgenome", "1.60.0")])),
    ("renv/with-mixed-sources.lock", "renv-lock", Ok(&[("markdown", "1.0")])),
    ("renv/without-repository.lock", "renv-lock", Ok(&[("morning", "0.1.0")])),
    ("yarn/commits.v1.lock", "yarn-lock", Ok(&[("mine1", ""), ("mine2", "0.0.1"), ("mine3", "1.2.3"), ("mine4", ""), ("mine4", "0.0.4"), ("my-package", ""), ("@bower_components/angular-animate", ""), ("@bower_components/alertify", "0.0.0"), ("minimist", "0.0.8"), ("bats-assert", ""), ("bats-support", ""), ("bats", ""), ("vue", ""), ("kit", ""), ("casadistance", ""), ("babel-preset-php", ""), ("is-number", "")])),
    ("yarn/commits.v2.lock", "yarn-lock", Ok(&[("@my-scope/my-first-package", ""), ("@typegoose/typegoose", ""), ("is-really-great", ""), ("my-node-sdk", ""), ("my-second-package", ""), ("my-third-package", ""), ("vuejs", "")])),
    ("yarn/empty.v1.lock", "yarn-lock", Ok(&[])),
    ("yarn/empty.v2.lock", "yarn-lock", Ok(&[])),
    ("yarn/files.v1.lock", "yarn-lock", Ok(&[("etag", "1.8.1"), ("lodash", "1.3.1")])),
    ("yarn/files.v2.lock", "yarn-lock", Ok(&[])),
    ("yarn/metadata-only.v2.lock", "yarn-lock", Ok(&[])),
    ("yarn/multiple-constraints.v1.lock", "yarn-lock", Ok(&[("domelementtype", "1.3.1"), ("@babel/code-frame", "7.12.13")])),
    ("yarn/multiple-versions.v1.lock", "yarn-lock", Ok(&[("define-properties", "1.1.3"), ("define-property", "0.2.5"), ("define-property", "1.0.0"), ("define-property", "2.0.2")])),
    ("yarn/multiple-versions.v2.lock", "yarn-lock", Ok(&[("debug", "4.3.3"), ("debug", "2.6.9"), ("debug", "3.2.7")])),
    ("yarn/one-package.v1.lock", "yarn-lock", Ok(&[("balanced-match", "1.0.2")])),
    ("yarn/one-package.v2.lock", "yarn-lock", Ok(&[("balanced-match", "1.0.2")])),
    ("yarn/scoped-packages.v1.lock", "yarn-lock", Ok(&[("@babel/code-frame", "7.12.11"), ("@babel/compat-data", "7.14.0")])),
    ("yarn/scoped-packages.v2.lock", "yarn-lock", Ok(&[("@babel/cli", "7.16.8"), ("@babel/code-frame", "7.16.7"), ("@babel/compat-data", "7.16.8")])),
    ("yarn/two-packages.v1.lock", "yarn-lock", Ok(&[("concat-map", "0.0.1"), ("concat-stream", "1.6.2")])),
    ("yarn/two-packages.v2.lock", "yarn-lock", Ok(&[("compare-func", "2.0.0"), ("concat-map", "0.0.1")])),
    ("yarn/with-aliases.v1.lock", "yarn-lock", Ok(&[("ansi-regex", "5.0.1"), ("ansi-regex", "6.0.1"), ("@babel/helper-validator-identifier", "7.22.20")])),
    ("yarn/with-aliases.v2.lock", "yarn-lock", Ok(&[("ansi-regex", "5.0.1"), ("ansi-regex", "6.0.1"), ("@babel/helper-validator-identifier", "7.22.20")])),
    ("yarn/with-build-string.v1.lock", "yarn-lock", Ok(&[("domino", ""), ("tslib", "2.6.2")])),
    ("yarn/with-build-string.v2.lock", "yarn-lock", Ok(&[("domino", ""), ("tslib", "2.6.2")])),
    ("yarn/with-prerelease.v1.lock", "yarn-lock", Ok(&[("css-tree", "1.0.0-alpha.37"), ("gensync", "1.0.0-beta.2"), ("node-fetch", "3.0.0-beta.9"), ("resolve", "1.20.0"), ("resolve", "2.0.0-next.3")])),
    ("yarn/with-prerelease.v2.lock", "yarn-lock", Ok(&[("@nicolo-ribaudo/chokidar-2", "2.1.8-no-fsevents.3"), ("gensync", "1.0.0-beta.2")])),
    ("yarn/with-quotes.v1.lock", "yarn-lock", Ok(&[("concat-map", "0.0.1"), ("concat-stream", "1.6.2")])),
    ("yarn/with-quotes.v2.lock", "yarn-lock", Ok(&[("compare-func", "2.0.0"), ("concat-map", "0.0.1")])),
];

#[test]
fn every_unit_fixture() {
    let (mut ok_files, mut components, mut errors) = (0, 0, 0);
    let mut failures = Vec::new();
    for (rel, format, expect) in FIXTURES {
        let format: Format = format.parse().expect("format name");
        let result = ch_lockfile::read(&crate::read(rel), rel, Some(format));
        match (result, expect) {
            (Ok(inv), Ok(want)) => {
                ok_files += 1;
                let got: Vec<(&str, &str)> =
                    inv.components.iter().map(|c| (c.name.as_str(), c.version.as_deref().unwrap_or(""))).collect();
                if got != *want {
                    failures.push(format!("{rel}: got {got:?}"));
                }
                if inv.components.is_empty() && inv.warnings.is_empty() {
                    failures.push(format!("{rel}: silent empty result"));
                }
                components += want.len();
            }
            (Err(e), Err(want)) => {
                errors += 1;
                if e.to_string() != *want {
                    failures.push(format!("{rel}: error {e}"));
                }
            }
            (Ok(inv), Err(_)) => failures.push(format!("{rel}: accepted with {} components", inv.components.len())),
            (Err(e), Ok(_)) => failures.push(format!("{rel}: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    eprintln!("lockfile fixtures: {ok_files} parsed ({components} components asserted), {errors} rejected");
    assert_eq!(ok_files + errors, FIXTURES.len());
}

/// Every fixture directory is covered by the table (a new fixture fails
/// until it gets an expectation).
#[test]
fn table_covers_the_corpus() {
    let root = crate::shared().join("lockfiles");
    let mut missing = Vec::new();
    for dir in std::fs::read_dir(&root).expect("lockfiles dir") {
        let dir = dir.expect("entry").path();
        if !dir.is_dir() || dir.ends_with("named") {
            continue;
        }
        for f in std::fs::read_dir(&dir).expect("format dir") {
            let f = f.expect("entry").path();
            let rel = f.strip_prefix(&root).expect("prefix").to_string_lossy().into_owned();
            if !FIXTURES.iter().any(|(r, _, _)| *r == rel) {
                missing.push(rel);
            }
        }
    }
    assert!(missing.is_empty(), "fixtures without expectations: {missing:?}");
}

/// Negative files (`not-*`, `empty*`, `malformed*`, `invalid-*`) fail with a
/// located "expected X, found Y", or are valid empty lockfiles that say so.
#[test]
fn negative_cases_are_errors_or_declared_empty() {
    let negative = |rel: &str| {
        let name = rel.rsplit('/').next().unwrap_or(rel);
        ["not", "empty", "malformed", "invalid", "only", "no-"].iter().any(|p| name.starts_with(p))
    };
    let mut checked = 0;
    for (rel, format, expect) in FIXTURES.iter().filter(|(r, _, _)| negative(r)) {
        checked += 1;
        let format: Format = format.parse().expect("format name");
        match (ch_lockfile::read(&crate::read(rel), rel, Some(format)), expect) {
            (Err(e), Err(_)) => {
                let text = e.to_string();
                assert!(text.contains("expected ") && text.contains(", found "), "{text}");
                let located = e.location().is_some_and(|l| l.line.is_some() || l.pointer.is_some());
                assert!(located || matches!(e, ch_lockfile::Error::Empty { .. }), "{text}");
            }
            (Ok(inv), Ok(want)) => {
                if want.is_empty() {
                    assert!(
                        inv.warnings.iter().any(|w| w.kind == ch_inventory::WarningKind::NoComponents),
                        "{rel}: empty result without a NoComponents warning"
                    );
                }
            }
            (got, _) => panic!("{rel}: {got:?}"),
        }
    }
    assert!(checked >= 45, "{checked}");
}
