//! Early warnings (SPEC §9, §15.4) through the real binary and server, on a
//! company written down so every alert can be worked out by hand. On
//! 2026-08-15, 46 of 2026-Q3's 92 days:
//!
//! - history: rep R1 sells (1000 + 100·t)·s(m) in month t (t = 0 in January
//!   2024, s(December) = 2, else 1) to 2026-06, R2 twice that, so their
//!   forecasts are the formula again (see tests/forecast.rs): R1 4100 in
//!   August (t = 31), 4200 in September; R2 8200 and 8400; HQ three times R1.
//! - Q3 so far: R1 39,000, R2 3,000 + 2,000: HQ 44,000. Targets: R1 92,000
//!   (46,000 due by now, 15 % behind is under 39,100: **pace**), R2 9,200,
//!   HQ 101,200 (44,000 is not under 0.85 × 50,600 = 43,010).
//! - projected = so far + 16/31 of August's forecast + September's: R1
//!   45,316.13 (49.3 % of 92,000), HQ 62,948.39 (62.2 %): both
//!   **projected_attainment_low**; R2 17,632.26 (192 %).
//! - R1's formula orders of 2025-10..12 go to new customers K2–K4, of 2026-01
//!   and -02 to K5, K6, of 2026-04 to K7: new customers 3, 2, 1 in the last
//!   three complete quarters, for R1, T and HQ: **new_customers_falling**.
//! - opportunities created in Q3: R1 25 (5 qualified, 2 to proposal):
//!   **lead_conversion_low** (20 %, on 25 leads, at least 10) and
//!   **qualification_low** (40 %, on 5 qualified, at least 5); R2 4, none
//!   qualified: 0 %, but on too few leads to say so.
//! - invoices: R1's I1 10,000 due 2026-07-01, 4,000 paid: 6,000 unpaid 45
//!   days past due: **overdue_invoices**; R1's collection 40 %:
//!   **collection_low** (R2's I2 paid in full).
//! - surveys: R1 4/5 (80 points), R2 3/5 (60): **satisfaction_low** for R2.
//!
//! The funnel, receivables and satisfaction rules watch reps only (their
//! teams' figures are theirs); pace, projection and new customers every level.

mod common;

use std::collections::BTreeSet;
use std::fmt::Write;

use common::formula::r1;
use common::people::{Call, signed_in};
use common::{Server, assert_close, catalogs, json, ok, read, run, text};
use serde_json::{Value, json};

/// R1's customer in month t: new ones in the last three quarters before Q3.
fn customer(t: u32) -> &'static str {
    match t {
        21 => "K2",
        22 => "K3",
        23 => "K4",
        24 => "K5",
        25 => "K6",
        27 => "K7",
        _ => "K1",
    }
}

