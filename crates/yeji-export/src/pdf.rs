//! A document as an A4 PDF. Chinese needs a font that has it: the first of
//! [`FONT_ENV`] and the fonts Debian's fonts-wqy-zenhei, fonts-noto-cjk and
//! fonts-wqy-microhei install, embedded as a subset of the glyphs used
//! (krilla does the subsetting), so the file carries its text as Unicode and
//! `pdftotext` reads it back. Lines are broken by an estimate of each
//! character's width (a CJK character is one em, others half), which these
//! fonts meet closely enough for a report. A table of more than
//! [`MAX_COLUMNS`] columns is written as records, one per row.

use std::sync::Arc;

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::Point;
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use unicode_width::UnicodeWidthChar;

use crate::{Block, Doc, ExportError};

/// The environment variable naming the font file to use.
pub const FONT_ENV: &str = "YEJI_PDF_FONT";

const FONTS: [&str; 4] = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
];

const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 50.0;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.55;
/// Wider tables are written row by row as records.
const MAX_COLUMNS: usize = 6;

fn font() -> Result<Font, ExportError> {
    let named = std::env::var(FONT_ENV).ok();
    let path = named.iter().map(String::as_str).chain(FONTS).find(|p| std::path::Path::new(p).is_file());
    let Some(path) = path else {
        return Err(ExportError::NoFont {
            looked: named.into_iter().chain(FONTS.map(str::to_owned)).collect::<Vec<_>>().join(", "),
        });
    };
    let bad = |reason: String| ExportError::BadFont { path: path.to_owned(), reason };
    let data = std::fs::read(path).map_err(|e| bad(e.to_string()))?;
    Font::new(Arc::new(data).into(), 0).ok_or_else(|| bad("not a font krilla reads".into()))
}

/// The width of `text` at `size`, by the estimate above.
fn width(text: &str, size: f32) -> f32 {
    text.chars().map(|c| c.width().unwrap_or(0) as f32 * 0.5 * size).sum()
}

/// `text` broken into lines no wider than `max` at `size`: at spaces where
/// there are some, anywhere between CJK characters.
fn wrap(text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    for paragraph in text.split('\n') {
        let mut line = String::new();
        for c in paragraph.chars() {
            line.push(c);
            if width(&line, size) > max {
                let cut = line.rfind(' ').filter(|at| *at > 0 && line[*at..].chars().all(|c| c.width() == Some(1)));
                let rest = match cut {
                    Some(at) => line.split_off(at).trim_start().to_owned(),
                    None => line.pop().map(String::from).unwrap_or_default(),
                };
                lines.push(std::mem::replace(&mut line, rest));
            }
        }
        lines.push(line);
    }
    lines
}

/// Pages being written, the cursor on the current one.
struct Writer {
    font: Font,
    pages: Vec<Vec<(Point, f32, String, rgb::Color)>>,
    y: f32,
}

impl Writer {
    fn line(&mut self, x: f32, size: f32, text: &str, color: rgb::Color) {
        if self.y + size * LEADING > PAGE.1 - MARGIN || self.pages.is_empty() {
            self.pages.push(Vec::new());
            self.y = MARGIN;
        }
        self.y += size * LEADING;
        self.pages.last_mut().expect("a page").push((Point::from_xy(x, self.y), size, text.to_owned(), color));
    }

    fn text(&mut self, text: &str, size: f32, indent: f32) {
        for line in wrap(text, size, PAGE.0 - 2.0 * MARGIN - indent) {
            self.line(MARGIN + indent, size, &line, rgb::Color::black());
        }
    }

    fn gap(&mut self, size: f32) {
        self.y += size * 0.6;
    }

    /// A table too wide for a portrait page: each row as its first cell, then
    /// "column: value" lines.
    fn records(&mut self, header: &[String], rows: &[Vec<String>]) {
        for row in rows {
            self.gap(BODY * 0.5);
            let first = row.first().map_or("", String::as_str);
            for line in wrap(first, 11.5, PAGE.0 - 2.0 * MARGIN) {
                self.line(MARGIN, 11.5, &line, rgb::Color::new(40, 70, 120));
            }
            for (name, value) in header.iter().zip(row).skip(1).filter(|(_, v)| !v.is_empty()) {
                self.text(&format!("{name}：{value}"), BODY, 12.0);
            }
        }
    }

