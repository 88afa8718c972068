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
//! schedule.rs   the plan version in effect each month; saving a version
//! whatif.rs     a new plan beside the current: cost, change per rep, spread
//! payouts.rs    payout runs: saved, approved, locked; later changes settled
//! report.rs     a statement as a document
//! ```

mod number;
mod pay;
mod payouts;
mod plan;
mod report;
mod schedule;
mod statement;
mod whatif;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use yeji_core::Period;
use yeji_eval::{EvalError, Facts};

pub use pay::{Line, band_rate, commission_slices, limit, money, round};
pub use payouts::{ADJUSTMENT, Found, RunState, RunStep, calculate, result_of, settle, statement_for, step, verify};
pub use plan::{Band, Component, Kind, Measure, Method, Plan, Rounding, SEED_PLAN, Tier};
pub use report::{columns, payout_rows, rows, statement_doc};
pub use schedule::{Schedule, Version, save};
pub use statement::{RepMonth, Statement, statement};
pub use whatif::{RepChange, Spread, WhatIf, compare, spread};

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

fn exact(text: &str, what: &str) -> Result<Decimal, IncentiveError> {
    text.parse().map_err(|_| IncentiveError::Bad(format!("{what} '{text}' is not an exact decimal")))
}

/// What the plans of `schedule` pay every rep active in, or selling in,
/// `period`, each month under the plan in effect then.
pub async fn run(facts: &Facts, schedule: &Schedule, period: &Period) -> Result<Run, IncentiveError> {
    let money = yeji_eval::rep_money(facts, period).await?;
    let org = facts.org();
    let mut months = Vec::new();
    let mut plans: Vec<(i64, &Plan)> = Vec::new();
    for month in period.months() {
        let (version, plan) = schedule.for_month(&month.to_string()).ok_or_else(|| {
            IncentiveError::Bad(format!("no incentive plan in effect in {month} (yeji incentive plan save --from)"))
        })?;
        if !plans.iter().any(|(v, _)| *v == version) {
            plans.push((version, plan));
        }
        let mut targets = BTreeMap::new();
        for (entity, value) in yeji_eval::targets_of(facts, &month, "revenue").await? {
            targets.insert(entity, exact(&value, "target")?);
        }
        months.push((month, version, targets));
    }
    let mut statements = Vec::new();
    for rep in org.rep_ids() {
        let active = |month: &Period| org.rep_on(rep, Some(month.last_day())).is_some_and(|row| row.active);
        let sold = |month: &Period| money.contains_key(&(rep.to_owned(), month.to_string()));
        if !months.iter().any(|(month, _, _)| active(month) || sold(month)) {
            continue;
        }
        let name = org.rep_on(rep, None).map_or(rep, |row| row.name.as_str());
        let mut whole = Statement {
            rep_id: rep.to_owned(),
            name: name.to_owned(),
            total: Decimal::ZERO,
            lines: Vec::new(),
            notes: Vec::new(),
        };
        for (version, plan) in &plans {
            let mut rep_months = Vec::new();
            for (month, _, targets) in months.iter().filter(|(_, v, _)| v == version) {
                let figures = money.get(&(rep.to_owned(), month.to_string())).cloned().unwrap_or_default();
                let (revenue, cost) = (exact(&figures.revenue, "revenue")?, exact(&figures.cost, "cost")?);
                rep_months.push(RepMonth {
                    month: month.to_string(),
                    revenue,
                    gross_profit: revenue - cost,
                    collected: exact(&figures.collected, "collected")?,
                    target: targets.get(rep).copied(),
                    base_salary: org.rep_on(rep, Some(month.last_day())).and_then(|row| row.base_salary),
                });
            }
            let part = statement(plan, (rep, name), &rep_months);
            whole.total += part.total;
            whole.lines.extend(part.lines);
            whole.notes.extend(part.notes);
        }
        whole.lines.sort_by(|a, b| a.period.cmp(&b.period));
        statements.push(whole);
    }
    let total = statements.iter().map(|s| s.total).sum();
    let ids: Vec<String> =
        plans.iter().map(|(v, p)| if *v == 0 { p.id.clone() } else { format!("{} v{v}", p.id) }).collect();
    Ok(Run { period: period.to_string(), plan: ids.join(", "), statements, total })
}
