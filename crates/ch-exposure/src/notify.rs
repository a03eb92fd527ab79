//! Telling an organisation: in-app notifications, signed webhooks, e-mail, digests.
//!
//! New findings (and findings open again) of one reconcile make one notification per
//! asset, written in the reconcile's transaction. Unless the organisation asked for a
//! daily digest, the same transaction writes a delivery row per configured channel and a
//! [`crate::DELIVER_JOB`] job per delivery: nothing goes out for a change that rolled back.
//!
//! Delivering ([`deliver`]) first records the attempt (`sending`, committed), then sends,
//! then records `sent`. A delivery already `sent` is never sent again. A worker that dies
//! between sending and recording leaves the delivery `sending`; its job's lease runs out
//! and the retry sends the same message again with the same delivery id (webhook header
//! `X-Clearinghouse-Delivery`, e-mail `Message-ID`), so receivers recognise the repeat:
//! at most one distinct message per delivery reaches them.

use ch_store::Tx;
use ch_store::exposure::{self as db, DeliveryRow, FindingRow, NotificationRow, NotificationSettingsRow};
use serde::Serialize;
use serde_json::json;

use crate::{DELIVER_JOB, Error, Exposure, Result};

/// A finding that is news (new and open, or open again), with its asset's name.
#[derive(Clone, Debug)]
pub struct NewFinding {
    pub(crate) row: FindingRow,
    pub(crate) asset_name: String,
}

/// The finding as webhooks and the API show it.
#[derive(Clone, Debug, Serialize)]
pub struct FindingView {
    /// Id.
    pub id: String,
    /// The asset.
    pub asset_id: String,
    /// The asset's name.
    pub asset: String,
    /// Component name.
    pub component: String,
    /// Its version.
    pub version: String,
    /// The flaw's id.
    pub vulnerability: String,
    /// Every id and alias.
    pub aliases: Vec<String>,
    /// One line about it.
    pub summary: Option<String>,
    /// Listed in CISA KEV.
    pub known_exploited: bool,
    /// Used by ransomware campaigns.
    pub ransomware: bool,
    /// `critical`..`low`.
    pub severity: Option<String>,
    /// Highest score.
    pub score: Option<f64>,
    /// Larger is more urgent.
    pub priority: i64,
    /// The smallest version that fixes it.
    pub fixed_version: Option<String>,
    /// The one thing to do.
    pub action: String,
    /// `open`, `accepted`, `not_affected`, `fixed`.
    pub state: String,
}

impl FindingView {
    /// The view of a stored finding.
    pub fn of(f: &FindingRow, asset: &str) -> FindingView {
        FindingView {
            id: f.id.clone(),
            asset_id: f.asset_id.clone(),
            asset: asset.to_owned(),
            component: f.component_name.clone(),
            version: f.component_version.clone(),
            vulnerability: f.flaw_id.clone(),
            aliases: serde_json::from_str::<Vec<String>>(&f.flaw_ids)
                .unwrap_or_default()
                .into_iter()
                .filter(|i| *i != f.flaw_id)
                .collect(),
            summary: f.summary.clone(),
            known_exploited: f.known_exploited != 0,
            ransomware: f.ransomware != 0,
            severity: f.severity.clone(),
            score: f.score_tenths.map(|t| t as f64 / 10.0),
            priority: f.priority,
            fixed_version: f.fixed_version.clone(),
            action: f.action.clone(),
            state: f.state.clone(),
        }
    }
}

fn ranked_text(views: &[FindingView], limit: usize) -> String {
    let mut out = String::new();
    for (i, v) in views.iter().take(limit).enumerate() {
        out.push_str(&format!("{}. {} ({} in {} {})\n", i + 1, v.action, v.vulnerability, v.component, v.version));
    }
    if views.len() > limit {
        out.push_str(&format!("... and {} more.\n", views.len() - limit));
    }
    out
}

