//! The review of a quarter, half or year: the rep's months side by side
//! (score, grade, rank, the heaviest KPIs against their targets) and what
//! they say together: the run of monthly scores and its trend, the best and
//! the weakest month, each heavy KPI month by month against its target.
//! Grounded like a draft: every number in a sentence is cited, with the
//! month it belongs to. Months after the data's last order, and before the
//! rep was hired, are left out.

use serde::{Deserialize, Serialize};
use yeji_core::scheme::Scheme;
use yeji_core::{KpiId, Level, Period};
use yeji_eval::Facts;

use crate::draft::{Cite, Point, What};
use crate::text;
use crate::{FeedbackError, Lang, Reps};

/// How many of the heaviest KPIs the review follows month by month.
const KPIS: usize = 3;

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MonthRow {
    pub period: String,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<usize>,
    pub rank_of: usize,
    /// The followed KPIs' value and target that month, in `Review::kpis` order.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<Option<f64>>>))]
    pub values: Vec<(Option<f64>, Option<f64>)>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Review {
    pub rep_id: String,
    pub name: String,
    pub period: String,
    pub lang: Lang,
    /// The KPIs followed: the scheme's heaviest.
    pub kpis: Vec<String>,
    pub months: Vec<MonthRow>,
    pub points: Vec<Point>,
}

fn cite(kpi: &str, what: What, value: f64, period: &str) -> Cite {
    Cite { kpi: kpi.to_owned(), what, value, period: Some(period.to_owned()), slice: None }
}

/// "逐月上升" and the like, from a run of scores.
fn trend(scores: &[f64], lang: Lang) -> &'static str {
    let rising = scores.windows(2).all(|w| w[1] > w[0]);
    let falling = scores.windows(2).all(|w| w[1] < w[0]);
    match (rising, falling, lang) {
        (true, _, Lang::Zh) => "逐月上升",
        (_, true, Lang::Zh) => "逐月下降",
        (_, _, Lang::Zh) => "有升有降",
        (true, _, Lang::En) => "rising every month",
        (_, true, Lang::En) => "falling every month",
        (_, _, Lang::En) => "up and down",
    }
}

fn score_points(review: &Review, lang: Lang) -> Vec<Point> {
    let scored: Vec<(&str, f64)> = review.months.iter().filter_map(|m| Some((m.period.as_str(), m.score?))).collect();
    if scored.len() < 2 {
        return Vec::new();
    }
    let scores: Vec<f64> = scored.iter().map(|(_, s)| *s).collect();
    let separator = if lang == Lang::Zh { "、" } else { ", " };
    let list = scores.iter().map(|s| format!("{s:.1}")).collect::<Vec<_>>().join(separator);
    let (best, worst) = scored.iter().fold((scored[0], scored[0]), |(best, worst), m| {
        (if m.1 > best.1 { *m } else { best }, if m.1 < worst.1 { *m } else { worst })
    });
    let cites = scored.iter().map(|(period, s)| cite("score", What::Value, *s, period)).collect();
    let run = match lang {
        Lang::Zh => format!("各月综合得分依次为 {list}，{}。", trend(&scores, lang)),
        Lang::En => format!("Monthly composite scores: {list}, {}.", trend(&scores, lang)),
    };
    let extremes = match lang {
        Lang::Zh => format!("最好的一个月得分 {:.1}，最弱的一个月得分 {:.1}。", best.1, worst.1),
        Lang::En => format!("The best month scored {:.1}, the weakest {:.1}.", best.1, worst.1),
    };
    let extreme_cites = vec![cite("score", What::Value, best.1, best.0), cite("score", What::Value, worst.1, worst.0)];
    vec![Point { text: run, kpi: None, cites }, Point { text: extremes, kpi: None, cites: extreme_cites }]
}

fn kpi_point(review: &Review, index: usize, kpi: KpiId, lang: Lang) -> Option<Point> {
    let mut parts = Vec::new();
    let mut cites = Vec::new();
    for month in &review.months {
        let (Some(value), target) = month.values[index] else { continue };
        cites.push(cite(kpi.as_str(), What::Value, value, &month.period));
        let mut part = text::value(kpi, value, lang);
        if let Some(target) = target {
            cites.push(cite(kpi.as_str(), What::Target, target, &month.period));
            part.push_str(&match lang {
                Lang::Zh => format!("（目标 {}）", text::value(kpi, target, lang)),
                Lang::En => format!(" (target {})", text::value(kpi, target, lang)),
            });
        }
        parts.push(part);
    }
    if parts.len() < 2 {
        return None;
    }
    let name = text::kpi_name(kpi, lang);
    let text = match lang {
        Lang::Zh => format!("{name}各月：{}。", parts.join("、")),
        Lang::En => format!("{name} by month: {}.", parts.join(", ")),
    };
    Some(Point { text, kpi: Some(kpi.as_str().to_owned()), cites })
}

