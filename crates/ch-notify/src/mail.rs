//! E-mail through an SMTP relay.
//!
//! [`SmtpConfig`] (read from the binary's configuration) names the relay, how the
//! connection is protected ([`Security`]), the optional login and the `From` address.
//! [`Mailer`] turns a [`Mail`] into a MIME message (plain text, or `multipart/alternative`
//! with an HTML part) and hands it to the relay, one connection per mail.
//!
//! Invariants:
//! - The password is never in an error, a log line or `Debug` output.
//! - A password is never sent in clear text: credentials need [`Security::StartTls`] or
//!   [`Security::Tls`], except to a relay on the loopback interface.
//! - [`Security::StartTls`] never falls back to plain text: a relay that does not offer
//!   STARTTLS gets nothing.
//! - The `Message-ID` is the caller's, so a mail sent again for the same delivery is
//!   recognisably the same message.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::Error;

/// How long one SMTP command may take unless configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 30;

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text (a relay on the same host or network only; usually port 25).
    None,
    /// Plain connection upgraded with STARTTLS, required (usually port 587).
    #[default]
    #[serde(alias = "start_tls")]
    StartTls,
    /// TLS from the first byte, "implicit TLS" (usually port 465).
    Tls,
}

/// Where and how to send mail. Reads from configuration, e.g. TOML:
///
/// ```toml
/// host = "smtp.example.org"
/// port = 587
/// security = "starttls"   # "none", "starttls" (default) or "tls"
/// username = "clearinghouse"
/// password = "…"
/// from = "Clearinghouse <noreply@clearinghouse.example>"
/// ```
#[derive(Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The relay's host name (also the name its TLS certificate must carry).
    pub host: String,
    /// The relay's port.
    pub port: u16,
    /// Connection protection; STARTTLS unless told otherwise.
    #[serde(default)]
    pub security: Security,
    /// Login name, when the relay wants one (with `password`).
    #[serde(default)]
    pub username: Option<String>,
    /// Password for `username`.
    #[serde(default)]
    pub password: Option<String>,
    /// The `From` mailbox, `addr@host` or `Name <addr@host>`.
    pub from: String,
    /// The name this side gives in `EHLO`; `[127.0.0.1]` when absent.
    #[serde(default)]
    pub hello_name: Option<String>,
    /// Seconds one SMTP command may take ([`DEFAULT_TIMEOUT_SECS`] when absent).
    #[serde(default)]
    pub timeout_secs: Option<u64>,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("from", &self.from)
            .field("hello_name", &self.hello_name)
            .field("timeout_secs", &self.timeout_secs)
            .finish()
    }
}

/// One e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipients, `addr@host` or `Name <addr@host>`; at least one.
    pub to: Vec<String>,
    /// The subject (any text; encoded as RFC 2047 when not plain ASCII).
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// An HTML body: when given the mail is `multipart/alternative` (text, then HTML).
    pub html: Option<String>,
    /// The `Message-ID`, stable per delivery, e.g. `<d-0190…@clearinghouse>` (the angle
    /// brackets are added when missing). Visible ASCII with one `@`.
    pub message_id: String,
}

/// Sends [`Mail`] through one relay.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    relay: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer").field("relay", &self.relay).field("from", &self.from.to_string()).finish()
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().map(|ip| ip.is_loopback()).unwrap_or(false)
}

fn mailbox(address: &str, role: &'static str) -> Result<Mailbox, Error> {
    address.trim().parse::<Mailbox>().map_err(|e| Error::Address {
        address: address.to_owned(),
        role,
        reason: e.to_string(),
    })
}

