//! Envelope encryption for confidential blobs and credentials.
//!
//! Two layers, XChaCha20-Poly1305 at both (random 192-bit nonces are safe to draw at
//! random, so no nonce counter has to survive crashes or be shared between processes):
//!
//! * A **master key** lives outside the database (a key file created with mode 0600, or
//!   `CLEARINGHOUSE_MASTER_KEY`). A [`Keyring`] holds one or more; the last is active. A
//!   master key's id is the first 16 hex digits of SHA-256 of the key.
//! * A **data key** seals the actual bytes. It is stored only wrapped by a master key
//!   ([`Keyring::wrap`]), next to the id of the master key that wrapped it. Rotating the
//!   master key re-wraps the data keys and leaves every sealed blob untouched; deleting a
//!   data key makes what it sealed unreadable for ever (crypto-shredding).
//!
//! Every sealed blob starts with a magic, then the data key id, so a blob always says which
//! key opens it; the caller's `context` (for example `"model_credential:<id>"`) is bound in
//! as associated data, so a blob cannot be moved to another purpose or row.
//!
//! This crate does no IO apart from drawing randomness; storage of wrapped keys is
//! `ch-store`'s.
//!
//! ```
//! use ch_seal::*;
//! let ring = Keyring::new(vec![MasterKey::generate().unwrap()]);
//! let dk = DataKey::generate(uuid::Uuid::now_v7()).unwrap();
//! let wrapped = ring.wrap(&dk).unwrap();
//! let sealed = dk.seal(b"ctx", b"secret").unwrap();
//! let back = ring.unwrap_key(dk.id(), &wrapped.master_key_id, &wrapped.blob).unwrap();
//! assert_eq!(back.open(b"ctx", &sealed).unwrap(), b"secret");
//! assert!(back.open(b"other ctx", &sealed).is_err());
//! ```
#![warn(missing_docs)]

use base64::Engine as _;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

const SEAL_MAGIC: &[u8; 4] = b"CHS1";
const WRAP_MAGIC: &[u8] = b"clearinghouse-data-key-v1";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;
/// Prefix of a master key in its text form.
pub const MASTER_KEY_PREFIX: &str = "chmk1:";

/// Errors of sealing and opening. They never carry key material or plaintext.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The operating system's random source failed.
    #[error("no randomness available from the operating system")]
    Random,
    /// Authentication failed: wrong key, wrong context, or the bytes were altered.
    #[error("cannot open {what}: wrong key, wrong context, or the data was altered")]
    Open {
        /// What could not be opened ("sealed blob" or "data key").
        what: &'static str,
    },
    /// The data key was wrapped by a master key the keyring does not hold.
    #[error("master key {0} is not in the keyring")]
    UnknownMasterKey(String),
    /// Bytes are too short or do not start with the expected magic.
    #[error("not a sealed blob: {0}")]
    Format(&'static str),
    /// A master key's text form is malformed.
    #[error("bad master key on line {line}: expected `{MASTER_KEY_PREFIX}` and 32 bytes of base64, found {found}")]
    MasterKeyText {
        /// Line number in the key file (from 1).
        line: usize,
        /// A description of what was found (never the key).
        found: String,
    },
    /// The keyring holds no key.
    #[error("the keyring is empty")]
    EmptyKeyring,
}

fn random<const N: usize>() -> Result<[u8; N], Error> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|_| Error::Random)?;
    Ok(b)
}

fn seal_raw(key: &[u8; KEY_LEN], aad: &[u8], msg: &[u8], out: &mut Vec<u8>) -> Result<(), Error> {
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| Error::Format("key length"))?;
    let nonce_bytes = random::<NONCE_LEN>()?;
    let nonce = XNonce::from(nonce_bytes);
    let ct = cipher.encrypt(&nonce, Payload { msg, aad }).map_err(|_| Error::Random)?;
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ct);
    Ok(())
}

fn open_raw(key: &[u8; KEY_LEN], aad: &[u8], data: &[u8], what: &'static str) -> Result<Vec<u8>, Error> {
    if data.len() < NONCE_LEN + 16 {
        return Err(Error::Format("too short"));
    }
    let (nonce, ct) = data.split_at(NONCE_LEN);
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|_| Error::Format("key length"))?;
    let nonce = XNonce::try_from(nonce).map_err(|_| Error::Format("nonce length"))?;
    cipher.decrypt(&nonce, Payload { msg: ct, aad }).map_err(|_| Error::Open { what })
}

/// A 256-bit master key. Zeroed on drop.
#[derive(Clone)]
pub struct MasterKey {
    id: String,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl MasterKey {
    /// Draws a new key from the operating system.
    pub fn generate() -> Result<Self, Error> {
        Ok(Self::from_bytes(random::<KEY_LEN>()?))
    }

    /// Wraps raw key bytes.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let digest = Sha256::digest(bytes);
        let id = hex::encode(&digest[..8]);
        MasterKey { id, key: Zeroizing::new(bytes) }
    }

