//! Where the master key lives: `CLEARINGHOUSE_MASTER_KEY`, or the key file
//! `DATA_DIR/master.key`, created on first start with mode 0600.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::Context;
use ch_seal::{Keyring, MasterKey};

use crate::env_vars;

/// Where the keyring came from.
#[derive(Debug, Clone)]
pub(crate) enum KeySource {
    /// The environment variable.
    Env,
    /// A key file.
    File(PathBuf),
}

/// The key file's path.
pub(crate) fn key_file(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key")
}

/// Loads the keyring, creating the key file on first start.
pub(crate) fn load(data_dir: &Path) -> anyhow::Result<(Keyring, KeySource)> {
    if let Ok(text) = std::env::var(env_vars::MASTER_KEY) {
        let ring = Keyring::from_text(&text).with_context(|| format!("reading {}", env_vars::MASTER_KEY))?;
        return Ok((ring, KeySource::Env));
    }
    let path = key_file(data_dir);
    if path.exists() {
        return Ok((read_file(&path)?, KeySource::File(path)));
    }
    let ring = Keyring::new(vec![MasterKey::generate()?]);
    write_file(&path, &ring)?;
    tracing::info!(path = %path.display(), "created a new master key file; back it up apart from the database");
    Ok((ring, KeySource::File(path)))
}

/// Reads a key file.
pub(crate) fn read_file(path: &Path) -> anyhow::Result<Keyring> {
    let text = fs_err::read_to_string(path)?;
    Keyring::from_text(&text).with_context(|| format!("reading master key file {}", path.display()))
}

/// Writes a key file atomically with mode 0600.
pub(crate) fn write_file(path: &Path, ring: &Keyring) -> anyhow::Result<()> {
    let tmp = path.with_extension("key.tmp");
    {
        let mut opts = fs_err::OpenOptions::new();
        opts.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use fs_err::os::unix::fs::OpenOptionsExt;
            opts.mode(0o600);
        }
        let mut f = opts.open(&tmp)?;
        f.write_all(ring.to_text().as_bytes())?;
        f.sync_all()?;
    }
    fs_err::rename(&tmp, path)?;
    Ok(())
}

/// A reload hook for the sealer: re-reads the key file (after a rotation by another process).
pub(crate) fn reload_hook(source: &KeySource) -> Option<ch_store::sealed::Reload> {
    match source {
        KeySource::File(p) => {
            let p = p.clone();
            Some(Arc::new(move || read_file(&p).map_err(|e| format!("{e:#}"))))
        }
        KeySource::Env => None,
    }
}
