//! Recognition (seed 002 "突出业绩员工表彰", seed 003 "月度评选销冠之星、最佳服务奖"):
//! the period's top seller and best service, by rule (pure). The top seller
//! is the rep with the most revenue (ties: the higher attainment, then the
//! id); best service the rep whose customers rated them highest, among reps
//! rated in at least [`MIN_SURVEYS`] surveys, so that one glowing survey
//! does not win (ties: more surveys, then the id).

use std::collections::BTreeMap;

use serde::Serialize;
use yeji_eval::EntityResult;

/// The fewest surveys a rep is rated in to be the period's best service.
pub const MIN_SURVEYS: i64 = 3;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AwardKind {
    /// 销冠之星
    TopSeller,
    /// 最佳服务奖
    BestService,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Award {
    pub award: AwardKind,
    pub rep_id: String,
    pub name: String,
    /// Revenue, or the mean satisfaction (0–100).
    pub value: f64,
    /// Revenue: the attainment of its target; service: the number of surveys.
    pub basis: Option<f64>,
}

fn kpi(rep: &EntityResult, id: &str) -> Option<f64> {
    rep.kpis.get(id).and_then(|k| k.value)
}

/// The awards among `reps` (their results for the period), with the
/// number of surveys each was rated in.
pub fn recognise(reps: &[&EntityResult], surveys: &BTreeMap<String, i64>) -> Vec<Award> {
    let award = |award, rep: &EntityResult, value, basis| Award {
        award,
        rep_id: rep.id.clone(),
        name: rep.name.clone(),
        value,
        basis,
    };
    let mut out = Vec::new();
    let attainment = |rep: &EntityResult| {
        let revenue = rep.kpis.get("revenue")?;
        Some(revenue.value? / revenue.target.filter(|t| *t > 0.0)?)
    };
    let top = reps.iter().filter_map(|rep| kpi(rep, "revenue").filter(|v| *v > 0.0).map(|v| (rep, v))).max_by(
        |(a, x), (b, y)| {
            x.total_cmp(y)
                .then(attainment(a).unwrap_or(0.0).total_cmp(&attainment(b).unwrap_or(0.0)))
                .then(b.id.cmp(&a.id))
        },
    );
    if let Some((rep, revenue)) = top {
        out.push(award(AwardKind::TopSeller, rep, revenue, attainment(rep)));
    }
    let rated = |rep: &EntityResult| surveys.get(&rep.id).copied().unwrap_or(0);
    let best = reps
        .iter()
        .filter(|rep| rated(rep) >= MIN_SURVEYS)
        .filter_map(|rep| kpi(rep, "satisfaction").map(|v| (rep, v)))
        .max_by(|(a, x), (b, y)| x.total_cmp(y).then(rated(a).cmp(&rated(b))).then(b.id.cmp(&a.id)));
    if let Some((rep, satisfaction)) = best {
        out.push(award(AwardKind::BestService, rep, satisfaction, Some(rated(rep) as f64)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use yeji_eval::KpiResult;

    fn rep(id: &str, revenue: f64, target: Option<f64>, satisfaction: Option<f64>) -> EntityResult {
        let mut kpis = BTreeMap::new();
        kpis.insert("revenue".into(), KpiResult { value: Some(revenue), target, score: None, weight: None });
        kpis.insert("satisfaction".into(), KpiResult { value: satisfaction, target: None, score: None, weight: None });
        EntityResult {
            level: yeji_core::Level::Rep,
            id: id.into(),
            name: id.into(),
            unit_id: None,
            kind: None,
            kpis,
            score: None,
            grade: None,
            rank: None,
            rank_of: 0,
            redistributed: Vec::new(),
        }
    }

    #[test]
    fn the_most_revenue_and_the_best_rated_with_enough_surveys_win() {
        // R1 and R2 tie on 500,000: R2 reached 125 % of its 400,000, R1 100 %.
        // R3 is rated 100 in one survey (too few), R1 92 in 3, R2 92 in 5: R2.
        let reps = [
            rep("R1", 500_000.0, Some(500_000.0), Some(92.0)),
            rep("R2", 500_000.0, Some(400_000.0), Some(92.0)),
            rep("R3", 90_000.0, None, Some(100.0)),
        ];
        let surveys: BTreeMap<String, i64> = [("R1", 3), ("R2", 5), ("R3", 1)].map(|(r, n)| (r.to_owned(), n)).into();
        let awards = recognise(&reps.iter().collect::<Vec<_>>(), &surveys);
        let got: Vec<(AwardKind, &str, Option<f64>)> =
            awards.iter().map(|a| (a.award, a.rep_id.as_str(), a.basis)).collect();
        assert_eq!(got, [(AwardKind::TopSeller, "R2", Some(1.25)), (AwardKind::BestService, "R2", Some(5.0))]);
        // Nobody rated 3 times: no best service; nobody sold: no top seller.
        let none = recognise(&[&rep("R9", 0.0, None, Some(99.0))], &BTreeMap::new());
        assert!(none.is_empty());
    }
}
