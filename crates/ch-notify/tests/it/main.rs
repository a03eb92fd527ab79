//! Notification delivery end to end, on 127.0.0.1 only: webhooks into a
//! [`ch_testkit::webhook::WebhookSink`] (signature verified on arrival, retryable and final
//! failures told apart) and mail through a [`ch_testkit::smtp::SmtpSink`] speaking SMTP.

mod mail;
mod webhook;
