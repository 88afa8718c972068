//! Incentives (SPEC §12, §15.6) through the real binary, on a company whose
//! pay is worked out by hand. October 2026, revenue targets 600,000 each
//! (R4 has none); seed 002's bands (≥ 100 % → 5 % of the base salary,
//! ≥ 90 % → 2 %) and seed 003's tiers (500,000 at 5 %, the rest at 7 %):
//!
//! | rep | base | revenue | attainment | bonus | commission (marginal) | total |
//! |---|---|---|---|---|---|---|
//! | R1 | 8000 | 600,000 | 100 % | 400.00 | 25,000 + 7,000 = 32,000.00 | 32,400.00 |
//! | R2 | 9000 | 539,994 (540,000 − a 6 return) | 89.999 % | 0.00 | 25,000 + 2,799.58 | 27,799.58 |
//! | R3 | 7000 | 540,000 | 90 % | 140.00 | 25,000 + 2,800 | 27,940.00 |
//! | R4 | 8000 | 100,000 | no target | – | 5,000.00 | 5,000.00 |
//! | R5 | 8000 | 599,940 | 99.99 % | 160.00 | 25,000 + 6,995.80 | 32,155.80 |
//!
//! Retroactive, R1's 600,000 all at 7 %: 42,000.00. On collected revenue:
//! R1's invoice was paid 100,000 in October (50,000 more in November): 5,000.00.
//!
//! A plan change: the seed plan saved from 2026-01, a flat 6 % plan from
//! 2026-10. R1 sold 100,000 in September (no target: no bonus): 5,000.00
//! under the first; October under the second: 400.00 + 36,000.00.
//! What-if, retroactive against the seed plan in October: every rep above
//! 500,000 gains 500,000 × 2 % = 10,000.00 (R1, R2, R3, R5), R4 nothing:
//! +40,000.00 in all; the current totals' spread: 5,000.00, 27,799.58,
//! 27,940.00, 32,155.80, 32,400.00 (quartiles by nearest rank).

mod common;

use common::people::{Call, signed_in};
use common::{Server, json, ok, run, text};
use serde_json::Value;

fn company(dir: &std::path::Path) {
    let write = |name: &str, text: &str| std::fs::write(dir.join(name), text).unwrap();
    write("org_units.csv", "unit_id,name,parent_id,kind\nHQ,总部,,company\nT,一组,HQ,team\nU,二组,HQ,team\n");
    let mut reps =
        String::from("rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n");
    for (id, name, base) in
        [("R1", "张伟", 8000), ("R2", "李娜", 9000), ("R3", "王强", 7000), ("R4", "赵敏", 8000), ("R5", "钱进", 8000)]
    {
        reps.push_str(&format!("{id},{name},T,,2020-01-01,senior,{base},true,\n"));
    }
    write("reps.csv", &reps);
    write("products.csv", "product_id,name,product_line,unit_cost,list_price\nP1,软件,软件,1,2\n");
    write(
        "customers.csv",
        "customer_id,name,segment,region,industry,created_date,credit_limit\nK1,甲,,,,2025-01-01,\n",
    );
    write(
        "orders.csv",
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,status\n\
         O0,1,2026-09-10,R1,K1,P1,50000,100000,confirmed\n\
         O1,1,2026-10-05,R1,K1,P1,300000,600000,confirmed\n\
         O2,1,2026-10-06,R2,K1,P1,270000,540000,confirmed\n\
         O2R,1,2026-10-20,R2,K1,P1,-3,-6,returned\n\
         O3,1,2026-10-07,R3,K1,P1,270000,540000,confirmed\n\
         O4,1,2026-10-08,R4,K1,P1,50000,100000,confirmed\n\
         O5,1,2026-10-09,R5,K1,P1,299970,599940,confirmed\n",
    );
    let mut targets = String::from("period,entity_id,metric,value\n");
    for rep in ["R1", "R2", "R3", "R5"] {
        targets.push_str(&format!("2026-10,{rep},revenue,600000\n"));
    }
    write("targets.csv", &targets);
    write(
        "invoices.csv",
        "invoice_id,customer_id,rep_id,invoice_date,due_date,amount,order_id\nI1,K1,R1,2026-10-05,2026-11-05,600000,O1\n",
    );
    write(
        "payments.csv",
        "payment_id,invoice_id,payment_date,amount\nY1,I1,2026-10-20,100000\nY2,I1,2026-11-02,50000\n",
    );
}

