//! Documents yeji hands out (a feedback report, an improvement plan): a
//! small model of headings, paragraphs, lists and tables, written as one
//! standalone HTML page, a PDF whose Chinese renders (a CJK font from the
//! system, embedded as a subset), or an XLSX workbook. The domain crates
//! build the [`Doc`]; the CLI and the web app only choose the format.
//!
//! ```text
//! html.rs  the page (maud escapes every value)
//! pdf.rs   A4 pages laid out line by line (krilla), the font looked up on the system
//! xlsx.rs  one sheet, tables as rows (rust_xlsxwriter)
//! ```

mod html;
mod pdf;
mod xlsx;

pub use html::html;
pub use pdf::{FONT_ENV, pdf};
pub use xlsx::xlsx;

/// A document: a title, a line under it, then its blocks in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Doc {
    pub title: String,
    pub subtitle: String,
    /// The language tag of its text (zh-CN, en).
    pub lang: String,
    pub blocks: Vec<Block>,
}

impl Doc {
    /// One document of `docs` (e.g. a unit's reports), each under its title as a heading.
    pub fn merged(title: &str, subtitle: &str, docs: Vec<Doc>) -> Doc {
        let lang = docs.first().map_or_else(|| "zh-CN".to_owned(), |d| d.lang.clone());
        let blocks = docs
            .into_iter()
            .flat_map(|d| std::iter::once(Block::Heading(format!("{} · {}", d.title, d.subtitle))).chain(d.blocks))
            .collect();
        Doc { title: title.to_owned(), subtitle: subtitle.to_owned(), lang, blocks }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    Heading(String),
    Paragraph(String),
    Bullets(Vec<String>),
    Table { header: Vec<String>, rows: Vec<Vec<String>> },
}

/// The formats a document is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Html,
    Pdf,
    Xlsx,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "html" => Some(Format::Html),
            "pdf" => Some(Format::Pdf),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Html => "html",
            Format::Pdf => "pdf",
            Format::Xlsx => "xlsx",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Html => "text/html; charset=utf-8",
            Format::Pdf => "application/pdf",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(
        "no font for Chinese text found (looked for {looked}): install fonts-wqy-zenhei or fonts-noto-cjk, \
         or name a .ttf/.ttc/.otf file in {FONT_ENV}"
    )]
    NoFont { looked: String },
    #[error("font {path}: {reason}")]
    BadFont { path: String, reason: String },
    #[error("writing the PDF: {0}")]
    Pdf(String),
    #[error("writing the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// `doc` in `format`.
pub fn write(doc: &Doc, format: Format) -> Result<Vec<u8>, ExportError> {
    match format {
        Format::Html => Ok(html(doc).into_bytes()),
        Format::Pdf => pdf(doc),
        Format::Xlsx => xlsx(doc),
    }
}
