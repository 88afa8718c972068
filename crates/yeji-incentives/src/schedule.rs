//! Which plan is in effect in a month (a plan change mid-year): the saved
//! versions of the workspace, each from its first month until a later
//! version's (the newest version where two start in the same month), or one
//! plan given for every month (a file, for a trial or a what-if).

use serde::{Deserialize, Serialize};
use yeji_core::{Grain, Period};
use yeji_store::Catalog;

use crate::holdback::LOOKBACK_MONTHS;
use crate::plan::Kind;
use crate::{IncentiveError, Plan};

#[derive(Clone, Debug, PartialEq)]
pub struct Schedule {
    /// Oldest first, with their plans read.
    versions: Vec<(Version, Plan)>,
}

/// A plan version as a run records it: enough to compute the run again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Version {
    /// 0 for a plan file.
    pub version: i64,
    /// The first month (YYYY-MM) it is in effect; "" for every month.
    pub from: String,
    pub toml: String,
}

impl Schedule {
    /// The plans of `versions` (as a run recorded them).
    pub fn of(versions: Vec<Version>) -> Result<Schedule, IncentiveError> {
        let mut out = Vec::new();
        for version in versions {
            let plan = Plan::parse(&version.toml, &format!("plan version {}", version.version))?;
            out.push((version, plan));
        }
        Ok(Schedule { versions: out })
    }

    /// One plan file's `text` for every month.
    pub fn file(text: &str, name: &str) -> Result<Schedule, IncentiveError> {
        let plan = Plan::parse(text, name)?;
        Ok(Schedule { versions: vec![(Version { version: 0, from: String::new(), toml: text.to_owned() }, plan)] })
    }

    /// The workspace's saved versions.
    pub async fn saved(catalog: &Catalog) -> Result<Schedule, IncentiveError> {
        let rows = catalog.incentive_plans().await.map_err(|e| IncentiveError::Bad(format!("the catalog: {e}")))?;
        Schedule::of(
            rows.into_iter().map(|r| Version { version: r.version, from: r.effective_from, toml: r.toml }).collect(),
        )
    }

    /// Saved version `id` for every month (SPEC §15.6 `--plan ID`).
    pub async fn version(catalog: &Catalog, id: i64) -> Result<Schedule, IncentiveError> {
        let rows = catalog.incentive_plans().await.map_err(|e| IncentiveError::Bad(format!("the catalog: {e}")))?;
        let row = rows.into_iter().find(|r| r.version == id).ok_or_else(|| {
            IncentiveError::Bad(format!("no incentive plan version {id} (see `yeji incentive plan list`)"))
        })?;
        Schedule::of(vec![Version { version: row.version, from: String::new(), toml: row.toml }])
    }

    /// The plan in effect in `month` (YYYY-MM) and its version.
    pub fn for_month(&self, month: &str) -> Option<(i64, &Plan)> {
        self.versions
            .iter()
            .filter(|(v, _)| v.from.as_str() <= month)
            .max_by(|a, b| a.0.from.cmp(&b.0.from).then(a.0.version.cmp(&b.0.version)))
            .map(|(v, plan)| (v.version, plan))
    }

    /// The text of the plan in effect in `month`.
    pub fn text_for(&self, month: &str) -> Option<String> {
        let (version, _) = self.for_month(month)?;
        self.versions.iter().find(|(v, _)| v.version == version).map(|(v, _)| v.toml.clone())
    }

    /// The distinct `aged_days` of the holdbacks of its plans (none: no plan holds back).
    pub fn holdback_ages(&self) -> Vec<Option<u32>> {
        let mut ages = Vec::new();
        for (_, plan) in &self.versions {
            for component in &plan.components {
                if let Kind::Commission { holdback: Some(holdback), .. } = &component.kind
                    && !ages.contains(&holdback.aged_days)
                {
                    ages.push(holdback.aged_days);
                }
            }
        }
        ages
    }

    /// The months a run of `period` reads: the period, and where a plan
    /// holds back commission, up to [`LOOKBACK_MONTHS`] before it from the
    /// first month a plan is in effect (holdbacks still to be released).
    pub fn reach(&self, period: &Period) -> Period {
        if self.holdback_ages().is_empty() {
            return *period;
        }
        let back = period.start() - chrono::Months::new(LOOKBACK_MONTHS);
        let first = self.versions.iter().map(|(v, _)| v.from.as_str()).min().unwrap_or("");
        let first = first.parse::<Period>().map_or(back, |p| p.start().max(back));
        Period::day_range(first, period.last_day())
    }

    /// The versions in effect in some month `period`'s run reads.
    pub fn used(&self, period: &Period) -> Vec<Version> {
        let months: Vec<String> = self.reach(period).months().iter().map(ToString::to_string).collect();
        let used: Vec<i64> = months.iter().filter_map(|m| self.for_month(m).map(|(v, _)| v)).collect();
        self.versions.iter().filter(|(v, _)| used.contains(&v.version)).map(|(v, _)| v.clone()).collect()
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

    fn version(version: i64, from: &str, id: &str) -> Version {
        Version { version, from: from.into(), toml: crate::SEED_PLAN.replace("sales-2026", id) }
    }

    #[test]
    fn the_newest_version_started_by_a_month_is_in_effect() {
        let schedule = Schedule::of(vec![
            version(1, "2026-01", "h1"),
            version(2, "2026-07", "h2"),
            version(3, "2026-07", "h2-fixed"),
        ])
        .unwrap();
        let id = |month: &str| schedule.for_month(month).map(|(v, p)| (v, p.id.clone()));
        assert_eq!(id("2025-12"), None);
        assert_eq!(id("2026-06"), Some((1, "h1".into())));
        assert_eq!(id("2026-07"), Some((3, "h2-fixed".into())));
        let used: Vec<i64> = schedule.used(&"2026-Q2".parse().unwrap()).iter().map(|v| v.version).collect();
        assert_eq!(used, [1]);
        let used: Vec<i64> = schedule.used(&"2026-H2".parse().unwrap()).iter().map(|v| v.version).collect();
        assert_eq!(used, [3]);
        let file = Schedule::file(crate::SEED_PLAN, "p.toml").unwrap();
        assert_eq!(file.for_month("1999-01").map(|(v, _)| v), Some(0));
    }
}
