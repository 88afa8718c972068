//! Improvement plans (SPEC §11, §15.5) through the real binary on the demo
//! company: a plan from a file, agreed by both sides, check-ins, its end, and
//! its effect, recomputed here from `yeji evaluate` and the demo's reps.csv
//! (the comparison group: reps of the same level at the plan's start,
//! without a plan); a plan drafted from a feedback item.

mod common;

use std::collections::BTreeMap;

use common::{json, ok, run, text};

const PLAN: &str = r#"
[plan]
rep_id = "R003"
kind = "pip"
start = "2026-04-01"
[[items]]
item = "新客户开发"
current_level = 2
target_level = 4
reason = "新客户开发率低于目标"
measures = "陪同优秀销售拜访；新客户开发培训"
resources = "培训预算 3000 元"
evaluation_date = "2026-09-30"
kpi = "new_customer_rate"
goal = 0.20
[[items]]
item = "产品知识"
current_level = 4
target_level = 5
evaluation_date = "2026-06-30"
"#;

/// Each rep's level on `day`, from the rows of reps.csv in force then.
fn levels_on(reps_csv: &str, day: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut lines = reps_csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let column = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (id, level, from) = (column("rep_id"), column("level"), column("effective_from"));
    let mut rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    rows.sort_by_key(|r| r[from]);
    for row in rows.iter().filter(|r| r[from] <= day) {
        out.insert(row[id].to_owned(), row[level].to_owned());
    }
    out
}