/// Writes the notifications (and deliveries) for `news` of one organisation in `tx`.
pub(crate) async fn announce(x: &Exposure, tx: &mut Tx, org: &str, news: Vec<NewFinding>, now: i64) -> Result<()> {
    if news.is_empty() {
        return Ok(());
    }
    let settings = db::get_notification_settings(tx, org).await?;
    let digest = settings.as_ref().is_some_and(|s| s.digest != 0);
    let mut by_asset: std::collections::BTreeMap<(String, String), Vec<FindingRow>> = Default::default();
    for n in news {
        by_asset.entry((n.row.asset_id.clone(), n.asset_name)).or_default().push(n.row);
    }
    for ((_, asset), mut rows) in by_asset {
        rows.sort_by(|a, b| b.priority.cmp(&a.priority).then_with(|| a.flaw_id.cmp(&b.flaw_id)));
        let views: Vec<FindingView> = rows.iter().map(|r| FindingView::of(r, &asset)).collect();
        let Some(top) = views.first() else { continue };
        let title = if views.len() == 1 {
            format!("{} in {} on {asset}", top.vulnerability, top.component)
        } else {
            format!("{} new findings on {asset}", views.len())
        };
        let body = format!(
            "What to do, most urgent first:\n{}\nSee {}/exposure for every finding.\n",
            ranked_text(&views, 20),
            x.outbound.base_url.trim_end_matches('/')
        );
        let n = NotificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: org.to_owned(),
            kind: "finding".into(),
            finding_id: (views.len() == 1).then(|| top.id.clone()),
            priority: top.priority,
            title,
            body,
            payload: json!({ "findings": views }).to_string(),
            digested: i64::from(!digest),
            created_at: now,
            read_at: None,
        };
        db::insert_notification(tx, &n).await?;
        if !digest && let Some(s) = &settings {
            enqueue_deliveries(tx, s, &n, now).await?;
        }
    }
    Ok(())
}

async fn enqueue_deliveries(tx: &mut Tx, s: &NotificationSettingsRow, n: &NotificationRow, now: i64) -> Result<()> {
    let emails: Vec<String> = serde_json::from_str(&s.email_to).unwrap_or_default();
    let mut channels = Vec::new();
    if s.webhook_url.as_deref().is_some_and(|u| !u.is_empty()) && s.webhook_secret.is_some() {
        channels.push("webhook");
    }
    if !emails.is_empty() {
        channels.push("email");
    }
    for channel in channels {
        let d = DeliveryRow {
            id: uuid::Uuid::now_v7().to_string(),
            notification_id: n.id.clone(),
            org_id: n.org_id.clone(),
            channel: channel.into(),
            state: "pending".into(),
            attempts: 0,
            last_error: None,
            sent_at: None,
            created_at: now,
        };
        db::insert_delivery(tx, &d).await?;
        let mut job = ch_store::jobs::NewJob::new(DELIVER_JOB, json!({ "delivery": d.id }), now);
        job.max_attempts = 8;
        job.dedupe_key = Some(format!("{DELIVER_JOB}:{}", d.id));
        ch_store::jobs::enqueue(tx, &job, now).await?;
    }
    Ok(())
}

/// What [`deliver`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Delivered {
    /// Sent now.
    Sent,
    /// It had been sent before: nothing sent.
    AlreadySent,
    /// Refused for good (a 4xx answer, a bad address); not retried.
    Failed(String),
    /// The delivery no longer exists, or its channel is no longer configured.
    Dropped,
}

