//! [`Facts`]: one state of the data, read-only. Evaluations, analysis and
//! every capability built on them read the facts through this value, never
//! through the workspace: a saved run's pinned files are a `Facts` too.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use arrow::array::RecordBatch;
use datafusion::datasource::MemTable;
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use xxhash_rust::xxh3::xxh3_128;
use yeji_core::{Org, Table};
use yeji_ingest::schema::stored_schema;
use yeji_store::TableVersion;

use crate::session::{collect, collect_with_schema, id_key, query_error};
use crate::settings::Settings;
use crate::{Result, files};

/// The folder of evaluations computed on each state of the data.
pub(crate) const CACHE_DIR: &str = "cache";

/// The key of a state of the data (its fact files) as this yeji reads it.
pub(crate) fn data_key(versions: &HashMap<Table, TableVersion>) -> String {
    let mut files: Vec<&str> = versions.values().map(|v| v.file.as_str()).collect();
    files.sort_unstable();
    files.push(env!("CARGO_PKG_VERSION"));
    format!("{:032x}", xxh3_128(files.join("\n").as_bytes()))
}

pub struct Facts {
    root: PathBuf,
    settings: Settings,
    versions: HashMap<Table, TableVersion>,
    data_key: String,
    org: Org,
    /// Held while a query runs over the whole facts: one at a time per
    /// workspace, as each keeps every core busy and two would double the memory.
    gate: Arc<tokio::sync::Mutex<()>>,
    /// The last rep's rows in memory, for the queries of its page.
    rep_rows: Mutex<Option<(String, SessionContext)>>,
}

