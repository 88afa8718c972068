//! End-to-end tests of the web app: the real `yeji serve` on a workspace
//! holding the `tiny` fixture, over real HTTP. The expected numbers are the
//! hand-computed ones of `cli.rs` (2026-Q3):
//!
//! - company revenue 3000 = region E 1800 (O1 800 + 1000, O2 400, RT1 −400)
//!   + region N 1200 (O3, after R2 moved to TN on 08-01);
//! - by month: July 2200 (O1, O2), August 1200 (O3), September −400 (RT1);
//! - R1 1400 (800 + 1000 − 400), R2 1600 (400 + 1200);
//! - the rows behind the company's revenue: O1/1, O1/2, O2/1, O3/1, RT1/1 (the
//!   cancelled O4 and October's O5 are not among them).

mod common;

use std::path::Path;
use std::process::Command;

use common::{Server, close, fixtures, read};
use serde_json::Value;

fn yeji(args: &[&str]) -> String {
    common::ok(args, 0)
}

/// Uploads `files` (name, content) as the imports form does.
fn upload(server: &Server, path: &str, files: &[(&str, &[u8])]) -> (u16, String) {
    let boundary = "yeji-test-boundary";
    let mut body = Vec::new();
    for (name, content) in files {
        body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{name}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes());
        body.extend(*content);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let response = ureq::post(&format!("{}{path}", server.base))
        .set("Content-Type", &format!("multipart/form-data; boundary={boundary}"))
        .set("Accept-Language", "en")
        .send_bytes(&body);
    read(response)
}

fn tiny_workspace() -> (tempfile::TempDir, String) {
    common::workspace_with(&fixtures().join("tiny"))
}

