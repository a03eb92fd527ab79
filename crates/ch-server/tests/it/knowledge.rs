//! The knowledge base through the API: real advisories imported into the store (both
//! backends), then the OSV API and our advisory API asked about them.
//!
//! The range test is the conformance check of the whole chain (import, store, index,
//! API): for every imported advisory it probes each SEMVER / ECOSYSTEM range at its
//! events and just below them, and compares `/v1/querybatch`'s answer with an oracle
//! written here from the OSV specification's evaluation rule (sort the events; a version
//! is affected when the last event at or below it is `introduced`, or when it is at most
//! a `last_affected` that follows an `introduced`), using only `ch-version`'s ordering.

use std::cmp::Ordering;
use std::path::PathBuf;

use anyhow::{Context, ensure};
use ch_advisory::Advisory;
use ch_knowledge::ImportOptions;
use ch_testkit::each_backend;
use ch_version::{Ecosystem, Event, RangeType};
use serde_json::{Value, json};

use crate::{api, app, send};

use ch_testkit::shared_data as shared;

async fn import(a: &crate::App, rels: &[&str]) -> anyhow::Result<ch_knowledge::ImportSummary> {
    let paths: Vec<PathBuf> = rels.iter().map(|r| shared(r)).collect();
    for p in &paths {
        ensure!(p.exists(), "shared data missing: {}", p.display());
    }
    Ok(a.state.knowledge.import(&paths, &ImportOptions::default(), &mut |_| {}).await?)
}

/// The OSV rule, written independently of the index.
fn oracle(eco: Ecosystem, a: &Advisory, pkg: usize, version: &str) -> Option<bool> {
    let p = a.packages.get(pkg)?;
    let v = eco.parse_version(version).ok()?;
    if p.versions.iter().any(|x| x == version || eco.parse_version(x).is_ok_and(|x| x == v)) {
        return Some(true);
    }
    for r in p.ranges.iter().filter(|r| r.kind != RangeType::Git) {
        // Sort events by version ("0" first); evaluate the last one at or below v.
        let mut evs: Vec<(Option<ch_version::Version>, &Event)> = Vec::new();
        for e in &r.events {
            let at = if e.value() == "0" && matches!(e, Event::Introduced(_)) {
                None
            } else {
                Some(eco.parse_version(e.value()).ok()?)
            };
            evs.push((at, e));
        }
        evs.sort_by(|x, y| match (&x.0, &y.0) {
            (None, None) => Ordering::Equal,
            (None, _) => Ordering::Less,
            (_, None) => Ordering::Greater,
            (Some(a), Some(b)) => a.cmp(b),
        });
        let mut affected = false;
        let mut last_introduced = false;
        for (at, e) in &evs {
            let le = at.as_ref().is_none_or(|x| *x <= v);
            match e {
                Event::Introduced(_) if le => {
                    affected = true;
                    last_introduced = true;
                }
                Event::Fixed(_) | Event::Limit(_) if le => {
                    affected = false;
                    last_introduced = false;
                }
                Event::LastAffected(_) if at.as_ref().is_some_and(|x| *x < v) => {
                    affected = false;
                    last_introduced = false;
                }
                Event::LastAffected(_) if last_introduced => affected = true,
                _ => {}
            }
        }
        if affected {
            return Some(true);
        }
    }
    Some(false)
}

/// A version just below `v`, when one is easy to write: the last number, less one.
fn just_below(v: &str) -> Option<String> {
    let end = v.rfind(|c: char| c.is_ascii_digit())?;
    let start = v[..=end].rfind(|c: char| !c.is_ascii_digit()).map(|i| i + 1).unwrap_or(0);
    let n: u64 = v[start..=end].parse().ok()?;
    let below = n.checked_sub(1)?;
    Some(format!("{}{}{}", &v[..start], below, &v[end + 1..]))
}

