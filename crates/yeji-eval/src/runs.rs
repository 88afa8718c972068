//! Reproducible runs (SPEC §6, issue #4): an evaluation saved with the scheme
//! and the fact files it was computed from. The files a run names are kept
//! (garbage collection spares them), so recomputing a run reads the same rows
//! and gives the same numbers; two runs compare entity by entity, each change
//! put down to the data, a target or the scheme.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use yeji_core::scheme::{Rule, Scheme};
use yeji_core::{Level, Period, Table};
use yeji_facts::{FactsError, Workspace};
use yeji_store::{NewRun, RunInfo, TableVersion};

use crate::Result;
use crate::evaluate::{EntityResult, Evaluation, KpiResult, evaluate};

/// A saved run: what it was computed from and its result.
#[derive(Clone, Debug)]
pub struct SavedRun {
    pub info: RunInfo,
    pub scheme: Scheme,
    pub evaluation: Evaluation,
}

/// Why a KPI's numbers differ between two runs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The value moved: the rows behind it changed (or the period did).
    Data,
    /// The target moved: targets data or the scheme's default target.
    Target,
    /// The scheme's weight or rule for the KPI changed.
    Scheme,
    /// Same value, target and rule: a peer-relative score moved with the peers.
    Peers,
}

/// One KPI's before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KpiChange {
    pub kpi: String,
    pub before: Option<KpiResult>,
    pub after: Option<KpiResult>,
    pub causes: Vec<Cause>,
}

/// One entity whose result differs between two runs (or is in only one).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntityChange {
    pub level: Level,
    pub id: String,
    pub name: String,
    pub score: [Option<f64>; 2],
    pub grade: [Option<String>; 2],
    pub rank: [Option<usize>; 2],
    /// `changed`, `added` (only in the second run) or `removed`.
    pub status: &'static str,
    pub kpis: Vec<KpiChange>,
}

/// A table whose fact file differs between two runs, with the batch that wrote each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DataChange {
    pub table: String,
    pub batch: [Option<i64>; 2],
    pub rows: [Option<i64>; 2],
}

/// How two runs differ: their inputs, then every entity whose result changed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunDiff {
    pub runs: [i64; 2],
    pub periods: [String; 2],
    pub schemes: [String; 2],
    pub scheme_versions: [Option<i64>; 2],
    pub scheme_changed: bool,
    pub data: Vec<DataChange>,
    pub entities: Vec<EntityChange>,
}

fn by_table(data: &[TableVersion]) -> HashMap<Table, &TableVersion> {
    data.iter().filter_map(|v| Table::from_name(&v.table).map(|t| (t, v))).collect()
}

/// Evaluates `period` on the current data and saves the result as a run.
pub async fn save_run(
    workspace: &Workspace,
    period: &Period,
    scheme: &Scheme,
    scheme_version: Option<i64>,
    actor: &str,
) -> Result<(i64, Evaluation)> {
    let facts = workspace.facts().await?;
    let evaluation = evaluate(&facts, period, scheme).await?.evaluation;
    let result = serde_json::to_string(&evaluation).map_err(|e| FactsError::Query(e.to_string()))?;
    let id = workspace
        .catalog()
        .save_run(NewRun {
            period: &evaluation.period,
            scheme_name: &scheme.name,
            scheme_version,
            scheme_toml: &scheme.to_toml(),
            data: &facts.pinned(),
            result: &result,
            actor,
        })
        .await?;
    Ok((id, evaluation))
}

/// A saved run with its scheme and result.
pub async fn run(workspace: &Workspace, id: i64) -> Result<SavedRun> {
    let run = workspace.catalog().run(id).await?;
    let broken = |detail: String| FactsError::Files { path: format!("run {id}"), detail };
    let evaluation = serde_json::from_str(&run.result).map_err(|e| broken(e.to_string()))?;
    Ok(SavedRun { scheme: Scheme::parse(&run.scheme_toml)?, info: run.info, evaluation })
}

