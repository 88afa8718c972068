//! Evaluating a period (SPEC §5, §6, §14): every catalogue KPI the data supports
//! for every rep, unit and the company, scored by a scheme, with grades and
//! ranks within peer groups.

use std::collections::{BTreeMap, HashMap, HashSet};

use arrow::array::{Array, AsArray};
use arrow::datatypes::Date32Type;
use serde::{Deserialize, Serialize};
use yeji_core::kpi::{CATALOGUE, Kpi};
use yeji_core::scheme::{Scheme, Scored, composite, ranks};
use yeji_core::{Period, Table};

use crate::Result;
use crate::measures::{self, EntityKey, Measures, Tree};
use crate::slices::SliceKey;
use crate::workspace::Workspace;

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
    /// `rep`, `unit` or `company`.
    pub level: String,
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

/// An evaluation with what it was computed from (each result's entity key in
/// the same order, the measures, the targets found in the targets data, the
/// scheme), so any of its entities can be explained without computing again.
pub struct Evaluated {
    pub evaluation: Evaluation,
    pub(crate) measures: Measures,
    pub(crate) keys: Vec<EntityKey>,
    pub(crate) targets: HashMap<(EntityKey, String), f64>,
    pub(crate) scheme: Scheme,
}

/// An entity to evaluate, with its peer group.
pub(crate) struct Entity {
    pub key: EntityKey,
    level: &'static str,
    pub name: String,
    unit_id: Option<String>,
    kind: Option<String>,
    peer_group: String,
}

impl Workspace {
    /// The evaluation with what it was computed from, for explanations.
    pub async fn evaluate_with_inputs(&self, period: &Period, scheme: &Scheme) -> Result<Evaluated> {
        self.evaluate_at(period, scheme, &self.versions().await?, None).await
    }