    /// The key's id (16 hex digits), stored beside everything it wraps.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Text form: `chmk1:` followed by base64 of the key.
    pub fn to_text(&self) -> Zeroizing<String> {
        Zeroizing::new(format!("{MASTER_KEY_PREFIX}{}", base64::engine::general_purpose::STANDARD.encode(*self.key)))
    }

    /// Parses the text form; `line` is used in the error.
    pub fn from_text(text: &str, line: usize) -> Result<Self, Error> {
        let t = text.trim();
        let Some(b64) = t.strip_prefix(MASTER_KEY_PREFIX) else {
            return Err(Error::MasterKeyText { line, found: "no `chmk1:` prefix".into() });
        };
        let raw = Zeroizing::new(
            base64::engine::general_purpose::STANDARD
                .decode(b64)
                .map_err(|_| Error::MasterKeyText { line, found: "invalid base64".into() })?,
        );
        let bytes: [u8; KEY_LEN] = raw
            .as_slice()
            .try_into()
            .map_err(|_| Error::MasterKeyText { line, found: format!("{} bytes", raw.len()) })?;
        Ok(Self::from_bytes(bytes))
    }
}

/// A data key with its id (the id of the row that stores it wrapped). Zeroed on drop.
#[derive(Clone)]
pub struct DataKey {
    id: uuid::Uuid,
    key: Zeroizing<[u8; KEY_LEN]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataKey").field("id", &self.id).finish_non_exhaustive()
    }
}

impl DataKey {
    /// Draws a new data key with the given id.
    pub fn generate(id: uuid::Uuid) -> Result<Self, Error> {
        Ok(DataKey { id, key: Zeroizing::new(random::<KEY_LEN>()?) })
    }

    /// The key's id.
    pub fn id(&self) -> uuid::Uuid {
        self.id
    }

    /// Seals `plaintext`, binding `context` as associated data.
    pub fn seal(&self, context: &[u8], plaintext: &[u8]) -> Result<Vec<u8>, Error> {
        let mut out = Vec::with_capacity(4 + 16 + NONCE_LEN + plaintext.len() + 16);
        out.extend_from_slice(SEAL_MAGIC);
        out.extend_from_slice(self.id.as_bytes());
        let aad = [SEAL_MAGIC.as_slice(), self.id.as_bytes(), context].concat();
        seal_raw(&self.key, &aad, plaintext, &mut out)?;
        Ok(out)
    }

    /// Opens a blob sealed by [`DataKey::seal`] with the same `context`.
    pub fn open(&self, context: &[u8], sealed: &[u8]) -> Result<Vec<u8>, Error> {
        let id = sealed_key_id(sealed)?;
        if id != self.id {
            return Err(Error::Open { what: "sealed blob" });
        }
        let aad = [SEAL_MAGIC.as_slice(), self.id.as_bytes(), context].concat();
        open_raw(&self.key, &aad, &sealed[20..], "sealed blob")
    }
}

/// The id of the data key that sealed `sealed` (read from its header).
pub fn sealed_key_id(sealed: &[u8]) -> Result<uuid::Uuid, Error> {
    if sealed.len() < 20 || &sealed[..4] != SEAL_MAGIC {
        return Err(Error::Format("missing CHS1 header"));
    }
    let mut id = [0u8; 16];
    id.copy_from_slice(&sealed[4..20]);
    Ok(uuid::Uuid::from_bytes(id))
}

/// A data key wrapped by a master key, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    /// Id of the master key that wrapped it.
    pub master_key_id: String,
    /// Nonce and ciphertext.
    pub blob: Vec<u8>,
}

/// The master keys this process holds; the last one is active (wraps new data keys).
#[derive(Debug, Clone)]
pub struct Keyring {
    keys: Vec<MasterKey>,
}

impl Keyring {
    /// A keyring of these keys (the last active).
    pub fn new(keys: Vec<MasterKey>) -> Self {
        Keyring { keys }
    }

