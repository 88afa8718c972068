//! Improvement plans over the real server (SPEC §11, §15.5), on SQLite and
//! PostgreSQL: who writes, agrees, checks in and ends a plan, and that
//! anyone outside the rep's scope gets 404 for the plan, its steps, its
//! effect and its page. The `measures` fixture: R1 (senior, in unit E) and
//! darcel_schlecht (junior, in N), so R1's comparison group is empty.

mod common;

use common::people::{Call, PASSWORD, add_users, signed_in};
use common::{Server, catalogs, measures_fixture, ok, read, run_with_input, text, workspace_on};
use serde_json::{Value, json};

const PLAN: &str = r#"
[plan]
rep_id = "R1"
kind = "idp"
start = "2026-04-01"
[[items]]
item = "新客户开发"
current_level = 2
target_level = 4
reason = "新客户开发率低于目标"
measures = "陪同优秀销售拜访"
evaluation_date = "2026-06-30"
kpi = "new_customer_rate"
goal = 0.2
"#;

#[test]
fn a_plan_is_between_the_rep_their_managers_and_hr() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &measures_fixture());
        add_users(&ws);
        let added = run_with_input(
            &["user", "add", "-w", &ws, "nils", "--role", "manager", "--entity", "N"],
            &format!("{PASSWORD}\n"),
        );
        assert!(added.status.success(), "{}", text(&added.stderr));
        let server = Server::start(&ws);
        let cookies: Vec<(&str, String)> = ["dora", "mia", "ray", "hana", "nils"]
            .into_iter()
            .map(|login| (login, signed_in(&server, login)))
            .collect();
        let as_user = |login: &str| {
            let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
            Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
        };
        let (dora, mia, ray, hana, nils) =
            (as_user("dora"), as_user("mia"), as_user("ray"), as_user("hana"), as_user("nils"));

        // Writing: the rep's manager; not the rep, not HR; nobody outside the scope.
        let create = "/api/v1/entities/R1/plans";
        assert_eq!(ray.post(create, json!({ "toml": PLAN })).0, 403);
        assert_eq!(hana.post(create, json!({ "toml": PLAN })).0, 403);
        assert_eq!(nils.post(create, json!({ "toml": PLAN })).0, 404);
        let (status, bad) = mia.post(create, json!({ "toml": PLAN.replace("target_level = 4", "target_level = 7") }));
        assert_eq!((status, bad["code"].as_str()), (422, Some("bad_plan")), "{bad}");
        assert!(bad["message"].as_str().unwrap().contains("items[1].target_level = 7: a level is 1 to 5"), "{bad}");
        let (status, plan) = mia.post(create, json!({ "toml": PLAN }));
        assert_eq!((status, plan["state"].as_str()), (201, Some("draft")), "{plan}");
        let id = plan["id"].as_i64().unwrap();
        let (path, steps, checkins) = (
            format!("/api/v1/plans/{id}"),
            format!("/api/v1/plans/{id}/steps"),
            format!("/api/v1/plans/{id}/checkins"),
        );

        // Out of scope: 404 for everything about it, as if it did not exist.
        for asked in [path.clone(), format!("{path}/effect")] {
            assert_eq!(nils.get(&asked).0, 404, "{asked}");
        }
        assert_eq!(nils.post(&steps, json!({ "step": "agree" })).0, 404);
        assert_eq!(nils.post(&checkins, json!({ "item": 1, "level": 3, "note": "x" })).0, 404);
        assert_eq!(read(nils.request("GET", &format!("/plans/{id}")).call()).0, 404);
        assert_eq!(nils.get("/api/v1/plans").1["plans"], json!([]));
        assert_eq!(nils.get("/api/v1/entities/R1/plans").0, 404);

        // The rep sees the draft to agree to it; HR reads and takes no step.
        assert_eq!(ray.get(&path).1["state"], "draft");
        assert_eq!(hana.get(&path).0, 200);
        assert_eq!(hana.post(&steps, json!({ "step": "agree" })).0, 403);
        assert_eq!(ray.post(&steps, json!({ "step": "cancel", "text": "no" })).0, 403, "the manager's step");
        let agreed = ray.post(&steps, json!({ "step": "agree" })).1;
        assert_eq!((agreed["state"].as_str(), agreed["agreed"]["rep"].as_bool()), (Some("draft"), Some(true)));
        assert_eq!(mia.post(&steps, json!({ "step": "agree" })).1["state"], "active");
        let (status, refused) = mia.post(&checkins, json!({ "item": 1, "level": 9, "note": "x" }));
        assert_eq!((status, refused["code"].as_str()), (409, Some("refused")));
        assert_eq!(hana.post(&checkins, json!({ "item": 1, "level": 3, "note": "x" })).0, 403);
        let checked = ray.post(&checkins, json!({ "item": 1, "level": 3, "note": "两次陪访" })).1;
        assert_eq!(checked["checkins"][0]["level"], 3);

        // Its evaluation date (2026-06-30) has passed: overdue on the manager's overview and list.
        let listed = mia.get("/api/v1/plans").1;
        assert_eq!(listed["plans"][0]["overdue"], json!([1]), "{listed}");
        let (status, overview) = read(mia.request("GET", "/?period=2026-Q3").call());
        assert!(status == 200 && overview.contains("overdue-plans") && overview.contains("张三"), "{status}");
        // The effect: R1 is the only senior, so the group is empty and says so.
        let effect = dora.get(&format!("{path}/effect")).1;
        let item = &effect["items"][0];
        assert_eq!(
            (item["before"]["period"].as_str(), item["after"]["period"].as_str()),
            (Some("2026-Q1"), Some("2026-Q2"))
        );
        assert_eq!((item["comparison"]["rep_ids"].clone(), item["effect"].clone()), (json!([]), Value::Null));
        assert!(item["note"].as_str().unwrap().contains("has 0 reps: too few"), "{effect}");
        let (status, page) = read(ray.request("GET", &format!("/plans/{id}")).call());
        assert!(status == 200 && page.contains("新客户开发") && page.contains("plan-effect"), "{status}");

        // Its report, for those who may see it.
        let report = |call: &Call, format: &str| {
            let response = call.request("GET", &format!("/plans/{id}/export/{format}")).call();
            match response {
                Ok(r) => (r.status(), r.header("content-type").unwrap_or("").to_owned()),
                Err(ureq::Error::Status(status, _)) => (status, String::new()),
                Err(error) => panic!("{error}"),
            }
        };
        assert_eq!(report(&ray, "pdf"), (200, "application/pdf".to_owned()));
        assert_eq!(report(&hana, "xlsx").0, 200);
        assert_eq!(report(&nils, "pdf").0, 404);
        assert_eq!(report(&mia, "doc").0, 400);
        // The quarter's review: the rep's own, HR's reading; 404 outside the scope.
        let review = "/api/v1/entities/R1/review?period=2025-Q3&lang=en";
        let months: Vec<Value> = ray.get(review).1["months"].as_array().unwrap().clone();
        assert_eq!(
            months.iter().map(|m| m["period"].as_str().unwrap()).collect::<Vec<_>>(),
            ["2025-07", "2025-08", "2025-09"]
        );
        assert_eq!(hana.get(review).0, 200);
        assert_eq!(nils.get(review).0, 404);
        let (status, page) = read(ray.request("GET", "/entity/R1?period=2025-Q3").call());
        assert!(status == 200 && page.contains("id=\"review\""), "{status}");

        // The manager ends it; a page form writes another.
        assert_eq!(mia.post(&steps, json!({ "step": "complete" })).1["state"], "completed");
        let (status, _) = mia.form("/entity/R1/plans", &[("toml", PLAN)]);
        assert!(status == 200 || status == 303, "{status}");
        assert_eq!(dora.get("/api/v1/entities/R1/plans").1.as_array().unwrap().len(), 2);
        drop(server);
        let log: Value = serde_json::from_str(&ok(&["audit", "-w", &ws, "--format", "json"], 0)).unwrap();
        let trail: Vec<(&str, &str)> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["object"] == format!("plan {id}").as_str())
            .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap()))
            .collect();
        assert_eq!(
            trail,
            [("mia", "plan.create"), ("ray", "plan.agree"), ("mia", "plan.agree"), ("mia", "plan.complete")]
        );
    }
}
