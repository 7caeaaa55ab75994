//! The shared harness of the HTTP tests: a real server on port 0 over a
//! fresh SQLite file, built as `reserv serve --demo` builds it (routines,
//! contacts, demo data), and a minimal HTTP/1.1 client. Each test binary
//! uses part of it.
//!
//! Every answer to an `/api/v1/...` request is checked against the generated
//! OpenAPI document ([`check_api_response`]): its status must be documented
//! for the operation, and a JSON body must validate against the documented
//! schema. A test fails on the first answer that does not.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use reserv_app::{App, Settings, SystemClock};
use reserv_core::catalogue::Catalogue;
use reserv_store::Store;
use reserv_store_sqlite::SqliteStore;
use reserv_web::AppState;

pub const CATALOGUE: &str = include_str!("../../../../data/systems.toml");
pub const DIRECTORY: &str = include_str!("../../../../data/directory/region-vasternorrland.toml");

/// The shipped routine files (data/routines/*.toml).
pub fn routine_files() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/routines");
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .map(|p| (p.file_name().unwrap().to_string_lossy().into_owned(), std::fs::read_to_string(&p).unwrap()))
        .collect();
    files.sort();
    files
}

/// The application as the server builds it, with the shipped routines and contacts.
pub fn app_over(store: Arc<dyn Store>) -> App {
    app_with(store, Settings::default())
}

/// [`app_over`] with other settings.
pub fn app_with(store: Arc<dyn Store>, settings: Settings) -> App {
    let catalogue = Catalogue::parse(CATALOGUE).unwrap();
    let routines =
        reserv_core::routine::load(routine_files().iter().map(|(n, t)| (n.as_str(), t.as_str())), &catalogue).unwrap();
    let orgs = reserv_core::directory::parse_directory(DIRECTORY).unwrap();
    let contacts =
        reserv_app::contacts::load_contacts(reserv_app::contacts::BUILTIN_CONTACTS.iter().copied(), &orgs, &catalogue)
            .unwrap();
    App::new(store, Arc::new(SystemClock), catalogue, settings).with_routines(routines).with_contacts(contacts)
}

pub struct TestApp {
    pub addr: SocketAddr,
    _dir: Option<tempfile::TempDir>,
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
    pub fn error_code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_owned()
    }
    /// Status, error code and field of an error answer.
    pub fn error(&self) -> (u16, String, Option<String>) {
        let v = self.json();
        let e = &v["error"];
        (self.status, e["code"].as_str().unwrap_or_default().to_owned(), e["field"].as_str().map(str::to_owned))
    }
}

/// A server over `store`, with the demo data loaded.
pub async fn spawn_with(store: Arc<dyn Store>) -> TestApp {
    serve(app_over(store), None).await
}

/// A server over a fresh SQLite file, with the demo data loaded.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path()).unwrap();
    serve(app_over(Arc::new(store)), Some(dir)).await
}

/// A server over `app` (built with [`app_over`] and whatever the test
/// adds, demo data loaded by the caller), which the test keeps using (e.g.
/// to run the outbox's scheduler step).
pub async fn spawn_shared(app: Arc<App>, dir: tempfile::TempDir) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(app);
    tokio::spawn(reserv_web::serve(listener, state, std::future::pending()));
    TestApp { addr, _dir: Some(dir) }
}

/// A server with the given state (its app's demo data loaded by the caller).
pub async fn spawn_state(state: AppState, dir: Option<tempfile::TempDir>) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(reserv_web::serve(listener, state, std::future::pending()));
    TestApp { addr, _dir: dir }
}

async fn serve(app: App, dir: Option<tempfile::TempDir>) -> TestApp {
    reserv_app::demo::load(&app, DIRECTORY).await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = AppState::new(Arc::new(app));
    tokio::spawn(reserv_web::serve(listener, state, std::future::pending()));
    TestApp { addr, _dir: dir }
}

impl TestApp {
    pub async fn request(&self, method: &str, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Resp {
        let mut s = tokio::net::TcpStream::connect(self.addr).await.unwrap();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        req.push_str("\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        s.write_all(body).await.unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).await.unwrap();
        let text = String::from_utf8(raw).expect("utf-8 response");
        let (head, body) = text.split_once("\r\n\r\n").expect("header end");
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers: Vec<(String, String)> =
            lines.filter_map(|l| l.split_once(':')).map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned())).collect();
        let chunked = headers.iter().any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
        let body = if chunked { dechunk(body) } else { body.to_owned() };
        let resp = Resp { status, headers, body };
        if path.starts_with("/api/v1/") {
            check_api_response(method, path, resp.status, resp.header("content-type"), &resp.body);
        }
        resp
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let h: Vec<(&str, &str)> = auth.iter().map(|a| ("Authorization", a.as_str())).collect();
        self.request("GET", path, &h, b"").await
    }

