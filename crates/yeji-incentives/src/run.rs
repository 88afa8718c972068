//! A run: what the plans of a schedule pay every rep for a period, from the
//! facts through yeji-eval: each rep's money per month (`rep_money`), the
//! months' revenue targets, the reps.csv row in effect on each month's last
//! day (base salary, level, unit), and where a plan holds commission back,
//! what became of each month's invoices (`invoice_flows`) over the months a
//! holdback may still be released in.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use yeji_core::{Org, Period};
use yeji_eval::{Facts, Flow};

use crate::holdback::{Held, InvoiceMonth, releases};
use crate::plan::{Kind, Plan};
use crate::statement::held;
use crate::targets::TargetChange;
use crate::{IncentiveError, RepMonth, Run, Schedule, Statement, statement};

type Money = BTreeMap<(String, String), yeji_eval::RepMoney>;
/// (aging days, rep) → invoice month → what became of its invoices.
type Invoices = BTreeMap<(Option<u32>, String), BTreeMap<String, InvoiceMonth>>;

fn exact(text: &str, what: &str) -> Result<Decimal, IncentiveError> {
    text.parse().map_err(|_| IncentiveError::Bad(format!("{what} '{text}' is not an exact decimal")))
}

/// A rep's revenue in a period beside their revenue target for it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Attained {
    pub revenue: Decimal,
    /// The sum of the months' targets; none when a month has none.
    pub target: Option<Decimal>,
}

impl Attained {
    /// Revenue / target, exact (the bands compare it unrounded).
    pub fn attainment(&self) -> Option<Decimal> {
        self.target.filter(|t| !t.is_zero()).map(|t| self.revenue / t)
    }
}

/// What the plans of `schedule` pay every rep active in, selling in or
/// collecting in `period`, each month under the plan in effect then.
pub async fn run(facts: &Facts, schedule: &Schedule, period: &Period) -> Result<Run, IncentiveError> {
    Ok(run_with(facts, schedule, period, &TargetChange::default()).await?.0)
}

