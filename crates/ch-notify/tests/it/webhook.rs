//! Webhooks into a local sink: signature, headers, idempotency key, failure classes.

use std::time::Duration;

use ch_notify::Error;
use ch_notify::webhook::{
    DEFAULT_TOLERANCE_SECS, DELIVERY_HEADER, Delivery, EVENT_HEADER, SIGNATURE_HEADER, USER_AGENT, WebhookSender, sign,
    verify,
};
use ch_testkit::webhook::WebhookSink;
use proptest::prelude::*;

const SECRET: &[u8] = b"whsec_test_5f2b";
/// 2026-07-01T00:00:00Z.
const NOW: i64 = 1_782_864_000;
const WAIT: Duration = Duration::from_secs(5);

fn delivery() -> anyhow::Result<Delivery> {
    Ok(Delivery::json(
        "0190d1c2-7a3b-7c4d-8e5f-000000000001",
        "case.created",
        &serde_json::json!({"case": "CASE-1", "title": "Exposure in pump firmware"}),
    )?)
}

#[tokio::test]
async fn a_delivery_arrives_signed_and_verifies() -> anyhow::Result<()> {
    let sink = WebhookSink::start().await?;
    let sender = WebhookSender::new()?;
    let d = delivery()?;
    let sent = sender.send(&sink.url(), SECRET, &d, NOW).await?;
    assert_eq!(sent.status, 204);
    let reqs = sink.wait_for(1, WAIT).await?;
    let r = &reqs[0];
    assert_eq!(r.method, "POST");
    assert_eq!(r.path, "/hook");
    assert_eq!(r.body, d.body);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.header("user-agent"), Some(USER_AGENT));
    assert_eq!(USER_AGENT, concat!("clearinghouse/", env!("CARGO_PKG_VERSION")));
    assert_eq!(r.header(DELIVERY_HEADER), Some(d.id.as_str()));
    assert_eq!(r.header(EVENT_HEADER), Some("case.created"));
    let signature = r.header(SIGNATURE_HEADER).ok_or_else(|| anyhow::anyhow!("no signature header"))?;
    assert_eq!(signature, sign(SECRET, NOW, &d.body));
    // The receiver checks what it received, a little later by its own clock.
    assert_eq!(verify(SECRET, signature, &r.body, NOW + 3, DEFAULT_TOLERANCE_SECS)?, NOW);
    assert!(matches!(verify(b"other secret", signature, &r.body, NOW, 300), Err(Error::SignatureMismatch)));
    assert!(matches!(verify(SECRET, signature, &r.body, NOW + 3_600, 300), Err(Error::StaleSignature { .. })));
    assert_eq!(r.json()?["case"], "CASE-1");
    Ok(())
}

#[tokio::test]
async fn a_retry_carries_the_same_delivery_id() -> anyhow::Result<()> {
    let sink = WebhookSink::start().await?;
    let sender = WebhookSender::new()?;
    let d = delivery()?;
    sink.fail_next(1);
    let first = sender.send(&sink.url(), SECRET, &d, NOW).await;
    match &first {
        Err(e @ Error::Status { status: 503, .. }) => {
            assert!(e.is_retryable(), "{e}");
            assert_eq!(e.retry_after_secs(), Some(1));
        }
        other => panic!("expected a 503, got {other:?}"),
    }
    sender.send(&sink.url(), SECRET, &d, NOW + 60).await?;
    let reqs = sink.wait_for(2, WAIT).await?;
    assert_eq!(reqs[0].header(DELIVERY_HEADER), reqs[1].header(DELIVERY_HEADER));
    assert_eq!(reqs[0].body, reqs[1].body);
    assert_ne!(reqs[0].header(SIGNATURE_HEADER), reqs[1].header(SIGNATURE_HEADER));
    for (r, t) in reqs.iter().zip([NOW, NOW + 60]) {
        let sig = r.header(SIGNATURE_HEADER).unwrap_or_default();
        assert_eq!(verify(SECRET, sig, &r.body, NOW + 60, DEFAULT_TOLERANCE_SECS)?, t);
    }
    Ok(())
}

#[tokio::test]
async fn statuses_are_classified() -> anyhow::Result<()> {
    let sink = WebhookSink::start().await?;
    let sender = WebhookSender::new()?;
    let d = delivery()?;
    // (answer, Ok or retryable?)
    let cases: [(u16, Result<(), bool>); 16] = [
        (200, Ok(())),
        (201, Ok(())),
        (202, Ok(())),
        (204, Ok(())),
        (301, Err(false)),
        (400, Err(false)),
        (401, Err(false)),
        (403, Err(false)),
        (404, Err(false)),
        (408, Err(true)),
        (410, Err(false)),
        (422, Err(false)),
        (429, Err(true)),
        (500, Err(true)),
        (502, Err(true)),
        (503, Err(true)),
    ];
    for (status, want) in cases {
        sink.respond_next(1, status);
        let got = match sender.send(&sink.url(), SECRET, &d, NOW).await {
            Ok(sent) => {
                assert_eq!(sent.status, status);
                Ok(())
            }
            Err(e) => {
                assert!(matches!(e, Error::Status { status: s, .. } if s == status), "{status}: {e}");
                Err(e.is_retryable())
            }
        };
        assert_eq!(got, want, "HTTP {status}");
    }
    assert_eq!(sink.requests().len(), cases.len());
    Ok(())
}

