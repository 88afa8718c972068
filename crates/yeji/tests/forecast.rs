//! Forecasts, their backtest and the target check (SPEC §15.2, §15.3)
//! through the real binary, on a company whose revenue is written down by
//! formula: rep R1 sells (1000 + 100·t)·s(m) in month t (t = 0 in January
//! 2024), R2 twice that, where s(December) = 2 and s = 1 in the other months.
//! The company's seasonality is then exact (December 24/13, the other months
//! 12/13: ratios of 2 to 1 averaging 1), each rep's deseasonalised months a
//! line, and the forecast of month t is (1000 + 100·t)·s(m) again, with an
//! interval of zero width.

mod common;

use std::fmt::Write;

use common::formula::{r1, season};
use common::{assert_close, json, ok, run, text, workspace};

const MONTHS: u32 = 24;

fn company(dir: &std::path::Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("org_units.csv", "unit_id,name,parent_id,kind\nHQ,总部,,company\nT,一组,HQ,team\n");
    write(
        "reps.csv",
        "rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n\
         R1,张三,T,,2020-01-01,senior,9000,true,\nR2,李四,T,,2020-01-01,senior,9000,true,\n",
    );
    write(
        "customers.csv",
        "customer_id,name,segment,region,industry,created_date,credit_limit\nK1,甲公司,大客户,,制造,2020-01-01,0\n",
    );
    write("products.csv", "product_id,name,product_line,unit_cost,list_price\nP1,软件A,软件,0,100\n");
    let mut orders =
        String::from("order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,cost,channel,status\n");
    for t in 0..MONTHS {
        let (year, month) = (2024 + t / 12, t % 12 + 1);
        // The last month's order on its last day: the data covers it whole.
        let day = if t == MONTHS - 1 { 31 } else { 28 };
        for (rep, factor) in [("R1", 1.0), ("R2", 2.0)] {
            let amount = r1(t) * factor;
            writeln!(orders, "O{rep}-{t},1,{year}-{month:02}-{day},{rep},K1,P1,1,{amount},0,offline,confirmed")
                .unwrap();
        }
    }
    write("orders.csv", &orders);
    // 2026-01's forecasts: R1 3400 (t = 24), R2 6800, HQ 10200. R1's target
    // is 41% below its forecast and 39% below the reps' median revenue of
    // 2025-01 (median of 2200 and 4400: 3300): too easy. R2's is 62% above
    // its forecast: out of reach. The company's is its forecast: ok.
    write(
        "targets.csv",
        "period,entity_id,metric,value,level,product_line\n\
         2026-01,R1,revenue,2000,rep,\n2026-01,R2,revenue,11000,rep,\n2026-01,HQ,revenue,10200,company,\n\
         2025-01,R1,revenue,2200,rep,\n2025-01,R2,revenue,4400,rep,\n2025-01,HQ,revenue,6600,company,\n",
    );
}

/// Equal to a part in a billion: the seasonality is found by iteration.
fn near(value: &serde_json::Value, expected: f64) {
    let actual = value.as_f64().unwrap();
    assert!((actual - expected).abs() < 1e-9 * expected, "{actual} != {expected}");
}

fn formula_workspace() -> (tempfile::TempDir, String) {
    let (dir, ws) = workspace();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    (dir, ws)
}

#[test]
fn a_forecast_continues_the_trend_and_the_season_with_its_interval() {
    let (_dir, ws) = formula_workspace();
    let out =
        json(&["forecast", "-w", &ws, "--entity", "R1", "--from", "2026-01", "--horizon", "12", "--format", "json"]);
    assert_eq!((out["entity_id"].as_str(), out["metric"].as_str()), (Some("R1"), Some("revenue")));
    assert_eq!(out["learnt_to"], "2025-12");
    let points = out["points"].as_array().unwrap();
    assert_eq!(points.len(), 12);
    for (h, point) in points.iter().enumerate() {
        let t = MONTHS + h as u32;
        assert_eq!(point["period"], format!("2026-{:02}", h + 1));
        near(&point["value"], r1(t));
        near(&point["lower"], r1(t));
        near(&point["upper"], r1(t));
    }
    // The company is the sum of its reps: three times R1.
    let hq =
        json(&["forecast", "-w", &ws, "--entity", "HQ", "--from", "2026-12", "--horizon", "1", "--format", "json"]);
    near(&hq["points"][0]["value"], 3.0 * r1(35));
    // From a month inside the data: learnt from the months before it only.
    let early =
        json(&["forecast", "-w", &ws, "--entity", "R2", "--from", "2025-07", "--horizon", "1", "--format", "json"]);
    assert_eq!(early["learnt_to"], "2025-06");
    near(&early["points"][0]["value"], 2.0 * r1(18));
}

