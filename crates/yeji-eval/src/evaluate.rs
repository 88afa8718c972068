//! Evaluating a period (SPEC §5, §6, §14): every catalogue KPI the data supports
//! for every rep, unit and the company, scored by a scheme, with grades and
//! ranks within peer groups.

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow::array::{Array, AsArray};
use datafusion::prelude::SessionContext;
use serde::{Deserialize, Serialize};
use yeji_core::kpi::{CATALOGUE, Kpi, Measure};
use yeji_core::scheme::{Scheme, Scored, composite, ranks};
use yeji_core::{Level, Period, Table};
use yeji_facts::Facts;

use crate::Result;
use crate::measures::{self, EntityKey, Measures};
use crate::slices::SliceKey;

/// One KPI of one entity, as the output contract names it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiResult {
    pub value: Option<f64>,
    pub target: Option<f64>,
    pub score: Option<f64>,
    /// The scheme's weight as a fraction (0.30); `None` for unweighted KPIs.
    pub weight: Option<f64>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EntityResult {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub level: Level,
    pub id: String,
    pub name: String,
    /// A rep's unit at the end of the period; a unit's parent.
    pub unit_id: Option<String>,
    /// A unit's kind (region, team, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    pub kpis: BTreeMap<String, KpiResult>,
    pub score: Option<f64>,
    pub grade: Option<String>,
    pub rank: Option<usize>,
    pub rank_of: usize,
    /// Weighted KPIs without a score, whose weight went to the others.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redistributed: Vec<String>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub period: String,
    pub scheme: String,
    /// The slice of the facts evaluated (`yeji evaluate --by`); none for all of them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slice: Option<SliceKey>,
    pub results: Vec<EntityResult>,
}

/// Opportunities created in a period and how far they got: the stages the
/// funnel KPIs (`lead_conversion`, `stage_conversion_*`) divide, from the same
/// measures.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Funnel {
    pub created: i64,
    pub qualified: i64,
    pub proposal: i64,
    pub negotiation: i64,
    pub won: i64,
}

/// Targets for exactly the period (SPEC §6: never pro-rated), read once per
/// evaluation, and the revenue targets of the next period (pipeline coverage).
#[derive(Debug, Default)]
pub(crate) struct Targets {
    pub current: HashMap<(EntityKey, String), f64>,
    pub next_revenue: HashMap<EntityKey, f64>,
}

impl Targets {
    async fn read(context: &SessionContext, period: &Period) -> Result<Targets> {
        let next = period.next();
        let query = format!(
            "SELECT entity_id, level, metric, period, CAST(SUM(value) AS DOUBLE) FROM targets \
             WHERE period IN ('{period}', '{next}') AND product_line IS NULL GROUP BY entity_id, level, metric, period"
        );
        let mut targets = Targets::default();
        let (period, next) = (period.to_string(), next.to_string());
        for batch in yeji_facts::collect(context, &query).await? {
            let text = |column: usize| batch.column(column).as_string::<i32>();
            let (ids, levels, metrics, periods) = (text(0), text(1), text(2), text(3));
            let values = batch.column(4).as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                let id = ids.value(row).to_owned();
                let key = if levels.is_valid(row) && levels.value(row) == "rep" {
                    EntityKey::Rep(id)
                } else {
                    EntityKey::Unit(id)
                };
                let (metric, value) = (metrics.value(row), values.value(row));
                if periods.value(row) == period {
                    targets.current.insert((key, metric.to_owned()), value);
                } else if periods.value(row) == next && metric == "revenue" {
                    targets.next_revenue.insert(key, value);
                }
            }
        }
        Ok(targets)
    }
}

/// An evaluation with what it was computed from (each result's entity key in
/// the same order, the measures, the targets found in the targets data, the
/// scheme), so any of its entities can be explained without computing again.
pub struct Evaluated {
    pub evaluation: Evaluation,
    pub(crate) measures: Measures,
    pub(crate) keys: Vec<EntityKey>,
    pub(crate) targets: Targets,
    pub(crate) scheme: Scheme,
}

