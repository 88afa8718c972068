//! The evaluation as a new user meets it through the CLI: every period kind,
//! ids exactly as the source system wrote them, lower-is-better KPIs scored
//! the right way round, implausible dates refused. Values are those written
//! down by hand in yeji-eval's `measures` fixture (`expected.txt`).

mod common;

use common::{assert_close, json, measures_fixture, ok, run, text, workspace, workspace_with};
use serde_json::Value;

fn result<'a>(evaluation: &'a Value, id: &str) -> &'a Value {
    evaluation["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no {id}"))
}

fn value(result: &Value, kpi: &str) -> Option<f64> {
    result["kpis"][kpi]["value"].as_f64()
}

#[test]
fn every_period_kind_evaluates_and_a_year_compares_with_the_year_before() {
    let (_dir, ws) = workspace_with(&measures_fixture());
    let evaluate = |period: &str| json(&["evaluate", "-w", &ws, "--period", period, "--format", "json"]);
    // A year and a 12-month range: the previous period is the year a year
    // ago, so both growths are 3300 / 1700 − 1.
    for period in ["2026", "2026-01..2026-12", "FY2026", "2026-H1..2026-H2"] {
        let evaluation = evaluate(period);
        let hq = result(&evaluation, "HQ");
        assert_close(value(hq, "revenue").unwrap(), 3300.0);
        assert_close(value(hq, "revenue_yoy").unwrap(), 3300.0 / 1700.0 - 1.0);
        assert_close(value(hq, "revenue_pop").unwrap(), 3300.0 / 1700.0 - 1.0);
    }
    // A half: 2026-H2 holds C1–C3 (2100); H1 B1 + B2 (1200); 2025-H2 A2 + A3 (1500).
    let h2 = evaluate("2026-H2");
    assert_close(value(result(&h2, "HQ"), "revenue_pop").unwrap(), 2100.0 / 1200.0 - 1.0);
    assert_close(value(result(&h2, "HQ"), "revenue_yoy").unwrap(), 2100.0 / 1500.0 - 1.0);
    // An ISO week: 2026-W28 is 6–12 July, C1's week; the week before has no sales.
    let week = evaluate("2026-W28");
    assert_close(value(result(&week, "R1"), "revenue").unwrap(), 1200.0);
    assert_eq!(value(result(&week, "R1"), "revenue_pop"), None, "no revenue the week before: no value");
    // A month and a quarter, as the fixture lists them.
    assert_close(value(result(&evaluate("2026-09"), "HQ"), "revenue").unwrap(), 600.0);
    assert_close(value(result(&evaluate("2026-Q3"), "HQ"), "revenue_pop").unwrap(), 0.75);

    // A fiscal year from April: FY2027 runs 2026-04..2027-03 (B1, B2, C1–C3:
    // 3300), FY2026 2025-04..2026-03 (A2, A3: 1500).
    let dir = tempfile::tempdir().unwrap();
    let fiscal = dir.path().join("fiscal").display().to_string();
    ok(&["init", "-w", &fiscal, "--fiscal-year-first-month", "4"], 0);
    ok(&["import", "-w", &fiscal, measures_fixture().to_str().unwrap()], 0);
    let fy = json(&["evaluate", "-w", &fiscal, "--period", "FY2027", "--format", "json"]);
    assert_eq!(fy["period"], "FY2027");
    assert_close(value(result(&fy, "HQ"), "revenue").unwrap(), 3300.0);
    assert_close(value(result(&fy, "HQ"), "revenue_yoy").unwrap(), 3300.0 / 1500.0 - 1.0);
}

#[test]
fn ids_come_back_exactly_as_imported() {
    let (_dir, ws) = workspace_with(&measures_fixture());
    let evaluation = json(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--format", "json"]);
    let darcel = result(&evaluation, "darcel_schlecht");
    assert_eq!((darcel["name"].as_str(), darcel["unit_id"].as_str()), (Some("Darcel Schlecht"), Some("TN")));
    let explained =
        json(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "darcel_schlecht", "--format", "json"]);
    assert_eq!(explained["entity"]["id"], "darcel_schlecht");
    // Ids are keys: another case is another id.
    let other = run(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "DARCEL_SCHLECHT"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(text(&other.stderr).contains("no rep or unit 'DARCEL_SCHLECHT'"), "{}", text(&other.stderr));
    // Full-width characters are folded to half-width, nothing else changes.
    let explained =
        json(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "ｄarcel_schlecht", "--format", "json"]);
    assert_eq!(explained["entity"]["id"], "darcel_schlecht");
}

