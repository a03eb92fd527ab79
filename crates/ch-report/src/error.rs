//! The crate's one error type.

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The CSV writer refused the data (it writes to memory, so this points to a bug).
    #[error("could not write the CSV report: {message}")]
    Csv {
        /// What the CSV writer said.
        message: String,
    },
    /// The report needs more pages than one PDF file can number.
    #[error("the report is too large for one PDF file: expected at most {max} pages, found {pages}")]
    TooLarge {
        /// Pages the report would need.
        pages: usize,
        /// Pages one file can hold.
        max: usize,
    },
}
