//! Targets set in yeji (SPEC §7, §15.2) through the real binary and server,
//! on the `scored` fixture in 2026-Q3. Its imported targets: R1 2000, R2
//! 1000, E 1500, HQ 3000. The tree on 07-01: HQ → E, N; E → TE → R1, R2;
//! N → TN (R2 moves there on 08-01). By hand, top-down against bottom-up:
//! TE has no target of its own, its children sum to 3000; E 1500 against
//! 3000 (gap −1500); N nothing; HQ 3000 against E's 1500 (gap 1500).
//! R1 sold 1400 in Q3 (tests/cli.rs): 70 points on 2000, 56 on 2500.

mod common;

use std::collections::BTreeMap;

use common::people::{Call, PASSWORD, add_users, signed_in};
use common::{Server, catalogs, fixtures, json, read, run, run_with_input, text, workspace_on};
use serde_json::{Value, json};

/// Each unit of `yeji targets` (or the API's `units`): (top-down, bottom-up, gap).
type Rollup = BTreeMap<String, (Value, Value, Value)>;

fn rollup_of(units: &Value) -> Rollup {
    units
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            let id = u["entity_id"].as_str().unwrap().to_owned();
            (id, (u["top_down"].clone(), u["bottom_up"].clone(), u["gap"].clone()))
        })
        .collect()
}

fn rollup(ws: &str) -> Rollup {
    rollup_of(&json(&["targets", "-w", ws, "--period", "2026-Q3", "--format", "json"])["units"])
}

fn row(top: Option<&str>, bottom: Option<&str>, gap: Option<&str>) -> (Value, Value, Value) {
    let v = |x: Option<&str>| x.map_or(Value::Null, |s| Value::String(s.into()));
    (v(top), v(bottom), v(gap))
}

/// R1's revenue (value, target, score) in 2026-Q3 by `yeji evaluate`.
fn r1_revenue(ws: &str) -> (f64, f64, f64) {
    let out = json(&["evaluate", "-w", ws, "--period", "2026-Q3", "--format", "json"]);
    let r1 = out["results"].as_array().unwrap().iter().find(|r| r["id"] == "R1").unwrap();
    let k = &r1["kpis"]["revenue"];
    (k["value"].as_f64().unwrap(), k["target"].as_f64().unwrap(), k["score"].as_f64().unwrap())
}

fn set(ws: &str, extra: &[&str]) -> Value {
    let mut args = vec!["target", "set", "-w", ws, "--period", "2026-Q3", "--format", "json"];
    args.extend(extra);
    json(&args)[0].clone()
}

#[test]
fn a_target_is_proposed_approved_and_superseded_with_every_step_audited() {
    let (_dir, ws) = workspace_on(&None, &fixtures().join("scored"));
    let before = rollup(&ws);
    assert_eq!(before["TE"], row(None, Some("3000.00"), None));
    assert_eq!(before["E"], row(Some("1500.00"), Some("3000.00"), Some("-1500.00")));
    assert_eq!(before["HQ"], row(Some("3000.00"), Some("1500.00"), Some("1500.00")));
    assert_eq!(before["N"], row(None, None, None));
    assert_eq!(r1_revenue(&ws), (1400.0, 2000.0, 70.0));

    // A draft lands nowhere.
    let draft = set(&ws, &["--entity", "R1", "--value", "2500", "--why", "新客户 K9 签约"]);
    assert_eq!(
        (&draft["version"], &draft["state"], &draft["value"], &draft["why"]),
        (&json!(1), &json!("draft"), &json!("2500.00"), &json!("新客户 K9 签约"))
    );
    assert_eq!(rollup(&ws), before);
    assert_eq!(r1_revenue(&ws).1, 2000.0);

    // Approved: the data holds it, and the evaluation uses it.
    let id = draft["id"].as_i64().unwrap().to_string();
    let approved = json(&["target", "approve", "-w", &ws, &id, "--note", "同意", "--format", "json"])[0].clone();
    assert_eq!((&approved["state"], &approved["note"]), (&json!("approved"), &json!("同意")));
    assert!(approved["batch_id"].as_i64().is_some(), "{approved}");
    let after = rollup(&ws);
    assert_eq!(after["TE"], row(None, Some("3500.00"), None));
    assert_eq!(after["E"], row(Some("1500.00"), Some("3500.00"), Some("-2000.00")));
    let (revenue, target, score) = r1_revenue(&ws);
    assert_eq!((revenue, target), (1400.0, 2500.0));
    common::assert_close(score, 56.0);
    let again = run(&["target", "approve", "-w", &ws, &id]);
    assert_eq!(text(&again.stderr).trim(), "error: refused: the target is approved: only a draft can be decided");

    // A second draft is rejected with a reason; a third approved at once
    // supersedes the first; TN gets a target, which N and HQ then count.
    let second = set(&ws, &["--entity", "R1", "--value", "9000"]);
    let second_id = second["id"].as_i64().unwrap().to_string();
    let no_note = run(&["target", "reject", "-w", &ws, &second_id]);
    assert_eq!(text(&no_note.stderr).trim(), "error: a rejection needs a note saying why");
    let rejected = json(&["target", "reject", "-w", &ws, &second_id, "--note", "高于预测一倍", "--format", "json"]);
    assert_eq!(rejected[0]["state"], "rejected");
    let third = set(&ws, &["--entity", "R1", "--value", "2200.5", "--approve"]);
    assert_eq!((&third["version"], &third["state"]), (&json!(3), &json!("approved")));
    set(&ws, &["--entity", "TN", "--value", "500", "--approve"]);
    let last = rollup(&ws);
    assert_eq!(last["TE"], row(None, Some("3200.50"), None));
    assert_eq!(last["N"], row(None, Some("500.00"), None));
    assert_eq!(last["HQ"], row(Some("3000.00"), Some("2000.00"), Some("1000.00")));
    assert_eq!(r1_revenue(&ws).1, 2200.5);

    let versions = json(&["target", "versions", "-w", &ws, "--period", "2026-Q3", "--format", "json"]);
    let states: Vec<(&str, i64, &str)> = versions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| (v["entity_id"].as_str().unwrap(), v["version"].as_i64().unwrap(), v["state"].as_str().unwrap()))
        .collect();
    assert_eq!(states, [("R1", 3, "approved"), ("R1", 2, "rejected"), ("R1", 1, "superseded"), ("TN", 1, "approved")]);
    let audit = json(&["audit", "-w", &ws, "--format", "json"]);
    let mut actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .filter(|a| a.starts_with("target."))
        .collect();
    actions.sort_unstable();
    assert_eq!(
        actions,
        [
            "target.approve",
            "target.approve",
            "target.approve",
            "target.reject",
            "target.set",
            "target.set",
            "target.set",
            "target.set"
        ]
    );
}