    /// Parses a key file or variable: one `chmk1:` key per line (or separated by commas);
    /// blank lines and `#` comments are skipped.
    pub fn from_text(text: &str) -> Result<Self, Error> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate() {
            for part in line.split(',') {
                let p = part.trim();
                if p.is_empty() || p.starts_with('#') {
                    continue;
                }
                keys.push(MasterKey::from_text(p, i + 1)?);
            }
        }
        if keys.is_empty() {
            return Err(Error::EmptyKeyring);
        }
        Ok(Keyring { keys })
    }

    /// The key file's text: a comment and one key per line.
    pub fn to_text(&self) -> Zeroizing<String> {
        let mut s = String::from(
            "# Clearinghouse master keys. Keep this file secret and backed up apart from the database.\n# The last key is active.\n",
        );
        for k in &self.keys {
            s.push_str(&k.to_text());
            s.push('\n');
        }
        Zeroizing::new(s)
    }

    /// The active key.
    pub fn active(&self) -> Result<&MasterKey, Error> {
        self.keys.last().ok_or(Error::EmptyKeyring)
    }

    /// Ids of every key held.
    pub fn ids(&self) -> Vec<String> {
        self.keys.iter().map(|k| k.id.clone()).collect()
    }

    /// Adds a key and makes it active.
    pub fn push(&mut self, key: MasterKey) {
        self.keys.retain(|k| k.id != key.id);
        self.keys.push(key);
    }

    /// Keeps only the active key (after every data key has been re-wrapped with it).
    pub fn retire_all_but_active(&mut self) {
        let n = self.keys.len();
        if n > 1 {
            self.keys.drain(..n - 1);
        }
    }

    fn get(&self, id: &str) -> Result<&MasterKey, Error> {
        self.keys.iter().find(|k| k.id == id).ok_or_else(|| Error::UnknownMasterKey(id.to_string()))
    }

    /// Wraps a data key with the active master key.
    pub fn wrap(&self, dk: &DataKey) -> Result<WrappedKey, Error> {
        let mk = self.active()?;
        let aad = [WRAP_MAGIC, dk.id.as_bytes()].concat();
        let mut blob = Vec::with_capacity(NONCE_LEN + KEY_LEN + 16);
        seal_raw(&mk.key, &aad, dk.key.as_slice(), &mut blob)?;
        Ok(WrappedKey { master_key_id: mk.id.clone(), blob })
    }

    /// Unwraps a stored data key. Fails closed: a wrong or missing master key gives an
    /// error, never a key.
    pub fn unwrap_key(&self, id: uuid::Uuid, master_key_id: &str, blob: &[u8]) -> Result<DataKey, Error> {
        let mk = self.get(master_key_id)?;
        let aad = [WRAP_MAGIC, id.as_bytes()].concat();
        let raw = Zeroizing::new(open_raw(&mk.key, &aad, blob, "data key")?);
        let key: [u8; KEY_LEN] = raw.as_slice().try_into().map_err(|_| Error::Open { what: "data key" })?;
        Ok(DataKey { id, key: Zeroizing::new(key) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_master_key_fails_closed() {
        let ring = Keyring::new(vec![MasterKey::generate().unwrap()]);
        let dk = DataKey::generate(uuid::Uuid::now_v7()).unwrap();
        let w = ring.wrap(&dk).unwrap();
        // Same id, different bytes: authentication fails.
        let bad = Keyring::new(vec![MasterKey { id: w.master_key_id.clone(), key: Zeroizing::new([7; 32]) }]);
        assert_eq!(bad.unwrap_key(dk.id(), &w.master_key_id, &w.blob).unwrap_err(), Error::Open { what: "data key" });
        let other = Keyring::new(vec![MasterKey::generate().unwrap()]);
        assert!(matches!(other.unwrap_key(dk.id(), &w.master_key_id, &w.blob), Err(Error::UnknownMasterKey(_))));
        // A wrapped key cannot be passed off as another data key's.
        assert!(ring.unwrap_key(uuid::Uuid::now_v7(), &w.master_key_id, &w.blob).is_err());
    }

    #[test]
    fn rotation_rewraps_without_touching_blobs() {
        let mut ring = Keyring::new(vec![MasterKey::generate().unwrap()]);
        let dk = DataKey::generate(uuid::Uuid::now_v7()).unwrap();
        let sealed = dk.seal(b"c", b"payload").unwrap();
        let w1 = ring.wrap(&dk).unwrap();
        ring.push(MasterKey::generate().unwrap());
        let k = ring.unwrap_key(dk.id(), &w1.master_key_id, &w1.blob).unwrap();
        let w2 = ring.wrap(&k).unwrap();
        assert_ne!(w1.master_key_id, w2.master_key_id);
        ring.retire_all_but_active();
        assert!(ring.unwrap_key(dk.id(), &w1.master_key_id, &w1.blob).is_err());
        let k2 = ring.unwrap_key(dk.id(), &w2.master_key_id, &w2.blob).unwrap();
        assert_eq!(k2.open(b"c", &sealed).unwrap(), b"payload");
    }

    #[test]
    fn tampering_and_format_errors() {
        let dk = DataKey::generate(uuid::Uuid::now_v7()).unwrap();
        let mut sealed = dk.seal(b"c", b"payload").unwrap();
        assert_eq!(sealed_key_id(&sealed).unwrap(), dk.id());
        let n = sealed.len();
        sealed[n - 1] ^= 1;
        assert!(matches!(dk.open(b"c", &sealed), Err(Error::Open { .. })));
        assert!(matches!(dk.open(b"c", b"nope"), Err(Error::Format(_))));
    }

    #[test]
    fn key_text_round_trip_and_errors() {
        let k = MasterKey::generate().unwrap();
        let ring = Keyring::from_text(&format!("# c\n{}\n", k.to_text().as_str())).unwrap();
        assert_eq!(ring.active().unwrap().id(), k.id());
        let e = Keyring::from_text("chmk1:abc").unwrap_err().to_string();
        assert!(e.contains("line 1"), "{e}");
        assert!(!e.contains("abc"), "error must not echo key material: {e}");
        assert_eq!(Keyring::from_text("# only\n").unwrap_err(), Error::EmptyKeyring);
    }
}
