//! Payout runs (SPEC §15.6, #18): a run calculated and saved with what it
//! was computed from (the plan versions' texts, the fact files), then
//! approved, then locked. A locked run is never changed: when the data of
//! its period changes later (a return after payout, a late invoice), the
//! next run saved for a later period carries an `adjustment` line per rep
//! for the difference between what that period pays now and what was paid
//! for it (the locked total and the adjustments locked since): a clawback
//! when it is negative.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use yeji_core::Period;
use yeji_facts::Workspace;
use yeji_store::{NewPayoutRun, PayoutRunRow};

use crate::{IncentiveError, Line, Run, Schedule, Statement, Version, round};

/// The component of the lines that settle an earlier, locked period.
pub const ADJUSTMENT: &str = "adjustment";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunState {
    Calculated,
    Approved,
    Locked,
}

impl RunState {
    pub fn name(self) -> &'static str {
        match self {
            RunState::Calculated => "calculated",
            RunState::Approved => "approved",
            RunState::Locked => "locked",
        }
    }

    fn parse(text: &str) -> Result<RunState, IncentiveError> {
        [RunState::Calculated, RunState::Approved, RunState::Locked]
            .into_iter()
            .find(|s| s.name() == text)
            .ok_or_else(|| IncentiveError::Bad(format!("payout run state '{text}'")))
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunStep {
    Approve,
    Lock,
}

impl RunStep {
    pub fn name(self) -> &'static str {
        match self {
            RunStep::Approve => "approve",
            RunStep::Lock => "lock",
        }
    }

    /// The state a step leads to: approve a calculated run, lock an approved one.
    pub fn apply(self, id: i64, from: RunState) -> Result<RunState, IncentiveError> {
        match (self, from) {
            (_, RunState::Locked) => {
                Err(IncentiveError::Refused(format!("payout run {id} is locked: nothing changes it")))
            }
            (RunStep::Approve, RunState::Calculated) => Ok(RunState::Approved),
            (RunStep::Lock, RunState::Approved) => Ok(RunState::Locked),
            (step, from) => Err(IncentiveError::Refused(format!(
                "payout run {id} is {}: {} needs it {}",
                from.name(),
                step.name(),
                if step == RunStep::Approve { "calculated" } else { "approved" }
            ))),
        }
    }
}

fn store(error: yeji_store::StoreError) -> IncentiveError {
    match error {
        yeji_store::StoreError::NoSuchPayoutRun(id) => IncentiveError::NoSuchRun(id),
        other => IncentiveError::Bad(format!("the catalog: {other}")),
    }
}

fn broken(id: i64, what: &str) -> IncentiveError {
    IncentiveError::Bad(format!("payout run {id}: its stored {what} does not read back"))
}

/// A stored run's result.
pub fn result_of(row: &PayoutRunRow) -> Result<Run, IncentiveError> {
    serde_json::from_str(&row.result).map_err(|_| broken(row.id, "result"))
}

/// Computes `period`'s run under `schedule`, settles the locked periods
/// before it whose pay has changed since, and saves it (calculated).
pub async fn calculate(
    workspace: &Workspace,
    schedule: &Schedule,
    period: &Period,
    actor: &str,
) -> Result<(i64, Run), IncentiveError> {
    let facts = workspace.facts().await?;
    let mut run = crate::run(&facts, schedule, period).await?;
    let rows = workspace.catalog().payout_runs().await.map_err(store)?;
    let fiscal = workspace.settings().fiscal_year_first_month;
    let locked: Vec<&PayoutRunRow> = rows.iter().filter(|r| r.state == RunState::Locked.name()).collect();
    for earlier in &locked {
        let earlier_period =
            Period::parse_fiscal(&earlier.period, fiscal).map_err(|e| IncentiveError::Bad(e.to_string()))?;
        if earlier_period.end_exclusive() > period.start() {
            continue;
        }
        let versions: Vec<Version> = serde_json::from_str(&earlier.plans).map_err(|_| broken(earlier.id, "plans"))?;
        let now = crate::run(&facts, &Schedule::of(versions)?, &earlier_period).await?;
        let paid = paid_for(&earlier.period, &locked)?;
        settle(&mut run, &earlier.period, &paid, &now);
    }
    let used = serde_json::to_string(&schedule.used(period)).unwrap_or_default();
    let result = serde_json::to_string(&run).map_err(|e| IncentiveError::Bad(e.to_string()))?;
    let total = run.total.to_string();
    let new = NewPayoutRun {
        period: &run.period,
        plan: &run.plan,
        plans: &used,
        data: &facts.pinned(),
        result: &result,
        total: &total,
    };
    let id = workspace.catalog().save_payout_run(&new, actor).await.map_err(store)?;
    Ok((id, run))
}