#[test]
fn a_format_1_workspace_keeps_matching_its_upper_cased_ids() {
    // Workspaces written before ids were kept as given stored them upper-cased:
    // they keep doing so for new rows and match every id given to them the same way.
    let (_dir, ws) = workspace();
    let settings = std::path::Path::new(&ws).join("workspace.toml");
    let old: String = std::fs::read_to_string(&settings)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("ids"))
        .map(|l| if l.starts_with("format") { "format = 1".to_owned() } else { l.to_owned() } + "\n")
        .collect();
    std::fs::write(&settings, old).unwrap();
    ok(&["import", "-w", &ws, measures_fixture().to_str().unwrap()], 0);
    let explained =
        json(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "darcel_schlecht", "--format", "json"]);
    assert_eq!(explained["entity"]["id"], "DARCEL_SCHLECHT", "as this workspace stores it");
    assert_close(explained["entity"]["kpis"]["revenue"]["value"].as_f64().unwrap(), 600.0);
}

#[test]
fn a_lower_is_better_kpi_scores_the_cheapest_rep_best() {
    let (dir, ws) = workspace_with(&measures_fixture());
    // Expense ratios in 2026-Q3: R1 0.15, darcel_schlecht 0.10.
    let scheme = |rule: &str| {
        let path = dir.path().join(format!("{rule}.toml"));
        std::fs::write(
            &path,
            format!("name = \"cost\"\n[[kpis]]\nkpi = \"expense_ratio\"\nweight = 100\nrule = \"{rule}\"\n"),
        )
        .unwrap();
        path.display().to_string()
    };
    for (rule, cheap, dear) in [("percentile", 100.0, 0.0), ("min_max", 100.0, 0.0)] {
        let evaluation =
            json(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--scheme", &scheme(rule), "--format", "json"]);
        let score = |id: &str| result(&evaluation, id)["kpis"]["expense_ratio"]["score"].as_f64().unwrap();
        assert_eq!((score("darcel_schlecht"), score("R1")), (cheap, dear), "{rule}");
        assert_eq!(result(&evaluation, "darcel_schlecht")["rank"], 1);
    }
    // z-score: mean 0.125, sd 0.025; the cheaper is one sd better: 120.
    let evaluation =
        json(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--scheme", &scheme("z_score"), "--format", "json"]);
    assert_close(result(&evaluation, "darcel_schlecht")["kpis"]["expense_ratio"]["score"].as_f64().unwrap(), 120.0);
    // ratio_to_target would reward spending more: refused with the reason.
    let refused = run(&["scheme", "validate", &scheme("ratio_to_target")]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("expense_ratio is lower-is-better: ratio_to_target would reward a higher value"),
        "{}",
        text(&refused.stderr)
    );
}

#[test]
fn fact_dates_outside_the_plausible_range_are_rejected() {
    let (dir, ws) = workspace_with(&measures_fixture());
    let orders = dir.path().join("orders.csv");
    std::fs::write(
        &orders,
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount\n\
         Z1,1,1900-01-01,R1,K1,P1,1,100\nZ2,1,2999-03-01,R1,K1,P1,1,100\nZ3,1,2026-10-05,R1,K1,P1,1,100\n",
    )
    .unwrap();
    let refused = run(&["import", "-w", &ws, orders.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    let said = text(&refused.stdout) + &text(&refused.stderr);
    for line in [2, 3] {
        assert!(said.contains(&format!("orders.csv:{line} [order_date]")), "{said}");
    }
    assert!(said.contains("'1900-01-01': outside the accepted dates 2000-01-01 to"), "{said}");
    assert!(said.contains("2 row(s) rejected, nothing was imported"), "{said}");
    // The range is the workspace's: widened, the old order lands.
    let settings = std::path::Path::new(&ws).join("workspace.toml");
    let widened = std::fs::read_to_string(&settings)
        .unwrap()
        .replace("earliest_date = \"2000-01-01\"", "earliest_date = 1890-01-01");
    std::fs::write(&settings, widened + "latest_date = 3000-12-31\n").unwrap();
    ok(&["import", "-w", &ws, orders.to_str().unwrap()], 0);
}