#[test]
fn the_backtest_measures_the_model_against_seasonal_naive_by_hand() {
    let (_dir, ws) = formula_workspace();
    let out = json(&["forecast", "backtest", "-w", &ws, "--holdout", "6", "--format", "json"]);
    assert_eq!(
        (out["from"].as_str(), out["to"].as_str(), out["holdout"].as_u64()),
        (Some("2025-07"), Some("2025-12"), Some(6))
    );
    // Seasonal-naive forecasts month t by month t − 12: 1200·s(m) too low
    // (the trend's twelve months), the same share of every entity.
    let naive: f64 = (18..24).map(|t| 1200.0 * season(t % 12) / r1(t)).sum::<f64>() / 6.0 * 100.0;
    let all = &out["accuracy"][0];
    assert_eq!(
        (all["level"].as_str(), all["entities"].as_u64(), all["points"].as_u64()),
        (Some("all"), Some(4), Some(24))
    );
    assert!(all["model_mape"].as_f64().unwrap() < 1e-6, "{all}");
    assert_close(all["seasonal_naive_mape"].as_f64().unwrap(), naive);
    let reps = out["accuracy"].as_array().unwrap().iter().find(|a| a["level"] == "rep").unwrap();
    assert_eq!(reps["points"], 12);
}

#[test]
fn targets_are_checked_against_their_forecast_and_the_peers() {
    let (_dir, ws) = formula_workspace();
    let out = json(&["target", "check", "-w", &ws, "--period", "2026-01", "--format", "json"]);
    assert_eq!(out["period"], "2026-01");
    let target = |id: &str| out["targets"].as_array().unwrap().iter().find(|t| t["entity_id"] == id).unwrap().clone();
    let r1_target = target("R1");
    assert_eq!(r1_target["verdict"], "too_easy", "{r1_target}");
    assert_eq!(r1_target["target"], "2000.00");
    assert_close(r1_target["forecast"].as_f64().unwrap(), 3400.0);
    assert_close(r1_target["peer_median"].as_f64().unwrap(), 3300.0);
    let r2 = target("R2");
    assert_eq!(r2["verdict"], "unreachable", "{r2}");
    assert_close(r2["forecast"].as_f64().unwrap(), 6800.0);
    assert!(r2["reason"].as_str().unwrap().contains("62% above the forecast"), "{r2}");
    assert_eq!(target("HQ")["verdict"], "ok");
    // A looser limit lets R2's target through.
    let loose = json(&["target", "check", "-w", &ws, "--period", "2026-01", "--unreachable", "70", "--format", "json"]);
    assert_eq!(loose["targets"].as_array().unwrap().iter().find(|t| t["entity_id"] == "R2").unwrap()["verdict"], "ok");
}

#[test]
fn bad_forecast_requests_are_named() {
    let (_dir, ws) = formula_workspace();
    let fails = |args: &[&str], needle: &str| {
        let output = run(args);
        assert_ne!(output.status.code(), Some(0), "{args:?}");
        let err = text(&output.stderr);
        assert!(err.contains(needle), "{args:?}: {err}");
    };
    fails(&["forecast", "-w", &ws, "--entity", "R9", "--from", "2026-01"], "no rep or unit 'R9'");
    fails(&["forecast", "-w", &ws, "--entity", "R1", "--from", "2026-01", "--metric", "margin"], "--metric margin");
    fails(&["forecast", "-w", &ws, "--entity", "R1", "--from", "2024-02"], "fewer than 3 months");
    fails(&["forecast", "-w", &ws, "--entity", "R1", "--from", "2026-01", "--horizon", "0"], "--horizon 0");
    fails(&["forecast", "backtest", "-w", &ws, "--holdout", "12"], "a holdout of 12 needs 27");
    fails(&["target", "check", "-w", &ws, "--period", "2026-01", "--too-easy=-5"], "--too-easy -5");
}