/// SPEC §15.6's plan (seed 002's bands, seed 003's tiers), as the library holds it.
const PLAN: &str = yeji_incentives::SEED_PLAN;

struct Company {
    _dir: tempfile::TempDir,
    ws: String,
    plans: std::path::PathBuf,
}

fn setup() -> Company {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    company(&data);
    let ws = dir.path().join("ws").display().to_string();
    ok(&["init", "--workspace", ws.as_str()], 0);
    ok(&["import", "-w", &ws, data.to_str().unwrap()], 0);
    let plans = dir.path().join("plans");
    std::fs::create_dir(&plans).unwrap();
    Company { _dir: dir, ws, plans }
}

impl Company {
    fn run(&self, plan: &str) -> Value {
        let file = self.plans.join("plan.toml");
        std::fs::write(&file, plan).unwrap();
        json(&[
            "incentive",
            "run",
            "-w",
            &self.ws,
            "--period",
            "2026-10",
            "--plan",
            file.to_str().unwrap(),
            "--format",
            "json",
        ])
    }
}

fn statement<'a>(run: &'a Value, rep: &str) -> &'a Value {
    run["statements"].as_array().unwrap().iter().find(|s| s["rep_id"] == rep).unwrap()
}

/// (component, amount) of each line of a rep's statement.
fn lines(run: &Value, rep: &str) -> Vec<(String, String)> {
    statement(run, rep)["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["component"].as_str().unwrap().to_owned(), l["amount"].as_str().unwrap().to_owned()))
        .collect()
}

fn pair(component: &str, amount: &str) -> (String, String) {
    (component.to_owned(), amount.to_owned())
}

#[test]
fn the_seed_plan_pays_every_rep_as_worked_out_by_hand() {
    let company = setup();
    let out = company.run(PLAN);
    assert_eq!((&out["period"], &out["plan"]), (&Value::from("2026-10"), &Value::from("sales-2026")));
    assert_eq!(
        lines(&out, "R1"),
        [pair("bonus", "400.00"), pair("commission", "25000.00"), pair("commission", "7000.00")]
    );
    assert_eq!(
        lines(&out, "R2"),
        [pair("bonus", "0.00"), pair("commission", "25000.00"), pair("commission", "2799.58")]
    );
    assert_eq!(
        lines(&out, "R3"),
        [pair("bonus", "140.00"), pair("commission", "25000.00"), pair("commission", "2800.00")]
    );
    assert_eq!(lines(&out, "R4"), [pair("commission", "5000.00")]);
    assert_eq!(
        lines(&out, "R5"),
        [pair("bonus", "160.00"), pair("commission", "25000.00"), pair("commission", "6995.80")]
    );
    let totals: Vec<&str> =
        ["R1", "R2", "R3", "R4", "R5"].iter().map(|r| statement(&out, r)["total"].as_str().unwrap()).collect();
    assert_eq!(totals, ["32400.00", "27799.58", "27940.00", "5000.00", "32155.80"]);
    assert_eq!(out["total"], "125295.38", "the sum of the rounded totals");
    assert_eq!(statement(&out, "R4")["notes"][0], "bonus 2026-10: no bonus without a revenue target");
    let r2 = &statement(&out, "R2")["lines"][0];
    assert_eq!(
        (&r2["base"], &r2["measure"], &r2["rate"]),
        (&Value::from("9000.00"), &Value::from("0.89999"), &Value::from("0"))
    );

    let retro = company.run(&PLAN.replace("method = \"marginal\"", "method = \"retroactive\""));
    assert_eq!(lines(&retro, "R1"), [pair("bonus", "400.00"), pair("commission", "42000.00")]);
    let collected = company.run(&PLAN.replace("measure = \"revenue\"", "measure = \"collected\""));
    assert_eq!(lines(&collected, "R1")[1], pair("commission", "5000.00"));
    assert_eq!(statement(&collected, "R3")["lines"][1]["amount"], "0.00", "nothing collected, nothing paid");
    let tier = &statement(&out, "R1")["lines"][2];
    assert_eq!(
        (&tier["base"], &tier["measure"], &tier["rate"]),
        (&Value::from("100000.00"), &Value::from("600000.00"), &Value::from("0.07"))
    );
}

#[test]
fn a_bad_plan_is_named_and_a_rep_without_a_target_is_said() {
    let company = setup();
    let file = company.plans.join("bad.toml");
    std::fs::write(&file, PLAN.replace("{ rate = 0.07 }", "{ up_to = 400000, rate = 0.07 }, { rate = 0.08 }")).unwrap();
    let out = run(&["incentive", "run", "-w", &company.ws, "--period", "2026-10", "--plan", file.to_str().unwrap()]);
    assert_eq!(
        text(&out.stderr).trim(),
        format!(
            "error: {}: component 'commission': tiers[1] up_to 400000 is not above 500000: tiers overlap",
            file.display()
        )
    );
    let good = company.plans.join("good.toml");
    std::fs::write(&good, PLAN).unwrap();
    let out = run(&["incentive", "run", "-w", &company.ws, "--period", "2026-10", "--plan", good.to_str().unwrap()]);
    assert!(out.status.success());
    assert_eq!(text(&out.stderr).trim(), "no bonus without a revenue target for 1 rep(s): R4");
}

#[test]
fn a_plan_saved_mid_year_pays_from_its_month_and_a_new_plan_is_priced_before_saving() {
    let company = setup();
    let file = |name: &str, text: &str| {
        let path = company.plans.join(name);
        std::fs::write(&path, text).unwrap();
        path.display().to_string()
    };
    let seed = file("seed.toml", PLAN);
    let flat = file(
        "flat.toml",
        &PLAN
            .replace("sales-2026", "sales-2026-q4")
            .replace("[{ up_to = 500000, rate = 0.05 }, { rate = 0.07 }]", "[{ rate = 0.06 }]"),
    );
    let whatif = ["incentive", "whatif", "-w", &company.ws, "--period", "2026-10", "--plan", &seed];
    assert_eq!(
        text(&run(&whatif).stderr).trim(),
        "error: no incentive plan in effect in 2026-10 (yeji incentive plan save --from)"
    );
    assert_eq!(
        ok(&["incentive", "plan", "save", "-w", &company.ws, &seed, "--from", "2026-01"], 0).trim(),
        "saved plan version 1, in effect from 2026-01"
    );
    ok(&["incentive", "plan", "save", "-w", &company.ws, &flat, "--from", "2026-10"], 0);
    let bad = run(&["incentive", "plan", "save", "-w", &company.ws, &flat, "--from", "2026-Q4"]);
    assert_eq!(text(&bad.stderr).trim(), "error: --from 2026-Q4: a plan takes effect from a month (YYYY-MM)");

    let by_id =
        json(&["incentive", "run", "-w", &company.ws, "--period", "2026-10", "--plan", "1", "--format", "json"]);
    assert_eq!(
        (&by_id["plan"], &by_id["total"]),
        (&Value::from("sales-2026 v1"), &Value::from("125295.38")),
        "--plan ID"
    );
    let both = json(&["incentive", "run", "-w", &company.ws, "--period", "2026-09..2026-10", "--format", "json"]);
    assert_eq!(both["plan"], "sales-2026 v1, sales-2026-q4 v2");
    let r1: Vec<(String, String, String)> = statement(&both, "R1")["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["period"].as_str().unwrap().into(),
                l["component"].as_str().unwrap().into(),
                l["amount"].as_str().unwrap().into(),
            )
        })
        .collect();
    let line = |p: &str, c: &str, a: &str| (p.to_owned(), c.to_owned(), a.to_owned());
    assert_eq!(
        r1,
        [
            line("2026-09", "commission", "5000.00"),
            line("2026-10", "bonus", "400.00"),
            line("2026-10", "commission", "36000.00")
        ]
    );
    assert_eq!(statement(&both, "R1")["total"], "41400.00");
    let audit = json(&["audit", "-w", &company.ws, "--action", "incentive.plan", "--format", "json"]);
    assert_eq!(audit.as_array().unwrap().len(), 2);

    // What-if in October against the plan in effect there: make it the seed plan again.
    ok(&["incentive", "plan", "save", "-w", &company.ws, &seed, "--from", "2026-10"], 0);
    let retro = file("retro.toml", &PLAN.replace("method = \"marginal\"", "method = \"retroactive\""));
    let priced =
        json(&["incentive", "whatif", "-w", &company.ws, "--period", "2026-10", "--plan", &retro, "--format", "json"]);
    assert_eq!(
        (&priced["current_total"], &priced["new_total"], &priced["change"]),
        (&Value::from("125295.38"), &Value::from("165295.38"), &Value::from("40000.00"))
    );
    let changes: Vec<(&str, &str)> = priced["reps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["rep_id"].as_str().unwrap(), r["change"].as_str().unwrap()))
        .collect();
    assert_eq!(
        changes,
        [("R1", "10000.00"), ("R2", "10000.00"), ("R3", "10000.00"), ("R5", "10000.00"), ("R4", "0.00")]
    );
    let spread = &priced["current_spread"];
    let quartiles: Vec<&str> =
        ["min", "p25", "median", "p75", "max"].iter().map(|k| spread[k].as_str().unwrap()).collect();
    assert_eq!(quartiles, ["5000.00", "27799.58", "27940.00", "32155.80", "32400.00"]);

    // Changed targets under the saved plan: every target 10 % higher
    // (660,000) and R4 given 100,000. R1 600,000 / 660,000 = 90.9 %: 2 % of
    // 8,000 = 160.00 instead of 400.00 (−240.00); R3 540,000 = 81.8 %: no
    // bonus (−140.00); R5 90.9 %: 160.00 as before; R2 81.8 %: none as
    // before; R4 at 100 %: 5 % = +400.00. In all +20.00.
    let targeted = json(&[
        "incentive",
        "whatif",
        "-w",
        &company.ws,
        "--period",
        "2026-10",
        "--targets-scale",
        "1.1",
        "--target",
        "R4=100000",
        "--format",
        "json",
    ]);
    assert_eq!(
        (&targeted["new_plan"], &targeted["new_total"], &targeted["change"]),
        (&Value::from("sales-2026 v3"), &Value::from("125315.38"), &Value::from("20.00"))
    );
    let rows: Vec<[&str; 4]> = targeted["reps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let text = |k: &str| r[k].as_str().unwrap_or("–");
            [text("rep_id"), text("change"), text("current_attainment"), text("new_attainment")]
        })
        .collect();
    assert_eq!(
        rows,
        [
            ["R4", "400.00", "–", "1"],
            ["R1", "-240.00", "1", "0.909091"],
            ["R3", "-140.00", "0.9", "0.818182"],
            ["R2", "0.00", "0.89999", "0.818173"],
            ["R5", "0.00", "0.9999", "0.909"],
        ]
    );
    // Reps per attainment range (<70, 70–80, 80–90, 90–100, 100–110, 110–120,
    // ≥120 %): R2's 89.999 % is below 90 %, as its bonus says.
    let counts = |side: &str| -> Vec<u64> {
        targeted["attainment_histogram"].as_array().unwrap().iter().map(|b| b[side].as_u64().unwrap()).collect()
    };
    assert_eq!(counts("current"), [0, 0, 1, 2, 1, 0, 0]);
    assert_eq!(counts("new"), [0, 0, 2, 2, 1, 0, 0]);
    let table = ok(&["incentive", "whatif", "-w", &company.ws, "--period", "2026-10", "--targets-scale", "1.1"], 0);
    assert!(table.contains("new targets: the targets in effect × 1.1"), "{table}");
    assert!(
        table.contains("attainment min / p25 / median / p75 / max: 89.9% / 89.9% / 90.0% / 99.9% / 100.0%"),
        "{table}"
    );
    let refused = |args: &[&str]| {
        let mut all = vec!["incentive", "whatif", "-w", &company.ws, "--period", "2026-10"];
        all.extend(args);
        text(&run(&all).stderr).trim().to_owned()
    };
    assert_eq!(refused(&[]), "error: a what-if needs a new plan or changed targets");
    assert_eq!(refused(&["--target", "R9=1"]), "error: target 'R9=1': 'R9' is not a rep of the organisation");
    assert_eq!(
        refused(&["--targets-scale", "0"]),
        "error: targets scale 0 is outside (0, 10]: 1.1 raises every target by 10%"
    );
}

