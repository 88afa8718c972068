//! What each page shows, as data: the API returns these documents and the
//! pages render the same ones, so a number on a page is the number of the API
//! (and of the CLI, which reads the same evaluation).

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;
use yeji_core::{Level, Period};
use yeji_eval::report::{GradeCount, by_rank, grade_counts};
use yeji_eval::{
    CustomerRevenue, Dimension, EntityResult, Explanation, Facts, Funnel, LostCustomer, OverdueInvoice, Slice,
};

use yeji_people::Scope;

use crate::error::{Result, WebError};
use crate::state::{AppState, Key};
use crate::viewer::{Viewer, unknown_entity};

/// Revenue month by month over the 12 months that end with the period, beside
/// the same months a year earlier; `null` for a month before the data starts
/// (a gap in the chart, not a fall to 0).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Trend {
    pub months: Vec<String>,
    pub revenue: Vec<Option<f64>>,
    pub revenue_last_year: Vec<Option<f64>>,
    pub gross_profit: Vec<Option<f64>>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Breakdown {
    pub dimension: Dimension,
    pub slices: Vec<Slice>,
}

/// The overview of a period: the company's dashboard, or for a manager
/// that of their unit (everything in it limited to their scope).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Overview {
    pub period: String,
    pub previous_period: String,
    pub year_ago_period: String,
    /// The company, or the viewer's top unit.
    pub company: EntityResult,
    /// The name of every unit in scope, by id.
    pub units: BTreeMap<String, String>,
    pub regions: Vec<EntityResult>,
    pub trend: Trend,
    pub breakdowns: Vec<Breakdown>,
    /// The best reps, best rank first (at most 20; all are in `/api/v1/evaluation`).
    pub leaderboard: Vec<EntityResult>,
    /// The weakest reps, weakest last (at most 10, none of them in the leaderboard).
    pub bottom: Vec<EntityResult>,
    /// Reps with a score.
    pub scored_reps: usize,
    pub grades: Vec<GradeCount>,
    pub funnel: Funnel,
    /// The three best and three weakest teams by score.
    pub strongest: Vec<EntityResult>,
    pub weakest: Vec<EntityResult>,
    /// The period's top seller and best service among the reps in scope.
    pub recognition: Vec<yeji_incentives::Award>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Crumb {
    pub id: String,
    pub name: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct HistoryPoint {
    pub period: String,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<usize>,
    pub rank_of: usize,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Customers {
    /// The largest customers (at most 20).
    pub top: Vec<CustomerRevenue>,
    pub count: usize,
    /// How many customers are in class A, B and C.
    pub classes: BTreeMap<char, usize>,
    /// Customers of the previous period who did not buy in this one.
    pub lost: Vec<LostCustomer>,
    /// Receivables more than 30 days overdue at the end of the period.
    pub overdue: Vec<OverdueInvoice>,
}

/// The scorecard page of a rep, a unit or the company.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EntityView {
    pub period: String,
    pub entity: EntityResult,
    /// The units above, company first.
    pub path: Vec<Crumb>,
    /// Units and reps directly below (for a unit), best rank first.
    pub members: Vec<EntityResult>,
    /// Every KPI with its measures, target, rule, weights and contribution.
    pub explanation: Explanation,
    /// Per KPI: the share (0–100) of the entity's peers it does better than.
    pub percentiles: BTreeMap<String, f64>,
    /// Per KPI: the median value of the entity's peer group (those `rank_of`
    /// counts), the figure a rep sees of their peers instead of names.
    pub peer_medians: BTreeMap<String, f64>,
    /// Scores of the four periods of the same length up to this one, oldest first.
    pub history: Vec<HistoryPoint>,
    pub trend: Trend,
    pub funnel: Funnel,
    /// The company's funnel, to compare conversion with.
    pub company_funnel: Funnel,
    /// The stage whose conversion falls furthest below the company's.
    pub weakest_stage: Option<String>,
    pub customers: Customers,
    pub breakdowns: Vec<Breakdown>,
}

/// Entities side by side in one or two periods.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Comparison {
    pub periods: Vec<String>,
    /// One column per (period, entity), in that order.
    pub columns: Vec<EntityResult>,
}

/// How many of the best and of the weakest reps the overview lists.
const LEADERBOARD: usize = 20;
const BOTTOM: usize = 10;
/// Periods on an entity's score history: its period and those before it.
const HISTORY: usize = 4;

impl AppState {
    /// Computes what the first visitors open: the default period's overview,
    /// then the earlier periods every entity page's score history shows.
    pub async fn warm_up(&self) -> Result<()> {
        let period = self.default_period().await?;
        self.overview(&period, &Scope::All).await?;
        let mut earlier = period;
        for _ in 1..HISTORY {
            earlier = earlier.previous();
            self.scores(&earlier).await?;
        }
        Ok(())
    }