#[tokio::test]
async fn range_answers_agree_with_the_advisories_own_events() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let s = import(&a, &["osv/rustsec.jsonl.zst", "osv/pypa.jsonl.zst", "osv/ghsa-sbom-sample.jsonl.zst"]).await?;
        ensure!(s.progress.inserted > 3_800, "imported {:?}", s.progress);

        // Probes: (ecosystem, name, version, advisory id, expected).
        let mut probes: Vec<(String, String, String, String, bool)> = Vec::new();
        {
            let index = a.state.knowledge.index();
            for (_, adv) in index.records() {
                if adv.withdrawn.is_some() {
                    continue;
                }
                for (i, p) in adv.packages.iter().enumerate() {
                    let Some(eco) = p.known_ecosystem else { continue };
                    let mut versions: Vec<String> = Vec::new();
                    for r in p.ranges.iter().filter(|r| r.kind != RangeType::Git) {
                        for e in &r.events {
                            if e.value() != "0" {
                                versions.push(e.value().to_owned());
                                versions.extend(just_below(e.value()));
                            }
                        }
                    }
                    for v in versions {
                        // The whole advisory answers: any of its entries for this package.
                        let mut expected = None;
                        for (j, q) in adv.packages.iter().enumerate() {
                            if q.ecosystem == p.ecosystem && q.normalised_name == p.normalised_name {
                                match oracle(eco, adv, j, &v) {
                                    Some(true) => expected = Some(true),
                                    Some(false) => expected = expected.or(Some(false)),
                                    None => {}
                                }
                            }
                        }
                        let _ = i;
                        if let Some(exp) = expected {
                            probes.push((p.ecosystem.clone(), p.name.clone(), v, adv.id.clone(), exp));
                        }
                    }
                }
            }
        }
        ensure!(probes.len() > 10_000, "only {} probes", probes.len());
        let (mut yes, mut no) = (0, 0);
        for chunk in probes.chunks(1_000) {
            let queries: Vec<Value> = chunk
                .iter()
                .map(|(e, n, v, _, _)| json!({"package": {"ecosystem": e, "name": n}, "version": v}))
                .collect();
            let r = send(&a.router, api("POST", "/v1/querybatch", None, Some(&json!({"queries": queries})))).await?;
            ensure!(r.status == 200, "querybatch: {} {}", r.status, r.text());
            let body = r.json()?;
            let results = body["results"].as_array().context("results")?;
            ensure!(results.len() == chunk.len());
            for ((e, n, v, id, exp), res) in chunk.iter().zip(results) {
                let got = res["vulns"].as_array().is_some_and(|vs| vs.iter().any(|x| x["id"] == id.as_str()));
                ensure!(got == *exp, "{e}/{n}@{v}: {id} expected affected={exp}, the API said {got}");
                if *exp { yes += 1 } else { no += 1 }
            }
        }
        ensure!(yes > 3_000 && no > 3_000, "probes too one-sided: {yes} affected, {no} not");
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn osv_api_shapes_and_errors() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        import(&a, &["osv/rustsec.jsonl.zst", "kev/known_exploited_vulnerabilities.json", "cve/nvd-1.1-kev.jsonl.zst"])
            .await?;
        let q = |body: Value| api("POST", "/v1/query", None, Some(&body));

        // RUSTSEC-2020-0071: time < 0.2.23 (local time segfault).
        let r = send(&a.router, q(json!({"package": {"name": "time", "ecosystem": "crates.io"}, "version": "0.1.40"})))
            .await?;
        ensure!(r.status == 200, "{}", r.text());
        let ids: Vec<String> = r.json()?["vulns"]
            .as_array()
            .context("vulns")?
            .iter()
            .filter_map(|v| v["id"].as_str().map(str::to_owned))
            .collect();
        ensure!(ids.contains(&"RUSTSEC-2020-0071".to_owned()), "{ids:?}");
        // The same through a purl, and the fixed version is clean of it.
        let r = send(&a.router, q(json!({"package": {"purl": "pkg:cargo/time@0.1.40"}}))).await?;
        ensure!(r.text().contains("RUSTSEC-2020-0071"));
        let r = send(&a.router, q(json!({"package": {"name": "time", "ecosystem": "crates.io"}, "version": "0.2.23"})))
            .await?;
        ensure!(r.status == 200 && !r.text().contains("RUSTSEC-2020-0071"), "{}", r.text());
        // Nothing known: `{}`.
        let r = send(
            &a.router,
            q(json!({"package": {"name": "no-such-crate-xyz", "ecosystem": "crates.io"}, "version": "1.0.0"})),
        )
        .await?;
        ensure!(r.status == 200 && r.json()? == json!({}), "{}", r.text());
        // Errors as api.osv.dev: code 3 with HTTP 400.
        for bad in [
            json!({"package": {"purl": "pkg:cargo/time@0.1.40", "ecosystem": "crates.io"}}),
            json!({"package": {"purl": "pkg:cargo/time@0.1.40", "name": "time"}}),
            json!({"package": {"purl": "pkg:cargo/time@0.1.40"}, "version": "0.1.40"}),
            json!({"package": {"purl": "not a purl"}}),
            json!({"commit": "abc", "version": "1.0"}),
            json!({}),
            json!({"package": {"name": "time", "ecosystem": "crates.io"}, "version": "1.0", "page_token": "zzz"}),
        ] {
            let r = send(&a.router, q(bad.clone())).await?;
            ensure!(r.status == 400, "{bad}: {} {}", r.status, r.text());
            let body = r.json()?;
            ensure!(body["code"] == 3 && body["message"].as_str().is_some_and(|m| !m.is_empty()), "{bad}: {body}");
        }
        let r = send(&a.router, api("POST", "/v1/query", None, None)).await?;
        ensure!(r.status == 400 && r.json()?["code"] == 3, "empty body: {}", r.text());

        // /v1/vulns: by id and by alias; unknown is 404 code 5.
        let r = send(&a.router, api("GET", "/v1/vulns/RUSTSEC-2020-0071", None, None)).await?;
        ensure!(r.status == 200 && r.json()?["id"] == "RUSTSEC-2020-0071");
        let alias = {
            let index = a.state.knowledge.index();
            let adv = index.get("RUSTSEC-2020-0071");
            adv.first().and_then(|x| x.aliases.first().cloned()).context("RUSTSEC-2020-0071 has an alias")?
        };
        let r = send(&a.router, api("GET", &format!("/v1/vulns/{alias}"), None, None)).await?;
        ensure!(r.status == 200, "{alias}: {}", r.text());
        let r = send(&a.router, api("GET", "/v1/vulns/NOT-AN-ID-1", None, None)).await?;
        ensure!(r.status == 404 && r.json()? == json!({"code": 5, "message": "Bug not found."}), "{}", r.text());

        // Batch: ids and modified only, in order; too many queries is refused.
        let body = json!({"queries": [
            {"package": {"purl": "pkg:cargo/time@0.1.40"}},
            {"package": {"name": "no-such-crate-xyz", "ecosystem": "crates.io"}, "version": "1.0.0"},
        ]});
        let r = send(&a.router, api("POST", "/v1/querybatch", None, Some(&body))).await?;
        let res = r.json()?;
        ensure!(res["results"][1] == json!({}), "{res}");
        let first = &res["results"][0]["vulns"];
        ensure!(
            first.as_array().is_some_and(|v| v
                .iter()
                .all(|x| x.as_object().is_some_and(|o| o.len() == 2 && o.contains_key("modified")))),
            "{first}"
        );
        let many: Vec<Value> = (0..1001).map(|_| json!({"package": {"purl": "pkg:cargo/time@0.1.40"}})).collect();
        let r = send(&a.router, api("POST", "/v1/querybatch", None, Some(&json!({"queries": many})))).await?;
        ensure!(r.status == 400 && r.json()?["code"] == 3);

        // Our API: the KEV flag and merged ids; known-exploited filter.
        let r = send(&a.router, api("GET", "/api/v1/advisories/CVE-2021-44228", None, None)).await?;
        ensure!(r.status == 200, "{}", r.text());
        let d = r.json()?;
        ensure!(d["advisory"]["known_exploited"] == true, "{d}");
        ensure!(d["advisory"]["kev"]["date_added"] == "2021-12-10", "{}", d["advisory"]["kev"]);
        ensure!(d["advisory"]["severity"] == "critical");
        // The vulnerable product versions, in words, for an operator.
        let log4j = d["products"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["name"] == "apache log4j"))
            .with_context(|| format!("no apache log4j product: {}", d["products"]))?;
        ensure!(log4j["versions"].as_array().is_some_and(|v| v.iter().any(|x| x == ">= 2.13.0, < 2.15.0")), "{log4j}");
        // Words find records by product and description, not only ids.
        for (words, id) in [("log4j", "CVE-2021-44228"), ("fortinet fortios", "CVE-2022-42475")] {
            let r = send(
                &a.router,
                api("GET", &format!("/api/v1/advisories?q={}&limit=500", words.replace(' ', "+")), None, None),
            )
            .await?;
            let page = r.json()?;
            ensure!(
                page["advisories"].as_array().is_some_and(|v| v.iter().any(|x| x["id"] == id)),
                "searching {words:?} does not find {id}: total {}",
                page["total"]
            );
        }
        let r = send(&a.router, api("GET", "/api/v1/advisories?known_exploited=true&limit=5", None, None)).await?;
        let page = r.json()?;
        ensure!(page["total"].as_u64().is_some_and(|t| t > 500), "{}", page["total"]);
        ensure!(page["advisories"].as_array().is_some_and(|v| v.iter().all(|x| x["known_exploited"] == true)));
        let r = send(&a.router, api("GET", "/api/v1/advisories?severity=extreme", None, None)).await?;
        ensure!(r.status == 400 && r.json()?["code"] == "invalid_input", "{}", r.text());
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn imports_are_idempotent_newer_wins_and_a_second_process_follows() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let first = import(&a, &["osv/rustsec.jsonl.zst", "kev/known_exploited_vulnerabilities.json"]).await?;
        ensure!(first.progress.inserted > 1_000 && first.progress.kev > 1_000, "{:?}", first.progress);
        let again = import(&a, &["osv/rustsec.jsonl.zst", "kev/known_exploited_vulnerabilities.json"]).await?;
        ensure!(again.changed() == 0, "second import changed things: {:?}", again.progress);
        ensure!(again.progress.unchanged == first.progress.records, "{:?} vs {:?}", again.progress, first.progress);

        // A second "process": its own index over the same database.
        let other = ch_knowledge::Knowledge::load(db.store.clone(), ch_testkit::fixed_clock(ch_testkit::T0)).await?;
        ensure!(other.index().len() == a.state.knowledge.index().len());

        // A newer record replaces; an older one does not.
        let tmp = tempfile::tempdir()?;
        let mut rec: Value = {
            let index = a.state.knowledge.index();
            let adv = index.get("RUSTSEC-2020-0071");
            adv.first().context("record")?.osv_json()
        };
        rec["summary"] = json!("A newer summary");
        rec["modified"] = json!("2099-01-01T00:00:00Z");
        let newer = tmp.path().join("newer.json");
        std::fs::write(&newer, serde_json::to_vec(&rec)?)?;
        let s = a.state.knowledge.import(std::slice::from_ref(&newer), &ImportOptions::default(), &mut |_| {}).await?;
        ensure!(s.progress.updated == 1, "{:?}", s.progress);
        rec["summary"] = json!("An older summary");
        rec["modified"] = json!("2000-01-01T00:00:00Z");
        let older = tmp.path().join("older.json");
        std::fs::write(&older, serde_json::to_vec(&rec)?)?;
        let s = a.state.knowledge.import(&[older], &ImportOptions::default(), &mut |_| {}).await?;
        ensure!(s.progress.updated == 0 && s.progress.unchanged == 1, "{:?}", s.progress);
        let r = send(&a.router, api("GET", "/v1/vulns/RUSTSEC-2020-0071", None, None)).await?;
        ensure!(r.json()?["summary"] == "A newer summary", "{}", r.text());
        // The other process sees it after a refresh, without a restart.
        ensure!(other.refresh().await? >= 1);
        ensure!(
            other.index().get("RUSTSEC-2020-0071").first().and_then(|x| x.summary.clone()).as_deref()
                == Some("A newer summary")
        );

        // Withdrawn: readable, no longer matching.
        rec["summary"] = json!("Withdrawn now");
        rec["modified"] = json!("2099-02-01T00:00:00Z");
        rec["withdrawn"] = json!("2099-02-01T00:00:00Z");
        std::fs::write(&newer, serde_json::to_vec(&rec)?)?;
        a.state.knowledge.import(&[newer], &ImportOptions::default(), &mut |_| {}).await?;
        let r = send(&a.router, api("GET", "/v1/vulns/RUSTSEC-2020-0071", None, None)).await?;
        ensure!(r.status == 200 && r.json()?["withdrawn"].is_string());
        let r = send(
            &a.router,
            api("POST", "/v1/query", None, Some(&json!({"package": {"purl": "pkg:cargo/time@0.1.40"}}))),
        )
        .await?;
        ensure!(!r.text().contains("RUSTSEC-2020-0071"), "a withdrawn advisory still matches: {}", r.text());
        Ok(db)
    })
    .await;
}

