//! [`SmtpSink`]: a real SMTP server on `127.0.0.1`, for tests that send mail.
//!
//! It speaks enough of RFC 5321 for lettre and other clients: the `220` greeting, `EHLO`
//! (multi-line `250` advertising `8BITMIME`, `SMTPUTF8`, `SIZE`, `ENHANCEDSTATUSCODES`,
//! `AUTH PLAIN`) and `HELO`, `MAIL FROM`, `RCPT TO`, `DATA` (ended by `CRLF.CRLF`,
//! dot-unstuffed), `RSET`, `NOOP`, `QUIT`, and `AUTH PLAIN` accepting any password. Known
//! but unimplemented commands (`VRFY`, `STARTTLS`, …) get `502`, unknown ones `500`, commands
//! out of order `503`, bad arguments `501`. Every accepted message is recorded as a
//! [`ReceivedMail`]; [`SmtpSink::fail_next`] makes the next transactions fail at the end
//! of `DATA` (like a relay that is busy), to test retries.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The largest message accepted (advertised as `SIZE`).
pub const MAX_MESSAGE_SIZE: usize = 10 * 1024 * 1024;
/// The longest command or text line read.
const MAX_LINE: usize = 64 * 1024;
/// The most recipients of one transaction (RFC 5321 section 4.5.3.1.8 asks for at least 100).
const MAX_RECIPIENTS: usize = 100;

/// One message the sink accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMail {
    /// The `MAIL FROM` address (empty for the null reverse path `<>`).
    pub from: String,
    /// The `RCPT TO` addresses, in order.
    pub to: Vec<String>,
    /// The message as sent after `DATA`: headers and body, CRLF line ends, dot-unstuffed,
    /// up to the `CRLF.CRLF` terminator (its first CRLF not included).
    pub data: String,
    /// The name given in `EHLO` or `HELO`.
    pub helo: String,
    /// The user name of a successful `AUTH`, if any.
    pub auth_user: Option<String>,
}

impl ReceivedMail {
    /// The header section (up to the first empty line).
    fn header_section(&self) -> &str {
        match self.data.find("\r\n\r\n") {
            Some(i) => self.data.get(..i).unwrap_or(&self.data),
            None => &self.data,
        }
    }

    /// Every value of header `name` (case-insensitive), unfolded and trimmed, in order.
    pub fn headers(&self, name: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let mut current: Option<String> = None;
        for line in self.header_section().split("\r\n") {
            if line.starts_with([' ', '\t']) {
                if let Some(v) = current.as_mut() {
                    v.push(' ');
                    v.push_str(line.trim());
                }
                continue;
            }
            if let Some(v) = current.take() {
                out.push(v);
            }
            if let Some((n, v)) = line.split_once(':')
                && n.trim().eq_ignore_ascii_case(name)
            {
                current = Some(v.trim().to_owned());
            }
        }
        out.extend(current);
        out
    }

    /// The first value of header `name` (case-insensitive), unfolded and trimmed: `Subject`,
    /// `Message-ID`, `From`, `To`, …
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers(name).into_iter().next()
    }

    /// The body: everything after the first empty line, as sent (MIME parts and transfer
    /// encodings left as they are).
    pub fn body(&self) -> &str {
        match self.data.find("\r\n\r\n") {
            Some(i) => self.data.get(i + 4..).unwrap_or_default(),
            None => "",
        }
    }
}

#[derive(Default)]
struct State {
    messages: Vec<ReceivedMail>,
    /// Reply codes for the next transactions to fail with, in order.
    failures: VecDeque<u16>,
    failed: usize,
}

struct Shared {
    state: Mutex<State>,
    count: watch::Sender<usize>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// An SMTP server on `127.0.0.1` and an ephemeral port, recording what it receives.
/// Stops when dropped.
pub struct SmtpSink {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for SmtpSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSink").field("addr", &self.addr).finish_non_exhaustive()
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        // Aborting the accept loop drops its JoinSet, which aborts every open session.
        self.task.abort();
    }
}

