//! Applying a batch to a table by natural key, and undoing it.
//!
//! Rows are matched by a 128-bit hash of their key and compared by a 64-bit hash
//! of their canonical columns (the derived ones are recomputed anyway): both are
//! computed from Arrow's row format in chunks, so memory stays a few bytes a row
//! even for tens of millions of rows. A false match needs a hash collision
//! between rows with the same key (about 1 in 2^64).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{concat_batches, filter_record_batch, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema};
use arrow::row::{RowConverter, SortField};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};
use yeji_core::Table;

/// The column of a delta file saying what each row is.
pub(crate) const CHANGE: &str = "_change";
const CHUNK: usize = 1 << 16;

fn converter(batch: &RecordBatch, columns: &[&str]) -> (RowConverter, Vec<usize>) {
    let indices: Vec<usize> = columns.iter().map(|c| batch.schema().index_of(c).expect("column")).collect();
    let fields = indices.iter().map(|&i| SortField::new(batch.column(i).data_type().clone())).collect();
    (RowConverter::new(fields).expect("sortable"), indices)
}

/// Hashes every row of `batch` over `columns`, with `hash` applied to the row bytes.
fn hash_rows<T>(batch: &RecordBatch, columns: &[&str], hash: fn(&[u8]) -> T) -> Vec<T> {
    let (converter, indices) = converter(batch, columns);
    let mut out = Vec::with_capacity(batch.num_rows());
    let mut start = 0;
    while start < batch.num_rows() {
        let length = CHUNK.min(batch.num_rows() - start);
        let arrays: Vec<ArrayRef> = indices.iter().map(|&i| batch.column(i).slice(start, length)).collect();
        let rows = converter.convert_columns(&arrays).expect("columns match");
        out.extend(rows.iter().map(|row| hash(row.as_ref())));
        start += length;
    }
    out
}

fn key_hashes(table: Table, batch: &RecordBatch) -> Vec<u128> {
    hash_rows(batch, table.natural_key(), xxh3_128)
}

fn content_hashes(table: Table, batch: &RecordBatch) -> Vec<u64> {
    let columns: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    hash_rows(batch, &columns, xxh3_64)
}

