//! Reading a company's sales files into validated Arrow batches (SPEC §3).
//!
//! [`discover`] finds the canonical tables among files and folders (CSV in UTF-8,
//! UTF-8 with BOM or GBK; XLSX sheets named like the tables), [`read_source`]
//! cleans and checks every row of one file, and [`checks::check_batch`] applies
//! the rules that need the whole batch and the workspace: duplicates, conflicting
//! keys, references and the org tree. Every rejected row becomes a [`Reject`]
//! naming file, line, column, value and reason; nothing is dropped silently.

pub mod checks;
pub mod mapping;
pub mod parallel;
pub mod rowhash;
mod rows;
mod rules;
pub mod schema;
mod source;

use std::path::Path;

use arrow::record_batch::RecordBatch;
use yeji_core::Table;

pub use mapping::Mapping;
pub use source::{Encoding, Part, Source, discover, read_source, split_large};

/// A row that was left out, and why.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    pub file: String,
    /// 1-based line (CSV) or row (XLSX) of the file.
    pub line: u64,
    /// The canonical column at fault, if one is.
    pub column: Option<String>,
    pub value: String,
    pub reason: String,
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)?;
        if let Some(column) = &self.column {
            write!(f, " [{column}]")?;
        }
        if !self.value.is_empty() {
            write!(f, " '{}'", self.value)?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// Where a row came from: an index into [`Parsed::files`] and its line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Origin {
    pub file: u32,
    pub line: u64,
}

/// The clean rows of one table in one batch, with everything left out.
#[derive(Clone, Debug)]
pub struct Parsed {
    pub table: Table,
    /// Canonical columns ([`schema::canonical_schema`]).
    pub rows: RecordBatch,
    /// One per row of `rows`.
    pub origins: Vec<Origin>,
    pub files: Vec<String>,
    pub rejects: Vec<Reject>,
    /// Rows rejected (a row may have several [`Reject`]s).
    pub rejected_rows: usize,
    /// Exact copies of an earlier row of the batch, removed.
    pub duplicates: Vec<Reject>,
    /// Headers that matched no column.
    pub ignored_headers: Vec<String>,
}

impl Parsed {
    pub fn origin_of(&self, row: usize) -> (&str, u64) {
        let origin = self.origins[row];
        (&self.files[origin.file as usize], origin.line)
    }
}

/// How files are read.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// Forces an encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    pub mapping: Mapping,
    /// The workspace's fiscal year's first month, for `FY…` periods.
    pub fiscal_first_month: u32,
    pub ids: yeji_core::value::IdCase,
    /// The plausible dates of facts; `None` accepts any.
    pub dates: Option<yeji_core::value::DateRange>,
}

/// A file that cannot be read at all. Row-level problems are [`Reject`]s instead.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}: not a canonical table name (expected one of: {expected})")]
    UnknownTable { path: String, expected: String },
    #[error("{path}: unsupported file type (expected .csv, .txt or .xlsx)")]
    UnsupportedFile { path: String },
    #[error("{path}: the file is empty (expected a header row)")]
    Empty { path: String },
    #[error("{path}: line {line}: {detail}")]
    Csv { path: String, line: u64, detail: String },
    #[error("{path}: not valid {encoding} text near byte {offset}; pass --encoding utf-8 or --encoding gbk")]
    Encoding { path: String, encoding: &'static str, offset: u64 },
    #[error("{path}: missing required column(s) for {table}: {columns}")]
    MissingColumns { path: String, table: Table, columns: String },
    #[error("{path}: columns {first} and {second} are both {column}")]
    DuplicateColumn { path: String, column: String, first: usize, second: usize },
    #[error("{path}: {detail}")]
    Workbook { path: String, detail: String },
    #[error("{path}: sheet '{sheet}' has merged cells {range}; unmerge them and fill in every value")]
    MergedCells { path: String, sheet: String, range: String },
    #[error("mapping file {path}: {detail}")]
    Mapping { path: String, detail: String },
}

impl IngestError {
    pub(crate) fn io(path: &Path, source: std::io::Error) -> IngestError {
        IngestError::Io { path: path.display().to_string(), source }
    }
}
