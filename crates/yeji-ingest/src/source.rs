//! Finding the tables among files and reading each file's rows: CSV in UTF-8,
//! UTF-8 with BOM or GBK, and XLSX workbooks whose sheets are named like tables.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use calamine::{Data, Reader, Xlsx, open_workbook};
use yeji_core::Table;

use crate::mapping::resolve;
use crate::rows::RowSink;
use crate::{IngestError, Parsed, ReadOptions};

/// Bytes sniffed to tell UTF-8 from GBK.
const SNIFF_BYTES: usize = 1 << 20;
/// Rows read before the columns are sized for the whole file.
const SAMPLE_ROWS: u64 = 4096;
/// Rows between two progress reports.
const PROGRESS_EVERY: u64 = 1 << 16;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Gbk,
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" | "utf-8-sig" => Ok(Encoding::Utf8),
            "gbk" | "gb2312" | "gb18030" | "cp936" => Ok(Encoding::Gbk),
            other => Err(format!("unknown encoding '{other}' (expected utf-8 or gbk)")),
        }
    }
}

impl Encoding {
    fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "UTF-8",
            Encoding::Gbk => "GBK",
        }
    }
}

/// One table's rows in one file (a CSV file, or one sheet of a workbook).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Source {
    pub path: PathBuf,
    pub table: Table,
    pub sheet: Option<String>,
    /// A byte range of a large CSV file, read on its own core ([`split_large`]).
    pub part: Option<Part>,
}

/// Lines `first_line`.. of a CSV file, from byte `start` (a line's start) to `end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Part {
    pub start: u64,
    pub end: u64,
    pub first_line: u64,
}

/// Files above this size are read in parts, one per core.
const SPLIT_BYTES: u64 = 64 << 20;

/// Splits each large UTF-8 CSV file without quotes into `parts` line-aligned
/// byte ranges, so one file is read on every core. A file with a quote may hold
/// a line break inside a field, so it is read whole.
pub fn split_large(sources: Vec<Source>, parts: usize, options: &ReadOptions) -> Result<Vec<Source>, IngestError> {
    let mut out = Vec::new();
    for source in sources {
        let size = std::fs::metadata(&source.path).map(|m| m.len()).unwrap_or(0);
        let splittable = parts > 1
            && source.sheet.is_none()
            && size > SPLIT_BYTES
            && options.encoding != Some(Encoding::Gbk)
            && detect_encoding(&source.path)? == Encoding::Utf8;
        match splittable.then(|| line_ranges(&source.path, size, parts)).transpose()?.flatten() {
            Some(ranges) => out.extend(ranges.into_iter().map(|part| Source { part: Some(part), ..source.clone() })),
            None => out.push(source),
        }
    }
    Ok(out)
}

/// Line-aligned ranges after the header, or `None` when the file has a quote.
fn line_ranges(path: &Path, size: u64, parts: usize) -> Result<Option<Vec<Part>>, IngestError> {
    let mut file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let mut buffer = vec![0u8; 4 << 20];
    let targets: Vec<u64> = (1..parts as u64).map(|k| size * k / parts as u64).collect();
    // (byte where a line starts, its line number): the first data line, then one per target.
    let mut cuts: Vec<(u64, u64)> = Vec::new();
    let (mut offset, mut newlines) = (0u64, 0u64);
    loop {
        let read = file.read(&mut buffer).map_err(|e| IngestError::io(path, e))?;
        if read == 0 {
            break;
        }
        let block = &buffer[..read];
        if memchr::memchr(b'"', block).is_some() {
            return Ok(None);
        }
        for index in memchr::memchr_iter(b'\n', block) {
            newlines += 1;
            let line_start = offset + index as u64 + 1;
            let wanted = if cuts.is_empty() { Some(0) } else { targets.get(cuts.len() - 1).copied() };
            if wanted.is_some_and(|target| line_start > target) && line_start < size {
                cuts.push((line_start, newlines + 1));
            }
        }
        offset += read as u64;
    }
    if cuts.is_empty() {
        return Ok(None);
    }
    let ends = cuts.iter().skip(1).map(|(start, _)| *start).chain([size]);
    Ok(Some(cuts.iter().zip(ends).map(|(&(start, first_line), end)| Part { start, end, first_line }).collect()))
}