/// October's run is saved, approved and locked; then R1's customer returns
/// 100,000 of October's order. The locked run still pays R1 32,400.00, and
/// November's run settles October: now 500,000 in October (83.3 %: no
/// bonus; 25,000.00 commission) against the 32,400.00 paid: an adjustment of
/// −7,400.00 on R1's November statement (R1 sold nothing in November).
#[test]
fn a_locked_run_never_changes_and_a_return_after_payout_is_clawed_back_next_month() {
    let company = setup();
    let seed = company.plans.join("seed.toml");
    std::fs::write(&seed, PLAN).unwrap();
    ok(&["incentive", "plan", "save", "-w", &company.ws, seed.to_str().unwrap(), "--from", "2026-01"], 0);
    let save = |period: &str| {
        let out = run(&["incentive", "run", "-w", &company.ws, "--period", period, "--save", "--format", "json"]);
        assert!(out.status.success(), "{}", text(&out.stderr));
        (serde_json::from_str::<Value>(&text(&out.stdout)).unwrap(), text(&out.stderr))
    };
    let step = |verb: &str, id: &str| run(&["incentive", verb, "-w", &company.ws, id]);
    let (october, said) = save("2026-10");
    assert!(said.contains("saved as payout run 1"), "{said}");
    assert_eq!(october["total"], "125295.38");
    assert_eq!(
        text(&step("lock", "1").stderr).trim(),
        "error: refused: payout run 1 is calculated: lock needs it approved"
    );
    assert_eq!(
        text(&step("approve", "1").stdout).trim(),
        "payout run 1 (2026-10 sales-2026 v1, total 125295.38) is approved"
    );
    assert!(step("lock", "1").status.success());
    assert_eq!(text(&step("approve", "1").stderr).trim(), "error: refused: payout run 1 is locked: nothing changes it");

    let late = company.plans.join("late");
    std::fs::create_dir(&late).unwrap();
    std::fs::write(
        late.join("orders.csv"),
        "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,status\nO1R,1,2026-10-25,R1,K1,P1,-50000,-100000,returned\n",
    )
    .unwrap();
    ok(&["import", "-w", &company.ws, late.to_str().unwrap()], 0);
    let shown = json(&["incentive", "show", "-w", &company.ws, "1", "--format", "json"]);
    assert_eq!(statement(&shown, "R1")["total"], "32400.00", "the locked run as it was");
    let verified = ok(&["incentive", "show", "-w", &company.ws, "1", "--verify"], 0);
    assert_eq!(
        verified.trim(),
        "payout run 1 reproduces from its pinned data and plans",
        "from the files it pinned, not today's"
    );
    let csv = company.plans.join("payroll.csv");
    let said = ok(&["incentive", "export", "-w", &company.ws, "1", "--out", csv.to_str().unwrap()], 0);
    assert_eq!(said.trim(), format!("{} written (5 reps, total 125295.38)", csv.display()));
    let payroll = std::fs::read_to_string(&csv).unwrap();
    let lines: Vec<&str> = payroll.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(lines[..2], ["rep_id,name,bonus,commission,total", "R1,张伟,400.00,32000.00,32400.00"]);
    let found =
        json(&["incentive", "statement", "-w", &company.ws, "--rep", "R1", "--period", "2026-10", "--format", "json"]);
    assert_eq!(
        (&found["run"], &found["state"], &found["statement"]["total"]),
        (&Value::from(1), &Value::from("locked"), &Value::from("32400.00"))
    );
    let pdf = company.plans.join("r1.pdf");
    let args =
        ["incentive", "statement", "-w", &company.ws, "--rep", "R1", "--period", "2026-10", "--format", "pdf", "--out"];
    ok(&[&args[..], &[pdf.to_str().unwrap()]].concat(), 0);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    let (november, _) = save("2026-11");
    let r1 = statement(&november, "R1");
    let adjustment = r1["lines"].as_array().unwrap().iter().find(|l| l["component"] == "adjustment").unwrap();
    assert_eq!(
        (&adjustment["period"], &adjustment["base"], &adjustment["measure"], &adjustment["amount"]),
        (&Value::from("2026-10"), &Value::from("32400.00"), &Value::from("25000.00"), &Value::from("-7400.00"))
    );
    assert_eq!(r1["total"], "-7400.00");
    let others = november["statements"].as_array().unwrap().iter().filter(|s| s["rep_id"] != "R1");
    assert!(others.flat_map(|s| s["lines"].as_array().unwrap()).all(|l| l["component"] != "adjustment"));
    let (stale, _) = save("2026-12"); // run 3, calculated before November is locked
    assert!(statement(&stale, "R1")["lines"].as_array().unwrap().iter().any(|l| l["component"] == "adjustment"));
    assert!(step("approve", "2").status.success() && step("lock", "2").status.success());
    assert!(step("approve", "3").status.success());
    assert_eq!(
        text(&step("lock", "3").stderr).trim(),
        "error: refused: payout run 3 was calculated before payout run 2 was locked: calculate it again"
    );
    let (december, _) = save("2026-12");
    assert_eq!(statement(&december, "R1")["total"], "0.00", "October is settled once");

    // A second run of October may be calculated and approved, not locked.
    save("2026-10");
    assert!(step("approve", "5").status.success());
    assert_eq!(
        text(&step("lock", "5").stderr).trim(),
        "error: refused: 2026-10 has a locked run already (payout run 1): a later change is settled in a later period's run"
    );
    let audit = json(&["audit", "-w", &company.ws, "--format", "json"]);
    let count = |action: &str| audit.as_array().unwrap().iter().filter(|a| a["action"] == action).count();
    assert_eq!((count("incentive.calculate"), count("incentive.approve"), count("incentive.lock")), (5, 4, 2));
    let listed = ok(&["incentive", "runs", "-w", &company.ws], 0);
    assert_eq!(listed.lines().count(), 6, "{listed}");
}

