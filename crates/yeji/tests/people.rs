//! People, sign-in, scope and audit (SPEC §15.1) through the real binary and
//! the real server over HTTP, on the workspace's own SQLite catalog and on
//! PostgreSQL (when `YEJI_TEST_POSTGRES` names a server, as in CI).
//!
//! The `measures` fixture's tree: HQ → E → TE (rep R1) and HQ → N → TN (rep
//! darcel_schlecht). Users: ada (admin), dora (director), mia (manager of
//! E), ray (rep R1), hana (hr); every password is `password-1`.

mod common;

use common::people::{Call, PASSWORD, add_users, cookie_of, sign_in, signed_in};
use common::{Server, catalogs, measures_fixture, ok, read, run, run_with_input, text, workspace_on};
use serde_json::{Value, json};

#[test]
fn sign_in_sessions_tokens_and_the_lock() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &measures_fixture());
        add_users(&ws);
        let server = Server::start(&ws);
        let anonymous = Call::new(&server);
        let (status, body) = anonymous.get("/api/v1/overview?period=2026-Q3");
        assert_eq!((status, body["code"].as_str()), (401, Some("unauthenticated")), "{catalog:?}");
        let (status, body) =
            read(ureq::AgentBuilder::new().redirects(0).build().get(&format!("{}/entity/R1", server.base)).call());
        assert_eq!(status, 303, "{body}");
        assert_eq!(anonymous.get("/api/v1/openapi.json").0, 200, "the API's description is open");
        let (status, page) = read(ureq::get(&format!("{}/login", server.base)).set("Accept-Language", "zh-CN").call());
        assert!(status == 200 && page.contains("登录"), "the sign-in page, in Chinese");

        // Wrong password, unknown user: 401; the right one: a session cookie.
        assert_eq!(sign_in(&server, "dora", "nope", &[]).0, 401);
        assert_eq!(sign_in(&server, "nobody", PASSWORD, &[]).0, 401);
        let (status, set_cookie, body) = sign_in(&server, "dora", PASSWORD, &[]);
        assert_eq!((status, body["role"].as_str()), (200, Some("director")));
        let set_cookie = set_cookie.unwrap();
        assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
        assert!(!set_cookie.contains("Secure"), "plain HTTP: no Secure flag");
        let cookie = cookie_of(&set_cookie);
        let dora = Call { cookie: Some(&cookie), ..Call::new(&server) };
        assert_eq!(dora.get("/api/v1/session").1["login"], "dora");
        // Behind a proxy that says HTTPS, the cookie is Secure; each sign-in is a new session.
        let (_, proxied, _) = sign_in(&server, "dora", PASSWORD, &[("X-Forwarded-Proto", "https")]);
        let proxied = proxied.unwrap();
        assert!(proxied.contains("Secure"), "{proxied}");
        assert_ne!(cookie_of(&proxied), cookie, "a new session id");
        // A forged cookie is nobody; signing out ends the session.
        let forged = Call { cookie: Some("yeji_session=forged"), ..Call::new(&server) };
        assert_eq!(forged.get("/api/v1/session").0, 401);
        let (status, _) = read(dora.request("DELETE", "/api/v1/session").call());
        assert_eq!(status, 204);
        assert_eq!(dora.get("/api/v1/session").0, 401, "the old cookie no longer signs in");

        // API tokens: printed alone on the last line; dead once revoked.
        let created = ok(&["token", "create", "-w", &ws, "hana"], 0);
        let token = created.lines().last().unwrap().trim().to_owned();
        let hana = Call { token: Some(&token), ..Call::new(&server) };
        assert_eq!(hana.get("/api/v1/session").1["role"], "hr");
        ok(&["token", "revoke", "-w", &ws, &token], 0);
        assert_eq!(hana.get("/api/v1/session").0, 401, "revoked");

        // Five failures in a row lock the login, even against the right password.
        for _ in 0..4 {
            assert_eq!(sign_in(&server, "mia", "wrong", &[]).0, 401);
        }
        let (status, _, body) = sign_in(&server, "mia", "wrong", &[]);
        assert_eq!((status, body["code"].as_str()), (423, Some("locked")));
        assert_eq!(sign_in(&server, "mia", PASSWORD, &[]).0, 423);
        drop(server);
        let failures: Value =
            serde_json::from_str(&ok(&["audit", "-w", &ws, "--action", "signin_failed", "--format", "json"], 0))
                .unwrap();
        let logins: Vec<&str> = failures.as_array().unwrap().iter().map(|r| r["object"].as_str().unwrap()).collect();
        assert_eq!(logins, ["dora", "nobody", "mia", "mia", "mia", "mia", "mia", "mia"]);
    }
}