fn company(dir: &std::path::Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("org_units.csv", "unit_id,name,parent_id,kind\nHQ,总部,,company\nT,一组,HQ,team\nU,二组,HQ,team\n");
    write(
        "reps.csv",
        "rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n\
         R1,张伟,T,,2020-01-01,senior,9000,true,\nR2,李娜,T,,2020-01-01,senior,9000,true,\n\
         R3,王强,U,,2020-01-01,senior,9000,true,\n",
    );
    let mut customers = String::from("customer_id,name,segment,region,industry,created_date,credit_limit\n");
    for k in 1..=7 {
        writeln!(customers, "K{k},客户{k},大客户,,制造,2020-01-01,0").unwrap();
    }
    write("customers.csv", &customers);
    write("products.csv", "product_id,name,product_line,unit_cost,list_price\nP1,软件A,软件,0,100\n");
    let mut orders =
        String::from("order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,cost,channel,status\n");
    for t in 0..30 {
        let (year, month) = (2024 + t / 12, t % 12 + 1);
        writeln!(orders, "OR1-{t},1,{year}-{month:02}-28,R1,{},P1,1,{},0,offline,confirmed", customer(t), r1(t))
            .unwrap();
        writeln!(orders, "OR2-{t},1,{year}-{month:02}-28,R2,K1,P1,1,{},0,offline,confirmed", 2.0 * r1(t)).unwrap();
    }
    orders.push_str(
        "Q1,1,2026-07-10,R1,K1,P1,1,39000,0,offline,confirmed\n\
         Q2,1,2026-07-10,R2,K1,P1,1,3000,0,offline,confirmed\n\
         Q3,1,2026-08-15,R2,K1,P1,1,2000,0,offline,confirmed\n",
    );
    write("orders.csv", &orders);
    write(
        "targets.csv",
        "period,entity_id,metric,value,level,product_line\n\
         2026-Q3,R1,revenue,92000,rep,\n2026-Q3,R2,revenue,9200,rep,\n2026-Q3,HQ,revenue,101200,company,\n",
    );
    let mut opportunities = String::from(
        "opp_id,rep_id,customer_id,created_date,qualified_date,proposal_date,negotiation_date,closed_date,outcome,amount\n",
    );
    for n in 0..25 {
        let (qualified, proposal) = match n {
            0 | 1 => ("2026-07-05", "2026-07-09"),
            2..=4 => ("2026-07-05", ""),
            _ => ("", ""),
        };
        writeln!(opportunities, "A{n},R1,K1,2026-07-02,{qualified},{proposal},,,,1000").unwrap();
    }
    for n in 0..4 {
        writeln!(opportunities, "B{n},R2,K1,2026-07-02,,,,,,1000").unwrap();
    }
    write("opportunities.csv", &opportunities);
    write(
        "invoices.csv",
        "invoice_id,customer_id,rep_id,invoice_date,due_date,amount,order_id\n\
         I1,K1,R1,2026-06-01,2026-07-01,10000,\nI2,K1,R2,2026-06-20,2026-07-20,5000,\n",
    );
    write("payments.csv", "payment_id,invoice_id,payment_date,amount\nY1,I1,2026-07-20,4000\nY2,I2,2026-08-01,5000\n");
    write(
        "surveys.csv",
        "survey_id,customer_id,date,score,scale,rep_id,comment\nS1,K1,2026-07-20,4,5,R1,\nS2,K1,2026-07-20,3,5,R2,\n",
    );
}

/// A workspace of the company (catalog in `catalog`), and the import's output.
fn company_workspace(catalog: &Option<String>) -> (tempfile::TempDir, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    let ws = dir.path().join("ws").display().to_string();
    let mut init = vec!["init", "--workspace", ws.as_str()];
    if let Some(url) = catalog {
        init.extend(["--catalog", url.as_str()]);
    }
    ok(&init, 0);
    let imported = ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    (dir, ws, imported)
}

const EXPECTED: [(&str, &str); 11] = [
    ("pace", "R1"),
    ("new_customers_falling", "R1"),
    ("new_customers_falling", "T"),
    ("new_customers_falling", "HQ"),
    ("lead_conversion_low", "R1"),
    ("qualification_low", "R1"),
    ("overdue_invoices", "R1"),
    ("satisfaction_low", "R2"),
    ("collection_low", "R1"),
    ("projected_attainment_low", "R1"),
    ("projected_attainment_low", "HQ"),
];

fn alerts(ws: &str, extra: &[&str]) -> Value {
    let mut args = vec!["alerts", "-w", ws, "--period", "2026-Q3", "--format", "json"];
    args.extend(extra);
    json(&args)
}

fn find<'a>(out: &'a Value, rule: &str, entity: &str) -> &'a Value {
    out["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["rule"] == rule && a["entity_id"] == entity)
        .unwrap_or_else(|| panic!("no {rule} alert for {entity}: {out}"))
}

