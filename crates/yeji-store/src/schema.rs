//! The catalog's tables, created and upgraded in order, one list of
//! migrations per backend; the version reached is kept in `meta`. A change
//! of schema is a migration appended to both lists.

use sqlx::Row;

use crate::{Catalog, Pool, Result, StoreError, with_pool};

const SQLITE: &[&str] = &[
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
    // People and the audit log's object, before and after (SPEC §15.1); the
    // old one-line detail becomes the object.
    r#"
ALTER TABLE audit ADD COLUMN object TEXT NOT NULL DEFAULT '';
ALTER TABLE audit ADD COLUMN before TEXT;
ALTER TABLE audit ADD COLUMN after TEXT;
UPDATE audit SET object = detail;
ALTER TABLE audit DROP COLUMN detail;
CREATE INDEX audit_at ON audit (at);
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'director', 'manager', 'rep', 'hr')),
    entity TEXT,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_signins INTEGER NOT NULL DEFAULT 0,
    locked_until TEXT,
    created_at TEXT NOT NULL
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES users (login),
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
CREATE TABLE signin_links (
    secret_hash TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES users (login),
    expires_at TEXT NOT NULL,
    used_at TEXT
);
"#,
    AUDIT_APPEND_ONLY_SQLITE,
];

/// The audit log is append-only (SPEC §15.1): the database itself refuses to
/// change or delete a row, whatever program asks.
const AUDIT_APPEND_ONLY_SQLITE: &str = r#"
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"#;

const AUDIT_APPEND_ONLY_POSTGRES: &str = r#"
CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'the audit log is append-only'; END;
$$;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"#;

const POSTGRES: &[&str] = &[
    r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE batches (
    id BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    files TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('landed', 'reverted')),
    reverted_at TIMESTAMPTZ
);
CREATE TABLE batch_tables (
    batch_id BIGINT NOT NULL REFERENCES batches (id),
    table_name TEXT NOT NULL,
    added BIGINT NOT NULL,
    changed BIGINT NOT NULL,
    unchanged BIGINT NOT NULL,
    rejected BIGINT NOT NULL,
    duplicates BIGINT NOT NULL,
    source_hash TEXT NOT NULL,
    delta_file TEXT,
    PRIMARY KEY (batch_id, table_name)
);
CREATE TABLE table_versions (
    table_name TEXT PRIMARY KEY,
    file TEXT NOT NULL,
    rows BIGINT NOT NULL,
    batch_id BIGINT NOT NULL
);
CREATE TABLE audit (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX audit_at ON audit (at);
CREATE TABLE schemes (
    version BIGINT PRIMARY KEY,
    name TEXT NOT NULL,
    toml TEXT NOT NULL,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL
);
CREATE TABLE runs (
    id BIGINT PRIMARY KEY,
    at TIMESTAMPTZ NOT NULL,
    actor TEXT NOT NULL,
    period TEXT NOT NULL,
    scheme_name TEXT NOT NULL,
    scheme_version BIGINT,
    scheme_toml TEXT NOT NULL,
    data TEXT NOT NULL,
    result TEXT NOT NULL
);
CREATE TABLE users (
    login TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'director', 'manager', 'rep', 'hr')),
    entity TEXT,
    password_hash TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_signins BIGINT NOT NULL DEFAULT 0,
    locked_until TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE tokens (
    id TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES users (login),
    secret_hash TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
CREATE TABLE signin_links (
    secret_hash TEXT PRIMARY KEY,
    login TEXT NOT NULL REFERENCES users (login),
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ
);
"#,
    AUDIT_APPEND_ONLY_POSTGRES,
];

/// The schema version this build writes for the catalog's backend.
fn migrations(catalog: &Catalog) -> &'static [&'static str] {
    match catalog.pool {
        Pool::Sqlite(_) => SQLITE,
        Pool::Postgres(_) => POSTGRES,
    }
}

/// The schema version of the SQLite catalogs this build writes.
pub const SCHEMA_VERSION: i64 = SQLITE.len() as i64;

/// The version the catalog is at (0: empty).
pub(crate) async fn version(catalog: &Catalog) -> Result<i64> {
    let has_meta = match &catalog.pool {
        Pool::Sqlite(pool) => sqlx::query("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
            .fetch_one(pool)
            .await?
            .get::<i64, _>(0),
        Pool::Postgres(pool) => sqlx::query(
            "SELECT COUNT(*) FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = 'meta'",
        )
        .fetch_one(pool)
        .await?
        .get::<i64, _>(0),
    } > 0;
    if !has_meta {
        return Ok(0);
    }
    with_pool!(catalog, |pool| {
        let row = sqlx::query("SELECT value FROM meta WHERE key = 'schema_version'").fetch_optional(pool).await?;
        Ok(row.and_then(|r| r.get::<String, _>(0).parse().ok()).unwrap_or(0))
    })
}

pub(crate) async fn migrate(catalog: &Catalog) -> Result<()> {
    let all = migrations(catalog);
    let current = version(catalog).await?;
    if current > all.len() as i64 {
        return Err(StoreError::NewerSchema { found: current, supported: all.len() as i64 });
    }
    for (index, migration) in all.iter().enumerate().skip(current as usize) {
        with_pool!(catalog, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::raw_sql(migration).execute(&mut *tx).await?;
            sqlx::query(
                "INSERT INTO meta (key, value) VALUES ('schema_version', $1) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )
            .bind((index + 1).to_string())
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        })
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_catalog_from_a_newer_yeji_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.sqlite");
        let catalog = Catalog::open(&path, true).await.unwrap();
        with_pool!(catalog, |pool| {
            sqlx::query("UPDATE meta SET value = '99' WHERE key = 'schema_version'").execute(pool).await.unwrap();
        });
        catalog.close().await;
        let error = Catalog::open(&path, false).await.err().unwrap();
        assert_eq!(
            error.to_string(),
            format!("the catalog has schema version 99, this yeji understands up to {SCHEMA_VERSION}: upgrade yeji")
        );
    }

    #[tokio::test]
    async fn audit_rows_are_never_changed_or_deleted() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            catalog.audit(&crate::AuditEntry::new("ada", "import", "batch 1")).await.unwrap();
            for statement in ["UPDATE audit SET actor = 'eve'", "DELETE FROM audit"] {
                with_pool!(catalog, |pool| {
                    let error = sqlx::query(statement).execute(pool).await.unwrap_err().to_string();
                    assert!(error.contains("append-only"), "{statement}: {error}");
                });
            }
            let rows = catalog.audit_log(&crate::AuditFilter::default()).await.unwrap();
            assert_eq!(rows.iter().map(|r| r.actor.as_str()).collect::<Vec<_>>(), ["ada"]);
        }
    }

    #[tokio::test]
    async fn both_backends_reach_the_same_tables() {
        for (catalog, _dir) in crate::testing::catalogs().await {
            assert_eq!(version(&catalog).await.unwrap(), migrations(&catalog).len() as i64);
            for table in ["batches", "batch_tables", "table_versions", "audit", "schemes", "runs", "users", "tokens"] {
                with_pool!(catalog, |pool| {
                    let count: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                        .fetch_one(pool)
                        .await
                        .unwrap_or_else(|e| panic!("{table}: {e}"))
                        .get(0);
                    assert_eq!(count, 0, "{table}");
                });
            }
        }
    }
}