/// What the locked runs paid each rep for `period`: its own run's totals
/// and the adjustment lines for it in the runs locked after.
fn paid_for(period: &str, locked: &[&PayoutRunRow]) -> Result<BTreeMap<String, Decimal>, IncentiveError> {
    let mut paid: BTreeMap<String, Decimal> = BTreeMap::new();
    for row in locked {
        let run = result_of(row)?;
        for statement in &run.statements {
            let entry = paid.entry(statement.rep_id.clone()).or_default();
            if row.period == period {
                *entry +=
                    statement.lines.iter().filter(|l| l.component != ADJUSTMENT).map(|l| l.amount).sum::<Decimal>();
            }
            *entry += statement
                .lines
                .iter()
                .filter(|l| l.component == ADJUSTMENT && l.period == period)
                .map(|l| l.amount)
                .sum::<Decimal>();
        }
    }
    Ok(paid)
}

/// Adds to `run` an adjustment line per rep whose pay for `period` is now
/// other than `paid` (pure).
pub fn settle(run: &mut Run, period: &str, paid: &BTreeMap<String, Decimal>, now: &Run) {
    let mut reps: Vec<(&str, &str)> = now.statements.iter().map(|s| (s.rep_id.as_str(), s.name.as_str())).collect();
    reps.extend(
        paid.keys().filter(|r| now.statements.iter().all(|s| &s.rep_id != *r)).map(|r| (r.as_str(), r.as_str())),
    );
    for (rep, name) in reps {
        let was = paid.get(rep).copied().unwrap_or_default();
        let is = now.statements.iter().find(|s| s.rep_id == rep).map_or(Decimal::ZERO, |s| s.total);
        let change = round(is - was, crate::Rounding::HalfUp);
        if change.is_zero() {
            continue;
        }
        let line = Line::pay(ADJUSTMENT, period, crate::money(was), crate::money(is), Decimal::ZERO, change);
        match run.statements.iter_mut().find(|s| s.rep_id == rep) {
            Some(statement) => {
                statement.lines.push(line);
                statement.total += change;
            }
            None => run.statements.push(Statement {
                rep_id: rep.to_owned(),
                name: name.to_owned(),
                total: change,
                lines: vec![line],
                notes: Vec::new(),
            }),
        }
        run.total += change;
    }
}

/// Takes `step` on run `id` by `actor`; the run's row after it.
pub async fn step(workspace: &Workspace, id: i64, step: RunStep, actor: &str) -> Result<PayoutRunRow, IncentiveError> {
    let catalog = workspace.catalog();
    let row = catalog.payout_run(id).await.map_err(store)?;
    let from = RunState::parse(&row.state)?;
    let to = step.apply(id, from)?;
    if to == RunState::Locked {
        let rows = catalog.payout_runs().await.map_err(store)?;
        let locked = rows.iter().filter(|r| r.state == RunState::Locked.name());
        if let Some(other) = locked.clone().find(|r| r.period == row.period) {
            return Err(IncentiveError::Refused(format!(
                "{} has a locked run already (payout run {}): a later change is settled in a later period's run",
                row.period, other.id
            )));
        }
        // Its settlements were worked out against the runs locked then: one
        // locked since may have settled the same changes.
        if let Some(other) = locked.clone().find(|r| r.locked_at.is_some_and(|at| at > row.created_at)) {
            return Err(IncentiveError::Refused(format!(
                "payout run {id} was calculated before payout run {} was locked: calculate it again",
                other.id
            )));
        }
    }
    if !catalog.payout_run_step(id, (step.name(), from.name(), to.name()), actor).await.map_err(store)? {
        return Err(IncentiveError::Refused(format!("payout run {id} changed meanwhile")));
    }
    catalog.payout_run(id).await.map_err(store)
}

/// Computes run `id` again from the fact files and plan texts it pinned and
/// compares its lines with the stored ones (its adjustment lines, settled
/// from the other runs locked then, aside): what differs, rep by rep; none
/// when it reproduces.
pub async fn verify(workspace: &Workspace, id: i64) -> Result<Vec<String>, IncentiveError> {
    let row = workspace.catalog().payout_run(id).await.map_err(store)?;
    let files: Vec<yeji_store::TableVersion> = serde_json::from_str(&row.data).map_err(|_| broken(id, "pins"))?;
    let versions: Vec<Version> = serde_json::from_str(&row.plans).map_err(|_| broken(id, "plans"))?;
    let period = Period::parse_fiscal(&row.period, workspace.settings().fiscal_year_first_month)
        .map_err(|e| IncentiveError::Bad(e.to_string()))?;
    let again = crate::run(&workspace.facts_at(&files)?, &Schedule::of(versions)?, &period).await?;
    let stored = result_of(&row)?;
    let own = |s: &Statement| s.lines.iter().filter(|l| l.component != ADJUSTMENT).cloned().collect::<Vec<Line>>();
    let mut differences = Vec::new();
    for statement in &stored.statements {
        let now = again.statements.iter().find(|s| s.rep_id == statement.rep_id);
        if now.map(own) != Some(own(statement)) {
            differences.push(format!("{}: the stored lines are not what its data pays", statement.rep_id));
        }
    }
    for statement in again.statements.iter().filter(|s| stored.statements.iter().all(|t| t.rep_id != s.rep_id)) {
        differences.push(format!("{}: paid by its data, missing from the run", statement.rep_id));
    }
    Ok(differences)
}

