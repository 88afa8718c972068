//! A plan's effect (SPEC §15.5): for each item linked to a KPI, the rep's
//! value in the quarter before the plan's start and in the quarter of the
//! item's evaluation date (months with `--grain month`), against the mean of
//! a comparison group (reps of the same level without a plan, those without
//! a value left out), as a difference in differences:
//! effect = (after − before) − (comparison after − comparison before).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;
use yeji_core::scheme::Scheme;
use yeji_core::{Level, Org, Period};
use yeji_eval::{Evaluation, Facts};

use crate::{Plan, PlanError};

/// A comparison group smaller than this says nothing.
pub const MIN_GROUP: usize = 3;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    pub period: String,
    pub value: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    pub rep_ids: Vec<String>,
    pub before: Option<f64>,
    pub after: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ItemEffect {
    pub kpi: String,
    pub before: Measured,
    pub after: Measured,
    pub comparison: Comparison,
    pub effect: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Effect {
    pub plan_id: i64,
    pub rep_id: String,
    pub items: Vec<ItemEffect>,
}

/// The period holding `day` at the grain asked.
fn period_of(day: NaiveDate, months: bool) -> Period {
    if months { Period::month_of(day) } else { Period::quarter_of(day) }
}

/// The periods an item is measured in: before the plan, at its evaluation date.
pub fn periods(plan: &Plan, evaluation_date: NaiveDate, months: bool) -> (Period, Period) {
    (period_of(plan.start, months).previous(), period_of(evaluation_date, months))
}

/// Reps of `rep`'s level at the plan's start, other than those with a plan.
pub fn comparison_group(org: &Org, plan: &Plan, planned: &[String]) -> Vec<String> {
    let level_of = |rep: &str| org.rep_on(rep, Some(plan.start)).and_then(|r| r.level.clone());
    let level = level_of(&plan.rep_id);
    let mut group: Vec<String> = org
        .rep_ids()
        .into_iter()
        .filter(|r| *r != plan.rep_id && !planned.iter().any(|p| p == r) && level_of(r) == level)
        .map(str::to_owned)
        .collect();
    group.sort();
    group
}

fn value(evaluation: &Evaluation, rep: &str, kpi: &str) -> Option<f64> {
    let result = evaluation.results.iter().find(|r| r.level == Level::Rep && r.id == rep)?;
    result.kpis.get(kpi)?.value
}

fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0usize), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| sum / n as f64)
}

/// The effect of plan `plan_id` from the evaluations of the periods it needs
/// (by period name) and its comparison group.
/// An item whose after-period runs past `data_end` (the last day with data)
/// is not measured yet: a part of a period says nothing of the whole.
pub fn effect(
    (plan_id, plan): (i64, &Plan),
    group: &[String],
    evaluations: &BTreeMap<String, Evaluation>,
    months: bool,
    data_end: Option<NaiveDate>,
) -> Effect {
    let items = plan
        .items
        .iter()
        .filter_map(|item| {
            let kpi = item.kpi?.as_str();
            let (before, after) = periods(plan, item.evaluation_date, months);
            let at = |period: &Period, rep: &str| evaluations.get(&period.to_string()).and_then(|e| value(e, rep, kpi));
            let group_mean = |period: &Period| mean(group.iter().filter_map(|r| at(period, r)));
            let (mine_before, mine_after) = (at(&before, &plan.rep_id), at(&after, &plan.rep_id));
            let comparison =
                Comparison { rep_ids: group.to_vec(), before: group_mean(&before), after: group_mean(&after) };
            let unfinished = data_end.filter(|end| *end < after.last_day());
            let effect = match (mine_before, mine_after, comparison.before, comparison.after, unfinished) {
                (Some(b), Some(a), Some(cb), Some(ca), None) => Some((a - b) - (ca - cb)),
                _ => None,
            };
            let note = match unfinished {
                Some(end) => Some(format!("{after} is not over in the data (which ends {end}): measured once it is")),
                None => (group.len() < MIN_GROUP).then(|| {
                    format!(
                        "the comparison group has {} reps: too few (under {MIN_GROUP}) to say anything",
                        group.len()
                    )
                }),
            };
            Some(ItemEffect {
                kpi: kpi.to_owned(),
                before: Measured { period: before.to_string(), value: mine_before },
                after: Measured { period: after.to_string(), value: mine_after },
                comparison,
                effect,
                note,
            })
        })
        .collect();
    Effect { plan_id, rep_id: plan.rep_id.clone(), items }
}

/// What the plans linked to one KPI achieved: how many there are, how many
/// have a measured effect (a group of at least [`MIN_GROUP`]), and the mean of
/// those effects, so a director sees which kinds of action work.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KpiEffects {
    pub kpi: String,
    pub items: usize,
    pub measured: usize,
    pub mean_effect: Option<f64>,
}

/// The effects of `effects`' items by KPI, in KPI order.
pub fn by_kpi(effects: &[Effect]) -> Vec<KpiEffects> {
    let mut kpis: BTreeMap<&str, (usize, Vec<f64>)> = BTreeMap::new();
    for item in effects.iter().flat_map(|e| &e.items) {
        let entry = kpis.entry(&item.kpi).or_default();
        entry.0 += 1;
        entry.1.extend(item.effect.filter(|_| item.note.is_none()));
    }
    kpis.into_iter()
        .map(|(kpi, (items, measured))| KpiEffects {
            kpi: kpi.to_owned(),
            items,
            measured: measured.len(),
            mean_effect: mean(measured.iter().copied()),
        })
        .collect()
}