/// `<id@domain>` from `id@domain` or `<id@domain>`; refuses what could break the header.
fn message_id(id: &str) -> Result<String, Error> {
    let bare = id.trim();
    let bare = bare.strip_prefix('<').and_then(|s| s.strip_suffix('>')).unwrap_or(bare);
    let bad = |why: &str| Err(Error::Message(format!("Message-ID {id:?}: {why}")));
    if bare.is_empty() || bare.len() > 250 {
        return bad("expected 1 to 250 characters");
    }
    if !bare.bytes().all(|b| b.is_ascii_graphic() && b != b'<' && b != b'>') {
        return bad("expected visible ASCII without spaces or angle brackets");
    }
    match bare.split_once('@') {
        Some((left, right)) if !left.is_empty() && !right.is_empty() && !right.contains('@') => {}
        _ => return bad("expected the form `left@right`"),
    }
    Ok(format!("<{bare}>"))
}

impl Mailer {
    /// A mailer for the relay in `config`. Connects only when sending.
    ///
    /// # Errors
    ///
    /// [`Error::Address`] for a bad `from`, [`Error::Config`] for a login without TLS to a
    /// relay off this host, a half-given login, or a TLS set-up failure.
    pub fn new(config: &SmtpConfig) -> Result<Mailer, Error> {
        let from = mailbox(&config.from, "from")?;
        let relay = format!("{}:{}", config.host, config.port);
        if config.host.trim().is_empty() {
            return Err(Error::Config("`host` is empty".into()));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.as_str())
            .port(config.port)
            .timeout(Some(Duration::from_secs(config.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS))));
        let tls = |host: &str| {
            TlsParameters::new(host.to_owned()).map_err(|e| Error::Config(format!("TLS for {relay}: {e}")))
        };
        builder = match config.security {
            Security::None => builder.tls(Tls::None),
            Security::StartTls => builder.tls(Tls::Required(tls(&config.host)?)),
            Security::Tls => builder.tls(Tls::Wrapper(tls(&config.host)?)),
        };
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                if config.security == Security::None && !is_loopback(&config.host) {
                    return Err(Error::Config(format!(
                        "a login for {relay} needs security = \"starttls\" or \"tls\": \
                         the password would travel in clear text"
                    )));
                }
                builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
            }
            (None, None) => {}
            (Some(_), None) => return Err(Error::Config("`username` is set but `password` is not".into())),
            (None, Some(_)) => return Err(Error::Config("`password` is set but `username` is not".into())),
        }
        if let Some(name) = &config.hello_name {
            builder = builder.hello_name(ClientId::Domain(name.clone()));
        }
        Ok(Mailer { transport: builder.build(), from, relay })
    }

    /// The relay, `host:port`.
    pub fn relay(&self) -> &str {
        &self.relay
    }

    /// The message as it would go on the wire (headers and MIME body, CRLF line ends).
    ///
    /// # Errors
    ///
    /// As [`Mailer::send`], before anything is sent.
    pub fn render(&self, mail: &Mail) -> Result<Vec<u8>, Error> {
        Ok(self.message(mail)?.formatted())
    }

    fn message(&self, mail: &Mail) -> Result<Message, Error> {
        if mail.to.is_empty() {
            return Err(Error::Message("no recipient".into()));
        }
        let mut builder = Message::builder()
            .from(self.from.clone())
            .subject(mail.subject.clone())
            .message_id(Some(message_id(&mail.message_id)?));
        for to in &mail.to {
            builder = builder.to(mailbox(to, "to")?);
        }
        let built = match &mail.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(mail.text.clone(), html.clone())),
            None => builder.singlepart(SinglePart::builder().header(ContentType::TEXT_PLAIN).body(mail.text.clone())),
        };
        built.map_err(|e| Error::Message(e.to_string()))
    }

    /// Sends `mail` through the relay.
    ///
    /// # Errors
    ///
    /// [`Error::Address`] naming a bad recipient, [`Error::Message`], or [`Error::Smtp`]
    /// with the relay's reply; [`Error::is_retryable`] is true for 4xx replies and
    /// connection failures, false for 5xx replies and TLS failures.
    pub async fn send(&self, mail: &Mail) -> Result<(), Error> {
        let message = self.message(mail)?;
        match self.transport.send(message).await {
            Ok(response) => {
                tracing::debug!(relay = %self.relay, message_id = %mail.message_id, recipients = mail.to.len(),
                    code = %response.code(), "mail handed to the relay");
                Ok(())
            }
            Err(e) => {
                let error = smtp_error(&e, &self.relay);
                tracing::debug!(relay = %self.relay, message_id = %mail.message_id, error = %error, "mail not sent");
                Err(error)
            }
        }
    }

    /// Connects, greets and says `NOOP`: checks the relay, the TLS set-up and the login.
    ///
    /// # Errors
    ///
    /// [`Error::Smtp`] as for [`Mailer::send`].
    pub async fn check(&self) -> Result<(), Error> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(Error::Smtp {
                relay: self.relay.clone(),
                code: None,
                message: "the connection closed after the greeting".into(),
                retryable: true,
            }),
            Err(e) => Err(smtp_error(&e, &self.relay)),
        }
    }
}

