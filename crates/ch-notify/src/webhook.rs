//! Signed webhooks: the signature scheme, its verification, and a sender.
//!
//! # The signature scheme (stable; receivers implement it)
//!
//! Each delivery is an HTTP `POST` of a JSON body with these headers:
//!
//! | header | value |
//! | --- | --- |
//! | `X-Clearinghouse-Signature` | `t=<unix seconds>,v1=<hex>` |
//! | `X-Clearinghouse-Delivery` | the delivery id: the idempotency key |
//! | `X-Clearinghouse-Event` | the event name, e.g. `case.created` |
//! | `Content-Type` | `application/json` |
//! | `User-Agent` | `clearinghouse/<version>` |
//!
//! `<hex>` is the lowercase hex HMAC-SHA256, keyed with the shared secret, of the bytes
//! `<t>` `.` `<raw body>`: the decimal timestamp exactly as in the header, one full stop,
//! then the body exactly as received (before any JSON parsing). While a secret is being
//! rotated the header carries one `v1=` entry per secret (`t=…,v1=…,v1=…`); a receiver
//! accepts the delivery when any entry matches one of its secrets. Entries with other
//! names are ignored, so later schemes can be added beside `v1`.
//!
//! A receiver must (1) compare in constant time, (2) refuse timestamps further than a
//! tolerance (five minutes is usual) from its clock, which bounds replays, and (3) drop a
//! delivery whose `X-Clearinghouse-Delivery` it has already processed: a retried delivery
//! carries the same id (and a fresh timestamp and signature).
//!
//! Any 2xx answer is success. Redirects are not followed (the signature covers the body,
//! not where it was sent). 5xx, 408, 429 and failures to connect or to answer in time are
//! worth retrying ([`Error::is_retryable`]); other answers are not.
//!
//! Invariants: the secret never appears in an error or a log line; URLs in errors and logs
//! have their user information and query removed ([`redact_url`]).

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::Error;
use crate::error::retryable_status;

/// Header carrying `t=<unix seconds>,v1=<hex>`.
pub const SIGNATURE_HEADER: &str = "X-Clearinghouse-Signature";
/// Header carrying the delivery id (the idempotency key).
pub const DELIVERY_HEADER: &str = "X-Clearinghouse-Delivery";
/// Header carrying the event name.
pub const EVENT_HEADER: &str = "X-Clearinghouse-Event";
/// The `User-Agent` of every delivery.
pub const USER_AGENT: &str = concat!("clearinghouse/", env!("CARGO_PKG_VERSION"));
/// How long a delivery may take, connection included, unless told otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// A tolerance for [`verify`] that receivers commonly use: five minutes.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

/// Longest signature header [`verify`] reads; longer ones are refused unread.
const MAX_HEADER_LEN: usize = 4096;
/// Most `v1=` entries [`verify`] tries, bounding the work an attacker can ask for.
const MAX_SIGNATURES: usize = 8;
/// Longest delivery id or event name.
const MAX_TOKEN_LEN: usize = 200;

type HmacSha256 = Hmac<Sha256>;

/// An HMAC-SHA256 keyed with `secret`, any length.
///
/// The key is brought to the block size here, as RFC 2104 section 2 does (hash a key longer
/// than the block, then pad with zeros), so that construction cannot fail and needs no
/// `expect`; the RFC 4231 vectors in the tests pin this down.
fn keyed(secret: &[u8]) -> HmacSha256 {
    let mut key = hmac::digest::Key::<HmacSha256>::default();
    if secret.len() > key.len() {
        let digest = <Sha256 as sha2::Digest>::digest(secret);
        key.iter_mut().zip(digest.iter()).for_each(|(k, d)| *k = *d);
    } else {
        key.iter_mut().zip(secret).for_each(|(k, s)| *k = *s);
    }
    <HmacSha256 as KeyInit>::new(&key)
}