impl Source {
    /// How reports name this source: `orders.csv` or `book.xlsx#orders`.
    pub fn label(&self) -> String {
        let name = self.path.display().to_string();
        match &self.sheet {
            Some(sheet) => format!("{name}#{sheet}"),
            None => name,
        }
    }
}

/// The table a file stem names: `orders`, `订单`, or `orders_2026-01`.
fn table_of_stem(stem: &str) -> Option<Table> {
    Table::from_name(stem).or_else(|| {
        Table::ALL
            .into_iter()
            .find(|t| stem.strip_prefix(t.name()).is_some_and(|rest| rest.starts_with(['_', '-', '.', ' '])))
    })
}

fn extension(path: &Path) -> String {
    path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase()
}

/// Finds the canonical tables in `paths`: files named like a table, and workbooks'
/// sheets named like one. In a folder other files are passed over; a file named
/// on its own must be a table. Sources come in import order.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<Source>, IngestError> {
    let mut sources = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(|e| IngestError::io(path, e))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.is_file())
                .collect();
            entries.sort();
            for entry in entries {
                sources.extend(sources_of_file(&entry, false)?);
            }
        } else {
            sources.extend(sources_of_file(path, true)?);
        }
    }
    sources.sort_by(|a, b| (a.table, &a.path, &a.sheet).cmp(&(b.table, &b.path, &b.sheet)));
    Ok(sources)
}

fn sources_of_file(path: &Path, named: bool) -> Result<Vec<Source>, IngestError> {
    let expected = || Table::ALL.map(|t| t.name()).join(", ");
    match extension(path).as_str() {
        "csv" | "txt" | "tsv" => {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            match table_of_stem(stem) {
                Some(table) => Ok(vec![Source { path: path.to_owned(), table, sheet: None, part: None }]),
                None if named => {
                    Err(IngestError::UnknownTable { path: path.display().to_string(), expected: expected() })
                }
                None => Ok(vec![]),
            }
        }
        "xlsx" | "xlsm" => {
            let workbook: Xlsx<_> = open_workbook(path).map_err(|e| workbook_error(path, e))?;
            let sheets: Vec<Source> = workbook
                .sheet_names()
                .into_iter()
                .filter_map(|sheet| {
                    table_of_stem(&sheet).map(|table| Source {
                        path: path.to_owned(),
                        table,
                        sheet: Some(sheet),
                        part: None,
                    })
                })
                .collect();
            if sheets.is_empty() && named {
                return Err(IngestError::UnknownTable {
                    path: format!("{} (its sheets)", path.display()),
                    expected: expected(),
                });
            }
            Ok(sheets)
        }
        _ if named => Err(IngestError::UnsupportedFile { path: path.display().to_string() }),
        _ => Ok(vec![]),
    }
}

fn workbook_error(path: &Path, error: impl std::fmt::Display) -> IngestError {
    IngestError::Workbook { path: path.display().to_string(), detail: format!("cannot read the workbook: {error}") }
}

/// Reads and checks every row of one source. `progress` receives the bytes (CSV)
/// or rows (XLSX) read so far.
pub fn read_source(source: &Source, options: &ReadOptions, progress: &dyn Fn(u64)) -> Result<Parsed, IngestError> {
    match &source.sheet {
        Some(sheet) => read_sheet(source, sheet, options, progress),
        None => read_csv(source, options, progress),
    }
}