fn smtp_error(e: &lettre::transport::smtp::Error, relay: &str) -> Error {
    let code = e.status().and_then(|c| c.to_string().parse::<u16>().ok());
    // 4xx replies are transient by definition (RFC 5321 section 4.2.1); so are a refused or
    // dropped connection and a timeout. Refusals (5xx), TLS failures (a certificate that does
    // not match will not match tomorrow), unreadable replies and our own errors are not.
    let retryable = e.is_transient()
        || e.is_timeout()
        || !(e.is_permanent() || e.is_client() || e.is_tls() || e.is_response() || e.is_transport_shutdown());
    let message = crate::error::with_causes(&e.to_string(), std::error::Error::source(e));
    Error::Smtp { relay: relay.to_owned(), code, message, retryable }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> SmtpConfig {
        SmtpConfig {
            host: "127.0.0.1".into(),
            port: 2525,
            security: Security::None,
            username: None,
            password: None,
            from: "Clearinghouse <noreply@clearinghouse.example>".into(),
            hello_name: None,
            timeout_secs: None,
        }
    }

    #[test]
    fn message_ids() {
        let cases = [
            ("d-1@clearinghouse", Ok("<d-1@clearinghouse>")),
            ("<d-1@clearinghouse>", Ok("<d-1@clearinghouse>")),
            (" <d-1@clearinghouse> ", Ok("<d-1@clearinghouse>")),
            ("d-1", Err(())),
            ("@x", Err(())),
            ("x@", Err(())),
            ("a@b@c", Err(())),
            ("a b@c", Err(())),
            ("a@b\r\nBcc: x@y", Err(())),
            ("<<a@b>>", Err(())),
            ("", Err(())),
        ];
        for (id, want) in cases {
            assert_eq!(message_id(id).map_err(|_| ()), want.map(str::to_owned), "{id:?}");
        }
    }

    #[test]
    fn loopback_hosts() {
        let cases = [
            ("localhost", true),
            ("127.0.0.1", true),
            ("127.1.2.3", true),
            ("::1", true),
            ("[::1]", true),
            ("smtp.example", false),
            ("10.0.0.1", false),
        ];
        for (host, want) in cases {
            assert_eq!(is_loopback(host), want, "{host}");
        }
    }

    #[test]
    fn config_checks() {
        type Edit = fn(&mut SmtpConfig);
        let cases: [(&str, Edit, Option<&str>); 8] = [
            ("plain, no login", |_| {}, None),
            (
                "plain login to loopback",
                |c| {
                    c.username = Some("u".into());
                    c.password = Some("p".into());
                },
                None,
            ),
            (
                "plain login off host",
                |c| {
                    c.host = "smtp.example".into();
                    c.username = Some("u".into());
                    c.password = Some("p".into());
                },
                Some("config"),
            ),
            (
                "starttls login off host",
                |c| {
                    c.host = "smtp.example".into();
                    c.security = Security::StartTls;
                    c.username = Some("u".into());
                    c.password = Some("p".into());
                },
                None,
            ),
            ("implicit tls", |c| c.security = Security::Tls, None),
            ("username only", |c| c.username = Some("u".into()), Some("config")),
            ("password only", |c| c.password = Some("p".into()), Some("config")),
            ("bad from", |c| c.from = "not an address".into(), Some("address")),
        ];
        for (name, edit, want) in cases {
            let mut c = config();
            edit(&mut c);
            let got = Mailer::new(&c).err().map(|e| match e {
                Error::Config(_) => "config",
                Error::Address { .. } => "address",
                _ => "other",
            });
            assert_eq!(got, want, "{name}");
        }
    }

    #[test]
    fn debug_hides_password() {
        let mut c = config();
        c.username = Some("u".into());
        c.password = Some("hunter2".into());
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("<redacted>"), "{shown}");
    }

    #[test]
    fn config_reads() -> Result<(), serde_json::Error> {
        let c: SmtpConfig =
            serde_json::from_str(r#"{"host":"smtp.example","port":465,"security":"tls","from":"a@b"}"#)?;
        assert_eq!(c.security, Security::Tls);
        let c: SmtpConfig = serde_json::from_str(r#"{"host":"smtp.example","port":587,"from":"a@b"}"#)?;
        assert_eq!(c.security, Security::StartTls);
        for name in ["none", "starttls", "start_tls", "tls"] {
            let json = format!(r#"{{"host":"h","port":25,"security":"{name}","from":"a@b"}}"#);
            assert!(serde_json::from_str::<SmtpConfig>(&json).is_ok(), "{name}");
        }
        assert!(serde_json::from_str::<SmtpConfig>(r#"{"host":"h","port":25,"from":"a@b","pasword":"x"}"#).is_err());
        Ok(())
    }

    #[test]
    fn render_plain_and_html() -> Result<(), Error> {
        let mailer = Mailer::new(&config())?;
        let mut mail = Mail {
            to: vec!["alice@hospital.example".into(), "Bob <bob@bank.example>".into()],
            subject: "Case CASE-1 opened".into(),
            text: "Hello".into(),
            html: None,
            message_id: "d-1@clearinghouse".into(),
        };
        let plain = String::from_utf8_lossy(&mailer.render(&mail)?).into_owned();
        assert!(plain.contains("Message-ID: <d-1@clearinghouse>\r\n"), "{plain}");
        assert!(plain.contains("Content-Type: text/plain; charset=utf-8\r\n"), "{plain}");
        assert!(plain.contains("To: alice@hospital.example, Bob <bob@bank.example>\r\n"), "{plain}");
        mail.html = Some("<p>Hello</p>".into());
        let html = String::from_utf8_lossy(&mailer.render(&mail)?).into_owned();
        assert!(html.contains("multipart/alternative"), "{html}");
        assert!(html.contains("<p>Hello</p>"), "{html}");
        Ok(())
    }

    #[test]
    fn render_refuses() -> Result<(), Error> {
        let mailer = Mailer::new(&config())?;
        let base = Mail {
            to: vec!["alice@hospital.example".into()],
            subject: "s".into(),
            text: "t".into(),
            html: None,
            message_id: "d-1@clearinghouse".into(),
        };
        let no_to = Mail { to: vec![], ..base.clone() };
        assert!(matches!(mailer.render(&no_to), Err(Error::Message(_))));
        let bad_to = Mail { to: vec!["alice@hospital.example".into(), "bob at bank".into()], ..base.clone() };
        match mailer.render(&bad_to) {
            Err(Error::Address { address, role: "to", .. }) => assert_eq!(address, "bob at bank"),
            other => panic!("expected an address error, got {other:?}"),
        }
        let bad_id = Mail { message_id: "no-at-sign".into(), ..base };
        assert!(matches!(mailer.render(&bad_id), Err(Error::Message(_))));
        Ok(())
    }
}
