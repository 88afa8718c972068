//! Explaining an entity's score (SPEC §6): for every KPI the measures behind
//! its value, the target and where it came from, the rule, the score, the
//! weight before and after redistribution, and the contribution to the
//! composite. The contributions add up to the score.

use arrow::array::{AsArray, RecordBatch};
use serde::Serialize;
use yeji_core::kpi::{CATALOGUE, Measure, Unit};
use yeji_core::scheme::{Rule, Scheme};
use yeji_core::{Period, Table};

use yeji_facts::{Facts, collect};

use crate::evaluate::{EntityResult, Evaluated};
use crate::measures::REVENUE_LINES;
use crate::{EvalError, Result, query_error};

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct Explanation {
    pub period: String,
    pub scheme: String,
    pub entity: EntityResult,
    pub kpis: Vec<ExplainedKpi>,
}

#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, Serialize)]
pub struct ExplainedKpi {
    pub kpi: String,
    pub name_zh: String,
    pub name_en: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub unit: Unit,
    pub formula: String,
    /// The measures the value is computed from, by name: `[name, value]` pairs.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<Vec<serde_json::Value>>))]
    pub measures: Vec<(String, f64)>,
    pub value: Option<f64>,
    pub target: Option<f64>,
    /// `targets` (the targets data for exactly this period) or `scheme` (its default).
    pub target_source: Option<String>,
    pub rule: Option<String>,
    pub score: Option<f64>,
    /// The scheme's weight (a fraction).
    pub weight: Option<f64>,
    /// The weight after spreading the weights of KPIs without a score.
    pub effective_weight: Option<f64>,
    /// effective weight × score: these add up to the entity's score.
    pub contribution: Option<f64>,
}

fn rule_text(rule: &Rule) -> String {
    match rule {
        Rule::RatioToTarget { cap } => format!("ratio_to_target (cap {cap})"),
        Rule::LowerIsBetter { cap } => format!("lower_is_better (cap {cap})"),
        Rule::Linear { floor, stretch, stretch_score } => {
            format!("linear (0 at {floor}, 100 at target, {stretch_score} at {stretch})")
        }
        Rule::Percentile => "percentile in peer group".into(),
        Rule::MinMax => "min_max in peer group".into(),
        Rule::ZScore { cap } => format!("z_score in peer group (cap {cap})"),
    }
}

impl Evaluated {
    /// Explains the score of the rep or unit `id` (a rep id is looked up first)
    /// in this evaluation.
    pub fn explain(&self, id: &str, kpi: Option<&str>) -> Result<Explanation> {
        let (evaluated, scheme) = (self, &self.scheme);
        if let Some(kpi) = kpi.filter(|k| scheme.formula(k).is_none()) {
            kpi.parse::<yeji_core::KpiId>()?;
        }
        let position = evaluated.position(id).ok_or_else(|| EvalError::UnknownEntity(id.to_owned()))?;
        let key = &evaluated.keys[position];
        let entity = evaluated.evaluation.results[position].clone();
        let scored_weight: f64 = scheme
            .kpis
            .iter()
            .filter(|w| entity.kpis.get(&w.kpi).is_some_and(|k| k.score.is_some()))
            .map(|w| w.weight / 100.0)
            .sum();
        let mut kpis = Vec::new();
        for (id, result) in &entity.kpis {
            if kpi.is_some_and(|k| k != id) {
                continue;
            }
            let definition = Definition::of(id, scheme, |measure| evaluated.measures.get(key, measure), &entity);
            let weighted = scheme.kpis.iter().find(|w| &w.kpi == id);
            let from_data = evaluated.targets.current.contains_key(&(key.clone(), id.clone()));
            let effective_weight = result.score.and(result.weight).map(|w| w / scored_weight);
            kpis.push(ExplainedKpi {
                kpi: id.clone(),
                name_zh: definition.name_zh,
                name_en: definition.name_en,
                unit: definition.unit,
                formula: definition.formula,
                measures: definition.inputs,
                value: result.value,
                target: result.target,
                target_source: result.target.map(|_| if from_data { "targets" } else { "scheme" }.to_owned()),
                rule: weighted.map(|w| rule_text(&w.rule)),
                score: result.score,
                weight: result.weight,
                effective_weight,
                contribution: effective_weight.zip(result.score).map(|(w, s)| w * s),
            });
        }
        Ok(Explanation { period: self.evaluation.period.clone(), scheme: scheme.name.clone(), entity, kpis })
    }
}