#[test]
fn the_api_gives_the_cli_numbers_and_the_hand_computed_ones() {
    let (_dir, ws) = tiny_workspace();
    // The evaluation is the CLI's, document for document. (The server holds
    // the workspace's lock: the CLI runs first.)
    let cli: Value =
        serde_json::from_str(&yeji(&["evaluate", "-w", &ws, "--period", "2026-Q3", "--format", "json"])).unwrap();
    let server = Server::start(&ws);
    assert_eq!(server.json("/api/v1/evaluation?period=2026-Q3"), cli);
    let reps = server.json("/api/v1/evaluation?period=2026-Q3&level=rep");
    let revenue = |id: &str| {
        reps["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()["kpis"]["revenue"]["value"].clone()
    };
    close(&revenue("R1"), 1400.0);
    close(&revenue("R2"), 1600.0);

    let overview = server.json("/api/v1/overview?period=2026-Q3");
    close(&overview["company"]["kpis"]["revenue"]["value"], 3000.0);
    let regions =
        &overview["breakdowns"].as_array().unwrap().iter().find(|b| b["dimension"] == "region").unwrap()["slices"];
    let slices: Vec<(&str, f64)> = regions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["key"].as_str().unwrap(), s["revenue"].as_f64().unwrap()))
        .collect();
    assert_eq!(slices, [("E", 1800.0), ("N", 1200.0)]);
    let trend = &overview["trend"];
    assert_eq!(trend["months"].as_array().unwrap().last().unwrap(), "2026-09");
    let last3: Vec<f64> = trend["revenue"].as_array().unwrap()[9..].iter().map(|v| v.as_f64().unwrap()).collect();
    assert_eq!(last3, [2200.0, 1200.0, -400.0]);
    assert_eq!(overview["previous_period"], "2026-Q2");

    // Score history: Q3 on the Q4 page is the CLI's Q3 score (read from the
    // workspace's evaluation cache), the last point the page's own period.
    let q4 = server.json("/api/v1/entities/R1?period=2026-Q4");
    let history = q4["history"].as_array().unwrap();
    let periods: Vec<&str> = history.iter().map(|h| h["period"].as_str().unwrap()).collect();
    assert_eq!(periods, ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    let cli_r1 = cli["results"].as_array().unwrap().iter().find(|r| r["id"] == "R1" && r["level"] == "rep").unwrap();
    assert!(cli_r1["score"].is_f64(), "R1 has a Q3 score");
    assert_eq!(history[2]["score"], cli_r1["score"]);
    assert_eq!(history[2]["rank"], cli_r1["rank"]);
    assert_eq!(history[3]["score"], q4["entity"]["score"]);

    // A rep's page: the path up the tree, and contributions that add up to the score.
    let rep = server.json("/api/v1/entities/R2?period=2026-Q3");
    let path: Vec<&str> = rep["path"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(path, ["HQ", "N", "TN"]);
    let contributions: f64 =
        rep["explanation"]["kpis"].as_array().unwrap().iter().filter_map(|k| k["contribution"].as_f64()).sum();
    match rep["entity"]["score"].as_f64() {
        Some(score) => assert!((contributions - score).abs() < 1e-9, "{contributions} != {score}"),
        None => assert_eq!(contributions, 0.0),
    }

    // The rows behind the company's revenue, and their sum.
    let rows = server.json("/api/v1/entities/HQ/kpis/revenue/rows?period=2026-Q3");
    assert_eq!(rows["total"], 5);
    let columns: Vec<&str> = rows["columns"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    let (id, amount) =
        (columns.iter().position(|c| *c == "order_id").unwrap(), columns.iter().position(|c| *c == "amount").unwrap());
    let lines: Vec<&str> = rows["rows"].as_array().unwrap().iter().map(|r| r[id].as_str().unwrap()).collect();
    assert_eq!(lines, ["O1", "O1", "O2", "O3", "RT1"]);
    let sum: f64 =
        rows["rows"].as_array().unwrap().iter().map(|r| r[amount].as_str().unwrap().parse::<f64>().unwrap()).sum();
    assert_eq!(sum, 3000.0);
    // Paged in natural-key order: the third page of two rows holds only RT1.
    let last = server.json("/api/v1/entities/HQ/kpis/revenue/rows?period=2026-Q3&page=3&page_size=2");
    assert_eq!((last["total"].as_u64(), last["rows"].as_array().unwrap().len()), (Some(5), 1));
    assert_eq!(last["rows"][0][id], "RT1");
    let (status, csv) = server.get("/entity/HQ/kpi/revenue/rows.csv?period=2026-Q3", "en");
    assert_eq!((status, csv.lines().count()), (200, 6), "{csv}");
}

#[test]
fn the_server_computes_the_score_history_at_start() {
    let (_dir, workspace) = tiny_workspace();
    let _server = Server::start(&workspace);
    // The default period is 2026-Q3 (October's O5 leaves Q4 incomplete); an
    // entity page's score history shows it and the three quarters before it,
    // which land in the evaluation cache (`<period>-<scheme key>.json`) before
    // any page is asked for.
    let cache = Path::new(&workspace).join("cache");
    let periods = || -> Vec<String> {
        let files = std::fs::read_dir(&cache).into_iter().flatten().flatten().flat_map(|data| {
            std::fs::read_dir(data.path()).into_iter().flatten().flatten().map(|file| file.file_name())
        });
        let mut periods: Vec<String> = files
            .filter_map(|name| name.to_str()?.strip_suffix(".json")?.rsplit_once('-').map(|(p, _)| p.to_owned()))
            .collect();
        periods.sort();
        periods
    };
    let expected = ["2025-Q4", "2026-Q1", "2026-Q2"];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while periods() != expected && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(periods(), expected);
}

#[test]
fn bad_requests_are_json_errors_with_4xx_codes() {
    let (_dir, ws) = tiny_workspace();
    let server = Server::start(&ws);
    let error = |path: &str| {
        let (status, body) = server.get(path, "en");
        let json: Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}"));
        (status, json["code"].as_str().unwrap().to_owned())
    };
    assert_eq!(error("/api/v1/overview?period=2026-Q5"), (400, "bad_period".into()));
    assert_eq!(error("/api/v1/evaluation?period=2026-02-30"), (400, "bad_period".into()));
    assert_eq!(error("/api/v1/evaluation?level=region"), (400, "bad_level".into()));
    assert_eq!(error("/api/v1/entities/NOPE?period=2026-Q3"), (404, "unknown_entity".into()));
    assert_eq!(error("/api/v1/entities/R1/kpis/nope/rows?period=2026-Q3"), (404, "unknown_kpi".into()));
    assert_eq!(error("/api/v1/entities/R1/kpis/revenue/rows?page_size=0"), (400, "bad_page_size".into()));
    assert_eq!(error("/api/v1/compare?ids="), (400, "bad_ids".into()));
    assert_eq!(error("/api/v1/no/such/thing"), (404, "not_found".into()));
    // axum's own rejections answer the same JSON body.
    assert_eq!(error("/api/v1/compare"), (400, "bad_query".into()), "ids missing");
    assert_eq!(error("/api/v1/entities/R1/kpis/revenue/rows?page=abc"), (400, "bad_query".into()));
    let revert = |id: &str| {
        let (status, body) = read(ureq::post(&format!("{}/api/v1/batches/{id}/revert", server.base)).call());
        (status, serde_json::from_str::<Value>(&body).unwrap()["code"].as_str().unwrap().to_owned())
    };
    assert_eq!(revert("99999999999999999999"), (400, "bad_path".into()), "past i64");
    assert_eq!(revert("7"), (404, "unknown_batch".into()));
    // Pages answer the same errors as pages, in the asked language.
    let (status, page) = server.get("/entity/NOPE?period=2026-Q3", "zh-CN,zh;q=0.9");
    assert_eq!(status, 404);
    assert!(page.contains("出错了") && page.contains("no rep or unit 'NOPE'"), "{page}");
    let (status, page) = server.get("/no/such/page", "en");
    assert_eq!(status, 404);
    assert!(page.contains("no page /no/such/page") && page.contains("<html"), "{page}");
    let openapi = server.json("/api/v1/openapi.json");
    assert!(openapi["paths"]["/api/v1/overview"]["get"].is_object());
    assert!(openapi["components"]["schemas"]["Overview"].is_object());
    for (path, statuses) in [("/api/v1/overview", ["200", "400", "500"]), ("/api/v1/compare", ["200", "400", "404"])] {
        let documented = &openapi["paths"][path]["get"]["responses"];
        assert!(statuses.iter().all(|s| documented[s].is_object()), "{path}: {documented}");
    }
}

/// Every period kind serves the dashboard and the API; a year's growth is
/// against the year before (the `measures` fixture: 3300 against 1700).
#[test]
fn every_period_kind_serves_pages_and_the_api() {
    let (_dir, ws) = common::workspace_with(&common::measures_fixture());
    let server = Server::start(&ws);
    for period in ["2026", "2026-01..2026-12", "FY2026", "2026-H2", "2026-W28", "2026-09", "2026-Q3"] {
        let overview = server.json(&format!("/api/v1/overview?period={period}"));
        assert_eq!(overview["period"], period);
        let (status, page) = server.get(&format!("/?period={period}"), "en");
        assert_eq!(status, 200, "{period}: {page}");
        let (status, _) = server.get(&format!("/entity/darcel_schlecht?period={period}"), "en");
        assert_eq!(status, 200, "{period}: the rep page, by its id as imported");
    }
    let year = server.json("/api/v1/overview?period=2026");
    close(&year["company"]["kpis"]["revenue_yoy"]["value"], 3300.0 / 1700.0 - 1.0);
    close(&year["company"]["kpis"]["revenue_pop"]["value"], 3300.0 / 1700.0 - 1.0);
    // The same period a year earlier has no data before 2025-02: no point, not 0.
    let last_year = year["trend"]["revenue_last_year"].as_array().unwrap();
    assert_eq!(last_year[0], Value::Null, "2025-01: before the data");
    close(&last_year[1], 200.0);
    close(&last_year[2], 0.0);
    // The peer percentile follows the KPI's direction: darcel_schlecht spends
    // less per revenue (0.10 against R1's 0.15), so it does better than its peer.
    let darcel = server.json("/api/v1/entities/darcel_schlecht?period=2026-Q3");
    close(&darcel["percentiles"]["expense_ratio"], 100.0);
    close(&darcel["percentiles"]["revenue"], 0.0);
    // The dashboard's funnel is the funnel the KPIs divide (opportunities created in Q3).
    let quarter = server.json("/api/v1/overview?period=2026-Q3");
    let funnel = &quarter["funnel"];
    let stages: Vec<i64> = ["created", "qualified", "proposal", "negotiation", "won"]
        .iter()
        .map(|s| funnel[s].as_i64().unwrap())
        .collect();
    assert_eq!(stages, [6, 4, 3, 2, 2]);
    close(&quarter["company"]["kpis"]["stage_conversion_won"]["value"], 1.0);
}

/// A failure of the server answers a generic message and a request id; the
/// detail (here a query on a vanished fact file) goes to the log only.
#[test]
fn a_server_failure_answers_a_request_id_and_keeps_the_detail_in_the_log() {
    let (_dir, ws) = tiny_workspace();
    let server = Server::start(&ws);
    for file in std::fs::read_dir(Path::new(&ws).join("facts/orders")).unwrap() {
        std::fs::remove_file(file.unwrap().path()).unwrap();
    }
    let (status, body) = server.answer("/api/v1/overview?period=2026-Q2");
    assert_eq!(status, 500);
    assert_eq!(body["code"], "internal");
    let id = body["request_id"].as_str().unwrap();
    assert!(body["message"].as_str().unwrap().contains(id));
    let said = body.to_string();
    assert!(!said.contains("SELECT") && !said.contains("parquet") && !said.contains("facts/"), "{said}");
}

/// The scored fixture by hand. At the end of 2026-Q3 (30 Sep) R1 owes 500 on
/// I4 (due 31 May: 122 days) and 800 of I1's 1800 (due 4 Aug: 57 days; 1000
/// paid 1 Aug, the rest only on 15 Oct): 1300, the `overdue_amount` KPI. In
/// 2026-Q4 R2 has lost K2, who bought 400 + 1200 from it in Q3; R1 kept K1.
#[test]
fn a_rep_page_lists_its_overdue_invoices_and_lost_customers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws").display().to_string();
    yeji(&["init", "-w", &ws]);
    yeji(&["import", "-w", &ws, fixtures().join("scored").to_str().unwrap()]);
    let server = Server::start(&ws);
    let r1 = server.json("/api/v1/entities/R1?period=2026-Q3");
    let overdue: Vec<(&str, i64, f64)> = r1["customers"]["overdue"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (i["invoice_id"].as_str().unwrap(), i["days_overdue"].as_i64().unwrap(), i["unpaid"].as_f64().unwrap())
        })
        .collect();
    assert_eq!(overdue, [("I4", 122, 500.0), ("I1", 57, 800.0)]);
    close(&r1["entity"]["kpis"]["overdue_amount"]["value"], 1300.0);
    let r2 = server.json("/api/v1/entities/R2?period=2026-Q4");
    let lost = &r2["customers"]["lost"];
    assert_eq!(lost.as_array().unwrap().len(), 1, "{lost}");
    assert_eq!((lost[0]["customer_id"].as_str(), lost[0]["previous_revenue"].as_f64()), (Some("K2"), Some(1600.0)));
    close(&r2["entity"]["kpis"]["retention_rate"]["value"], 0.0);
    assert_eq!(server.json("/api/v1/entities/R1?period=2026-Q4")["customers"]["lost"], serde_json::json!([]));
    let (status, page) = server.get("/entity/R1?period=2026-Q3", "zh-CN");
    assert_eq!(status, 200);
    assert!(page.contains("逾期应收 (逾期超过 30 天) (2)") && page.contains(">122<"), "{page}");
}