#[test]
fn the_default_rules_raise_what_the_company_says_with_its_numbers() {
    let (_dir, ws, imported) = company_workspace(&None);
    // The import ran the rules over the month and the quarter of its last order.
    assert!(imported.contains("alerts as of 2026-08-15: 2026-08 1 (1 open), 2026-Q3 11 (11 open)"), "{imported}");
    let out = alerts(&ws, &[]);
    assert_eq!((out["period"].as_str(), out["as_of"].as_str()), (Some("2026-Q3"), Some("2026-08-15")));
    let raised: BTreeSet<(String, String)> = out["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["rule"].as_str().unwrap().to_owned(), a["entity_id"].as_str().unwrap().to_owned()))
        .collect();
    let expected: BTreeSet<(String, String)> = EXPECTED.iter().map(|(r, e)| (r.to_string(), e.to_string())).collect();
    assert_eq!(raised, expected);
    // Most severe first.
    let rank = |s: &Value| ["critical", "warning", "info"].iter().position(|x| s == x).unwrap();
    let ranks: Vec<usize> = out["alerts"].as_array().unwrap().iter().map(|a| rank(&a["severity"])).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");

    let pace = find(&out, "pace", "R1");
    assert_eq!(pace["severity"], "warning");
    let n = &pace["numbers"];
    assert_eq!(
        (n["to_date"].as_f64(), n["target"].as_f64(), n["expected"].as_f64()),
        (Some(39000.0), Some(92000.0), Some(46000.0))
    );
    assert_eq!((n["elapsed_days"].as_f64(), n["days"].as_f64()), (Some(46.0), Some(92.0)));
    assert_close(n["behind"].as_f64().unwrap(), 1.0 - 39000.0 / 46000.0);
    assert_eq!(
        pace["message"],
        "张伟：截至 2026-08-15 销售额 3.9万，按目标 9.2万 此时应达 4.6万，落后 15.2%（预警线 15.0%）"
    );
    // The action library's first for revenue.
    assert_eq!(pace["suggested_action"], "与主管一起逐一复盘重点商机和客户，找出提升销售额的机会");
    assert_eq!(pace["state"], "open");

    let projected = find(&out, "projected_attainment_low", "R1");
    assert_close(projected["numbers"]["projected"].as_f64().unwrap(), 39000.0 + 4100.0 * 16.0 / 31.0 + 4200.0);
    assert_close(
        projected["numbers"]["projected_attainment"].as_f64().unwrap(),
        (39000.0 + 4100.0 * 16.0 / 31.0 + 4200.0) / 92000.0,
    );
    let hq = find(&out, "projected_attainment_low", "HQ");
    assert_close(hq["numbers"]["projected"].as_f64().unwrap(), 44000.0 + 12300.0 * 16.0 / 31.0 + 12600.0);
    assert_eq!(
        find(&out, "new_customers_falling", "T")["numbers"],
        json!({ "2025-Q4": 3.0, "2026-Q1": 2.0, "2026-Q2": 1.0 })
    );
    assert_eq!(find(&out, "lead_conversion_low", "R1")["numbers"], json!({ "value": 0.2, "threshold": 0.3 }));
    assert_eq!(find(&out, "qualification_low", "R1")["numbers"], json!({ "value": 0.4, "threshold": 0.6 }));
    assert_eq!(find(&out, "overdue_invoices", "R1")["numbers"], json!({ "value": 6000.0, "threshold": 0.0 }));
    assert_eq!(find(&out, "overdue_invoices", "R1")["severity"], "critical");
    assert_eq!(find(&out, "overdue_invoices", "R1")["message"], "张伟：逾期应收 0.6万");
    assert_eq!(find(&out, "collection_low", "R1")["numbers"]["value"], 0.4);
    assert_eq!(find(&out, "satisfaction_low", "R2")["message"], "李娜：客户满意度 60.0，低于 75.0");

    // Five days earlier R1 is not yet behind pace (39,000 against 0.85 × 41,000)
    // but R2 is (3,000 against 9,200 × 41/92 = 4,100: their 2,000 comes on
    // the 15th), and the projection's alert is the same alert: its id is stable.
    let earlier = alerts(&ws, &["--as-of", "2026-08-10"]);
    let paced: Vec<&Value> = earlier["alerts"].as_array().unwrap().iter().filter(|a| a["rule"] == "pace").collect();
    assert_eq!(paced.len(), 1, "{earlier}");
    assert_eq!((paced[0]["entity_id"].as_str(), paced[0]["numbers"]["expected"].as_f64()), (Some("R2"), Some(4100.0)));
    assert_eq!(find(&earlier, "projected_attainment_low", "R1")["id"], projected["id"]);
    assert_close(
        find(&earlier, "projected_attainment_low", "R1")["numbers"]["projected"].as_f64().unwrap(),
        39000.0 + 4100.0 * 21.0 / 31.0 + 4200.0,
    );
    let english = alerts(&ws, &["--lang", "en"]);
    assert_eq!(find(&english, "lead_conversion_low", "R1")["message"], "张伟: Lead conversion is 20.0%, under 30.0%");
    // A period not begun by --as-of is refused, naming it.
    let refused = run(&["alerts", "-w", &ws, "--period", "2026-Q4", "--as-of", "2026-08-15"]);
    assert!(!refused.status.success());
    assert!(text(&refused.stderr).contains("--as-of 2026-08-15 is before 2026-Q4 starts"), "{}", text(&refused.stderr));
}

#[test]
fn an_alert_is_acknowledged_then_resolved_with_notes_audited() {
    let (_dir, ws, _) = company_workspace(&None);
    let out = alerts(&ws, &[]);
    let id = find(&out, "overdue_invoices", "R1")["id"].as_str().unwrap().to_owned();
    let acked = ok(&["alert", "ack", "-w", &ws, &id, "--note", "已电话催收"], 0);
    assert_eq!(acked.trim(), format!("alert {id} is acknowledged"));
    let again = run(&["alert", "ack", "-w", &ws, &id, "--note", "再次"]);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("an acknowledged alert cannot be acknowledged"), "{}", text(&again.stderr));
    let empty = run(&["alert", "resolve", "-w", &ws, &id, "--note", " "]);
    assert!(text(&empty.stderr).contains("--note: say what was done or why"), "{}", text(&empty.stderr));
    let unknown = run(&["alert", "ack", "-w", &ws, "0123456789abcdef", "--note", "x"]);
    assert!(text(&unknown.stderr).contains("no alert '0123456789abcdef'"), "{}", text(&unknown.stderr));

    // Raised again, it keeps its state and note.
    let seen = find(&alerts(&ws, &[]), "overdue_invoices", "R1").clone();
    assert_eq!((seen["state"].as_str(), seen["note"].as_str()), (Some("acknowledged"), Some("已电话催收")));
    let resolved = ok(&["alert", "resolve", "-w", &ws, &id, "--note", "客户已付清"], 0);
    assert_eq!(resolved.trim(), format!("alert {id} is resolved"));
    assert_eq!(find(&alerts(&ws, &[]), "overdue_invoices", "R1")["state"], "resolved");
    let audit = json(&["audit", "-w", &ws, "--format", "json"]);
    let steps: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["object"] == format!("alert {id}"))
        .map(|a| (a["action"].as_str().unwrap(), a["after"]["note"].as_str().unwrap()))
        .collect();
    assert_eq!(steps.len(), 2, "{audit}");
    assert!(steps.contains(&("alert.ack", "已电话催收")) && steps.contains(&("alert.resolve", "客户已付清")));
}

