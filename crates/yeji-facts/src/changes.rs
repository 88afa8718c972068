//! Applying a batch to a table by natural key, and undoing it. Rows are
//! matched by key hash and compared by content hash ([`yeji_ingest::rowhash`]).

use std::sync::Arc;

use arrow::array::{BooleanArray, RecordBatch, StringArray, UInt32Array};
use arrow::compute::{concat_batches, filter_record_batch, take_record_batch};
use arrow::datatypes::{DataType, Field, Schema};
use rustc_hash::{FxHashMap, FxHashSet};
use yeji_core::Table;
use yeji_ingest::rowhash::{content_hashes, key_hashes};
use yeji_ingest::schema::canonical_batch;

use crate::Result;

/// The column of a delta file saying what each row is: `added` (only its key is
/// kept: undoing it needs no more), `new` and `old` (whole rows).
pub(crate) const CHANGE: &str = "_change";

/// How a table's stored rows change: rows whose key is in `removed` go, the
/// `added` rows (canonical columns) come. Applied while streaming the stored
/// file ([`crate::files::write_version`]), so the old rows are never all in memory.
#[derive(Default)]
pub(crate) struct Rewrite {
    /// Every stored row goes (reverting the batch that first filled a table).
    pub clear: bool,
    pub removed: FxHashSet<u128>,
    pub added: Vec<RecordBatch>,
}

impl Rewrite {
    /// The rows that survive from `rows` (canonical columns).
    pub fn keep(&self, table: Table, rows: &RecordBatch) -> RecordBatch {
        if self.clear {
            return rows.slice(0, 0);
        }
        if self.removed.is_empty() {
            return rows.clone();
        }
        let keep: BooleanArray = key_hashes(table, rows).iter().map(|k| Some(!self.removed.contains(k))).collect();
        filter_record_batch(rows, &keep).expect("mask fits")
    }

    /// Applied to rows held in memory (small tables such as reps and products).
    pub fn apply_to(&self, table: Table, rows: &RecordBatch) -> RecordBatch {
        let mut parts = vec![self.keep(table, rows)];
        parts.extend(self.added.iter().cloned());
        concat_batches(&rows.schema(), &parts).expect("same schema")
    }
}

/// The outcome of applying incoming rows to a table.
pub(crate) struct Applied {
    pub rewrite: Rewrite,
    /// Added rows (keys only), and changed rows' old and new values, with a
    /// [`CHANGE`] column, in parts (a first import's delta is not copied).
    pub delta: Vec<RecordBatch>,
    pub added: usize,
    pub changed: usize,
    pub unchanged: usize,
}

/// Matches `incoming` (canonical columns) by natural key against the stored
/// rows, streamed from `stored` (batches of canonical columns).
pub(crate) fn apply<I>(table: Table, stored: impl Fn() -> Result<I>, incoming: &RecordBatch) -> Result<Applied>
where
    I: Iterator<Item = Result<RecordBatch>>,
{
    let mut content_of: FxHashMap<u128, u64> = FxHashMap::default();
    for rows in stored()? {
        let rows = rows?;
        content_of.extend(key_hashes(table, &rows).into_iter().zip(content_hashes(table, &rows)));
    }
    if content_of.is_empty() {
        // The table's first rows: undoing them empties the table again (no later
        // batch may have touched it, or the revert is refused), so no delta is kept.
        let count = incoming.num_rows();
        let rewrite = Rewrite { added: vec![incoming.clone()], ..Rewrite::default() };
        return Ok(Applied { rewrite, delta: Vec::new(), added: count, changed: 0, unchanged: 0 });
    }
    let incoming_keys = key_hashes(table, incoming);
    let incoming_content = content_hashes(table, incoming);
    let (mut added, mut new) = (Vec::new(), Vec::new());
    let mut removed = FxHashSet::default();
    let mut unchanged = 0;
    for (row, key) in incoming_keys.iter().enumerate() {
        match content_of.get(key) {
            None => added.push(row as u32),
            Some(content) if *content == incoming_content[row] => unchanged += 1,
            Some(_) => {
                removed.insert(*key);
                new.push(row as u32);
            }
        }
    }
    drop(content_of);
    // The old values of the changed rows, for the batch's history and for revert.
    let mut old = vec![RecordBatch::new_empty(incoming.schema())];
    if !removed.is_empty() {
        for rows in stored()? {
            let rows = rows?;
            let hit: BooleanArray = key_hashes(table, &rows).iter().map(|k| Some(removed.contains(k))).collect();
            old.push(filter_record_batch(&rows, &hit).expect("mask fits"));
        }
    }
    let old = concat_batches(&incoming.schema(), &old).expect("same schema");
    let delta = [
        with_change(&keys_only(table, &take(incoming, &added)), "added"),
        with_change(&take(incoming, &new), "new"),
        with_change(&old, "old"),
    ]
    .into_iter()
    .filter(|part| part.num_rows() > 0)
    .collect();
    let mut landing = added.clone();
    landing.extend(&new);
    landing.sort_unstable();
    let rewrite = Rewrite { clear: false, removed, added: vec![take(incoming, &landing)] };
    Ok(Applied { rewrite, delta, added: added.len(), changed: new.len(), unchanged })
}

