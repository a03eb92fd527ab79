//! Mail through a local SMTP sink: what arrives, and how refusals are classified.

use std::time::Duration;

use ch_notify::Error;
use ch_notify::mail::{Mail, Mailer, Security, SmtpConfig};
use ch_testkit::smtp::SmtpSink;

const WAIT: Duration = Duration::from_secs(5);

fn config(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: Security::None,
        username: None,
        password: None,
        from: "Clearinghouse <noreply@clearinghouse.example>".into(),
        hello_name: Some("clearinghouse.test".into()),
        timeout_secs: Some(5),
    }
}

fn mail() -> Mail {
    Mail {
        to: vec!["alice@hospital.example".into(), "Bob Bank <bob@bank.example>".into()],
        subject: "[Clearinghouse] Case CASE-1 opened".into(),
        text: "A case was opened.\r\nSee https://clearinghouse.example/cases/CASE-1".into(),
        html: None,
        message_id: "<0190d1c2-7a3b-7c4d-8e5f-000000000001@clearinghouse>".into(),
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

#[tokio::test]
async fn plain_mail_arrives_whole() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    assert_eq!(mailer.relay(), format!("127.0.0.1:{}", sink.port()));
    mailer.check().await?;
    mailer.send(&mail()).await?;
    let got = sink.wait_for(1, WAIT).await?;
    let m = &got[0];
    assert_eq!(m.from, "noreply@clearinghouse.example");
    assert_eq!(m.to, vec!["alice@hospital.example", "bob@bank.example"]);
    assert_eq!(m.helo, "clearinghouse.test");
    assert_eq!(m.auth_user, None);
    let header = |n: &str| m.header(n).unwrap_or_default();
    assert_eq!(header("From"), "Clearinghouse <noreply@clearinghouse.example>");
    assert_eq!(header("To"), "alice@hospital.example, \"Bob Bank\" <bob@bank.example>");
    assert_eq!(header("Subject"), "[Clearinghouse] Case CASE-1 opened");
    assert_eq!(header("Message-ID"), "<0190d1c2-7a3b-7c4d-8e5f-000000000001@clearinghouse>");
    assert!(header("Content-Type").starts_with("text/plain"), "{}", m.data);
    assert!(m.header("Date").is_some(), "{}", m.data);
    // lettre ends the message with a line break of its own.
    assert_eq!(m.body(), "A case was opened.\r\nSee https://clearinghouse.example/cases/CASE-1\r\n");
    Ok(())
}

#[tokio::test]
async fn html_mail_is_multipart_alternative() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    let mail = Mail { html: Some("<p>A case was <b>opened</b>.</p>".into()), ..mail() };
    mailer.send(&mail).await?;
    let m = &sink.wait_for(1, WAIT).await?[0];
    let content_type = m.header("Content-Type").unwrap_or_default();
    assert!(content_type.starts_with("multipart/alternative"), "{}", m.data);
    let body = m.body();
    let plain = body.find("Content-Type: text/plain").ok_or_else(|| anyhow::anyhow!("no text part: {body}"))?;
    let html = body.find("Content-Type: text/html").ok_or_else(|| anyhow::anyhow!("no html part: {body}"))?;
    assert!(plain < html, "text first, then HTML (RFC 2046 section 5.1.4): {body}");
    assert!(body.contains("A case was opened."), "{body}");
    assert!(body.contains("<p>A case was <b>opened</b>.</p>"), "{body}");
    assert_eq!(m.header("Message-ID").as_deref(), Some("<0190d1c2-7a3b-7c4d-8e5f-000000000001@clearinghouse>"));
    Ok(())
}

#[tokio::test]
async fn a_451_is_retryable_and_the_resend_is_the_same_message() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    sink.fail_next(1);
    match mailer.send(&mail()).await {
        Err(e @ Error::Smtp { code: Some(451), .. }) => assert!(e.is_retryable(), "{e}"),
        other => panic!("expected a 451, got {other:?}"),
    }
    assert_eq!(sink.failed(), 1);
    assert!(sink.messages().is_empty());
    mailer.send(&mail()).await?;
    let got = sink.wait_for(1, WAIT).await?;
    assert_eq!(got[0].header("Message-ID").as_deref(), Some("<0190d1c2-7a3b-7c4d-8e5f-000000000001@clearinghouse>"));
    Ok(())
}

