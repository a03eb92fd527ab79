//! The crate's one error type.
//!
//! Invariant: no variant carries a webhook secret, an SMTP password or a URL's query string
//! or user information; URLs are stored already redacted ([`crate::webhook::redact_url`]).

/// Errors of notification delivery.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A `X-Clearinghouse-Signature` header does not read.
    #[error("signature header is malformed: {0}")]
    MalformedSignature(String),
    /// The signature's timestamp is further from now than the tolerance allows.
    #[error(
        "signature timestamp {timestamp} is {} by {} s, beyond the tolerance of {tolerance_secs} s",
        if *timestamp < *now { "old" } else { "in the future" },
        timestamp.abs_diff(*now)
    )]
    StaleSignature {
        /// The header's `t=`.
        timestamp: i64,
        /// The verifier's clock.
        now: i64,
        /// The tolerance used.
        tolerance_secs: i64,
    },
    /// No `v1=` signature in the header matches the body under the secret.
    #[error("no v1 signature matches the body (wrong secret or altered body)")]
    SignatureMismatch,
    /// An empty secret was given: refused rather than signing with a key anyone knows.
    #[error("the webhook secret is empty")]
    EmptySecret,
    /// A delivery's id or event name cannot be sent as an HTTP header value.
    #[error("delivery {field} {value:?} is not a valid header value: {reason}")]
    InvalidDelivery {
        /// `id` or `event`.
        field: &'static str,
        /// The offending value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The webhook URL does not parse or is not http(s).
    #[error("webhook URL {url} is invalid: {reason}")]
    InvalidUrl {
        /// The URL, redacted.
        url: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The receiver answered with a status other than 2xx.
    #[error("webhook {url} answered HTTP {status}{}", retry_after_secs.map(|s| format!(" (retry after {s} s)")).unwrap_or_default())]
    Status {
        /// The URL, redacted.
        url: String,
        /// The HTTP status code.
        status: u16,
        /// The receiver's `Retry-After`, when given in seconds.
        retry_after_secs: Option<u64>,
    },
    /// The request did not complete: connection, TLS, timeout.
    #[error("webhook {url}: {message}")]
    Transport {
        /// The URL, redacted.
        url: String,
        /// What went wrong (never contains the URL's query).
        message: String,
        /// Whether trying again later may succeed.
        retryable: bool,
    },
    /// The HTTP client could not be built (TLS backend set-up).
    #[error("HTTP client: {0}")]
    Client(String),
    /// An e-mail address does not parse.
    #[error("invalid e-mail address {address:?} ({role}): {reason}")]
    Address {
        /// The address as given.
        address: String,
        /// `from` or `to`.
        role: &'static str,
        /// What is wrong with it.
        reason: String,
    },
    /// A mail cannot be built (no recipient, bad Message-ID).
    #[error("cannot build mail: {0}")]
    Message(String),
    /// The SMTP configuration is unusable.
    #[error("SMTP configuration: {0}")]
    Config(String),
    /// The SMTP relay refused the mail or could not be reached.
    #[error("SMTP relay {relay}: {message}")]
    Smtp {
        /// `host:port` of the relay.
        relay: String,
        /// The reply code, when the relay answered with one.
        code: Option<u16>,
        /// What went wrong, with the relay's reply text.
        message: String,
        /// Whether trying again later may succeed (4xx replies, connection failures).
        retryable: bool,
    },
}

impl Error {
    /// Whether the same delivery may succeed when tried again later: HTTP 5xx, 408 and 429,
    /// SMTP 4xx replies, connection failures and timeouts. Everything else (other 4xx, SMTP
    /// 5xx, bad input, bad signatures) stays wrong however often it is tried.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Status { status, .. } => retryable_status(*status),
            Error::Transport { retryable, .. } | Error::Smtp { retryable, .. } => *retryable,
            _ => false,
        }
    }

    /// The receiver's `Retry-After` in seconds, when it gave one.
    pub fn retry_after_secs(&self) -> Option<u64> {
        match self {
            Error::Status { retry_after_secs, .. } => *retry_after_secs,
            _ => None,
        }
    }
}

/// HTTP statuses worth a retry: server errors, request timeout, too many requests.
pub(crate) fn retryable_status(status: u16) -> bool {
    (500..=599).contains(&status) || status == 408 || status == 429
}

/// `first`, then the text of each cause in `source`'s chain not already shown, joined by
/// `: `. Layers often repeat their cause's text (`A: B` above `B`), so a cause whose text is
/// already there is left out, and so is a `: `-separated piece equal to the one before it.
pub(crate) fn with_causes(first: &str, mut source: Option<&(dyn std::error::Error + 'static)>) -> String {
    let mut text = first.to_owned();
    while let Some(s) = source {
        let cause = s.to_string();
        if !cause.trim().is_empty() && !text.contains(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
        source = s.source();
    }
    let mut pieces: Vec<&str> = Vec::new();
    for piece in text.split(": ") {
        if !piece.trim().is_empty() && pieces.last() != Some(&piece) {
            pieces.push(piece);
        }
    }
    pieces.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);
    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }
    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|l| l as _)
        }
    }

    #[test]
    fn causes_joined_once() {
        let chain = |texts: &[&'static str]| {
            texts.iter().rev().fold(None, |inner: Option<Box<Layer>>, t| Some(Box::new(Layer(t, inner))))
        };
        let cases: [(&str, &[&'static str], &str); 4] = [
            ("cannot connect", &[], "cannot connect"),
            (
                "cannot connect",
                &["client error (Connect)", "tcp connect error: refused", "refused"],
                "cannot connect: client error (Connect): tcp connect error: refused",
            ),
            (
                "Connection error: Connection error: corrupt",
                &["Connection error: corrupt", "corrupt"],
                "Connection error: corrupt",
            ),
            ("transient error (451): 4.3.0 busy", &["4.3.0 busy"], "transient error (451): 4.3.0 busy"),
        ];
        for (first, causes, want) in cases {
            let c = chain(causes);
            let source = c.as_deref().map(|l| l as &(dyn std::error::Error + 'static));
            assert_eq!(with_causes(first, source), want);
        }
    }

    #[test]
    fn retryable_statuses() {
        let cases = [
            (500, true),
            (502, true),
            (503, true),
            (599, true),
            (408, true),
            (429, true),
            (400, false),
            (401, false),
            (403, false),
            (404, false),
            (410, false),
            (422, false),
            (301, false),
        ];
        for (status, want) in cases {
            let e = Error::Status { url: "http://x/".into(), status, retry_after_secs: None };
            assert_eq!(e.is_retryable(), want, "status {status}");
        }
    }

    #[test]
    fn stale_message_says_direction() {
        let old = Error::StaleSignature { timestamp: 100, now: 1000, tolerance_secs: 300 };
        assert_eq!(old.to_string(), "signature timestamp 100 is old by 900 s, beyond the tolerance of 300 s");
        let future = Error::StaleSignature { timestamp: 2000, now: 1000, tolerance_secs: 300 };
        assert_eq!(
            future.to_string(),
            "signature timestamp 2000 is in the future by 1000 s, beyond the tolerance of 300 s"
        );
    }
}