/// A period's pay: its locked run, else its latest saved run, else computed
/// now under the saved plans (`run` none).
pub struct RunFound {
    pub run: Option<i64>,
    pub state: Option<String>,
    pub period: String,
    pub plan: String,
    pub statements: Vec<Statement>,
}

impl RunFound {
    /// Where it comes from: "payout run 3, locked" or "not saved".
    pub fn source(&self) -> String {
        source(self.run, self.state.as_deref())
    }
}

impl Found {
    /// Where it comes from: "payout run 3, locked" or "not saved".
    pub fn source(&self) -> String {
        source(self.run, self.state.as_deref())
    }
}

fn source(run: Option<i64>, state: Option<&str>) -> String {
    run.map_or("not saved".into(), |id| format!("payout run {id}, {}", state.unwrap_or_default()))
}

pub async fn run_for(
    catalog: &yeji_store::Catalog,
    facts: &yeji_eval::Facts,
    period: &Period,
) -> Result<RunFound, IncentiveError> {
    let rows = catalog.payout_runs().await.map_err(store)?;
    let of_period: Vec<&PayoutRunRow> = rows.iter().filter(|r| r.period == period.to_string()).collect();
    let locked = of_period.iter().find(|r| r.state == RunState::Locked.name());
    let saved = locked.or(of_period.last()).copied();
    let (run, state, result) = match saved {
        Some(row) => (Some(row.id), Some(row.state.clone()), result_of(row)?),
        None => (None, None, crate::run(facts, &Schedule::saved(catalog).await?, period).await?),
    };
    Ok(RunFound { run, state, period: result.period, plan: result.plan, statements: result.statements })
}

/// A rep's statement for a period, from [`run_for`].
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Found {
    pub run: Option<i64>,
    pub state: Option<String>,
    pub period: String,
    pub plan: String,
    pub statement: Statement,
}

pub async fn statement_for(
    catalog: &yeji_store::Catalog,
    facts: &yeji_eval::Facts,
    period: &Period,
    rep: &str,
) -> Result<Found, IncentiveError> {
    let RunFound { run, state, period: shown, plan, statements } = run_for(catalog, facts, period).await?;
    let statement = statements
        .into_iter()
        .find(|s| s.rep_id == rep)
        .ok_or_else(|| IncentiveError::NoStatement { rep: rep.to_owned(), period: period.to_string() })?;
    Ok(Found { run, state, period: shown, plan, statement })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    fn run_of(totals: &[(&str, &str)]) -> Run {
        let statements: Vec<Statement> = totals
            .iter()
            .map(|(rep, total)| Statement {
                rep_id: (*rep).into(),
                name: (*rep).into(),
                total: d(total),
                lines: vec![],
                notes: vec![],
            })
            .collect();
        let total = statements.iter().map(|s| s.total).sum();
        Run { period: "2026-11".into(), plan: "p".into(), statements, total }
    }

    #[test]
    fn a_changed_locked_period_is_settled_by_the_difference() {
        // October paid R1 32,400 and R2 100; now R1's October pays 25,000
        // (a return after payout): −7,400 on R1's November statement; R2 unchanged.
        let mut november = run_of(&[("R1", "0.00")]);
        let paid: BTreeMap<String, Decimal> = [("R1".into(), d("32400.00")), ("R2".into(), d("100.00"))].into();
        settle(&mut november, "2026-10", &paid, &run_of(&[("R1", "25000.00"), ("R2", "100.00")]));
        let r1 = &november.statements[0];
        assert_eq!(
            (r1.lines[0].component.as_str(), r1.lines[0].period.as_str(), r1.lines[0].amount),
            ("adjustment", "2026-10", d("-7400.00"))
        );
        assert_eq!((r1.total, november.total, november.statements.len()), (d("-7400.00"), d("-7400.00"), 1));
    }

    #[test]
    fn a_run_is_approved_then_locked_and_then_nothing() {
        assert_eq!(RunStep::Approve.apply(1, RunState::Calculated).unwrap(), RunState::Approved);
        assert_eq!(RunStep::Lock.apply(1, RunState::Approved).unwrap(), RunState::Locked);
        assert_eq!(
            RunStep::Lock.apply(1, RunState::Calculated).unwrap_err().to_string(),
            "refused: payout run 1 is calculated: lock needs it approved"
        );
        assert_eq!(
            RunStep::Approve.apply(1, RunState::Locked).unwrap_err().to_string(),
            "refused: payout run 1 is locked: nothing changes it"
        );
    }
}