#[test]
fn a_plan_is_checked_in_and_its_effect_measured_against_its_peers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let file = dir.path().join("plan.toml");
    std::fs::write(&file, PLAN).unwrap();
    let file = file.display().to_string();

    let wrong = run(&["plan", "create", "-w", &ws, "--rep", "R001", "--file", &file]);
    assert!(text(&wrong.stderr).contains("the plan is for rep_id 'R003', not --rep R001"), "{}", text(&wrong.stderr));
    let nobody = dir.path().join("nobody.toml");
    std::fs::write(&nobody, PLAN.replace("R003", "R999")).unwrap();
    let refused = run(&["plan", "create", "-w", &ws, "--rep", "R999", "--file", nobody.to_str().unwrap()]);
    assert!(text(&refused.stderr).contains("rep_id 'R999': no rep of that id"), "{}", text(&refused.stderr));

    // Before the rep was hired: refused.
    let early = dir.path().join("early.toml");
    std::fs::write(&early, PLAN.replace("2026-04-01", "2001-01-01")).unwrap();
    let refused = run(&["plan", "create", "-w", &ws, "--rep", "R003", "--file", early.to_str().unwrap()]);
    assert!(
        text(&refused.stderr).contains("rep_id 'R003': hired on 20")
            && text(&refused.stderr).contains("after the plan's start 2001-01-01"),
        "{}",
        text(&refused.stderr)
    );

    let created = ok(&["plan", "create", "-w", &ws, "--rep", "R003", "--file", &file], 0);
    let id = created.lines().last().unwrap().trim().to_owned();
    let checkin = ["plan", "checkin", "-w", &ws, &id, "--item", "1", "--level", "3", "--note", "两次陪访，完成培训"];
    let early = run(&checkin);
    assert!(text(&early.stderr).contains("is draft: check-ins are for a running plan"), "{}", text(&early.stderr));
    assert!(
        ok(&["plan", "agree", "-w", &ws, &id, "--as", "rep"], 0)
            .contains("is draft (rep agreed: yes, manager agreed: not yet)")
    );
    let twice = run(&["plan", "agree", "-w", &ws, &id, "--as", "rep"]);
    assert!(text(&twice.stderr).contains("this side has agreed already"), "{}", text(&twice.stderr));
    assert!(ok(&["plan", "agree", "-w", &ws, &id, "--as", "manager"], 0).contains("is active"));
    ok(&checkin, 0);
    let bad = run(&["plan", "checkin", "-w", &ws, &id, "--item", "3", "--level", "3", "--note", "x"]);
    assert!(text(&bad.stderr).contains("has items 1 to 2: no item 3"), "{}", text(&bad.stderr));

    let effect = json(&["plan", "effect", "-w", &ws, &id, "--format", "json"]);
    assert_eq!(effect["items"].as_array().unwrap().len(), 1, "only the item linked to a KPI");
    let item = &effect["items"][0];
    assert_eq!(
        (item["before"]["period"].as_str(), item["after"]["period"].as_str()),
        (Some("2026-Q1"), Some("2026-Q3"))
    );

    // The same effect, by hand from the evaluations and reps.csv.
    let reps_csv = std::fs::read_to_string(format!("{ws}/demo-data/reps.csv")).unwrap();
    let levels = levels_on(&reps_csv, "2026-04-01");
    let group: Vec<&String> =
        levels.iter().filter(|(r, l)| *r != "R003" && **l == levels["R003"]).map(|(r, _)| r).collect();
    let rate = |period: &str| -> BTreeMap<String, f64> {
        let evaluation = json(&["evaluate", "-w", &ws, "--period", period, "--format", "json"]);
        evaluation["results"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["level"] == "rep")
            .filter_map(|r| Some((r["id"].as_str()?.to_owned(), r["kpis"]["new_customer_rate"]["value"].as_f64()?)))
            .collect()
    };
    let (before, after) = (rate("2026-Q1"), rate("2026-Q3"));
    let mean = |values: &BTreeMap<String, f64>| {
        let present: Vec<f64> = group.iter().filter_map(|r| values.get(*r).copied()).collect();
        present.iter().sum::<f64>() / present.len() as f64
    };
    let expected = (after["R003"] - before["R003"]) - (mean(&after) - mean(&before));
    let listed: Vec<&str> =
        item["comparison"]["rep_ids"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(listed, group.iter().map(|r| r.as_str()).collect::<Vec<_>>());
    assert!(group.len() >= 3, "the demo has enough reps of each level: {group:?}");
    assert!((item["effect"].as_f64().unwrap() - expected).abs() < 1e-12, "{} vs {expected}", item["effect"]);
    assert_eq!(item["before"]["value"].as_f64(), Some(before["R003"]));

    let log = json(&["audit", "-w", &ws, "--format", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .filter(|a| a.starts_with("plan."))
        .collect();
    assert_eq!(actions, ["plan.create", "plan.agree", "plan.agree", "plan.checkin"]);

    // A PIP ends passed or failed, with the note; then it takes nothing more.
    let complete = run(&["plan", "complete", "-w", &ws, &id]);
    assert!(text(&complete.stderr).contains("a PIP ends passed or failed"), "{}", text(&complete.stderr));
    let bare = run(&["plan", "fail", "-w", &ws, &id]);
    assert!(text(&bare.stderr).contains("needs the note"), "{}", text(&bare.stderr));
    assert!(ok(&["plan", "pass", "-w", &ws, &id, "--note", "新客户开发率达标"], 0).contains("is passed"));
    let late = run(&checkin);
    assert!(
        text(&late.stderr).contains("the plan is over") || text(&late.stderr).contains("is passed"),
        "{}",
        text(&late.stderr)
    );
    let shown = json(&["plan", "show", "-w", &ws, &id, "--format", "json"]);
    assert_eq!(shown["state"], "passed");
    assert_eq!(shown["checkins"][0]["level"], 3);
    let steps: Vec<(&str, &str)> = shown["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["step"].as_str().unwrap(), e["side"].as_str().unwrap()))
        .collect();
    assert_eq!(steps, [("agree", "rep"), ("agree", "manager"), ("pass", "manager")]);
}

#[test]
fn a_plan_drafted_from_feedback_has_an_item_per_point_to_improve() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let saved =
        ok(&["feedback", "draft", "-w", &ws, "--period", "2026-Q3", "--rep", "R003", "--save", "--format", "json"], 0);
    let feedback_id = saved.lines().last().unwrap().trim().to_owned();
    let item = json(&["feedback", "show", "-w", &ws, &feedback_id, "--format", "json"]);
    let section = |kind: &str| -> Vec<serde_json::Value> {
        item["draft"]["sections"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["kind"] == kind)
            .flat_map(|s| s["points"].as_array().unwrap().clone())
            .collect()
    };
    let (improvements, action_points) = (section("improvement"), section("actions"));
    assert!(!improvements.is_empty(), "the demo's weakest rep has something to improve");

    let created =
        ok(&["plan", "create", "-w", &ws, "--rep", "R003", "--from-feedback", &feedback_id, "--kind", "pip"], 0);
    let id = created.lines().last().unwrap().trim().to_owned();
    let plan = json(&["plan", "show", "-w", &ws, &id, "--format", "json"]);
    assert_eq!((plan["plan"]["kind"].as_str(), plan["plan"]["start"].as_str()), (Some("pip"), Some("2026-10-01")));
    assert_eq!(plan["feedback_id"].to_string(), feedback_id);
    let items = plan["plan"]["items"].as_array().unwrap();
    assert_eq!(items.len(), improvements.len());
    for (item, point) in items.iter().zip(&improvements) {
        assert_eq!(item["reason"], point["text"], "the feedback's own sentence");
        assert_eq!(item["kpi"], point["kpi"]);
        assert_eq!(item["evaluation_date"], "2026-12-31");
        let cited = |what: &str| {
            point["cites"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["what"] == what && c["kpi"] == point["kpi"])
                .map(|c| c["value"].clone())
        };
        assert_eq!(Some(item["goal"].clone()), cited("target").or_else(|| cited("peer_median")));
        let actions: Vec<&str> =
            action_points.iter().filter(|a| a["kpi"] == point["kpi"]).map(|a| a["text"].as_str().unwrap()).collect();
        assert_eq!(item["measures"].as_str().unwrap(), actions.join("；"));
    }
    let wrong = run(&["plan", "create", "-w", &ws, "--rep", "R001", "--from-feedback", &feedback_id]);
    assert!(text(&wrong.stderr).contains("not --rep R001"), "{}", text(&wrong.stderr));
}

/// The text of a PDF as poppler reads it, spaces and line breaks removed
/// (lines are broken where the page is full).
fn pdf_text(path: &std::path::Path) -> String {
    let out =
        std::process::Command::new("pdftotext").arg(path).arg("-").output().expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout).split_whitespace().collect()
}

#[test]
fn feedback_and_plans_export_as_pdf_html_and_xlsx_with_their_chinese_and_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    let saved = ok(&["feedback", "draft", "-w", &ws, "--period", "2026-Q3", "--rep", "R003", "--save"], 0);
    let feedback_id = saved.lines().last().unwrap().trim().to_owned();
    let item = json(&["feedback", "show", "-w", &ws, &feedback_id, "--format", "json"]);
    let reps_csv = std::fs::read_to_string(format!("{ws}/demo-data/reps.csv")).unwrap();
    let name = reps_csv.lines().find(|l| l.starts_with("R003,")).unwrap().split(',').nth(1).unwrap().to_owned();
    let points: Vec<String> = item["draft"]["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["points"].as_array().unwrap().iter().map(|p| p["text"].as_str().unwrap().replace(' ', "")))
        .collect();

    let pdf = dir.path().join("feedback.pdf");
    ok(&["feedback", "show", "-w", &ws, &feedback_id, "--format", "pdf", "--out", pdf.to_str().unwrap()], 0);
    let read = pdf_text(&pdf);
    for expected in [format!("{name}(R003)"), "正面肯定".into(), "需要改进".into(), "下一步行动".into()] {
        assert!(read.contains(&expected), "{expected} in {read}");
    }
    for point in &points {
        assert!(read.contains(point.as_str()), "every sentence, numbers included: {point} in {read}");
    }

    let html = ok(&["feedback", "show", "-w", &ws, &feedback_id, "--format", "html"], 0);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains(&format!("<title>{name} (R003)")), "{html}");

    let created = ok(&["plan", "create", "-w", &ws, "--rep", "R003", "--from-feedback", &feedback_id], 0);
    let plan_id = created.lines().last().unwrap().trim().to_owned();
    let plan = json(&["plan", "show", "-w", &ws, &plan_id, "--format", "json"]);
    let pdf = dir.path().join("plan.pdf");
    ok(&["plan", "show", "-w", &ws, &plan_id, "--format", "pdf", "--out", pdf.to_str().unwrap()], 0);
    let read = pdf_text(&pdf);
    assert!(read.contains("个人发展计划"), "{read}");
    for item in plan["plan"]["items"].as_array().unwrap() {
        for (column, field) in [("有待发展项目", "item"), ("评估时间", "evaluation_date"), ("发展的原因", "reason")]
        {
            let cell = item[field].as_str().unwrap().replace(' ', "");
            assert!(
                read.contains(&format!("{column}：{cell}")) || (column == "有待发展项目" && read.contains(&cell)),
                "{column} {cell} in {read}"
            );
        }
    }

    let xlsx = dir.path().join("plan.xlsx");
    ok(&["plan", "show", "-w", &ws, &plan_id, "--format", "xlsx", "--lang", "en", "--out", xlsx.to_str().unwrap()], 0);
    use calamine::Reader;
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let cells: Vec<String> = sheet.rows().flat_map(|r| r.iter().map(|c| c.to_string())).collect();
    assert!(cells.iter().any(|c| c == "Development item"), "{cells:?}");
    let first = &plan["plan"]["items"][0];
    let row = sheet.rows().find(|r| r[0] == first["item"].as_str().unwrap()).expect("the first item's row");
    assert_eq!(row[1].to_string(), first["current_level"].to_string());
    assert_eq!(row[7].to_string(), first["evaluation_date"].as_str().unwrap());
}