#[tokio::test]
async fn a_refused_connection_is_retryable_and_redacted() -> anyhow::Result<()> {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0")?;
        l.local_addr()?.port()
    };
    let sender = WebhookSender::new()?;
    let url = format!("http://127.0.0.1:{port}/hook?token=s3cret-token");
    let e = match sender.send(&url, SECRET, &delivery()?, NOW).await {
        Err(e) => e,
        Ok(sent) => panic!("nothing listens on {port}, yet {sent:?}"),
    };
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable(), "{e}");
    let text = format!("{e} {e:?}");
    assert!(!text.contains("s3cret-token"), "{text}");
    assert!(!text.contains("whsec_test"), "{text}");
    assert!(text.contains("?redacted"), "{text}");
    Ok(())
}

#[tokio::test]
async fn a_silent_receiver_times_out_retryably() -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    // Accepts, reads nothing, answers nothing; the connection is held until the test ends.
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let sender = WebhookSender::with_timeout(Duration::from_millis(300))?;
    let started = std::time::Instant::now();
    let e = match sender.send(&format!("http://{addr}/hook"), SECRET, &delivery()?, NOW).await {
        Err(e) => e,
        Ok(sent) => panic!("a silent receiver answered {sent:?}"),
    };
    hold.abort();
    assert!(started.elapsed() < Duration::from_secs(5), "timeout not applied: {:?}", started.elapsed());
    assert!(e.is_retryable(), "{e}");
    assert!(e.to_string().contains("timed out"), "{e}");
    Ok(())
}

#[tokio::test]
async fn errors_never_carry_the_secret_or_the_query() -> anyhow::Result<()> {
    let sink = WebhookSink::start().await?;
    let sender = WebhookSender::new()?;
    sink.respond_next(1, 500);
    let url = sink.url_for("/hook?token=s3cret-token&x=1");
    let e = match sender.send(&url, SECRET, &delivery()?, NOW).await {
        Err(e) => e,
        Ok(sent) => panic!("expected a 500, got {sent:?}"),
    };
    let text = format!("{e} {e:?}");
    assert!(!text.contains("s3cret-token") && !text.contains("whsec_test"), "{text}");
    assert_eq!(e.to_string(), format!("webhook http://127.0.0.1:{}/hook?redacted answered HTTP 500", sink.port()));
    // The receiver still got the query it was given.
    assert_eq!(sink.wait_for(1, WAIT).await?[0].path, "/hook?token=s3cret-token&x=1");
    Ok(())
}

#[tokio::test]
async fn bad_input_is_refused_before_sending() -> anyhow::Result<()> {
    let sink = WebhookSink::start().await?;
    let sender = WebhookSender::new()?;
    let good = delivery()?;
    let url = sink.url();
    let cases: Vec<(&str, String, &[u8], Delivery, &str)> = vec![
        ("empty secret", url.clone(), b"", good.clone(), "empty secret"),
        ("not a URL", "not a url".into(), SECRET, good.clone(), "url"),
        ("not http", "ftp://127.0.0.1/x".into(), SECRET, good.clone(), "url"),
        ("id with a space", url.clone(), SECRET, Delivery::new("a b", "case.created", "{}"), "delivery"),
        ("event with a newline", url.clone(), SECRET, Delivery::new("d-1", "case\r\nX-Evil: 1", "{}"), "delivery"),
    ];
    for (name, url, secret, d, want) in cases {
        let got = match sender.send(&url, secret, &d, NOW).await {
            Err(Error::EmptySecret) => "empty secret",
            Err(Error::InvalidUrl { .. }) => "url",
            Err(Error::InvalidDelivery { .. }) => "delivery",
            other => panic!("{name}: {other:?}"),
        };
        assert_eq!(got, want, "{name}");
    }
    assert!(sink.requests().is_empty());
    assert!(!Error::EmptySecret.is_retryable());
    Ok(())
}

proptest! {
    #[test]
    fn verify_never_panics_on_any_header(header in ".{0,300}", now in any::<i64>(), tolerance in any::<i64>()) {
        let _ = verify(SECRET, &header, b"{}", now, tolerance);
    }

    #[test]
    fn verify_never_panics_on_header_like_strings(
        header in "(t=[0-9+-]{0,21}|v1=[0-9a-fA-F]{0,66}|v0=[a-z]{0,3}|=|,| ){0,12}",
        now in any::<i64>(),
    ) {
        let _ = verify(SECRET, &header, b"", now, DEFAULT_TOLERANCE_SECS);
    }

    #[test]
    fn sign_then_verify_round_trips(
        secret in proptest::collection::vec(any::<u8>(), 1..200),
        body in proptest::collection::vec(any::<u8>(), 0..512),
        t in 0i64..=4_102_444_800,
        skew in -300i64..=300,
    ) {
        let header = sign(&secret, t, &body);
        prop_assert_eq!(verify(&secret, &header, &body, t + skew, 300).ok(), Some(t));
        let mut tampered = body.clone();
        tampered.push(b' ');
        prop_assert!(matches!(verify(&secret, &header, &tampered, t, 300), Err(Error::SignatureMismatch)));
    }
}