    pub async fn send_json(&self, method: &str, path: &str, token: Option<&str>, body: &Value) -> Resp {
        let auth = token.map(|t| format!("Bearer {t}"));
        let mut h = vec![("Content-Type", "application/json")];
        if let Some(a) = &auth {
            h.push(("Authorization", a.as_str()));
        }
        self.request(method, path, &h, body.to_string().as_bytes()).await
    }

    /// An API bearer token for a demo account.
    pub async fn token(&self, username: &str) -> String {
        let r = self
            .send_json("POST", "/api/v1/auth/token", None, &json!({"username": username, "password": "reserv-demo"}))
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        r.json()["token"].as_str().unwrap().to_owned()
    }

    /// Logs in through the form as a browser would; returns the Cookie header value.
    pub async fn browser_login(&self, username: &str) -> String {
        let login = self.get("/login", None).await;
        let csrf_cookie = login.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
        let token = csrf_cookie.split_once('=').unwrap().1.to_owned();
        let form = format!("csrf={token}&username={username}&password=reserv-demo");
        let ok = self
            .request(
                "POST",
                "/login",
                &[("Content-Type", "application/x-www-form-urlencoded"), ("Cookie", &csrf_cookie)],
                form.as_bytes(),
            )
            .await;
        assert_eq!(ok.status, 303, "{}", ok.body);
        let session = ok.header("set-cookie").unwrap().split(';').next().unwrap().to_owned();
        format!("{session}; {csrf_cookie}")
    }

    /// A page with the browser's cookies.
    pub async fn page(&self, path: &str, cookies: &str) -> Resp {
        self.request("GET", path, &[("Cookie", cookies)], b"").await
    }
}

// ---- answers against the document ----

/// The generated document (as `/api/v1/openapi.json` serves it).
pub fn openapi() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::to_value(reserv_web::openapi()).unwrap())
}

/// The documented path template that `path` (without its query) matches:
/// `{param}` matches one segment; literal segments win over parameters.
pub fn path_template(path: &str) -> Option<&'static str> {
    let path = path.split('?').next().unwrap_or(path);
    let segs: Vec<&str> = path.split('/').collect();
    openapi()["paths"]
        .as_object()
        .unwrap()
        .keys()
        .filter(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            ts.len() == segs.len()
                && ts
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && t.ends_with('}') && !s.is_empty()) || t == s)
        })
        .max_by_key(|t| t.split('/').filter(|s| !s.starts_with('{')).count())
        .map(String::as_str)
}

/// Panics unless the answer is documented: the status for the operation of
/// (method, path template), and a JSON body valid against its schema. A path
/// no template matches must be the API's 404 in the error shape.
pub fn check_api_response(method: &str, path: &str, status: u16, content_type: Option<&str>, body: &str) {
    let doc = openapi();
    let (template, response) = match path_template(path) {
        Some(t) => {
            let op = &doc["paths"][t][method.to_ascii_lowercase()];
            if op.is_null() {
                assert_eq!(status, 405, "{method} {path}: undocumented method answered {status}: {body}");
                return;
            }
            let r = &op["responses"][status.to_string()];
            let r = if r.is_null() { &op["responses"]["default"] } else { r };
            assert!(!r.is_null(), "{method} {t}: status {status} is not documented (body: {body})");
            (t, r.clone())
        }
        None => {
            assert_eq!(status, 404, "{method} {path}: no documented path, yet {status}");
            ("(no route)", json!({"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}))
        }
    };
    let is_json = content_type.is_some_and(|c| c.starts_with("application/json"));
    let content = &response["content"];
    if !is_json {
        if let Some(ct) = content_type.filter(|_| !body.is_empty()) {
            let media = ct.split(';').next().unwrap().trim();
            assert!(!content[media].is_null(), "{method} {template} {status}: `{ct}` is not documented");
        }
        return;
    }
    let schema = &content["application/json"]["schema"];
    assert!(!schema.is_null(), "{method} {template} {status}: a JSON body is not documented: {body}");
    let instance: Value =
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{method} {path} {status}: not JSON ({e}): {body}"));
    let key = format!("{method} {template} {status}");
    let validator = validator_for(&key, schema);
    let errors: Vec<String> =
        validator.iter_errors(&instance).map(|e| format!("  at {}: {e}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{key}: the answer does not match its schema:\n{}\nbody: {body}", errors.join("\n"));
}

/// A validator for one documented schema; `#/components/...` references
/// resolve locally, in the document's components carried at the root.
fn validator_for(key: &str, schema: &Value) -> Arc<jsonschema::Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<jsonschema::Validator>>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap();
    cache
        .entry(key.to_owned())
        .or_insert_with(|| {
            let root = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "components": openapi()["components"],
                "allOf": [schema],
            });
            Arc::new(jsonschema::draft202012::new(&root).unwrap_or_else(|e| panic!("{key}: invalid schema: {e}")))
        })
        .clone()
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.push_str(&rest[..n]);
        s = &rest[n + 2..];
    }
    out
}