impl Evaluated {
    /// The position of the rep or unit `id` (a rep id is looked up first).
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        [EntityKey::Rep(id.to_owned()), EntityKey::Unit(id.to_owned())]
            .iter()
            .find_map(|key| self.keys.iter().position(|k| k == key))
    }

    /// The result of the rep or unit `id` (a rep id is looked up first).
    pub fn result(&self, id: &str) -> Option<&EntityResult> {
        self.position(id).map(|at| &self.evaluation.results[at])
    }

    /// A measure of the rep or unit `id` (a rep id is looked up first).
    pub fn measure(&self, id: &str, measure: Measure) -> Option<f64> {
        self.position(id).map(|at| self.measures.get(&self.keys[at], measure))
    }

    /// The funnel of the opportunities the rep or unit `id` created in the period.
    pub fn funnel(&self, id: &str) -> Funnel {
        let Some(at) = self.position(id) else { return Funnel::default() };
        let count = |measure| self.measures.get(&self.keys[at], measure) as i64;
        Funnel {
            created: count(Measure::Leads),
            qualified: count(Measure::Qualified),
            proposal: count(Measure::Proposals),
            negotiation: count(Measure::Negotiations),
            won: count(Measure::CreatedWon),
        }
    }

    pub fn scheme(&self) -> &Scheme {
        &self.scheme
    }
}

/// An entity to evaluate, with its peer group.
pub(crate) struct Entity {
    pub key: EntityKey,
    level: Level,
    pub name: String,
    unit_id: Option<String>,
    kind: Option<String>,
    peer_group: String,
}

/// The evaluation of `period` by `scheme` on `facts`, with what it was
/// computed from, for explanations.
pub async fn evaluate(facts: &Facts, period: &Period, scheme: &Scheme) -> Result<Evaluated> {
    let with_rows: HashSet<Table> = Table::ALL.into_iter().filter(|t| facts.has_rows(*t)).collect();
    evaluate_in(facts, &facts.session().await?, with_rows, period, scheme).await
}

/// The evaluation over `context`, a session of `facts` (a slice of them for
/// `--by`); KPIs of tables outside `with_rows` are left out.
pub(crate) async fn evaluate_in(
    facts: &Facts,
    context: &SessionContext,
    with_rows: HashSet<Table>,
    period: &Period,
    scheme: &Scheme,
) -> Result<Evaluated> {
    let entities = entities(facts.org(), period);
    let targets = Targets::read(context, period).await?;
    let turn = facts.gate().await;
    let started = std::time::Instant::now();
    let fiscal = facts.settings().fiscal_year_first_month;
    let measures = measures::compute(context, facts.org(), period, fiscal, &targets).await?;
    drop(turn);
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "computed the measures");
    let catalogue: Vec<&Kpi> = CATALOGUE
        .iter()
        .filter(|k| k.formula.measures().iter().all(|m| m.tables().iter().all(|t| with_rows.contains(t))))
        .collect();
    // A formula KPI is computed when every KPI it reads is.
    let mut ids: Vec<&str> = catalogue.iter().map(|k| k.id).collect();
    let mut formulas = Vec::new();
    for formula in scheme.formulas_in_order()? {
        if formula.formula.references().iter().all(|r| ids.contains(r)) {
            ids.push(&formula.id);
            formulas.push(formula);
        }
    }
    let values: Vec<HashMap<&str, Option<f64>>> = entities
        .iter()
        .map(|e| {
            let mut values: HashMap<&str, Option<f64>> =
                catalogue.iter().map(|k| (k.id, k.formula.evaluate(|m| measures.get(&e.key, m)))).collect();
            for formula in &formulas {
                let value = formula.formula.evaluate(|id| values.get(id).copied().flatten());
                values.insert(&formula.id, value);
            }
            values
        })
        .collect();
    let peers = peer_values(&entities, &values, scheme);
    let mut results: Vec<EntityResult> = entities
        .iter()
        .enumerate()
        .map(|(index, entity)| score_entity(entity, &values[index], &peers, &ids, &targets, scheme))
        .collect();
    rank(&entities, &mut results);
    let evaluation = Evaluation { period: period.to_string(), scheme: scheme.name.clone(), slice: None, results };
    let keys = entities.into_iter().map(|e| e.key).collect();
    Ok(Evaluated { evaluation, measures, keys, targets, scheme: scheme.clone() })
}