/// The reviews of `reps` over the months of `period` (a quarter, half or year).
pub async fn review(
    facts: &Facts,
    period: &Period,
    scheme: &Scheme,
    reps: Reps<'_>,
    lang: Lang,
) -> Result<Vec<Review>, FeedbackError> {
    // The months with data: none after the last order.
    let last = yeji_eval::order_dates(facts).await?.map(|(_, last)| last);
    let months: Vec<Period> =
        period.months().into_iter().filter(|m| last.is_none_or(|last| m.start() <= last)).collect();
    if period.months().len() < 2 {
        return Err(FeedbackError::Refused(format!(
            "{period} is one month or less: a review summarises the months of a quarter, half or year"
        )));
    }
    let standings = crate::gather(facts, period, scheme, reps).await?;
    let mut evaluations = Vec::new();
    for month in &months {
        evaluations.push(yeji_eval::evaluate_cached(facts, month, scheme).await?);
    }
    let reviews = standings.iter().map(|standing| {
        let kpis: Vec<KpiId> = standing.kpis.iter().take(KPIS).map(|k| k.kpi).collect();
        let hired = facts.org().rep_on(&standing.rep_id, Some(period.last_day())).and_then(|r| r.hire_date);
        let worked = |month: &Period| hired.is_none_or(|hired| hired <= month.last_day());
        let rows = months.iter().zip(&evaluations).filter(|(month, _)| worked(month)).map(|(month, evaluation)| {
            let me = evaluation.results.iter().find(|r| r.level == Level::Rep && r.id == standing.rep_id);
            let values = kpis
                .iter()
                .map(|k| me.and_then(|r| r.kpis.get(k.as_str())).map_or((None, None), |v| (v.value, v.target)))
                .collect();
            MonthRow {
                period: month.to_string(),
                score: me.and_then(|r| r.score),
                grade: me.and_then(|r| r.grade.clone()),
                rank: me.and_then(|r| r.rank),
                rank_of: me.map_or(0, |r| r.rank_of),
                values,
            }
        });
        let mut review = Review {
            rep_id: standing.rep_id.clone(),
            name: standing.name.clone(),
            period: period.to_string(),
            lang,
            kpis: kpis.iter().map(|k| k.as_str().to_owned()).collect(),
            months: rows.collect(),
            points: Vec::new(),
        };
        let mut points = score_points(&review, lang);
        points.extend(kpis.iter().enumerate().filter_map(|(i, k)| kpi_point(&review, i, *k, lang)));
        review.points = points;
        review
    });
    Ok(reviews.collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quarter_has_three_months_and_a_year_twelve() {
        let q3 = "2026-Q3".parse::<Period>().unwrap().months();
        assert_eq!(q3.iter().map(Period::to_string).collect::<Vec<_>>(), ["2026-07", "2026-08", "2026-09"]);
        assert_eq!("2026".parse::<Period>().unwrap().months().len(), 12);
        assert_eq!("2026-09".parse::<Period>().unwrap().months().len(), 1);
    }

    #[test]
    fn the_scores_run_reads_its_trend_and_cites_each_month() {
        let month = |period: &str, score: f64| MonthRow {
            period: period.into(),
            score: Some(score),
            grade: None,
            rank: None,
            rank_of: 0,
            values: vec![],
        };
        let review = Review {
            rep_id: "R1".into(),
            name: "张三".into(),
            period: "2026-Q3".into(),
            lang: Lang::Zh,
            kpis: vec![],
            months: vec![month("2026-07", 72.14), month("2026-08", 75.3), month("2026-09", 80.2)],
            points: vec![],
        };
        let points = score_points(&review, Lang::Zh);
        assert_eq!(points[0].text, "各月综合得分依次为 72.1、75.3、80.2，逐月上升。");
        assert_eq!(points[1].text, "最好的一个月得分 80.2，最弱的一个月得分 72.1。");
        assert_eq!(points[1].cites[0].period.as_deref(), Some("2026-09"));
        assert!(crate::check::ungrounded_points(&points).is_empty());
        assert_eq!(trend(&[3.0, 2.0, 2.5], Lang::En), "up and down");
    }
}