#[test]
fn each_role_sees_its_scope_and_nothing_else() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &measures_fixture());
        add_users(&ws);
        let server = Server::start(&ws);
        let cookies: Vec<(&str, String)> =
            ["ada", "dora", "mia", "ray", "hana"].into_iter().map(|login| (login, signed_in(&server, login))).collect();
        let as_user = |login: &str| {
            let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
            Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
        };
        let ids = |call: &Call| -> Vec<String> {
            let (status, body) = call.get("/api/v1/evaluation?period=2026-Q3");
            assert_eq!(status, 200, "{body}");
            body["results"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_owned()).collect()
        };
        let status = |call: &Call, path: &str| call.get(path).0;

        // The rep: their own scorecard; anyone else is unknown (404), peers
        // only as figures (the median), no overview.
        let ray = as_user("ray");
        assert_eq!(ids(&ray), ["R1"]);
        let (code, own) = ray.get("/api/v1/entities/R1?period=2026-Q3");
        assert_eq!(code, 200);
        assert!(own["peer_medians"]["revenue"].is_number() && own["entity"]["rank_of"] == 2, "{own}");
        for path in [
            "/api/v1/entities/darcel_schlecht?period=2026-Q3",
            "/api/v1/entities/TE?period=2026-Q3",
            "/api/v1/entities/darcel_schlecht/explain?period=2026-Q3",
            "/api/v1/entities/darcel_schlecht/kpis/revenue/rows?period=2026-Q3",
            "/api/v1/compare?ids=R1,darcel_schlecht&period=2026-Q3",
            "/entity/darcel_schlecht?period=2026-Q3",
            "/entity/darcel_schlecht/kpi/revenue/rows.csv?period=2026-Q3",
            "/entity/darcel_schlecht/kpi/revenue/rows.xlsx?period=2026-Q3",
        ] {
            assert_eq!(status(&ray, path), 404, "ray: {path}");
        }
        assert_eq!(status(&ray, "/api/v1/overview?period=2026-Q3"), 403);
        assert_eq!(status(&ray, "/entity/R1/kpi/revenue/rows.csv?period=2026-Q3"), 200, "their own rows");

        // The manager of E: E, its team and rep; not N, its rep, nor the company.
        let mia = as_user("mia");
        assert_eq!(ids(&mia), ["E", "TE", "R1"]);
        for path in ["/api/v1/entities/N", "/api/v1/entities/darcel_schlecht", "/api/v1/entities/HQ", "/entity/TN"] {
            assert_eq!(status(&mia, &format!("{path}?period=2026-Q3")), 404, "mia: {path}");
        }
        let (code, overview) = mia.get("/api/v1/overview?period=2026-Q3");
        assert_eq!((code, overview["company"]["id"].as_str()), (200, Some("E")), "the overview of their unit");
        let board: Vec<&str> =
            overview["leaderboard"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(board, ["R1"]);
        assert_eq!(status(&mia, "/api/v1/compare?ids=R1,darcel_schlecht&period=2026-Q3"), 404);

        // The director and HR see everything.
        for login in ["dora", "hana", "ada"] {
            assert_eq!(ids(&as_user(login)).len(), 7, "{login}");
        }

        // The audit log: admins, directors and HR.
        for (login, expected) in [("ada", 200), ("dora", 200), ("hana", 200), ("mia", 403), ("ray", 403)] {
            assert_eq!(status(&as_user(login), "/api/v1/audit"), expected, "{login}");
            assert_eq!(status(&as_user(login), "/audit"), expected, "{login}: the page");
        }
        // Users: admins only.
        assert_eq!(status(&as_user("ada"), "/api/v1/users"), 200);
        assert_eq!(status(&as_user("dora"), "/api/v1/users"), 403);
    }
}