    /// The evaluation of the facts `versions` names (current or pinned by a
    /// run), or of their rows in `slice`.
    pub(crate) async fn evaluate_at(
        &self,
        period: &Period,
        scheme: &Scheme,
        versions: &HashMap<Table, yeji_store::TableVersion>,
        slice: Option<&SliceKey>,
    ) -> Result<Evaluated> {
        let mut with_rows: HashSet<Table> = versions.iter().filter(|(_, v)| v.rows > 0).map(|(t, _)| *t).collect();
        let (entities, tree) = self.entities(period, versions)?;
        let context = self.session_at(versions).await?;
        if let Some(slice) = slice {
            slice.restrict(&context, &mut with_rows).await?;
        }
        let computing = self.computing.lock().await;
        let started = std::time::Instant::now();
        let measures = measures::compute(&context, &tree, period).await?;
        drop(computing);
        tracing::info!(seconds = started.elapsed().as_secs_f64(), "computed the measures");
        let targets = self.targets(&context, period).await?;
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

    /// Reps (with their unit at the end of the period) and units, and the org tree.
    pub(crate) fn entities(
        &self,
        period: &Period,
        versions: &HashMap<Table, yeji_store::TableVersion>,
    ) -> Result<(Vec<Entity>, Tree)> {
        let units = self.load(Table::OrgUnits, versions)?;
        let column = |name: &str| units.column_by_name(name).expect("contract column").as_string::<i32>().clone();
        let (ids, names, parents, kinds) = (column("unit_id"), column("name"), column("parent_id"), column("kind"));
        let text =
            |array: &arrow::array::StringArray, row: usize| array.is_valid(row).then(|| array.value(row).to_owned());
        let mut tree = Tree::default();
        let mut entities = Vec::new();
        for row in 0..units.num_rows() {
            let parent = text(&parents, row);
            let kind = text(&kinds, row);
            tree.parent.insert(ids.value(row).to_owned(), parent.clone());
            tree.kind.insert(ids.value(row).to_owned(), kind.clone());
            let level = if parent.is_none() { "company" } else { "unit" };
            entities.push(Entity {
                key: EntityKey::Unit(ids.value(row).to_owned()),
                level,
                name: names.value(row).to_owned(),
                unit_id: parent,
                peer_group: format!("{level}/{}", kind.as_deref().unwrap_or("")),
                kind,
            });
        }
        let reps = self.load(Table::Reps, versions)?;
        let column = |name: &str| reps.column_by_name(name).expect("contract column").as_string::<i32>().clone();
        let (rep_ids, rep_names, rep_units) = (column("rep_id"), column("name"), column("unit_id"));
        let from = reps.column_by_name("effective_from").expect("effective_from").as_primitive::<Date32Type>().clone();
        let last_day =
            (period.last_day() - chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32;
        // The row in effect on the period's last day, else the earliest one.
        let mut history: BTreeMap<String, Vec<(Option<i32>, usize)>> = BTreeMap::new();
        for row in 0..reps.num_rows() {
            history
                .entry(rep_ids.value(row).to_owned())
                .or_default()
                .push((from.is_valid(row).then(|| from.value(row)), row));
        }
        for (id, mut rows) in history {
            rows.sort();
            let in_effect = rows.iter().rev().find(|(start, _)| start.is_none_or(|s| s <= last_day));
            let row = in_effect.or(rows.first()).map(|(_, row)| *row).expect("a rep has a row");
            let unit = rep_units.value(row).to_owned();
            tree.rep_unit.insert(id.clone(), unit.clone());
            let name = rep_names.value(row).to_owned();
            entities.push(Entity {
                key: EntityKey::Rep(id),
                level: "rep",
                name,
                unit_id: Some(unit),
                kind: None,
                peer_group: "rep".into(),
            });
        }
        Ok((entities, tree))
    }

    /// Targets for exactly this period by (entity, metric).
    async fn targets(
        &self,
        context: &datafusion::prelude::SessionContext,
        period: &Period,
    ) -> Result<HashMap<(EntityKey, String), f64>> {
        let query = format!(
            "SELECT entity_id, level, metric, CAST(SUM(value) AS DOUBLE) FROM targets \
             WHERE period = '{period}' AND product_line IS NULL GROUP BY entity_id, level, metric"
        );
        let batches = crate::query::collect(context, &query).await?;
        let mut out = HashMap::new();
        for batch in batches {
            let (ids, levels, metrics) = (
                batch.column(0).as_string::<i32>(),
                batch.column(1).as_string::<i32>(),
                batch.column(2).as_string::<i32>(),
            );
            let values = batch.column(3).as_primitive::<arrow::datatypes::Float64Type>();
            for row in 0..batch.num_rows() {
                let id = ids.value(row).to_owned();
                let key = if levels.is_valid(row) && levels.value(row) == "rep" {
                    EntityKey::Rep(id)
                } else {
                    EntityKey::Unit(id)
                };
                out.insert((key, metrics.value(row).to_owned()), values.value(row));
            }
        }
        Ok(out)
    }
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
    targets: &HashMap<(EntityKey, String), f64>,
    scheme: &Scheme,
) -> EntityResult {
    let mut results = BTreeMap::new();
    let mut scored = Vec::new();
    let mut redistributed = Vec::new();
    for &id in ids {
        let value = values[id];
        let weighted = scheme.kpis.iter().find(|s| s.kpi == id);
        let from_data = targets.get(&(entity.key.clone(), id.to_owned())).copied();
        // The revenue target comes only from targets data (SPEC §6).
        let target = from_data.or_else(|| weighted.and_then(|w| w.default_target).filter(|_| id != "revenue"));
        let score = weighted.and_then(|w| {
            let peers = peers.get(&(entity.peer_group.as_str(), id)).map_or(&[][..], Vec::as_slice);
            value.and_then(|v| w.rule.score(v, target, peers))
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
    let (level, id) = match &entity.key {
        EntityKey::Rep(id) | EntityKey::Unit(id) => (entity.level, id.clone()),
    };
    EntityResult {
        level: level.to_owned(),
        id,
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
