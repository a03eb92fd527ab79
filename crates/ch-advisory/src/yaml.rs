//! YAML through serde-saphyr with strict booleans (only `true`/`false`), errors mapped
//! to this crate's [`Error`] with the parser's line and column.

use serde::de::DeserializeOwned;

use crate::error::{Error, Format};

/// Deserialises `text` as `T`. Scalars read as strings stay exactly as written (`1.10`
/// is the string `"1.10"`, an unquoted timestamp its text).
/// Deserialises a YAML document.
pub(crate) fn from_yaml<T: DeserializeOwned>(text: &str, format: Format) -> Result<T, Error> {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<T>(text, options).map_err(|e| {
        let (line, column) = e.location().map_or((0, 0), |l| (l.line() as usize, l.column() as usize));
        // The message may carry an annotated source snippet on later lines.
        let reason = e.to_string().lines().next().unwrap_or_default().trim().to_owned();
        Error::Syntax { format, record: None, line, column, reason }
    })
}

/// Reads a YAML document into a JSON value (for records read field by field: the
/// FriendsOfPHP and Victims databases, format detection).
pub fn to_json(text: &str, format: Format) -> Result<serde_json::Value, Error> {
    from_yaml(text, format)
}
