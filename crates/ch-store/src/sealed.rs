//! Data keys (wrapped by the master key) and sealed blobs.
//!
//! A [`Sealer`] holds the keyring and a store. [`Sealer::seal`] makes a data key per blob
//! unless the caller names a shared one, so that [`Sealer::destroy_data_key`] shreds exactly
//! what a retention rule says. [`Sealer::rotate`] re-wraps every data key under the newest
//! master key in small transactions, while the server keeps serving: a reader that meets a
//! key wrapped by a master key it does not yet hold reloads the keyring through the
//! `reload` hook (the key file) and tries again.

use std::sync::{Arc, RwLock};

use ch_domain::{DataKeyId, OrgId};
use ch_seal::{DataKey, Keyring};
use sqlx::AnyConnection;

use crate::{Error, Result, Store, Tx, parse};

/// Reloads the keyring from where it lives (a key file); `None` when it cannot change.
pub type Reload = Arc<dyn Fn() -> std::result::Result<Keyring, String> + Send + Sync>;

/// Seals and opens with data keys stored in the database.
#[derive(Clone)]
pub struct Sealer {
    ring: Arc<RwLock<Keyring>>,
    reload: Option<Reload>,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealer").finish_non_exhaustive()
    }
}

/// Outcome of [`Sealer::rotate`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RotateReport {
    /// The active master key id after rotation.
    pub active: String,
    /// How many data keys were re-wrapped.
    pub rewrapped: u64,
}

impl Sealer {
    /// A sealer over this keyring, with an optional reload hook.
    pub fn new(ring: Keyring, reload: Option<Reload>) -> Self {
        Sealer { ring: Arc::new(RwLock::new(ring)), reload }
    }

    fn ring(&self) -> Keyring {
        match self.ring.read() {
            Ok(r) => r.clone(),
            Err(p) => p.into_inner().clone(),
        }
    }

    fn set_ring(&self, ring: Keyring) {
        match self.ring.write() {
            Ok(mut r) => *r = ring,
            Err(p) => *p.into_inner() = ring,
        }
    }

    /// The active master key id.
    pub fn active_master_key_id(&self) -> Result<String> {
        Ok(self.ring().active()?.id().to_string())
    }