/// The MAC over `<timestamp>.<body>`, not yet finalised.
fn signed_payload(secret: &[u8], timestamp: i64, body: &[u8]) -> HmacSha256 {
    let mut mac = keyed(secret);
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac
}

fn v1_hex(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    hex::encode(signed_payload(secret, timestamp, body).finalize().into_bytes())
}

/// The `X-Clearinghouse-Signature` value for `body` sent at `timestamp` (unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>`.
pub fn sign(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    format!("t={timestamp},v1={}", v1_hex(secret, timestamp, body))
}

/// Like [`sign`], with one `v1=` entry per secret, in the order given: for the time a
/// secret is being rotated, so receivers holding either the old or the new one accept.
pub fn sign_with_secrets(secrets: &[&[u8]], timestamp: i64, body: &[u8]) -> String {
    let mut header = format!("t={timestamp}");
    for secret in secrets {
        header.push_str(",v1=");
        header.push_str(&v1_hex(secret, timestamp, body));
    }
    header
}

/// A parsed signature header.
#[derive(Debug, PartialEq, Eq)]
struct SignatureHeader {
    timestamp: i64,
    v1: Vec<[u8; 32]>,
}

fn parse_header(header: &str) -> Result<SignatureHeader, Error> {
    let malformed = |why: String| Error::MalformedSignature(why);
    if header.len() > MAX_HEADER_LEN {
        return Err(malformed(format!("longer than {MAX_HEADER_LEN} bytes")));
    }
    let mut timestamp = None;
    let mut v1 = Vec::new();
    for (i, entry) in header.split(',').enumerate() {
        let n = i + 1;
        let entry = entry.trim_matches([' ', '\t']);
        let Some((key, value)) = entry.split_once('=') else {
            return Err(malformed(format!("entry {n}: expected `name=value`, found no `=`")));
        };
        match key {
            "t" => {
                if timestamp.is_some() {
                    return Err(malformed(format!("entry {n}: a second `t=`")));
                }
                // Digits only: `i64::from_str` would also take a sign.
                let parsed = (!value.is_empty() && value.len() <= 18 && value.bytes().all(|b| b.is_ascii_digit()))
                    .then(|| value.parse::<i64>().ok())
                    .flatten();
                let Some(t) = parsed else {
                    return Err(malformed(format!("entry {n}: expected `t=<unix seconds>`, found a non-number")));
                };
                timestamp = Some(t);
            }
            "v1" => {
                if v1.len() == MAX_SIGNATURES {
                    return Err(malformed(format!("more than {MAX_SIGNATURES} v1 signatures")));
                }
                let mut sig = [0u8; 32];
                if hex::decode_to_slice(value, &mut sig).is_err() {
                    return Err(malformed(format!("entry {n}: expected `v1=` and 64 hex digits")));
                }
                v1.push(sig);
            }
            "" => return Err(malformed(format!("entry {n}: empty name"))),
            // Other schemes: ignored, so that they can be added later.
            _ => {}
        }
    }
    let Some(timestamp) = timestamp else {
        return Err(malformed("no `t=` timestamp".into()));
    };
    if v1.is_empty() {
        return Err(malformed("no `v1=` signature".into()));
    }
    Ok(SignatureHeader { timestamp, v1 })
}

