//! Applying a batch to a table by natural key, and undoing it. Rows are
//! matched by key hash and compared by content hash ([`yeji_ingest::rowhash`]).

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use arrow::array::{ArrayRef, BooleanArray, RecordBatch, StringArray, UInt32Array, new_null_array};
use arrow::compute::{concat_batches, filter_record_batch, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema};
use yeji_core::Table;
use yeji_ingest::rowhash::{content_hashes, key_hashes};

/// The column of a delta file saying what each row is: `added` (only its key is
/// kept: undoing it needs no more), `new` and `old` (whole rows).
pub(crate) const CHANGE: &str = "_change";

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
    if current.num_rows() == 0 {
        // A first import: everything is added, nothing to match.
        let delta = with_change(&keys_only(table, incoming), "added");
        return Applied { state: incoming.clone(), delta, added: incoming.num_rows(), changed: 0, unchanged: 0 };
    }
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
    let kept = if old.is_empty() {
        current.clone()
    } else {
        filter_record_batch(current, &BooleanArray::from(keep)).expect("mask fits")
    };
    let state = concat(&kept, &take(incoming, &landing));
    let delta = concat_batches(
        &delta_schema(current),
        [
            &with_change(&keys_only(table, &take(incoming, &added)), "added"),
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
    let removed: HashSet<u128> =
        (0..delta.num_rows()).filter(|&i| changes.value(i) != "old").map(|i| delta_keys[i]).collect();
    let keep: BooleanArray = key_hashes(table, current).iter().map(|k| Some(!removed.contains(k))).collect();
    let kept = filter_record_batch(current, &keep).expect("mask fits");
    let old: Vec<u32> = (0..delta.num_rows() as u32).filter(|&i| changes.value(i as usize) == "old").collect();
    let restored = take(&without_change(delta), &old);
    let restored = RecordBatch::try_new(current.schema(), restored.columns().to_vec()).expect("same columns");
    concat(&kept, &restored)
}

/// The rows at `rows` (ascending); all of them without a copy.
fn take(batch: &RecordBatch, rows: &[u32]) -> RecordBatch {
    if rows.len() == batch.num_rows() && rows.windows(2).all(|w| w[0] < w[1]) {
        return batch.clone();
    }
    take_record_batch(batch, &UInt32Array::from(rows.to_vec())).expect("indices in range")
}

/// Appends `b` to `a`, copying only when both hold rows.
fn concat(a: &RecordBatch, b: &RecordBatch) -> RecordBatch {
    match (a.num_rows(), b.num_rows()) {
        (0, _) => b.clone(),
        (_, 0) => a.clone(),
        _ => concat_batches(&a.schema(), [a, b]).expect("same schema"),
    }
}

/// The batch with every non-key column null.
fn keys_only(table: Table, batch: &RecordBatch) -> RecordBatch {
    let key = table.natural_key();
    let columns: Vec<ArrayRef> = batch
        .schema()
        .fields()
        .iter()
        .zip(batch.columns())
        .map(|(field, column)| {
            if key.contains(&field.name().as_str()) {
                column.clone()
            } else {
                new_null_array(field.data_type(), batch.num_rows())
            }
        })
        .collect();
    RecordBatch::try_new(batch.schema(), columns).expect("same schema")
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