/// Computes run `id` again from the rows and the scheme it pinned.
pub async fn recompute_run(workspace: &Workspace, id: i64) -> Result<Evaluation> {
    let run = run(workspace, id).await?;
    let period = Period::parse_fiscal(&run.info.period, workspace.settings().fiscal_year_first_month)?;
    let facts = workspace.facts_at(&run.info.data)?;
    Ok(evaluate(&facts, &period, &run.scheme).await?.evaluation)
}

/// How run `b` differs from run `a`.
pub async fn diff_runs(workspace: &Workspace, a: i64, b: i64) -> Result<RunDiff> {
    let (a, b) = (run(workspace, a).await?, run(workspace, b).await?);
    let (data_a, data_b) = (by_table(&a.info.data), by_table(&b.info.data));
    let data = Table::ALL
        .iter()
        .filter_map(|table| {
            let (x, y) = (data_a.get(table), data_b.get(table));
            (x.map(|v| &v.file) != y.map(|v| &v.file)).then(|| DataChange {
                table: table.name().to_owned(),
                batch: [x.map(|v| v.batch_id), y.map(|v| v.batch_id)],
                rows: [x.map(|v| v.rows), y.map(|v| v.rows)],
            })
        })
        .collect();
    Ok(RunDiff {
        runs: [a.info.id, b.info.id],
        periods: [a.info.period.clone(), b.info.period.clone()],
        schemes: [a.scheme.name.clone(), b.scheme.name.clone()],
        scheme_versions: [a.info.scheme_version, b.info.scheme_version],
        scheme_changed: a.scheme != b.scheme,
        data,
        entities: compare((&a.evaluation, &a.scheme), (&b.evaluation, &b.scheme)),
    })
}

/// Every entity whose result differs between two evaluations, in the first's
/// order, then the entities only the second has.
pub fn compare(a: (&Evaluation, &Scheme), b: (&Evaluation, &Scheme)) -> Vec<EntityChange> {
    let key = |r: &EntityResult| (r.level, r.id.clone());
    let after: HashMap<(Level, String), &EntityResult> = b.0.results.iter().map(|r| (key(r), r)).collect();
    let before: HashMap<(Level, String), &EntityResult> = a.0.results.iter().map(|r| (key(r), r)).collect();
    let mut out = Vec::new();
    for x in &a.0.results {
        let y = after.get(&key(x)).copied();
        if let Some(change) = entity_change(Some(x), y, a.1, b.1) {
            out.push(change);
        }
    }
    for y in b.0.results.iter().filter(|y| !before.contains_key(&key(y))) {
        out.extend(entity_change(None, Some(y), a.1, b.1));
    }
    out
}

fn entity_change(
    x: Option<&EntityResult>,
    y: Option<&EntityResult>,
    scheme_a: &Scheme,
    scheme_b: &Scheme,
) -> Option<EntityChange> {
    let either = x.or(y)?;
    let empty = BTreeMap::new();
    let (kpis_a, kpis_b) = (x.map_or(&empty, |r| &r.kpis), y.map_or(&empty, |r| &r.kpis));
    let mut ids: Vec<&String> = kpis_a.keys().chain(kpis_b.keys()).collect();
    ids.sort();
    ids.dedup();
    let kpis: Vec<KpiChange> =
        ids.into_iter().filter_map(|id| kpi_change(id, kpis_a.get(id), kpis_b.get(id), scheme_a, scheme_b)).collect();
    let score = [x.and_then(|r| r.score), y.and_then(|r| r.score)];
    let grade = [x.and_then(|r| r.grade.clone()), y.and_then(|r| r.grade.clone())];
    let rank = [x.and_then(|r| r.rank), y.and_then(|r| r.rank)];
    let status = match (x, y) {
        (Some(_), Some(_)) => "changed",
        (None, _) => "added",
        (_, None) => "removed",
    };
    let changed = status != "changed"
        || !kpis.is_empty()
        || !same(score[0], score[1])
        || grade[0] != grade[1]
        || rank[0] != rank[1];
    changed.then(|| EntityChange {
        level: either.level,
        id: either.id.clone(),
        name: y.unwrap_or(either).name.clone(),
        score,
        grade,
        rank,
        status,
        kpis,
    })
}

