//! The fact store: a workspace folder, its lock and catalog, importing batches
//! into Parquet files and reverting them, and [`Facts`], the read-only snapshot
//! of one state of the data that evaluations (`yeji-eval`) and every later
//! capability read.
//!
//! A workspace is a folder:
//!
//! ```text
//! W/workspace.toml        settings: name, currency, fiscal year, locale, ids, date range
//! W/catalog.sqlite        batches, table versions, schemes, runs, audit (yeji-store)
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
//!
//! ```no_run
//! # async fn example() -> yeji_facts::Result<()> {
//! let workspace = yeji_facts::Workspace::open(std::path::Path::new("yeji-demo")).await?;
//! let facts = workspace.facts().await?;
//! println!("company: {:?}, reps: {}", facts.org().root(), facts.org().rep_ids().len());
//! let rows = facts.sql("SELECT COUNT(*) FROM orders").await?;
//! # Ok(()) }
//! ```

mod changes;
mod files;
mod first_lines;
mod history;
mod import;
mod lock;
mod org;
mod paid;
mod revert;
mod schemes;
mod session;
mod settings;
mod snapshot;
mod workspace;

pub use history::ValueChange;
pub use import::{ImportOptions, ImportReport, Progress, TableReport, read_reject_report};
pub use schemes::CurrentScheme;
pub use session::{collect, has_column, query_error, register_view};
pub use settings::Settings;
pub use snapshot::Facts;
pub use workspace::{CATALOG_URL_VARIABLE, Workspace};
pub use yeji_ingest::Reject;
pub use yeji_store::{Batch, RunInfo, SchemeVersion, StoreError, TableVersion};

/// The view of each customer's first confirmed order line, found again
/// within a slice of the orders (see `first_lines`).
pub use first_lines::register_in_slice as register_first_lines_in_slice;

use yeji_ingest::IngestError;

/// An id's 64-bit key, as the SQL function `id_key` gives it and the import's
/// reference checks know ids.
pub fn id_key(id: &str) -> u64 {
    yeji_ingest::checks::id_hash(id)
}

#[derive(Debug, thiserror::Error)]
pub enum FactsError {
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
    Files { path: String, detail: String },
    #[error(transparent)]
    Scheme(#[from] yeji_core::scheme::SchemeError),
    #[error("no scheme version {0} in this workspace")]
    NoSuchScheme(i64),
    #[error("query: {0}")]
    Query(String),
}

impl FactsError {
    pub(crate) fn io(path: &std::path::Path, source: std::io::Error) -> FactsError {
        FactsError::Io { path: path.display().to_string(), source }
    }
}

pub type Result<T> = std::result::Result<T, FactsError>;