/// The outcome of applying incoming rows to a table.
pub(crate) struct Applied {
    /// The table's rows afterwards (canonical columns of `current`'s schema order).
    pub state: RecordBatch,
    /// Added rows, and changed rows' old and new values, with a [`CHANGE`] column.
    pub delta: RecordBatch,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Applies `incoming` (same schema as `current`) to `current` by natural key.
pub(crate) fn apply(table: Table, current: &RecordBatch, incoming: &RecordBatch) -> Applied {
    let current_keys = key_hashes(table, current);
    let position: HashMap<u128, u32> = current_keys.iter().enumerate().map(|(i, k)| (*k, i as u32)).collect();
    let incoming_keys = key_hashes(table, incoming);
    let current_content = content_hashes(table, current);
    let incoming_content = content_hashes(table, incoming);
    let mut keep = vec![true; current.num_rows()];
    let (mut added, mut new, mut old) = (Vec::new(), Vec::new(), Vec::new());
    let mut unchanged = 0;
    for (row, key) in incoming_keys.iter().enumerate() {
        match position.get(key) {
            None => added.push(row as u32),
            Some(&at) if current_content[at as usize] == incoming_content[row] => unchanged += 1,
            Some(&at) => {
                keep[at as usize] = false;
                new.push(row as u32);
                old.push(at);
            }
        }
    }
    let mut landing = added.clone();
    landing.extend(&new);
    let kept = filter_record_batch(current, &BooleanArray::from(keep)).expect("mask fits");
    let landed = take(incoming, &landing);
    let state = concat_batches(&current.schema(), [&kept, &landed]).expect("same schema");
    let delta = concat_batches(
        &delta_schema(current),
        [
            &with_change(&take(incoming, &added), "added"),
            &with_change(&take(incoming, &new), "new"),
            &with_change(&take(current, &old), "old"),
        ],
    )
    .expect("same schema");
    Applied { state, delta, added: added.len(), changed: new.len(), unchanged }
}

/// Undoes a delta: rows it added or changed go; the old values come back.
pub(crate) fn undo(table: Table, current: &RecordBatch, delta: &RecordBatch) -> RecordBatch {
    let changes = delta.column_by_name(CHANGE).expect("delta has _change");
    let changes = changes.as_any().downcast_ref::<StringArray>().expect("utf8");
    let delta_keys = key_hashes(table, delta);
    let removed: std::collections::HashSet<u128> =
        (0..delta.num_rows()).filter(|&i| changes.value(i) != "old").map(|i| delta_keys[i]).collect();
    let keep: BooleanArray = key_hashes(table, current).iter().map(|k| Some(!removed.contains(k))).collect();
    let kept = filter_record_batch(current, &keep).expect("mask fits");
    let old: Vec<u32> = (0..delta.num_rows() as u32).filter(|&i| changes.value(i as usize) == "old").collect();
    let restored = take(&without_change(delta), &old);
    let restored = RecordBatch::try_new(current.schema(), restored.columns().to_vec()).expect("same columns");
    concat_batches(&current.schema(), [&kept, &restored]).expect("same schema")
}

fn take(batch: &RecordBatch, rows: &[u32]) -> RecordBatch {
    take_record_batch(batch, &UInt32Array::from(rows.to_vec())).expect("indices in range")
}

fn delta_schema(batch: &RecordBatch) -> Arc<Schema> {
    let mut fields: Vec<Field> = batch.schema().fields().iter().map(|f| f.as_ref().clone()).collect();
    fields.push(Field::new(CHANGE, DataType::Utf8, false));
    Arc::new(Schema::new(fields))
}

fn with_change(batch: &RecordBatch, change: &str) -> RecordBatch {
    let mut columns = batch.columns().to_vec();
    columns.push(Arc::new(StringArray::from(vec![change; batch.num_rows()])));
    RecordBatch::try_new(delta_schema(batch), columns).expect("delta schema")
}

pub(crate) fn without_change(delta: &RecordBatch) -> RecordBatch {
    let mut delta = delta.clone();
    delta.remove_column(delta.schema().index_of(CHANGE).expect("delta has _change"));
    delta
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::array::{AsArray, Decimal128Array, Int64Array};
    use yeji_ingest::schema::canonical_schema;

    /// Orders with only the key and amount filled in.
    fn orders(rows: &[(&str, i64, i128)]) -> RecordBatch {
        let schema = canonical_schema(Table::Orders);
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| -> ArrayRef {
                match f.name().as_str() {
                    "order_id" => Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>())),
                    "line_no" => Arc::new(Int64Array::from(rows.iter().map(|r| r.1).collect::<Vec<_>>())),
                    "amount" => Arc::new(
                        Decimal128Array::from(rows.iter().map(|r| r.2).collect::<Vec<_>>())
                            .with_data_type(f.data_type().clone()),
                    ),
                    _ => arrow::array::new_null_array(f.data_type(), rows.len()),
                }
            })
            .collect();
        RecordBatch::try_new(schema, columns).unwrap()
    }

    fn amounts(batch: &RecordBatch) -> Vec<(String, i64, i128)> {
        let ids = batch.column_by_name("order_id").unwrap().as_string::<i32>();
        let lines = batch.column_by_name("line_no").unwrap().as_primitive::<arrow::datatypes::Int64Type>();
        let amount = batch.column_by_name("amount").unwrap().as_primitive::<arrow::datatypes::Decimal128Type>();
        let mut out: Vec<_> =
            (0..batch.num_rows()).map(|i| (ids.value(i).to_owned(), lines.value(i), amount.value(i))).collect();
        out.sort();
        out
    }

    #[test]
    fn same_rows_change_nothing_and_a_changed_row_replaces_the_old_one() {
        let current = orders(&[("O1", 1, 100), ("O1", 2, 200), ("O2", 1, 300)]);
        let again = apply(Table::Orders, &current, &current);
        assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 3));
        let incoming = orders(&[("O1", 2, 250), ("O3", 1, 50), ("O2", 1, 300)]);
        let applied = apply(Table::Orders, &current, &incoming);
        assert_eq!((applied.added, applied.changed, applied.unchanged), (1, 1, 1));
        assert_eq!(
            amounts(&applied.state),
            [("O1".into(), 1, 100), ("O1".into(), 2, 250), ("O2".into(), 1, 300), ("O3".into(), 1, 50)]
        );
        let changes: Vec<&str> =
            applied.delta.column_by_name(CHANGE).unwrap().as_string::<i32>().iter().flatten().collect();
        assert_eq!(changes, ["added", "new", "old"]);
        // Undoing the delta gives back exactly the rows before.
        assert_eq!(amounts(&undo(Table::Orders, &applied.state, &applied.delta)), amounts(&current));
    }
}