#[tokio::test]
async fn a_corrupt_file_in_the_middle_keeps_what_came_before_and_names_the_place() {
    each_backend(|db| async move {
        let a = app(&db.store).await?;
        let tmp = tempfile::tempdir()?;
        // The RustSec stream cut in the middle of its compressed bytes.
        let full = std::fs::read(shared("osv/rustsec.jsonl.zst"))?;
        let cut = tmp.path().join("b-truncated.jsonl.zst");
        std::fs::write(&cut, full.get(..full.len() / 2).context("half")?)?;
        // A good file after it, and a record that is not OSV between.
        let good = tmp.path().join("c-good.json");
        std::fs::write(&good, br#"{"id":"x_TEST-2026-1","modified":"2026-01-01T00:00:00Z","affected":[{"package":{"ecosystem":"PyPI","name":"demo"},"ranges":[{"type":"ECOSYSTEM","events":[{"introduced":"0"},{"fixed":"1.0"}]}]}]}"#)?;
        let bad = tmp.path().join("a-bad.json");
        std::fs::write(&bad, br#"{"id":"TEST-2026-2","modified":"yesterday"}"#)?;
        let mut errors = Vec::new();
        let s = a
            .state
            .knowledge
            .import(&[tmp.path().to_path_buf()], &ImportOptions { batch_size: 100, ..Default::default() }, &mut |e| {
                if let ch_knowledge::ImportEvent::Error(m) = e {
                    errors.push(m)
                }
            })
            .await?;
        ensure!(errors.len() == 2, "{errors:#?}");
        ensure!(errors.iter().any(|e| e.contains("a-bad.json") && e.contains("modified")), "{errors:#?}");
        ensure!(errors.iter().any(|e| e.contains("b-truncated.jsonl.zst")), "{errors:#?}");
        ensure!(s.progress.inserted > 300, "records before the cut were lost: {:?}", s.progress);
        let mut c = db.store.conn().await?;
        let counts = ch_store::knowledge::counts(&mut c).await?;
        ensure!(counts.advisories as u64 == s.progress.inserted);
        ensure!(a.state.knowledge.index().get("x_TEST-2026-1").len() == 1);
        Ok(db)
    })
    .await;
}
