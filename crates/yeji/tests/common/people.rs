//! Signing in as the users of the people tests: ada (admin), dora
//! (director), mia (manager of E), ray (rep R1), hana (hr) on the `measures`
//! fixture; every password is [`PASSWORD`].

use serde_json::{Value, json};

use super::{Server, read, run_with_input, text};

pub const PASSWORD: &str = "password-1";

pub fn add_users(ws: &str) {
    add(
        ws,
        &[
            ("ada", "admin", None),
            ("dora", "director", None),
            ("mia", "manager", Some("E")),
            ("ray", "rep", Some("R1")),
            ("hana", "hr", None),
        ],
    );
}

/// Adds `users` (login, role, the rep or unit they see), each with [`PASSWORD`].
pub fn add(ws: &str, users: &[(&str, &str, Option<&str>)]) {
    for (login, role, entity) in users {
        let mut args = vec!["user", "add", "-w", ws, login, "--role", role];
        args.extend(entity.iter().flat_map(|e| ["--entity", *e]));
        let added = run_with_input(&args, &format!("{PASSWORD}\n"));
        assert!(added.status.success(), "{}", text(&added.stderr));
    }
}

/// A request with optional cookie, bearer token and extra headers: (status, headers, body).
pub struct Call<'a> {
    pub server: &'a Server,
    pub cookie: Option<&'a str>,
    pub token: Option<&'a str>,
    pub headers: Vec<(&'a str, &'a str)>,
}

impl<'a> Call<'a> {
    pub fn new(server: &'a Server) -> Call<'a> {
        Call { server, cookie: None, token: None, headers: Vec::new() }
    }

    pub fn request(&self, method: &str, path: &str) -> ureq::Request {
        let mut request = ureq::request(method, &format!("{}{path}", self.server.base)).set("Accept-Language", "en");
        if let Some(cookie) = self.cookie {
            request = request.set("Cookie", cookie);
        }
        if let Some(token) = self.token {
            request = request.set("Authorization", &format!("Bearer {token}"));
        }
        for (name, value) in &self.headers {
            request = request.set(name, value);
        }
        request
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let (status, body) = read(self.request("GET", path).call());
        (status, serde_json::from_str(&body).unwrap_or(Value::String(body)))
    }

    pub fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let (status, text) = read(self.request("POST", path).send_json(body));
        (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
    }

    pub fn form(&self, path: &str, form: &[(&str, &str)]) -> (u16, String) {
        read(self.request("POST", path).send_form(form))
    }
}

/// Signs in by the API: (status, the session cookie `name=value`, the answer).
pub fn sign_in(server: &Server, login: &str, password: &str, headers: &[(&str, &str)]) -> (u16, Option<String>, Value) {
    let mut request = ureq::post(&format!("{}/api/v1/session", server.base));
    for (name, value) in headers {
        request = request.set(name, value);
    }
    let response = match request.send_json(json!({ "login": login, "password": password })) {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{error}"),
    };
    let status = response.status();
    let set_cookie = response.header("set-cookie").map(str::to_owned);
    let body: Value = response.into_json().unwrap_or(Value::Null);
    (status, set_cookie, body)
}

pub fn cookie_of(set_cookie: &str) -> String {
    set_cookie.split(';').next().unwrap().to_owned()
}

pub fn signed_in(server: &Server, login: &str) -> String {
    let (status, set_cookie, body) = sign_in(server, login, PASSWORD, &[]);
    assert_eq!(status, 200, "{login}: {body}");
    cookie_of(&set_cookie.expect("a session cookie"))
}
