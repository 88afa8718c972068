//! Printing: aligned tables that count Chinese characters as two columns, and JSON.

use std::io::Write;

use unicode_width::UnicodeWidthStr;

/// Prints a line to stdout; a closed pipe (`yeji batches | head`) ends the
/// process quietly instead of panicking.
macro_rules! say {
    ($($arg:tt)*) => { $crate::output::emit(&format!($($arg)*)) };
}

pub fn emit(text: &str) {
    if writeln!(std::io::stdout().lock(), "{text}").is_err() {
        std::process::exit(0);
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
}

/// How `show` commands print a document: as a table or JSON, or exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ShowFormat {
    Table,
    Json,
    Html,
    Pdf,
    Xlsx,
}

impl ShowFormat {
    /// The export format, when the document is exported.
    pub fn export(self) -> Option<yeji_export::Format> {
        match self {
            ShowFormat::Table | ShowFormat::Json => None,
            ShowFormat::Html => Some(yeji_export::Format::Html),
            ShowFormat::Pdf => Some(yeji_export::Format::Pdf),
            ShowFormat::Xlsx => Some(yeji_export::Format::Xlsx),
        }
    }
}

/// Writes `doc` in `format` to `out`, or to stdout (a PDF or workbook is bytes: redirect it).
pub fn document(
    doc: &yeji_export::Doc,
    format: yeji_export::Format,
    out: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let bytes = yeji_export::write(doc, format)?;
    match out {
        Some(path) => {
            std::fs::write(path, &bytes).map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display()))?;
            say!("{} written ({} bytes)", path.display(), bytes.len());
        }
        None => {
            if std::io::stdout().lock().write_all(&bytes).is_err() {
                std::process::exit(0);
            }
        }
    }
    Ok(())
}

/// Renders rows under a header, numbers right-aligned, text left-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| rows.iter().map(|r| r[c].width()).chain([header[c].width()]).max().unwrap_or(0))
        .collect();
    let numeric: Vec<bool> = (0..header.len())
        .map(|c| {
            !rows.is_empty()
                && rows.iter().all(|r| {
                    r[c].is_empty()
                        || r[c].trim_end_matches('%').replace([',', '.', '-'], "").chars().all(|ch| ch.is_ascii_digit())
                })
        })
        .collect();
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .enumerate()
            .map(|(c, cell)| {
                let pad = " ".repeat(widths[c] - cell.width());
                if numeric[c] { format!("{pad}{cell}") } else { format!("{cell}{pad}") }
            })
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    let mut out = vec![line(header.to_vec())];
    out.extend(rows.iter().map(|r| line(r.iter().map(String::as_str).collect())));
    out.join("\n")
}

/// `yeji kpis`: the catalogue as the engine computes it, then the formula
/// KPIs of `scheme` (their `source` is the scheme).
pub fn kpis(format: Format, scheme: Option<&std::path::Path>) -> anyhow::Result<std::process::ExitCode> {
    let scheme = scheme.map(crate::evaluate::read_scheme).transpose()?;
    let entries = yeji_eval::report::kpi_listing(scheme.as_ref());
    if format == Format::Json {
        say!("{}", serde_json::to_string_pretty(&entries)?);
        return Ok(std::process::ExitCode::SUCCESS);
    }
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|k| {
            vec![
                k.id.clone(),
                k.name_zh.clone(),
                k.name_en.clone(),
                k.unit.label().into(),
                k.direction.label().into(),
                k.definition.clone(),
            ]
        })
        .collect();
    say!("{}", table(&["id", "名称", "name", "unit", "direction", "formula"], &rows));
    Ok(std::process::ExitCode::SUCCESS)
}

/// 1234567.8 → "1,234,568".
pub fn thousands(value: f64) -> String {
    let rounded = value.round() as i64;
    let digits = rounded.abs().to_string();
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if rounded < 0 { format!("-{out}") } else { out }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_names_align_by_display_width() {
        let rows = vec![vec!["华东大区".to_owned(), "12".to_owned()], vec!["North".to_owned(), "3".to_owned()]];
        assert_eq!(table(&["region", "n"], &rows), "region     n\n华东大区  12\nNorth      3");
        assert_eq!(thousands(1234567.8), "1,234,568");
        assert_eq!(thousands(-999.0), "-999");
    }
}