/// A saved scheme with a formula KPI: its name, unit and value on every page
/// (R1: 1400 revenue × 1220/1400 margin = 1,220 gross profit).
#[test]
fn pages_show_the_formula_kpis_of_the_current_scheme() {
    let (dir, ws) = tiny_workspace();
    let scheme = dir.path().join("profit.toml");
    std::fs::write(
        &scheme,
        "name = \"profit\"\n[[kpis]]\nkpi = \"gross_profit\"\nweight = 100\nrule = \"percentile\"\n\
         [[formulas]]\nid = \"gross_profit\"\nname_zh = \"毛利额\"\nname_en = \"Gross profit\"\n\
         formula = \"revenue * gross_margin\"\nunit = \"money\"\n",
    )
    .unwrap();
    yeji(&["scheme", "import", "-w", &ws, scheme.to_str().unwrap()]);
    let server = Server::start(&ws);
    for (path, language, name) in [
        ("/?period=2026-Q3", "en", "Gross profit"),
        ("/entity/TE?period=2026-Q3", "zh-CN", "毛利额"),
        ("/entity/R1?period=2026-Q3", "en", "Gross profit"),
    ] {
        let (status, page) = server.get(path, language);
        assert_eq!(status, 200, "{path}: {page}");
        assert!(page.contains(name), "{path} names the formula KPI");
        assert!(page.contains(">1,220<"), "{path} shows R1's gross profit as money");
    }
    // Its rows are revenue's: R1's three lines of the quarter (O1 twice, RT1).
    assert_eq!(server.json("/api/v1/entities/R1/kpis/gross_profit/rows?period=2026-Q3")["total"], 3);
    let (status, page) = server.get("/entity/R1/kpi/gross_profit?period=2026-Q3", "en");
    assert_eq!(status, 200, "{page}");
    let explained = server.json("/api/v1/entities/R1/explain?period=2026-Q3&kpi=gross_profit");
    assert_eq!(explained["kpis"][0]["unit"], "money");
    close(&explained["kpis"][0]["value"], 1220.0);
}

