//! The catalog's tables, created and upgraded in order. Each entry of
//! [`MIGRATIONS`] moves the schema one version up; the version is kept in `meta`.

use sqlx::{Row, SqlitePool};

use crate::{Result, StoreError};

const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE batches (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    files TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('landed', 'reverted')),
    reverted_at TEXT
);
CREATE TABLE batch_tables (
    batch_id INTEGER NOT NULL REFERENCES batches (id),
    table_name TEXT NOT NULL,
    added INTEGER NOT NULL,
    changed INTEGER NOT NULL,
    unchanged INTEGER NOT NULL,
    rejected INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    source_hash TEXT NOT NULL,
    delta_file TEXT,
    PRIMARY KEY (batch_id, table_name)
);
CREATE TABLE table_versions (
    table_name TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    rows INTEGER NOT NULL,
    batch_id INTEGER NOT NULL
);
CREATE TABLE audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE schemes (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    toml TEXT NOT NULL,
    at TEXT NOT NULL,
    actor TEXT NOT NULL
);
"#,
    r#"
CREATE TABLE runs (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    period TEXT NOT NULL,
    scheme_name TEXT NOT NULL,
    scheme_version INTEGER,
    scheme_toml TEXT NOT NULL,
    data TEXT NOT NULL,
    result TEXT NOT NULL
);
"#,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(crate) async fn migrate(pool: &SqlitePool) -> Result<()> {
    let has_meta = sqlx::query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
        .fetch_optional(pool)
        .await?
        .is_some();
    let current: i64 = if has_meta {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'schema_version'").fetch_optional(pool).await?;
        row.and_then(|r| r.get::<String, _>(0).parse().ok()).unwrap_or(0)
    } else {
        0
    };
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema { found: current, supported: SCHEMA_VERSION });
    }
    for (index, migration) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(migration).execute(&mut *tx).await?;
        sqlx::query("INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
            .bind((index + 1).to_string())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalog, NewBatch, TableChange, TableVersion};

    #[tokio::test]
    async fn a_batch_lands_with_its_versions_and_reverts() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.sqlite"), true).await.unwrap();
        assert_eq!(catalog.next_batch_id().await.unwrap(), 1);
        let change = TableChange { table: "orders".into(), added: 3, source_hash: "h".into(), ..Default::default() };
        let version =
            TableVersion { table: "orders".into(), file: "facts/orders/1.parquet".into(), rows: 3, batch_id: 1 };
        let files = vec!["orders.csv".to_owned()];
        catalog
            .land_batch(NewBatch {
                id: 1,
                files: &files,
                tables: std::slice::from_ref(&change),
                versions: std::slice::from_ref(&version),
                actor: "test",
            })
            .await
            .unwrap();
        let batch = catalog.batch(1).await.unwrap();
        assert_eq!((batch.status.as_str(), batch.total(|t| t.added)), ("landed", 3));
        assert_eq!(catalog.table_versions().await.unwrap(), vec![version]);
        catalog.revert_batch(1, &[], "test").await.unwrap();
        assert_eq!(catalog.batch(1).await.unwrap().status, "reverted");
        assert!(matches!(catalog.revert_batch(1, &[], "test").await, Err(StoreError::NoSuchBatch(1))));
        let actions: Vec<String> = catalog.audit_log().await.unwrap().into_iter().map(|a| a.2).collect();
        assert_eq!(actions, ["import", "revert"]);
    }

    #[tokio::test]
    async fn scheme_versions_count_up_and_are_audited() {
        let dir = tempfile::tempdir().unwrap();
        let catalog = Catalog::open(&dir.path().join("c.sqlite"), true).await.unwrap();
        assert_eq!(catalog.save_scheme("default", "a = 1", "ana").await.unwrap(), 1);
        assert_eq!(catalog.save_scheme("q4", "a = 2", "bo").await.unwrap(), 2);
        let saved: Vec<(i64, String, String)> =
            catalog.schemes().await.unwrap().into_iter().map(|s| (s.version, s.name, s.toml)).collect();
        assert_eq!(saved, [(1, "default".into(), "a = 1".into()), (2, "q4".into(), "a = 2".into())]);
        let audit: Vec<(String, String)> = catalog.audit_log().await.unwrap().into_iter().map(|a| (a.1, a.3)).collect();
        assert_eq!(audit, [("ana".into(), "version 1 (default)".into()), ("bo".into(), "version 2 (q4)".into())]);
    }

    #[tokio::test]
    async fn a_catalog_from_a_newer_yeji_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let catalog = Catalog::open(&path, true).await.unwrap();
        sqlx::query("UPDATE meta SET value = '99' WHERE key = 'schema_version'").execute(&catalog.pool).await.unwrap();
        catalog.close().await;
        let error = Catalog::open(&path, false).await.err().unwrap();
        assert_eq!(
            error.to_string(),
            format!("the catalog has schema version 99, this yeji understands up to {SCHEMA_VERSION}: upgrade yeji")
        );
    }
}