impl SmtpSink {
    /// Binds `127.0.0.1:0` and starts serving.
    pub async fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared { state: Mutex::new(State::default()), count: watch::Sender::new(0) });
        let accept_shared = shared.clone();
        let task = tokio::spawn(async move {
            let mut sessions = tokio::task::JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else { continue };
                        let shared = accept_shared.clone();
                        sessions.spawn(async move {
                            // A client that hangs up mid-session is not the sink's problem.
                            let _ = session(stream, shared).await;
                        });
                    }
                    Some(_) = sessions.join_next(), if !sessions.is_empty() => {}
                }
            }
        });
        Ok(SmtpSink { addr, shared, task })
    }

    /// The port it listens on (host `127.0.0.1`).
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The messages accepted so far, in order.
    pub fn messages(&self) -> Vec<ReceivedMail> {
        self.shared.lock().messages.clone()
    }

    /// Waits until at least `n` messages were accepted and returns them all; an error
    /// naming how many arrived when `timeout` passes first.
    pub async fn wait_for(&self, n: usize, timeout: Duration) -> anyhow::Result<Vec<ReceivedMail>> {
        let mut rx = self.shared.count.subscribe();
        match tokio::time::timeout(timeout, rx.wait_for(|c| *c >= n)).await {
            Ok(Ok(_)) => Ok(self.messages()),
            _ => anyhow::bail!("SmtpSink: waited {timeout:?} for {n} messages, {} arrived", self.messages().len()),
        }
    }

    /// The next `n` transactions fail with `451 4.3.0` at the end of `DATA` (nothing is
    /// recorded for them).
    pub fn fail_next(&self, n: usize) {
        self.fail_next_with(n, 451);
    }

    /// The next `n` transactions fail with reply `code` (4xx or 5xx) at the end of `DATA`.
    pub fn fail_next_with(&self, n: usize, code: u16) {
        self.shared.lock().failures.extend(std::iter::repeat_n(code, n));
    }

    /// How many transactions were failed on purpose so far.
    pub fn failed(&self) -> usize {
        self.shared.lock().failed
    }
}

/// One mail transaction in progress.
struct Transaction {
    from: String,
    to: Vec<String>,
}

enum Line {
    /// A line without its CRLF (or bare LF).
    Text(String),
    TooLong,
}

/// Reads one line of at most `max` bytes; `None` at end of input.
async fn read_raw<R: AsyncBufRead + Unpin>(r: &mut R, max: usize) -> std::io::Result<Option<Result<Vec<u8>, ()>>> {
    let mut buf = Vec::new();
    let n = (&mut *r).take(max as u64 + 1).read_until(b'\n', &mut buf).await?;
    if n == 0 {
        return Ok(None);
    }
    if !buf.ends_with(b"\n") {
        if buf.len() > max {
            return Ok(Some(Err(())));
        }
        // End of input in the middle of a line.
        return Ok(None);
    }
    Ok(Some(Ok(buf)))
}

async fn read_command<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Line>> {
    Ok(match read_raw(r, MAX_LINE).await? {
        None => None,
        Some(Err(())) => Some(Line::TooLong),
        Some(Ok(mut buf)) => {
            while buf.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                buf.pop();
            }
            Some(Line::Text(String::from_utf8_lossy(&buf).into_owned()))
        }
    })
}

/// Parses `FROM:<addr> params` / `TO:<addr> params` (the keyword case-insensitive, spaces
/// after the colon tolerated): the address and the parameters.
fn parse_path<'a>(arg: &'a str, keyword: &str) -> Option<(&'a str, &'a str)> {
    let head = arg.get(..keyword.len())?;
    if !head.eq_ignore_ascii_case(keyword) {
        return None;
    }
    let rest = arg.get(keyword.len()..)?.trim_start();
    let rest = rest.strip_prefix('<')?;
    let end = rest.find('>')?;
    let addr = rest.get(..end)?;
    let params = rest.get(end + 1..)?;
    if !(params.is_empty() || params.starts_with(' ')) || addr.contains(['<', ' ']) {
        return None;
    }
    Some((addr, params.trim()))
}

const EHLO_EXTENSIONS: &[&str] = &["8BITMIME", "SMTPUTF8", "SIZE 10485760", "ENHANCEDSTATUSCODES", "AUTH PLAIN"];

