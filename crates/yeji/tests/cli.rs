//! End-to-end tests: the real `yeji` binary on fresh workspaces.
//!
//! The `tiny` fixture's expected numbers, by hand (2026-Q3, credited to the
//! rep's unit on the order date; R2 moves from team TE (region E) to TN
//! (region N) on 2026-08-01):
//!
//! | line | region | amount | cost | note |
//! |---|---|---|---|---|
//! | O1/1 R1 07-05 | E | 800 | 200 | |
//! | O1/2 R1 07-05 | E | 1000 | 80 | cost left out: 10 × unit cost 8 |
//! | O2/1 R2 07-20 | E | 400 | 100 | R2 still in TE |
//! | O3/1 R2 08-10 | N | 1200 | 300 | R2 in TN from 08-01 |
//! | O4/1 R1 08-15 | – | – | – | cancelled: counts nowhere |
//! | RT1/1 R1 09-01 | E | −400 | −100 | a return |
//! | O5/1 R1 10-01 | – | – | – | outside Q3 |
//!
//! E: revenue 1800, cost 280, margin 1520/1800, orders {O1, O2} = 2.
//! N: revenue 1200, cost 300, margin 900/1200 = 0.75, orders {O3} = 1.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{assert_close, fixtures, ok, text};
use serde_json::Value;

fn yeji(args: &[&str]) -> std::process::Output {
    common::run(args)
}

