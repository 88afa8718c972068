//! Target decomposition (SPEC §15.2) through the real binary on the demo
//! company: the company's 2026 revenue target from targets.csv shared among
//! the months by the company's revenue per calendar month over 2024–2025
//! (`yeji evaluate` of each month, averaged over the years with data) and down
//! the tree of org_units.csv and reps.csv by each child's 2025 revenue; every
//! node's children sum exactly to it, and saved targets are what the
//! evaluation then uses.

mod common;

use std::collections::BTreeMap;

use common::{json, ok, run, text};
use rust_decimal::Decimal;
use serde_json::Value;

fn d(value: &Value) -> Decimal {
    value.as_str().expect("a decimal as text").parse().unwrap()
}

fn csv_rows(path: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    lines.map(|l| header.iter().map(|h| h.to_string()).zip(l.split(',').map(str::to_owned)).collect()).collect()
}

/// Revenue of every entity in `period`, by `yeji evaluate`.
fn revenue(ws: &str, period: &str) -> BTreeMap<String, f64> {
    let evaluation = json(&["evaluate", "-w", ws, "--period", period, "--format", "json"]);
    evaluation["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| Some((r["id"].as_str()?.to_owned(), r["kpis"]["revenue"]["value"].as_f64()?)))
        .collect()
}

#[test]
fn a_year_target_is_shared_by_season_and_history_and_saved_as_targets() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let data = format!("{ws}/demo-data");
    let parent: Decimal = csv_rows(&format!("{data}/targets.csv"))
        .iter()
        .find(|r| r["period"] == "2026" && r["entity_id"] == "HQ" && r["metric"] == "revenue")
        .map(|r| r["value"].parse().unwrap())
        .unwrap();

    let out = json(&["target", "decompose", "-w", &ws, "--period", "2026", "--entity", "HQ", "--format", "json"]);
    assert_eq!(d(&out["parent"]["value"]), parent);
    let targets = out["targets"].as_array().unwrap();
    let value = |period: &str, entity: &str| -> Decimal {
        d(&targets.iter().find(|t| t["period"] == period && t["entity_id"] == entity).unwrap()["value"])
    };
    let months: Vec<String> = (1..=12).map(|m| format!("2026-{m:02}")).collect();
    assert_eq!(months.iter().map(|m| value(m, "HQ")).sum::<Decimal>(), parent, "the months sum to the parent");

    // Seasonality: each month's share of the parent is the mean of the
    // company's revenue in that calendar month over 2024 and 2025 (the years
    // with data: from the month of the first order), out of the sum of those
    // means; within a cent of it.
    let first_order =
        csv_rows(&format!("{data}/orders.csv")).iter().map(|r| r["order_date"][..7].to_owned()).min().unwrap();
    let history: Vec<(String, Option<f64>)> = (2024..=2025)
        .flat_map(|y| (1..=12).map(move |m| format!("{y}-{m:02}")))
        .map(|m| {
            let r = (m >= first_order).then(|| revenue(&ws, &m).get("HQ").copied().unwrap_or(0.0));
            (m, r)
        })
        .collect();
    let mean = |month: &str| {
        let values: Vec<f64> =
            history.iter().filter(|(m, _)| &m[5..] == month).filter_map(|(_, r)| r.map(|r| r.max(0.0))).collect();
        if values.is_empty() { 0.0 } else { values.iter().sum::<f64>() / values.len() as f64 }
    };
    let means: Vec<f64> = months.iter().map(|m| mean(&m[5..])).collect();
    let all: f64 = means.iter().sum();
    let parent_f: f64 = parent.to_string().parse().unwrap();
    for (month, mean) in months.iter().zip(&means) {
        let got: f64 = value(month, "HQ").to_string().parse().unwrap();
        assert!((got - parent_f * mean / all).abs() < 0.1, "{month}: {got} vs {}", parent_f * mean / all);
    }

    // The tree: org_units.csv and the reps active at the start of 2026; each
    // node's months sum exactly over its children, shared by 2025 revenue.
    let units = csv_rows(&format!("{data}/org_units.csv"));
    let reps = csv_rows(&format!("{data}/reps.csv"));
    let mut children: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for unit in units.iter().filter(|u| !u["parent_id"].is_empty()) {
        children.entry(unit["parent_id"].clone()).or_default().push(unit["unit_id"].clone());
    }
    // Each rep's row on 2026-01-01, or their first row if they join during 2026.
    let mut rows_of: BTreeMap<String, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for rep in &reps {
        rows_of.entry(rep["rep_id"].clone()).or_default().push(rep);
    }
    let latest: BTreeMap<String, &BTreeMap<String, String>> = rows_of
        .into_iter()
        .filter_map(|(id, mut rows)| {
            rows.sort_by_key(|r| r["effective_from"].clone());
            let on_first_day = rows.iter().rev().find(|r| r["effective_from"].as_str() <= "2026-01-01").copied();
            let joining = rows.first().copied().filter(|r| r["effective_from"].as_str() <= "2026-12-31");
            Some((id, on_first_day.or(joining)?))
        })
        .collect();
    for (id, rep) in latest.iter().filter(|(_, r)| r["active"] == "true") {
        children.entry(rep["unit_id"].clone()).or_default().push(id.clone());
    }
    let last_year = revenue(&ws, "2025");
    for (node, kids) in &children {
        for month in &months {
            let sum: Decimal = kids.iter().map(|k| value(month, k)).sum();
            assert_eq!(sum, value(month, node), "{month}: {node}'s children sum to it");
        }
        let weights: Vec<f64> = kids.iter().map(|k| last_year.get(k).copied().unwrap_or(0.0).max(0.0)).collect();
        let total: f64 = weights.iter().sum();
        let node_jan: f64 = value("2026-01", node).to_string().parse().unwrap();
        for (kid, weight) in kids.iter().zip(&weights) {
            let got: f64 = value("2026-01", kid).to_string().parse().unwrap();
            let expected = if total > 0.0 { node_jan * weight / total } else { node_jan / kids.len() as f64 };
            assert!((got - expected).abs() < 0.1, "{kid} in January: {got} vs {expected}");
        }
    }
    let rep = latest.keys().next().unwrap().clone();
    let quarters: Decimal = ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"].iter().map(|q| value(q, &rep)).sum();
    assert_eq!(quarters, value("2026", &rep), "a rep's quarters sum to their year");

    // Top-down against bottom-up before saving: each unit's own 2026 target
    // beside its children's (a child without one counts by its children).
    let year_targets: BTreeMap<String, Decimal> = csv_rows(&format!("{data}/targets.csv"))
        .iter()
        .filter(|r| r["period"] == "2026" && r["metric"] == "revenue" && r["product_line"].is_empty())
        .map(|r| (r["entity_id"].clone(), r["value"].parse().unwrap()))
        .collect();
    fn of(
        node: &str,
        children: &BTreeMap<String, Vec<String>>,
        targets: &BTreeMap<String, Decimal>,
    ) -> Option<Decimal> {
        targets.get(node).copied().or_else(|| below(node, children, targets))
    }
    fn below(
        node: &str,
        children: &BTreeMap<String, Vec<String>>,
        targets: &BTreeMap<String, Decimal>,
    ) -> Option<Decimal> {
        let values: Vec<Decimal> = children.get(node)?.iter().filter_map(|c| of(c, children, targets)).collect();
        (!values.is_empty()).then(|| values.into_iter().sum())
    }
    let rollup = json(&["targets", "-w", &ws, "--period", "2026", "--format", "json"]);
    let units = rollup["units"].as_array().unwrap();
    assert_eq!(units.len(), children.len(), "every unit with members");
    for unit in units {
        let id = unit["entity_id"].as_str().unwrap();
        let expected = below(id, &children, &year_targets).unwrap();
        assert_eq!(d(&unit["bottom_up"]), expected, "{id} bottom-up");
        let top = year_targets[id];
        assert_eq!((d(&unit["top_down"]), d(&unit["gap"])), (top, top - expected), "{id}");
    }

    // Saved: one import batch; the evaluation of a month uses the rep's share.
    let saved = ok(&["target", "decompose", "-w", &ws, "--period", "2026", "--entity", "HQ", "--save"], 0);
    assert!(saved.contains(&format!("saved {} targets as batch", targets.len())), "{saved}");
    let march = json(&["evaluate", "-w", &ws, "--period", "2026-03", "--format", "json"]);
    let result = march["results"].as_array().unwrap().iter().find(|r| r["id"] == rep.as_str()).unwrap().clone();
    let target: f64 = value("2026-03", &rep).to_string().parse().unwrap();
    assert_eq!(result["kpis"]["revenue"]["target"].as_f64(), Some(target));

    // Manual shares of a quarter: 20% / 30% / 50% of the company's Q3 target.
    let q3 = json(&[
        "target",
        "decompose",
        "-w",
        &ws,
        "--period",
        "2026-Q3",
        "--entity",
        "HQ",
        "--time",
        "manual:20,30,50",
        "--format",
        "json",
    ]);
    let q3_total = d(&q3["parent"]["value"]);
    let q3_month = |m: &str| {
        d(
            &q3["targets"].as_array().unwrap().iter().find(|t| t["period"] == m && t["entity_id"] == "HQ").unwrap()["value"],
        )
    };
    let fifth = (q3_total * Decimal::new(20, 2)).round_dp(2);
    assert_eq!(q3_month("2026-07"), fifth, "20% of {q3_total}");
    assert_eq!(q3_month("2026-07") + q3_month("2026-08") + q3_month("2026-09"), q3_total);

    // Bad requests, each named.
    for (args, expected) in [
        (vec!["--period", "2026-07", "--entity", "HQ"], "2026-07 is one month"),
        (vec!["--period", "2026", "--entity", "NOPE"], "no rep or unit 'NOPE'"),
        (vec!["--period", "2026", "--entity", rep.as_str()], "is a rep"),
        (vec!["--period", "2028", "--entity", "HQ"], "no revenue target for HQ in 2028"),
        (vec!["--period", "2026", "--entity", "HQ", "--time", "lunar"], "--time lunar: seasonality, even or manual"),
        (
            vec!["--period", "2026-Q3", "--entity", "HQ", "--time", "manual:30,30,30"],
            "manual shares sum to 90%, not 100%",
        ),
        (vec!["--period", "2026-Q3", "--entity", "HQ", "--time", "manual:50,50"], "2 manual shares for the 3 months"),
        (vec!["--period", "2026-Q3", "--entity", "HQ", "--time", "manual:50,x,50"], "manual share 'x' is not a number"),
    ] {
        let mut all = vec!["target", "decompose", "-w", &ws];
        all.extend(args);
        let refused = run(&all);
        assert!(!refused.status.success() && text(&refused.stderr).contains(expected), "{}", text(&refused.stderr));
    }
}