    /// Creates and stores a new data key.
    pub async fn create_data_key(&self, tx: &mut Tx, purpose: &str, now_ms: i64) -> Result<DataKey> {
        let id = uuid::Uuid::now_v7();
        let dk = DataKey::generate(id)?;
        let w = self.ring().wrap(&dk)?;
        sqlx::query(
            "INSERT INTO data_keys (id, master_key_id, wrapped, purpose, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id.to_string())
        .bind(&w.master_key_id)
        .bind(w.blob)
        .bind(purpose)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
        Ok(dk)
    }

    /// Loads and unwraps a data key. Fails closed on a wrong master key.
    pub async fn data_key(&self, c: &mut AnyConnection, id: DataKeyId) -> Result<DataKey> {
        let row: Option<(String, Vec<u8>)> =
            sqlx::query_as("SELECT master_key_id, wrapped FROM data_keys WHERE id = $1")
                .bind(id.as_string())
                .fetch_optional(c)
                .await?;
        let (mk, blob) = row.ok_or(Error::NotFound("data key (destroyed or never made)"))?;
        match self.ring().unwrap_key(id.0, &mk, &blob) {
            Err(ch_seal::Error::UnknownMasterKey(_)) if self.reload.is_some() => {
                let reload = self.reload.as_ref().ok_or(Error::NotFound("reload"))?;
                let ring = reload().map_err(Error::Io)?;
                let dk = ring.unwrap_key(id.0, &mk, &blob)?;
                self.set_ring(ring);
                Ok(dk)
            }
            other => Ok(other?),
        }
    }

    /// Seals `plaintext` into `sealed_blobs` under a new data key of its own; returns the blob id.
    pub async fn seal(
        &self,
        tx: &mut Tx,
        org: Option<OrgId>,
        purpose: &str,
        plaintext: &[u8],
        now_ms: i64,
    ) -> Result<uuid::Uuid> {
        let dk = self.create_data_key(tx, purpose, now_ms).await?;
        let id = uuid::Uuid::now_v7();
        let ct = dk.seal(context(purpose, id).as_bytes(), plaintext)?;
        sqlx::query(
            "INSERT INTO sealed_blobs (id, org_id, purpose, data_key_id, ciphertext, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(id.to_string())
        .bind(org.map(|o| o.as_string()))
        .bind(purpose)
        .bind(dk.id().to_string())
        .bind(ct)
        .bind(now_ms)
        .execute(&mut **tx)
        .await?;
        Ok(id)
    }

    /// Opens a sealed blob.
    pub async fn open(&self, c: &mut AnyConnection, id: uuid::Uuid) -> Result<Vec<u8>> {
        let row: Option<(String, String, Vec<u8>)> =
            sqlx::query_as("SELECT purpose, data_key_id, ciphertext FROM sealed_blobs WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(&mut *c)
                .await?;
        let (purpose, dk_id, ct) = row.ok_or(Error::NotFound("sealed blob"))?;
        let dk_id: DataKeyId = parse(&dk_id, "sealed_blobs.data_key_id")?;
        if ch_seal::sealed_key_id(&ct)? != dk_id.0 {
            return Err(Error::Corrupt { what: "sealed_blobs.ciphertext", detail: "key id mismatch".into() });
        }
        let dk = self.data_key(c, dk_id).await?;
        Ok(dk.open(context(&purpose, id).as_bytes(), &ct)?)
    }

    /// Destroys a data key: everything it sealed becomes unreadable for ever.
    pub async fn destroy_data_key(&self, tx: &mut Tx, id: DataKeyId) -> Result<()> {
        let r = sqlx::query("DELETE FROM data_keys WHERE id = $1").bind(id.as_string()).execute(&mut **tx).await?;
        crate::expect_one(r, "data key")
    }

    /// The data key a sealed blob uses.
    pub async fn blob_data_key(&self, c: &mut AnyConnection, blob: uuid::Uuid) -> Result<DataKeyId> {
        let (k,): (String,) = sqlx::query_as("SELECT data_key_id FROM sealed_blobs WHERE id = $1")
            .bind(blob.to_string())
            .fetch_optional(c)
            .await?
            .ok_or(Error::NotFound("sealed blob"))?;
        parse(&k, "sealed_blobs.data_key_id")
    }

    /// Re-wraps every data key not yet under `new_ring`'s active key, in batches, and then
    /// adopts `new_ring`. The old master keys must still be in `new_ring` (or in this
    /// sealer's ring) until this returns.
    pub async fn rotate(&self, store: &Store, new_ring: Keyring) -> Result<RotateReport> {
        let active = new_ring.active()?.clone();
        let old = self.ring();
        let mut rewrapped = 0u64;
        loop {
            let mut tx = store.begin().await?;
            let rows: Vec<(String, String, Vec<u8>)> = sqlx::query_as(
                "SELECT id, master_key_id, wrapped FROM data_keys WHERE master_key_id <> $1 ORDER BY id LIMIT 200",
            )
            .bind(active.id())
            .fetch_all(&mut *tx)
            .await?;
            if rows.is_empty() {
                tx.commit().await?;
                break;
            }
            for (id, mk, blob) in rows {
                let uid: uuid::Uuid = parse(&id, "data_keys.id")?;
                let dk = match old.unwrap_key(uid, &mk, &blob) {
                    Ok(dk) => dk,
                    Err(_) => new_ring.unwrap_key(uid, &mk, &blob)?,
                };
                let w = new_ring.wrap(&dk)?;
                sqlx::query(
                    "UPDATE data_keys SET master_key_id = $1, wrapped = $2 WHERE id = $3 AND master_key_id = $4",
                )
                .bind(&w.master_key_id)
                .bind(w.blob)
                .bind(&id)
                .bind(&mk)
                .execute(&mut *tx)
                .await?;
                rewrapped += 1;
            }
            tx.commit().await?;
        }
        self.set_ring(new_ring);
        Ok(RotateReport { active: active.id().to_string(), rewrapped })
    }

    /// Counts data keys per master key id.
    pub async fn key_status(&self, c: &mut AnyConnection) -> Result<Vec<(String, i64)>> {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT master_key_id, COUNT(*) FROM data_keys GROUP BY master_key_id ORDER BY master_key_id",
        )
        .fetch_all(c)
        .await?;
        Ok(rows)
    }
}

fn context(purpose: &str, id: uuid::Uuid) -> String {
    format!("sealed_blob:{purpose}:{id}")
}