async fn session(stream: TcpStream, shared: Arc<Shared>) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let (r, mut w) = stream.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 127.0.0.1 ESMTP ch-testkit SmtpSink ready\r\n").await?;
    let mut helo: Option<String> = None;
    let mut auth_user: Option<String> = None;
    let mut tx: Option<Transaction> = None;
    loop {
        let line = match read_command(&mut r).await? {
            None => return Ok(()),
            Some(Line::TooLong) => {
                w.write_all(b"500 5.5.2 Line too long\r\n").await?;
                return Ok(());
            }
            Some(Line::Text(line)) => line,
        };
        let (verb, arg) = match line.split_once(' ') {
            Some((v, a)) => (v.to_ascii_uppercase(), a.trim()),
            None => (line.to_ascii_uppercase(), ""),
        };
        let reply: String = match verb.as_str() {
            "EHLO" | "HELO" if arg.is_empty() => format!("501 5.5.4 {verb} needs a domain or address literal"),
            "EHLO" => {
                helo = Some(arg.to_owned());
                tx = None;
                let mut reply = format!("250-127.0.0.1 greets {arg}\r\n");
                for (i, ext) in EHLO_EXTENSIONS.iter().enumerate() {
                    let sep = if i + 1 == EHLO_EXTENSIONS.len() { ' ' } else { '-' };
                    reply.push_str(&format!("250{sep}{ext}\r\n"));
                }
                reply.truncate(reply.len() - 2);
                reply
            }
            "HELO" => {
                helo = Some(arg.to_owned());
                tx = None;
                "250 127.0.0.1".into()
            }
            "MAIL" if helo.is_none() => "503 5.5.1 Send EHLO or HELO first".into(),
            "MAIL" if tx.is_some() => "503 5.5.1 A transaction is already open (RSET first)".into(),
            "MAIL" => match parse_path(arg, "FROM:") {
                None => "501 5.5.4 Syntax: MAIL FROM:<address> [parameters]".into(),
                Some((addr, params)) => {
                    let size = params.split(' ').find_map(|p| {
                        p.split_once('=').filter(|(k, _)| k.eq_ignore_ascii_case("SIZE")).map(|(_, v)| v)
                    });
                    match size.map(str::parse::<usize>) {
                        Some(Err(_)) => "501 5.5.4 SIZE needs a number".into(),
                        Some(Ok(s)) if s > MAX_MESSAGE_SIZE => "552 5.3.4 Message size exceeds the limit".into(),
                        _ => {
                            tx = Some(Transaction { from: addr.to_owned(), to: Vec::new() });
                            "250 2.1.0 Sender OK".into()
                        }
                    }
                }
            },
            "RCPT" => match (tx.as_mut(), parse_path(arg, "TO:")) {
                (None, _) => "503 5.5.1 Send MAIL first".into(),
                (Some(_), None) | (Some(_), Some(("", _))) => "501 5.5.4 Syntax: RCPT TO:<address>".into(),
                (Some(t), Some(_)) if t.to.len() >= MAX_RECIPIENTS => "452 4.5.3 Too many recipients".into(),
                (Some(t), Some((addr, _))) => {
                    t.to.push(addr.to_owned());
                    "250 2.1.5 Recipient OK".into()
                }
            },
            "DATA" if !arg.is_empty() => "501 5.5.4 DATA takes no arguments".into(),
            "DATA" if tx.as_ref().is_none_or(|t| t.to.is_empty()) => "503 5.5.1 Send RCPT first".into(),
            "DATA" => {
                w.write_all(b"354 2.0.0 End data with <CR><LF>.<CR><LF>\r\n").await?;
                let Some(data) = read_data(&mut r).await? else { return Ok(()) };
                let Some(t) = tx.take() else { return Ok(()) };
                match data {
                    None => "552 5.3.4 Message size exceeds the limit".into(),
                    Some(data) => accept(&shared, t, data, helo.clone().unwrap_or_default(), auth_user.clone()),
                }
            }
            "RSET" => {
                tx = None;
                "250 2.0.0 Reset".into()
            }
            "NOOP" => "250 2.0.0 OK".into(),
            "QUIT" => {
                w.write_all(b"221 2.0.0 Bye\r\n").await?;
                return Ok(());
            }
            "AUTH" if helo.is_none() => "503 5.5.1 Send EHLO first".into(),
            "AUTH" if auth_user.is_some() => "503 5.5.1 Already authenticated".into(),
            "AUTH" if tx.is_some() => "503 5.5.1 AUTH is not allowed during a transaction".into(),
            "AUTH" => {
                let (mechanism, initial) = arg.split_once(' ').unwrap_or((arg, ""));
                if !mechanism.eq_ignore_ascii_case("PLAIN") {
                    "504 5.5.4 Unrecognized authentication type".into()
                } else {
                    let response = if initial.is_empty() {
                        w.write_all(b"334 \r\n").await?;
                        match read_command(&mut r).await? {
                            Some(Line::Text(l)) => l,
                            _ => return Ok(()),
                        }
                    } else {
                        initial.to_owned()
                    };
                    match plain_user(&response) {
                        _ if response == "*" => "501 5.7.0 Authentication cancelled".into(),
                        Some(user) => {
                            auth_user = Some(user);
                            "235 2.7.0 Authentication successful".into()
                        }
                        None => "501 5.5.2 Cannot decode the PLAIN response".into(),
                    }
                }
            }
            "VRFY" | "EXPN" | "HELP" | "TURN" | "ETRN" | "STARTTLS" | "BDAT" | "SEND" | "SOML" | "SAML" => {
                format!("502 5.5.1 {verb} is not implemented")
            }
            _ => "500 5.5.2 Command not recognized".into(),
        };
        // One write per reply: two small ones would meet Nagle's algorithm and delayed ACKs.
        w.write_all(format!("{reply}\r\n").as_bytes()).await?;
    }
}