#[test]
fn pages_follow_the_language_and_escape_names() {
    let (_dir, ws) = tiny_workspace();
    let server = Server::start(&ws);
    let (status, zh) = server.get("/?period=2026-Q3", "zh-CN,zh;q=0.9,en;q=0.8");
    assert_eq!(status, 200);
    assert!(zh.contains("<html lang=\"zh-CN\">") && zh.contains("区域销售额"), "{zh}");
    let (_, en) = server.get("/?period=2026-Q3", "en-US,en;q=0.9");
    assert!(en.contains("<html lang=\"en\">") && en.contains("Revenue by region"));
    // 3000 reads as 3,000 in English and in Chinese (under 1万).
    assert!(en.contains(">3,000<"), "the company's revenue card");

    // A rep renamed to a script tag: shown as text everywhere.
    let renamed = "rep_id,name,unit_id,manager_rep_id,hire_date,level,base_salary,active,effective_from\n\
                   R1,<script>alert(1)</script>,TE,,2020-01-01,lead,15000,true,\n";
    let (status, body) = upload(&server, "/api/v1/imports", &[("reps.csv", renamed.as_bytes())]);
    assert_eq!(status, 200, "{body}");
    let report: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(report["report"]["batch"], 2);
    for path in [
        "/?period=2026-Q3",
        "/entity/R1?period=2026-Q3",
        "/entity/TE?period=2026-Q3",
        "/compare?ids=R1,R2&period=2026-Q3",
    ] {
        let (status, page) = server.get(path, "en");
        assert_eq!(status, 200, "{path}");
        assert!(!page.contains("<script>alert(1)</script>"), "{path} prints the name as markup");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{path} shows the name");
    }
    // The evaluation sees the new name at once (the cache was cleared).
    let rep = server.json("/api/v1/entities/R1?period=2026-Q3");
    assert_eq!(rep["entity"]["name"], "<script>alert(1)</script>");
}