/// Units (the company first among them: the root) and reps, each rep in the
/// unit of its row in effect on the period's last day.
fn entities(org: &yeji_core::Org, period: &Period) -> Vec<Entity> {
    let mut entities: Vec<Entity> = org
        .units()
        .map(|unit| {
            let level = unit.level();
            Entity {
                key: EntityKey::Unit(unit.id.clone()),
                level,
                name: unit.name.clone(),
                unit_id: unit.parent.clone(),
                peer_group: format!("{level}/{}", unit.kind.as_deref().unwrap_or("")),
                kind: unit.kind.clone(),
            }
        })
        .collect();
    for rep in org.rep_ids() {
        let row = org.rep_on(rep, Some(period.last_day())).expect("a listed rep has a row");
        entities.push(Entity {
            key: EntityKey::Rep(rep.to_owned()),
            level: Level::Rep,
            name: row.name.clone(),
            unit_id: Some(row.unit.clone()),
            kind: None,
            peer_group: "rep".into(),
        });
    }
    entities
}

/// The values of each weighted KPI in each peer group, gathered once for the
/// rules that score against peers.
fn peer_values<'a>(
    entities: &'a [Entity],
    values: &[HashMap<&'a str, Option<f64>>],
    scheme: &'a Scheme,
) -> HashMap<(&'a str, &'a str), Vec<f64>> {
    let mut peers: HashMap<(&str, &str), Vec<f64>> = HashMap::new();
    for (entity, values) in entities.iter().zip(values) {
        for weighted in &scheme.kpis {
            if let Some(Some(value)) = values.get(weighted.kpi.as_str()) {
                peers.entry((&entity.peer_group, &weighted.kpi)).or_default().push(*value);
            }
        }
    }
    peers
}

fn score_entity(
    entity: &Entity,
    values: &HashMap<&str, Option<f64>>,
    peers: &HashMap<(&str, &str), Vec<f64>>,
    ids: &[&str],
    targets: &Targets,
    scheme: &Scheme,
) -> EntityResult {
    let mut results = BTreeMap::new();
    let mut scored = Vec::new();
    let mut redistributed = Vec::new();
    for &id in ids {
        let value = values[id];
        let weighted = scheme.kpis.iter().find(|s| s.kpi == id);
        let from_data = targets.current.get(&(entity.key.clone(), id.to_owned())).copied();
        // The revenue target comes only from targets data (SPEC §6).
        let target = from_data.or_else(|| weighted.and_then(|w| w.default_target).filter(|_| id != "revenue"));
        let score = weighted.and_then(|w| {
            let peers = peers.get(&(entity.peer_group.as_str(), id)).map_or(&[][..], Vec::as_slice);
            value.and_then(|v| w.rule.score(v, target, peers, scheme.direction_of(id)))
        });
        if let Some(w) = weighted {
            scored.push(Scored { weight: w.weight, score });
            if score.is_none() {
                redistributed.push(id.to_owned());
            }
        }
        let weight = weighted.map(|w| w.weight / 100.0);
        results.insert(id.to_owned(), KpiResult { value, target, score, weight });
    }
    let score = composite(&scored);
    let (EntityKey::Rep(id) | EntityKey::Unit(id)) = &entity.key;
    EntityResult {
        level: entity.level,
        id: id.clone(),
        name: entity.name.clone(),
        unit_id: entity.unit_id.clone(),
        kind: entity.kind.clone(),
        kpis: results,
        score,
        grade: score.map(|s| scheme.grades.grade(s).to_owned()),
        rank: None,
        rank_of: 0,
        redistributed,
    }
}

/// Ranks within each peer group by composite score (ties share a rank).
fn rank(entities: &[Entity], results: &mut [EntityResult]) {
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (index, entity) in entities.iter().enumerate() {
        groups.entry(entity.peer_group.as_str()).or_default().push(index);
    }
    for members in groups.values() {
        let scores: Vec<Option<f64>> = members.iter().map(|&i| results[i].score).collect();
        let ranked = ranks(&scores);
        let rank_of = scores.iter().flatten().count();
        for (&member, rank) in members.iter().zip(ranked) {
            results[member].rank = rank;
            results[member].rank_of = rank_of;
        }
    }
}
