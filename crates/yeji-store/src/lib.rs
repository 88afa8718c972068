//! The workspace catalog: what has been imported (batches and the change each
//! made), which fact file is current for each table, and the audit log. SQLite through sqlx by default; every write that lands a batch is
//! one transaction, so a crash leaves the catalog as it was before the batch.

mod runs;
mod schema;

use std::path::Path;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};

pub use runs::{NewRun, Run, RunInfo};
pub use schema::SCHEMA_VERSION;

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
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// One saved version of a scoring scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchemeVersion {
    pub version: i64,
    pub name: String,
    pub toml: String,
    pub at: DateTime<Utc>,
    pub actor: String,
}

/// What one batch did to one table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TableChange {
    pub table: String,
    pub added: i64,
    pub changed: i64,
    pub unchanged: i64,
    pub rejected: i64,
    pub duplicates: i64,
    /// Hash of the source files' bytes, to recognise an unchanged re-import.
    pub source_hash: String,
    /// The file holding the rows this batch added and the old and new values of
    /// those it changed, relative to the workspace.
    pub delta_file: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Batch {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub files: Vec<String>,
    pub status: String,
    pub tables: Vec<TableChange>,
}

impl Batch {
    pub fn total(&self, field: fn(&TableChange) -> i64) -> i64 {
        self.tables.iter().map(field).sum()
    }
}

/// The current fact file of a table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct TableVersion {
    pub table: String,
    pub file: String,
    pub rows: i64,
    pub batch_id: i64,
}

/// A new batch, written with the table versions it produces in one transaction.
pub struct NewBatch<'a> {
    pub id: i64,
    pub files: &'a [String],
    pub tables: &'a [TableChange],
    pub versions: &'a [TableVersion],
    pub actor: &'a str,
}

#[derive(Clone)]
pub struct Catalog {
    pool: SqlitePool,
}