/// Who sees whose pay: a rep their own statement, a manager their team's
/// reps', HR, directors and admins everyone's; the runs are for HR and
/// directors; a director approves, HR locks.
#[test]
fn pay_is_seen_and_moved_on_by_role_on_the_api() {
    let company = setup();
    let seed = company.plans.join("seed.toml");
    std::fs::write(&seed, PLAN).unwrap();
    ok(&["incentive", "plan", "save", "-w", &company.ws, seed.to_str().unwrap(), "--from", "2026-01"], 0);
    let users = [
        ("dora", "director", None),
        ("mia", "manager", Some("T")),
        ("nils", "manager", Some("U")),
        ("ray", "rep", Some("R1")),
        ("rita", "rep", Some("R2")),
        ("hana", "hr", None),
    ];
    common::people::add(&company.ws, &users);
    let server = Server::start(&company.ws);
    let cookies: Vec<(&str, String)> = users.iter().map(|(l, _, _)| (*l, signed_in(&server, l))).collect();
    let as_user = |login: &str| {
        let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
        Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
    };
    let r1 = "/api/v1/incentives/statements/R1?period=2026-10";
    let (status, live) = as_user("ray").get(r1);
    assert_eq!((status, &live["run"], &live["statement"]["total"]), (200, &Value::Null, &Value::from("32400.00")));
    for (login, status) in [("rita", 404), ("nils", 404), ("mia", 200), ("hana", 200), ("dora", 200)] {
        assert_eq!(as_user(login).get(r1).0, status, "{login}");
    }
    for (login, status) in [("ray", 403), ("mia", 403), ("hana", 200), ("dora", 200)] {
        assert_eq!(as_user(login).get("/api/v1/incentives/runs").0, status, "{login}");
    }
    let report = |login: &str, format: &str| {
        let path = format!("/incentives/statements/R1/export/{format}?period=2026-10");
        match as_user(login).request("GET", &path).call() {
            Ok(r) => (r.status(), r.header("content-type").unwrap_or("").to_owned()),
            Err(ureq::Error::Status(status, _)) => (status, String::new()),
            Err(error) => panic!("{error}"),
        }
    };
    assert_eq!(report("ray", "pdf"), (200, "application/pdf".to_owned()));
    assert_eq!(report("hana", "xlsx").0, 200);
    assert_eq!(report("rita", "pdf").0, 404);

    ok(&["incentive", "run", "-w", &company.ws, "--period", "2026-10", "--save"], 0);
    let saved = as_user("ray").get(r1).1;
    assert_eq!((&saved["run"], &saved["state"]), (&Value::from(1), &Value::from("calculated")));
    let steps = "/api/v1/incentives/runs/1/steps";
    let step = |name: &str| serde_json::json!({ "step": name });
    assert_eq!(as_user("dora").post(steps, step("lock")).0, 403, "a director approves; HR locks");
    assert_eq!(as_user("hana").post(steps, step("approve")).0, 403);
    assert_eq!(as_user("ray").post(steps, step("approve")).0, 403);
    assert_eq!(as_user("dora").post(steps, step("pay")).0, 400);
    assert_eq!(as_user("dora").post("/api/v1/incentives/runs/99/steps", step("approve")).0, 404);
    let (status, approved) = as_user("dora").post(steps, step("approve"));
    assert_eq!(
        (status, &approved["state"], &approved["approved_by"]),
        (200, &Value::from("approved"), &Value::from("dora"))
    );
    let (status, locked) = as_user("hana").post(steps, step("lock"));
    assert_eq!((status, &locked["state"]), (200, &Value::from("locked")));
    assert_eq!(as_user("hana").post(steps, step("lock")).0, 409);
    assert_eq!(as_user("mia").get(r1).1["state"], "locked");
}
