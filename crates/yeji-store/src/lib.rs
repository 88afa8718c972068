//! The workspace catalog: what has been imported (batches and the change each
//! made), which fact file is current for each table, scheme versions, saved
//! runs, the people who sign in and the audit log. It runs on SQLite (a file
//! in the workspace, the default) or on PostgreSQL (one server a team shares).
//!
//! Each query is written once, in the SQL both speak (`$1` placeholders,
//! `ON CONFLICT`, `RETURNING`), and [`with_pool!`] runs it on the catalog's
//! pool: the compiler checks every query against both drivers. Each backend
//! has its own migrations (`schema.rs`), with the column types it knows best
//! (TEXT dates in SQLite, TIMESTAMPTZ in PostgreSQL). Every write that lands a
//! batch is one transaction, so a crash leaves the catalog as it was. A
//! transaction left early (a refused change) is rolled back there and then: a
//! dropped one keeps SQLite's write lock until its connection is used again,
//! and the next writer on another connection waits out its busy timeout.
//!
//! ```no_run
//! # async fn example() -> yeji_store::Result<()> {
//! let catalog = yeji_store::Catalog::connect("postgres://yeji@db/yeji", true).await?;
//! for user in catalog.users().await? {
//!     println!("{} ({})", user.login, user.role);
//! }
//! # Ok(()) }
//! ```

mod alerts;
mod audit;
mod batches;
mod feedback;
mod incentive_plans;
mod lock;
mod pay_inquiries;
mod payout_runs;
mod people;
mod plans;
mod runs;
mod schema;
mod schemes;
mod targets;

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous};

