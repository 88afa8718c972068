//! Feedback drafts and their conversation (SPEC §15.5) through the real
//! binary on the demo company: every draft, in both languages, cites only
//! numbers the evaluation computed (read back from the text, and each cited
//! value checked against `yeji evaluate` and a median computed here), and an
//! item goes draft → sent → disputed → closed with every step audited.

mod common;

use common::{json, ok, run, text};
use serde_json::Value;
use yeji_feedback::{Draft, SectionKind, What};

const PERIOD: &str = "2026-Q3";

fn demo() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("demo").display().to_string();
    ok(&["demo", "--no-serve", "-w", &ws, "--reps", "24"], 0);
    (dir, ws)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 { values[n / 2] } else { (values[n / 2 - 1] + values[n / 2]) / 2.0 }
}

#[test]
fn every_demo_draft_is_grounded_in_both_languages() {
    let (_dir, ws) = demo();
    let evaluation = json(&["evaluate", "-w", &ws, "--period", PERIOD, "--format", "json"]);
    let reps: Vec<&Value> = evaluation["results"].as_array().unwrap().iter().filter(|r| r["level"] == "rep").collect();
    // The rep's value in a slice, from `yeji evaluate --by`.
    let slices: Vec<(&str, Value)> = ["product_line", "channel", "segment"]
        .into_iter()
        .map(|by| (by, json(&["evaluate", "-w", &ws, "--period", PERIOD, "--by", by, "--format", "json"])))
        .collect();
    let in_slice = |slice: &str, rep: &str, kpi: &str| -> Option<f64> {
        let (by, key) = slice.split_once('=').unwrap();
        let evaluations = &slices.iter().find(|(b, _)| *b == by).unwrap().1;
        let evaluation = evaluations.as_array()?.iter().find(|e| e["slice"]["key"] == key)?;
        let result = evaluation["results"].as_array()?.iter().find(|r| r["level"] == "rep" && r["id"] == rep)?;
        result["kpis"][kpi]["value"].as_f64()
    };
    let mut sliced_cites = 0;
    let kpi = |rep: &str, kpi: &str, field: &str| -> Option<f64> {
        reps.iter().find(|r| r["id"] == rep)?["kpis"][kpi][field].as_f64()
    };
    for lang in ["zh", "en"] {
        let drafts: Vec<Draft> = serde_json::from_value(json(&[
            "feedback", "draft", "-w", &ws, "--period", PERIOD, "--unit", "HQ", "--lang", lang, "--format", "json",
        ]))
        .unwrap();
        assert_eq!(drafts.len(), reps.iter().filter(|r| r["score"].is_number()).count(), "one per scored rep");
        for draft in &drafts {
            assert_eq!(yeji_feedback::ungrounded(draft), Vec::<String>::new(), "{lang} {}", draft.rep_id);
            let kinds: Vec<SectionKind> = draft.sections.iter().map(|s| s.kind).collect();
            assert_eq!(kinds, [SectionKind::Recognition, SectionKind::Improvement, SectionKind::Actions]);
            assert!(!draft.sections[0].points.is_empty(), "recognition first, for everyone: {}", draft.rep_id);
            for cite in draft.sections.iter().flat_map(|s| &s.points).flat_map(|p| &p.cites) {
                if let Some(slice) = &cite.slice {
                    let expected = in_slice(slice, &draft.rep_id, &cite.kpi).expect("the slice's value");
                    let close = (cite.value - expected).abs() <= 1e-9 * expected.abs().max(1.0);
                    assert!(close, "{} {slice} {}: {} vs {expected}", draft.rep_id, cite.kpi, cite.value);
                    sliced_cites += 1;
                    continue;
                }
                let expected = match cite.what {
                    What::Value if cite.kpi == "score" => {
                        reps.iter().find(|r| r["id"] == draft.rep_id.as_str()).unwrap()["score"].as_f64()
                    }
                    What::Value => kpi(&draft.rep_id, &cite.kpi, "value"),
                    What::Target => kpi(&draft.rep_id, &cite.kpi, "target"),
                    What::PeerMedian => Some(median(
                        reps.iter()
                            .filter(|r| r["score"].is_number())
                            .filter_map(|r| r["kpis"][&cite.kpi]["value"].as_f64())
                            .collect(),
                    )),
                    _ => continue,
                };
                assert_eq!(Some(cite.value), expected, "{} {} {:?}", draft.rep_id, cite.kpi, cite.what);
            }
        }
    }
    assert!(sliced_cites >= 2 * 20, "every rep's business, in both languages: {sliced_cites}");
    // The weakest rep's draft: what to improve, each with an action naming its KPI.
    let weakest = reps.iter().filter(|r| r["rank"].is_number()).max_by_key(|r| r["rank"].as_u64()).unwrap();
    let id = weakest["id"].as_str().unwrap();
    let draft: Draft = serde_json::from_value(json(&[
        "feedback", "draft", "-w", &ws, "--period", PERIOD, "--rep", id, "--format", "json",
    ]))
    .unwrap();
    let improve: Vec<&str> = draft.sections[1].points.iter().filter_map(|p| p.kpi.as_deref()).collect();
    let act: Vec<&str> = draft.sections[2].points.iter().filter_map(|p| p.kpi.as_deref()).collect();
    assert!(!improve.is_empty(), "a D rep has something to improve");
    for kpi in &improve {
        assert!(act.contains(kpi), "an action for {kpi}: {act:?}");
    }
    assert!(
        draft.sections[1].points[0].text.contains("目标") || draft.sections[1].points[0].text.contains("同组中位数")
    );
}