    /// The overview of `period` as `scope` sees it (not for a rep, whose
    /// dashboard is their scorecard).
    pub async fn overview(&self, period: &Period, scope: &Scope) -> Result<std::sync::Arc<Overview>> {
        self.cached(Key::Overview(*period, scope.clone()), self.build_overview(period, scope)).await
    }

    async fn build_overview(&self, period: &Period, scope: &Scope) -> Result<Overview> {
        let evaluated = self.evaluation(period).await?;
        let evaluation = &evaluated.evaluation;
        let facts = self.facts();
        let no_data = || WebError::not_found("no_data", "the workspace holds no org units yet: import data first");
        let top = scope.root(facts.org()).ok_or_else(no_data)?;
        let company = evaluated.result(top).filter(|r| r.level.is_unit()).cloned().ok_or_else(no_data)?;
        let in_scope = |r: &EntityResult| scope.sees(facts.org(), r.level, &r.id, period.last_day());
        let mut leaderboard = by_rank(evaluation, |r| r.level == Level::Rep && in_scope(r));
        leaderboard.retain(|r| r.score.is_some());
        let scored_reps = leaderboard.len();
        let grades = grade_counts(evaluation.results.iter().filter(|r| in_scope(r)), &self.scheme().await?.scheme);
        let teams = by_rank(evaluation, |r| {
            r.level == Level::Unit && r.kind.as_deref() == Some("team") && r.score.is_some() && in_scope(r)
        });
        let reps: Vec<&EntityResult> =
            evaluation.results.iter().filter(|r| r.level == Level::Rep && in_scope(r)).collect();
        let recognition = yeji_incentives::recognise(&reps, &yeji_eval::survey_counts(&facts, period).await?);
        let rest = leaderboard.split_off(LEADERBOARD.min(scored_reps));
        let bottom = rest[rest.len().saturating_sub(BOTTOM)..].to_vec();
        let mut breakdowns = Vec::new();
        for dimension in Dimension::ALL {
            breakdowns.push(Breakdown {
                dimension,
                slices: yeji_eval::breakdown(&facts, period, &company.id, dimension).await?,
            });
        }
        Ok(Overview {
            period: period.to_string(),
            previous_period: period.previous().to_string(),
            year_ago_period: period.year_ago().to_string(),
            units: evaluation
                .results
                .iter()
                .filter(|r| r.level != Level::Rep && in_scope(r))
                .map(|r| (r.id.clone(), r.name.clone()))
                .collect(),
            regions: by_rank(evaluation, |r| r.kind.as_deref() == Some("region") && in_scope(r)),
            trend: trend(&facts, period, &company.id).await?,
            breakdowns,
            funnel: evaluated.funnel(&company.id),
            strongest: teams.iter().take(3).cloned().collect(),
            weakest: teams.iter().rev().take(3).cloned().collect(),
            company,
            bottom,
            leaderboard,
            scored_reps,
            grades,
            recognition,
        })
    }

    /// The scorecard of `id` as `viewer` sees it (404 outside their scope).
    pub async fn entity(&self, period: &Period, id: &str, viewer: &Viewer) -> Result<std::sync::Arc<EntityView>> {
        viewer.check(&self.facts(), period, id)?;
        let key = Key::Entity(*period, id.to_owned(), viewer.scope.clone());
        self.cached(key, self.build_entity(period, id, &viewer.scope)).await
    }

