//! Reading and writing a table's Parquet files, and the columns derived on
//! write: the unit each row's rep belonged to on the credit date, and an order
//! line's cost when the file left it out (quantity × the product's unit cost).

use rustc_hash::FxHashMap as HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow::array::{
    Array, AsArray, BooleanArray, Decimal128Array, RecordBatch, RecordBatchReader, StringArray, UInt32Array,
};
use arrow::buffer::BooleanBuffer;
use arrow::compute::{concat_batches, take_record_batch};
use arrow::datatypes::{Date32Type, Decimal128Type, SchemaRef};
use chrono::Datelike;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_writer::{ArrowColumnWriter, ArrowRowGroupWriterFactory, compute_leaves};
use parquet::arrow::{ArrowSchemaConverter, add_encoded_arrow_schema_to_metadata};
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use yeji_core::Table;
use yeji_ingest::schema::{canonical_batch, stored_schema};

use crate::changes::Rewrite;
use crate::first_lines::{self, FirstLines};
use crate::paid::{self, Paid};
use crate::{FactsError, Result};

fn facts_error(path: &Path, detail: impl std::fmt::Display) -> FactsError {
    FactsError::Files { path: path.display().to_string(), detail: detail.to_string() }
}

/// Reads a whole Parquet file as one batch of `schema`.
pub(crate) fn read(path: &Path, schema: SchemaRef) -> Result<RecordBatch> {
    let file = File::open(path).map_err(|e| FactsError::io(path, e))?;
    let reader = ParquetRecordBatchReaderBuilder::try_new(file)
        .and_then(|b| b.with_batch_size(1 << 16).build())
        .map_err(|e| facts_error(path, e))?;
    let batches: Vec<RecordBatch> = reader.collect::<std::result::Result<_, _>>().map_err(|e| facts_error(path, e))?;
    let batch = concat_batches(&schema, &batches).map_err(|e| facts_error(path, e))?;
    Ok(batch)
}

/// Reads only the named columns.
pub(crate) fn read_columns(path: &Path, columns: &[&str]) -> Result<RecordBatch> {
    let reader = projected(path, columns)?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.collect::<std::result::Result<_, _>>().map_err(|e| facts_error(path, e))?;
    concat_batches(&schema, &batches).map_err(|e| facts_error(path, e))
}

fn projected(path: &Path, columns: &[&str]) -> Result<parquet::arrow::arrow_reader::ParquetRecordBatchReader> {
    let file = File::open(path).map_err(|e| FactsError::io(path, e))?;
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| facts_error(path, e))?;
    let indices: Vec<usize> = columns
        .iter()
        .map(|c| builder.schema().index_of(c).map_err(|e| facts_error(path, e)))
        .collect::<Result<_>>()?;
    let mask = parquet::arrow::ProjectionMask::roots(builder.parquet_schema(), indices);
    builder.with_projection(mask).with_batch_size(1 << 16).build().map_err(|e| facts_error(path, e))
}

/// Streams the named columns of a Parquet file in batches.
pub(crate) fn stream(path: &Path, columns: &[&str]) -> Result<impl Iterator<Item = Result<RecordBatch>> + use<>> {
    let reader = projected(path, columns)?;
    let path = path.to_owned();
    Ok(reader.map(move |batch| batch.map_err(|e| facts_error(&path, e))))
}

/// Writes the parts of one table (one schema, at least one part) to `path`.
pub(crate) fn write(path: &Path, parts: &[RecordBatch]) -> Result<()> {
    write_batches(path, parts[0].schema(), parts.iter().cloned().map(Ok))
}

/// The rows of a table's `stored` file that `rewrite` keeps (only `columns`), streamed.
fn kept_rows<'a>(
    table: Table,
    stored: Option<&Path>,
    rewrite: &'a Rewrite,
    columns: &[&str],
) -> Result<Box<dyn Iterator<Item = Result<RecordBatch>> + 'a>> {
    Ok(match stored {
        Some(stored) => Box::new(stream(stored, columns)?.map(move |rows| rows.map(|rows| rewrite.keep(table, &rows)))),
        None => Box::new(std::iter::empty()),
    })
}

