//! KPI values of a tiny company, each written down by hand with its reason in
//! `fixtures/measures/expected.txt` (one `period entity kpi value # why` per
//! line, in the manner of DataFusion's sqllogictest files): the fixture is
//! imported into a fresh workspace and every listed value is evaluated and
//! compared. To add a case, add rows to the CSV files and a line with the
//! value worked out by hand.

use std::collections::HashMap;
use std::path::Path;

use yeji_core::Period;
use yeji_core::scheme::Scheme;
use yeji_eval::Evaluation;
use yeji_facts::{ImportOptions, Settings, Workspace};

struct Case {
    line: usize,
    period: String,
    entity: String,
    kpi: String,
    value: Option<f64>,
}

fn cases(text: &str) -> Vec<Case> {
    text.lines()
        .enumerate()
        .filter_map(|(index, line)| {
            let line_no = index + 1;
            let data = line.split('#').next().unwrap_or("").trim();
            if data.is_empty() {
                return None;
            }
            let fields: Vec<&str> = data.split_whitespace().collect();
            let [period, entity, kpi, value] = fields[..] else {
                panic!("expected.txt:{line_no}: four fields expected")
            };
            let value = (value != "none")
                .then(|| value.parse().unwrap_or_else(|_| panic!("expected.txt:{line_no}: '{value}'")));
            Some(Case { line: line_no, period: period.into(), entity: entity.into(), kpi: kpi.into(), value })
        })
        .collect()
}

#[tokio::test]
async fn every_kpi_of_the_fixture_has_its_hand_computed_value() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/measures");
    let dir = tempfile::tempdir().unwrap();
    let mut workspace = Workspace::init(dir.path(), Settings::default()).await.unwrap();
    workspace.import(std::slice::from_ref(&fixture), &ImportOptions::default(), &|_| {}).await.unwrap();
    let facts = workspace.facts().await.unwrap();
    let scheme = Scheme::default_scheme();
    let mut evaluations: HashMap<String, Evaluation> = HashMap::new();
    let mut failures = Vec::new();
    let cases = cases(&std::fs::read_to_string(fixture.join("expected.txt")).unwrap());
    assert!(cases.len() > 40, "the file lists its cases");
    for case in &cases {
        if !evaluations.contains_key(&case.period) {
            let period: Period = case.period.parse().unwrap();
            let evaluation = yeji_eval::evaluate(&facts, &period, &scheme).await.unwrap().evaluation;
            evaluations.insert(case.period.clone(), evaluation);
        }
        let evaluation = &evaluations[&case.period];
        let result = evaluation.results.iter().find(|r| r.id == case.entity);
        let actual = result.and_then(|r| r.kpis.get(&case.kpi)).and_then(|k| k.value);
        let equal = match (actual, case.value) {
            (Some(a), Some(e)) => (a - e).abs() <= 1e-9 * e.abs().max(1.0),
            (a, e) => a.is_none() && e.is_none() && result.is_some(),
        };
        if !equal {
            failures.push(format!(
                "expected.txt:{} {} {} {}: got {actual:?}, expected {:?}",
                case.line, case.period, case.entity, case.kpi, case.value
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