/// Evaluates the periods plan `plan_id` needs and measures its effect.
pub async fn measure(
    facts: &Facts,
    scheme: &Scheme,
    (plan_id, plan): (i64, &Plan),
    planned: &[String],
    months: bool,
) -> Result<Effect, PlanError> {
    let mut evaluations = BTreeMap::new();
    for item in &plan.items {
        let (before, after) = periods(plan, item.evaluation_date, months);
        for period in [before, after] {
            if let std::collections::btree_map::Entry::Vacant(entry) = evaluations.entry(period.to_string()) {
                entry.insert(yeji_eval::evaluate_cached(facts, &period, scheme).await?);
            }
        }
    }
    let group = comparison_group(facts.org(), plan, planned);
    let data_end = yeji_eval::order_dates(facts).await?.map(|(_, last)| last);
    Ok(effect((plan_id, plan), &group, &evaluations, months, data_end))
}

#[cfg(test)]
mod tests {
    use super::*;
    use yeji_eval::{EntityResult, KpiResult};

    fn evaluation(period: &str, values: &[(&str, Option<f64>)]) -> Evaluation {
        let result = |(id, value): &(&str, Option<f64>)| EntityResult {
            level: Level::Rep,
            id: (*id).to_owned(),
            name: (*id).to_owned(),
            unit_id: Some("T".into()),
            kind: None,
            kpis: [(
                "new_customer_rate".to_owned(),
                KpiResult { value: *value, target: None, score: None, weight: None },
            )]
            .into(),
            score: None,
            grade: None,
            rank: None,
            rank_of: 0,
            redistributed: vec![],
        };
        Evaluation {
            period: period.into(),
            scheme: "default".into(),
            slice: None,
            results: values.iter().map(result).collect(),
        }
    }

    #[test]
    fn the_effect_is_a_difference_in_differences() {
        let plan = Plan::parse(
            "[plan]\nrep_id = 'R1'\nkind = 'pip'\nstart = '2026-04-15'\n[[items]]\nitem = '新客户开发'\n\
             current_level = 2\ntarget_level = 4\nevaluation_date = '2026-09-30'\nkpi = 'new_customer_rate'\ngoal = 0.2\n",
            "p.toml",
        )
        .unwrap();
        // R1 goes 0.08 → 0.20 (+0.12); the group R2, R3, R4 (R4 has no value
        // after: left out) averages 0.10 → 0.13 (R2 0.10→0.12, R3 0.10→0.14): +0.03.
        let evaluations = [
            (
                "2026-Q1".to_owned(),
                evaluation(
                    "2026-Q1",
                    &[("R1", Some(0.08)), ("R2", Some(0.10)), ("R3", Some(0.10)), ("R4", Some(0.10))],
                ),
            ),
            (
                "2026-Q3".to_owned(),
                evaluation("2026-Q3", &[("R1", Some(0.20)), ("R2", Some(0.12)), ("R3", Some(0.14)), ("R4", None)]),
            ),
        ]
        .into();
        let group = ["R2".to_owned(), "R3".to_owned(), "R4".to_owned()];
        let measured = effect((7, &plan), &group, &evaluations, false, None);
        let item = &measured.items[0];
        assert_eq!((item.before.period.as_str(), item.after.period.as_str()), ("2026-Q1", "2026-Q3"));
        assert!((item.comparison.before.unwrap() - 0.10).abs() < 1e-12);
        assert!((item.comparison.after.unwrap() - 0.13).abs() < 1e-12);
        assert!((item.effect.unwrap() - 0.09).abs() < 1e-12, "(0.20 − 0.08) − (0.13 − 0.10) = 0.09");
        assert_eq!(item.note, None);
        let small = effect((7, &plan), &group[..2], &evaluations, false, None);
        assert!(small.items[0].note.as_deref().unwrap().contains("has 2 reps: too few"));
        let early = effect((7, &plan), &group, &evaluations, false, NaiveDate::from_ymd_opt(2026, 8, 31));
        assert_eq!(early.items[0].effect, None);
        assert!(
            early.items[0].note.as_deref().unwrap().contains("2026-Q3 is not over in the data (which ends 2026-08-31)")
        );
        let summary = by_kpi(&[measured.clone(), small.clone(), measured.clone()]);
        assert_eq!(summary.len(), 1);
        assert_eq!((summary[0].items, summary[0].measured), (3, 2), "the too-small group's effect is not counted");
        assert!((summary[0].mean_effect.unwrap() - 0.09).abs() < 1e-12);
        let monthly = effect((7, &plan), &group, &evaluations, true, None);
        assert_eq!(
            (monthly.items[0].before.period.as_str(), monthly.items[0].after.period.as_str()),
            ("2026-03", "2026-09")
        );
        assert_eq!(monthly.items[0].effect, None, "no evaluation of those months given");
    }
}