/// What the derived columns of a table's rows are computed from, besides the
/// rows themselves: the reps' history, and the payments as they will be (the
/// stored file and the rewrite applied to it).
pub(crate) struct Sources<'a> {
    pub org: yeji_core::Org,
    pub payments: (Option<PathBuf>, &'a Rewrite),
}

/// Writes a table's new version to `path`: the rows of `stored` that the
/// rewrite keeps, then its added rows by month of their credit date, each with
/// its derived columns recomputed.
pub(crate) fn write_version(
    path: &Path,
    table: Table,
    stored: Option<&Path>,
    rewrite: &Rewrite,
    sources: &Sources,
) -> Result<usize> {
    let kept = |columns: &[&str]| kept_rows(table, stored, rewrite, columns);
    let paid = match table {
        Table::Invoices => paid(&sources.payments)?,
        _ => Paid::default(),
    };
    let marks = match table {
        Table::Orders => Some(first_line_marks(kept(&first_lines::COLUMNS)?, &rewrite.added)?),
        _ => None,
    };
    let marks_at = |start: usize, rows: &RecordBatch| marks.as_ref().map(|m| m.slice(start, rows.num_rows()));
    let reps = &sources.org;
    // The added rows come after the kept ones, in the marks as in the file.
    let start = marks.as_ref().map_or(0, |m| m.len() - rewrite.added.iter().map(RecordBatch::num_rows).sum::<usize>());
    // Derived over the cores, a row group's worth of rows at a time.
    let added = yeji_ingest::parallel::map(slices(&rewrite.added, ROW_GROUP, start), |(start, rows)| {
        with_derived_columns(table, &rows, reps, marks_at(start, &rows), &paid)
    });
    let columns: Vec<&str> = table.columns().iter().map(|c| c.name).collect();
    let position = std::cell::Cell::new(0);
    let kept = kept(&columns)?.map(|rows| {
        rows.map(|rows| {
            let start = position.replace(position.get() + rows.num_rows());
            with_derived_columns(table, &rows, reps, marks_at(start, &rows), &paid)
        })
    });
    let rows = std::cell::Cell::new(0);
    let all = kept.chain(by_credit_date(table, added).map(Ok)).inspect(|batch| {
        if let Ok(batch) = batch {
            rows.set(rows.get() + batch.num_rows());
        }
    });
    write_batches(path, stored_schema(table), all)?;
    Ok(rows.get())
}

/// `parts` cut into slices of at most `size` rows, each with the position of
/// its first row, counting from `start`.
pub(crate) fn slices(parts: &[RecordBatch], size: usize, mut start: usize) -> Vec<(usize, RecordBatch)> {
    let mut slices = Vec::new();
    for part in parts {
        for at in (0..part.num_rows()).step_by(size) {
            let rows = size.min(part.num_rows() - at);
            slices.push((start, part.slice(at, rows)));
            start += rows;
        }
    }
    slices
}

/// What was paid on each invoice by the payments as they will be.
fn paid((stored, rewrite): &(Option<PathBuf>, &Rewrite)) -> Result<Paid> {
    let mut paid = Paid::default();
    let added = rewrite.added.iter().cloned().map(Ok);
    for rows in kept_rows(Table::Payments, stored.as_deref(), rewrite, &paid::COLUMNS)?.chain(added) {
        paid.see(&rows?);
    }
    Ok(paid)
}

/// Marks each customer's first line among the `kept` order lines, then the
/// `added` ones, by position in that order (the order they are written in).
fn first_line_marks(kept: impl Iterator<Item = Result<RecordBatch>>, added: &[RecordBatch]) -> Result<BooleanBuffer> {
    let mut first_lines = FirstLines::default();
    for rows in kept {
        first_lines.see(&rows?);
    }
    first_lines.see_all(added);
    Ok(first_lines.marks())
}