#[test]
fn the_workspace_comes_from_the_environment_and_newer_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("env-ws");
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_yeji")).args(args).env("YEJI_WORKSPACE", &ws).output().unwrap()
    };
    assert_eq!(run(&["init"]).status.code(), Some(0));
    assert!(text(&run(&["batches"]).stdout).starts_with("batch"));
    let again = run(&["init"]);
    assert!(text(&again.stderr).contains("already holds a workspace"), "{}", text(&again.stderr));
    let settings = ws.join("workspace.toml");
    let newer = std::fs::read_to_string(&settings).unwrap().replace("format = 2", "format = 3");
    std::fs::write(&settings, newer).unwrap();
    let refused = run(&["batches"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(
        text(&refused.stderr).trim(),
        "error: the workspace has format 3; this yeji reads format 2: upgrade yeji"
    );
}

fn new_workspace() -> (tempfile::TempDir, String) {
    common::workspace()
}

/// (region id, revenue, gross margin, orders) per region for a period.
fn summary(workspace: &str, period: &str) -> Vec<(String, f64, Option<f64>, i64)> {
    let json: Value =
        serde_json::from_str(&ok(&["summary", "-w", workspace, "--period", period, "--format", "json"], 0)).unwrap();
    json["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["key"].as_str().unwrap().to_owned(),
                r["revenue"].as_f64().unwrap(),
                r["gross_margin"].as_f64(),
                r["orders"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn import_json(workspace: &str, paths: &[&str], extra: &[&str], code: i32) -> Value {
    let mut args = vec!["import", "-w", workspace, "--format", "json"];
    args.extend(extra);
    args.extend(paths);
    serde_json::from_str(&ok(&args, code)).unwrap()
}

fn table<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["tables"].as_array().unwrap().iter().find(|t| t["table"] == name).unwrap()
}

#[test]
fn revenue_is_credited_to_the_unit_of_the_order_date() {
    let (_dir, ws) = new_workspace();
    let report = import_json(&ws, &[fixtures().join("tiny").to_str().unwrap()], &[], 0);
    assert_eq!(report["batch"], 1);
    assert_eq!(table(&report, "orders")["added"], 7);
    assert_eq!(table(&report, "reps")["added"], 3);
    // K2's quoted name spans two lines; both customers land.
    assert_eq!(table(&report, "customers")["added"], 2);
    let regions = summary(&ws, "2026-Q3");
    assert_eq!(regions.len(), 2);
    let (east, north) = (&regions[0], &regions[1]);
    assert_eq!((east.0.as_str(), east.3), ("E", 2));
    assert_close(east.1, 1800.0);
    assert_close(east.2.unwrap(), 1520.0 / 1800.0);
    assert_eq!((north.0.as_str(), north.3), ("N", 1));
    assert_close(north.1, 1200.0);
    assert_close(north.2.unwrap(), 0.75);
    // October holds only O5: 400 for R1 in region E.
    let october = summary(&ws, "2026-10");
    assert_eq!(october.len(), 1);
    assert_close(october[0].1, 400.0);
}

#[test]
fn reimport_changes_nothing_and_a_changed_row_is_recorded_and_reverted_exactly() {
    let (_dir, ws) = new_workspace();
    let tiny = fixtures().join("tiny");
    import_json(&ws, &[tiny.to_str().unwrap()], &[], 0);
    let again = ok(&["import", "-w", &ws, tiny.to_str().unwrap()], 0);
    assert!(again.contains("nothing changed"), "{again}");
    let changed = import_json(&ws, &[fixtures().join("changed").to_str().unwrap()], &[], 0);
    assert_eq!(changed["batch"], 2);
    let orders = table(&changed, "orders");
    assert_eq!(
        (orders["added"].as_i64(), orders["changed"].as_i64(), orders["unchanged"].as_i64()),
        (Some(0), Some(1), Some(6))
    );
    // The other files are byte for byte those of batch 1: not read again.
    assert_eq!(table(&changed, "reps")["same_as_batch"], 1);
    assert_close(summary(&ws, "2026-Q3")[1].1, 1500.0);
    let history: Value = serde_json::from_str(&ok(&["changes", "-w", &ws, "2", "--format", "json"], 0)).unwrap();
    assert_eq!(
        history,
        serde_json::json!([{"table": "orders", "key": "O3 / 1", "column": "amount", "old": "1200.0000", "new": "1500.0000"}])
    );

    let reverted = ok(&["revert", "-w", &ws, "2"], 0);
    assert_eq!(reverted.trim(), "batch 2 reverted: 0 added row(s) removed, 1 changed row(s) restored");
    assert_close(summary(&ws, "2026-Q3")[1].1, 1200.0);
    let refused = yeji(&["revert", "-w", &ws, "2"]);
    assert_eq!(refused.status.code(), Some(1));
    assert_eq!(text(&refused.stderr).trim(), "error: cannot revert batch 2: it is already reverted");

    let batches: Value = serde_json::from_str(&ok(&["batches", "-w", &ws, "--format", "json"], 0)).unwrap();
    let statuses: Vec<&str> = batches.as_array().unwrap().iter().map(|b| b["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["landed", "reverted"]);
    ok(&["revert", "-w", &ws, "1"], 0);
    assert!(summary(&ws, "2026-Q3").is_empty());
}

#[test]
fn a_batch_with_bad_rows_lands_nothing_and_names_every_reject() {
    let (dir, ws) = new_workspace();
    // Into an empty workspace every row fails (B2..B7 name unknown reps, customers,
    // products); line 9 is an exact copy of line 7, a duplicate, not a reject.
    let empty = yeji(&["import", "-w", &ws, fixtures().join("orders_bad.csv").to_str().unwrap()]);
    assert!(text(&empty.stderr).contains("error: 7 row(s) rejected"), "{}", text(&empty.stderr));
    import_json(&ws, &[fixtures().join("tiny").to_str().unwrap()], &[], 0);
    let bad = fixtures().join("orders_bad.csv");
    let report_path = dir.path().join("rejects.csv");
    let output = yeji(&["import", "-w", &ws, "--report", report_path.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let stderr = text(&output.stderr);
    assert!(stderr.contains("6 row(s) rejected, nothing was imported"), "{stderr}");
    assert!(stderr.contains("orders_bad.csv:2 [order_date] '2026-02-30': no such day: 2026-02-30"), "{stderr}");

    let mut reader = csv::Reader::from_path(&report_path).unwrap();
    let mut rejects: Vec<(u64, String, String, String)> = reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            assert!(r[0].ends_with("orders_bad.csv"));
            (r[1].parse().unwrap(), r[2].to_owned(), r[3].to_owned(), r[4].to_owned())
        })
        .collect();
    rejects.sort();
    let expected = [
        (2, "order_date", "2026-02-30", "no such day: 2026-02-30"),
        (3, "rep_id", "R9", "unknown rep (not in this batch nor in the workspace)"),
        (4, "quantity", "-1", "negative quantity on a line that is not a return (status returned)"),
        (5, "amount", "abc", "expected a number like 1234.50"),
        (6, "", "", "the row has 7 field(s) where the header has 8 (a stray delimiter or an unclosed quote?)"),
        (8, "amount", "-100", "negative amount on a line that is not a return"),
    ];
    let expected: Vec<(u64, String, String, String)> =
        expected.iter().map(|(l, c, v, r)| (*l, c.to_string(), v.to_string(), r.to_string())).collect();
    assert_eq!(rejects, expected);
    let batches: Value = serde_json::from_str(&ok(&["batches", "-w", &ws, "--format", "json"], 0)).unwrap();
    assert_eq!(batches.as_array().unwrap().len(), 1, "nothing landed");

    // With --allow-rejects the one good row (B6, ¥1,234.50 on 2026-07-01 by R1 in E) lands.
    let partial = import_json(&ws, &[bad.to_str().unwrap()], &["--allow-rejects"], 3);
    let orders = table(&partial, "orders");
    assert_eq!(
        (orders["added"].as_i64(), orders["rejected"].as_i64(), orders["duplicates"].as_i64()),
        (Some(1), Some(6), Some(1))
    );
    assert_close(summary(&ws, "2026-Q3")[0].1, 1800.0 + 1234.5);
}

#[test]
fn malformed_files_get_clear_errors() {
    let (dir, ws) = new_workspace();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    };
    let cases: Vec<(String, String)> = vec![
        (write("orders.csv", b""), "orders.csv: the file is empty (expected a header row)".into()),
        (
            write("payments.csv", b"payment_id,amount\nY1,10\n"),
            "payments.csv: missing required column(s) for payments: invoice_id (or \u{53d1}\u{7968}\u{53f7}), payment_date (or \u{56de}\u{6b3e}\u{65e5}\u{671f})".into(),
        ),
        (write("expenses.csv", &[0x81, 0x30, 0xff, 0xfe, 0x00, 0x80, 0x81, 0xff, b'\n']), "expenses.csv: not valid UTF-8 or GBK text".into()),
        (write("sales.csv", b"a,b\n1,2\n"), "sales.csv: not a canonical table name".into()),
        (write("notes.pdf", b"%PDF"), "notes.pdf: unsupported file type".into()),
    ];
    for (path, message) in cases {
        let output = yeji(&["import", "-w", &ws, &path]);
        assert_eq!(output.status.code(), Some(1), "{path}");
        let stderr = text(&output.stderr);
        assert!(stderr.contains(&message), "{path}: {stderr}");
    }
    // A header-only file is valid and holds nothing.
    let header_only = write("activities.csv", b"activity_id,rep_id,date\n");
    assert!(ok(&["import", "-w", &ws, &header_only], 0).contains("nothing changed"));
    // Line numbers count physical lines: row 2's name spans lines 2-3, the bad row is line 4.
    import_json(&ws, &[fixtures().join("tiny").to_str().unwrap()], &[], 0);
    let customers =
        write("customers.csv", "customer_id,name,credit_limit\nK7,\"多行\n名称\",1\nK8,丙,lots\n".as_bytes());
    let output = yeji(&["import", "-w", &ws, &customers]);
    assert!(
        text(&output.stderr).contains("customers.csv:4 [credit_limit] 'lots': expected a number"),
        "{}",
        text(&output.stderr)
    );
    let opened = yeji(&["batches", "-w", dir.path().to_str().unwrap()]);
    assert!(text(&opened.stderr).contains("is not a yeji workspace (no workspace.toml)"));
}

#[test]
fn the_generated_demo_company_imports_without_a_single_reject() {
    let (dir, ws) = new_workspace();
    let data = dir.path().join("data");
    let generated = ok(&["generate", "--out", data.to_str().unwrap(), "--reps", "16", "--months", "15"], 0);
    assert!(generated.contains("orders"), "{generated}");
    let report = import_json(&ws, &[data.to_str().unwrap()], &[], 0);
    assert_eq!(report["rejected_rows"], 0);
    let tables = report["tables"].as_array().unwrap();
    assert_eq!(tables.len(), 14, "every canonical table is generated");
    for table in tables {
        assert!(table["added"].as_i64().unwrap() > 0, "{table}");
    }
    // The demo has 5 regions selling in its last complete quarter.
    assert_eq!(summary(&ws, "2026-Q3").len(), 5);
}

#[test]
fn a_kill_during_an_import_leaves_the_workspace_as_it_was_or_as_after() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let second = dir.path().join("second");
    ok(&["generate", "--out", first.to_str().unwrap(), "--reps", "40", "--seed", "1"], 0);
    ok(&["generate", "--out", second.to_str().unwrap(), "--reps", "40", "--seed", "2"], 0);
    let reference = dir.path().join("reference").display().to_string();
    ok(&["init", "-w", &reference], 0);
    ok(&["import", "-w", &reference, first.to_str().unwrap()], 0);
    let before = summary(&reference, "2026-Q3");
    ok(&["import", "-w", &reference, second.to_str().unwrap()], 0);
    let after = summary(&reference, "2026-Q3");
    assert_ne!(before, after);

    let mut outcomes = Vec::new();
    for (attempt, delay_ms) in [30u64, 120, 250, 400, 600, 900].into_iter().enumerate() {
        let ws = dir.path().join(format!("ws{attempt}")).display().to_string();
        ok(&["init", "-w", &ws], 0);
        ok(&["import", "-w", &ws, first.to_str().unwrap()], 0);
        let mut child = Command::new(env!("CARGO_BIN_EXE_yeji"))
            .args(["import", "-w", &ws, second.to_str().unwrap()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().ok(); // SIGKILL
        child.wait().unwrap();
        let now = summary(&ws, "2026-Q3");
        let batches: Value = serde_json::from_str(&ok(&["batches", "-w", &ws, "--format", "json"], 0)).unwrap();
        let landed = batches.as_array().unwrap().len();
        match landed {
            1 => assert_eq!(now, before, "attempt {attempt}: not landed, so unchanged"),
            2 => assert_eq!(now, after, "attempt {attempt}: landed, so complete"),
            n => panic!("attempt {attempt}: {n} batches"),
        }
        let leftovers: Vec<_> =
            walk(Path::new(&ws)).into_iter().filter(|p| p.to_string_lossy().ends_with(".tmp")).collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        outcomes.push((landed, finished));
    }
    assert!(outcomes.iter().any(|(landed, _)| *landed == 1), "at least one kill hit a running import: {outcomes:?}");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[test]
fn an_org_tree_keeps_one_root_and_no_cycle_and_targets_name_known_entities() {
    let (dir, ws) = new_workspace();
    let org = dir.path().join("org_units.csv");
    std::fs::write(&org, "unit_id,name,parent_id,kind\nHQ,总部,,company\nX,甲,Y,team\nY,乙,X,team\nHQ2,二号总部,,company\nZ,丙,NOPE,team\n").unwrap();
    let report = dir.path().join("r.csv");
    let output = yeji(&["import", "-w", &ws, "--report", report.to_str().unwrap(), org.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let mut reader = csv::Reader::from_path(&report).unwrap();
    let mut rejects: Vec<(String, String)> =
        reader.records().map(|r| r.unwrap()).map(|r| (r[1].to_owned(), r[4].to_owned())).collect();
    rejects.sort();
    assert_eq!(
        rejects,
        [
            ("3".to_owned(), "the org tree has a cycle through this unit".to_owned()),
            ("4".to_owned(), "the org tree has a cycle through this unit".to_owned()),
            ("5".to_owned(), "a second root: the org tree has one root (HQ); give this unit a parent".to_owned()),
            ("6".to_owned(), "unknown org unit (not in this batch nor in the workspace)".to_owned()),
        ]
    );

    import_json(&ws, &[fixtures().join("tiny").to_str().unwrap()], &[], 0);
    let targets = dir.path().join("targets.csv");
    std::fs::write(&targets, "period,entity_id,metric,value\n2026-Q3,R1,revenue,2000\n2026-Q3,E,revenue,5000\n2026-13,R1,revenue,1\nFY2026,GHOST,revenue,1\n").unwrap();
    let report = import_json(&ws, &[targets.to_str().unwrap()], &["--allow-rejects"], 3);
    assert_eq!(table(&report, "targets")["added"], 2);
    assert_eq!(table(&report, "targets")["rejected"], 2);
}

/// The `scored` fixture is `tiny` plus targets, invoices, payments and surveys.
/// R1 in 2026-Q3, by hand:
/// - revenue 1800 − 400 = 1400 against a 2000 target: 70 points;
/// - gross margin (1400 − 180) / 1400 = 0.871429 against its own target 0.80: 108.93;
/// - collection: I1 (1800, due 08-04) was paid 1000 by 09-30 (800 came 10-15): 0.5556 / 0.95 = 58.48;
/// - new customer rate: K1 is new and R1's only customer: 1.0 / 0.20 = 150 (capped);
/// - satisfaction: (4/5 × 100 + 5/5 × 100) / 2 = 90 / 90 = 100;
/// - overdue on 09-30: I4 (500, due 05-31) and I1's unpaid 800 (due 08-04, 57 days) = 1300.
///
/// Composite (30 × 70 + 20 × 108.93 + 20 × 58.48 + 15 × 150 + 15 × 100) / 100 = 91.98, grade B.
/// R2: revenue 1600 / 1000 → 150 (cap); margin 0.75 / 0.30 → 150; I2 paid in full → 105.26;
/// new rate 150; satisfaction 9/10 → 90 → 100: composite 133.55, grade S, rank 1 of 2.
#[test]
fn an_evaluation_scores_every_rep_and_unit_by_the_default_scheme() {
    let (_dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let json: Value =
        serde_json::from_str(&ok(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--format", "json"], 0)).unwrap();
    assert_eq!(json["period"], "2026-Q3");
    assert_eq!(json["scheme"], "default");
    let result = |id: &str| json["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    let kpi = |r: &Value, k: &str| {
        (r["kpis"][k]["value"].as_f64(), r["kpis"][k]["target"].as_f64(), r["kpis"][k]["score"].as_f64())
    };

    let r1 = result("R1");
    assert_eq!((r1["level"].as_str(), r1["unit_id"].as_str()), (Some("rep"), Some("TE")));
    assert_eq!(kpi(&r1, "revenue"), (Some(1400.0), Some(2000.0), Some(70.0)));
    assert_eq!(r1["kpis"]["revenue"]["weight"], 0.3);
    let margin = 1220.0 / 1400.0;
    assert_close(r1["kpis"]["gross_margin"]["score"].as_f64().unwrap(), margin / 0.8 * 100.0);
    let collection = 1000.0 / 1800.0;
    assert_close(r1["kpis"]["collection_rate"]["value"].as_f64().unwrap(), collection);
    assert_eq!(kpi(&r1, "new_customer_rate"), (Some(1.0), Some(0.2), Some(150.0)));
    assert_eq!(kpi(&r1, "satisfaction"), (Some(90.0), Some(90.0), Some(100.0)));
    assert_eq!(kpi(&r1, "overdue_amount").0, Some(1300.0));
    assert_eq!(kpi(&r1, "attainment").0, Some(0.7));
    // Retention needs customers in 2026-Q2: there are none, so no value.
    assert_eq!(kpi(&r1, "retention_rate"), (None, None, None));
    let composite =
        (30.0 * 70.0 + 20.0 * margin / 0.8 * 100.0 + 20.0 * collection / 0.95 * 100.0 + 15.0 * 150.0 + 15.0 * 100.0)
            / 100.0;
    assert_close(r1["score"].as_f64().unwrap(), composite);
    assert_eq!((r1["grade"].as_str(), r1["rank"].as_i64(), r1["rank_of"].as_i64()), (Some("B"), Some(2), Some(2)));

    let r2 = result("R2");
    let composite = (30.0 * 150.0 + 20.0 * 150.0 + 20.0 * (1.0 / 0.95 * 100.0) + 15.0 * 150.0 + 15.0 * 100.0) / 100.0;
    assert_close(r2["score"].as_f64().unwrap(), composite);
    assert_eq!((r2["grade"].as_str(), r2["rank"].as_i64()), (Some("S"), Some(1)));

    // Region N has no revenue target and no invoice due: both weights are spread
    // over margin (150), new customer rate (0: K2 was new under R2 in TE) and
    // satisfaction (100): (20 × 150 + 15 × 0 + 15 × 100) / 50 = 90.
    let north = result("N");
    assert_eq!((north["level"].as_str(), north["kind"].as_str()), (Some("unit"), Some("region")));
    assert_close(north["score"].as_f64().unwrap(), 90.0);
    assert_eq!(north["redistributed"], serde_json::json!(["revenue", "collection_rate"]));
    let company = result("HQ");
    assert_eq!(company["level"], "company");
    assert_eq!(kpi(&company, "revenue"), (Some(3000.0), Some(3000.0), Some(100.0)));
    assert_close(company["kpis"]["collection_rate"]["value"].as_f64().unwrap(), 1400.0 / 2200.0);
    // The workspace has no opportunities: the funnel KPIs are absent, not zero.
    assert!(company["kpis"].get("win_rate").is_none());
}

/// `yeji explain … --kpi K --rows FILE` for 2026-Q3.
fn write_rows_behind(ws: &str, entity: &str, kpi: &str, rows: &Path) {
    let args = [
        "explain",
        "-w",
        ws,
        "--period",
        "2026-Q3",
        "--entity",
        entity,
        "--kpi",
        kpi,
        "--rows",
        rows.to_str().unwrap(),
    ];
    ok(&args, 0);
}

/// `yeji explain … --format json` for 2026-Q3.
fn explain_json(ws: &str, entity: &str) -> Value {
    let args = ["explain", "-w", ws, "--period", "2026-Q3", "--entity", entity, "--format", "json"];
    serde_json::from_str(&ok(&args, 0)).unwrap()
}

#[test]
fn an_explanation_adds_up_to_the_score_for_every_entity() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    for entity in ["R1", "R2", "TE", "TN", "E", "N", "HQ"] {
        let json: Value = explain_json(&ws, entity);
        let contributions: f64 =
            json["kpis"].as_array().unwrap().iter().filter_map(|k| k["contribution"].as_f64()).sum();
        assert_close(contributions, json["entity"]["score"].as_f64().unwrap());
    }
    let r1: Value = explain_json(&ws, "R1");
    let kpi = |id: &str| r1["kpis"].as_array().unwrap().iter().find(|k| k["kpi"] == id).unwrap().clone();
    let margin = kpi("gross_margin");
    assert_eq!(margin["measures"], serde_json::json!([["revenue", 1400.0], ["cost", 180.0]]));
    assert_eq!(margin["target_source"], "targets", "R1 has its own margin target");
    assert_eq!(kpi("collection_rate")["target_source"], "scheme");
    assert_eq!(kpi("collection_rate")["measures"], serde_json::json!([["collected", 1000.0], ["due", 1800.0]]));
    assert_eq!(kpi("revenue")["rule"], "ratio_to_target (cap 150)");
    // Region N: revenue (30) and collection (20) have no score; margin, new
    // customer rate and satisfaction share 100: 20/50, 15/50, 15/50.
    let n: Value = explain_json(&ws, "N");
    let effective: Vec<(String, f64)> = n["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|k| k["effective_weight"].as_f64().map(|w| (k["kpi"].as_str().unwrap().to_owned(), w)))
        .collect();
    assert_eq!(effective.len(), 3);
    for (kpi, weight) in effective {
        let expected = if kpi == "gross_margin" { 0.4 } else { 0.3 };
        assert_close(weight, expected);
    }
    // The rows behind R1's revenue: its order lines of the quarter, the return
    // included, the cancelled line and October's left out; they add up to 1400.
    let rows = dir.path().join("r1.csv");
    write_rows_behind(&ws, "R1", "revenue", &rows);
    let mut reader = csv::Reader::from_path(&rows).unwrap();
    let lines: Vec<(String, f64)> = reader
        .deserialize::<std::collections::HashMap<String, String>>()
        .map(|r| r.unwrap())
        .map(|r| (format!("{}/{}", r["order_id"], r["line_no"]), r["amount"].parse().unwrap()))
        .collect();
    assert_eq!(lines.iter().map(|l| l.0.as_str()).collect::<Vec<_>>(), ["O1/1", "O1/2", "RT1/1"]);
    assert_close(lines.iter().map(|l| l.1).sum(), 1400.0);
    // A unit's rows are those credited to it: S2 was answered after R2 moved to TN.
    write_rows_behind(&ws, "N", "satisfaction", &rows);
    let text_rows = std::fs::read_to_string(&rows).unwrap();
    assert_eq!(text_rows.lines().count(), 2, "{text_rows}");
    assert!(text_rows.lines().nth(1).unwrap().starts_with("S2,K2,2026-08-20"));
    let unknown = yeji(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "ZZ"]);
    assert_eq!(text(&unknown.stderr).trim(), "error: no rep or unit 'ZZ' in this workspace");
    let bad_kpi = yeji(&["explain", "-w", &ws, "--period", "2026-Q3", "--entity", "R1", "--kpi", "profit"]);
    assert!(text(&bad_kpi.stderr).contains("unknown KPI 'profit'"));
    let bad_period = yeji(&["evaluate", "-w", &ws, "--period", "2026-Q5"]);
    assert!(text(&bad_period.stderr).contains("the quarter must be 1 to 4"), "{}", text(&bad_period.stderr));
}

#[test]
fn a_custom_scheme_scores_with_its_own_rules_and_bad_schemes_are_refused() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let scheme = dir.path().join("margin.toml");
    std::fs::write(
        &scheme,
        "name = \"margin only\"\n[[kpis]]\nkpi = \"gross_margin\"\nweight = 100\nrule = \"linear\"\nfloor = 0.5\nstretch = 0.9\ndefault_target = 0.7\n",
    )
    .unwrap();
    let json: Value = serde_json::from_str(&ok(
        &[
            "evaluate",
            "-w",
            &ws,
            "--period",
            "2026-Q3",
            "--scheme",
            scheme.to_str().unwrap(),
            "--level",
            "rep",
            "--format",
            "json",
        ],
        0,
    ))
    .unwrap();
    assert_eq!(json["scheme"], "margin only");
    let score = |id: &str| {
        json["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["score"].as_f64().unwrap()
    };
    // R2: margin 0.75 against the scheme's 0.7, stretch 0.9 scores 120: 100 + 0.05 / 0.2 × 20 = 105.
    assert_close(score("R2"), 105.0);
    // R1: margin 1220/1400 against its own target 0.80: 100 + (0.871429 − 0.8) / 0.1 × 20.
    assert_close(score("R1"), 100.0 + (1220.0 / 1400.0 - 0.8) / 0.1 * 20.0);
    assert_eq!(json["results"].as_array().unwrap().len(), 2, "--level rep keeps the reps only");

    let book = dir.path().join("scores.xlsx");
    ok(
        &[
            "evaluate",
            "-w",
            &ws,
            "--period",
            "2026-Q3",
            "--level",
            "rep",
            "--format",
            "xlsx",
            "--out",
            book.to_str().unwrap(),
        ],
        0,
    );
    use calamine::Reader;
    let mut workbook: calamine::Xlsx<_> = calamine::open_workbook(&book).unwrap();
    let range = workbook.worksheet_range("2026-Q3").unwrap();
    let cell = |row: u32, column: u32| range.get_value((row, column)).cloned().unwrap();
    assert_eq!(cell(0, 4), calamine::Data::String("score".into()));
    assert_eq!(cell(1, 1), calamine::Data::String("R1".into()));
    let calamine::Data::Float(r1) = cell(1, 4) else { panic!("a number") };
    let default_score = (30.0 * 70.0
        + 20.0 * (1220.0 / 1400.0) / 0.8 * 100.0
        + 20.0 * (1000.0 / 1800.0) / 0.95 * 100.0
        + 15.0 * 150.0
        + 15.0 * 100.0)
        / 100.0;
    assert_close(r1, default_score);

    std::fs::write(
        &scheme,
        "name = \"x\"\n[[kpis]]\nkpi = \"gross_margin\"\nweight = 90\nrule = \"ratio_to_target\"\n",
    )
    .unwrap();
    let refused = yeji(&["scheme", "validate", scheme.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("the weights add up to 90%, not 100%"));
    let shown = ok(&["scheme", "show"], 0);
    assert!(shown.contains("kpi = \"revenue\"\nweight = 30.0"), "{shown}");
}

/// Formula KPIs of a scheme, on the scored fixture in 2026-Q3 (hand values):
/// R1 has revenue 1400 (800 + 1000 − 400), cost 180, one order (O1), and 1300
/// overdue (I4's 500 since May, I1's unpaid 800 since 4 Aug); R2 has 1600,
/// cost 400, two orders, nothing overdue. 华东大区 E holds R1 and R2's July
/// order: 1800 over two orders.
#[test]
fn formula_kpis_compute_from_each_entitys_own_values_and_score_like_any_kpi() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let scheme = dir.path().join("formulas.toml");
    std::fs::write(
        &scheme,
        r#"name = "profit"
[[kpis]]
kpi = "gross_profit"
weight = 60
rule = "ratio_to_target"
default_target = 1000
[[kpis]]
kpi = "revenue_per_overdue"
weight = 40
rule = "ratio_to_target"
default_target = 2

# Declared before the formula it reads: order does not matter.
[[formulas]]
id = "profit_per_order"
formula = "gross_profit / orders"
unit = "money"
[[formulas]]
id = "gross_profit"
name_zh = "毛利额"
formula = "revenue * gross_margin"
unit = "money"
[[formulas]]
id = "per_order"
formula = "revenue / orders"
[[formulas]]
id = "revenue_per_overdue"
formula = "revenue / overdue_amount"
"#,
    )
    .unwrap();
    let args = ["evaluate", "-w", &ws, "--period", "2026-Q3", "--scheme", scheme.to_str().unwrap(), "--format", "json"];
    let json: Value = serde_json::from_str(&ok(&args, 0)).unwrap();
    let entity = |id: &str| json["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap().clone();
    let value = |e: &Value, kpi: &str| e["kpis"][kpi]["value"].as_f64();
    let (r1, r2, east) = (entity("R1"), entity("R2"), entity("E"));
    assert_close(value(&r1, "gross_profit").unwrap(), 1220.0);
    assert_close(value(&r2, "gross_profit").unwrap(), 1200.0);
    assert_close(value(&r1, "profit_per_order").unwrap(), 1220.0);
    assert_close(value(&r2, "profit_per_order").unwrap(), 600.0);
    // The same number as the catalogue's average order value, by its own formula.
    for e in [&r1, &r2, &east] {
        assert_eq!(value(e, "per_order"), value(e, "avg_order_value"));
    }
    // A unit's value comes from its rows: 1800 / 2, not the mean of 1400 and 800.
    assert_close(value(&east, "per_order").unwrap(), 900.0);
    assert_close(value(&r1, "revenue_per_overdue").unwrap(), 1400.0 / 1300.0);
    assert_eq!(r2["kpis"]["revenue_per_overdue"]["value"], Value::Null, "nothing overdue: no value, not ∞");
    // R1: 60 × 122 (1220 / 1000) + 40 × 53.85 (1.0769 / 2); R2 is scored on
    // gross profit alone (120), the other weight redistributed and said so.
    assert_close(r1["score"].as_f64().unwrap(), (60.0 * 122.0 + 40.0 * (1400.0 / 1300.0 / 2.0 * 100.0)) / 100.0);
    assert_close(r2["score"].as_f64().unwrap(), 120.0);
    assert_eq!(r2["redistributed"], serde_json::json!(["revenue_per_overdue"]));

    let args = ["explain", "-w", &ws, "--period", "2026-Q3", "--scheme", scheme.to_str().unwrap()];
    let explained: Value = serde_json::from_str(&ok(
        &[&args[..], &["--entity", "R2", "--kpi", "profit_per_order", "--format", "json"]].concat(),
        0,
    ))
    .unwrap();
    let kpi = &explained["kpis"][0];
    assert_eq!(kpi["formula"], "gross_profit / orders");
    assert_eq!(kpi["measures"], serde_json::json!([["gross_profit", 1200.0], ["orders", 2.0]]));
    // The rows behind it are those of revenue (its first input, through
    // gross_profit): R2's two order lines of the quarter, O2 and O3.
    let rows = dir.path().join("rows.csv");
    let rows_arg = rows.to_str().unwrap();
    ok(&[&args[..], &["--entity", "R2", "--kpi", "profit_per_order", "--rows", rows_arg]].concat(), 0);
    let written = std::fs::read_to_string(&rows).unwrap();
    let orders: Vec<&str> = written.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(orders, ["O2", "O3"]);
    let explained: Value =
        serde_json::from_str(&ok(&[&args[..], &["--entity", "R1", "--format", "json"]].concat(), 0)).unwrap();
    let contributions: f64 =
        explained["kpis"].as_array().unwrap().iter().filter_map(|k| k["contribution"].as_f64()).sum();
    assert_close(contributions, r1["score"].as_f64().unwrap());
    let named = explained["kpis"].as_array().unwrap().iter().find(|k| k["kpi"] == "gross_profit").unwrap().clone();
    assert_eq!((named["name_zh"].as_str(), named["name_en"].as_str()), (Some("毛利额"), Some("gross_profit")));

    // `yeji kpis --scheme` documents them after the catalogue, from the same definitions.
    let listed: Value =
        serde_json::from_str(&ok(&["kpis", "--scheme", scheme.to_str().unwrap(), "--format", "json"], 0)).unwrap();
    let catalogue: Value = serde_json::from_str(&ok(&["kpis", "--format", "json"], 0)).unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), catalogue.as_array().unwrap().len() + 4);
    let gross_profit = listed.iter().find(|k| k["id"] == "gross_profit").unwrap();
    let fields = ["name_zh", "definition", "unit", "source"].map(|f| gross_profit[f].as_str().unwrap());
    assert_eq!(fields, ["毛利额", "revenue * gross_margin", "money", "scheme profit"]);

    std::fs::write(
        &scheme,
        std::fs::read_to_string(&scheme).unwrap().replace("revenue * gross_margin", "profit_per_order * orders"),
    )
    .unwrap();
    let refused = yeji(&["scheme", "validate", scheme.to_str().unwrap()]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        text(&refused.stderr).contains("formula KPIs form a cycle: profit_per_order → gross_profit → profit_per_order"),
        "{}",
        text(&refused.stderr)
    );
}

/// `--by`: one evaluation per slice, from the slice's rows only. By hand, in
/// 2026-Q3 of the scored fixture: 软件 (P1) is R1's 800 − 400 returned (cost
/// 200 − 100) and R2's 400 + 1200 (cost 400), 2000 in all; 耗材 (P2) is R1's
/// 1000 (cost 80). 华东大区 E sells 软件 for 800: R1's 400 and R2's July 400.
#[test]
fn sliced_evaluations_compute_each_slice_from_its_own_rows() {
    let (_dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let args = ["evaluate", "-w", &ws, "--period", "2026-Q3", "--by", "product_line", "--format", "json"];
    let slices: Value = serde_json::from_str(&ok(&args, 0)).unwrap();
    let slices = slices.as_array().unwrap();
    let keys: Vec<&Value> = slices.iter().map(|s| &s["slice"]).collect();
    assert_eq!(
        keys,
        [
            &serde_json::json!({"by": "product_line", "key": "软件"}),
            &serde_json::json!({"by": "product_line", "key": "耗材"})
        ]
    );
    let kpi = |slice: &Value, id: &str, kpi: &str| {
        slice["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["kpis"][kpi]["value"].clone()
    };
    assert_eq!(kpi(&slices[0], "R1", "revenue"), 400.0);
    assert_eq!(kpi(&slices[0], "R1", "gross_margin"), 0.75);
    assert_eq!(kpi(&slices[0], "R2", "revenue"), 1600.0);
    assert_eq!(kpi(&slices[0], "E", "revenue"), 800.0);
    assert_eq!(kpi(&slices[0], "HQ", "revenue"), 2000.0);
    assert_eq!(kpi(&slices[1], "R1", "revenue"), 1000.0);
    assert_eq!(kpi(&slices[1], "R1", "gross_margin"), 0.92);
    assert_eq!(kpi(&slices[1], "R2", "revenue"), 0.0, "no 耗材 sales: a sum over no rows is 0");
    assert_eq!(kpi(&slices[1], "R2", "gross_margin"), Value::Null, "and a margin of nothing has no value");
    // New to the product line: K1's first line ever is 软件 (O1/1), its first
    // 耗材 line (O1/2, same day) makes it new to 耗材 as well: 1 of R1's 1.
    assert_eq!(kpi(&slices[1], "R1", "new_customer_rate"), 1.0);
    // Invoices and surveys carry no product line: their KPIs leave the slice.
    assert_eq!(kpi(&slices[0], "R1", "collection_rate"), Value::Null);
    assert!(slices[0]["results"][0]["kpis"].get("collection_rate").is_none());
    assert!(slices[0]["results"][0]["kpis"].get("satisfaction").is_none());

    // Channels, as CSV: online is R2's 1600, offline R1's 1400; a slice column first.
    let args = ["evaluate", "-w", &ws, "--period", "2026-Q3", "--by", "channel", "--level", "rep", "--format", "csv"];
    let csv = ok(&args, 0);
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let revenue = rows[0].iter().position(|c| *c == "revenue").unwrap();
    let cells: Vec<(&str, &str, &str)> = rows[1..].iter().map(|r| (r[0], r[2], r[revenue])).collect();
    assert_eq!(
        cells,
        [("online", "R1", "0"), ("online", "R2", "1600"), ("offline", "R1", "1400"), ("offline", "R2", "0")]
    );

    // Segments reach receivables too: 大客户 is K1, all of R1's invoices.
    let args = ["evaluate", "-w", &ws, "--period", "2026-Q3", "--by", "segment", "--format", "json"];
    let slices: Value = serde_json::from_str(&ok(&args, 0)).unwrap();
    let big = slices.as_array().unwrap().iter().find(|s| s["slice"]["key"] == "大客户").unwrap();
    assert_close(kpi(big, "R1", "collection_rate").as_f64().unwrap(), 1000.0 / 1800.0);
    assert_eq!(kpi(big, "R2", "revenue"), 0.0);

    // Regions are the customers' (classified to org units at import): K2 is in
    // 华北 N (R2's 1600), K1 in 华东 E (R1's 1400, and its receivables).
    let args = ["evaluate", "-w", &ws, "--period", "2026-Q3", "--by", "region", "--format", "json"];
    let slices: Value = serde_json::from_str(&ok(&args, 0)).unwrap();
    let keys: Vec<&str> = slices.as_array().unwrap().iter().map(|s| s["slice"]["key"].as_str().unwrap()).collect();
    assert_eq!(keys, ["N", "E"]);
    assert_eq!((kpi(&slices[0], "R2", "revenue"), kpi(&slices[0], "R1", "revenue")), (1600.0.into(), 0.0.into()));
    assert_close(kpi(&slices[1], "R1", "collection_rate").as_f64().unwrap(), 1000.0 / 1800.0);

    let refused = yeji(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--by", "colour"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        text(&refused.stderr)
            .contains("unknown dimension 'colour'; expected one of region, product_line, channel, segment"),
        "{}",
        text(&refused.stderr)
    );
}

/// A customer's first line is found again whenever the orders change: an
/// earlier line of K2 (2026-06-30, by R1) makes K2 new in Q2 under R1 instead
/// of new in Q3 under R2 (whose only Q3 customer it is), and reverting that
/// batch restores it.
#[test]
fn a_customers_first_line_moves_when_an_earlier_line_arrives_and_back_on_revert() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let new_rate = |period: &str, rep: &str| {
        let json: Value =
            serde_json::from_str(&ok(&["evaluate", "-w", &ws, "--period", period, "--format", "json"], 0)).unwrap();
        let result = json["results"].as_array().unwrap().iter().find(|r| r["id"] == rep).unwrap().clone();
        result["kpis"]["new_customer_rate"]["value"].as_f64()
    };
    assert_eq!(new_rate("2026-Q3", "R2"), Some(1.0));
    assert_eq!(new_rate("2026-Q2", "R1"), None, "no customer in Q2: no rate");

    let earlier = dir.path().join("earlier");
    std::fs::create_dir(&earlier).unwrap();
    std::fs::write(
        earlier.join("orders.csv"),
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,cost,channel,status\n\
         O0,1,2026-06-30,R1,K2,P1,1,400,100,online,confirmed\n",
    )
    .unwrap();
    import_json(&ws, &[earlier.to_str().unwrap()], &[], 0);
    assert_eq!(new_rate("2026-Q3", "R2"), Some(0.0));
    assert_eq!(new_rate("2026-Q2", "R1"), Some(1.0));

    ok(&["revert", "-w", &ws, "2"], 0);
    assert_eq!(new_rate("2026-Q3", "R2"), Some(1.0));
    assert_eq!(new_rate("2026-Q2", "R1"), None);
}

/// What was paid on an invoice follows the payments, even when only payments
/// are imported: R1's overdue in 2026-Q3 is I1's unpaid 800 (1000 of 1800
/// paid by the end of September) and I4's 500 (nothing paid); a payment of
/// 500 on I4 in September leaves 800, and reverting it restores 1300. I1's
/// second payment (October, after the quarter) never counts for Q3.
#[test]
fn a_payments_only_batch_changes_what_is_overdue_and_its_revert_restores_it() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let overdue = || {
        let json: Value =
            serde_json::from_str(&ok(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--format", "json"], 0)).unwrap();
        let r1 = json["results"].as_array().unwrap().iter().find(|r| r["id"] == "R1").unwrap().clone();
        (r1["kpis"]["overdue_amount"]["value"].as_f64(), r1["kpis"]["collection_rate"]["value"].as_f64())
    };
    let collection = Some(1000.0 / 1800.0);
    assert_eq!(overdue(), (Some(1300.0), collection));

    let paid = dir.path().join("paid");
    std::fs::create_dir(&paid).unwrap();
    std::fs::write(paid.join("payments.csv"), "payment_id,invoice_id,payment_date,amount\nY4,I4,2026-09-10,500\n")
        .unwrap();
    import_json(&ws, &[paid.to_str().unwrap()], &[], 0);
    assert_eq!(overdue(), (Some(800.0), collection));

    ok(&["revert", "-w", &ws, "2"], 0);
    assert_eq!(overdue(), (Some(1300.0), collection));
}

/// Sums roll up exactly: each unit's revenue is the sum of its children's, and
/// the company's the sum of every rep's (a rep who moved counts once, split
/// between the units of the days of the sales). Checked on two demo companies.
#[test]
fn revenue_adds_up_the_org_tree_and_over_the_reps() {
    for seed in ["3", "11"] {
        let (dir, ws) = new_workspace();
        let data = dir.path().join("data");
        ok(&["generate", "--out", data.to_str().unwrap(), "--reps", "20", "--months", "15", "--seed", seed], 0);
        import_json(&ws, &[data.to_str().unwrap()], &[], 0);
        let json: Value =
            serde_json::from_str(&ok(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--format", "json"], 0)).unwrap();
        let results = json["results"].as_array().unwrap();
        let revenue = |r: &Value| r["kpis"]["revenue"]["value"].as_f64().unwrap();
        let company = results.iter().find(|r| r["level"] == "company").unwrap();
        let reps: f64 = results.iter().filter(|r| r["level"] == "rep").map(revenue).sum();
        assert!(
            (revenue(company) - reps).abs() < 1e-6 * revenue(company),
            "seed {seed}: {} vs {reps}",
            revenue(company)
        );
        for unit in results.iter().filter(|r| r["level"] != "rep") {
            let children: Vec<&Value> =
                results.iter().filter(|r| r["level"] == "unit" && r["unit_id"] == unit["id"]).collect();
            if children.is_empty() {
                continue;
            }
            let sum: f64 = children.iter().map(|c| revenue(c)).sum();
            assert!((revenue(unit) - sum).abs() < 1e-6 * revenue(unit).max(1.0), "seed {seed}: {}", unit["id"]);
        }
    }
}

/// Runs pin their data and scheme. On `scored` (see above): run 1; then O3
/// (R2, 08-10, region N) goes from 1200 to 1500 and run 2; then a scheme with
/// revenue 40 and gross margin 10 and run 3.
/// - 1 → 2: the orders file changed (batch 1 → 2). R2's revenue 1600 → 1900
///   (its score stays 150, capped); the company's 3000 → 3300 against 3000:
///   100 → 110 points. R1 is untouched and not listed.
/// - 2 → 3: only weights changed; R1's composite becomes
///   (40 × 70 + 10 × 108.93 + 20 × 58.48 + 15 × 150 + 15 × 100) / 100.
/// - Run 1 still computes from the old rows after both, exactly.
#[test]
fn a_saved_run_reproduces_exactly_and_diffs_say_what_changed_and_why() {
    let (dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let saved = yeji(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--save", "--format", "json"]);
    assert_eq!(text(&saved.stderr).trim(), "saved as run 1 (yeji show 1; yeji diff 1 LATER_RUN)");
    let first: Value = serde_json::from_slice(&saved.stdout).unwrap();
    import_json(&ws, &[fixtures().join("changed").join("orders.csv").to_str().unwrap()], &[], 0);
    ok(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--save"], 0);
    let scheme = ok(&["scheme", "show"], 0).replacen("weight = 30.0", "weight = 40.0", 1).replacen(
        "weight = 20.0",
        "weight = 10.0",
        1,
    );
    let scheme_file = dir.path().join("s.toml");
    std::fs::write(&scheme_file, scheme).unwrap();
    ok(&["scheme", "import", "-w", &ws, scheme_file.to_str().unwrap()], 0);
    ok(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--save"], 0);

    let runs: Value = serde_json::from_str(&ok(&["runs", "-w", &ws, "--format", "json"], 0)).unwrap();
    let versions: Vec<Value> = runs.as_array().unwrap().iter().map(|r| r["scheme_version"].clone()).collect();
    assert_eq!(versions, [Value::Null, Value::Null, serde_json::json!(1)]);

    let verified = yeji(&["show", "-w", &ws, "1", "--verify", "--format", "json"]);
    assert_eq!(verified.status.code(), Some(0));
    assert_eq!(text(&verified.stderr).trim(), "run 1 reproduces exactly: 7 results recomputed from its pinned data");
    assert_eq!(serde_json::from_slice::<Value>(&verified.stdout).unwrap(), first);

    let diff: Value = serde_json::from_str(&ok(&["diff", "-w", &ws, "1", "2", "--format", "json"], 0)).unwrap();
    assert_eq!(diff["scheme_changed"], false);
    assert_eq!(diff["data"], serde_json::json!([{"table": "orders", "batch": [1, 2], "rows": [7, 7]}]));
    let entity = |diff: &Value, id: &str| {
        diff["entities"].as_array().unwrap().iter().find(|e| e["id"] == id && e["level"] != "unit").cloned()
    };
    let kpi = |e: &Value, k: &str| e["kpis"].as_array().unwrap().iter().find(|c| c["kpi"] == k).cloned().unwrap();
    assert!(entity(&diff, "R1").is_none(), "R1 did not change: {diff}");
    let r2_revenue = kpi(&entity(&diff, "R2").unwrap(), "revenue");
    assert_eq!(
        (r2_revenue["before"]["value"].as_f64(), r2_revenue["after"]["value"].as_f64()),
        (Some(1600.0), Some(1900.0))
    );
    assert_eq!(r2_revenue["causes"], serde_json::json!(["data"]));
    let text_diff = ok(&["diff", "-w", &ws, "1", "2"], 0);
    assert!(text_diff.contains("\n  revenue: value 1600 → 1900 (data changed)\n"), "{text_diff}");
    let company_revenue = kpi(&entity(&diff, "HQ").unwrap(), "revenue");
    assert_close(company_revenue["before"]["score"].as_f64().unwrap(), 100.0);
    assert_close(company_revenue["after"]["score"].as_f64().unwrap(), 110.0);

    let diff: Value = serde_json::from_str(&ok(&["diff", "-w", &ws, "2", "3", "--format", "json"], 0)).unwrap();
    assert_eq!((diff["scheme_changed"].as_bool(), diff["data"].as_array().unwrap().len()), (Some(true), 0));
    let r1 = entity(&diff, "R1").unwrap();
    let margin = 1220.0 / 1400.0 / 0.8 * 100.0;
    let collection = 1000.0 / 1800.0 / 0.95 * 100.0;
    let before = (30.0 * 70.0 + 20.0 * margin + 20.0 * collection + 15.0 * 150.0 + 15.0 * 100.0) / 100.0;
    let after = (40.0 * 70.0 + 10.0 * margin + 20.0 * collection + 15.0 * 150.0 + 15.0 * 100.0) / 100.0;
    assert_close(r1["score"][0].as_f64().unwrap(), before);
    assert_close(r1["score"][1].as_f64().unwrap(), after);
    let revenue = kpi(&r1, "revenue");
    assert_eq!((revenue["before"]["weight"].as_f64(), revenue["after"]["weight"].as_f64()), (Some(0.3), Some(0.4)));
    assert_eq!(revenue["causes"], serde_json::json!(["scheme"]));
    let text_diff = ok(&["diff", "-w", &ws, "2", "3"], 0);
    assert!(text_diff.starts_with("run 2 → run 3\nscheme: default (file/default) → default (v1)\n"), "{text_diff}");

    let missing = yeji(&["show", "-w", &ws, "9"]);
    assert_eq!(text(&missing.stderr).trim(), "error: no run 9 in this workspace (see `yeji runs`)");
}

/// A repeated evaluation is served from `W/cache/<data>/`; a new batch is a new
/// state of the data, so the next evaluation sees it (R2: 1600 → 1900, O3 changed).
#[test]
fn a_cached_evaluation_never_outlives_its_data() {
    let (_dir, ws) = new_workspace();
    import_json(&ws, &[fixtures().join("scored").to_str().unwrap()], &[], 0);
    let revenue = |ws: &str| {
        let json: Value =
            serde_json::from_str(&ok(&["evaluate", "-w", ws, "--period", "2026-Q3", "--format", "json"], 0)).unwrap();
        let r2 = json["results"].as_array().unwrap().iter().find(|r| r["id"] == "R2").unwrap().clone();
        (r2["kpis"]["revenue"]["value"].as_f64().unwrap(), json)
    };
    let (first, json) = revenue(&ws);
    assert_eq!(first, 1600.0);
    let cache = Path::new(&ws).join("cache");
    let cached: Vec<PathBuf> = walk(&cache).into_iter().filter(|p| p.is_file()).collect();
    assert_eq!(cached.len(), 1, "{cached:?}");
    assert_eq!(serde_json::from_slice::<Value>(&std::fs::read(&cached[0]).unwrap()).unwrap(), json);
    assert_eq!(revenue(&ws).1, json);
    import_json(&ws, &[fixtures().join("changed").join("orders.csv").to_str().unwrap()], &[], 0);
    assert_eq!(revenue(&ws).0, 1900.0);
    // Opening the workspace alone dropped the old state's folder.
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
}