impl Catalog {
    /// Opens (creating if asked) the catalog at `path` and brings its schema up to date.
    pub async fn open(path: &Path, create: bool) -> Result<Catalog> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(create)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true);
        let pool = SqlitePoolOptions::new().max_connections(4).connect_with(options).await?;
        schema::migrate(&pool).await?;
        Ok(Catalog { pool })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn next_batch_id(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM batches").fetch_one(&self.pool).await?;
        Ok(row.get(0))
    }

    pub async fn table_versions(&self) -> Result<Vec<TableVersion>> {
        let rows = sqlx::query("SELECT table_name, file, rows, batch_id FROM table_versions ORDER BY table_name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| TableVersion { table: r.get(0), file: r.get(1), rows: r.get(2), batch_id: r.get(3) })
            .collect())
    }

    /// Lands a batch: its record, its per-table changes and the new table versions.
    pub async fn land_batch(&self, batch: NewBatch<'_>) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("INSERT INTO batches (id, at, files, status) VALUES (?, ?, ?, 'landed')")
            .bind(batch.id)
            .bind(Utc::now())
            .bind(serde_json::to_string(batch.files).unwrap_or_default())
            .execute(&mut *tx)
            .await?;
        for change in batch.tables {
            sqlx::query(
                "INSERT INTO batch_tables (batch_id, table_name, added, changed, unchanged, rejected, duplicates, source_hash, delta_file)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(batch.id)
            .bind(&change.table)
            .bind(change.added)
            .bind(change.changed)
            .bind(change.unchanged)
            .bind(change.rejected)
            .bind(change.duplicates)
            .bind(&change.source_hash)
            .bind(&change.delta_file)
            .execute(&mut *tx)
            .await?;
        }
        set_versions(&mut tx, batch.versions).await?;
        audit(&mut tx, batch.actor, "import", &format!("batch {} ({} files)", batch.id, batch.files.len())).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Marks a batch reverted and installs the table versions without it.
    pub async fn revert_batch(&self, id: i64, versions: &[TableVersion], actor: &str) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let updated =
            sqlx::query("UPDATE batches SET status = 'reverted', reverted_at = ? WHERE id = ? AND status = 'landed'")
                .bind(Utc::now())
                .bind(id)
                .execute(&mut *tx)
                .await?;
        if updated.rows_affected() == 0 {
            return Err(StoreError::NoSuchBatch(id));
        }
        set_versions(&mut tx, versions).await?;
        audit(&mut tx, actor, "revert", &format!("batch {id}")).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn batches(&self) -> Result<Vec<Batch>> {
        let rows = sqlx::query("SELECT id, at, files, status FROM batches ORDER BY id").fetch_all(&self.pool).await?;
        let changes = sqlx::query(
            "SELECT batch_id, table_name, added, changed, unchanged, rejected, duplicates, source_hash, delta_file
             FROM batch_tables ORDER BY batch_id, rowid",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let id: i64 = r.get(0);
                let files: String = r.get(2);
                Batch {
                    id,
                    at: r.get(1),
                    files: serde_json::from_str(&files).unwrap_or_default(),
                    status: r.get(3),
                    tables: changes
                        .iter()
                        .filter(|c| c.get::<i64, _>(0) == id)
                        .map(|c| TableChange {
                            table: c.get(1),
                            added: c.get(2),
                            changed: c.get(3),
                            unchanged: c.get(4),
                            rejected: c.get(5),
                            duplicates: c.get(6),
                            source_hash: c.get(7),
                            delta_file: c.get(8),
                        })
                        .collect(),
                }
            })
            .collect())
    }

    pub async fn batch(&self, id: i64) -> Result<Batch> {
        self.batches().await?.into_iter().find(|b| b.id == id).ok_or(StoreError::NoSuchBatch(id))
    }

    /// Saves a scoring scheme (its TOML text) as the next version, which becomes
    /// the workspace's current scheme.
    pub async fn save_scheme(&self, name: &str, toml: &str, actor: &str) -> Result<i64> {
        let mut tx = self.pool.begin().await?;
        let version: i64 =
            sqlx::query("SELECT COALESCE(MAX(version), 0) + 1 FROM schemes").fetch_one(&mut *tx).await?.get(0);
        sqlx::query("INSERT INTO schemes (version, name, toml, at, actor) VALUES (?, ?, ?, ?, ?)")
            .bind(version)
            .bind(name)
            .bind(toml)
            .bind(Utc::now())
            .bind(actor)
            .execute(&mut *tx)
            .await?;
        audit(&mut tx, actor, "scheme", &format!("version {version} ({name})")).await?;
        tx.commit().await?;
        Ok(version)
    }

    /// Every saved scheme version, oldest first.
    pub async fn schemes(&self) -> Result<Vec<SchemeVersion>> {
        let rows = sqlx::query("SELECT version, name, toml, at, actor FROM schemes ORDER BY version")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| SchemeVersion { version: r.get(0), name: r.get(1), toml: r.get(2), at: r.get(3), actor: r.get(4) })
            .collect())
    }

    /// The audit log, oldest first: (time, actor, action, detail).
    pub async fn audit_log(&self) -> Result<Vec<(DateTime<Utc>, String, String, String)>> {
        let rows = sqlx::query("SELECT at, actor, action, detail FROM audit ORDER BY id").fetch_all(&self.pool).await?;
        Ok(rows.into_iter().map(|r| (r.get(0), r.get(1), r.get(2), r.get(3))).collect())
    }
}

async fn set_versions(tx: &mut sqlx::SqliteConnection, versions: &[TableVersion]) -> Result<()> {
    for version in versions {
        sqlx::query(
            "INSERT INTO table_versions (table_name, file, rows, batch_id) VALUES (?, ?, ?, ?)
             ON CONFLICT (table_name) DO UPDATE SET file = excluded.file, rows = excluded.rows, batch_id = excluded.batch_id",
        )
        .bind(&version.table)
        .bind(&version.file)
        .bind(version.rows)
        .bind(version.batch_id)
        .execute(&mut *tx)
        .await?;
    }
    Ok(())
}

pub(crate) async fn audit(tx: &mut sqlx::SqliteConnection, actor: &str, action: &str, detail: &str) -> Result<()> {
    sqlx::query("INSERT INTO audit (at, actor, action, detail) VALUES (?, ?, ?, ?)")
        .bind(Utc::now())
        .bind(actor)
        .bind(action)
        .bind(detail)
        .execute(&mut *tx)
        .await?;
    Ok(())
}