/// Undoes a delta: rows it added or changed go; the old values come back.
pub(crate) fn undo(table: Table, delta: &RecordBatch) -> Rewrite {
    let changes = delta.column_by_name(CHANGE).expect("delta has _change");
    let changes = changes.as_any().downcast_ref::<StringArray>().expect("utf8");
    let keys = key_hashes(table, delta);
    let removed = (0..delta.num_rows()).filter(|&i| changes.value(i) != "old").map(|i| keys[i]).collect();
    let old: Vec<u32> = (0..delta.num_rows() as u32).filter(|&i| changes.value(i as usize) == "old").collect();
    Rewrite { clear: false, removed, added: vec![take(&without_change(delta), &old)] }
}

/// The rows at `rows` (ascending); all of them without a copy.
fn take(batch: &RecordBatch, rows: &[u32]) -> RecordBatch {
    if rows.len() == batch.num_rows() && rows.windows(2).all(|w| w[0] < w[1]) {
        return batch.clone();
    }
    take_record_batch(batch, &UInt32Array::from(rows.to_vec())).expect("indices in range")
}

/// The batch with every non-key column null.
fn keys_only(table: Table, batch: &RecordBatch) -> RecordBatch {
    let key = table.natural_key();
    canonical_batch(table, batch.num_rows(), |name| {
        key.contains(&name).then(|| batch.column_by_name(name).cloned()).flatten()
    })
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

    /// Orders with only the key and amount filled in.
    fn orders(rows: &[(&str, i64, i128)]) -> RecordBatch {
        let amount_type = yeji_ingest::schema::data_type(yeji_core::ColumnType::Decimal);
        canonical_batch(Table::Orders, rows.len(), |name| -> Option<arrow::array::ArrayRef> {
            match name {
                "order_id" => Some(Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>()))),
                "line_no" => Some(Arc::new(Int64Array::from(rows.iter().map(|r| r.1).collect::<Vec<_>>()))),
                "amount" => Some(Arc::new(
                    Decimal128Array::from(rows.iter().map(|r| r.2).collect::<Vec<_>>())
                        .with_data_type(amount_type.clone()),
                )),
                _ => None,
            }
        })
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

    fn stored(rows: &RecordBatch) -> impl Fn() -> Result<std::vec::IntoIter<Result<RecordBatch>>> + '_ {
        move || Ok(vec![Ok(rows.clone())].into_iter())
    }

    #[test]
    fn same_rows_change_nothing_and_a_changed_row_replaces_the_old_one() {
        let current = orders(&[("O1", 1, 100), ("O1", 2, 200), ("O2", 1, 300)]);
        let again = apply(Table::Orders, stored(&current), &current).unwrap();
        assert_eq!((again.added, again.changed, again.unchanged), (0, 0, 3));
        let incoming = orders(&[("O1", 2, 250), ("O3", 1, 50), ("O2", 1, 300)]);
        let applied = apply(Table::Orders, stored(&current), &incoming).unwrap();
        assert_eq!((applied.added, applied.changed, applied.unchanged), (1, 1, 1));
        let state = applied.rewrite.apply_to(Table::Orders, &current);
        assert_eq!(
            amounts(&state),
            [("O1".into(), 1, 100), ("O1".into(), 2, 250), ("O2".into(), 1, 300), ("O3".into(), 1, 50)]
        );
        let delta = concat_batches(&applied.delta[0].schema(), &applied.delta).unwrap();
        let changes: Vec<&str> = delta.column_by_name(CHANGE).unwrap().as_string::<i32>().iter().flatten().collect();
        assert_eq!(changes, ["added", "new", "old"]);
        // Undoing the delta gives back exactly the rows before.
        assert_eq!(amounts(&undo(Table::Orders, &delta).apply_to(Table::Orders, &state)), amounts(&current));
    }

    #[test]
    fn a_first_import_adds_everything() {
        let incoming = orders(&[("O1", 1, 100), ("O2", 1, 300)]);
        let nothing = || Ok(std::iter::empty());
        let applied = apply(Table::Orders, nothing, &incoming).unwrap();
        assert_eq!((applied.added, applied.changed, applied.unchanged), (2, 0, 0));
        assert_eq!(applied.rewrite.added[0], incoming);
        assert!(applied.delta.is_empty(), "reverting a first import empties the table: no delta needed");
    }
}
