//! Reading real files: GBK text, XLSX workbooks with dates, formulas and merged
//! cells, and the row rules as they report from a file.

use std::path::{Path, PathBuf};

use arrow::array::{Array, AsArray};
use arrow::datatypes::{Date32Type, Decimal128Type};
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};
use yeji_core::Table;
use yeji_ingest::{IngestError, Parsed, ReadOptions, Source, discover, read_source};

fn read(path: &Path) -> Result<Parsed, IngestError> {
    let sources = discover(&[path.to_owned()])?;
    assert_eq!(sources.len(), 1, "{sources:?}");
    read_source(&sources[0], &ReadOptions::default(), &|_| {})
}

fn texts(parsed: &Parsed, column: &str) -> Vec<Option<String>> {
    let array = parsed.rows.column_by_name(column).unwrap().as_string::<i32>();
    (0..array.len()).map(|i| array.is_valid(i).then(|| array.value(i).to_owned())).collect()
}

/// Decimal128(18, 4) mantissas: 800 is 8_000_000.
fn decimals(parsed: &Parsed, column: &str) -> Vec<i128> {
    parsed.rows.column_by_name(column).unwrap().as_primitive::<Decimal128Type>().values().to_vec()
}

#[test]
fn a_gbk_file_with_chinese_headers_reads_like_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("customers.csv");
    let text = "客户编号,客户名称,客户类型,区域,信用额度\nk01 ,华东 甲公司,大客户,华东大区,\"1,000\"\n";
    let (bytes, _, failed) = encoding_rs::GBK.encode(text);
    assert!(!failed);
    std::fs::write(&path, &bytes).unwrap();
    let parsed = read(&path).unwrap();
    // Ids are trimmed and kept as given (their case is the source system's).
    assert_eq!(texts(&parsed, "customer_id"), [Some("k01".to_owned())]);
    assert_eq!(texts(&parsed, "name"), [Some("华东 甲公司".to_owned())]);
    assert_eq!(texts(&parsed, "segment"), [Some("大客户".to_owned())]);
    assert_eq!(decimals(&parsed, "credit_limit"), [1000_0000]);
}

#[test]
fn a_utf8_file_with_a_bom_reads_its_first_header() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("products.csv");
    std::fs::write(&path, "\u{feff}product_id,name,product_line\nP1,软件A,软件\n").unwrap();
    let parsed = read(&path).unwrap();
    assert_eq!(texts(&parsed, "product_id"), [Some("P1".to_owned())]);
}

fn workbook(dir: &Path, merged: bool) -> PathBuf {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet().set_name("orders").unwrap();
    let header = ["订单号", "行号", "日期", "业务员", "客户编号", "产品编号", "数量", "销售额", "状态"];
    for (column, name) in header.iter().enumerate() {
        sheet.write_string(0, column as u16, *name).unwrap();
    }
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for row in 1..=2u32 {
        sheet.write_string(row, 0, "O1").unwrap();
        sheet.write_number(row, 1, row as f64).unwrap();
        sheet.write_datetime_with_format(row, 2, ExcelDateTime::from_ymd(2026, 7, 5).unwrap(), &date_format).unwrap();
        sheet.write_string(row, 3, "R1").unwrap();
        sheet.write_string(row, 4, "K1").unwrap();
        sheet.write_string(row, 5, "P1").unwrap();
        sheet.write_number(row, 6, 2.0).unwrap();
        sheet.write_string(row, 8, "已确认").unwrap();
    }
    // An amount computed by a formula is read as the value Excel shows.
    sheet.write_formula(1, 7, Formula::new("=2*400").set_result("800")).unwrap();
    sheet.write_number(2, 7, 1234.5).unwrap();
    if merged {
        sheet.merge_range(1, 3, 2, 3, "R1", &Format::new()).unwrap();
    }
    book.add_worksheet().set_name("说明").unwrap().write_string(0, 0, "not a table").unwrap();
    let path = dir.join(if merged { "merged.xlsx" } else { "book.xlsx" });
    book.save(&path).unwrap();
    path
}

#[test]
fn an_xlsx_sheet_named_like_a_table_reads_dates_formulas_and_chinese_headers() {
    let dir = tempfile::tempdir().unwrap();
    let path = workbook(dir.path(), false);
    let sources = discover(std::slice::from_ref(&path)).unwrap();
    assert_eq!(
        sources,
        [Source { path: path.clone(), table: Table::Orders, sheet: Some("orders".into()), part: None }]
    );
    let parsed = read(&path).unwrap();
    assert_eq!(parsed.rows.num_rows(), 2, "{:?}", parsed.rejects);
    assert_eq!(decimals(&parsed, "amount"), [800_0000, 1234_5000]);
    let dates = parsed.rows.column_by_name("order_date").unwrap().as_primitive::<Date32Type>();
    // 2026-07-05 is day 20639 after 1970-01-01.
    assert_eq!(dates.values().to_vec(), [20639, 20639]);
    assert_eq!(texts(&parsed, "status"), [Some("confirmed".to_owned()), Some("confirmed".to_owned())]);
    assert_eq!(parsed.origins.iter().map(|o| o.line).collect::<Vec<_>>(), [2, 3]);
}

#[test]
fn merged_cells_are_refused_with_their_range() {
    let dir = tempfile::tempdir().unwrap();
    let error = read(&workbook(dir.path(), true)).unwrap_err().to_string();
    assert!(error.ends_with("sheet 'orders' has merged cells D2:D3; unmerge them and fill in every value"), "{error}");
}
