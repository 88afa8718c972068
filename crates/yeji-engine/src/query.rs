//! Queries over the fact store with Apache DataFusion: every table's current
//! Parquet file registered under its canonical name; the entity filter shared by
//! every query that credits rows to a rep or a unit.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, AsArray, Int64Array, RecordBatch, StringArray};
use arrow::datatypes::{DataType, Field, FieldRef, Schema, SchemaRef};
use datafusion::datasource::MemTable;
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::prelude::{ParquetReadOptions, SessionConfig, SessionContext};
use yeji_core::{Period, Table};
use yeji_ingest::checks::id_hash;
use yeji_ingest::schema::stored_schema;
use yeji_store::TableVersion;

use crate::measures::EntityKey;
use crate::workspace::Workspace;
use crate::{EngineError, Result};

pub(crate) fn query_error(error: impl std::fmt::Display) -> EngineError {
    EngineError::Query(error.to_string())
}

/// Whether the session's `table` has `column` (files written before a derived
/// column existed lack it).
pub(crate) async fn has_column(context: &SessionContext, table: &str, column: &str) -> Result<bool> {
    let provider = context.table_provider(table).await.map_err(query_error)?;
    Ok(provider.schema().column_with_name(column).is_some())
}

/// Registers the result of `sql` as the view `name`, in place of any table
/// of that name (the view reads the one it replaces).
pub(crate) async fn register_view(context: &SessionContext, name: &str, sql: &str) -> Result<()> {
    let view = context.sql(sql).await.map_err(query_error)?.into_view();
    context.deregister_table(name).map_err(query_error)?;
    context.register_table(name, view).map_err(query_error)?;
    Ok(())
}

/// `id_key(text)`: an id's 64-bit key, as the import's reference checks know
/// ids (`yeji_ingest::checks::id_hash`). Joining and grouping millions of rows
/// on it is about twice as fast as on the text.
fn id_key() -> ScalarUDF {
    // Plain strings (tables in memory) are cast to views by the signature.
    let invoke = |args: &[ColumnarValue]| {
        let ids = &ColumnarValue::values_to_arrays(args)?[0];
        let keys: Int64Array = ids.as_string_view().iter().map(|id| id.map(|id| id_hash(id) as i64)).collect();
        Ok(ColumnarValue::Array(Arc::new(keys)))
    };
    create_udf("id_key", vec![DataType::Utf8View], DataType::Int64, Volatility::Immutable, Arc::new(invoke))
}

/// Runs a query and returns its rows with every text column as plain `Utf8`,
/// whether it was read from Parquet (string views) or from memory.
pub(crate) async fn collect(context: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    Ok(collect_with_schema(context, sql).await?.1)
}

async fn collect_with_schema(context: &SessionContext, sql: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let frame = context.sql(sql).await.map_err(query_error)?;
    let schema = plain_schema(frame.schema().as_arrow());
    let batches = frame.collect().await.map_err(query_error)?;
    let batches = batches.iter().map(|b| plain_strings(b, &schema)).collect::<Result<_>>()?;
    Ok((schema, batches))
}

fn plain_schema(schema: &Schema) -> SchemaRef {
    let plain = |field: &FieldRef| match field.data_type() {
        DataType::Utf8View => Arc::new(field.as_ref().clone().with_data_type(DataType::Utf8)),
        _ => field.clone(),
    };
    Arc::new(Schema::new_with_metadata(
        schema.fields().iter().map(plain).collect::<Vec<_>>(),
        schema.metadata().clone(),
    ))
}

fn plain_strings(batch: &RecordBatch, schema: &SchemaRef) -> Result<RecordBatch> {
    if batch.schema().fields() == schema.fields() {
        return Ok(batch.clone());
    }
    let columns = batch
        .columns()
        .iter()
        .zip(schema.fields())
        .map(|(column, field)| arrow::compute::cast(column, field.data_type()))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(query_error)?;
    RecordBatch::try_new(schema.clone(), columns).map_err(query_error)
}

impl Workspace {
    /// A DataFusion session with every table's current rows registered (empty
    /// when not imported).
    pub async fn session(&self) -> Result<SessionContext> {
        self.session_at(&self.versions().await?).await
    }

