//! Integration tests for ch-report: each output is read back by an independent reader
//! (the `csv` crate, lopdf and qpdf, quick-xml).

mod report_csv;
mod report_pdf;
mod report_svg;
mod sample;