#[test]
fn an_item_is_sent_disputed_and_closed_and_every_step_is_audited() {
    let (_dir, ws) = demo();
    let saved = ok(&["feedback", "draft", "-w", &ws, "--period", PERIOD, "--rep", "R003", "--save"], 0);
    let id = saved.lines().last().unwrap().trim().to_owned();
    assert!(
        saved.contains("## 正面肯定") && saved.contains("## 需要改进") && saved.contains("## 下一步行动"),
        "{saved}"
    );
    let refused = run(&["feedback", "ack", "-w", &ws, &id]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("only a sent item"), "{}", text(&refused.stderr));
    assert_eq!(ok(&["feedback", "send", "-w", &ws, &id], 0).trim(), format!("feedback {id} is sent"));
    let no_reason = run(&["feedback", "dispute", "-w", &ws, &id]);
    assert!(text(&no_reason.stderr).contains("needs the reason"), "{}", text(&no_reason.stderr));
    ok(&["feedback", "dispute", "-w", &ws, &id, "--text", "两笔退货不是我的客户"], 0);
    ok(&["feedback", "meeting", "-w", &ws, &id, "--text", "2026-10-12 与李主管面谈：核对退货归属"], 0);
    ok(&["feedback", "close", "-w", &ws, &id], 0);
    let late = run(&["feedback", "comment", "-w", &ws, &id, "--text", "late"]);
    assert!(text(&late.stderr).contains("closed"), "{}", text(&late.stderr));
    let item = json(&["feedback", "show", "-w", &ws, &id, "--format", "json"]);
    assert_eq!(item["state"], "closed");
    let steps: Vec<&str> = item["events"].as_array().unwrap().iter().map(|e| e["step"].as_str().unwrap()).collect();
    assert_eq!(steps, ["send", "dispute", "meeting", "close"]);
    assert_eq!(item["events"][1]["text"], "两笔退货不是我的客户");
    let log = json(&["audit", "-w", &ws, "--format", "json"]);
    let actions: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["object"] == format!("feedback {id}").as_str())
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["feedback.draft", "feedback.send", "feedback.dispute", "feedback.meeting", "feedback.close"]);
}

#[test]
fn every_demo_review_cites_each_month_as_that_month_evaluated() {
    let (_dir, ws) = demo();
    let months = ["2026-07", "2026-08", "2026-09"];
    let evaluations: Vec<Value> =
        months.iter().map(|m| json(&["evaluate", "-w", &ws, "--period", m, "--format", "json"])).collect();
    let of = |month: &str, rep: &str| -> Value {
        let evaluation = &evaluations[months.iter().position(|m| *m == month).unwrap()];
        let results = evaluation["results"].as_array().unwrap();
        results.iter().find(|r| r["level"] == "rep" && r["id"] == rep).unwrap().clone()
    };
    for lang in ["zh", "en"] {
        let reviews: Vec<yeji_feedback::Review> = serde_json::from_value(json(&[
            "feedback", "review", "-w", &ws, "--period", PERIOD, "--unit", "HQ", "--lang", lang, "--format", "json",
        ]))
        .unwrap();
        assert!(reviews.len() >= 20, "every rep of the demo: {}", reviews.len());
        for review in &reviews {
            assert_eq!(yeji_feedback::ungrounded_points(&review.points), Vec::<String>::new(), "{}", review.rep_id);
            assert_eq!(review.months.iter().map(|m| m.period.as_str()).collect::<Vec<_>>(), months);
            for cite in review.points.iter().flat_map(|p| &p.cites) {
                let month = cite.period.as_deref().expect("a review's cites name their month");
                let result = of(month, &review.rep_id);
                let expected = match (cite.kpi.as_str(), cite.what) {
                    ("score", What::Value) => result["score"].as_f64(),
                    (kpi, What::Value) => result["kpis"][kpi]["value"].as_f64(),
                    (kpi, What::Target) => result["kpis"][kpi]["target"].as_f64(),
                    other => panic!("a review cites values and targets only: {other:?}"),
                };
                assert_eq!(Some(cite.value), expected, "{} {month} {} {:?}", review.rep_id, cite.kpi, cite.what);
            }
            for (month, row) in months.iter().zip(&review.months) {
                assert_eq!(row.score, of(month, &review.rep_id)["score"].as_f64(), "the table too");
            }
        }
    }
    let one_month = run(&["feedback", "review", "-w", &ws, "--period", "2026-09", "--rep", "R003"]);
    assert!(text(&one_month.stderr).contains("a review summarises the months"), "{}", text(&one_month.stderr));
}