/// Rows put in month order at a time: their columns stay in the caches.
const STRETCH: usize = 1 << 14;

/// Rows copied in month order at a time, at most (unless one month has more).
const WAVE: usize = 2 * ROW_GROUP;

/// `parts` (one schema) grouped by the month of the table's credit date, months
/// in order (no date first), rows of a month in the order given: each row
/// group of a fact file then spans a short stretch of time, and a query of a
/// period skips the others by their statistics (on 10M lines over three
/// years, an evaluation of a quarter reads ~¼ of the order lines).
///
/// A gather across the whole table would miss the caches on every row, so
/// each stretch of rows is put in month order by itself, and each month takes
/// its run from every stretch. Months are copied a wave of them at a time,
/// which bounds the memory. Parts already in order, as files often are, are
/// passed through.
fn by_credit_date(table: Table, parts: Vec<RecordBatch>) -> Box<dyn Iterator<Item = RecordBatch>> {
    match table.credit_date() {
        // Invoices are read by due date and whole (overdue amounts reach back
        // to the first): no row group would be skipped.
        Some(column) if table != Table::Invoices => by_month(parts, column, WAVE),
        _ => Box::new(parts.into_iter()),
    }
}

/// [`by_credit_date`] on `column`, in waves of `wave_size` rows.
fn by_month(parts: Vec<RecordBatch>, column: &str, wave_size: usize) -> Box<dyn Iterator<Item = RecordBatch>> {
    let stretches: Vec<(RecordBatch, Vec<u32>)> = slices(&parts, STRETCH, 0)
        .into_iter()
        .map(|(_, stretch)| (stretch.clone(), months(&stretch, column)))
        .collect();
    if stretches.iter().flat_map(|(_, months)| months).is_sorted() {
        return Box::new(parts.into_iter());
    }
    let mut rows_by_month = std::collections::BTreeMap::<u32, usize>::new();
    stretches.iter().flat_map(|(_, months)| months).for_each(|&month| *rows_by_month.entry(month).or_default() += 1);
    let mut waves: Vec<Vec<u32>> = vec![Vec::new()];
    let mut wave_rows = 0;
    for (month, rows) in rows_by_month {
        if wave_rows > 0 && wave_rows + rows > wave_size {
            waves.push(Vec::new());
            wave_rows = 0;
        }
        waves.last_mut().expect("a wave").push(month);
        wave_rows += rows;
    }
    // Each stretch's rows in month order (as given within a month), and
    // their months in that order.
    let stretches = yeji_ingest::parallel::map(stretches, |(stretch, months)| {
        let mut order: Vec<u32> = (0..stretch.num_rows() as u32).collect();
        order.sort_by_key(|&row| months[row as usize]);
        let months: Vec<u32> = order.iter().map(|&row| months[row as usize]).collect();
        (stretch, order, months)
    });
    // The rows of `months` (in order) from `first` to `last`.
    let between = |months: &[u32], first: u32, last: u32| {
        months.partition_point(|&m| m < first)..months.partition_point(|&m| m <= last)
    };
    Box::new(waves.into_iter().flat_map(move |wave| {
        let (first, last) = (wave[0], wave[wave.len() - 1]);
        let taken = yeji_ingest::parallel::map(stretches.iter().collect(), |(stretch, order, months)| {
            let rows = between(months, first, last);
            let indices = UInt32Array::from(order[rows.clone()].to_vec());
            (take_record_batch(stretch, &indices).expect("rows of the stretch"), &months[rows])
        });
        let runs_of = |month: u32| {
            taken.iter().map(move |(rows, months)| {
                let run = between(months, month, month);
                rows.slice(run.start, run.len())
            })
        };
        wave.iter().flat_map(|&month| runs_of(month)).filter(|rows| rows.num_rows() > 0).collect::<Vec<_>>()
    }))
}