#[test]
fn changes_need_the_right_role_and_come_from_the_app_itself() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &measures_fixture());
        add_users(&ws);
        let server = Server::start(&ws);
        let (mia_cookie, dora_cookie) = (signed_in(&server, "mia"), signed_in(&server, "dora"));
        let mia = Call { cookie: Some(&mia_cookie), ..Call::new(&server) };
        let dora = Call { cookie: Some(&dora_cookie), ..Call::new(&server) };
        let scheme = [("kpi", "revenue"), ("w_revenue", "100"), ("action", "save")];
        let (status, page) = mia.form("/scheme", &scheme);
        assert!(status == 403 && page.contains("needs an admin or a director"), "{status}: {page}");
        let (status, _) = read(mia.request("POST", "/api/v1/batches/1/revert").call());
        assert_eq!(status, 403, "a manager reverts nothing");
        assert_eq!(mia.get("/api/v1/batches").0, 403);
        // A form posted from another site is refused, whoever's cookie it carries.
        let evil = Call {
            headers: vec![("Origin", "http://evil.example")],
            ..Call { cookie: Some(&dora_cookie), ..Call::new(&server) }
        };
        let (status, body) = evil.form("/scheme", &scheme);
        assert!(status == 403 && body.contains("cross_site"), "{status}: {body}");
        let fetched = Call {
            headers: vec![("Sec-Fetch-Site", "cross-site")],
            ..Call { cookie: Some(&dora_cookie), ..Call::new(&server) }
        };
        assert_eq!(fetched.form("/scheme", &scheme).0, 403);
        // The director saves it; the audit log names her.
        let (status, _) = dora.form("/scheme", &scheme);
        assert_eq!(status, 200, "saved, back on the page");
        drop(server);
        let log: Value =
            serde_json::from_str(&ok(&["audit", "-w", &ws, "--action", "scheme", "--format", "json"], 0)).unwrap();
        let row = &log.as_array().unwrap()[0];
        assert_eq!((row["actor"].as_str(), row["object"].as_str()), (Some("dora"), Some("version 1 (default)")));
        assert!(row["after"]["toml"].as_str().unwrap().contains("weight = 100"), "{row}");
        for field in ["at", "actor", "action", "object", "before", "after"] {
            assert!(row.get(field).is_some(), "{field}");
        }
    }
}

#[test]
fn users_are_checked_and_a_workspace_without_them_stays_on_this_machine() {
    let (_dir, ws) = workspace_on(&None, &measures_fixture());
    // No users: served on loopback only, with a banner; elsewhere refused.
    let refused = run(&["serve", "-w", &ws, "--addr", "0.0.0.0:0"]);
    assert_eq!(refused.status.code(), Some(1));
    assert!(text(&refused.stderr).contains("yeji user add"), "{}", text(&refused.stderr));
    let server = Server::start(&ws);
    let (_, page) = server.get("/", "en");
    assert!(page.contains("id=\"no-users\""), "the banner says no one signs in");
    drop(server);
    let add = |args: &[&str]| {
        let mut full = vec!["user", "add", "-w", ws.as_str()];
        full.extend(args);
        run_with_input(&full, &format!("{PASSWORD}\n"))
    };
    let refusal = |args: &[&str]| text(&add(args).stderr);
    assert!(refusal(&["x1", "--role", "boss"]).contains("unknown role 'boss'"));
    assert!(refusal(&["x2", "--role", "manager", "--entity", "NOWHERE"]).contains("no org unit of that id"));
    assert!(refusal(&["x3", "--role", "rep", "--entity", "R9"]).contains("no rep of that id"));
    assert!(add(&["ada", "--role", "admin"]).status.success());
    assert!(add(&["bob", "--role", "admin"]).status.success());
    ok(&["user", "disable", "-w", &ws, "bob"], 0);
    let last = run(&["user", "disable", "-w", &ws, "ada"]);
    assert_eq!(last.status.code(), Some(1));
    assert!(text(&last.stderr).contains("would leave no active admin"), "{}", text(&last.stderr));
    let users: Value = serde_json::from_str(&ok(&["user", "list", "-w", &ws, "--format", "json"], 0)).unwrap();
    let listed: Vec<(&str, bool)> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["login"].as_str().unwrap(), u["active"].as_bool().unwrap()))
        .collect();
    assert_eq!(listed, [("ada", true), ("bob", false)], "nothing but the two admins, bob disabled");
    assert!(!users.to_string().contains("argon2"), "no password hash is shown");
    let actor = std::env::var("USER").unwrap_or_else(|_| "cli".into());
    let log: Value =
        serde_json::from_str(&ok(&["audit", "-w", &ws, "--actor", &actor, "--format", "json"], 0)).unwrap();
    let actions: Vec<&str> = log.as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["import", "user.add", "user.add", "user.change"]);
}

