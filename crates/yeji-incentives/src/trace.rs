//! A statement line traced to its rows: the order lines behind a bonus or a
//! commission on booked revenue or gross profit (with the rep's share of
//! split lines), the payments behind a commission on collected revenue, the
//! invoices of the month whose holdback a release or forfeit concerns.

use yeji_core::Period;
use yeji_eval::{Facts, PayBasis};
use yeji_store::Catalog;

use crate::{ADJUSTMENT, IncentiveError, Kind, Line, LineKind, Measure, Plan, Schedule};

/// A line and the rows behind it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, serde::Serialize)]
pub struct Traced {
    pub line: Line,
    pub basis: PayBasis,
    pub columns: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// Whether `line` has rows of its own: an adjustment settles another
/// period's statement, whose lines hold its rows.
pub fn traceable(line: &Line) -> bool {
    line.component != ADJUSTMENT
}

/// What `line` was computed from under `plan`, and for which month (pure).
pub fn basis_of(line: &Line, plan: &Plan) -> Result<(PayBasis, String), IncentiveError> {
    if matches!(line.kind, LineKind::Release | LineKind::Forfeit) {
        return Ok((PayBasis::Invoices, line.of.clone().unwrap_or_else(|| line.period.clone())));
    }
    if !traceable(line) {
        return Err(IncentiveError::Bad(format!(
            "an adjustment settles {}: its rows are those of {}'s statement",
            line.period, line.period
        )));
    }
    let component = plan
        .components
        .iter()
        .find(|c| c.id == line.component)
        .ok_or_else(|| IncentiveError::Bad(format!("plan {} has no component '{}'", plan.id, line.component)))?;
    let basis = match component.kind {
        Kind::Commission { measure: Measure::Collected, .. } => PayBasis::Collected,
        _ => PayBasis::Booked,
    };
    Ok((basis, line.period.clone()))
}

/// Line `number` (1 = the first, as the statement lists them) of `rep`'s
/// statement for `period`, with its rows.
pub async fn trace(
    (catalog, facts): (&Catalog, &Facts),
    (rep, period): (&str, &Period),
    number: usize,
) -> Result<Traced, IncentiveError> {
    let found = crate::statement_for(catalog, facts, period, rep).await?;
    let count = found.statement.lines.len();
    let line = number.checked_sub(1).and_then(|i| found.statement.lines.get(i)).cloned().ok_or_else(|| {
        IncentiveError::Bad(format!("line {number}: {rep}'s statement for {period} has lines 1 to {count}"))
    })?;
    let schedule = Schedule::saved(catalog).await?;
    let plan = schedule
        .for_month(&line.period)
        .map(|(_, plan)| plan)
        .ok_or_else(|| IncentiveError::Bad(format!("no incentive plan in effect in {}", line.period)))?;
    let (basis, month) = basis_of(&line, plan)?;
    let month: Period =
        month.parse().map_err(|e: yeji_core::period::PeriodError| IncentiveError::Bad(e.to_string()))?;
    let (columns, rows) = yeji_eval::pay_rows(facts, rep, &month, basis).await?;
    Ok(Traced { line, basis, columns, rows })
}

#[cfg(test)]
mod tests {
    use rust_decimal::Decimal;

    use super::*;

    #[test]
    fn a_line_is_traced_to_what_its_component_was_computed_from() {
        let plan =
            Plan::parse(&crate::SEED_PLAN.replace("measure = \"revenue\"", "measure = \"collected\""), "p").unwrap();
        let line = |component: &str, kind| Line {
            kind,
            of: Some("2026-01".into()),
            ..Line::pay(component, "2026-03", Decimal::ONE, Decimal::ONE, Decimal::ONE, Decimal::ONE)
        };
        let basis = |l: &Line| basis_of(l, &plan).map_err(|e| e.to_string());
        assert_eq!(basis(&line("bonus", LineKind::Pay)), Ok((PayBasis::Booked, "2026-03".into())));
        assert_eq!(basis(&line("commission", LineKind::Pay)), Ok((PayBasis::Collected, "2026-03".into())));
        assert_eq!(basis(&line("commission", LineKind::Release)), Ok((PayBasis::Invoices, "2026-01".into())));
        assert_eq!(
            basis(&line(ADJUSTMENT, LineKind::Pay)),
            Err("an adjustment settles 2026-03: its rows are those of 2026-03's statement".into())
        );
    }
}