/// Sends one delivery (see the module docs). A retryable failure is an error: the job
/// table retries it with back-off.
pub async fn deliver(x: &Exposure, delivery_id: &str) -> Result<Delivered> {
    let mut c = x.store.conn().await?;
    let Some(d) = db::get_delivery(&mut c, delivery_id).await? else { return Ok(Delivered::Dropped) };
    if d.state == "sent" {
        return Ok(Delivered::AlreadySent);
    }
    let Some(n) = db::get_notification(&mut c, &d.notification_id).await? else { return Ok(Delivered::Dropped) };
    let Some(s) = db::get_notification_settings(&mut c, &d.org_id).await? else { return Ok(Delivered::Dropped) };
    let secret = match (&d.channel[..], &s.webhook_secret) {
        ("webhook", Some(blob)) => {
            let id = uuid::Uuid::parse_str(blob).map_err(|e| Error::Send(format!("webhook secret id: {e}")))?;
            Some(x.sealer.open(&mut c, id).await?)
        }
        _ => None,
    };
    drop(c);
    let mut tx = x.store.begin().await?;
    let d = db::start_delivery(&mut tx, delivery_id).await?;
    tx.commit().await?;
    if d.state == "sent" {
        return Ok(Delivered::AlreadySent);
    }
    let now = x.now();
    let sent: std::result::Result<(), ch_notify::Error> = match d.channel.as_str() {
        "webhook" => {
            let (Some(url), Some(secret)) = (s.webhook_url.as_deref(), secret) else { return Ok(Delivered::Dropped) };
            let findings: serde_json::Value = serde_json::from_str::<serde_json::Value>(&n.payload)
                .ok()
                .and_then(|p| p.get("findings").cloned())
                .unwrap_or(json!([]));
            let body = json!({
                "event": event_name(&n),
                "delivery": d.id,
                "organisation": n.org_id,
                "notification": {"id": n.id, "title": n.title, "text": n.body, "created_at": ms_to_rfc3339(n.created_at)},
                "findings": findings,
            });
            if !x.outbound.allow_private_webhooks
                && let Err(reason) = public_destination(url).await
            {
                finish(x, &d, "failed", Some(&reason), None).await?;
                return Ok(Delivered::Failed(reason));
            }
            let delivery =
                ch_notify::webhook::Delivery::new(d.id.clone(), event_name(&n), body.to_string().into_bytes());
            match ch_notify::webhook::WebhookSender::new() {
                Ok(sender) => sender.send(url, &secret, &delivery, now / 1000).await.map(|_| ()),
                Err(e) => Err(e),
            }
        }
        "email" => {
            let Some(smtp) = x.outbound.smtp.clone() else {
                return finish(x, &d, "failed", Some("no SMTP relay is configured"), None)
                    .await
                    .map(|_| Delivered::Failed("no SMTP relay is configured".into()));
            };
            let to: Vec<String> = serde_json::from_str(&s.email_to).unwrap_or_default();
            let mail = ch_notify::mail::Mail {
                to,
                subject: format!("[Clearinghouse] {}", n.title),
                text: n.body.clone(),
                html: None,
                message_id: format!("<{}@clearinghouse>", d.id),
            };
            match ch_notify::mail::Mailer::new(&smtp) {
                Ok(m) => m.send(&mail).await,
                Err(e) => Err(e),
            }
        }
        _ => return Ok(Delivered::Dropped),
    };
    match sent {
        Ok(()) => {
            finish(x, &d, "sent", None, Some(x.now())).await?;
            Ok(Delivered::Sent)
        }
        Err(e) if e.is_retryable() => {
            let msg = e.to_string();
            finish(x, &d, "pending", Some(&msg), None).await?;
            Err(Error::Send(msg))
        }
        Err(e) => {
            let msg = e.to_string();
            finish(x, &d, "failed", Some(&msg), None).await?;
            Ok(Delivered::Failed(msg))
        }
    }
}

/// Refuses webhook URLs whose host resolves to a loopback, private, link-local or
/// otherwise non-public address (checked at each send, so a name that changes its
/// address later is caught then).
async fn public_destination(url: &str) -> std::result::Result<(), String> {
    let rest = url.split_once("://").map(|(_, r)| r).unwrap_or(url);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let default_port = if url.starts_with("https://") { 443 } else { 80 };
    let target = if host_port.ends_with(']') || !host_port.contains(':') {
        format!("{host_port}:{default_port}")
    } else {
        host_port.to_owned()
    };
    let addrs: Vec<std::net::SocketAddr> = tokio::net::lookup_host(&target)
        .await
        .map_err(|e| format!("webhook host {host_port:?} does not resolve: {e}"))?
        .collect();
    if addrs.is_empty() {
        return Err(format!("webhook host {host_port:?} has no address"));
    }
    for a in addrs {
        if !is_public(a.ip()) {
            return Err(format!(
                "webhook host {host_port:?} resolves to the non-public address {}: refused (allow_private_webhooks)",
                a.ip()
            ));
        }
    }
    Ok(())
}

fn is_public(ip: std::net::IpAddr) -> bool {
    match ip {
        std::net::IpAddr::V4(v) => {
            let o = v.octets();
            !(v.is_loopback()
                || v.is_private()
                || v.is_link_local()
                || v.is_unspecified()
                || v.is_broadcast()
                || v.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1])))
        }
        std::net::IpAddr::V6(v) => {
            if let Some(v4) = v.to_ipv4_mapped() {
                return is_public(std::net::IpAddr::V4(v4));
            }
            let seg = v.segments();
            !(v.is_loopback() || v.is_unspecified() || (seg[0] & 0xfe00) == 0xfc00 || (seg[0] & 0xffc0) == 0xfe80)
        }
    }
}