/// Checks a `X-Clearinghouse-Signature` header against the raw `body`, returning the signed
/// timestamp.
///
/// Succeeds when any `v1=` entry matches (constant-time comparison) and the timestamp is
/// within `tolerance_secs` of `now_unix` either way. To accept during a rotation of the
/// receiver's own secret, call once per secret.
///
/// # Errors
///
/// [`Error::EmptySecret`], [`Error::MalformedSignature`] (says which entry and what was
/// expected), [`Error::SignatureMismatch`], and [`Error::StaleSignature`] for an authentic
/// signature whose timestamp is out of tolerance (a replay, or a skewed clock).
pub fn verify(secret: &[u8], header: &str, body: &[u8], now_unix: i64, tolerance_secs: i64) -> Result<i64, Error> {
    if secret.is_empty() {
        return Err(Error::EmptySecret);
    }
    let parsed = parse_header(header)?;
    let mac = signed_payload(secret, parsed.timestamp, body);
    // Which entry matched is not secret; each comparison is constant-time.
    if !parsed.v1.iter().any(|sig| mac.clone().verify_slice(sig).is_ok()) {
        return Err(Error::SignatureMismatch);
    }
    let tolerance = u64::try_from(tolerance_secs).unwrap_or(0);
    if parsed.timestamp.abs_diff(now_unix) > tolerance {
        return Err(Error::StaleSignature { timestamp: parsed.timestamp, now: now_unix, tolerance_secs });
    }
    Ok(parsed.timestamp)
}

/// A URL fit for errors and logs: user information dropped, the query replaced by
/// `redacted`, the fragment dropped. A URL that does not parse is cut before its first
/// `?`, `#` or `@`.
pub fn redact_url(url: &str) -> String {
    let Ok(mut u) = reqwest::Url::parse(url) else {
        let cut = url.find(['?', '#', '@']).unwrap_or(url.len());
        let shown = url.get(..cut).unwrap_or_default();
        return if cut < url.len() { format!("{shown}…") } else { shown.to_owned() };
    };
    // Both fail only for URLs that cannot have user information; nothing to remove then.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    if u.query().is_some() {
        u.set_query(Some("redacted"));
    }
    u.set_fragment(None);
    u.to_string()
}

/// One webhook delivery: what is sent, and sent again unchanged on retry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The idempotency key, sent as `X-Clearinghouse-Delivery`: the same for every try.
    /// Visible ASCII, at most 200 characters.
    pub id: String,
    /// The event name, sent as `X-Clearinghouse-Event`. Visible ASCII, at most 200
    /// characters.
    pub event: String,
    /// The JSON body, signed and sent byte for byte.
    pub body: Vec<u8>,
}

impl Delivery {
    /// A delivery of an already serialised JSON body.
    pub fn new(id: impl Into<String>, event: impl Into<String>, body: impl Into<Vec<u8>>) -> Delivery {
        Delivery { id: id.into(), event: event.into(), body: body.into() }
    }

    /// A delivery whose body is `value` as JSON.
    ///
    /// # Errors
    ///
    /// [`Error::Message`] when `value` does not serialise.
    pub fn json<T: serde::Serialize + ?Sized>(
        id: impl Into<String>,
        event: impl Into<String>,
        value: &T,
    ) -> Result<Delivery, Error> {
        let body = serde_json::to_vec(value).map_err(|e| Error::Message(format!("webhook body: {e}")))?;
        Ok(Delivery::new(id, event, body))
    }

    fn check(&self) -> Result<(), Error> {
        for (field, value) in [("id", &self.id), ("event", &self.event)] {
            let reason = if value.is_empty() {
                "empty"
            } else if value.len() > MAX_TOKEN_LEN {
                "longer than 200 characters"
            } else if !value.bytes().all(|b| b.is_ascii_graphic()) {
                "only visible ASCII (no spaces or control characters) is allowed"
            } else {
                continue;
            };
            let shown: String = value.chars().take(MAX_TOKEN_LEN).collect();
            return Err(Error::InvalidDelivery { field, value: shown, reason });
        }
        Ok(())
    }
}

/// A delivery the receiver took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sent {
    /// The 2xx status code it answered.
    pub status: u16,
}

/// Sends signed deliveries over HTTP(S), with a timeout, without following redirects.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    client: reqwest::Client,
}

impl WebhookSender {
    /// A sender with [`DEFAULT_TIMEOUT`].
    ///
    /// # Errors
    ///
    /// [`Error::Client`] when the TLS backend cannot be set up.
    pub fn new() -> Result<WebhookSender, Error> {
        WebhookSender::with_timeout(DEFAULT_TIMEOUT)
    }