/// Each row's month of `column`, order-preserving, 0 for none.
fn months(rows: &RecordBatch, column: &str) -> Vec<u32> {
    let dates = rows.column_by_name(column).expect("credit date").as_primitive::<Date32Type>();
    (0..rows.num_rows())
        .map(|row| match dates.is_valid(row).then(|| Date32Type::to_naive_date_opt(dates.value(row))).flatten() {
            Some(date) => (date.year() * 12 + date.month0() as i32) as u32 ^ 1 << 31,
            None => 0,
        })
        .collect()
}

/// Rows in one Parquet row group.
const ROW_GROUP: usize = 1 << 20;

/// Writes batches to `path` durably: a temporary name, fsync, then rename.
/// Each row group's columns are encoded on every core.
fn write_batches(path: &Path, schema: SchemaRef, batches: impl Iterator<Item = Result<RecordBatch>>) -> Result<()> {
    let dir = path.parent().expect("fact files live in a folder");
    std::fs::create_dir_all(dir).map_err(|e| FactsError::io(dir, e))?;
    let temporary = path.with_extension("parquet.tmp");
    let file = File::create(&temporary).map_err(|e| FactsError::io(&temporary, e))?;
    let error = |e: parquet::errors::ParquetError| facts_error(path, e);
    let mut properties = WriterProperties::builder()
        // LZ4 decodes several times faster than zstd, and evaluations read
        // the files over and over; the files are ~40 % larger (10M lines:
        // 300 MB vs 209 MB, DuckDB's file 410 MB). Files written with zstd
        // by earlier versions are still read.
        .set_compression(Compression::LZ4_RAW)
        .build();
    // Readers get the Arrow types back exactly, as ArrowWriter would record them.
    add_encoded_arrow_schema_to_metadata(&schema, &mut properties);
    let properties = Arc::new(properties);
    let parquet_schema =
        ArrowSchemaConverter::new().with_coerce_types(properties.coerce_types()).convert(&schema).map_err(error)?;
    let mut writer = SerializedFileWriter::new(file, parquet_schema.root_schema_ptr(), properties).map_err(error)?;
    let factory = ArrowRowGroupWriterFactory::new(&writer, schema.clone());
    let (mut pending, mut rows, mut groups) = (Vec::new(), 0, 0);
    for batch in batches {
        let batch = batch?;
        rows += batch.num_rows();
        pending.push(batch);
        if rows >= ROW_GROUP {
            write_row_group(&mut writer, &factory, groups, &schema, &std::mem::take(&mut pending)).map_err(error)?;
            (rows, groups) = (0, groups + 1);
        }
    }
    if rows > 0 || groups == 0 {
        write_row_group(&mut writer, &factory, groups, &schema, &pending).map_err(error)?;
    }
    let file = writer.into_inner().map_err(error)?;
    file.sync_all().map_err(|e| FactsError::io(&temporary, e))?;
    std::fs::rename(&temporary, path).map_err(|e| FactsError::io(path, e))?;
    Ok(())
}