#[tokio::test]
async fn replies_are_classified() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    let cases = [(421, true), (450, true), (451, true), (452, true), (550, false), (552, false), (554, false)];
    for (code, retryable) in cases {
        sink.fail_next_with(1, code);
        match mailer.send(&mail()).await {
            Err(e @ Error::Smtp { .. }) => {
                assert!(matches!(e, Error::Smtp { code: Some(c), .. } if c == code), "{code}: {e:?}");
                assert_eq!(e.is_retryable(), retryable, "{code}: {e}");
                assert!(e.to_string().contains(&format!("127.0.0.1:{}", sink.port())), "{e}");
            }
            other => panic!("{code}: {other:?}"),
        }
    }
    assert!(sink.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn an_unreachable_relay_is_retryable() -> anyhow::Result<()> {
    let mailer = Mailer::new(&config(free_port()?))?;
    match mailer.send(&mail()).await {
        Err(e @ Error::Smtp { code: None, .. }) => assert!(e.is_retryable(), "{e}"),
        other => panic!("expected a connection error, got {other:?}"),
    }
    Ok(())
}

#[tokio::test]
async fn starttls_never_falls_back_to_plain_text() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let config = SmtpConfig {
        security: Security::StartTls,
        username: Some("clearinghouse".into()),
        password: Some("hunter2-password".into()),
        ..config(sink.port())
    };
    let mailer = Mailer::new(&config)?;
    let e = match mailer.send(&mail()).await {
        Err(e) => e,
        Ok(()) => panic!("sent without TLS to a relay that offers no STARTTLS"),
    };
    assert!(!e.is_retryable(), "{e}");
    assert!(!format!("{e} {e:?} {config:?} {mailer:?}").contains("hunter2"), "{e}");
    assert!(sink.messages().is_empty());
    Ok(())
}

#[tokio::test]
async fn a_login_is_used_on_loopback() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let config =
        SmtpConfig { username: Some("clearinghouse".into()), password: Some("pw".into()), ..config(sink.port()) };
    Mailer::new(&config)?.send(&mail()).await?;
    assert_eq!(sink.wait_for(1, WAIT).await?[0].auth_user.as_deref(), Some("clearinghouse"));
    Ok(())
}

#[tokio::test]
async fn text_survives_transport() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    // (subject, text): dot lines need transparency (RFC 5321 section 4.5.2); a CRLF in a
    // subject must not start a header of its own.
    let cases = [
        ("dots", "first\r\n.\r\n..two dots\r\n.last"),
        ("Hi\r\nBcc: evil@attacker.example", "body"),
        ("Übersicht: Fall CASE-1", "Grüße"),
    ];
    for (i, (subject, text)) in cases.into_iter().enumerate() {
        let mail =
            Mail { subject: subject.into(), text: text.into(), message_id: format!("m{i}@clearinghouse"), ..mail() };
        mailer.send(&mail).await?;
        let m = &sink.wait_for(i + 1, WAIT).await?[i];
        assert_eq!(m.to, vec!["alice@hospital.example", "bob@bank.example"], "{subject:?}");
        assert!(m.header("Bcc").is_none(), "{}", m.data);
        assert_eq!(m.header("Message-ID"), Some(format!("<m{i}@clearinghouse>")));
        if text.is_ascii() {
            assert_eq!(m.body(), format!("{text}\r\n"), "{subject:?}");
        }
    }
    Ok(())
}

#[tokio::test]
async fn bad_recipients_are_named() -> anyhow::Result<()> {
    let sink = SmtpSink::start().await?;
    let mailer = Mailer::new(&config(sink.port()))?;
    let bad = Mail { to: vec!["alice@hospital.example".into(), "bob at bank".into()], ..mail() };
    match mailer.send(&bad).await {
        Err(e @ Error::Address { .. }) => {
            assert!(e.to_string().contains("\"bob at bank\""), "{e}");
            assert!(!e.is_retryable());
        }
        other => panic!("expected an address error, got {other:?}"),
    }
    assert!(sink.messages().is_empty());
    Ok(())
}