#[test]
fn a_revenue_change_splits_into_effects_that_sum_to_it_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let out = json(&[
        "variance",
        "-w",
        &ws,
        "--entity",
        "HQ",
        "--period",
        "2026-Q3",
        "--against",
        "2025-Q3",
        "--format",
        "json",
    ]);
    let e = &out["effects"];
    let sum: Decimal =
        ["volume", "price", "mix", "new_products", "lost_products", "other"].iter().map(|k| d(&e[*k])).sum();
    assert_eq!(sum, d(&out["change"]), "the effects sum to the change exactly");
    assert_eq!(d(&out["revenue"]) - d(&out["revenue_against"]), d(&out["change"]));
    // The revenue is the evaluation's, to the cent.
    for (period, field) in [("2026-Q3", "revenue"), ("2025-Q3", "revenue_against")] {
        let evaluated = revenue(&ws, period)["HQ"];
        let here: f64 = d(&out[field]).to_string().parse().unwrap();
        assert!((here - evaluated).abs() < 0.005, "{period}: {here} vs {evaluated}");
    }
    for by in ["by_product", "by_customer", "by_channel"] {
        let total: Decimal = out[by].as_array().unwrap().iter().map(|c| d(&c["change"])).sum();
        assert_eq!(total, d(&out["change"]), "{by} sums to the change");
    }
    let unknown = run(&["variance", "-w", &ws, "--entity", "NOPE", "--period", "2026-Q3", "--against", "2025-Q3"]);
    assert!(text(&unknown.stderr).contains("no rep or unit 'NOPE'"), "{}", text(&unknown.stderr));
}