#[test]
fn a_bad_target_is_named_and_nothing_is_saved() {
    let (_dir, ws) = workspace_on(&None, &fixtures().join("scored"));
    for (args, message) in [
        (vec!["--entity", "R9", "--value", "1"], "no rep or unit 'R9' in this workspace"),
        (vec!["--entity", "R1", "--value", "-5"], "value -5 is negative: a target is 0 or more"),
        (vec!["--entity", "R1", "--value", "十万"], "value '十万' is not a number"),
        (vec!["--entity", "R1", "--value", "1.001"], "value 1.001 has more than 2 decimals"),
        (
            vec!["--entity", "R1", "--value", "1", "--metric", "sales"],
            "metric: unknown KPI 'sales' (see `yeji kpis` for the catalogue)",
        ),
    ] {
        let mut all = vec!["target", "set", "-w", &ws, "--period", "2026-Q3"];
        all.extend(args);
        let out = run(&all);
        assert_eq!((out.status.code(), text(&out.stderr).trim()), (Some(1), format!("error: {message}").as_str()));
    }
    let bad_period = run(&["target", "set", "-w", &ws, "--period", "2026-Q5", "--entity", "R1", "--value", "1"]);
    assert!(text(&bad_period.stderr).contains("2026-Q5"), "{}", text(&bad_period.stderr));
    assert_eq!(json(&["target", "versions", "-w", &ws, "--period", "2026-Q3", "--format", "json"]), json!([]));
    let missing = run(&["target", "approve", "-w", &ws, "7"]);
    assert_eq!(text(&missing.stderr).trim(), "error: no target version 7 (see `yeji target versions`)");
}