async fn finish(x: &Exposure, d: &DeliveryRow, state: &str, error: Option<&str>, sent_at: Option<i64>) -> Result<()> {
    let mut tx = x.store.begin().await?;
    db::finish_delivery(&mut tx, &d.id, state, error, sent_at).await?;
    tx.commit().await?;
    Ok(())
}

fn event_name(n: &NotificationRow) -> &'static str {
    if n.kind == "digest" { "findings.digest" } else { "findings.new" }
}

fn ms_to_rfc3339(ms: i64) -> String {
    jiff::Timestamp::from_millisecond(ms).map(|t| t.to_string()).unwrap_or_default()
}

/// Sends each digest organisation one message with every finding notification no
/// digest has covered yet, most urgent first. Returns how many digests were written.
pub async fn send_digests(x: &Exposure) -> Result<usize> {
    let settings = {
        let mut c = x.store.conn().await?;
        db::all_notification_settings(&mut c).await?
    };
    let mut written = 0;
    for s in settings.into_iter().filter(|s| s.digest != 0) {
        let now = x.now();
        let mut tx = x.store.begin().await?;
        let pending = db::undigested(&mut tx, &s.org_id).await?;
        if pending.is_empty() {
            continue;
        }
        let mut views: Vec<FindingView> = Vec::new();
        for p in &pending {
            let v: serde_json::Value = serde_json::from_str(&p.payload).unwrap_or(json!({}));
            if let Some(fs) = v.get("findings").and_then(|f| f.as_array()) {
                for f in fs {
                    if let Ok(view) = serde_json::from_value::<FindingViewIn>(f.clone()) {
                        views.push(view.into());
                    }
                }
            }
        }
        views.sort_by_key(|v| std::cmp::Reverse(v.priority));
        let n = NotificationRow {
            id: uuid::Uuid::now_v7().to_string(),
            org_id: s.org_id.clone(),
            kind: "digest".into(),
            finding_id: None,
            priority: views.first().map_or(0, |v| v.priority),
            title: format!("Daily digest: {} new finding{}", views.len(), if views.len() == 1 { "" } else { "s" }),
            body: format!(
                "What to do, most urgent first:\n{}\nSee {}/exposure for every finding.\n",
                ranked_text(&views, 50),
                x.outbound.base_url.trim_end_matches('/')
            ),
            payload: json!({ "findings": views }).to_string(),
            digested: 1,
            created_at: now,
            read_at: None,
        };
        db::insert_notification(&mut tx, &n).await?;
        let ids: Vec<&str> = pending.iter().map(|p| p.id.as_str()).collect();
        db::mark_digested(&mut tx, &ids).await?;
        enqueue_deliveries(&mut tx, &s, &n, now).await?;
        tx.commit().await?;
        written += 1;
    }
    Ok(written)
}

/// [`FindingView`] read back from a notification's payload.
#[derive(serde::Deserialize)]
struct FindingViewIn {
    id: String,
    asset_id: String,
    asset: String,
    component: String,
    version: String,
    vulnerability: String,
    #[serde(default)]
    aliases: Vec<String>,
    summary: Option<String>,
    known_exploited: bool,
    ransomware: bool,
    severity: Option<String>,
    score: Option<f64>,
    priority: i64,
    fixed_version: Option<String>,
    action: String,
    state: String,
}

impl From<FindingViewIn> for FindingView {
    fn from(v: FindingViewIn) -> Self {
        FindingView {
            id: v.id,
            asset_id: v.asset_id,
            asset: v.asset,
            component: v.component,
            version: v.version,
            vulnerability: v.vulnerability,
            aliases: v.aliases,
            summary: v.summary,
            known_exploited: v.known_exploited,
            ransomware: v.ransomware,
            severity: v.severity,
            score: v.score,
            priority: v.priority,
            fixed_version: v.fixed_version,
            action: v.action,
            state: v.state,
        }
    }
}

/// An organisation's notification settings, as shown (the secret never is).
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct Settings {
    /// Where webhooks go.
    pub webhook_url: Option<String>,
    /// Whether a signing secret is set.
    pub webhook_secret_set: bool,
    /// E-mail recipients.
    pub email_to: Vec<String>,
    /// One message a day instead of one per change.
    pub digest: bool,
}