/// The demo's seed-002 case: one rep's targets are half what they sell.
/// Each rep's verdict follows from its numbers as SPEC §15.2 states them,
/// the peer median is the median 2025-Q3 revenue of the scored reps by
/// `yeji evaluate`, the forecast the sum of `yeji forecast`'s three months.
#[test]
fn the_demo_holds_a_too_easy_target_and_every_verdict_follows_from_its_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let out = json(&["target", "check", "-w", &ws, "--period", "2026-Q3", "--format", "json"]);
    let year_ago = json(&["evaluate", "-w", &ws, "--period", "2025-Q3", "--format", "json"]);
    let mut revenues: Vec<f64> = year_ago["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["level"] == "rep" && !r["score"].is_null())
        .filter_map(|r| r["kpis"]["revenue"]["value"].as_f64())
        .collect();
    revenues.sort_by(f64::total_cmp);
    let n = revenues.len();
    let median = if n % 2 == 1 { revenues[n / 2] } else { (revenues[n / 2 - 1] + revenues[n / 2]) / 2.0 };
    let reps: Vec<&Value> = out["targets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| {
            // The demo's reps are R001…; its regions RG-….
            let id = t["entity_id"].as_str().unwrap();
            id.starts_with('R') && !id.starts_with("RG")
        })
        .collect();
    assert_eq!(reps.len(), 24);
    for rep in &reps {
        let id = rep["entity_id"].as_str().unwrap();
        let target: f64 = rep["target"].as_str().unwrap().parse().unwrap();
        assert!((rep["peer_median"].as_f64().unwrap() - median).abs() < 0.006, "{rep}");
        let Some(forecast) = rep["forecast"].as_f64() else {
            assert_eq!(rep["verdict"], "no_history", "{rep}");
            continue;
        };
        let expected = if target < 0.75 * forecast && target < 0.75 * median {
            "too_easy"
        } else if target > 1.5 * forecast {
            "unreachable"
        } else {
            "ok"
        };
        assert_eq!(rep["verdict"], expected, "{rep}");
        if expected == "too_easy" {
            let months = json(&[
                "forecast",
                "-w",
                &ws,
                "--entity",
                id,
                "--from",
                "2026-07",
                "--horizon",
                "3",
                "--format",
                "json",
            ]);
            let sum: f64 = months["points"].as_array().unwrap().iter().map(|p| p["value"].as_f64().unwrap()).sum();
            assert!((sum - forecast).abs() < 0.006, "{sum} != {forecast}");
        }
    }
    assert!(reps.iter().any(|r| r["verdict"] == "too_easy"), "seed 002's case is in the demo");
}