#[test]
fn targets_are_scoped_by_role_on_the_api_and_the_page() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &fixtures().join("scored"));
        add_users(&ws);
        let added = run_with_input(
            &["user", "add", "-w", &ws, "nils", "--role", "manager", "--entity", "N"],
            &format!("{PASSWORD}\n"),
        );
        assert!(added.status.success(), "{}", text(&added.stderr));
        let server = Server::start(&ws);
        let cookies: Vec<(&str, String)> =
            ["ada", "dora", "mia", "nils", "ray", "hana"].into_iter().map(|l| (l, signed_in(&server, l))).collect();
        let as_user = |login: &str| {
            let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
            Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
        };
        let path = "/api/v1/targets?period=2026-Q3";
        let view = |login: &str| {
            let (status, body) = as_user(login).get(path);
            assert_eq!(status, 200, "{login}: {body}");
            body
        };
        let ids = |body: &Value, key: &str| -> Vec<String> {
            body[key].as_array().unwrap().iter().map(|u| u["entity_id"].as_str().unwrap().to_owned()).collect()
        };
        assert_eq!(ids(&view("dora"), "units"), ["HQ", "E", "N", "TE"]);
        assert_eq!(ids(&view("hana"), "units"), ["HQ", "E", "N", "TE"]);
        assert_eq!(ids(&view("mia"), "units"), ["E", "TE"]);
        assert_eq!(ids(&view("nils"), "units"), ["N"]);
        assert!(ids(&view("ray"), "units").is_empty());
        assert_eq!(rollup_of(&view("mia")["units"])["E"], row(Some("1500.00"), Some("3000.00"), Some("-1500.00")));
        let checked = |login: &str| {
            let mut ids = ids(&view(login), "checks");
            ids.sort_unstable();
            ids
        };
        assert_eq!(checked("dora"), ["E", "HQ", "R1", "R2"]);
        assert_eq!(checked("ray"), ["R1"]);

        // Proposing: a manager in scope; a rep, HR: 403; out of scope: 404.
        let target = |entity: &str, value: &str| json!({ "period": "2026-Q3", "entity_id": entity, "value": value, "why": "bottom-up" });
        assert_eq!(as_user("ray").post("/api/v1/targets", target("R1", "2100")).0, 403);
        assert_eq!(as_user("hana").post("/api/v1/targets", target("R1", "2100")).0, 403);
        assert_eq!(as_user("nils").post("/api/v1/targets", target("R1", "2100")).0, 404);
        assert_eq!(as_user("mia").post("/api/v1/targets", target("N", "2100")).0, 404);
        let (status, bad) = as_user("mia").post("/api/v1/targets", target("R1", "-1"));
        assert_eq!((status, bad["message"].as_str()), (400, Some("value -1 is negative: a target is 0 or more")));
        let (status, draft) = as_user("mia").post("/api/v1/targets", target("R1", "2100"));
        assert_eq!((status, &draft["state"], &draft["proposed_by"]), (201, &json!("draft"), &json!("mia")));
        let id = draft["id"].as_i64().unwrap();
        assert_eq!(ids(&view("ray"), "versions"), ["R1"], "a rep reads their own target's versions");
        assert!(ids(&view("nils"), "versions").is_empty());

        // Deciding: a director; a manager 403; out of scope 404.
        let step = format!("/api/v1/targets/{id}/steps");
        let approve = json!({ "step": "approve", "note": "ok" });
        assert_eq!(as_user("mia").post(&step, approve.clone()).0, 403);
        assert_eq!(as_user("nils").post(&step, approve.clone()).0, 404);
        assert_eq!(as_user("dora").post("/api/v1/targets/999/steps", approve.clone()).0, 404);
        assert_eq!(as_user("dora").post(&step, json!({ "step": "maybe" })).0, 400);
        let (status, decided) = as_user("dora").post(&step, approve.clone());
        assert_eq!((status, &decided["state"], &decided["decided_by"]), (200, &json!("approved"), &json!("dora")));
        assert_eq!(as_user("dora").post(&step, approve.clone()).0, 409);
        assert_eq!(
            rollup_of(&view("mia")["units"])["TE"],
            row(None, Some("3100.00"), None),
            "the approved target counts"
        );

        // The page: the same scope, the forms for those who may use them.
        let page = |login: &str| {
            let (status, body) = read(as_user(login).request("GET", "/targets?period=2026-Q3").call());
            assert_eq!(status, 200, "{login}");
            body
        };
        let mia = page("mia");
        assert!(mia.contains("data-unit=\"TE\"") && !mia.contains("data-unit=\"HQ\""), "{mia}");
        assert!(mia.contains(&format!("id=\"target-{id}\"")) && mia.contains("id=\"propose\""));
        let nils = page("nils");
        assert!(!nils.contains(&format!("id=\"target-{id}\"")) && nils.contains("data-unit=\"N\""));
        assert!(!page("ray").contains("id=\"propose\""), "a rep proposes nothing");
        assert!(page("dora").contains("id=\"difficulty\""), "the difficulty chart");
        let (status, _) = as_user("mia").form(
            "/targets",
            &[("period", "2026-Q3"), ("entity_id", "R1"), ("metric", "revenue"), ("value", "2300"), ("why", "")],
        );
        assert!(status == 303 || status == 200, "{status}");
        let newest = view("dora")["versions"].as_array().unwrap()[0].clone();
        assert_eq!(
            (&newest["version"], &newest["state"], &newest["value"]),
            (&json!(2), &json!("draft"), &json!("2300.00"))
        );
        let second = newest["id"].as_i64().unwrap();
        let (status, _) = as_user("ray").form(&format!("/targets/{second}/step"), &[("step", "approve"), ("note", "")]);
        assert_eq!(status, 403);
        let (status, _) =
            as_user("ada").form(&format!("/targets/{second}/step"), &[("step", "reject"), ("note", "太低")]);
        assert!(status == 303 || status == 200, "{status}");
        assert_eq!(view("dora")["versions"].as_array().unwrap()[0]["state"], "rejected");
    }
}