/// The user of a SASL PLAIN response: base64 of `authzid NUL authcid NUL password`.
fn plain_user(response: &str) -> Option<String> {
    let decoded = base64::engine::general_purpose::STANDARD.decode(response.trim()).ok()?;
    let mut parts = decoded.split(|b| *b == 0);
    let (_authz, user, _password) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || user.is_empty() {
        return None;
    }
    String::from_utf8(user.to_vec()).ok()
}

/// Reads message data up to the `.` line. `None`: the client hung up; `Some(None)`: too
/// large (read to the end and dropped).
async fn read_data<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Option<String>>> {
    let mut data: Vec<u8> = Vec::new();
    let mut too_large = false;
    loop {
        let line = match read_raw(r, MAX_LINE).await? {
            None => return Ok(None),
            // An over-long line: RFC 5321 says 1000 octets; be lenient and keep the bytes.
            Some(Err(())) => {
                too_large = true;
                continue;
            }
            Some(Ok(line)) => line,
        };
        if line == b".\r\n" || line == b".\n" {
            break;
        }
        // Transparency, RFC 5321 section 4.5.2: a leading dot was doubled by the client.
        let line = line.strip_prefix(b".").unwrap_or(&line);
        if data.len() + line.len() > MAX_MESSAGE_SIZE {
            too_large = true;
        }
        if !too_large {
            data.extend_from_slice(line);
        }
    }
    if too_large {
        return Ok(Some(None));
    }
    // The CRLF before the final dot belongs to the terminator, not to the message.
    if data.ends_with(b"\r\n") {
        data.truncate(data.len() - 2);
    } else if data.ends_with(b"\n") {
        data.truncate(data.len() - 1);
    }
    Ok(Some(Some(String::from_utf8_lossy(&data).into_owned())))
}