fn kpi_change(
    id: &str,
    x: Option<&KpiResult>,
    y: Option<&KpiResult>,
    scheme_a: &Scheme,
    scheme_b: &Scheme,
) -> Option<KpiChange> {
    let field = |f: fn(&KpiResult) -> Option<f64>| [x.and_then(f), y.and_then(f)];
    let [value, target, score, weight] =
        [field(|k| k.value), field(|k| k.target), field(|k| k.score), field(|k| k.weight)];
    let mut causes = Vec::new();
    // A formula KPI whose formula changed moved with the scheme, not the data.
    let formula = |scheme: &Scheme| scheme.formula(id).map(|f| f.formula.clone());
    let formula_changed = formula(scheme_a) != formula(scheme_b);
    if !same(value[0], value[1]) {
        causes.push(if formula_changed { Cause::Scheme } else { Cause::Data });
    }
    if !same(target[0], target[1]) {
        causes.push(Cause::Target);
    }
    let rule = |scheme: &Scheme| scheme.kpis.iter().find(|k| k.kpi == id).map(|k| k.rule.clone());
    let rule_changed = rule(scheme_a) != rule(scheme_b);
    if (!same(weight[0], weight[1]) || rule_changed) && !causes.contains(&Cause::Scheme) {
        causes.push(Cause::Scheme);
    }
    if causes.is_empty() && !same(score[0], score[1]) {
        causes.push(if rule(scheme_b).as_ref().is_some_and(Rule::is_relative) { Cause::Peers } else { Cause::Scheme });
    }
    let moved = !(same(value[0], value[1])
        && same(target[0], target[1])
        && same(score[0], score[1])
        && same(weight[0], weight[1]));
    moved.then(|| KpiChange { kpi: id.to_owned(), before: x.cloned(), after: y.cloned(), causes })
}

/// Equal, allowing for the last bits of a floating-point sum taken in another
/// order: how runs are compared, and how a diff says which numbers moved.
pub fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        (a, b) => a.is_none() && b.is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn evaluation(value: f64) -> Evaluation {
        let kpi = KpiResult { value: Some(value), target: None, score: None, weight: None };
        Evaluation {
            period: "2026-Q3".into(),
            scheme: "s".into(),
            slice: None,
            results: vec![EntityResult {
                level: Level::Rep,
                id: "R1".into(),
                name: "张三".into(),
                unit_id: None,
                kind: None,
                kpis: BTreeMap::from([("per_order".to_owned(), kpi)]),
                score: None,
                grade: None,
                rank: None,
                rank_of: 0,
                redistributed: Vec::new(),
            }],
        }
    }

    fn scheme(formula: &str) -> Scheme {
        let text = format!(
            "name = \"s\"\n[[kpis]]\nkpi = \"revenue\"\nweight = 100\nrule = \"percentile\"\n\
             [[formulas]]\nid = \"per_order\"\nformula = \"{formula}\"\n"
        );
        Scheme::parse(&text).unwrap()
    }

    #[test]
    fn a_formula_kpi_moves_with_its_data_or_with_its_formula() {
        let (a, b) = (evaluation(800.0), evaluation(950.0));
        let same_formula = compare((&a, &scheme("revenue / orders")), (&b, &scheme("revenue / orders")));
        assert_eq!(same_formula[0].kpis[0].causes, [Cause::Data]);
        let new_formula = compare((&a, &scheme("revenue / orders")), (&b, &scheme("revenue / new_customers")));
        assert_eq!(new_formula[0].kpis[0].causes, [Cause::Scheme]);
        // The last bits of a sum taken in another order are not a change.
        assert!(
            compare((&a, &scheme("revenue / orders")), (&evaluation(800.0 + 1e-10), &scheme("revenue / orders")))
                .is_empty()
        );
    }
}