/// What a KPI is and the inputs of its value: a catalogue KPI's measures, a
/// formula KPI's KPIs.
struct Definition {
    name_zh: String,
    name_en: String,
    unit: Unit,
    formula: String,
    inputs: Vec<(String, f64)>,
}

impl Definition {
    fn of(id: &str, scheme: &Scheme, measure: impl Fn(Measure) -> f64, entity: &EntityResult) -> Definition {
        if let Some(kpi) = CATALOGUE.iter().find(|k| k.id == id) {
            return Definition {
                name_zh: kpi.name_zh.into(),
                name_en: kpi.name_en.into(),
                unit: kpi.unit,
                formula: kpi.definition.into(),
                inputs: kpi.formula.measures().into_iter().map(|m| (m.name().to_owned(), measure(m))).collect(),
            };
        }
        let formula = scheme.formula(id).expect("results hold catalogue and scheme KPIs");
        Definition {
            name_zh: formula.name_zh.clone().unwrap_or_else(|| id.to_owned()),
            name_en: formula.name_en.clone().unwrap_or_else(|| id.to_owned()),
            unit: formula.unit,
            formula: formula.formula.to_string(),
            inputs: formula
                .formula
                .references()
                .into_iter()
                .filter_map(|r| Some((r.to_owned(), entity.kpis.get(r)?.value?)))
                .collect(),
        }
    }
}

/// The fact rows behind a value (or a page of them) and how many there are in all.
pub struct RowsBehind {
    pub table: Table,
    pub total: usize,
    pub batches: Vec<RecordBatch>,
}

/// Fact rows as text, each value as Arrow displays it: the header and the rows.
pub fn rows_as_text(batches: &[RecordBatch]) -> Result<(Vec<String>, Vec<Vec<String>>)> {
    use arrow::util::display::{ArrayFormatter, FormatOptions};
    let header =
        batches.first().map_or_else(Vec::new, |b| b.schema().fields().iter().map(|f| f.name().clone()).collect());
    let options = FormatOptions::default();
    let mut rows = Vec::new();
    for batch in batches {
        let formatters: Vec<ArrayFormatter> = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref(), &options))
            .collect::<std::result::Result<_, _>>()
            .map_err(query_error)?;
        rows.extend((0..batch.num_rows()).map(|row| formatters.iter().map(|f| f.value(row).to_string()).collect()));
    }
    Ok((header, rows))
}

/// The date that places a row of `table` in a period, for the rows behind a value.
fn period_column(table: Table) -> Option<&'static str> {
    match table {
        Table::Orders => Some("order_date"),
        Table::Invoices => Some("due_date"),
        Table::Expenses | Table::Activities | Table::Surveys => Some("date"),
        Table::Opportunities => Some("created_date"),
        _ => None,
    }
}

/// The fact rows behind an entity's KPI in a period (the order lines of its
/// revenue, the invoices due of its collection rate, …), credited as the
/// evaluation credits them: a rep's own rows, a unit's rows credited to it
/// or to a unit below it.
/// `window` (offset, limit) takes a page of them, in natural-key order.
pub async fn rows_behind(
    facts: &Facts,
    period: &Period,
    id: &str,
    kpi: &str,
    window: Option<(usize, usize)>,
) -> Result<RowsBehind> {
    let kpi: yeji_core::KpiId = kpi.parse()?;
    let table = kpi.kpi().formula.measures()[0].tables()[0];
    let (context, entity_filter) = crate::scope::scope(facts, id).await?;
    let mut filters = vec![entity_filter];
    if let Some(column) = period_column(table) {
        filters.push(crate::measures::within(column, period));
    }
    if table == Table::Orders {
        filters.push(REVENUE_LINES.into());
    }
    let order: Vec<&str> = table.natural_key().to_vec();
    let filter = filters.join(" AND ");
    let page = window.map_or(String::new(), |(offset, limit)| format!(" LIMIT {limit} OFFSET {offset}"));
    let query = format!("SELECT * FROM {table} WHERE {filter} ORDER BY {}{page}", order.join(", "));
    let batches = collect(&context, &query).await?;
    let total = match window {
        None => batches.iter().map(RecordBatch::num_rows).sum(),
        Some(_) => {
            let counted = collect(&context, &format!("SELECT COUNT(*) FROM {table} WHERE {filter}")).await?;
            counted.first().map_or(0, |b| b.column(0).as_primitive::<arrow::datatypes::Int64Type>().value(0) as usize)
        }
    };
    Ok(RowsBehind { table, total, batches })
}