    /// A sender whose deliveries give up after `timeout`, connection included.
    ///
    /// # Errors
    ///
    /// [`Error::Client`] when the TLS backend cannot be set up.
    pub fn with_timeout(timeout: Duration) -> Result<WebhookSender, Error> {
        let client = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| Error::Client(e.without_url().to_string()))?;
        Ok(WebhookSender { client })
    }

    /// POSTs `delivery` to `url`, signed with `secret` at `now_unix` (seconds).
    ///
    /// # Errors
    ///
    /// [`Error::Status`] for a non-2xx answer, [`Error::Transport`] when no answer came,
    /// [`Error::InvalidUrl`], [`Error::InvalidDelivery`], [`Error::EmptySecret`]. Ask
    /// [`Error::is_retryable`] whether to try again; retry with the same `delivery`.
    pub async fn send(&self, url: &str, secret: &[u8], delivery: &Delivery, now_unix: i64) -> Result<Sent, Error> {
        if secret.is_empty() {
            return Err(Error::EmptySecret);
        }
        delivery.check()?;
        let shown = redact_url(url);
        let parsed =
            reqwest::Url::parse(url).map_err(|e| Error::InvalidUrl { url: shown.clone(), reason: e.to_string() })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(Error::InvalidUrl {
                url: shown,
                reason: format!("expected an http or https URL, found scheme `{}`", parsed.scheme()),
            });
        }
        let response = self
            .client
            .post(parsed)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header(SIGNATURE_HEADER, sign(secret, now_unix, &delivery.body))
            .header(DELIVERY_HEADER, &delivery.id)
            .header(EVENT_HEADER, &delivery.event)
            .body(delivery.body.clone())
            .send()
            .await
            .map_err(|e| transport_error(&e, url, &shown))?;
        let status = response.status().as_u16();
        if response.status().is_success() {
            tracing::debug!(url = %shown, delivery = %delivery.id, event = %delivery.event, status, "webhook delivered");
            return Ok(Sent { status });
        }
        let retry_after_secs = response
            .headers()
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        tracing::debug!(url = %shown, delivery = %delivery.id, status, retryable = retryable_status(status), "webhook refused");
        Err(Error::Status { url: shown, status, retry_after_secs })
    }
}

