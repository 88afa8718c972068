//! Incentives (SPEC §12, §15.6): what a plan pays each rep for a period, in
//! exact decimals. The plan is TOML (`plan.rs`), the pay of each component
//! pure (`pay.rs`), a rep's statement its lines month by month
//! (`statement.rs`); the figures come from the facts through yeji-eval
//! (`rep_money`: revenue, cost, collections summed as exact decimals; the
//! revenue targets of each month; the base salary of the reps.csv row in
//! effect on the month's last day).
//!
//! ```text
//! number.rs     decimals as a plan file writes them
//! plan.rs       the plan document, checked: bands, tiers, rates, caps
//! pay.rs        bonus bands, commission tiers, rounding, caps and floors
//! statement.rs  a rep's lines and total
//! holdback.rs   commission held back, released as invoices are paid
//! run.rs        every rep's statement for a period, from the facts
//! schedule.rs   the plan version in effect each month; saving a version
//! targets.rs    a what-if's changed revenue targets: scaled, or set per rep
//! whatif.rs     a new plan or targets beside the current: cost, change per rep
//! distribution.rs payouts and attainments: quartiles and histograms
//! payouts.rs    payout runs: saved, approved, locked; later changes settled
//! inquiries.rs  a rep's question about their pay, and its resolution
//! recognition.rs the period's top seller and best service, by rule
//! trace.rs      a statement line traced to the rows behind it
//! report.rs     a statement as a document
//! ```

mod distribution;
mod holdback;
mod inquiries;
mod number;
mod pay;
mod payouts;
mod plan;
mod recognition;
mod report;
mod run;
mod schedule;
mod statement;
mod targets;
mod trace;
mod whatif;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yeji_eval::EvalError;

pub use distribution::{Bucket, Spread};
pub use holdback::{Held, InvoiceMonth, LOOKBACK_MONTHS, releases};
pub use inquiries::{inquire, resolve};
pub use pay::{Line, LineKind, band_rate, commission_slices, limit, money, round};
pub use payouts::{
    ADJUSTMENT, Found, RunFound, RunState, RunStep, calculate, result_of, run_for, settle, statement_for, step, verify,
};
pub use plan::{AppliesTo, Band, Component, Holdback, Kind, Measure, Method, Plan, Rounding, SEED_PLAN, Tier};
pub use recognition::{Award, AwardKind, MIN_SURVEYS, recognise};
pub use report::{cells, columns, label, payout_rows, percent, rows, statement_doc};
pub use run::run;
pub use schedule::{Schedule, Version, save};
pub use statement::{RepMonth, Statement, statement};
pub use targets::TargetChange;
pub use trace::{Traced, basis_of, trace, traceable};
pub use whatif::{RepChange, WhatIf, price};

#[derive(Debug, thiserror::Error)]
pub enum IncentiveError {
    #[error("{0}")]
    Plan(String),
    #[error("{0}")]
    Bad(String),
    #[error("refused: {0}")]
    Refused(String),
    #[error("no payout run {0} (see `yeji incentive runs`)")]
    NoSuchRun(i64),
    #[error("no pay inquiry {0} (see `yeji incentive inquiries`)")]
    NoSuchInquiry(i64),
    #[error("{rep} has no statement for {period}")]
    NoStatement { rep: String, period: String },
    #[error(transparent)]
    Eval(#[from] EvalError),
    #[error(transparent)]
    Facts(#[from] yeji_facts::FactsError),
}

/// A calculated run (SPEC §15.6).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Run {
    pub period: String,
    pub plan: String,
    pub statements: Vec<Statement>,
    /// The sum of the statements' totals.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
}

impl Run {
    /// Reps whose bonus could not be computed for want of a target, by id.
    pub fn without_targets(&self) -> Vec<&str> {
        self.statements
            .iter()
            .filter(|s| s.notes.iter().any(|n| n.ends_with(statement::NO_TARGET)))
            .map(|s| s.rep_id.as_str())
            .collect()
    }
}