/// The `scored` fixture's HQ target for 2026-Q3 (3000), shared evenly among
/// the months (1000.00 each) and down the tree HQ → E, N; E → TE → R1, R2;
/// N → TN (R2 joins TN only on 08-01). By hand:
/// - `manual:` E 60 %, N 40 %, R1 75 %, R2 25 % (TE alone under E: unlisted,
///   even): each month E 600.00, N 400.00, R1 450.00, R2 150.00.
/// - `potential`, market.csv E 3,000,000 and N 1,000,000 in 2026-Q3: E 750.00
///   and N 250.00 a month; within a region evenly: R1 and R2 375.00.
#[test]
fn a_tree_is_weighted_by_hand_or_by_market_potential() {
    let (dir, ws) = common::workspace_with(&common::fixtures().join("scored"));
    let decompose = |org: &str| {
        let args = ["target", "decompose", "-w", &ws, "--period", "2026-Q3", "--entity", "HQ", "--time", "even"];
        let out = json(&[&args[..], &["--org", org, "--format", "json"]].concat());
        let targets = out["targets"].as_array().unwrap().clone();
        move |period: &str, entity: &str| -> Decimal {
            d(&targets.iter().find(|t| t["period"] == period && t["entity_id"] == entity).unwrap()["value"])
        }
    };
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        format!("manual:{}", path.display())
    };
    let value = decompose(&file("w.csv", "entity_id,share\nE,60\nN,40\nR1,75\nR2,25\n"));
    let month: Vec<Decimal> = ["E", "N", "TE", "R1", "R2"].iter().map(|e| value("2026-08", e)).collect();
    let expected: Vec<Decimal> =
        ["600.00", "400.00", "600.00", "450.00", "150.00"].iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(month, expected);
    assert_eq!(value("2026-Q3", "R1"), "1350.00".parse::<Decimal>().unwrap());
    for (content, message) in [
        ("entity_id,share\nE,60\nN,30\n", "manual shares of HQ's children sum to 90%, not 100%"),
        ("entity_id,share\nR1,100\n", "manual shares: R2 (below TE) has none"),
        ("entity_id,share\nE,60\nN,40\nZZ,1\n", "manual shares: ZZ is not a unit or rep below HQ"),
        ("entity_id,share\nE,sixty\n", "line 2: share 'sixty' is not a number"),
    ] {
        let org = file("bad.csv", content);
        let out = run(&["target", "decompose", "-w", &ws, "--period", "2026-Q3", "--entity", "HQ", "--org", &org]);
        assert!(text(&out.stderr).contains(message), "{message}: {}", text(&out.stderr));
    }
    let missing =
        run(&["target", "decompose", "-w", &ws, "--period", "2026-Q3", "--entity", "HQ", "--org", "potential"]);
    assert_eq!(
        text(&missing.stderr).trim(),
        "error: --org potential: market.csv has no market sizes for 2026-Q3 or a year earlier"
    );

    let market = dir.path().join("market");
    std::fs::create_dir(&market).unwrap();
    std::fs::write(
        market.join("market.csv"),
        "period,market_size,region,product_line\n2026-Q3,3000000,E,\n2026-Q3,1000000,N,\n",
    )
    .unwrap();
    ok(&["import", "-w", &ws, market.to_str().unwrap()], 0);
    let value = decompose("potential");
    let month: Vec<Decimal> = ["E", "N", "TN", "R1", "R2"].iter().map(|e| value("2026-07", e)).collect();
    let expected: Vec<Decimal> =
        ["750.00", "250.00", "250.00", "375.00", "375.00"].iter().map(|v| v.parse().unwrap()).collect();
    assert_eq!(month, expected);
}