#[test]
fn feedback_is_between_the_rep_their_managers_and_hr() {
    for catalog in catalogs() {
        let (_dir, ws) = workspace_on(&catalog, &measures_fixture());
        add_users(&ws);
        let server = Server::start(&ws);
        let cookies: Vec<(&str, String)> =
            ["dora", "mia", "ray", "hana"].into_iter().map(|login| (login, signed_in(&server, login))).collect();
        let as_user = |login: &str| {
            let cookie = &cookies.iter().find(|(l, _)| *l == login).unwrap().1;
            Call { cookie: Some(cookie.as_str()), ..Call::new(&server) }
        };
        let (mia, ray, hana, dora) = (as_user("mia"), as_user("ray"), as_user("hana"), as_user("dora"));
        let post = |call: &Call, path: &str, body: Value| -> (u16, Value) {
            let (status, text) = read(call.request("POST", path).send_json(body));
            (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
        };
        let draft_path = "/api/v1/entities/R1/feedback?period=2026-Q3&lang=en";
        // Drafting: the rep's manager; not the rep, not HR; nobody outside the scope.
        assert_eq!(post(&ray, draft_path, json!({})).0, 403);
        assert_eq!(post(&hana, draft_path, json!({})).0, 403);
        assert_eq!(post(&mia, "/api/v1/entities/darcel_schlecht/feedback?period=2026-Q3", json!({})).0, 404);
        let (status, item) = post(&mia, draft_path, json!({}));
        assert_eq!((status, item["state"].as_str()), (201, Some("draft")), "{item}");
        assert_eq!(item["draft"]["sections"][0]["kind"], "recognition");
        let id = item["id"].as_i64().unwrap();
        let item_path = format!("/api/v1/feedback/{id}");
        // A draft is the manager's until sent: the rep does not see it.
        assert_eq!(ray.get(&item_path).0, 404);
        assert_eq!(ray.get("/api/v1/entities/R1/feedback").1, json!([]));
        assert_eq!(hana.get(&item_path).0, 200, "HR reads");
        let steps = format!("{item_path}/steps");
        assert_eq!(post(&ray, &steps, json!({"step": "send"})).0, 404, "not visible to the rep yet");
        assert_eq!(post(&hana, &steps, json!({"step": "send"})).0, 403, "HR takes no step");
        assert_eq!(post(&mia, &steps, json!({"step": "send"})).1["state"], "sent");
        // Sent: the rep reads, answers; the manager cannot answer for them.
        assert_eq!(ray.get(&item_path).1["state"], "sent");
        let (status, page) = read(ray.request("GET", &format!("/feedback/{id}")).call());
        assert!(status == 200 && page.contains("Recognition"), "the rep's page of it");
        assert_eq!(post(&mia, &steps, json!({"step": "ack"})).0, 403);
        assert_eq!(post(&ray, &steps, json!({"step": "close"})).0, 403);
        let (status, refused) = post(&ray, &steps, json!({"step": "dispute"}));
        assert_eq!((status, refused["code"].as_str()), (409, Some("refused")), "a dispute needs its reason");
        assert_eq!(post(&ray, &steps, json!({"step": "ack"})).1["state"], "acknowledged");
        assert_eq!(dora.get(&item_path).1["events"].as_array().unwrap().len(), 2, "send, ack");
        drop(server);
        let log: Value = serde_json::from_str(&ok(&["audit", "-w", &ws, "--format", "json"], 0)).unwrap();
        let steps: Vec<(&str, &str)> = log
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["object"] == format!("feedback {id}").as_str())
            .map(|r| (r["actor"].as_str().unwrap(), r["action"].as_str().unwrap()))
            .collect();
        assert_eq!(steps, [("mia", "feedback.draft"), ("mia", "feedback.send"), ("ray", "feedback.ack")]);
    }
}
