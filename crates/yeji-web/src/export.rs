//! Rows as downloads: CSV (UTF-8 with a BOM, so spreadsheet programs read
//! Chinese names right) and XLSX.

use crate::error::{Result, WebError};

pub fn csv(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut writer = csv::Writer::from_writer(b"\xEF\xBB\xBF".to_vec());
    writer.write_record(header).map_err(WebError::internal)?;
    for row in rows {
        writer.write_record(row).map_err(WebError::internal)?;
    }
    writer.into_inner().map_err(WebError::internal)
}

pub fn xlsx(header: &[String], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (column, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, column as u16, name, &bold).map_err(WebError::internal)?;
    }
    for (row, values) in rows.iter().enumerate() {
        for (column, value) in values.iter().enumerate() {
            // Numbers stay numbers in the workbook; codes with leading zeros and
            // everything else stay text.
            let code_like = value.len() > 1 && value.starts_with('0') && !value.starts_with("0.");
            match value.parse::<f64>() {
                Ok(number) if number.is_finite() && !code_like => {
                    sheet.write_number(row as u32 + 1, column as u16, number)
                }
                _ => sheet.write_string(row as u32 + 1, column as u16, value),
            }
            .map_err(WebError::internal)?;
        }
    }
    workbook.save_to_buffer().map_err(WebError::internal)
}
