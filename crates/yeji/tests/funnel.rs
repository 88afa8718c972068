//! The funnel's bottleneck (seed 003 §5) through the real binary, on three
//! reps with 20 leads each, written down stage by stage:
//!
//! | rep | qualified | proposal | negotiation | won |
//! |-----|-----------|----------|-------------|-----|
//! | R1  | 10 (50 %) | 5 (50 %) | 4 (80 %)    | 2 (50 %) |
//! | R2  | 12 (60 %) | 9 (75 %) | 6 (66.7 %)  | 3 (50 %) |
//! | R3  | 14 (70 %) | 7 (50 %) | 5 (71.4 %)  | 4 (80 %) |
//!
//! Peer medians: 60 %, 50 %, 71.4 %, 50 %. R1 loses (0.6 − 0.5) × 20 = 2
//! leads at qualification and nothing after: its bottleneck. R2 loses
//! (5/7 − 2/3) × 9 = 3/7 at negotiation. R3 is short nowhere. With a least
//! base of 10, R2's negotiation (9 entered) says nothing.

mod common;

use std::fmt::Write;

use common::{assert_close, json, ok, run, text, workspace};

fn company(dir: &std::path::Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("org_units.csv", "unit_id,name,parent_id,kind\nHQ,总部,,company\nT,一组,HQ,team\n");
    let mut reps =
        String::from("rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n");
    let mut orders =
        String::from("order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,cost,channel,status\n");
    let mut opportunities = String::from(
        "opp_id,rep_id,customer_id,created_date,qualified_date,proposal_date,negotiation_date,closed_date,outcome,amount\n",
    );
    for (rep, [qualified, proposal, negotiation, won]) in
        [("R1", [10, 5, 4, 2]), ("R2", [12, 9, 6, 3]), ("R3", [14, 7, 5, 4])]
    {
        writeln!(reps, "{rep},{rep}名,T,,2020-01-01,senior,9000,true,").unwrap();
        writeln!(orders, "O{rep},1,2026-07-10,{rep},K1,P1,1,1000,0,offline,confirmed").unwrap();
        for n in 0..20 {
            let date = |reached: bool, day: &str| if reached { day.to_owned() } else { String::new() };
            let (q, p, g) = (
                date(n < qualified, "2026-07-05"),
                date(n < proposal, "2026-07-09"),
                date(n < negotiation, "2026-07-12"),
            );
            let (closed, outcome) = if n < won { ("2026-07-20", "won") } else { ("", "") };
            writeln!(opportunities, "{rep}-{n},{rep},K1,2026-07-02,{q},{p},{g},{closed},{outcome},1000").unwrap();
        }
    }
    write("reps.csv", &reps);
    write("orders.csv", &orders);
    write("opportunities.csv", &opportunities);
    write(
        "customers.csv",
        "customer_id,name,segment,region,industry,created_date,credit_limit\nK1,甲,大客户,,制造,2020-01-01,0\n",
    );
    write("products.csv", "product_id,name,product_line,unit_cost,list_price\nP1,软件A,软件,0,100\n");
}

#[test]
fn each_reps_bottleneck_is_the_stage_that_loses_most_against_the_peers() {
    let (dir, ws) = workspace();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    let out = json(&["funnel", "-w", &ws, "--period", "2026-Q3", "--format", "json"]);
    let rep = |id: &str| out.as_array().unwrap().iter().find(|f| f["rep_id"] == id).unwrap().clone();
    let bottlenecks: Vec<(String, serde_json::Value)> =
        ["R1", "R2", "R3"].iter().map(|id| (id.to_string(), rep(id)["bottleneck"].clone())).collect();
    assert_eq!(
        bottlenecks,
        [
            ("R1".into(), "qualified".into()),
            ("R2".into(), "negotiation".into()),
            ("R3".into(), serde_json::Value::Null)
        ]
    );
    let r1 = rep("R1");
    let stage = |f: &serde_json::Value, i: usize, key: &str| f["stages"][i][key].as_f64().unwrap();
    assert_eq!((stage(&r1, 0, "entered"), stage(&r1, 0, "rate"), stage(&r1, 0, "peer_median")), (20.0, 0.5, 0.6));
    assert_close(stage(&r1, 0, "short_by"), 2.0);
    assert_close(stage(&rep("R2"), 2, "short_by"), (5.0 / 7.0 - 2.0 / 3.0) * 9.0);
    assert_close(stage(&rep("R3"), 3, "peer_median"), 0.5);
    // A least base of 10: R2's negotiation, entered by 9, says nothing.
    let strict =
        json(&["funnel", "-w", &ws, "--period", "2026-Q3", "--rep", "R2", "--min-base", "10", "--format", "json"]);
    assert_eq!(strict.as_array().unwrap().len(), 1);
    assert_eq!(strict[0]["bottleneck"], serde_json::Value::Null);
    let table = ok(&["funnel", "-w", &ws, "--period", "2026-Q3"], 0);
    assert!(table.lines().any(|l| l.starts_with("R1") && l.ends_with("qualified")), "{table}");
    let unknown = run(&["funnel", "-w", &ws, "--period", "2026-Q3", "--rep", "R9"]);
    assert!(text(&unknown.stderr).contains("no rep or unit 'R9'"), "{}", text(&unknown.stderr));
}

/// The same funnels in the API: a rep's own (R1's bottleneck qualification,
/// R2's negotiation unless the least base is 10), another rep's is 404, a
/// unit is no rep's funnel.
#[test]
fn a_reps_funnel_is_in_the_api_for_those_who_see_the_rep() {
    let (dir, ws) = workspace();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    for (login, role, entity) in [("ray", "rep", Some("R1")), ("mia", "manager", Some("T"))] {
        let mut args = vec!["user", "add", "-w", &ws, login, "--role", role];
        args.extend(entity.iter().flat_map(|e| ["--entity", *e]));
        let added = common::run_with_input(&args, &format!("{}\n", common::people::PASSWORD));
        assert!(added.status.success(), "{}", text(&added.stderr));
    }
    let server = common::Server::start(&ws);
    let (ray, mia) = (common::people::signed_in(&server, "ray"), common::people::signed_in(&server, "mia"));
    let call = |cookie: &str, path: &str| {
        common::people::Call { cookie: Some(cookie), ..common::people::Call::new(&server) }.get(path)
    };
    let (status, r1) = call(&ray, "/api/v1/entities/R1/funnel?period=2026-Q3");
    assert_eq!((status, &r1["bottleneck"]), (200, &serde_json::Value::from("qualified")));
    assert_close(r1["stages"][0]["short_by"].as_f64().unwrap(), 2.0);
    assert_eq!(call(&ray, "/api/v1/entities/R2/funnel?period=2026-Q3").0, 404, "another rep's");
    assert_eq!(call(&mia, "/api/v1/entities/R2/funnel?period=2026-Q3").1["bottleneck"], "negotiation");
    assert_eq!(
        call(&mia, "/api/v1/entities/R2/funnel?period=2026-Q3&min_base=10").1["bottleneck"],
        serde_json::Value::Null
    );
    assert_eq!(call(&mia, "/api/v1/entities/T/funnel?period=2026-Q3").0, 400);
}
