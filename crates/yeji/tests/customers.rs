//! Customers (SPEC §8, seed 003 §2, §6) through the real binary and server:
//! lifecycle stages, credit scores and what revenue moves with, on a
//! company written down below. Rep R1 (team T under HQ) in 2026-Q2 against
//! Q1, by hand:
//!
//! - K1 1000 → 1100: +10 %, growing; K2 1000 → 950: steady; K3 1000 → 800:
//!   declining; K4 500 → nothing: lost; K5 first order ever in Q2 (500 + 200):
//!   new; K6 bought in 2025-06, not in Q1, 400 in Q2: won back.
//! - Credit on 2026-06-30 (the last order): K1's I1 1000 due 03-12, 600 paid
//!   on 03-01 and 400 on 04-11 (30 days late): on time 0.6, 12 days late on
//!   the amount: 100 × (0.3 + 0.3 × (1 − 12/90) + 0.2) = 76.0, B. K2's I2
//!   2000 due 04-30, unpaid: 61 days: 100 × 0.3 × (1 − 61/90) = 9.7, D, and
//!   2000 open over a 1000 limit. K3's I3 is not due yet: no history. K5's
//!   I5 paid before its due date: 100, A.
//! - Activities: R1 makes a visit per 500 of a month's revenue (rounded
//!   down), so revenue moves with activities (r computed again below, over
//!   the 12 months 2025-07..2026-06); discounts are given on four months'
//!   lines only: too few to say.

mod common;

use common::people::{Call, signed_in};
use common::{Server, json, ok, read, run, text};
use serde_json::{Value, json};

/// (order date, customer, amount) of R1's orders.
const ORDERS: [(&str, &str, u32); 11] = [
    ("2025-06-05", "K6", 300),
    ("2026-02-10", "K1", 1000),
    ("2026-02-12", "K2", 1000),
    ("2026-03-03", "K3", 1000),
    ("2026-03-20", "K4", 500),
    ("2026-04-15", "K5", 500),
    ("2026-04-20", "K6", 400),
    ("2026-05-10", "K1", 1100),
    ("2026-05-12", "K2", 950),
    ("2026-05-20", "K3", 800),
    ("2026-06-30", "K5", 200),
];

fn company(dir: &std::path::Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("org_units.csv", "unit_id,name,parent_id,kind\nHQ,总部,,company\nT,一组,HQ,team\n");
    write(
        "reps.csv",
        "rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n\
         R1,张伟,T,,2020-01-01,senior,9000,true,\nR2,李娜,T,,2020-01-01,senior,9000,true,\n",
    );
    write("products.csv", "product_id,name,product_line,unit_cost,list_price\nP1,软件,软件,50,100\n");
    let mut customers = String::from("customer_id,name,segment,region,industry,created_date,credit_limit\n");
    for (id, limit) in [("K1", "5000"), ("K2", "1000"), ("K3", ""), ("K4", ""), ("K5", ""), ("K6", ""), ("K9", "")] {
        customers.push_str(&format!("{id},客户{id},,,,2025-01-01,{limit}\n"));
    }
    write("customers.csv", &customers);
    let mut orders =
        String::from("order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,discount\n");
    for (i, (day, customer, amount)) in ORDERS.iter().enumerate() {
        // Discounts on the lines of four months only (2026-02 to -05).
        let discount = if ("2026-02".."2026-06").contains(day) { "0.10" } else { "" };
        orders.push_str(&format!("O{i},1,{day},R1,{customer},P1,{},{amount},{discount}\n", amount / 100));
    }
    orders.push_str("X1,1,2026-05-01,R2,K9,P1,1,100,\n");
    write("orders.csv", &orders);
    let mut activities = String::from("activity_id,rep_id,date,kind,customer_id\n");
    for (month, revenue) in monthly_revenue() {
        for k in 0..(revenue / 500) {
            activities.push_str(&format!("A{month}{k},R1,{month}-15,visit,K1\n"));
        }
    }
    write("activities.csv", &activities);
    write(
        "invoices.csv",
        "invoice_id,customer_id,rep_id,invoice_date,due_date,amount,order_id\n\
         I1,K1,R1,2026-02-10,2026-03-12,1000,\nI2,K2,R1,2026-03-01,2026-04-30,2000,\n\
         I3,K3,R1,2026-06-01,2026-07-01,500,\nI5,K5,R1,2026-05-01,2026-05-31,700,\n",
    );
    write(
        "payments.csv",
        "payment_id,invoice_id,payment_date,amount\nY1,I1,2026-03-01,600\nY2,I1,2026-04-11,400\nY3,I5,2026-05-20,700\n",
    );
}

/// R1's revenue per month of 2025-07..2026-06, from [`ORDERS`].
fn monthly_revenue() -> Vec<(String, u32)> {
    let months = (7..=12).map(|m| format!("2025-{m:02}")).chain((1..=6).map(|m| format!("2026-{m:02}")));
    months.map(|m| (m.clone(), ORDERS.iter().filter(|o| o.0.starts_with(&m)).map(|o| o.2).sum())).collect()
}

fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    let ws = dir.path().join("ws").display().to_string();
    ok(&["init", "--workspace", ws.as_str()], 0);
    ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    (dir, ws)
}

fn customer<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["customers"].as_array().unwrap().iter().find(|c| c["customer_id"] == id).unwrap()
}