impl Facts {
    pub(crate) fn new(
        root: &Path,
        settings: &Settings,
        versions: HashMap<Table, TableVersion>,
        gate: Arc<tokio::sync::Mutex<()>>,
    ) -> Result<Facts> {
        let load = |table| match versions.get(&table) {
            Some(version) => files::read(&root.join(&version.file), stored_schema(table)),
            None => Ok(files::empty(table)),
        };
        let org = crate::org::read(&load(Table::OrgUnits)?, &load(Table::Reps)?);
        Ok(Facts {
            root: root.to_owned(),
            settings: settings.clone(),
            data_key: data_key(&versions),
            versions,
            org,
            gate,
            rep_rows: Mutex::new(None),
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// The org tree and the reps' histories.
    pub fn org(&self) -> &Org {
        &self.org
    }

    /// The fact file of each table that has one.
    pub fn versions(&self) -> &HashMap<Table, TableVersion> {
        &self.versions
    }

    /// The fact files, by table name, as a saved run pins them.
    pub fn pinned(&self) -> Vec<TableVersion> {
        let mut data: Vec<TableVersion> = self.versions.values().cloned().collect();
        data.sort_by(|a, b| a.table.cmp(&b.table));
        data
    }

    /// A key naming this state of the data.
    pub fn data_key(&self) -> &str {
        &self.data_key
    }

    /// Where results computed on this state of the data are kept.
    pub fn cache_dir(&self) -> PathBuf {
        self.root.join(CACHE_DIR).join(&self.data_key)
    }

    /// Whether `table` holds any row.
    pub fn has_rows(&self, table: Table) -> bool {
        self.versions.get(&table).is_some_and(|v| v.rows > 0)
    }

    /// The stored rows of `table` (stored schema), empty when it has none.
    pub fn load(&self, table: Table) -> Result<RecordBatch> {
        match self.versions.get(&table) {
            Some(version) => files::read(&self.root.join(&version.file), stored_schema(table)),
            None => Ok(files::empty(table)),
        }
    }

    /// A DataFusion session with every table's rows registered under its
    /// name (empty tables for those not imported), and the views of derived
    /// columns that files of earlier versions lack.
    pub async fn session(&self) -> Result<SessionContext> {
        // Text columns are read as string views (DataFusion's default): decoding
        // and grouping them is about twice as fast as plain strings; results are
        // turned back into plain strings by `collect`.
        let config = SessionConfig::new().with_target_partitions(2);
        let context = SessionContext::new_with_config(config);
        context.register_udf(id_key());
        for table in Table::ALL {
            match self.versions.get(&table) {
                Some(version) => {
                    let path = self.root.join(&version.file);
                    context
                        .register_parquet(table.name(), path.to_string_lossy().as_ref(), ParquetReadOptions::default())
                        .await
                        .map_err(query_error)?;
                }
                None => {
                    let empty = MemTable::try_new(stored_schema(table), vec![vec![]]).map_err(query_error)?;
                    context.register_table(table.name(), Arc::new(empty)).map_err(query_error)?;
                }
            }
        }
        crate::first_lines::register(&context).await?;
        crate::paid::register(&context).await?;
        Ok(context)
    }

    /// A session whose tables credited to reps hold only `rep`'s rows, read
    /// once into memory: the queries of a rep's page then run on a few rows
    /// (the last rep's are kept for the next query).
    pub async fn rep_session(&self, rep: &str) -> Result<SessionContext> {
        let held = self.rep_rows.lock().expect("the rep rows lock is never poisoned").clone();
        if let Some((_, context)) = held.filter(|(held, _)| held == rep) {
            return Ok(context);
        }
        let context = self.session().await?;
        let filter = format!("rep_id = '{}'", rep.replace('\'', "''"));
        for table in Table::ALL.into_iter().filter(|t| t.column("rep_id").is_some() && *t != Table::Reps) {
            // Plain strings: string views would keep the Parquet pages they were cut from.
            let (schema, rows) =
                collect_with_schema(&context, &format!("SELECT * FROM {table} WHERE {filter}")).await?;
            let rows = MemTable::try_new(schema, vec![rows]).map_err(query_error)?;
            context.deregister_table(table.name()).map_err(query_error)?;
            context.register_table(table.name(), Arc::new(rows)).map_err(query_error)?;
        }
        *self.rep_rows.lock().expect("the rep rows lock is never poisoned") = Some((rep.to_owned(), context.clone()));
        Ok(context)
    }

    /// Runs a query over `context` (a session of these facts) one at a time
    /// with the other heavy work of the workspace ([`Facts::gate`]), which
    /// bounds the memory a server needs when several pages are asked for at once.
    pub async fn query(&self, context: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
        let _turn = self.gate().await;
        collect(context, sql).await
    }

    /// [`Facts::query`] on a fresh session.
    pub async fn sql(&self, sql: &str) -> Result<Vec<RecordBatch>> {
        self.query(&self.session().await?, sql).await
    }

    /// The turn to run a query over the whole facts.
    pub async fn gate(&self) -> tokio::sync::MutexGuard<'_, ()> {
        self.gate.lock().await
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::AsArray;
    use yeji_ingest::schema::{FIRST_LINE, LAST_PAYMENT, PAID_TOTAL};

    use super::*;
    use crate::session::has_column;
    use crate::{ImportOptions, Workspace};

    /// What the derived columns hold, as evaluations read them: each
    /// customer's first line, and what was paid on each invoice.
    async fn derived(facts: &Facts) -> Vec<RecordBatch> {
        let first =
            "SELECT customer_id, CAST(order_date AS VARCHAR), rep_id, credited_unit_id FROM first_lines ORDER BY 1";
        let paid = "SELECT invoice_id, CAST(paid_total AS DOUBLE), CAST(last_payment_date AS VARCHAR) FROM invoices ORDER BY 1";
        let mut out = Vec::new();
        for sql in [first, paid] {
            let batches = facts.sql(sql).await.unwrap();
            out.push(arrow::compute::concat_batches(&batches[0].schema(), &batches).unwrap());
        }
        out
    }

    /// Files written before the derived columns existed (no first-line marks
    /// on orders, nothing paid on invoices: what a saved run of an earlier
    /// version pins) read exactly as files with them, the session adding them
    /// by views.
    #[tokio::test]
    async fn files_without_the_derived_columns_read_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut workspace = Workspace::init(dir.path(), Settings::default()).await.unwrap();
        let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../yeji/tests/fixtures/scored");
        workspace.import(&[fixtures], &ImportOptions::default(), &|_| {}).await.unwrap();
        let with_columns = derived(&workspace.facts().await.unwrap()).await;

        let versions = workspace.versions().await.unwrap();
        for (table, derived) in [(Table::Orders, vec![FIRST_LINE]), (Table::Invoices, vec![PAID_TOTAL, LAST_PAYMENT])] {
            let path = workspace.root().join(&versions[&table].file);
            let schema = stored_schema(table);
            let kept: Vec<&str> =
                schema.fields().iter().map(|f| f.name().as_str()).filter(|c| !derived.contains(c)).collect();
            let rows = files::read_columns(&path, &kept).unwrap();
            files::write(&path, &[rows]).unwrap();
        }
        let facts = workspace.facts().await.unwrap();
        let session = facts.session().await.unwrap();
        assert!(!has_column(&session, "orders", FIRST_LINE).await.unwrap(), "the marks are gone from the file");
        let without = derived(&facts).await;
        let columns = |batches: &[RecordBatch]| -> Vec<arrow::array::ArrayRef> {
            batches.iter().flat_map(|b| b.columns().to_vec()).collect()
        };
        assert_eq!(columns(&without), columns(&with_columns));
        // By hand (the CLI's scored fixture): K1's first line is O1 under R1 on
        // 07-05, K2's O2 under R2 on 07-20; I1 was paid 1000 + 800 (last on
        // 10-15), I2 400, I3 and I4 nothing.
        let texts = |batch: &RecordBatch, column: usize| -> Vec<String> {
            batch.column(column).as_string::<i32>().iter().map(|v| v.unwrap_or("").to_owned()).collect()
        };
        assert_eq!(texts(&without[0], 0), ["K1", "K2"]);
        assert_eq!(texts(&without[0], 1), ["2026-07-05", "2026-07-20"]);
        assert_eq!(texts(&without[0], 2), ["R1", "R2"]);
        let paid = without[1].column(1).as_primitive::<arrow::datatypes::Float64Type>().values().to_vec();
        assert_eq!(paid, [1800.0, 400.0, 0.0, 0.0]);
        assert_eq!(texts(&without[1], 2), ["2026-10-15", "2026-08-19", "", ""]);
    }
}