fn settings_view(s: Option<&NotificationSettingsRow>) -> Settings {
    Settings {
        webhook_url: s.and_then(|s| s.webhook_url.clone()),
        webhook_secret_set: s.is_some_and(|s| s.webhook_secret.is_some()),
        email_to: s.map(|s| serde_json::from_str(&s.email_to).unwrap_or_default()).unwrap_or_default(),
        digest: s.is_some_and(|s| s.digest != 0),
    }
}

/// An organisation's settings.
pub async fn settings(x: &Exposure, org: &str) -> Result<Settings> {
    let mut c = x.store.conn().await?;
    Ok(settings_view(db::get_notification_settings(&mut c, org).await?.as_ref()))
}

/// Sets an organisation's settings. A webhook URL without a stored secret gets a new
/// random secret, returned once (and `rotate_secret` makes a new one); the secret is
/// sealed at rest.
pub async fn set_settings(
    x: &Exposure,
    org: &str,
    webhook_url: Option<&str>,
    email_to: &[String],
    digest: bool,
    rotate_secret: bool,
) -> Result<(Settings, Option<String>)> {
    let url = webhook_url.map(str::trim).filter(|u| !u.is_empty());
    if let Some(u) = url
        && !(u.starts_with("https://") || u.starts_with("http://"))
    {
        return Err(Error::Invalid(format!("webhook_url: expected an http or https URL, found {u:?}")));
    }
    for e in email_to {
        let e = e.trim();
        let ok = e
            .split_once('@')
            .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !e.contains(char::is_whitespace));
        if !ok {
            return Err(Error::Invalid(format!("email_to: expected an e-mail address, found {e:?}")));
        }
    }
    let now = x.now();
    let mut tx = x.store.begin().await?;
    let old = db::get_notification_settings(&mut tx, org).await?;
    let mut secret_blob = old.as_ref().and_then(|o| o.webhook_secret.clone());
    let mut shown = None;
    if url.is_some() && (secret_blob.is_none() || rotate_secret) {
        let mut raw = [0u8; 32];
        getrandom_fill(&mut raw)?;
        let secret = format!("whsec_{}", hex::encode(raw));
        let org_id: Option<ch_domain::OrgId> = org.parse().ok();
        let id = x.sealer.seal(&mut tx, org_id, "webhook_secret", secret.as_bytes(), now).await?;
        secret_blob = Some(id.to_string());
        shown = Some(secret);
    }
    let row = NotificationSettingsRow {
        org_id: org.to_owned(),
        webhook_url: url.map(str::to_owned),
        webhook_secret: if url.is_some() { secret_blob } else { None },
        email_to: serde_json::to_string(&email_to.iter().map(|e| e.trim()).collect::<Vec<_>>())
            .unwrap_or_else(|_| "[]".into()),
        digest: i64::from(digest),
        updated_at: now,
    };
    db::put_notification_settings(&mut tx, &row).await?;
    tx.commit().await?;
    Ok((settings_view(Some(&row)), shown))
}

fn getrandom_fill(buf: &mut [u8]) -> Result<()> {
    getrandom::fill(buf).map_err(|e| Error::Send(format!("no randomness for a webhook secret: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_addresses_table() {
        let cases = [
            ("127.0.0.1", false),
            ("10.1.2.3", false),
            ("172.16.0.1", false),
            ("192.168.1.1", false),
            ("169.254.169.254", false),
            ("100.64.0.1", false),
            ("0.0.0.0", false),
            ("::1", false),
            ("fd00::1", false),
            ("fe80::1", false),
            ("::ffff:127.0.0.1", false),
            ("8.8.8.8", true),
            ("2606:4700::1111", true),
        ];
        for (ip, want) in cases {
            assert_eq!(is_public(ip.parse().unwrap()), want, "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_webhooks_are_refused() {
        let e = public_destination("http://127.0.0.1:8080/hook").await.unwrap_err();
        assert!(e.contains("non-public address 127.0.0.1"), "{e}");
        let e = public_destination("https://user@localhost/hook").await.unwrap_err();
        assert!(e.contains("non-public"), "{e}");
        assert!(public_destination("http://[::1]:9/x").await.is_err());
        assert!(public_destination("http://[::1]/x").await.is_err());
    }
}