#[test]
fn an_upload_with_a_bad_row_lands_nothing_and_shows_the_rejects() {
    let (_dir, ws) = tiny_workspace();
    let server = Server::start(&ws);
    let bad = std::fs::read(fixtures().join("orders_bad.csv")).unwrap();
    let (status, page) = upload(&server, "/imports", &[("orders.csv", &bad)]);
    assert_eq!(status, 422);
    assert!(page.contains("Nothing was imported"), "{page}");
    assert!(page.contains("2026-02-30"), "the bad date is shown: {page}");
    let (status, body) = upload(&server, "/api/v1/imports", &[("orders.csv", &bad)]);
    assert_eq!(status, 422);
    assert_eq!(serde_json::from_str::<Value>(&body).unwrap()["code"], "rejected");
    let (status, body) = upload(&server, "/api/v1/imports", &[("notes.png", b"PNG")]);
    assert_eq!((status, serde_json::from_str::<Value>(&body).unwrap()["code"].as_str()), (400, Some("bad_file_type")));
    // Nothing landed: one batch, and the company's revenue is still 3000.
    assert_eq!(server.json("/api/v1/batches").as_array().unwrap().len(), 1);
    close(&server.json("/api/v1/overview?period=2026-Q3")["company"]["kpis"]["revenue"]["value"], 3000.0);

    // A good change lands, moves the numbers, and reverts exactly.
    let extra = "order_id,line_no,order_date,rep_id,customer_id,product_id,quantity,amount,cost,channel,status\n\
                 O9,1,2026-09-10,R1,K1,P1,1,500,100,offline,confirmed\n";
    let (status, body) = upload(&server, "/api/v1/imports", &[("orders.csv", extra.as_bytes())]);
    assert_eq!(status, 200, "{body}");
    close(&server.json("/api/v1/overview?period=2026-Q3")["company"]["kpis"]["revenue"]["value"], 3500.0);
    let (status, body) = read(ureq::post(&format!("{}/api/v1/batches/2/revert", server.base)).call());
    assert_eq!(status, 200, "{body}");
    close(&server.json("/api/v1/overview?period=2026-Q3")["company"]["kpis"]["revenue"]["value"], 3000.0);
}

