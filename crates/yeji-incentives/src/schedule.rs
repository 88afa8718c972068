//! Which plan is in effect in a month (a plan change mid-year): the saved
//! versions of the workspace, each from its first month until a later
//! version's (the newest version where two start in the same month), or one
//! plan given for every month (a file, for a trial or a what-if).

use yeji_core::{Grain, Period};
use yeji_store::Catalog;

use crate::{IncentiveError, Plan};

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// (first month YYYY-MM, or "" for every month; version, 0 for a file; the plan), oldest first.
    versions: Vec<(String, i64, Plan)>,
}

impl Schedule {
    /// One plan for every month.
    pub fn single(plan: Plan) -> Schedule {
        Schedule { versions: vec![(String::new(), 0, plan)] }
    }

    /// The workspace's saved versions.
    pub async fn saved(catalog: &Catalog) -> Result<Schedule, IncentiveError> {
        let rows = catalog.incentive_plans().await.map_err(|e| IncentiveError::Bad(format!("the catalog: {e}")))?;
        let mut versions = Vec::new();
        for row in rows {
            let plan = Plan::parse(&row.toml, &format!("plan version {}", row.version))?;
            versions.push((row.effective_from, row.version, plan));
        }
        Ok(Schedule { versions })
    }

    /// The plan in effect in `month` (YYYY-MM) and its version.
    pub fn for_month(&self, month: &str) -> Option<(i64, &Plan)> {
        self.versions
            .iter()
            .filter(|(from, _, _)| from.as_str() <= month)
            .max_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)))
            .map(|(_, version, plan)| (*version, plan))
    }
}

/// Checks `text` and saves it as the next plan version, in effect from `from` (a month).
pub async fn save(catalog: &Catalog, text: &str, from: &Period, actor: &str) -> Result<i64, IncentiveError> {
    if from.grain() != Some(Grain::Month) {
        return Err(IncentiveError::Bad(format!("--from {from}: a plan takes effect from a month (YYYY-MM)")));
    }
    let plan = Plan::parse(text, "the plan")?;
    catalog
        .save_incentive_plan(&plan.id, &from.to_string(), text, actor)
        .await
        .map_err(|e| IncentiveError::Bad(format!("the catalog: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(id: &str) -> Plan {
        Plan::parse(&crate::SEED_PLAN.replace("sales-2026", id), "p").unwrap()
    }

    #[test]
    fn the_newest_version_started_by_a_month_is_in_effect() {
        let schedule = Schedule {
            versions: vec![
                ("2026-01".into(), 1, plan("h1")),
                ("2026-07".into(), 2, plan("h2")),
                ("2026-07".into(), 3, plan("h2-fixed")),
            ],
        };
        let id = |month: &str| schedule.for_month(month).map(|(v, p)| (v, p.id.clone()));
        assert_eq!(id("2025-12"), None);
        assert_eq!(id("2026-06"), Some((1, "h1".into())));
        assert_eq!(id("2026-07"), Some((3, "h2-fixed".into())));
        assert_eq!(Schedule::single(plan("x")).for_month("1999-01").map(|(v, _)| v), Some(0));
    }
}