    /// A table: columns as wide as their longest cell allows, cells wrapped, the header in grey-blue.
    fn table(&mut self, header: &[String], rows: &[Vec<String>]) {
        let columns = header.len().max(1);
        let longest = |c: usize| {
            std::iter::once(&header[c])
                .chain(rows.iter().filter_map(|r| r.get(c)))
                .map(|t| width(t, BODY))
                .fold(20.0, f32::max)
        };
        let wanted: Vec<f32> = (0..columns).map(|c| longest(c).min(220.0)).collect();
        let scale = (PAGE.0 - 2.0 * MARGIN - 6.0 * columns as f32) / wanted.iter().sum::<f32>();
        let widths: Vec<f32> = wanted.iter().map(|w| w * scale.min(1.0)).collect();
        let header_color = rgb::Color::new(40, 70, 120);
        for (cells, color) in
            std::iter::once((header, header_color)).chain(rows.iter().map(|r| (r.as_slice(), rgb::Color::black())))
        {
            let wrapped: Vec<Vec<String>> =
                (0..columns).map(|c| wrap(cells.get(c).map_or("", String::as_str), BODY, widths[c])).collect();
            let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
            for n in 0..height {
                let mut x = MARGIN;
                let y_before = self.y;
                for (c, lines) in wrapped.iter().enumerate() {
                    if let Some(text) = lines.get(n).filter(|t| !t.is_empty()) {
                        self.y = y_before;
                        self.line(x, BODY, text, color);
                    }
                    x += widths[c] + 6.0;
                }
                if wrapped.iter().all(|l| l.get(n).is_none_or(|t| t.is_empty())) {
                    self.line(MARGIN, BODY, "", color);
                }
            }
            self.gap(BODY * 0.3);
        }
    }
}

fn draw(surface: &mut Surface, font: &Font, (at, size, text, color): &(Point, f32, String, rgb::Color)) {
    surface.set_fill(Some(Fill { paint: (*color).into(), opacity: NormalizedF32::ONE, rule: Default::default() }));
    surface.draw_text(*at, font.clone(), *size, text, false, TextDirection::Auto);
}

pub fn pdf(doc: &Doc) -> Result<Vec<u8>, ExportError> {
    let mut writer = Writer { font: font()?, pages: Vec::new(), y: MARGIN };
    writer.text(&doc.title, 16.0, 0.0);
    writer.text(&doc.subtitle, BODY, 0.0);
    for block in &doc.blocks {
        writer.gap(BODY);
        match block {
            Block::Heading(text) => writer.text(text, 13.0, 0.0),
            Block::Paragraph(text) => writer.text(text, BODY, 0.0),
            Block::Bullets(items) => {
                for item in items {
                    writer.text(&format!("· {item}"), BODY, 8.0);
                }
            }
            Block::Table { header, rows } if header.len() > MAX_COLUMNS => writer.records(header, rows),
            Block::Table { header, rows } => writer.table(header, rows),
        }
    }
    let mut document = Document::new();
    document.set_metadata(Metadata::new().title(doc.title.clone()).language(doc.lang.clone()).creator("yeji".into()));
    for lines in &writer.pages {
        let mut page = document.start_page_with(PageSettings::from_wh(PAGE.0, PAGE.1).expect("A4 is a size"));
        let mut surface = page.surface();
        for line in lines {
            draw(&mut surface, &writer.font, line);
        }
        surface.finish();
        page.finish();
    }
    document.finish().map_err(|e| ExportError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_break_at_spaces_or_between_cjk_characters() {
        assert_eq!(wrap("新客户开发率 8%，目标 20%", 10.0, 60.0), ["新客户开发率", "8%，目标 20%"]);
        assert_eq!(wrap("sales were up on last quarter", 10.0, 60.0), ["sales were", "up on last", "quarter"]);
        assert_eq!(wrap("a\nb", 10.0, 60.0), ["a", "b"]);
        assert_eq!(width("新a", 10.0), 15.0);
    }
}
