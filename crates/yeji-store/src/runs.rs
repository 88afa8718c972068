//! Saved evaluation runs: the result of an evaluation kept with what it was
//! computed from (the period, the scheme's text and version, the fact file of
//! each table), so it can be shown, recomputed exactly and compared later.
//! The result and the data pins are JSON the engine writes and reads.

use chrono::{DateTime, Utc};
use serde::Serialize;
use sqlx::Row;

use crate::audit::{AuditEntry, record};
use crate::{Catalog, Result, StoreError, TableVersion, with_pool};

/// A run to save.
pub struct NewRun<'a> {
    pub period: &'a str,
    pub scheme_name: &'a str,
    pub scheme_version: Option<i64>,
    pub scheme_toml: &'a str,
    pub data: &'a [TableVersion],
    pub result: &'a str,
    pub actor: &'a str,
}

/// What a saved run was computed from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RunInfo {
    pub id: i64,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub period: String,
    pub scheme_name: String,
    /// The saved scheme version; `None` for the built-in default or a scheme file.
    pub scheme_version: Option<i64>,
    /// The fact file of each table the run read.
    pub data: Vec<TableVersion>,
}

/// A saved run with its scheme text and its result (JSON).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub info: RunInfo,
    pub scheme_toml: String,
    pub result: String,
}

const INFO_COLUMNS: &str = "id, at, actor, period, scheme_name, scheme_version, data";

/// A run's row as the catalog holds it (the pins as JSON).
#[derive(sqlx::FromRow)]
struct InfoRow {
    id: i64,
    at: DateTime<Utc>,
    actor: String,
    period: String,
    scheme_name: String,
    scheme_version: Option<i64>,
    data: String,
}

#[derive(sqlx::FromRow)]
struct RunRow {
    #[sqlx(flatten)]
    info: InfoRow,
    scheme_toml: String,
    result: String,
}

impl From<InfoRow> for RunInfo {
    fn from(row: InfoRow) -> RunInfo {
        RunInfo {
            id: row.id,
            at: row.at,
            actor: row.actor,
            period: row.period,
            scheme_name: row.scheme_name,
            scheme_version: row.scheme_version,
            // Written by `save_run` from the same type: it always reads back.
            data: serde_json::from_str(&row.data).unwrap_or_default(),
        }
    }
}

impl Catalog {
    pub async fn save_run(&self, run: NewRun<'_>) -> Result<i64> {
        with_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query("SELECT COALESCE(MAX(id), 0) + 1 FROM runs").fetch_one(&mut *tx).await?.get(0);
            sqlx::query(
                "INSERT INTO runs (id, at, actor, period, scheme_name, scheme_version, scheme_toml, data, result)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(id)
            .bind(Utc::now())
            .bind(run.actor)
            .bind(run.period)
            .bind(run.scheme_name)
            .bind(run.scheme_version)
            .bind(run.scheme_toml)
            .bind(serde_json::to_string(run.data).unwrap_or_default())
            .bind(run.result)
            .execute(&mut *tx)
            .await?;
            let entry =
                AuditEntry::new(run.actor, "run", format!("run {id} ({}, scheme {})", run.period, run.scheme_name));
            record!(&mut *tx, &entry)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Every saved run, oldest first.
    pub async fn runs(&self) -> Result<Vec<RunInfo>> {
        with_pool!(self, |pool| {
            let rows: Vec<InfoRow> =
                sqlx::query_as(&format!("SELECT {INFO_COLUMNS} FROM runs ORDER BY id")).fetch_all(pool).await?;
            Ok(rows.into_iter().map(RunInfo::from).collect())
        })
    }

    pub async fn run(&self, id: i64) -> Result<Run> {
        with_pool!(self, |pool| {
            let row: RunRow =
                sqlx::query_as(&format!("SELECT {INFO_COLUMNS}, scheme_toml, result FROM runs WHERE id = $1"))
                    .bind(id)
                    .fetch_optional(pool)
                    .await?
                    .ok_or(StoreError::NoSuchRun(id))?;
            Ok(Run { info: row.info.into(), scheme_toml: row.scheme_toml, result: row.result })
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::{NewRun, StoreError, TableVersion};

    #[tokio::test]
    async fn a_run_keeps_its_scheme_data_and_result() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            let data = vec![TableVersion {
                table: "orders".into(),
                file: "facts/orders/1.parquet".into(),
                rows: 3,
                batch_id: 1,
            }];
            let run = NewRun {
                period: "2026-Q3",
                scheme_name: "default",
                scheme_version: Some(2),
                scheme_toml: "name = 'default'",
                data: &data,
                result: "{\"results\": []}",
                actor: "ana",
            };
            assert_eq!(catalog.save_run(run).await.unwrap(), 1);
            let saved = catalog.run(1).await.unwrap();
            assert_eq!((saved.info.period.as_str(), saved.info.scheme_version), ("2026-Q3", Some(2)));
            assert_eq!((saved.info.data, saved.scheme_toml.as_str()), (data, "name = 'default'"));
            assert_eq!(saved.result, "{\"results\": []}");
            assert_eq!(catalog.runs().await.unwrap().len(), 1);
            assert!(matches!(catalog.run(2).await, Err(StoreError::NoSuchRun(2))));
            let audit = catalog.audit_log(&Default::default()).await.unwrap();
            assert_eq!(audit[0].object, "run 1 (2026-Q3, scheme default)");
        }
    }
}