    async fn build_entity(&self, period: &Period, id: &str, scope: &Scope) -> Result<EntityView> {
        let evaluated = self.evaluation(period).await?;
        let evaluation = &evaluated.evaluation;
        let facts = self.facts();
        let in_scope = |r: &EntityResult| scope.sees(facts.org(), r.level, &r.id, period.last_day());
        let find_unit = |id: &str| evaluation.results.iter().find(|r| r.id == id && r.level.is_unit());
        let entity = evaluated.result(id).cloned().ok_or_else(|| unknown_entity(id))?;
        let mut path = Vec::new();
        let mut above = entity.unit_id.clone();
        while let Some(unit) = above.and_then(|u| find_unit(&u)) {
            if path.iter().any(|c: &Crumb| c.id == unit.id) {
                break;
            }
            if in_scope(unit) {
                path.insert(0, Crumb { id: unit.id.clone(), name: unit.name.clone() });
            }
            above = unit.unit_id.clone();
        }
        let members = if entity.level == Level::Rep {
            Vec::new()
        } else {
            by_rank(evaluation, |r| r.unit_id.as_deref() == Some(id) && r.level != Level::Company && in_scope(r))
        };
        let mut history = Vec::new();
        let mut earlier = *period;
        let found = |results: &[EntityResult]| {
            results
                .iter()
                .find(|r| r.id == entity.id && r.level == entity.level)
                .map(|r| (r.score, r.grade.clone(), r.rank, r.rank_of))
        };
        for _ in 0..HISTORY {
            let same = if earlier == *period {
                found(&evaluation.results)
            } else {
                found(&self.scores(&earlier).await?.results)
            };
            let (score, grade, rank, rank_of) = same.unwrap_or((None, None, None, 0));
            history.insert(0, HistoryPoint { period: earlier.to_string(), score, grade, rank, rank_of });
            earlier = earlier.previous();
        }
        let funnel = evaluated.funnel(id);
        let company_funnel = facts.org().root().map_or_else(Funnel::default, |company| evaluated.funnel(company));
        let all_customers = yeji_eval::customers(&facts, period, id).await?;
        let mut classes = BTreeMap::new();
        for customer in &all_customers {
            *classes.entry(customer.class).or_insert(0) += 1;
        }
        let mut dimensions = vec![Dimension::ProductLine, Dimension::Channel, Dimension::Segment];
        if entity.level != Level::Rep {
            dimensions.insert(0, Dimension::Region);
        }
        let mut breakdowns = Vec::new();
        for dimension in dimensions {
            breakdowns
                .push(Breakdown { dimension, slices: yeji_eval::breakdown(&facts, period, id, dimension).await? });
        }
        Ok(EntityView {
            period: period.to_string(),
            percentiles: yeji_eval::peers::percentiles(evaluation, &entity),
            peer_medians: yeji_eval::peers::peer_medians(evaluation, &entity),
            explanation: evaluated.explain(id, None)?,
            trend: trend(&facts, period, id).await?,
            weakest_stage: weakest_stage(&funnel, &company_funnel),
            customers: Customers {
                count: all_customers.len(),
                top: all_customers.into_iter().take(20).collect(),
                classes,
                lost: yeji_eval::lost_customers(&facts, period, id).await?,
                overdue: yeji_eval::overdue_invoices(&facts, period, id).await?,
            },
            funnel,
            company_funnel,
            breakdowns,
            history,
            path,
            members,
            entity,
        })
    }

    /// `ids` side by side in `periods`, each in the viewer's scope.
    pub async fn compare(&self, periods: &[Period], ids: &[String], viewer: &Viewer) -> Result<Comparison> {
        let mut columns = Vec::new();
        for period in periods {
            let evaluated = self.evaluation(period).await?;
            for id in ids {
                viewer.check(&self.facts(), period, id)?;
                columns.push(evaluated.result(id).ok_or_else(|| unknown_entity(id))?.clone());
            }
        }
        Ok(Comparison { periods: periods.iter().map(Period::to_string).collect(), columns })
    }
}

async fn trend(facts: &Facts, period: &Period, id: &str) -> Result<Trend> {
    let points = yeji_eval::monthly(facts, period, id, 24).await?;
    let (last_year, this_year) = points.split_at(points.len().saturating_sub(12));
    Ok(Trend {
        months: this_year.iter().map(|p| p.month.clone()).collect(),
        revenue: this_year.iter().map(|p| p.revenue).collect(),
        revenue_last_year: last_year.iter().map(|p| p.revenue).collect(),
        gross_profit: this_year.iter().map(|p| p.gross_profit).collect(),
    })
}

/// The stage (qualified, proposal, negotiation, won) whose conversion from the
/// stage before falls furthest below the company's, if any falls below.
fn weakest_stage(funnel: &Funnel, company: &Funnel) -> Option<String> {
    let steps = |f: &Funnel| {
        [(f.created, f.qualified), (f.qualified, f.proposal), (f.proposal, f.negotiation), (f.negotiation, f.won)]
    };
    let rate = |(from, to): (i64, i64)| (from > 0).then(|| to as f64 / from as f64);
    let names = ["qualified", "proposal", "negotiation", "won"];
    steps(funnel)
        .into_iter()
        .zip(steps(company))
        .zip(names)
        .filter_map(|((mine, theirs), name)| Some((rate(mine)? - rate(theirs)?, name)))
        .filter(|(gap, _)| *gap < 0.0)
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weakest_stage_is_the_largest_conversion_gap_below_the_company() {
        let company = Funnel { created: 100, qualified: 60, proposal: 30, negotiation: 20, won: 10 };
        // Rates: qualified 0.5 vs 0.6 (−0.1), proposal 0.4 vs 0.5 (−0.1 − ε: 4/10),
        // negotiation 0.25 vs 0.667 (−0.417), won 1.0 vs 0.5 (+0.5).
        let rep = Funnel { created: 20, qualified: 10, proposal: 4, negotiation: 1, won: 1 };
        assert_eq!(weakest_stage(&rep, &company).as_deref(), Some("negotiation"));
        // Better than the company everywhere: no weakest stage.
        assert_eq!(weakest_stage(&company, &Funnel { created: 100, qualified: 10, ..Funnel::default() }), None);
    }
}