#[test]
fn customers_are_staged_and_scored_as_the_company_says() {
    let (_dir, ws) = workspace();
    let view = json(&["customers", "-w", &ws, "--entity", "R1", "--period", "2026-Q2", "--format", "json"]);
    assert_eq!((&view["against"], &view["as_of"]), (&json!("2026-Q1"), &json!("2026-06-30")));
    let stages: Vec<(&str, &str)> = ["K1", "K2", "K3", "K4", "K5", "K6"]
        .into_iter()
        .map(|k| (k, customer(&view, k)["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [("K1", "growing"), ("K2", "steady"), ("K3", "declining"), ("K4", "lost"), ("K5", "new"), ("K6", "won_back")]
    );
    assert_eq!(
        view["stages"],
        json!({ "new": 1, "growing": 1, "steady": 1, "declining": 1, "lost": 1, "won_back": 1 })
    );
    let credit = |k: &str| customer(&view, k)["credit"].clone();
    assert_eq!((&credit("K1")["score"], &credit("K1")["grade"]), (&json!(76.0), &json!("B")));
    assert_eq!((&credit("K1")["on_time_share"], &credit("K1")["days_late"]), (&json!(0.6), &json!(12.0)));
    assert_eq!((&credit("K2")["score"], &credit("K2")["grade"]), (&json!(9.7), &json!("D")));
    assert_eq!((&credit("K2")["open_receivables"], &credit("K2")["over_limit"]), (&json!(2000.0), &json!(true)));
    assert_eq!((&credit("K3")["grade"], &credit("K3")["open_receivables"]), (&json!("no_history"), &json!(500.0)));
    assert_eq!(credit("K5")["grade"], "A");
    assert!(view["customers"].as_array().unwrap().iter().all(|c| c["customer_id"] != "K9"), "R2's customer");
    // The team holds R1's customers and R2's new K9.
    let team = json(&["customers", "-w", &ws, "--entity", "T", "--period", "2026-Q2", "--format", "json"]);
    assert_eq!(team["stages"]["new"], 2);
    let bad = run(&["customers", "-w", &ws, "--entity", "R1", "--period", "2026-Q2", "--band", "150"]);
    assert_eq!(text(&bad.stderr).trim(), "error: --band 150: a percentage from 0 to 100");
}

/// Pearson's r by its textbook formula, over the pairs given.
fn pearson(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    let (sx, sy) = (pairs.iter().map(|p| p.0).sum::<f64>(), pairs.iter().map(|p| p.1).sum::<f64>());
    let sxy = pairs.iter().map(|p| p.0 * p.1).sum::<f64>();
    let (sxx, syy) = (pairs.iter().map(|p| p.0 * p.0).sum::<f64>(), pairs.iter().map(|p| p.1 * p.1).sum::<f64>());
    (n * sxy - sx * sy) / ((n * sxx - sx * sx).sqrt() * (n * syy - sy * sy).sqrt())
}

#[test]
fn revenue_is_correlated_with_its_drivers_only_on_enough_months() {
    let (_dir, ws) = workspace();
    let out = json(&["drivers", "-w", &ws, "--entity", "R1", "--period", "2026-Q2", "--format", "json"]);
    let of =
        |driver: &str| out["correlations"].as_array().unwrap().iter().find(|c| c["driver"] == driver).unwrap().clone();
    let activities = of("activities");
    let pairs: Vec<(f64, f64)> = monthly_revenue().iter().map(|(_, r)| (f64::from(r / 500), f64::from(*r))).collect();
    assert_eq!(activities["points"], 12);
    common::assert_close(activities["r"].as_f64().unwrap(), pearson(&pairs));
    assert_eq!(activities["strength"], "strong");
    let discount = of("discount");
    assert_eq!(
        (&discount["points"], &discount["r"], &discount["strength"]),
        (&json!(4), &Value::Null, &json!("no_claim"))
    );
    let bad = run(&["drivers", "-w", &ws, "--entity", "R1", "--period", "2026-Q2", "--months", "1"]);
    assert_eq!(text(&bad.stderr).trim(), "error: months 1: from 2 to 120");
}

#[test]
fn customers_and_drivers_are_scoped_on_the_api_and_the_page() {
    let (_dir, ws) = workspace();
    common::people::add(&ws, &[("dora", "director", None), ("ray", "rep", Some("R1")), ("rita", "rep", Some("R2"))]);
    let server = Server::start(&ws);
    let cookies: Vec<String> = ["ray", "rita", "dora"].into_iter().map(|l| signed_in(&server, l)).collect();
    let as_user = |at: usize| Call { cookie: Some(cookies[at].as_str()), ..Call::new(&server) };
    let (ray, rita, dora) = (0, 1, 2);
    let path = "/api/v1/entities/R1/customers?period=2026-Q2";
    let (status, view) = as_user(ray).get(path);
    assert_eq!((status, &customer(&view, "K2")["credit"]["grade"]), (200, &json!("D")));
    assert_eq!(as_user(rita).get(path).0, 404, "another rep's customers");
    assert_eq!(as_user(rita).get("/api/v1/entities/R1/drivers?period=2026-Q2").0, 404);
    assert_eq!(as_user(dora).get("/api/v1/entities/R1/customers?period=2026-Q2&band=-1").0, 400);
    let (status, drivers) = as_user(dora).get("/api/v1/entities/T/drivers?period=2026-Q2&months=6");
    assert_eq!((status, &drivers["months"]), (200, &json!(6)));
    let (status, page) = read(as_user(ray).request("GET", "/entity/R1?period=2026-Q2").call());
    assert_eq!(status, 200);
    assert!(
        page.contains("data-customer=\"K2\" data-grade=\"D\"")
            && page.contains("data-driver=\"activities\" data-strength=\"strong\""),
        "{page}"
    );
    assert!(!page.contains("data-customer=\"K1\""), "K1's credit (B) needs no action");
}
