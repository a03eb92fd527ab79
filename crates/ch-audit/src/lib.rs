//! The tamper-evident audit chain: how an entry is hashed and how a chain is verified.
//!
//! Each [`Entry`] commits to its predecessor: `hash = SHA-256(prev_hash || canonical(entry))`,
//! where `canonical` is a length-prefixed encoding of every field (so no two different
//! entries encode alike). The first entry's `prev_hash` is [`GENESIS`]. Changing, removing
//! or reordering any stored entry breaks the chain at that entry, which [`verify`] names.
//!
//! This crate does no IO; `ch-store` appends entries under a lock so that several server
//! processes keep one line, and `clearinghouse audit verify` streams stored rows through
//! [`Verifier`].
//!
//! ```
//! use ch_audit::*;
//! let mut e = Entry { seq: 1, at_ms: 0, actor: "user:1".into(), org: None, action: "login".into(),
//!     object_type: "session".into(), object_id: "s1".into(), source: "127.0.0.1".into(),
//!     detail: "{}".into(), prev_hash: GENESIS.into(), hash: String::new() };
//! e.hash = e.compute_hash();
//! let mut v = Verifier::default();
//! assert!(v.push(&e).is_ok());
//! ```
#![warn(missing_docs)]

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The `prev_hash` of the first entry: 64 zeros.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit entry: who did what to which object, from where, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position in the chain, from 1, without gaps.
    pub seq: i64,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Who: `user:<id>`, `token:<id>`, `cli`, `system`, or `anonymous`.
    pub actor: String,
    /// The actor's organisation, when there is one.
    pub org: Option<String>,
    /// What: a dotted verb such as `user.create` or `audit.read`.
    pub action: String,
    /// Kind of object acted on.
    pub object_type: String,
    /// Id of the object acted on.
    pub object_id: String,
    /// Where from: the client address, or `cli`.
    pub source: String,
    /// Further detail as a JSON text (never secrets or embargoed text).
    pub detail: String,
    /// Hash of the previous entry ([`GENESIS`] for the first).
    pub prev_hash: String,
    /// This entry's hash.
    pub hash: String,
}

fn put(h: &mut Sha256, field: &[u8]) {
    h.update((field.len() as u64).to_be_bytes());
    h.update(field);
}

impl Entry {
    /// Computes the hash this entry should carry, from its fields and `prev_hash`.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        put(&mut h, b"clearinghouse-audit-v1");
        put(&mut h, self.prev_hash.as_bytes());
        put(&mut h, &self.seq.to_be_bytes());
        put(&mut h, &self.at_ms.to_be_bytes());
        put(&mut h, self.actor.as_bytes());
        match &self.org {
            Some(o) => {
                put(&mut h, b"1");
                put(&mut h, o.as_bytes());
            }
            None => put(&mut h, b"0"),
        }
        put(&mut h, self.action.as_bytes());
        put(&mut h, self.object_type.as_bytes());
        put(&mut h, self.object_id.as_bytes());
        put(&mut h, self.source.as_bytes());
        put(&mut h, self.detail.as_bytes());
        hex::encode(h.finalize())
    }
}

/// Why a chain does not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An entry's stored hash differs from the hash of its contents: it was edited.
    #[error("audit entry {seq} was altered: stored hash {stored}, contents hash to {computed}")]
    Altered {
        /// The entry.
        seq: i64,
        /// Its stored hash.
        stored: String,
        /// What its contents hash to.
        computed: String,
    },
    /// An entry does not point at the hash of the entry before it.
    #[error("audit entry {seq} does not follow entry {prev_seq}: expected prev_hash {expected}, found {found}")]
    BrokenLink {
        /// The entry.
        seq: i64,
        /// The entry before it.
        prev_seq: i64,
        /// The previous entry's hash.
        expected: String,
        /// What this entry names as previous.
        found: String,
    },
    /// Entries are missing or out of order.
    #[error("audit entry {found} found where entry {expected} was expected (entries missing or reordered)")]
    Gap {
        /// The sequence number expected.
        expected: i64,
        /// The sequence number found.
        found: i64,
    },
}

/// Streams a chain in order and stops at the first broken entry.
#[derive(Debug, Clone)]
pub struct Verifier {
    prev_hash: String,
    next_seq: i64,
    count: u64,
}

impl Default for Verifier {
    fn default() -> Self {
        Verifier { prev_hash: GENESIS.to_string(), next_seq: 1, count: 0 }
    }
}

impl Verifier {
    /// Checks the next entry of the chain.
    pub fn push(&mut self, e: &Entry) -> Result<(), Error> {
        if e.seq != self.next_seq {
            return Err(Error::Gap { expected: self.next_seq, found: e.seq });
        }
        let computed = e.compute_hash();
        if computed != e.hash {
            return Err(Error::Altered { seq: e.seq, stored: e.hash.clone(), computed });
        }
        if e.prev_hash != self.prev_hash {
            return Err(Error::BrokenLink {
                seq: e.seq,
                prev_seq: e.seq - 1,
                expected: self.prev_hash.clone(),
                found: e.prev_hash.clone(),
            });
        }
        self.prev_hash = e.hash.clone();
        self.next_seq += 1;
        self.count += 1;
        Ok(())
    }

    /// How many entries verified so far.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The hash of the last verified entry (the chain head).
    pub fn head(&self) -> &str {
        &self.prev_hash
    }
}

/// Verifies a whole chain held in memory; returns how many entries it holds.
pub fn verify<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Result<u64, Error> {
    let mut v = Verifier::default();
    for e in entries {
        v.push(e)?;
    }
    Ok(v.count())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<Entry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = Entry {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: format!("user:{seq}"),
                    org: (seq % 2 == 0).then(|| "org".to_string()),
                    action: "user.create".into(),
                    object_type: "user".into(),
                    object_id: seq.to_string(),
                    source: "127.0.0.1".into(),
                    detail: "{}".into(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = e.compute_hash();
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(10)).unwrap(), 10);
        assert_eq!(verify(&[]).unwrap(), 0);
    }

    #[test]
    fn each_kind_of_tampering_is_named() {
        let mut c = chain(5);
        c[2].action = "user.delete".into();
        assert!(matches!(verify(&c), Err(Error::Altered { seq: 3, .. })));

        let mut c = chain(5);
        c.remove(1);
        assert!(matches!(verify(&c), Err(Error::Gap { expected: 2, found: 3 })));

        // Rewriting an entry and recomputing its own hash still breaks the next link.
        let mut c = chain(5);
        c[1].detail = "{\"x\":1}".into();
        c[1].hash = c[1].compute_hash();
        assert!(matches!(verify(&c), Err(Error::BrokenLink { seq: 3, .. })));

        let mut c = chain(3);
        c[1].org = None;
        assert!(matches!(verify(&c), Err(Error::Altered { seq: 2, .. })));
    }

    #[test]
    fn field_boundaries_matter() {
        let c = chain(1);
        let mut a = c[0].clone();
        a.actor = "ab".into();
        a.action = "c".into();
        let mut b = a.clone();
        b.actor = "a".into();
        b.action = "bc".into();
        assert_ne!(a.compute_hash(), b.compute_hash());
    }
}