/// Encodes one row group, its columns spread over the cores.
fn write_row_group(
    writer: &mut SerializedFileWriter<File>,
    factory: &ArrowRowGroupWriterFactory,
    index: usize,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> parquet::errors::Result<()> {
    let columns: Vec<(usize, ArrowColumnWriter)> =
        factory.create_column_writers(index)?.into_iter().enumerate().collect();
    let chunks = yeji_ingest::parallel::map(columns, |(position, mut column)| {
        let field = &schema.fields()[position];
        for batch in batches {
            for leaf in compute_leaves(field, batch.column(position))? {
                column.write(&leaf)?;
            }
        }
        column.close()
    });
    let mut row_group = writer.next_row_group()?;
    for chunk in chunks {
        chunk?.append_to_row_group(&mut row_group)?;
    }
    row_group.close()?;
    Ok(())
}

/// An empty table of its stored schema.
pub(crate) fn empty(table: Table) -> RecordBatch {
    RecordBatch::new_empty(stored_schema(table))
}

/// Adds (or recomputes) the derived columns of a table's rows: the credited
/// unit of every row of a table with a credit date, for orders the marks of
/// the customers' first lines (`first_lines`, one per row), for invoices what
/// was `paid` on them.
pub(crate) fn with_derived_columns(
    table: Table,
    rows: &RecordBatch,
    reps: &yeji_core::Org,
    first_lines: Option<BooleanBuffer>,
    paid: &Paid,
) -> RecordBatch {
    let schema = stored_schema(table);
    let Some(date_column) = table.credit_date() else {
        return rows.clone();
    };
    let count = rows.num_rows();
    let mut columns = canonical_batch(table, count, |name| rows.column_by_name(name).cloned()).columns().to_vec();
    let reps_column = rows.column_by_name("rep_id").expect("credit tables have rep_id").as_string::<i32>();
    let dates = rows.column_by_name(date_column).expect("credit date").as_primitive::<Date32Type>();
    let units: StringArray = (0..count)
        .map(|row| {
            let day = dates.is_valid(row).then(|| Date32Type::to_naive_date_opt(dates.value(row))).flatten();
            reps_column.is_valid(row).then(|| reps.rep_unit_on(reps_column.value(row), day)).flatten()
        })
        .collect();
    columns.push(Arc::new(units));
    if let Some(marks) = first_lines {
        columns.push(Arc::new(BooleanArray::new(marks, None)));
    }
    if table == Table::Invoices {
        columns.extend(paid.columns(rows));
    }
    RecordBatch::try_new(schema, columns).expect("stored schema")
}

/// Fills an order line's missing cost with quantity × the product's unit cost.
pub(crate) fn with_default_costs(orders: &RecordBatch, products: &RecordBatch) -> RecordBatch {
    let cost_index = orders.schema().index_of("cost").expect("orders.cost");
    let costs = orders.column(cost_index).as_primitive::<Decimal128Type>();
    if costs.null_count() == 0 || products.num_rows() == 0 {
        return orders.clone();
    }
    let product_ids = products.column_by_name("product_id").expect("product_id").as_string::<i32>();
    let unit_costs = products.column_by_name("unit_cost").expect("unit_cost").as_primitive::<Decimal128Type>();
    let unit_cost: HashMap<&str, i128> = (0..products.num_rows())
        .filter(|&i| unit_costs.is_valid(i))
        .map(|i| (product_ids.value(i), unit_costs.value(i)))
        .collect();
    let order_products = orders.column_by_name("product_id").expect("product_id").as_string::<i32>();
    let quantities = orders.column_by_name("quantity").expect("quantity").as_primitive::<Decimal128Type>();
    let scale = 10i128.pow(yeji_core::value::DECIMAL_SCALE);
    let filled: Decimal128Array = (0..orders.num_rows())
        .map(|row| {
            if costs.is_valid(row) {
                return Some(costs.value(row));
            }
            let cost = unit_cost.get(order_products.value(row))?;
            // Both are scaled by 10^4: the product is scaled by 10^8; round half away from zero.
            let product = quantities.value(row) * cost;
            let half = if product >= 0 { scale / 2 } else { -scale / 2 };
            Some((product + half) / scale)
        })
        .collect::<Decimal128Array>()
        .with_data_type(costs.data_type().clone());
    let mut columns = orders.columns().to_vec();
    columns[cost_index] = Arc::new(filled);
    RecordBatch::try_new(orders.schema(), columns).expect("same schema")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A day as Arrow's Date32 holds it (days since 1970-01-01).
    pub(crate) fn day(s: &str) -> i32 {
        let date: chrono::NaiveDate = s.parse().unwrap();
        (date - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).unwrap()).num_days() as i32
    }

    #[test]
    fn added_rows_are_written_by_month_of_their_credit_date_none_first_rows_of_a_month_as_given() {
        use arrow::array::{ArrayRef, Date32Array, Int64Array};
        let part = |days: Vec<Option<i32>>, ids: Vec<i64>| {
            RecordBatch::try_from_iter([
                ("date", Arc::new(Date32Array::from(days)) as ArrayRef),
                ("id", Arc::new(Int64Array::from(ids))),
            ])
            .unwrap()
        };
        let ids = |batches: Vec<RecordBatch>| -> Vec<i64> {
            batches
                .iter()
                .flat_map(|b| b.column(1).as_primitive::<arrow::datatypes::Int64Type>().values().to_vec())
                .collect()
        };
        let (jan, jan_3, feb) = (day("2026-01-31"), day("2026-01-03"), day("2026-02-01"));
        let parts =
            [part(vec![Some(feb), None, Some(jan)], vec![0, 1, 2]), part(vec![Some(jan_3), Some(-1)], vec![3, 4])];
        // Activities are credited on `date`: none, 1969-12, 2026-01 (ids 2 then
        // 3, as given, though 3 is the earlier day), 2026-02.
        assert_eq!(ids(by_credit_date(Table::Activities, parts.to_vec()).collect()), [1, 4, 2, 3, 0]);
        // Parts already in order are the very batches given.
        let sorted = [part(vec![None, Some(jan)], vec![0, 1]), part(vec![Some(jan_3), Some(feb)], vec![2, 3])];
        let passed: Vec<RecordBatch> = by_credit_date(Table::Activities, sorted.to_vec()).collect();
        assert_eq!(passed, sorted);
        // Copied a month at a time, the same rows in the same order.
        assert_eq!(ids(by_month(parts.to_vec(), "date", 1).collect()), [1, 4, 2, 3, 0]);
        // Tables credited to no date (reps), and invoices, are left as they are.
        assert_eq!(ids(by_credit_date(Table::Reps, parts.to_vec()).collect()), [0, 1, 2, 3, 4]);
        let invoices = [part(vec![Some(feb), Some(jan)], vec![0, 1])];
        assert_eq!(ids(by_credit_date(Table::Invoices, invoices.to_vec()).collect()), [0, 1]);
    }

    #[test]
    fn facts_are_written_with_lz4_and_files_of_earlier_versions_in_zstd_still_read() {
        use arrow::array::{Int64Array, StringArray};
        let dir = tempfile::tempdir().unwrap();
        let batch = RecordBatch::try_from_iter([
            ("id", Arc::new(StringArray::from(vec!["K1", "客户2"])) as arrow::array::ArrayRef),
            ("n", Arc::new(Int64Array::from(vec![7, -3]))),
        ])
        .unwrap();
        let codec = |path: &Path| {
            let reader = parquet::file::reader::SerializedFileReader::new(File::open(path).unwrap()).unwrap();
            parquet::file::reader::FileReader::metadata(&reader).row_group(0).column(0).compression()
        };
        let lz4 = dir.path().join("lz4.parquet");
        write(&lz4, std::slice::from_ref(&batch)).unwrap();
        assert_eq!(codec(&lz4), Compression::LZ4_RAW);
        assert_eq!(read(&lz4, batch.schema()).unwrap(), batch);
        let zstd = dir.path().join("zstd.parquet");
        let properties = WriterProperties::builder().set_compression(Compression::ZSTD(Default::default())).build();
        let mut writer =
            parquet::arrow::ArrowWriter::try_new(File::create(&zstd).unwrap(), batch.schema(), Some(properties))
                .unwrap();
        writer.write(&batch).unwrap();
        writer.close().unwrap();
        assert!(matches!(codec(&zstd), Compression::ZSTD(_)));
        assert_eq!(read(&zstd, batch.schema()).unwrap(), batch);
    }
}
