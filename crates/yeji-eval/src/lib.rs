//! Evaluations (SPEC §5, §6, §8, §14) over a [`Facts`] snapshot: the measures
//! of every rep, unit and the company computed on DataFusion and rolled up the
//! org tree, KPI values, scores, grades and ranks by a scheme, explanations
//! down to the rows, slices by product line, channel, segment or region,
//! dashboard analysis, saved runs and their diffs, and the reports the CLI
//! and the web both print.
//!
//! ```text
//! measures.rs  the measure queries and the roll-up (one definition of revenue lines)
//! members.rs   distinct customers and orders, each counted once per entity
//! evaluate.rs  KPI values, scores, grades, ranks; the funnel from the same measures
//! explain.rs   how a score adds up; the rows behind a value
//! scope.rs     which rows an entity is credited with
//! slices.rs    evaluations of one product line, channel, segment or region
//! analysis.rs  revenue by dimension and month, customers, receivables
//! customer_history.rs  each customer's sales now and before, its invoices' payments
//! drivers.rs   revenue month by month beside discount, price index, activities
//! money.rs     each rep's revenue, cost and collections per month, exact, for pay;
//!              split credit; what became of each month's invoices
//! surveys.rs   how many surveys rated each rep
//! pay_rows.rs  the rows behind a line of pay
//! series.rs    every entity's monthly revenue, for forecasts
//! cache.rs     evaluations kept per state of the data
//! runs.rs      saved runs, their recomputation and diffs
//! peers.rs     an entity among its peers: percentiles, peer medians
//! report.rs    leaderboards, grade counts, CSV and XLSX of evaluations
//! ```
//!
//! Nothing here writes facts: every function reads a `Facts` (the current
//! state, or the files a saved run pinned).

mod analysis;
mod cache;
mod customer_history;
mod drivers;
mod evaluate;
mod explain;
mod measures;
mod members;
mod money;
mod pay_rows;
pub mod peers;
pub mod report;
mod runs;
mod scope;
mod series;
mod slices;
mod surveys;

pub use analysis::{
    CustomerRevenue, Dimension, LostCustomer, MonthPoint, OverdueInvoice, SalesKey, Slice, abc_classes, breakdown,
    breakdown_by_rep, customers, lost_customers, monthly, order_dates, overdue_invoices, sales_by, targets_of,
};
pub use cache::evaluate_cached;
pub use customer_history::{CustomerSales, InvoiceHistory, customer_sales, payment_history};
pub use drivers::{DriverMonth, monthly_drivers};
pub use evaluate::{EntityResult, Evaluated, Evaluation, Funnel, KpiResult, evaluate};
pub use explain::{ExplainedKpi, Explanation, RowsBehind, rows_as_text, rows_behind};
pub use money::{Flow, InvoiceFlow, RepMoney, first_open_invoice, invoice_flows, rep_money};
pub use pay_rows::{PayBasis, pay_rows};
pub use runs::{
    Cause, DataChange, EntityChange, KpiChange, RunDiff, SavedRun, compare, diff_runs, recompute_run, run, same,
    save_run,
};
pub use series::{MonthlySeries, monthly_revenue};
pub use slices::{SliceKey, evaluate_by};
pub use surveys::survey_counts;
pub use yeji_facts::Facts;

use yeji_facts::FactsError;

#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Facts(#[from] FactsError),
    #[error(transparent)]
    UnknownKpi(#[from] yeji_core::kpi::UnknownKpi),
    #[error("no rep or unit '{0}' in this workspace")]
    UnknownEntity(String),
    #[error(transparent)]
    Scheme(#[from] yeji_core::scheme::SchemeError),
    #[error(transparent)]
    Period(#[from] yeji_core::period::PeriodError),
    /// Facts that contradict each other (e.g. credit shares not summing to 100 %).
    #[error("{0}")]
    Data(String),
}

impl From<yeji_store::StoreError> for EvalError {
    fn from(error: yeji_store::StoreError) -> EvalError {
        EvalError::Facts(FactsError::Store(error))
    }
}

pub type Result<T> = std::result::Result<T, EvalError>;

/// A query failure (DataFusion, Arrow), as the fact store reports them.
pub(crate) fn query_error(error: impl std::fmt::Display) -> EvalError {
    EvalError::Facts(yeji_facts::query_error(error))
}
