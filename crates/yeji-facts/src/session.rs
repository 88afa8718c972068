//! DataFusion sessions over the fact store: the `id_key` function, views that
//! stand in for derived columns, and results with plain strings.

use std::sync::Arc;

use arrow::array::{AsArray, Int64Array, RecordBatch};
use arrow::datatypes::{DataType, FieldRef, Schema, SchemaRef};
use datafusion::logical_expr::{ColumnarValue, ScalarUDF, Volatility, create_udf};
use datafusion::prelude::SessionContext;
use yeji_ingest::checks::id_hash;

use crate::{FactsError, Result};

pub fn query_error(error: impl std::fmt::Display) -> FactsError {
    FactsError::Query(error.to_string())
}

/// Whether the session's `table` has `column` (files written before a derived
/// column existed lack it).
pub async fn has_column(context: &SessionContext, table: &str, column: &str) -> Result<bool> {
    let provider = context.table_provider(table).await.map_err(query_error)?;
    Ok(provider.schema().column_with_name(column).is_some())
}

/// Registers the result of `sql` as the view `name`, in place of any table
/// of that name (the view reads the one it replaces).
pub async fn register_view(context: &SessionContext, name: &str, sql: &str) -> Result<()> {
    let view = context.sql(sql).await.map_err(query_error)?.into_view();
    context.deregister_table(name).map_err(query_error)?;
    context.register_table(name, view).map_err(query_error)?;
    Ok(())
}

/// `id_key(text)`: an id's 64-bit key, as the import's reference checks know
/// ids (`yeji_ingest::checks::id_hash`). Joining and grouping millions of rows
/// on it is about twice as fast as on the text.
pub(crate) fn id_key() -> ScalarUDF {
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
pub async fn collect(context: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>> {
    Ok(collect_with_schema(context, sql).await?.1)
}

pub(crate) async fn collect_with_schema(context: &SessionContext, sql: &str) -> Result<(SchemaRef, Vec<RecordBatch>)> {
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

#[cfg(test)]
mod tests {
    use arrow::array::{ArrayRef, StringArray, StringViewArray};
    use arrow::datatypes::{Field, Int64Type};

    use super::*;

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
