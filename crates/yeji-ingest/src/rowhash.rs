//! Row identity by hashing: a 128-bit hash of a row's natural key and a 64-bit
//! hash of its canonical columns, computed from Arrow's row format in chunks so
//! memory stays a few bytes a row even for tens of millions of rows. Two rows
//! with the same key hash are taken as the same key (a false match needs a
//! 128-bit collision); equal content hashes as equal rows (about 1 in 2^64).

use arrow::array::{ArrayRef, RecordBatch};
use arrow::row::{RowConverter, SortField};
use xxhash_rust::xxh3::{xxh3_64, xxh3_128};
use yeji_core::Table;

const CHUNK: usize = 1 << 16;

/// Hashes every row of `batch` over `columns` with `hash` applied to the row bytes.
fn hash_rows<T>(batch: &RecordBatch, columns: &[&str], hash: fn(&[u8]) -> T) -> Vec<T> {
    let indices: Vec<usize> = columns.iter().map(|c| batch.schema().index_of(c).expect("contract column")).collect();
    let fields = indices.iter().map(|&i| SortField::new(batch.column(i).data_type().clone())).collect();
    let converter = RowConverter::new(fields).expect("sortable types");
    let mut out = Vec::with_capacity(batch.num_rows());
    let mut start = 0;
    while start < batch.num_rows() {
        let length = CHUNK.min(batch.num_rows() - start);
        let arrays: Vec<ArrayRef> = indices.iter().map(|&i| batch.column(i).slice(start, length)).collect();
        let rows = converter.convert_columns(&arrays).expect("columns match fields");
        out.extend(rows.iter().map(|row| hash(row.as_ref())));
        start += length;
    }
    out
}

/// One hash per row over the table's natural key.
pub fn key_hashes(table: Table, batch: &RecordBatch) -> Vec<u128> {
    hash_rows(batch, table.natural_key(), xxh3_128)
}

/// One hash per row over the table's contract columns (derived ones excluded).
pub fn content_hashes(table: Table, batch: &RecordBatch) -> Vec<u64> {
    let columns: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    hash_rows(batch, &columns, xxh3_64)
}
