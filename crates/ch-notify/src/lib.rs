//! Notification delivery: signed webhooks and e-mail through an SMTP relay.
//!
//! What it owns:
//! - [`webhook`]: the webhook signature scheme (`X-Clearinghouse-Signature:
//!   t=<unix seconds>,v1=<hex HMAC-SHA256>`, documented there and stable), [`webhook::sign`]
//!   and [`webhook::verify`] for it, and [`webhook::WebhookSender`], which POSTs a
//!   [`webhook::Delivery`] with its idempotency key and says whether a failure is worth
//!   retrying.
//! - [`mail`]: [`mail::SmtpConfig`] (plain, STARTTLS or implicit TLS, optional login) and
//!   [`mail::Mailer`], which sends a [`mail::Mail`] (text, optionally with an HTML
//!   alternative) under a stable `Message-ID`.
//!
//! What it does not own: when to notify, whom, and the retry schedule: callers keep the
//! delivery (its id, event and body), ask [`Error::is_retryable`] and try again later with
//! the same delivery. Time is a parameter (`now_unix`); no clock is read here except the
//! `Date` header that the mail builder stamps.
//!
//! ```no_run
//! # async fn f() -> Result<(), ch_notify::Error> {
//! use ch_notify::webhook::{Delivery, WebhookSender, verify, DEFAULT_TOLERANCE_SECS};
//!
//! let delivery = Delivery::new("0190d1c2-7a3b-7c4d-8e5f-000000000001", "case.created", r#"{"case":"CASE-1"}"#);
//! let sender = WebhookSender::new()?;
//! match sender.send("https://receiver.example/hooks", b"shared secret", &delivery, 1_782_864_000).await {
//!     Ok(sent) => println!("delivered: HTTP {}", sent.status),
//!     Err(e) if e.is_retryable() => println!("try again later: {e}"),
//!     Err(e) => println!("gave up: {e}"),
//! }
//!
//! // On the receiving side, with the raw body and the header:
//! let header = ch_notify::webhook::sign(b"shared secret", 1_782_864_000, &delivery.body);
//! let signed_at = verify(b"shared secret", &header, &delivery.body, 1_782_864_010, DEFAULT_TOLERANCE_SECS)?;
//! assert_eq!(signed_at, 1_782_864_000);
//!
//! use ch_notify::mail::{Mail, Mailer, Security, SmtpConfig};
//! let mailer = Mailer::new(&SmtpConfig {
//!     host: "smtp.example.org".into(),
//!     port: 587,
//!     security: Security::StartTls,
//!     username: Some("clearinghouse".into()),
//!     password: Some("…".into()),
//!     from: "Clearinghouse <noreply@clearinghouse.example>".into(),
//!     hello_name: None,
//!     timeout_secs: None,
//! })?;
//! mailer
//!     .send(&Mail {
//!         to: vec!["alice@hospital.example".into()],
//!         subject: "Case CASE-1 opened".into(),
//!         text: "A case was opened.".into(),
//!         html: None,
//!         message_id: "<0190d1c2-7a3b-7c4d-8e5f-000000000001@clearinghouse>".into(),
//!     })
//!     .await?;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]
#![cfg_attr(not(test), warn(clippy::unwrap_used, clippy::expect_used, clippy::panic))]

mod error;
pub mod mail;
pub mod webhook;

pub use error::Error;