#[test]
fn a_workspace_rules_file_replaces_the_defaults_and_a_bad_one_is_named() {
    let (dir, ws, _) = company_workspace(&None);
    let rules = dir.path().join("ws").join("alerts.toml");
    std::fs::write(
        &rules,
        "[[rule]]\nid = 'few_visits'\nkind = 'below'\nkpi = 'satisfaction'\nthreshold = 65\nseverity = 'critical'\nlevels = ['rep']\n",
    )
    .unwrap();
    let out = alerts(&ws, &[]);
    let raised: Vec<(&str, &str, &str)> = out["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["rule"].as_str().unwrap(), a["entity_id"].as_str().unwrap(), a["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(raised, [("few_visits", "R2", "critical")]);
    assert!(ok(&["alerts", "-w", &ws, "--rules"], 0).contains("few_visits"));
    // An action that names a teammate names the one best at the rule's KPI in
    // the same team: R1 and R2 both opened no new customer among their one
    // customer of Q3 (0 %), so each is pointed to the other.
    std::fs::write(
        &rules,
        "[[rule]]\nid = 'new_low'\nkind = 'below'\nkpi = 'new_customer_rate'\nthreshold = 0.1\nseverity = 'info'\nlevels = ['rep']\n",
    )
    .unwrap();
    let out = alerts(&ws, &[]);
    assert_eq!(out["alerts"].as_array().unwrap().len(), 2, "{out}");
    assert_eq!(
        find(&out, "new_low", "R1")["suggested_action"],
        "参加新客户开发培训，并陪同李娜拜访客户，学习开拓新客户的方法"
    );
    assert_eq!(
        find(&out, "new_low", "R2")["suggested_action"],
        "参加新客户开发培训，并陪同张伟拜访客户，学习开拓新客户的方法"
    );
    std::fs::write(&rules, "[[rule]]\nid = 'odd'\nkind = 'below'\nkpi = 'charm'\nthreshold = 1\nseverity = 'info'\n")
        .unwrap();
    let refused = run(&["alerts", "-w", &ws, "--period", "2026-Q3"]);
    let message = text(&refused.stderr);
    assert!(!refused.status.success());
    assert!(
        message.contains("alerts.toml") && message.contains("rule 'odd'") && message.contains("charm"),
        "{message}"
    );
}

#[test]
fn alerts_are_scoped_by_role_on_the_api_and_the_pages() {
    for catalog in catalogs() {
        let (_dir, ws, _) = company_workspace(&catalog);
        common::people::add(
            &ws,
            &[
                ("dora", "director", None),
                ("mia", "manager", Some("T")),
                ("nils", "manager", Some("U")),
                ("ray", "rep", Some("R1")),
                ("hana", "hr", None),
            ],
        );
        let server = Server::start(&ws);
        let cookies: Vec<(&str, String)> =
            ["dora", "mia", "nils", "ray", "hana"].into_iter().map(|l| (l, signed_in(&server, l))).collect();
        let as_user = |login: &str| {
            let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
            Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
        };
        let path = "/api/v1/alerts?period=2026-Q3";
        let entities = |login: &str| -> BTreeSet<String> {
            let (status, body) = as_user(login).get(path);
            assert_eq!(status, 200, "{login}: {body}");
            body["alerts"].as_array().unwrap().iter().map(|a| a["entity_id"].as_str().unwrap().to_owned()).collect()
        };
        let set = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(entities("dora"), set(&["HQ", "T", "R1", "R2"]));
        assert_eq!(entities("hana"), set(&["HQ", "T", "R1", "R2"]));
        assert_eq!(entities("mia"), set(&["T", "R1", "R2"]));
        assert_eq!(entities("ray"), set(&["R1"]));
        assert_eq!(entities("nils"), set(&[]));

        let (_, all) = as_user("dora").get(path);
        let id_of = |rule: &str, entity: &str| find(&all, rule, entity)["id"].as_str().unwrap().to_owned();
        let (r1, hq) = (id_of("overdue_invoices", "R1"), id_of("projected_attainment_low", "HQ"));
        let step = |id: &str| format!("/api/v1/alerts/{id}/steps");
        let ack = json!({ "step": "ack", "note": "跟进中" });
        assert_eq!(as_user("nils").post(&step(&r1), ack.clone()).0, 404, "out of scope: as if unknown");
        assert_eq!(as_user("mia").post(&step(&hq), ack.clone()).0, 404, "above the manager's unit");
        assert_eq!(as_user("ray").post(&step(&r1), ack.clone()).0, 403, "a rep reads their alerts");
        assert_eq!(as_user("hana").post(&step(&r1), ack.clone()).0, 403, "HR reads them");
        assert_eq!(as_user("mia").post(&step("0123456789abcdef"), ack.clone()).0, 404);
        assert_eq!(as_user("mia").post(&step(&r1), json!({ "step": "snooze", "note": "x" })).0, 400);
        assert_eq!(as_user("mia").post(&step(&r1), ack.clone()), (200, json!("acknowledged")));
        assert_eq!(as_user("mia").post(&step(&r1), ack.clone()).0, 409);
        assert_eq!(find(&as_user("ray").get(path).1, "overdue_invoices", "R1")["note"], "跟进中");

        // The pages: the rep's page lists the rep's alerts with their state;
        // the overview of the manager holds the team's, not the company's.
        let (status, page) = read(as_user("mia").request("GET", "/entity/R1?period=2026-Q3").call());
        assert_eq!(status, 200);
        assert!(
            page.contains(&format!("data-alert=\"{r1}\""))
                && page.contains("<span class=\"alert-state\">acknowledged</span>"),
            "{page}"
        );
        assert!(!page.contains(&format!("data-alert=\"{hq}\"")));
        let (_, overview) = read(as_user("mia").request("GET", "/?period=2026-Q3").call());
        assert!(
            overview.contains(&format!("data-alert=\"{r1}\"")) && !overview.contains(&format!("data-alert=\"{hq}\""))
        );
        let (status, _) = read(as_user("nils").request("GET", "/entity/R1?period=2026-Q3").call());
        assert_eq!(status, 404);
        // The page's form resolves through the same check.
        let (status, _) =
            as_user("ray").form(&format!("/alerts/{r1}/step"), &[("step", "resolve"), ("note", "x"), ("back", "/")]);
        assert_eq!(status, 403);
        let (status, _) = as_user("mia")
            .form(&format!("/alerts/{r1}/step"), &[("step", "resolve"), ("note", "已回款"), ("back", "/entity/R1")]);
        assert!(status == 303 || status == 200, "{status}");
        assert_eq!(find(&as_user("dora").get(path).1, "overdue_invoices", "R1")["state"], "resolved");

        // The same scope for the variance and the forecast of an entity.
        let variance = "/api/v1/entities/R1/variance?period=2026-Q3&against=2025-Q3";
        let (status, v) = as_user("mia").get(variance);
        assert_eq!(status, 200, "{v}");
        let number = |v: &Value| v.as_str().unwrap().parse::<f64>().unwrap();
        // Q3 so far: 39,000; 2025-Q3: months t = 18, 19, 20 of the formula.
        let against = common::formula::r1(18) + common::formula::r1(19) + common::formula::r1(20);
        assert_eq!((number(&v["revenue"]), number(&v["revenue_against"])), (39000.0, against));
        let effects: f64 = ["volume", "price", "mix", "new_products", "lost_products", "other"]
            .iter()
            .map(|k| number(&v["effects"][k]))
            .sum();
        assert_close(effects, 39000.0 - against);
        assert_eq!(as_user("nils").get(variance).0, 404);
        assert_eq!(as_user("ray").get("/api/v1/entities/R2/variance?period=2026-Q3").0, 404);
        assert!(page.contains("id=\"variance\""), "the rep page's waterfall");
        let forecast = "/api/v1/entities/R1/forecast?from=2026-07&horizon=2";
        let (status, f) = as_user("ray").get(forecast);
        assert_eq!((status, f["learnt_to"].as_str()), (200, Some("2026-06")), "{f}");
        assert_close(f["points"][0]["value"].as_f64().unwrap(), common::formula::r1(30));
        assert_close(f["points"][1]["value"].as_f64().unwrap(), common::formula::r1(31));
        assert_eq!(as_user("nils").get(forecast).0, 404);
        assert_eq!(as_user("ray").get("/api/v1/entities/HQ/forecast?from=2026-07").0, 404);
    }
}