/// Describes a failed request without the URL (reqwest's own text names it in full).
fn transport_error(e: &reqwest::Error, raw_url: &str, shown: &str) -> Error {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "cannot connect"
    } else if e.is_builder() {
        "cannot build the request"
    } else {
        "request failed"
    };
    let retryable = !e.is_builder() && (e.is_timeout() || e.is_connect() || e.is_request() || e.is_body());
    let mut message = crate::error::with_causes(what, std::error::Error::source(e));
    // Belt and braces: no layer should echo the URL, but if one does, it is shown redacted.
    if !raw_url.is_empty() {
        message = message.replace(raw_url, shown);
    }
    if let Some(query) = raw_url.split_once('?').map(|(_, q)| q).filter(|q| !q.is_empty()) {
        message = message.replace(query, "redacted");
    }
    Error::Transport { url: shown.to_owned(), message, retryable }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyed_matches_rfc4231() {
        // RFC 4231 section 4: test cases 1, 2 and 6 (key shorter than, and longer than, the block).
        let cases: [(Vec<u8>, &[u8], &str); 3] = [
            (vec![0x0b; 20], b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            (
                b"Jefe".to_vec(),
                b"what do ya want for nothing?",
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
            ),
            (
                vec![0xaa; 131],
                b"Test Using Larger Than Block-Size Key - Hash Key First",
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
            ),
        ];
        for (key, data, want) in cases {
            let mut mac = keyed(&key);
            mac.update(data);
            assert_eq!(hex::encode(mac.finalize().into_bytes()), want, "key of {} bytes", key.len());
        }
    }

    #[test]
    fn sign_known_answers() {
        // Expected values computed independently with Python's hmac module:
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"secret",b"1700000000.{}",hashlib.sha256).hexdigest())'
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"k"*64,b"0.",hashlib.sha256).hexdigest())'
        // python3 -c 'import hmac,hashlib;print(hmac.new(b"k"*100,b"0.",hashlib.sha256).hexdigest())'
        let k64 = [b'k'; 64];
        let k100 = [b'k'; 100];
        let cases: [(&[u8], i64, &[u8], &str); 3] = [
            (b"secret", 1_700_000_000, b"{}", "b8569b78799ff9e3cbff0fc2d63a33a2b57f3282abd07c37ae5e8e7d79a5f163"),
            (&k64, 0, b"", "8ca949b7659f4b5b04a33597d7866eb2df52f9fd4e5ac952673b50b2afacd58c"),
            (&k100, 0, b"", "243c2f8200e1d4ee892e7a7ded377a65e2beb1c64b997c54b8b0f516216d4b0f"),
        ];
        for (secret, t, body, want) in cases {
            assert_eq!(sign(secret, t, body), format!("t={t},v1={want}"), "secret of {} bytes", secret.len());
        }
    }

    #[test]
    fn header_parsing() {
        let sig = "ab".repeat(32);
        let ok = |t: i64, n: usize| Ok::<_, String>(SignatureHeader { timestamp: t, v1: vec![[0xab; 32]; n] });
        let cases: Vec<(String, Result<SignatureHeader, String>)> = vec![
            (format!("t=5,v1={sig}"), ok(5, 1)),
            (format!("v1={sig},t=5"), ok(5, 1)),
            (format!("t=5, v1={sig}, v1={sig}"), ok(5, 2)),
            (format!("t=5,v0=zz,v2=anything,v1={}", sig.to_uppercase()), ok(5, 1)),
            (format!("v1={sig}"), Err("no `t=` timestamp".into())),
            ("t=5".into(), Err("no `v1=` signature".into())),
            ("t=5,v0=aa".into(), Err("no `v1=` signature".into())),
            (format!("t=-5,v1={sig}"), Err("entry 1: expected `t=<unix seconds>`, found a non-number".into())),
            (format!("t=+5,v1={sig}"), Err("entry 1: expected `t=<unix seconds>`, found a non-number".into())),
            (format!("t=,v1={sig}"), Err("entry 1: expected `t=<unix seconds>`, found a non-number".into())),
            (format!("t=1,t=2,v1={sig}"), Err("entry 2: a second `t=`".into())),
            ("t=5,v1=abc".into(), Err("entry 2: expected `v1=` and 64 hex digits".into())),
            (format!("t=5,v1={sig}00"), Err("entry 2: expected `v1=` and 64 hex digits".into())),
            (format!("t=5,,v1={sig}"), Err("entry 2: expected `name=value`, found no `=`".into())),
            (format!("t=5,=x,v1={sig}"), Err("entry 2: empty name".into())),
            ("".into(), Err("entry 1: expected `name=value`, found no `=`".into())),
            (format!("t=5{}", format!(",v1={sig}").repeat(9)), Err("more than 8 v1 signatures".into())),
            ("x".repeat(5000), Err("longer than 4096 bytes".into())),
        ];
        for (header, want) in cases {
            let got = parse_header(&header).map_err(|e| match e {
                Error::MalformedSignature(why) => why,
                other => format!("unexpected error {other}"),
            });
            assert_eq!(got, want, "header {header:?}");
        }
    }

    #[test]
    fn verify_cases() {
        let body: &'static [u8] = br#"{"event":"case.created"}"#;
        let now = 1_782_864_000;
        let good = sign(b"s1", now, body);
        let rotated = sign_with_secrets(&[b"old", b"new"], now, body);
        struct Case {
            name: &'static str,
            secret: &'static [u8],
            header: String,
            body: &'static [u8],
            now: i64,
            want: Result<i64, &'static str>,
        }
        let case =
            |name: &'static str,
             secret: &'static [u8],
             header: &str,
             body: &'static [u8],
             now: i64,
             want: Result<i64, &'static str>| Case { name, secret, header: header.into(), body, now, want };
        let cases = [
            case("round trip", b"s1", &good, body, now, Ok(now)),
            case("within tolerance, late", b"s1", &good, body, now + 300, Ok(now)),
            case("within tolerance, early", b"s1", &good, body, now - 300, Ok(now)),
            case("stale", b"s1", &good, body, now + 301, Err("stale")),
            case("future", b"s1", &good, body, now - 301, Err("stale")),
            case("tampered body", b"s1", &good, br#"{"event":"case.closed"}"#, now, Err("mismatch")),
            case("wrong secret", b"s2", &good, body, now, Err("mismatch")),
            case("empty secret", b"", &good, body, now, Err("empty")),
            case(
                "tampered timestamp",
                b"s1",
                &good.replacen(&now.to_string(), &(now + 1).to_string(), 1),
                body,
                now,
                Err("mismatch"),
            ),
            case("rotation, old secret", b"old", &rotated, body, now, Ok(now)),
            case("rotation, new secret", b"new", &rotated, body, now, Ok(now)),
            case("rotation, other secret", b"other", &rotated, body, now, Err("mismatch")),
            case("malformed", b"s1", "v1=00", body, now, Err("malformed")),
        ];
        for Case { name, secret, header, body, now, want } in cases {
            let got = verify(secret, &header, body, now, DEFAULT_TOLERANCE_SECS).map_err(|e| match e {
                Error::StaleSignature { .. } => "stale",
                Error::SignatureMismatch => "mismatch",
                Error::EmptySecret => "empty",
                Error::MalformedSignature(_) => "malformed",
                _ => "other",
            });
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn negative_tolerance_is_zero() {
        let h = sign(b"s", 10, b"");
        assert_eq!(verify(b"s", &h, b"", 10, -5).ok(), Some(10));
        assert!(matches!(verify(b"s", &h, b"", 11, -5), Err(Error::StaleSignature { .. })));
        // Extreme clocks do not overflow.
        assert!(matches!(verify(b"s", &h, b"", i64::MIN + 20, i64::MAX), Ok(10)));
        assert!(matches!(verify(b"s", &h, b"", i64::MIN, i64::MAX), Err(Error::StaleSignature { .. })));
        assert!(matches!(verify(b"s", &h, b"", i64::MIN, 0), Err(Error::StaleSignature { .. })));
    }

    #[test]
    fn redaction() {
        let cases = [
            ("https://hooks.example/a/b", "https://hooks.example/a/b"),
            ("https://hooks.example/a?token=s3cret&x=1", "https://hooks.example/a?redacted"),
            ("https://user:pw@hooks.example/a#frag", "https://hooks.example/a"),
            ("http://127.0.0.1:8080/?k=v", "http://127.0.0.1:8080/?redacted"),
            ("not a url?token=s3cret", "not a url…"),
            ("nota@url", "nota…"),
            ("plain", "plain"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn delivery_checks() {
        let cases: [(&str, &str, Option<&str>); 6] = [
            ("d-1", "case.created", None),
            ("", "case.created", Some("id")),
            ("d 1", "case.created", Some("id")),
            ("d-1", "case\ncreated", Some("event")),
            ("d-1", "café", Some("event")),
            (&"x".repeat(201), "e", Some("id")),
        ];
        for (id, event, want) in cases {
            let got = Delivery::new(id, event, "{}").check().err().map(|e| match e {
                Error::InvalidDelivery { field, .. } => field,
                _ => "other",
            });
            assert_eq!(got, want, "{id:?} {event:?}");
        }
    }
}