/// `--product-line history`: the demo's 2026 company target shared among the
/// product lines by the company's 2025 revenue in each (`yeji evaluate --by
/// product_line`, within a cent), each line then down the months and the
/// tree; every node's lines sum exactly to its total, and in each line the
/// reps' months sum exactly to the company's.
#[test]
fn a_target_is_shared_among_product_lines_by_last_years_sales_first() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let slices = json(&["evaluate", "-w", &ws, "--period", "2025", "--by", "product_line", "--format", "json"]);
    let last_year: BTreeMap<String, f64> = slices
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let hq = e["results"].as_array().unwrap().iter().find(|r| r["id"] == "HQ").unwrap();
            (e["slice"]["key"].as_str().unwrap().to_owned(), hq["kpis"]["revenue"]["value"].as_f64().unwrap())
        })
        .collect();
    let out = json(&[
        "target",
        "decompose",
        "-w",
        &ws,
        "--period",
        "2026",
        "--entity",
        "HQ",
        "--product-line",
        "history",
        "--format",
        "json",
    ]);
    let parent = d(&out["parent"]["value"]);
    let targets = out["targets"].as_array().unwrap();
    let value = |period: &str, entity: &str, line: Option<&str>| -> Decimal {
        let row = targets
            .iter()
            .find(|t| t["period"] == period && t["entity_id"] == entity && t["product_line"].as_str() == line);
        d(&row.unwrap_or_else(|| panic!("{period} {entity} {line:?}"))["value"])
    };
    let all: f64 = last_year.values().sum();
    let parent_f: f64 = parent.to_string().parse().unwrap();
    for (line, revenue) in &last_year {
        let got: f64 = value("2026", "HQ", Some(line)).to_string().parse().unwrap();
        assert!((got - parent_f * revenue / all).abs() <= 0.011, "{line}: {got} vs {}", parent_f * revenue / all);
    }
    assert_eq!(last_year.keys().map(|line| value("2026", "HQ", Some(line))).sum::<Decimal>(), parent);
    let reps: Vec<&str> = targets
        .iter()
        .filter_map(|t| t["entity_id"].as_str().filter(|id| id.starts_with('R') && !id.starts_with("RG")))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    for month in (1..=12).map(|m| format!("2026-{m:02}")) {
        for entity in ["HQ", "RG-E", "T-E1", reps[0]] {
            let lines: Decimal = last_year.keys().map(|line| value(&month, entity, Some(line))).sum();
            assert_eq!(lines, value(&month, entity, None), "{month} {entity}: its lines sum to its total");
        }
        for line in last_year.keys() {
            let of_reps: Decimal = reps.iter().map(|rep| value(&month, rep, Some(line))).sum();
            assert_eq!(of_reps, value(&month, "HQ", Some(line)), "{month} {line}: the reps sum to the company");
        }
    }
    let bad = run(&["target", "decompose", "-w", &ws, "--period", "2026", "--entity", "HQ", "--product-line", "mix"]);
    assert_eq!(text(&bad.stderr).trim(), "error: --product-line mix: history or even");
}
