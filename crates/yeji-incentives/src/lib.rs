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
//! ```

mod number;
mod pay;
mod plan;
mod statement;

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;
use yeji_core::Period;
use yeji_eval::{EvalError, Facts};

pub use pay::{Line, MINOR_UNIT, band_rate, commission_slices, limit, money, round};
pub use plan::{Band, Component, Kind, Measure, Method, Plan, Rounding, SEED_PLAN, Tier};
pub use statement::{RepMonth, Statement, statement};

#[derive(Debug, thiserror::Error)]
pub enum IncentiveError {
    #[error("{0}")]
    Plan(String),
    #[error("{0}")]
    Bad(String),
    #[error(transparent)]
    Eval(#[from] EvalError),
}

/// A calculated run (SPEC §15.6).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
            .filter(|s| s.notes.iter().any(|n| n.ends_with("without a revenue target")))
            .map(|s| s.rep_id.as_str())
            .collect()
    }
}

fn exact(text: &str, what: &str) -> Result<Decimal, IncentiveError> {
    text.parse().map_err(|_| IncentiveError::Bad(format!("{what} '{text}' is not an exact decimal")))
}

/// What `plan` pays every rep active in, or selling in, `period`.
pub async fn run(facts: &Facts, plan: &Plan, period: &Period) -> Result<Run, IncentiveError> {
    let money = yeji_eval::rep_money(facts, period).await?;
    let org = facts.org();
    let mut months = Vec::new();
    for month in period.months() {
        let mut targets = BTreeMap::new();
        for (entity, value) in yeji_eval::targets_of(facts, &month, "revenue").await? {
            targets.insert(entity, exact(&value, "target")?);
        }
        months.push((month, targets));
    }
    let mut statements = Vec::new();
    for rep in org.rep_ids() {
        let active = |month: &Period| org.rep_on(rep, Some(month.last_day())).is_some_and(|row| row.active);
        let sold = |month: &Period| money.contains_key(&(rep.to_owned(), month.to_string()));
        if !months.iter().any(|(month, _)| active(month) || sold(month)) {
            continue;
        }
        let mut rep_months = Vec::new();
        for (month, targets) in &months {
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
        let name = org.rep_on(rep, None).map_or(rep, |row| row.name.as_str());
        statements.push(statement(plan, (rep, name), &rep_months));
    }
    let total = statements.iter().map(|s| s.total).sum();
    Ok(Run { period: period.to_string(), plan: plan.id.clone(), statements, total })
}