fn detect_encoding(path: &Path) -> Result<Encoding, IngestError> {
    let mut sample = Vec::with_capacity(SNIFF_BYTES);
    File::open(path)
        .map_err(|e| IngestError::io(path, e))?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut sample)
        .map_err(|e| IngestError::io(path, e))?;
    match std::str::from_utf8(&sample) {
        Ok(_) => Ok(Encoding::Utf8),
        // A multi-byte character cut at the end of the sample is still UTF-8.
        Err(e) if e.error_len().is_none() => Ok(Encoding::Utf8),
        Err(e) => {
            let (_, had_errors) = encoding_rs::GBK.decode_without_bom_handling(&sample);
            if had_errors {
                Err(IngestError::Encoding {
                    path: path.display().to_string(),
                    encoding: "UTF-8 or GBK",
                    offset: e.valid_up_to() as u64,
                })
            } else {
                Ok(Encoding::Gbk)
            }
        }
    }
}

fn read_csv(source: &Source, options: &ReadOptions, progress: &dyn Fn(u64)) -> Result<Parsed, IngestError> {
    let path = &source.path;
    let label = source.label();
    let encoding = match options.encoding {
        Some(encoding) => encoding,
        None => detect_encoding(path)?,
    };
    let file = File::open(path).map_err(|e| IngestError::io(path, e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    if size == 0 {
        return Err(IngestError::Empty { path: label });
    }
    let input: Box<dyn Read> = match encoding {
        Encoding::Utf8 => Box::new(file),
        Encoding::Gbk => {
            Box::new(encoding_rs_io::DecodeReaderBytesBuilder::new().encoding(Some(encoding_rs::GBK)).build(file))
        }
    };
    let delimiter = if extension(path) == "tsv" { b'\t' } else { b',' };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, input));
    let mut record = csv::ByteRecord::new();
    let csv_error = |e: csv::Error| match e.kind() {
        csv::ErrorKind::Io(_) => IngestError::Io { path: label.clone(), source: std::io::Error::other(e.to_string()) },
        _ => {
            IngestError::Csv { path: label.clone(), line: e.position().map_or(0, |p| p.line()), detail: e.to_string() }
        }
    };
    let utf8 = |record: &csv::ByteRecord| -> Result<Vec<String>, IngestError> {
        record
            .iter()
            .map(|field| {
                std::str::from_utf8(field).map(str::to_owned).map_err(|_| IngestError::Encoding {
                    path: label.clone(),
                    encoding: encoding.name(),
                    offset: record.position().map_or(0, |p| p.byte()),
                })
            })
            .collect()
    };
    if !reader.read_byte_record(&mut record).map_err(csv_error)? {
        return Err(IngestError::Empty { path: label });
    }
    let headers = resolve(source.table, &utf8(&record)?, &options.mapping, &label)?;
    let mut sink = RowSink::new(source.table, headers, options, label.clone());
    // A part reads its own byte range, after the header the whole file shares.
    let mut line_offset = 0;
    if let Some(part) = source.part {
        let mut file = File::open(path).map_err(|e| IngestError::io(path, e))?;
        std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(part.start)).map_err(|e| IngestError::io(path, e))?;
        let range: Box<dyn Read> = Box::new(file.take(part.end - part.start));
        reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(delimiter)
            .buffer_capacity(1 << 20)
            .from_reader(BufReader::with_capacity(1 << 20, range));
        line_offset = part.first_line - 1;
    }
    let bytes = source.part.map_or(size, |part| part.end - part.start);
    let mut rows = 0u64;
    while reader.read_byte_record(&mut record).map_err(csv_error)? {
        let line = line_offset + record.position().map_or(0, |p| p.line());
        let mut fields: Vec<&str> = Vec::with_capacity(record.len());
        for field in record.iter() {
            match std::str::from_utf8(field) {
                Ok(text) => fields.push(text),
                Err(_) => {
                    return Err(IngestError::Encoding {
                        path: label.clone(),
                        encoding: encoding.name(),
                        offset: record.position().map_or(0, |p| p.byte()),
                    });
                }
            }
        }
        if encoding == Encoding::Gbk && fields.iter().any(|f| f.contains('\u{fffd}')) {
            return Err(IngestError::Encoding {
                path: label.clone(),
                encoding: "GBK",
                offset: record.position().map_or(0, |p| p.byte()),
            });
        }
        sink.push(line, &fields);
        rows += 1;
        if rows == SAMPLE_ROWS {
            let read = record.position().map_or(0, |p| p.byte()).max(1);
            sink.reserve(expected_rows(sink.len(), read, bytes));
        }
        if rows.is_multiple_of(PROGRESS_EVERY) {
            progress(record.position().map_or(0, |p| p.byte()));
        }
    }
    Ok(sink.finish())
}

