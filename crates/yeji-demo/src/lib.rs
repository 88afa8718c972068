//! A realistic demo company, written as canonical CSV files, the same for the
//! same seed: a group with regions, teams and reps with Chinese names, product
//! lines of different margins, seasonality (Spring Festival dip, Q4 peak), two
//! years of orders, returns and cancellations, invoices paid on time, late,
//! partly or never, a sales funnel, activities, 5- and 10-point surveys, market
//! sizes, targets (some too easy, some out of reach) and a 360 review cycle.
//!
//! Every rep has a persona a sales director recognises (see [`Persona`]), so the
//! evaluation has stories to tell.

mod company;
mod sales;

use std::path::Path;

use chrono::NaiveDate;
use rand::SeedableRng;
use rand::rngs::SmallRng;

pub use company::Persona;

#[derive(Clone, Debug)]
pub struct DemoOptions {
    pub reps: usize,
    /// Months of history, ending with `last_month`.
    pub months: u32,
    pub seed: u64,
    /// The first day of the last month generated.
    pub last_month: NaiveDate,
}

impl Default for DemoOptions {
    fn default() -> DemoOptions {
        DemoOptions { reps: 48, months: 24, seed: 7, last_month: NaiveDate::from_ymd_opt(2026, 10, 1).expect("valid") }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{0}")]
    Options(String),
}

/// Rows written per table.
pub type Summary = Vec<(&'static str, usize)>;

/// Writes the demo company's canonical CSV files into `out`.
pub fn generate(out: &Path, options: &DemoOptions) -> Result<Summary, DemoError> {
    if options.reps < 8 {
        return Err(DemoError::Options("a demo company needs at least 8 reps (one per persona)".into()));
    }
    if !(13..=120).contains(&options.months) {
        return Err(DemoError::Options("--months must be 13 to 120 (year-over-year needs a year of history)".into()));
    }
    std::fs::create_dir_all(out).map_err(|source| DemoError::Io { path: out.display().to_string(), source })?;
    let mut rng = SmallRng::seed_from_u64(options.seed);
    let mut company = company::Company::new(&mut rng, options);
    let sales = sales::simulate(&mut rng, &mut company, options);
    let mut tables = company.tables();
    tables.extend(sales);
    let mut summary = Vec::new();
    for (name, table) in tables {
        let path = out.join(format!("{name}.csv"));
        let io = |source: std::io::Error| DemoError::Io { path: path.display().to_string(), source };
        let mut writer = csv::Writer::from_path(&path).map_err(|e| io(e.into()))?;
        writer.write_record(table.header).map_err(|e| io(e.into()))?;
        for row in &table.rows {
            writer.write_record(row).map_err(|e| io(e.into()))?;
        }
        writer.flush().map_err(io)?;
        summary.push((name, table.rows.len()));
    }
    Ok(summary)
}

/// A table being generated: its header and its rows as text.
pub(crate) struct Rows {
    pub header: &'static [&'static str],
    pub rows: Vec<Vec<String>>,
}

impl Rows {
    pub fn new(header: &'static [&'static str]) -> Rows {
        Rows { header, rows: Vec::new() }
    }
    pub fn push(&mut self, row: Vec<String>) {
        debug_assert_eq!(row.len(), self.header.len());
        self.rows.push(row);
    }
}

/// An amount in cents as a decimal string: 123456 → "1234.56".
pub(crate) fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", cents.abs() / 100, cents.abs() % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_is_written_exactly() {
        assert_eq!(money(123456), "1234.56");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(0), "0.00");
    }

    #[test]
    fn the_same_seed_gives_the_same_company() {
        let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
        let options = DemoOptions { reps: 10, months: 14, ..DemoOptions::default() };
        assert_eq!(generate(a.path(), &options).unwrap(), generate(b.path(), &options).unwrap());
        for table in ["orders", "payments", "opportunities"] {
            let read = |dir: &Path| std::fs::read(dir.join(format!("{table}.csv"))).unwrap();
            assert_eq!(read(a.path()), read(b.path()), "{table}");
        }
        let other = tempfile::tempdir().unwrap();
        generate(other.path(), &DemoOptions { seed: 8, ..options }).unwrap();
        assert_ne!(
            std::fs::read(a.path().join("orders.csv")).unwrap(),
            std::fs::read(other.path().join("orders.csv")).unwrap()
        );
    }
}
