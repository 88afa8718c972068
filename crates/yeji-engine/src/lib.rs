//! The fact store and the workspace: importing batches into Parquet files,
//! reverting them, and querying the facts with Apache DataFusion.
//!
//! A workspace is a folder:
//!
//! ```text
//! W/workspace.toml        settings: name, currency, fiscal year, locale
//! W/catalog.sqlite        batches, table versions, audit (yeji-store)
//! W/facts/<table>/*.parquet   the current rows of each table, one file per version
//! W/batches/<id>/<table>.parquet  what batch <id> added and changed (for history and revert)
//! W/reports/              reject reports of refused imports
//! W/cache/<data>/         evaluations already computed on this state of the data
//! ```
//!
//! A batch writes new files under fresh names and then switches the catalog to
//! them in one transaction; files no committed version names are removed when
//! the workspace is next opened, so a crash at any point leaves the workspace as
//! it was before the batch.

mod analysis;
mod cache;
mod changes;
mod evaluate;
mod explain;
mod facts;
mod first_lines;
mod history;
mod import;
mod measures;
mod paid;
mod query;
mod revert;
mod runs;
mod schemes;
mod settings;
mod slices;
mod workspace;

pub use analysis::{CustomerRevenue, Dimension, Funnel, LostCustomer, MonthPoint, OverdueInvoice, Slice};
pub use evaluate::{EntityResult, Evaluated, Evaluation, KpiResult};
pub use explain::{ExplainedKpi, Explanation, RowsBehind, rows_as_text};
pub use history::ValueChange;
pub use import::{ImportOptions, ImportReport, Progress, TableReport, read_reject_report};
pub use runs::{Cause, DataChange, EntityChange, KpiChange, RunDiff, SavedRun, compare, same};
pub use schemes::CurrentScheme;
pub use settings::Settings;
pub use slices::SliceKey;
pub use workspace::Workspace;
pub use yeji_ingest::Reject;
pub use yeji_store::{Batch, RunInfo, SchemeVersion, StoreError};

use yeji_ingest::IngestError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0} is not a yeji workspace (no workspace.toml); create one with `yeji init`")]
    NotAWorkspace(String),
    #[error("{0} already holds a workspace")]
    AlreadyExists(String),
    #[error("workspace.toml: {0}")]
    Settings(String),
    #[error("the workspace has format {found}; this yeji reads format {supported}: upgrade yeji")]
    NewerFormat { found: u32, supported: u32 },
    #[error(
        "another yeji process is using this workspace (an import, or a server while this one writes); try again when it has finished"
    )]
    Busy,
    #[error(
        "{rejected} row(s) rejected, nothing was imported (report: {report}); fix them, or pass --allow-rejects to import the good rows"
    )]
    Rejected { rejected: usize, report: String },
    #[error("no canonical table files found in {0}")]
    NothingToImport(String),
    #[error("cannot revert batch {batch}: {reason}")]
    CannotRevert { batch: i64, reason: String },
    #[error("fact file {path}: {detail}")]
    Facts { path: String, detail: String },
    #[error(transparent)]
    UnknownKpi(#[from] yeji_core::kpi::UnknownKpi),
    #[error("no rep or unit '{0}' in this workspace")]
    UnknownEntity(String),
    #[error(transparent)]
    Scheme(#[from] yeji_core::scheme::SchemeError),
    #[error(transparent)]
    Period(#[from] yeji_core::period::PeriodError),
    #[error("no scheme version {0} in this workspace")]
    NoSuchScheme(i64),
    #[error("query: {0}")]
    Query(String),
}

impl EngineError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> EngineError {
        EngineError::Io { path: path.display().to_string(), source }
    }
}

pub type Result<T> = std::result::Result<T, EngineError>;
