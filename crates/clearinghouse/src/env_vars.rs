//! Every `CLEARINGHOUSE_*` environment variable, declared once.

/// Address to listen on (`serve`), e.g. `127.0.0.1:8080`.
pub(crate) const LISTEN: &str = "CLEARINGHOUSE_LISTEN";
/// Data directory: the SQLite database, the master key file, backups by default.
pub(crate) const DATA_DIR: &str = "CLEARINGHOUSE_DATA_DIR";
/// Database URL: `sqlite://PATH` or `postgres://...`; default is SQLite in the data directory.
pub(crate) const DATABASE_URL: &str = "CLEARINGHOUSE_DATABASE_URL";
/// Configuration file (TOML); default `DATA_DIR/clearinghouse.toml` when it exists.
pub(crate) const CONFIG: &str = "CLEARINGHOUSE_CONFIG";
/// Master key(s) (`chmk1:...`, comma-separated, last active) instead of the key file.
pub(crate) const MASTER_KEY: &str = "CLEARINGHOUSE_MASTER_KEY";
/// `text` or `json` logs on stderr.
pub(crate) const LOG_FORMAT: &str = "CLEARINGHOUSE_LOG_FORMAT";
/// Log filter, e.g. `info` or `ch_server=debug,info`.
pub(crate) const LOG: &str = "CLEARINGHOUSE_LOG";
/// Any other setting of the TOML file, upper-cased after this prefix (e.g. `CLEARINGHOUSE_WORKERS=4`).
pub(crate) const PREFIX: &str = "CLEARINGHOUSE_";
// Tests read CLEARINGHOUSE_TEST_POSTGRES_URL (ch-testkit): a PostgreSQL server URL where each
// storage test makes a fresh database.
