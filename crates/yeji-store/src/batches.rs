//! Batches (what each import did per table) and the current fact file of
//! each table, switched by one transaction per batch or revert.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, with_pool};

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
    /// In the order the batch imported them.
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

const SET_VERSION: &str = "INSERT INTO table_versions (table_name, file, rows, batch_id) VALUES ($1, $2, $3, $4) \
     ON CONFLICT (table_name) DO UPDATE SET file = excluded.file, rows = excluded.rows, batch_id = excluded.batch_id";

/// Makes `versions` the current file of their tables, in the transaction
/// `$tx` (a macro: the same statement on either backend's connection).
macro_rules! set_versions {
    ($tx:expr, $versions:expr) => {
        for version in $versions {
            sqlx::query(SET_VERSION)
                .bind(&version.table)
                .bind(&version.file)
                .bind(version.rows)
                .bind(version.batch_id)
                .execute($tx)
                .await?;
        }
    };
}

impl Catalog {
    pub async fn next_batch_id(&self) -> Result<i64> {
        with_pool!(self, |pool| {
            let row = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM batches").fetch_one(pool).await?;
            Ok(row.get(0))
        })
    }

    pub async fn table_versions(&self) -> Result<Vec<TableVersion>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query("SELECT table_name, file, rows, batch_id FROM table_versions ORDER BY table_name")
                .fetch_all(pool)
                .await?;
            Ok(rows
                .into_iter()
                .map(|r| TableVersion { table: r.get(0), file: r.get(1), rows: r.get(2), batch_id: r.get(3) })
                .collect())
        })
    }

    /// Lands a batch: its record, its per-table changes and the new table versions.
    pub async fn land_batch(&self, batch: NewBatch<'_>) -> Result<()> {
        let entry = AuditEntry::new(batch.actor, "import", format!("batch {}", batch.id))
            .after(serde_json::json!({ "files": batch.files, "tables": batch.tables }));
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("INSERT INTO batches (id, at, files, status) VALUES ($1, $2, $3, 'landed')")
                .bind(batch.id)
                .bind(Utc::now())
                .bind(serde_json::to_string(batch.files).unwrap_or_default())
                .execute(&mut *tx)
                .await?;
            for change in batch.tables {
                sqlx::query(
                    "INSERT INTO batch_tables (batch_id, table_name, added, changed, unchanged, rejected, duplicates, source_hash, delta_file)
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
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
            set_versions!(&mut *tx, batch.versions);
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Marks a batch reverted and installs the table versions without it.
    pub async fn revert_batch(&self, id: i64, versions: &[TableVersion], actor: &str) -> Result<()> {
        let entry = AuditEntry::new(actor, "revert", format!("batch {id}"))
            .before(serde_json::json!({ "status": "landed" }))
            .after(serde_json::json!({ "status": "reverted" }));
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let updated = sqlx::query(
                "UPDATE batches SET status = 'reverted', reverted_at = $1 WHERE id = $2 AND status = 'landed'",
            )
            .bind(Utc::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if updated.rows_affected() == 0 {
                tx.rollback().await?;
                return Err(StoreError::NoSuchBatch(id));
            }
            set_versions!(&mut *tx, versions);
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(())
        })
    }

    pub async fn batches(&self) -> Result<Vec<Batch>> {
        with_pool!(self, |pool| {
            let rows = sqlx::query("SELECT id, at, files, status FROM batches ORDER BY id").fetch_all(pool).await?;
            let changes = sqlx::query(
                "SELECT batch_id, table_name, added, changed, unchanged, rejected, duplicates, source_hash, delta_file
                 FROM batch_tables ORDER BY batch_id",
            )
            .fetch_all(pool)
            .await?;
            Ok(rows
                .into_iter()
                .map(|r| {
                    let id: i64 = r.get(0);
                    let files: String = r.get(2);
                    let mut tables: Vec<TableChange> = changes
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
                        .collect();
                    // A batch imports its tables in the contract's order.
                    tables.sort_by_key(|t| import_order(&t.table));
                    Batch {
                        id,
                        at: r.get(1),
                        files: serde_json::from_str(&files).unwrap_or_default(),
                        status: r.get(3),
                        tables,
                    }
                })
                .collect())
        })
    }

    pub async fn batch(&self, id: i64) -> Result<Batch> {
        self.batches().await?.into_iter().find(|b| b.id == id).ok_or(StoreError::NoSuchBatch(id))
    }
}

fn import_order(table: &str) -> usize {
    yeji_core::Table::from_name(table)
        .and_then(|t| yeji_core::Table::ALL.iter().position(|x| *x == t))
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_batch_lands_with_its_versions_and_reverts() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            assert_eq!(catalog.next_batch_id().await.unwrap(), 1);
            let change =
                TableChange { table: "orders".into(), added: 3, source_hash: "h".into(), ..Default::default() };
            let reps = TableChange { table: "reps".into(), added: 1, ..Default::default() };
            let version =
                TableVersion { table: "orders".into(), file: "facts/orders/1.parquet".into(), rows: 3, batch_id: 1 };
            let files = vec!["orders.csv".to_owned()];
            let tables = [change, reps];
            let versions = [version.clone()];
            let batch = NewBatch { id: 1, files: &files, tables: &tables, versions: &versions, actor: "test" };
            catalog.land_batch(batch).await.unwrap();
            let batch = catalog.batch(1).await.unwrap();
            assert_eq!((batch.status.as_str(), batch.total(|t| t.added)), ("landed", 4));
            let order: Vec<&str> = batch.tables.iter().map(|t| t.table.as_str()).collect();
            assert_eq!(order, ["reps", "orders"], "in import order");
            assert_eq!(catalog.table_versions().await.unwrap(), vec![version]);
            catalog.revert_batch(1, &[], "test").await.unwrap();
            assert_eq!(catalog.batch(1).await.unwrap().status, "reverted");
            assert!(matches!(catalog.revert_batch(1, &[], "test").await, Err(StoreError::NoSuchBatch(1))));
            let log = catalog.audit_log(&Default::default()).await.unwrap();
            let actions: Vec<(&str, &str)> = log.iter().map(|a| (a.action.as_str(), a.object.as_str())).collect();
            assert_eq!(actions, [("import", "batch 1"), ("revert", "batch 1")]);
            assert_eq!(log[1].after, Some(serde_json::json!({ "status": "reverted" })));
        }
    }
}
