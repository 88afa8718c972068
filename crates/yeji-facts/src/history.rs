//! What a batch changed: for every row it replaced, the columns whose values
//! differ, old and new, read from the batch's delta files.

use std::collections::HashMap;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::util::display::{ArrayFormatter, FormatOptions};
use serde::Serialize;
use yeji_core::Table;
use yeji_ingest::rowhash::key_hashes;

use crate::changes::CHANGE;
use crate::workspace::Workspace;
use crate::{FactsError, Result, files};

/// One column of one row a batch changed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ValueChange {
    pub table: String,
    /// The row's natural key, e.g. `O3 / 1`.
    pub key: String,
    pub column: String,
    pub old: String,
    pub new: String,
}

fn cell(batch: &RecordBatch, column: usize, row: usize) -> String {
    let array = batch.column(column);
    if array.is_null(row) {
        return String::new();
    }
    let options = FormatOptions::default();
    ArrayFormatter::try_new(array.as_ref(), &options).map(|f| f.value(row).to_string()).unwrap_or_default()
}

impl Workspace {
    /// The value changes batch `id` made, table by table in import order.
    pub async fn batch_changes(&self, id: i64) -> Result<Vec<ValueChange>> {
        let batch = self.catalog.batch(id).await?;
        let mut out = Vec::new();
        for change in batch.tables.iter().filter(|t| t.changed > 0) {
            let (Some(table), Some(file)) = (Table::from_name(&change.table), &change.delta_file) else { continue };
            let delta = files::read_columns(&self.root.join(file), &crate::revert::delta_columns(table))?;
            out.extend(row_changes(table, &delta)?);
        }
        Ok(out)
    }
}

fn row_changes(table: Table, delta: &RecordBatch) -> Result<Vec<ValueChange>> {
    let kinds = delta.column_by_name(CHANGE).ok_or_else(|| FactsError::Query("delta without _change".into()))?;
    let kinds = kinds.as_string::<i32>();
    let keys = key_hashes(table, delta);
    let old_at: HashMap<u128, usize> =
        (0..delta.num_rows()).filter(|&r| kinds.value(r) == "old").map(|r| (keys[r], r)).collect();
    let key_columns: Vec<usize> = table.natural_key().iter().filter_map(|k| delta.schema().index_of(k).ok()).collect();
    let mut out = Vec::new();
    for new in (0..delta.num_rows()).filter(|&r| kinds.value(r) == "new") {
        let Some(&old) = old_at.get(&keys[new]) else { continue };
        let key: Vec<String> = key_columns.iter().map(|&c| cell(delta, c, new)).filter(|v| !v.is_empty()).collect();
        for (index, column) in table.columns().iter().enumerate() {
            let (before, after) = (cell(delta, index, old), cell(delta, index, new));
            if before != after {
                out.push(ValueChange {
                    table: table.name().into(),
                    key: key.join(" / "),
                    column: column.name.into(),
                    old: before,
                    new: after,
                });
            }
        }
    }
    Ok(out)
}
