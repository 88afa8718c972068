//! What the end-to-end tests share: the real binary, fresh workspaces, and a
//! real server on port 0 spoken to over HTTP.

#![allow(dead_code)] // each test binary uses its own part of this

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::Value;

pub mod formula;
pub mod people;

pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The `measures` fixture of yeji-eval, whose KPI values are written down in
/// its `expected.txt`.
pub fn measures_fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../yeji-eval/tests/fixtures/measures")
}

pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yeji"))
        .args(args)
        .env_remove("YEJI_WORKSPACE")
        .env("NO_COLOR", "1")
        .output()
        .expect("yeji runs")
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Runs yeji and asserts its exit code, returning stdout.
pub fn ok(args: &[&str], code: i32) -> String {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(code),
        "yeji {args:?}\nstdout: {}\nstderr: {}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Runs yeji and parses what it printed as JSON.
pub fn json(args: &[&str]) -> Value {
    let out = ok(args, 0);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("yeji {args:?}: {e}\n{out}"))
}

/// A fresh workspace (and the folder that holds it).
pub fn workspace() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("ws").display().to_string();
    ok(&["init", "--workspace", &workspace], 0);
    (dir, workspace)
}

/// A fresh workspace holding `fixture`.
pub fn workspace_with(fixture: &Path) -> (tempfile::TempDir, String) {
    let (dir, workspace) = workspace();
    ok(&["import", "-w", &workspace, fixture.to_str().unwrap()], 0);
    (dir, workspace)
}

pub fn assert_close(actual: f64, expected: f64) {
    assert!((actual - expected).abs() < 1e-9 * expected.abs().max(1.0), "{actual} != {expected}");
}

pub fn close(actual: &Value, expected: f64) {
    let actual = actual.as_f64().unwrap_or_else(|| panic!("{actual} is not a number"));
    assert_close(actual, expected);
}

/// A running `yeji serve`, stopped when dropped.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub fn start(workspace: &str) -> Server {
        Server::start_with(&["serve", "-w", workspace, "--addr", "127.0.0.1:0"])
    }

    /// A server started by these arguments (it prints its URL).
    pub fn start_with(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_yeji"))
            .args(args)
            .env_remove("YEJI_WORKSPACE")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = lines
            .by_ref()
            .map_while(Result::ok)
            .find_map(|line| {
                line.split("dashboard: ").nth(1).map(|rest| rest.split('/').take(3).collect::<Vec<_>>().join("/"))
            })
            .expect("the server prints its URL");
        // Keep reading what it prints, so it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Server { child, base }
    }

    /// (status, body) of a GET.
    pub fn get(&self, path: &str, language: &str) -> (u16, String) {
        read(ureq::get(&format!("{}{path}", self.base)).set("Accept-Language", language).call())
    }

    /// The JSON of a GET that must answer 200.
    pub fn json(&self, path: &str) -> Value {
        let (status, body) = self.get(path, "en");
        assert_eq!(status, 200, "{path}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// The status and JSON of a GET that may fail.
    pub fn answer(&self, path: &str) -> (u16, Value) {
        let (status, body) = self.get(path, "en");
        (status, serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {body}")))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn read(response: Result<ureq::Response, ureq::Error>) -> (u16, String) {
    let response = match response {
        Ok(response) => response,
        Err(ureq::Error::Status(_, response)) => response,
        Err(error) => panic!("{error}"),
    };
    let status = response.status();
    let mut body = String::new();
    response.into_reader().read_to_string(&mut body).unwrap();
    (status, body)
}

/// The catalogs an end-to-end test runs on: the workspace's own SQLite file
/// (`None`), and a fresh PostgreSQL database when `YEJI_TEST_POSTGRES` names a
/// server (CI starts one).
pub fn catalogs() -> Vec<Option<String>> {
    let mut out = vec![None];
    if let Ok(server) = std::env::var("YEJI_TEST_POSTGRES") {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let name =
            format!("yeji_e2e_{}_{}", std::process::id(), NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed));
        let created = Command::new("psql").args([server.as_str(), "-qc", &format!("CREATE DATABASE {name}")]).output();
        let created = created.expect("psql runs");
        assert!(created.status.success(), "psql: {}", text(&created.stderr));
        let base = server.rsplit_once('/').map_or(server.as_str(), |(base, _)| base);
        out.push(Some(format!("{base}/{name}")));
    }
    out
}

/// A fresh workspace holding `fixture`, its catalog in `catalog` (PostgreSQL)
/// or its own.
pub fn workspace_on(catalog: &Option<String>, fixture: &Path) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let workspace = dir.path().join("ws").display().to_string();
    let mut init = vec!["init", "--workspace", workspace.as_str()];
    if let Some(url) = catalog {
        init.extend(["--catalog", url.as_str()]);
    }
    ok(&init, 0);
    ok(&["import", "-w", &workspace, fixture.to_str().unwrap()], 0);
    (dir, workspace)
}

/// Runs yeji with `input` on standard input.
pub fn run_with_input(args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_yeji"))
        .args(args)
        .env_remove("YEJI_WORKSPACE")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("yeji runs");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}
