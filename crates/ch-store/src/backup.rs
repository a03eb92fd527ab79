//! Backups: an online, consistent copy of a SQLite database (`VACUUM INTO`), and restore.
//! PostgreSQL backups use `pg_dump`/`pg_restore` (see the README); the binary runs them.

use std::path::Path;

use crate::{Backend, Error, Result, Store};

/// Writes a consistent copy of the SQLite database to `dest` while the server runs.
pub async fn sqlite_backup(store: &Store, dest: &Path) -> Result<()> {
    if store.backend() != Backend::Sqlite {
        return Err(Error::Io("this is a PostgreSQL store: use pg_dump (see README, Backups)".into()));
    }
    if dest.exists() {
        return Err(Error::Io(format!("{} already exists; choose a new file", dest.display())));
    }
    let dest = dest.to_str().ok_or_else(|| Error::Io("backup path is not UTF-8".into()))?;
    let mut c = store.conn().await?;
    sqlx::query("VACUUM INTO $1").bind(dest).execute(&mut *c).await?;
    Ok(())
}