fn accept(shared: &Shared, t: Transaction, data: String, helo: String, auth_user: Option<String>) -> String {
    let mut state = shared.lock();
    if let Some(code) = state.failures.pop_front() {
        state.failed += 1;
        let class = if code >= 500 { 5 } else { 4 };
        return format!("{code} {class}.3.0 Failing on purpose (SmtpSink::fail_next)");
    }
    state.messages.push(ReceivedMail { from: t.from, to: t.to, data, helo, auth_user });
    let n = state.messages.len();
    drop(state);
    shared.count.send_modify(|c| *c = n);
    format!("250 2.0.0 OK queued as {n}")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sends `lines` one by one and returns each reply (multi-line replies joined by `\n`).
    async fn converse(sink: &SmtpSink, lines: &[&str]) -> anyhow::Result<Vec<String>> {
        let stream = TcpStream::connect(sink.addr()).await?;
        stream.set_nodelay(true)?;
        let (r, mut w) = stream.into_split();
        let mut r = BufReader::new(r);
        let mut replies = vec![read_reply(&mut r).await?];
        let mut in_data = false;
        for line in lines {
            w.write_all(format!("{line}\r\n").as_bytes()).await?;
            // Message lines get no reply; the final dot does.
            if in_data && *line != "." {
                continue;
            }
            let reply = read_reply(&mut r).await?;
            in_data = reply.starts_with("354");
            replies.push(reply);
        }
        Ok(replies)
    }

    async fn read_reply<R: AsyncBufRead + Unpin>(r: &mut R) -> anyhow::Result<String> {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            anyhow::ensure!(r.read_line(&mut line).await? > 0, "connection closed");
            let line = line.trim_end().to_owned();
            let last = line.as_bytes().get(3) != Some(&b'-');
            lines.push(line);
            if last {
                return Ok(lines.join("\n"));
            }
        }
    }

    fn codes(replies: &[String]) -> Vec<&str> {
        replies.iter().map(|r| r.get(..3).unwrap_or("")).collect()
    }

    #[tokio::test]
    async fn dialogues() -> anyhow::Result<()> {
        let sink = SmtpSink::start().await?;
        let cases: Vec<(&str, Vec<&str>, Vec<&str>)> = vec![
            (
                "whole transaction",
                vec![
                    "EHLO client.test",
                    "MAIL FROM:<a@x.test>",
                    "RCPT TO:<b@y.test>",
                    "DATA",
                    "Subject: hi",
                    "",
                    "..dot",
                    ".",
                    "QUIT",
                ],
                vec!["220", "250", "250", "250", "354", "250", "221"],
            ),
            (
                "sequence",
                vec!["MAIL FROM:<a@x.test>", "HELO c", "RCPT TO:<b@y.test>", "DATA"],
                vec!["220", "503", "250", "503", "503"],
            ),
            (
                "nested mail, rset",
                vec![
                    "HELO c",
                    "MAIL FROM:<>",
                    "MAIL FROM:<a@x.test>",
                    "RSET",
                    "MAIL FROM:<a@x.test> BODY=8BITMIME SIZE=10",
                ],
                vec!["220", "250", "250", "503", "250", "250"],
            ),
            (
                "syntax",
                vec![
                    "EHLO",
                    "HELO c",
                    "MAIL FROM:a@x.test",
                    "MAIL TO:<a@x.test>",
                    "MAIL FROM:<a@x.test> SIZE=99999999999",
                    "MAIL FROM:<a@x.test>",
                    "RCPT TO:<>",
                    "DATA x",
                ],
                vec!["220", "501", "250", "501", "501", "552", "250", "501", "501"],
            ),
            (
                "unknown and unimplemented",
                vec!["FOO", "VRFY a", "STARTTLS", "NOOP"],
                vec!["220", "500", "502", "502", "250"],
            ),
            (
                "auth plain",
                // base64("\0alice\0pw")
                vec!["EHLO c", "AUTH LOGIN", "AUTH PLAIN AGFsaWNlAHB3", "AUTH PLAIN AGFsaWNlAHB3"],
                vec!["220", "250", "504", "235", "503"],
            ),
        ];
        for (name, lines, want) in cases {
            let replies = converse(&sink, &lines).await?;
            assert_eq!(codes(&replies), want, "{name}: {replies:#?}");
        }
        let ehlo = converse(&sink, &["EHLO c"]).await?;
        for ext in ["250-8BITMIME", "250-SMTPUTF8", "250-SIZE 10485760", "250 AUTH PLAIN"] {
            assert!(ehlo[1].contains(ext), "{ext}: {ehlo:?}");
        }
        let got = sink.wait_for(1, Duration::from_secs(5)).await?;
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].from, "a@x.test");
        assert_eq!(got[0].to, vec!["b@y.test"]);
        assert_eq!(got[0].data, "Subject: hi\r\n\r\n.dot");
        assert_eq!(got[0].header("subject").as_deref(), Some("hi"));
        assert_eq!(got[0].body(), ".dot");
        assert_eq!(got[0].helo, "client.test");
        Ok(())
    }

    #[tokio::test]
    async fn fail_next_then_accept() -> anyhow::Result<()> {
        let sink = SmtpSink::start().await?;
        sink.fail_next(1);
        let tx = ["HELO c", "MAIL FROM:<a@x.test>", "RCPT TO:<b@y.test>", "DATA", "x", "."];
        let first = converse(&sink, &tx).await?;
        assert_eq!(codes(&first).last(), Some(&"451"), "{first:?}");
        let second = converse(&sink, &tx).await?;
        assert_eq!(codes(&second).last(), Some(&"250"), "{second:?}");
        assert_eq!(sink.failed(), 1);
        assert_eq!(sink.messages().len(), 1);
        assert!(sink.wait_for(2, Duration::from_millis(50)).await.is_err());
        Ok(())
    }

    #[test]
    fn header_reading() {
        let m = ReceivedMail {
            from: String::new(),
            to: vec![],
            data: "Subject: a\r\n long one\r\nTo: x@y\r\nTo: z@w\r\n\r\nSubject: not a header".into(),
            helo: String::new(),
            auth_user: None,
        };
        assert_eq!(m.header("SUBJECT").as_deref(), Some("a long one"));
        assert_eq!(m.headers("to"), vec!["x@y", "z@w"]);
        assert_eq!(m.header("Message-ID"), None);
        assert_eq!(m.body(), "Subject: not a header");
    }

    #[test]
    fn paths() {
        let cases = [
            ("FROM:<a@b>", Some(("a@b", ""))),
            ("from: <a@b> SIZE=1", Some(("a@b", "SIZE=1"))),
            ("FROM:<>", Some(("", ""))),
            ("FROM:a@b", None),
            ("FROM:<a@b>x", None),
            ("TO:<a@b>", None),
            ("FR", None),
        ];
        for (arg, want) in cases {
            assert_eq!(parse_path(arg, "FROM:"), want, "{arg}");
        }
    }
}