    /// A DataFusion session over the fact files `versions` names.
    pub(crate) async fn session_at(&self, versions: &HashMap<Table, TableVersion>) -> Result<SessionContext> {
        // Text columns are read as string views (DataFusion's default): decoding
        // and grouping them is about twice as fast as plain strings; results are
        // turned back into plain strings by `collect`.
        let config = SessionConfig::new().with_target_partitions(2);
        let context = SessionContext::new_with_config(config);
        context.register_udf(id_key());
        for table in Table::ALL {
            match versions.get(&table) {
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

    /// Runs a query of a page over the facts, one at a time with the measures
    /// of an evaluation (see `Workspace::computing`), which bounds the memory
    /// a server needs when pages of several periods are asked for at once.
    pub(crate) async fn query(&self, context: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
        let _computing = self.computing.lock().await;
        collect(context, sql).await
    }

    /// The session and the SQL condition selecting the rows credited to `id`
    /// (of a table with `rep_id` and `credited_unit_id`) as the evaluation
    /// credits them: a rep's own rows, a unit's rows credited to it or to a
    /// unit below it at the end of `period`, every row for the company.
    pub(crate) async fn scope(&self, period: &Period, id: &str) -> Result<(SessionContext, String)> {
        let versions = self.versions().await?;
        let (entities, tree) = self.entities(period, &versions)?;
        let literal = |s: &str| format!("'{}'", s.replace('\'', "''"));
        let filter = if entities.iter().any(|e| e.key == EntityKey::Rep(id.to_owned())) {
            return self.rep_scope(&versions, id, &format!("rep_id = {}", literal(id))).await;
        } else if tree.parent.get(id).is_some_and(Option::is_none) {
            // The company: every row, also those credited to no unit.
            "TRUE".to_owned()
        } else if tree.parent.contains_key(id) {
            let below: Vec<String> =
                tree.parent.keys().filter(|u| tree.ancestors(u).contains(&id)).map(|u| literal(u)).collect();
            format!("credited_unit_id IN ({})", below.join(", "))
        } else {
            return Err(EngineError::UnknownEntity(id.to_owned()));
        };
        Ok((self.session_at(&versions).await?, filter))
    }

    /// A rep's rows are few: its rows of every table credited to reps are read
    /// once into memory, and the queries of its page (slices, months, customers,
    /// receivables, rows behind a value) run on those, with no filter left to
    /// apply. The last rep's are kept for the next query.
    async fn rep_scope(
        &self,
        versions: &HashMap<Table, TableVersion>,
        id: &str,
        filter: &str,
    ) -> Result<(SessionContext, String)> {
        let key = format!("{}/{id}", crate::cache::data_key(versions));
        let held = self.rep_scope.lock().expect("the scope lock is never poisoned").clone();
        if let Some((_, context)) = held.filter(|(k, _)| *k == key) {
            return Ok((context, "TRUE".into()));
        }
        let context = self.session_at(versions).await?;
        for table in Table::ALL.into_iter().filter(|t| t.column("rep_id").is_some() && *t != Table::Reps) {
            // Plain strings: string views would keep the Parquet pages they were cut from.
            let (schema, rows) =
                collect_with_schema(&context, &format!("SELECT * FROM {table} WHERE {filter}")).await?;
            let rows = MemTable::try_new(schema, vec![rows]).map_err(query_error)?;
            context.deregister_table(table.name()).map_err(query_error)?;
            context.register_table(table.name(), Arc::new(rows)).map_err(query_error)?;
        }
        *self.rep_scope.lock().expect("the scope lock is never poisoned") = Some((key, context.clone()));
        Ok((context, "TRUE".into()))
    }

    /// The company: the root of the org tree (`None` before org units are imported).
    pub async fn company_id(&self, period: &Period) -> Result<Option<String>> {
        let versions = self.versions().await?;
        let (_, tree) = self.entities(period, &versions)?;
        Ok(tree.parent.iter().filter(|(_, parent)| parent.is_none()).map(|(id, _)| id.clone()).min())
    }

    /// Every unit with the region above it (a region is its own region).
    pub(crate) async fn unit_regions(&self, period: &Period) -> Result<RecordBatch> {
        let versions = self.versions().await?;
        let (entities, tree) = self.entities(period, &versions)?;
        let names: HashMap<&EntityKey, &str> = entities.iter().map(|e| (&e.key, e.name.as_str())).collect();
        let mut rows: Vec<(&str, &str, &str)> = tree
            .parent
            .keys()
            .filter_map(|unit| {
                let region = tree.region_of(unit)?;
                Some((unit.as_str(), region, names.get(&EntityKey::Unit(region.to_owned())).copied().unwrap_or(region)))
            })
            .collect();
        rows.sort_unstable();
        let schema = Arc::new(Schema::new(vec![
            Field::new("unit_id", DataType::Utf8, false),
            Field::new("region_id", DataType::Utf8, false),
            Field::new("region_name", DataType::Utf8, false),
        ]));
        let columns: Vec<ArrayRef> = vec![
            Arc::new(rows.iter().map(|r| Some(r.0)).collect::<StringArray>()),
            Arc::new(rows.iter().map(|r| Some(r.1)).collect::<StringArray>()),
            Arc::new(rows.iter().map(|r| Some(r.2)).collect::<StringArray>()),
        ];
        RecordBatch::try_new(schema, columns).map_err(query_error)
    }
}

#[cfg(test)]
mod tests {
    use arrow::array::StringViewArray;
    use arrow::datatypes::Int64Type;

    use super::*;

    /// Files written before the derived columns existed (no first-line marks
    /// on orders, nothing paid on invoices: what a saved run of an earlier
    /// version pins) evaluate exactly as files with them, the session adding
    /// them by views.
    #[tokio::test]
    async fn files_without_the_derived_columns_evaluate_the_same() {
        use yeji_ingest::schema::{FIRST_LINE, LAST_PAYMENT, PAID_TOTAL};
        let dir = tempfile::tempdir().unwrap();
        let mut workspace = Workspace::init(dir.path(), crate::Settings::default()).await.unwrap();
        let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../yeji/tests/fixtures/scored");
        workspace.import(&[fixtures], &crate::ImportOptions::default(), &|_| {}).await.unwrap();
        let (period, scheme) = ("2026-Q3".parse().unwrap(), yeji_core::scheme::Scheme::default_scheme());
        let with_columns = workspace.evaluate_with_inputs(&period, &scheme).await.unwrap().evaluation;

        let versions = workspace.versions().await.unwrap();
        for (table, derived) in [(Table::Orders, vec![FIRST_LINE]), (Table::Invoices, vec![PAID_TOTAL, LAST_PAYMENT])] {
            let path = workspace.root().join(&versions[&table].file);
            let schema = stored_schema(table);
            let kept: Vec<&str> =
                schema.fields().iter().map(|f| f.name().as_str()).filter(|c| !derived.contains(c)).collect();
            let rows = crate::facts::read_columns(&path, &kept).unwrap();
            crate::facts::write(&path, &[rows]).unwrap();
        }
        let context = workspace.session().await.unwrap();
        assert!(!has_column(&context, "orders", FIRST_LINE).await.unwrap(), "the marks are gone from the file");
        let without = workspace.evaluate_with_inputs(&period, &scheme).await.unwrap().evaluation;
        assert_eq!(without, with_columns);
        // The values the views stand in for (see the CLI's scored fixture):
        // K1 new under R1, and R1's 1300 overdue (I1 paid 1000 by the end, I4 nothing).
        let r1 = without.results.iter().find(|r| r.id == "R1").unwrap();
        assert_eq!(r1.kpis["new_customer_rate"].value, Some(1.0));
        assert_eq!(r1.kpis["overdue_amount"].value, Some(1300.0));
    }

    #[tokio::test]
    async fn id_keys_are_the_import_hashes_of_plain_and_view_strings_and_results_come_back_plain() {
        let context = SessionContext::new();
        context.register_udf(id_key());
        let ids = ["客户-001", "K2", ""];
        let schema = Schema::new(vec![
            Field::new("plain_id", DataType::Utf8, true),
            Field::new("view_id", DataType::Utf8View, true),
        ]);
        let columns: Vec<ArrayRef> = vec![
            Arc::new(ids.iter().map(|s| Some(*s)).chain([None]).collect::<StringArray>()),
            Arc::new(ids.iter().map(|s| Some(*s)).chain([None]).collect::<StringViewArray>()),
        ];
        context.register_batch("ids", RecordBatch::try_new(Arc::new(schema), columns).unwrap()).unwrap();
        let batches = collect(&context, "SELECT id_key(plain_id), id_key(view_id), view_id FROM ids").await.unwrap();
        let batch = &batches[0];
        let expected: Vec<Option<i64>> = ids.iter().map(|id| Some(id_hash(id) as i64)).chain([None]).collect();
        for column in 0..2 {
            let keys: Vec<Option<i64>> = batch.column(column).as_primitive::<Int64Type>().iter().collect();
            assert_eq!(keys, expected);
        }
        assert_eq!(batch.schema().field(2).data_type(), &DataType::Utf8);
        assert_eq!(batch.column(2).as_string::<i32>().value(0), "客户-001");
    }
}
