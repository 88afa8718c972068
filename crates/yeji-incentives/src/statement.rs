//! A rep's statement for a period (SPEC §15.6): every component of the plan
//! for each month of the period, line by line, and the total as the sum of
//! the rounded lines; what could not be paid says why (a bonus needs the
//! month's revenue target and a base salary).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::pay::{Line, LineKind, band_rate, commission_slices, limit, money, round};
use crate::plan::{Component, Kind, Measure, Plan, Rounding};

/// The notes of a bonus that could not be computed.
pub(crate) const NO_TARGET: &str = "no bonus without a revenue target";
const NO_SALARY: &str = "no bonus without a base salary";

/// A rep's figures for one month, exact.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepMonth {
    pub month: String,
    pub revenue: Decimal,
    pub gross_profit: Decimal,
    pub collected: Decimal,
    /// The revenue target for exactly this month.
    pub target: Option<Decimal>,
    /// From reps.csv, the row in effect on the month's last day.
    pub base_salary: Option<Decimal>,
    /// The rep's level and units (its own and those above) then.
    pub level: Option<String>,
    pub units: Vec<String>,
}

impl RepMonth {
    fn measure(&self, measure: Measure) -> Decimal {
        match measure {
            Measure::Revenue => self.revenue,
            Measure::GrossProfit => self.gross_profit,
            Measure::Collected => self.collected,
        }
    }
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Statement {
    pub rep_id: String,
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub total: Decimal,
    pub lines: Vec<Line>,
    /// Why a component paid nothing where it could not be computed.
    pub notes: Vec<String>,
}

/// The statement of rep `rep_id` (`name`) under `plan` for `months`.
pub fn statement(plan: &Plan, (rep_id, name): (&str, &str), months: &[RepMonth]) -> Statement {
    let (mut lines, mut notes) = (Vec::new(), Vec::new());
    for month in months {
        for component in plan.components.iter().filter(|c| c.applies_to.covers(month.level.as_deref(), &month.units)) {
            match component_lines(component, month, plan.rounding) {
                Ok(more) => lines.extend(more),
                Err(missing) => notes.push(format!("{} {}: {missing}", component.id, month.month)),
            }
        }
    }
    let total = lines.iter().map(|l| l.amount).sum::<Decimal>();
    Statement { rep_id: rep_id.to_owned(), name: name.to_owned(), total: round(total, plan.rounding), lines, notes }
}

/// What `component` pays for `month`, line by line; why it cannot be computed.
fn component_lines(component: &Component, month: &RepMonth, rounding: Rounding) -> Result<Vec<Line>, &'static str> {
    let line = |base, measure, rate, amount| Line::pay(&component.id, &month.month, base, measure, rate, amount);
    match &component.kind {
        Kind::AttainmentBonus { bands } => {
            let Some(salary) = month.base_salary else { return Err(NO_SALARY) };
            let Some(target) = month.target.filter(|t| !t.is_zero()) else { return Err(NO_TARGET) };
            let attainment = month.revenue / target;
            let rate = band_rate(attainment, bands);
            Ok(vec![line(money(salary), attainment.round_dp(6), rate, round(salary * rate, rounding))])
        }
        Kind::Commission { measure, method, tiers, cap, floor, holdback } => {
            let value = month.measure(*measure);
            let mut lines: Vec<Line> = commission_slices(value, tiers, *method)
                .into_iter()
                .map(|(slice, rate)| line(money(slice), money(value), rate, round(slice * rate, rounding)))
                .collect();
            let sum: Decimal = lines.iter().map(|l| l.amount).sum();
            if let Some(adjust) = limit(sum, *cap, *floor) {
                lines.push(line(sum, money(value), Decimal::ZERO, round(adjust, rounding)));
            }
            let earned: Decimal = lines.iter().map(|l| l.amount).sum();
            if let Some(holdback) = holdback.as_ref().filter(|_| earned > Decimal::ZERO) {
                let held = round(earned * holdback.share, rounding);
                lines.push(Line { kind: LineKind::Holdback, ..line(earned, money(value), holdback.share, -held) });
            }
            Ok(lines)
        }
    }
}

/// The commission `component` holds back from `month` (0 without a holdback).
pub(crate) fn held(component: &Component, month: &RepMonth, rounding: Rounding) -> Decimal {
    if !component.applies_to.covers(month.level.as_deref(), &month.units) {
        return Decimal::ZERO;
    }
    component_lines(component, month, rounding)
        .unwrap_or_default()
        .iter()
        .filter(|l| l.kind == LineKind::Holdback)
        .map(|l| -l.amount)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().unwrap()
    }

    const PLAN: &str = r#"
[plan]
id = "p"
[[components]]
id = "bonus"
kind = "attainment_bonus"
bands = [{ from = 1.00, rate = 0.05 }, { from = 0.90, rate = 0.02 }]
[[components]]
id = "commission"
kind = "commission"
tiers = [{ up_to = 500000, rate = 0.05 }, { rate = 0.07 }]
cap = 30000
"#;

    fn month(revenue: &str, target: Option<&str>) -> RepMonth {
        RepMonth {
            month: "2026-10".into(),
            revenue: d(revenue),
            gross_profit: Decimal::ZERO,
            collected: Decimal::ZERO,
            target: target.map(d),
            base_salary: Some(d("8000")),
            ..RepMonth::default()
        }
    }

    #[test]
    fn a_month_pays_its_bonus_band_and_its_capped_commission() {
        // 600,000 on a 600,000 target: 100 % → 5 % of 8,000 = 400.00; commission
        // 25,000 + 7,000 = 32,000 capped at 30,000 (a −2,000 line): total 30,400.00.
        let plan = Plan::parse(PLAN, "p.toml").unwrap();
        let s = statement(&plan, ("R1", "张伟"), &[month("600000", Some("600000"))]);
        let amounts: Vec<(&str, Decimal)> = s.lines.iter().map(|l| (l.component.as_str(), l.amount)).collect();
        assert_eq!(
            amounts,
            [
                ("bonus", d("400.00")),
                ("commission", d("25000.00")),
                ("commission", d("7000.00")),
                ("commission", d("-2000"))
            ]
        );
        assert_eq!(s.total, d("30400.00"));
        assert_eq!(s.lines[0].measure, d("1"));
    }

    #[test]
    fn no_target_no_bonus_and_the_statement_says_why() {
        // 539,991 on a 600,000 target is 89.9985 %: no bonus; without a target: a note.
        let plan = Plan::parse(PLAN, "p.toml").unwrap();
        let below = statement(&plan, ("R1", "张伟"), &[month("539991", Some("600000"))]);
        assert_eq!((below.lines[0].rate, below.lines[0].amount), (d("0"), d("0.00")));
        let none = statement(&plan, ("R1", "张伟"), &[month("100", None)]);
        assert_eq!(none.notes, ["bonus 2026-10: no bonus without a revenue target"]);
        assert_eq!(none.lines.iter().map(|l| l.component.as_str()).collect::<Vec<_>>(), ["commission"]);
        assert_eq!(none.total, d("5.00"));
    }
}
