//! A document as one worksheet: the title and headings in bold, paragraphs
//! and list items one per row, tables as rows under a bold header.

use rust_xlsxwriter::{Format, Workbook};

use crate::{Block, Doc, ExportError};

pub fn xlsx(doc: &Doc) -> Result<Vec<u8>, ExportError> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let bold = Format::new().set_bold();
    let title = Format::new().set_bold().set_font_size(14);
    sheet.write_string_with_format(0, 0, &doc.title, &title)?;
    sheet.write_string(1, 0, &doc.subtitle)?;
    let mut row = 3u32;
    let mut widths = vec![12usize];
    for block in &doc.blocks {
        match block {
            Block::Heading(text) => {
                sheet.write_string_with_format(row, 0, text, &bold)?;
            }
            Block::Paragraph(text) => {
                sheet.write_string(row, 0, text)?;
            }
            Block::Bullets(items) => {
                for item in items {
                    sheet.write_string(row, 0, item)?;
                    row += 1;
                }
                row = row.saturating_sub(1);
            }
            Block::Table { header, rows } => {
                for (column, name) in header.iter().enumerate() {
                    sheet.write_string_with_format(row, column as u16, name, &bold)?;
                }
                for cells in rows {
                    row += 1;
                    for (column, cell) in cells.iter().enumerate() {
                        sheet.write_string(row, column as u16, cell)?;
                        if widths.len() <= column {
                            widths.resize(column + 1, 12);
                        }
                        widths[column] = widths[column].max(unicode_width::UnicodeWidthStr::width(cell.as_str()));
                    }
                }
            }
        }
        row += 2;
    }
    for (column, width) in widths.iter().enumerate().skip(1) {
        sheet.set_column_width(column as u16, (*width).min(60) as f64)?;
    }
    Ok(workbook.save_to_buffer()?)
}
