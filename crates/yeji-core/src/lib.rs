//! yeji's pure domain: the data contract (canonical tables and their columns),
//! cleaning of raw values into typed ones, periods, the organisation, the KPI
//! catalogue, scoring schemes and market sizes.
//!
//! Nothing here does I/O. Everything that reads files, queries or stores builds on
//! these definitions, so a table's columns, a date's accepted forms or a period's
//! bounds are defined once.
//!
//! ```
//! use yeji_core::{Period, Table};
//! let q3: Period = "2026-Q3".parse().unwrap();
//! assert_eq!(q3.previous().to_string(), "2026-Q2");
//! assert_eq!(q3.year_ago().to_string(), "2025-Q3");
//! assert!(Table::Orders.column("amount").unwrap().required);
//! ```

pub mod contract;
pub mod formula;
pub mod kpi;
pub mod level;
pub mod market;
pub mod org;
pub mod period;
pub mod scheme;
pub mod value;

pub use contract::{Column, ColumnType, Table};
pub use kpi::{CATALOGUE, Kpi, KpiId};
pub use level::Level;
pub use org::Org;
pub use period::{Grain, Period, PeriodError};
pub use value::{Value, ValueError};

/// Decimals of the workspace currency's minor unit (fen, cents): what
/// targets and pay are exact to.
pub const MINOR_UNIT: u32 = 2;