/// [`run`] against the revenue targets as `change` changes them, with each
/// statement's rep's attainment (by rep id).
pub(crate) async fn run_with(
    facts: &Facts,
    schedule: &Schedule,
    period: &Period,
    change: &TargetChange,
) -> Result<(Run, BTreeMap<String, Attained>), IncentiveError> {
    let org = facts.org();
    let mut months = Vec::new();
    let mut plans: Vec<(i64, &Plan)> = Vec::new();
    for month in period.months() {
        let (version, plan) = schedule.for_month(&month.to_string()).ok_or_else(|| {
            IncentiveError::Bad(format!("no incentive plan in effect in {month} (yeji incentive plan save --from)"))
        })?;
        check_units(plan, org)?;
        if !plans.iter().any(|(v, _)| *v == version) {
            plans.push((version, plan));
        }
        let mut targets = BTreeMap::new();
        for (entity, value) in yeji_eval::targets_of(facts, &month, "revenue").await? {
            targets.insert(entity, exact(&value, "target")?);
        }
        change.apply(&mut targets);
        months.push((month, version, targets));
    }
    let reach = reach(facts, schedule, period).await?;
    let money = yeji_eval::rep_money(facts, &reach).await?;
    let invoices = invoices(facts, schedule, &reach).await?;
    let calendar: Vec<String> = reach.months().iter().map(ToString::to_string).collect();
    let first_paid = period.months()[0].to_string();
    let (mut statements, mut attained) = (Vec::new(), BTreeMap::new());
    for rep in org.rep_ids() {
        let active = |month: &Period| org.rep_on(rep, Some(month.last_day())).is_some_and(|row| row.active);
        let paid = |month: &Period| money.contains_key(&(rep.to_owned(), month.to_string()));
        if !months.iter().any(|(month, _, _)| active(month) || paid(month)) {
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
        let mut period_figures = Attained { revenue: Decimal::ZERO, target: Some(Decimal::ZERO) };
        for (version, plan) in &plans {
            let mut rep_months = Vec::new();
            for (month, _, targets) in months.iter().filter(|(_, v, _)| v == version) {
                let figures = rep_month(&money, org, rep, month, targets.get(rep).copied());
                period_figures.revenue += figures.revenue;
                period_figures.target = period_figures.target.zip(figures.target).map(|(a, b)| a + b);
                rep_months.push(figures);
            }
            let part = statement(plan, (rep, name), &rep_months);
            whole.total += part.total;
            whole.lines.extend(part.lines);
            whole.notes.extend(part.notes);
        }
        for month in reach.months() {
            let Some((_, plan)) = schedule.for_month(&month.to_string()) else { continue };
            let figures = rep_month(&money, org, rep, &month, None);
            for held in holdbacks(plan, &figures) {
                let theirs = invoices.get(&(held.holdback.aged_days, rep.to_owned())).and_then(|m| m.get(&held.month));
                let lines = releases(&held, theirs, &calendar, &first_paid, plan.rounding);
                whole.total += lines.iter().map(|l| l.amount).sum::<Decimal>();
                whole.lines.extend(lines);
            }
        }
        whole.lines.sort_by(|a, b| a.period.cmp(&b.period));
        statements.push(whole);
        attained.insert(rep.to_owned(), period_figures);
    }
    let total = statements.iter().map(|s| s.total).sum();
    let ids: Vec<String> =
        plans.iter().map(|(v, p)| if *v == 0 { p.id.clone() } else { format!("{} v{v}", p.id) }).collect();
    Ok((Run { period: period.to_string(), plan: ids.join(", "), statements, total }, attained))
}

/// The months a run reads: the period, and before it back to the month of
/// the earliest invoice still open at its start, within the schedule's reach.
async fn reach(facts: &Facts, schedule: &Schedule, period: &Period) -> Result<Period, IncentiveError> {
    let widest = schedule.reach(period);
    let mut first = period.start();
    for age in schedule.holdback_ages() {
        if let Some(open) = yeji_eval::first_open_invoice(facts, period.start(), age).await? {
            first = first.min(Period::month_of(open).start());
        }
    }
    Ok(Period::day_range(first.max(widest.start()), period.last_day()))
}

/// The figures of `rep` in `month`.
fn rep_month(money: &Money, org: &Org, rep: &str, month: &Period, target: Option<Decimal>) -> RepMonth {
    let figures = money.get(&(rep.to_owned(), month.to_string())).cloned().unwrap_or_default();
    let row = org.rep_on(rep, Some(month.last_day()));
    RepMonth {
        month: month.to_string(),
        revenue: figures.revenue,
        gross_profit: figures.revenue - figures.cost,
        collected: figures.collected,
        target,
        base_salary: row.and_then(|row| row.base_salary),
        level: row.and_then(|row| row.level.clone()),
        units: row.map(|row| org.ancestors(&row.unit).into_iter().map(str::to_owned).collect()).unwrap_or_default(),
    }
}

/// What `plan`'s components hold back from a rep's `month`.
fn holdbacks(plan: &Plan, month: &RepMonth) -> Vec<Held> {
    let mut out = Vec::new();
    for component in &plan.components {
        if let Kind::Commission { holdback: Some(holdback), .. } = &component.kind {
            let amount = held(component, month, plan.rounding);
            if amount > Decimal::ZERO {
                let (component, month, holdback) = (component.id.clone(), month.month.clone(), holdback.clone());
                out.push(Held { component, month, amount, holdback });
            }
        }
    }
    out
}

/// A component's `applies_to` units must be units of the organisation.
fn check_units(plan: &Plan, org: &Org) -> Result<(), IncentiveError> {
    for component in &plan.components {
        if let Some(unit) = component.applies_to.units.iter().find(|u| org.unit(u).is_none()) {
            return Err(IncentiveError::Plan(format!(
                "plan {}: component '{}': applies_to unit '{unit}' is not a unit of the organisation",
                plan.id, component.id
            )));
        }
    }
    Ok(())
}

/// What became of the reps' invoices of each month in `reach`, for each
/// aging of the schedule's holdbacks (nothing when no plan holds back).
async fn invoices(facts: &Facts, schedule: &Schedule, reach: &Period) -> Result<Invoices, IncentiveError> {
    let mut out = Invoices::new();
    for age in schedule.holdback_ages() {
        for flow in yeji_eval::invoice_flows(facts, reach, age).await? {
            let amount = flow.amount;
            let month = out.entry((age, flow.rep)).or_default().entry(flow.invoiced).or_default();
            match flow.flow {
                Flow::Invoiced => month.invoiced += amount,
                Flow::Paid => month.paid.entry(flow.month).or_default().0 += amount,
                Flow::PaidLate => month.paid.entry(flow.month).or_default().1 += amount,
                Flow::Aged => *month.aged.entry(flow.month).or_default() += amount,
            }
        }
    }
    Ok(out)
}