pub use alerts::{AlertRow, SeenAlert};
pub use audit::{AuditEntry, AuditFilter, AuditRow};
pub use batches::{Batch, NewBatch, TableChange, TableVersion};
pub use feedback::{FeedbackEvent, FeedbackRow, FeedbackStep};
pub use incentive_plans::IncentivePlanVersion;
pub use lock::WriteLock;
pub use pay_inquiries::PayInquiryRow;
pub use payout_runs::{NewPayoutRun, PayoutRunRow};
pub use people::{NewUser, Token, User};
pub use plans::{CheckinRow, PlanChange, PlanEvent, PlanRow};
pub use runs::{NewRun, Run, RunInfo};
pub use schema::SCHEMA_VERSION;
pub use schemes::SchemeVersion;
pub use targets::{NewTargetVersion, TargetVersionRow};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("catalog database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("the catalog has schema version {found}, this yeji understands up to {supported}: upgrade yeji")]
    NewerSchema { found: i64, supported: i64 },
    #[error("no batch {0}")]
    NoSuchBatch(i64),
    #[error("no run {0} in this workspace (see `yeji runs`)")]
    NoSuchRun(i64),
    #[error("no feedback {0} (see `yeji feedback list`)")]
    NoSuchFeedback(i64),
    #[error("no alert '{0}' (see `yeji alerts`)")]
    NoSuchAlert(String),
    #[error("no target version {0} (see `yeji target versions`)")]
    NoSuchTarget(i64),
    #[error("no payout run {0} (see `yeji incentive runs`)")]
    NoSuchPayoutRun(i64),
    #[error("no pay inquiry {0} (see `yeji incentive inquiries`)")]
    NoSuchInquiry(i64),
    #[error("no plan {0}")]
    NoSuchPlan(i64),
    #[error("no user '{0}' (see `yeji user list`)")]
    NoSuchUser(String),
    #[error("a user '{0}' exists already")]
    UserExists(String),
    #[error("refused: the change to '{0}' would leave no active admin (add another admin first)")]
    LastAdmin(String),
    #[error("another yeji is writing to this catalog; try again when it has finished")]
    Busy,
    #[error("catalog URL '{0}': expected postgres://user:password@host:port/database")]
    BadUrl(String),
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// The catalog's database.
#[derive(Clone, Debug)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to the catalog's pool of either backend
/// (the body is compiled once for each).
macro_rules! with_pool {
    ($catalog:expr, |$pool:ident| $body:expr) => {
        match &$catalog.pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}
pub(crate) use with_pool;

#[derive(Clone, Debug)]
pub struct Catalog {
    pool: Pool,
}

impl Catalog {
    /// Opens (creating if asked) the SQLite catalog at `path` and brings its
    /// schema up to date.
    pub async fn open(path: &Path, create: bool) -> Result<Catalog> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        let catalog = Catalog { pool: Pool::Sqlite(pool) };
        schema::migrate(&catalog).await?;
        Ok(catalog)
    }

    /// Connects to the PostgreSQL catalog at `url` and brings its schema up
    /// to date (creating it in an empty database when `create`).
    pub async fn connect(url: &str, create: bool) -> Result<Catalog> {
        let options = PgConnectOptions::from_str(url).map_err(|_| StoreError::BadUrl(redacted(url)))?;
        let pool = PgPoolOptions::new().max_connections(8).connect_with(options).await?;
        let catalog = Catalog { pool: Pool::Postgres(pool) };
        if !create && schema::version(&catalog).await? == 0 {
            return Err(StoreError::Database(sqlx::Error::Configuration(
                "the database holds no yeji catalog; create it with `yeji init --catalog URL`".into(),
            )));
        }
        schema::migrate(&catalog).await?;
        Ok(catalog)
    }

    /// Whether several yeji processes on several machines may share this
    /// catalog (PostgreSQL): they then take turns to write by a lock the
    /// database holds, not by a file.
    pub fn is_shared(&self) -> bool {
        matches!(self.pool, Pool::Postgres(_))
    }

    pub async fn close(&self) {
        with_pool!(self, |pool| pool.close().await)
    }

    /// The SQLite pool, for stores that live beside the catalog (sessions).
    pub fn sqlite_pool(&self) -> Option<&SqlitePool> {
        match &self.pool {
            Pool::Sqlite(pool) => Some(pool),
            Pool::Postgres(_) => None,
        }
    }

    /// The PostgreSQL pool, for stores that live beside the catalog (sessions).
    pub fn postgres_pool(&self) -> Option<&PgPool> {
        match &self.pool {
            Pool::Postgres(pool) => Some(pool),
            Pool::Sqlite(_) => None,
        }
    }
}

/// A catalog URL without its password, for messages.
pub fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            let user = credentials.split(':').next().unwrap_or("");
            format!("{}{user}:***{}", &url[..scheme + 3], &url[at..])
        }
        _ => url.to_owned(),
    }
}

/// Catalogs to test against: SQLite, and PostgreSQL when `YEJI_TEST_POSTGRES`
/// names a server (a fresh database on it for every call).
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    pub async fn catalogs() -> Vec<(Catalog, Option<tempfile::TempDir>)> {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = Catalog::open(&dir.path().join("c.sqlite"), true).await.unwrap();
        let mut out = vec![(sqlite, Some(dir))];
        if let Some(url) = fresh_postgres().await {
            out.push((Catalog::connect(&url, true).await.unwrap(), None));
        }
        out
    }

    /// A new, empty database on the test server, as a URL.
    pub async fn fresh_postgres() -> Option<String> {
        let server = std::env::var("YEJI_TEST_POSTGRES").ok()?;
        let admin = PgPoolOptions::new().max_connections(1).connect(&server).await.unwrap();
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name =
            format!("yeji_store_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        sqlx::query(&format!("CREATE DATABASE {name}")).execute(&admin).await.unwrap();
        admin.close().await;
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        Some(format!("{base}/{name}"))
    }

    #[test]
    fn urls_are_shown_without_their_password() {
        assert_eq!(redacted("postgres://yeji:s3cret@db:5432/yeji"), "postgres://yeji:***@db:5432/yeji");
        assert_eq!(redacted("postgres://db/yeji"), "postgres://db/yeji");
    }
}
