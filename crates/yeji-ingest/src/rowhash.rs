//! Row identity by hashing: a 128-bit hash of a row's natural key and a 64-bit
//! hash of its canonical columns, computed column by column (a few bytes a row,
//! no row materialised). Two rows with the same key hash are taken as the same
//! key (a false match needs a 128-bit collision); equal content hashes as equal
//! rows (about 1 in 2^64).

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Date32Type, Decimal128Type, Int64Type};
use xxhash_rust::xxh3::xxh3_64_with_seed;
use yeji_core::Table;

/// Mixes one value's hash into a row's running hash.
fn mix(row: &mut u64, value: u64) {
    *row = (*row ^ value).wrapping_mul(0x9E37_79B9_7F4A_7C15).rotate_left(29);
}

/// Folds one column into the rows' running hashes; a null hashes apart from
/// every value (an empty string included).
fn hash_column(array: &dyn Array, seed: u64, rows: &mut [u64]) {
    const NULL: u64 = 0x6e75_6c6c_6e75_6c6c;
    let each = |rows: &mut [u64], value: &dyn Fn(usize) -> u64| {
        for (i, row) in rows.iter_mut().enumerate() {
            mix(row, if array.is_null(i) { NULL } else { value(i) });
        }
    };
    match array.data_type() {
        DataType::Utf8 => {
            let strings = array.as_string::<i32>();
            each(rows, &|i| xxh3_64_with_seed(strings.value(i).as_bytes(), seed));
        }
        DataType::Date32 => {
            let values = array.as_primitive::<Date32Type>();
            each(rows, &|i| xxh3_64_with_seed(&values.value(i).to_le_bytes(), seed));
        }
        DataType::Decimal128(_, _) => {
            let values = array.as_primitive::<Decimal128Type>();
            each(rows, &|i| xxh3_64_with_seed(&values.value(i).to_le_bytes(), seed));
        }
        DataType::Int64 => {
            let values = array.as_primitive::<Int64Type>();
            each(rows, &|i| xxh3_64_with_seed(&values.value(i).to_le_bytes(), seed));
        }
        DataType::Boolean => {
            let values = array.as_boolean();
            each(rows, &|i| values.value(i) as u64 + 1);
        }
        other => unreachable!("the contract has no {other} columns"),
    }
}

/// The rows' hashes over `columns`, slices of a million rows on every core.
fn hash_rows(batch: &RecordBatch, columns: &[&str], seed: u64) -> Vec<u64> {
    hash_rows_in_slices(batch, columns, seed, 1 << 20)
}

fn hash_rows_in_slices(batch: &RecordBatch, columns: &[&str], seed: u64, slice: usize) -> Vec<u64> {
    let rows = batch.num_rows();
    let slices: Vec<RecordBatch> = (0..rows).step_by(slice).map(|at| batch.slice(at, slice.min(rows - at))).collect();
    let hashed = crate::parallel::map(slices, |slice| {
        let mut rows = vec![seed; slice.num_rows()];
        for (position, name) in columns.iter().enumerate() {
            let column = slice.column_by_name(name).expect("contract column");
            hash_column(column.as_ref(), seed.wrapping_add(position as u64), &mut rows);
        }
        rows
    });
    hashed.concat()
}

/// One hash per row over the table's natural key.
pub fn key_hashes(table: Table, batch: &RecordBatch) -> Vec<u128> {
    let low = hash_rows(batch, table.natural_key(), 0x0123_4567);
    let high = hash_rows(batch, table.natural_key(), 0x89ab_cdef);
    low.into_iter().zip(high).map(|(l, h)| (h as u128) << 64 | l as u128).collect()
}

/// One hash per row over the table's contract columns (derived ones excluded).
pub fn content_hashes(table: Table, batch: &RecordBatch) -> Vec<u64> {
    let columns: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    hash_rows(batch, &columns, 0x5eed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::canonical_batch;
    use arrow::array::{ArrayRef, Int64Array, StringArray};
    use std::sync::Arc;

    fn orders(rows: &[(Option<&str>, i64)]) -> RecordBatch {
        canonical_batch(Table::Orders, rows.len(), |name| -> Option<ArrayRef> {
            match name {
                "order_id" => Some(Arc::new(StringArray::from(rows.iter().map(|r| r.0).collect::<Vec<_>>()))),
                "line_no" => Some(Arc::new(Int64Array::from(rows.iter().map(|r| r.1).collect::<Vec<_>>()))),
                _ => None,
            }
        })
    }

    #[test]
    fn equal_keys_hash_equal_and_nulls_differ_from_empty_strings() {
        let batch =
            orders(&[(Some("O1"), 1), (Some("O1"), 2), (Some("O1"), 1), (Some(""), 1), (None, 1), (Some("O11"), 1)]);
        let keys = key_hashes(Table::Orders, &batch);
        assert_eq!(keys[0], keys[2]);
        assert_ne!(keys[0], keys[1]);
        assert_ne!(keys[3], keys[4]);
        assert_ne!(keys[0], keys[5]);
        let contents = content_hashes(Table::Orders, &batch);
        assert_eq!(contents[0], contents[2]);
        assert_ne!(contents[0], contents[1]);
    }

    #[test]
    fn hashes_do_not_depend_on_how_the_rows_are_sliced_over_the_cores() {
        // Row i is (O{i mod 4}, line i mod 3): rows 0 and 12 are both (O0, 0).
        let ids: Vec<String> = (0..13).map(|i| format!("O{}", i % 4)).collect();
        let rows: Vec<(Option<&str>, i64)> =
            ids.iter().enumerate().map(|(i, id)| (Some(id.as_str()), i as i64 % 3)).collect();
        let batch = orders(&rows);
        let columns = Table::Orders.natural_key();
        let whole = hash_rows_in_slices(&batch, columns, 7, rows.len());
        for slice in [1, 3, 5] {
            assert_eq!(hash_rows_in_slices(&batch, columns, 7, slice), whole);
        }
        assert_eq!(whole[0], whole[12]);
        assert_ne!(whole[0], whole[4]);
    }
}
