//! `scan --server URL`: the same scan against a clearinghouse server instead of a local
//! database, through its OSV API (`/v1/querybatch`, `/v1/vulns/{id}`) and, for product
//! rows and the KEV marking, its advisory API (`/api/v1/advisories`). The records found
//! are matched here by the same index code as a local scan, so remedies and product
//! version checks are computed identically.

use std::collections::BTreeSet;
use std::sync::Arc;

use anyhow::Context;
use ch_advisory::{Advisory, Format, KevEntry, Osv};
use ch_inventory::Component;
use serde_json::{Value, json};

fn osv_query(c: &Component) -> Option<Value> {
    let version = c.version.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    if let Some(purl) = c.purl.as_deref() {
        let bare = purl.split('#').next().unwrap_or(purl);
        let bare = bare.split('?').next().unwrap_or(bare);
        return Some(if bare.contains('@') {
            json!({"package": {"purl": bare}})
        } else {
            json!({"package": {"purl": bare}, "version": version})
        });
    }
    let eco = c.ecosystem.as_deref()?;
    Some(json!({"package": {"name": c.name, "ecosystem": eco}, "version": version}))
}

async fn get_json(client: &reqwest::Client, url: &str, token: Option<&str>) -> anyhow::Result<Value> {
    let mut req = client.get(url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.with_context(|| format!("GET {url}"))?;
    let status = resp.status();
    let body = resp.bytes().await.with_context(|| format!("GET {url}: body"))?;
    anyhow::ensure!(status.is_success(), "GET {url}: HTTP {status}: {}", String::from_utf8_lossy(&body));
    serde_json::from_slice(&body).with_context(|| format!("GET {url}: not JSON"))
}

/// Builds an index of every record the server says the components can hit.
pub(crate) fn fetch(
    server: &str,
    token: Option<&str>,
    components: &[Component],
) -> anyhow::Result<(ch_match::Index, u64)> {
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(fetch_async(server.trim_end_matches('/'), token, components))
}

async fn fetch_async(
    server: &str,
    token: Option<&str>,
    components: &[Component],
) -> anyhow::Result<(ch_match::Index, u64)> {
    let client = reqwest::Client::builder()
        .user_agent(concat!("clearinghouse-scan/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(120))
        .build()?;
    let mut ids: BTreeSet<String> = BTreeSet::new();

    // Packages: the OSV batch API, 1,000 queries a request, following page tokens.
    let mut queries: Vec<Value> = components.iter().filter_map(osv_query).collect();
    queries.sort_by_key(|q| q.to_string());
    queries.dedup();
    for chunk in queries.chunks(1_000) {
        let mut pending: Vec<Value> = chunk.to_vec();
        while !pending.is_empty() {
            let mut req = client.post(format!("{server}/v1/querybatch")).json(&json!({"queries": pending}));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            let resp = req.send().await.with_context(|| format!("POST {server}/v1/querybatch"))?;
            let status = resp.status();
            let body: Value = resp.json().await.context("querybatch: not JSON")?;
            anyhow::ensure!(status.is_success(), "POST {server}/v1/querybatch: HTTP {status}: {body}");
            let results = body["results"].as_array().context("querybatch: no results")?;
            let mut next = Vec::new();
            for (q, r) in pending.iter().zip(results) {
                for v in r["vulns"].as_array().into_iter().flatten() {
                    if let Some(id) = v["id"].as_str() {
                        ids.insert(id.to_owned());
                    }
                }
                if let Some(t) = r["next_page_token"].as_str() {
                    let mut q = q.clone();
                    q["page_token"] = json!(t);
                    next.push(q);
                }
            }
            pending = next;
        }
    }

    // Products: the advisory search narrows by vendor and product; the index decides.
    let mut products: BTreeSet<(String, String)> = BTreeSet::new();
    for c in components {
        if let Some(p) = c.product.as_deref().filter(|p| !p.trim().is_empty()) {
            products.insert((c.vendor.clone().unwrap_or_default(), p.to_owned()));
        } else if let Some((v, p)) =
            c.cpe.as_deref().and_then(|s| ch_cpe::Cpe::parse_formatted(s).ok()).and_then(|c| c.vendor_product())
        {
            products.insert((v, p));
        }
    }
    for (vendor, product) in &products {
        let url = reqwest::Url::parse_with_params(
            &format!("{server}/api/v1/advisories"),
            &[("vendor", vendor.as_str()), ("product", product.as_str()), ("limit", "500")],
        )?;
        let page = get_json(&client, url.as_str(), token).await?;
        for a in page["advisories"].as_array().into_iter().flatten() {
            if let Some(id) = a["id"].as_str() {
                ids.insert(id.to_owned());
            }
        }
    }

    // The records, then their flaws' KEV marking.
    let ids: Vec<String> = ids.into_iter().collect();
    let mut index = ch_match::Index::new();
    let mut kev_ids: BTreeSet<String> = BTreeSet::new();
    for id in &ids {
        {
            let record = get_json(&client, &format!("{server}/v1/vulns/{id}"), token).await?;
            let osv = Osv::from_json_value(&record).map_err(|e| anyhow::anyhow!("{e}"))?;
            let advisory = Advisory::from_osv(osv, Format::OsvJson).map_err(|e| anyhow::anyhow!("{e}"))?;
            kev_ids.insert(advisory.id.clone());
            index.upsert(Arc::new(advisory));
        }
    }
    for id in kev_ids {
        let detail = get_json(&client, &format!("{server}/api/v1/advisories/{id}"), token).await?;
        let a = &detail["advisory"];
        if let (Some(kev), Some(cve)) = (
            a.get("kev").filter(|k| !k.is_null()),
            a["ids"].as_array().and_then(|ids| {
                ids.iter().filter_map(Value::as_str).find(|i| i.starts_with("CVE-")).map(str::to_owned)
            }),
        ) {
            let entry = json!({
                "cveID": cve,
                "vendorProject": "",
                "product": "",
                "vulnerabilityName": kev["vulnerability_name"].as_str().unwrap_or_default(),
                "dateAdded": kev["date_added"].as_str().unwrap_or("1970-01-01"),
                "shortDescription": "",
                "requiredAction": kev["required_action"].as_str().unwrap_or_default(),
                "dueDate": kev["due_date"].as_str().unwrap_or("1970-01-01"),
                "knownRansomwareCampaignUse": if kev["known_ransomware_campaign_use"] == json!(true) { "Known" } else { "Unknown" },
            });
            if let Ok(e) = KevEntry::from_json_value(&entry) {
                index.upsert_kev(e);
            }
        }
    }
    let total = get_json(&client, &format!("{server}/api/v1/advisories?limit=1"), token)
        .await
        .ok()
        .and_then(|p| p["total"].as_u64())
        .unwrap_or(0);
    Ok((index, total))
}