#[test]
fn a_scheme_saved_on_the_page_is_the_next_version_and_scores_by_it() {
    let (_dir, ws) = tiny_workspace();
    let server = Server::start(&ws);
    let post = |path: &str, form: &[(&str, &str)]| {
        read(ureq::post(&format!("{}{path}", server.base)).set("Accept-Language", "en").send_form(form))
    };
    // The form lists the scheme's KPIs (`kpi`) with their fields by KPI id.
    let weights = [
        ("kpi", "revenue"),
        ("w_revenue", "40"),
        ("kpi", "gross_margin"),
        ("w_gross_margin", "10"),
        ("kpi", "collection_rate"),
        ("w_collection_rate", "20"),
        ("kpi", "new_customer_rate"),
        ("w_new_customer_rate", "15"),
        ("kpi", "satisfaction"),
        ("w_satisfaction", "15"),
    ];
    // The page shows rules by name and ratio targets as percentages.
    let (_, page) = server.get("/scheme", "en");
    assert!(page.contains("Ratio to target") && !page.contains(">ratio_to_target<"), "rule names, not ids");
    assert!(page.contains("name=\"t_gross_margin\" value=\"30\""), "0.30 shows as 30 %");
    // Weights that do not add up to 100 are refused with the reason.
    let mut bad = weights.to_vec();
    bad[1].1 = "50";
    let (status, page) = post("/scheme", &bad);
    assert_eq!(status, 422);
    assert!(page.contains("110"), "the sum is named: {page}");
    let (status, fragment) = post("/scheme/preview", &bad);
    assert_eq!(status, 200);
    assert!(fragment.contains("preview-error"));
    // Adding a KPI shows it unsaved, with the rule its direction needs;
    // removing one takes it off; neither saves.
    let (status, page) = post("/scheme", &[&weights[..], &[("action", "add"), ("add", "expense_ratio")]].concat());
    assert_eq!(status, 200);
    assert!(page.contains("data-kpi=\"expense_ratio\"") && page.contains("id=\"unsaved\""), "{page}");
    assert!(page.contains("<option value=\"lower_is_better\" selected>"), "expense_ratio is lower-is-better");
    let (_, page) = post("/scheme", &[&weights[..], &[("remove", "satisfaction")]].concat());
    assert!(!page.contains("data-kpi=\"satisfaction\"") && page.contains("data-kpi=\"revenue\""));
    assert_eq!(server.json("/api/v1/scheme")["version"], serde_json::Value::Null, "nothing saved yet");
    // A valid preview lists the reps, and saving makes version 1 current.
    let (_, fragment) =
        post("/scheme/preview", &[&weights[..], &[("period", "2026-Q3"), ("r_satisfaction", "percentile")]].concat());
    assert!(fragment.contains("data-id=\"R1\"") && fragment.contains("data-id=\"R2\""), "{fragment}");
    let form =
        [&weights[..], &[("r_gross_margin", "percentile"), ("t_collection_rate", "90"), ("action", "save")]].concat();
    let (status, _) = post("/scheme", &form);
    assert_eq!(status, 200, "saved, then back on the scheme page");
    let scheme = server.json("/api/v1/scheme");
    assert_eq!(scheme["version"], 1);
    let saved: Vec<(String, f64, String)> = scheme["scheme"]["kpis"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["kpi"].as_str().unwrap().to_owned(),
                k["weight"].as_f64().unwrap(),
                k["rule"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(saved[0], ("revenue".into(), 40.0, "ratio_to_target".into()));
    assert_eq!(saved[1], ("gross_margin".into(), 10.0, "percentile".into()));
    close(&scheme["scheme"]["kpis"][2]["default_target"], 0.9);
    // The evaluation now weighs by it.
    let evaluation = server.json("/api/v1/evaluation?period=2026-Q3&level=rep");
    close(&evaluation["results"][0]["kpis"]["gross_margin"]["weight"], 0.10);
    drop(server);
    let list = yeji(&["scheme", "list", "-w", &ws]);
    assert!(list.contains("current") && list.contains("local") && list.contains("revenue 40%"), "{list}");
}

/// Drives Debian's Chromium through the app on a demo workspace with
/// `tests/browser/e2e.mjs` (playwright-core): see that script for the steps.
/// Screenshots land in `$CARGO_TARGET_TMPDIR/screenshots`. Skipped, with a
/// note, where Chromium or the script's packages are missing, unless
/// `YEJI_BROWSER_TESTS=1` (as in CI) makes that a failure.
#[test]
fn the_app_works_in_a_real_browser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/browser");
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let missing: Vec<&str> = [
        (!Path::new(&chromium).exists()).then_some("chromium (apt install chromium)"),
        (!dir.join("node_modules/playwright-core").exists())
            .then_some("playwright-core (npm ci --prefix tests/browser)"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if !missing.is_empty() {
        assert!(std::env::var("YEJI_BROWSER_TESTS").is_err(), "browser tests need {missing:?}");
        eprintln!("skipped: the browser test needs {missing:?}");
        return;
    }
    let work = tempfile::tempdir().unwrap();
    let ws = work.path().join("demo").display().to_string();
    yeji(&["demo", "--no-serve", "-w", &ws, "--reps", "24"]);
    let server = Server::start(&ws);
    let shots = Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let output = Command::new("node")
        .arg(dir.join("e2e.mjs"))
        .args([server.base.as_str(), shots.to_str().unwrap()])
        .env("CHROMIUM", &chromium)
        .output()
        .expect("node runs");
    let (stdout, stderr) = (String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "browser test failed:\n{stdout}\n{stderr}");
    eprintln!("{stdout}screenshots: {}", shots.display());
}