/// The rows of a source of `bytes` bytes, judged by its first `rows` rows
/// (`read` bytes), with a little to spare.
fn expected_rows(rows: usize, read: u64, bytes: u64) -> usize {
    let estimate = rows as u128 * bytes as u128 / read as u128;
    (estimate + estimate / 16) as usize
}

/// A cell as text, the way a person reads it in the sheet.
fn cell_text(cell: &Data) -> Result<String, String> {
    Ok(match cell {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(dt) if dt.time() == chrono::NaiveTime::MIN => dt.date().to_string(),
            Some(dt) => dt.to_string(),
            None => return Err(format!("unreadable date {dt}")),
        },
        Data::Error(e) => return Err(format!("the cell holds the formula error {e}")),
    })
}

fn column_letters(mut column: u32) -> String {
    let mut letters = Vec::new();
    loop {
        letters.push(b'A' + (column % 26) as u8);
        if column < 26 {
            break;
        }
        column = column / 26 - 1;
    }
    letters.reverse();
    String::from_utf8(letters).unwrap_or_default()
}

fn read_sheet(
    source: &Source,
    sheet: &str,
    options: &ReadOptions,
    progress: &dyn Fn(u64),
) -> Result<Parsed, IngestError> {
    let path = &source.path;
    let label = source.label();
    let mut workbook: Xlsx<_> = open_workbook(path).map_err(|e| workbook_error(path, e))?;
    let merged = workbook.merge_cells_by_sheet_name(sheet).map_err(|e| workbook_error(path, e))?;
    if let Some(region) = merged.first() {
        let range = format!(
            "{}{}:{}{}",
            column_letters(region.start.1),
            region.start.0 + 1,
            column_letters(region.end.1),
            region.end.0 + 1
        );
        return Err(IngestError::MergedCells { path: path.display().to_string(), sheet: sheet.to_owned(), range });
    }
    let range = workbook.worksheet_range(sheet).map_err(|e| workbook_error(path, e))?;
    let first_row = range.start().map_or(0, |(row, _)| row as u64);
    let mut rows = range.rows().enumerate().skip_while(|(_, row)| row.iter().all(|c| *c == Data::Empty));
    let Some((_, header)) = rows.next() else {
        return Err(IngestError::Empty { path: label });
    };
    let header: Vec<String> = header.iter().map(|c| cell_text(c).unwrap_or_default()).collect();
    let headers = resolve(source.table, &header, &options.mapping, &label)?;
    let targets = headers.targets.clone();
    let mut sink = RowSink::new(source.table, headers, options, label.clone());
    for (index, row) in rows {
        let line = first_row + index as u64 + 1;
        let mut texts = Vec::with_capacity(row.len());
        let mut failed = false;
        for (position, cell) in row.iter().enumerate() {
            match cell_text(cell) {
                Ok(text) => texts.push(text),
                Err(reason) => {
                    let column = targets.get(position).copied().flatten().map(|i| source.table.columns()[i].name);
                    sink.reject(line, column, &format!("{}{line}", column_letters(position as u32)), &reason);
                    failed = true;
                    break;
                }
            }
        }
        if !failed {
            let fields: Vec<&str> = texts.iter().map(String::as_str).collect();
            sink.push(line, &fields);
        }
        if line.is_multiple_of(PROGRESS_EVERY) {
            progress(line);
        }
    }
    Ok(sink.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_stems_name_tables() {
        assert_eq!(table_of_stem("orders"), Some(Table::Orders));
        assert_eq!(table_of_stem("orders_2026-01"), Some(Table::Orders));
        assert_eq!(table_of_stem("订单"), Some(Table::Orders));
        assert_eq!(table_of_stem("ordersx"), None);
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
    }

    #[test]
    fn a_file_read_in_parts_gives_the_rows_and_line_numbers_of_one_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("expenses.csv");
        let mut text = String::from("expense_id,rep_id,date,amount\n");
        for i in 2..=101 {
            let amount = if i == 57 { "lots".to_owned() } else { i.to_string() };
            text.push_str(&format!("E{i},R1,2026-07-01,{amount}\n"));
        }
        std::fs::write(&path, &text).unwrap();
        let size = text.len() as u64;
        let parts = line_ranges(&path, size, 3).unwrap().unwrap();
        assert_eq!(parts.len(), 3);
        assert_eq!((parts[0].start, parts[0].first_line), ("expense_id,rep_id,date,amount\n".len() as u64, 2));
        assert_eq!(parts[2].end, size);
        let options = ReadOptions::default();
        let read = |part: Option<Part>| {
            let source = Source { path: path.clone(), table: Table::Expenses, sheet: None, part };
            read_source(&source, &options, &|_| {}).unwrap()
        };
        let whole = read(None);
        let merged = crate::checks::merge(parts.iter().map(|p| read(Some(*p))).collect());
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].rows, whole.rows);
        assert_eq!(merged[0].origins, whole.origins);
        assert_eq!(merged[0].files, whole.files);
        assert_eq!(merged[0].rejects, whole.rejects);
        assert_eq!(whole.rejects[0].line, 57);
        std::fs::write(&path, text.replace("E9,", "\"E9\",")).unwrap();
        assert_eq!(line_ranges(&path, size + 2, 3).unwrap(), None, "a quote may hide a line break");
    }

    #[test]
    fn a_file_wider_after_its_sample_rows_is_read_whole() {
        use arrow::array::{Array, AsArray};
        use arrow::datatypes::Decimal128Type;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("expenses.csv");
        let mut text = String::from("expense_id,rep_id,date,amount\n");
        // The columns are sized after SAMPLE_ROWS rows; the ids then grow far wider.
        let id = |i: usize| if i <= 5000 { format!("E{i}") } else { format!("E{i}-{}", "长".repeat(20)) };
        for i in 1..=10_000 {
            text.push_str(&format!("{},R1,2026-07-01,{i}\n", id(i)));
        }
        std::fs::write(&path, &text).unwrap();
        let source = Source { path, table: Table::Expenses, sheet: None, part: None };
        let read = read_source(&source, &ReadOptions::default(), &|_| {}).unwrap();
        assert_eq!(read.rows.num_rows(), 10_000);
        let ids = read.rows.column(0).as_string::<i32>();
        assert_eq!(ids.value(4999), "E5000");
        assert_eq!(ids.value(9999), id(10_000));
        let amounts = read.rows.column_by_name("amount").unwrap().as_primitive::<Decimal128Type>();
        assert_eq!(amounts.null_count(), 0);
        // 1 + 2 + … + 10 000 = 50 005 000, at four decimal places.
        assert_eq!(amounts.iter().flatten().sum::<i128>(), 50_005_000 * 10_000);
        assert_eq!(read.origins.last().map(|o| o.line), Some(10_001));
    }

    #[test]
    fn encodings_are_named_by_their_usual_spellings() {
        assert_eq!("GB18030".parse(), Ok(Encoding::Gbk));
        assert_eq!("utf8".parse(), Ok(Encoding::Utf8));
        assert!("latin1".parse::<Encoding>().is_err());
    }
}
