//! Spawns the real application on a fresh database for each test, on either engine, and
//! talks to it over real HTTP on a loopback port.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use normtrack::api::AppState;
use normtrack::config::Settings;
use normtrack::db::DbConn;
use normtrack::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The PostgreSQL server tests create their databases on.
pub fn postgres_admin_url() -> String {
    std::env::var("NORMTRACK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A database that exists for one test and is removed after it.
pub struct TestDb {
    pub url: String,
    postgres_name: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    /// A fresh, empty database; `None` when PostgreSQL is unreachable outside CI (the test
    /// is then skipped with a message). Under `CI=true` an unreachable PostgreSQL fails.
    pub fn create(engine: Engine) -> Option<TestDb> {
        match engine {
            Engine::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = dir.path().join("normtrack.db").to_string_lossy().into_owned();
                Some(TestDb {
                    url,
                    postgres_name: None,
                    _dir: Some(dir),
                })
            }
            Engine::Postgres => {
                static COUNTER: AtomicU32 = AtomicU32::new(0);
                let admin_url = postgres_admin_url();
                let mut admin = match PgConnection::establish(&admin_url) {
                    Ok(conn) => conn,
                    Err(e) if !under_ci() => {
                        eprintln!("SKIPPED: PostgreSQL unreachable at {admin_url} ({e}); set CI=true to fail instead");
                        return None;
                    }
                    Err(e) => panic!("PostgreSQL unreachable at {admin_url} under CI: {e}"),
                };
                let name = format!(
                    "normtrack_test_{}_{}_{}",
                    std::process::id(),
                    COUNTER.fetch_add(1, Ordering::SeqCst),
                    std::time::SystemTime::now()
                        .duration_since(std::time::UNIX_EPOCH)
                        .map(|d| d.subsec_nanos())
                        .unwrap_or(0)
                );
                admin
                    .batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                let base = admin_url
                    .rsplit_once('/')
                    .map(|(base, _)| base)
                    .unwrap_or(&admin_url);
                Some(TestDb {
                    url: format!("{base}/{name}"),
                    postgres_name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    pub fn settings(&self) -> Settings {
        Settings {
            database_url: self.url.clone(),
            bind: "127.0.0.1:0".parse().unwrap(),
            pool_size: 4,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            if let Ok(mut admin) = PgConnection::establish(&postgres_admin_url()) {
                let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The application, served on a loopback port, over a fresh seeded database.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub engine: Engine,
    agent: ureq::Agent,
    server: actix_web::dev::ServerHandle,
    // Dropped last: the database outlives the server.
    _db: Option<TestDb>,
}

impl TestApp {
    pub fn spawn(engine: Engine) -> Option<TestApp> {
        let db = TestDb::create(engine)?;
        let state = startup::prepare_database(&db.settings()).expect("prepare database");
        Some(Self::serve(state, engine, Some(db)))
    }

    /// Serves an application state prepared by the test itself.
    pub fn serve(state: AppState, engine: Engine, db: Option<TestDb>) -> TestApp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let address = format!("http://{}", listener.local_addr().expect("local address"));
        let (tx, rx) = mpsc::channel();
        let server_state = state.clone();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let server = startup::run(listener, server_state).expect("start server");
                tx.send(server.handle()).expect("send server handle");
                server.await
            })
        });
        let server = rx.recv_timeout(Duration::from_secs(30)).expect("server started");
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build()
            .new_agent();
        TestApp {
            address,
            state,
            engine,
            agent,
            server,
            _db: db,
        }
    }

    /// A connection to the test's database, for arranging data the API cannot write yet.
    pub fn conn(&self) -> r2d2::PooledConnection<normtrack::db::ConnectionManager> {
        self.state.pool.get().expect("database connection")
    }

    pub fn get(&self, path: &str) -> TestResponse {
        self.get_with(path, &[])
    }

    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut request = self.agent.get(format!("{}{}", self.address, path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        TestResponse::from(request.call().expect("HTTP request"))
    }

    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> TestResponse {
        let response = self
            .agent
            .post(format!("{}{}", self.address, path))
            .header("Content-Type", content_type)
            .send(body)
            .expect("HTTP request");
        TestResponse::from(response)
    }

    /// Sends raw bytes (for requests no HTTP client would build) and returns the status.
    pub fn raw_status(&self, request: &[u8]) -> u16 {
        let host = self.address.trim_start_matches("http://");
        let mut stream = TcpStream::connect(host).expect("connect");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .expect("timeout");
        stream.write_all(request).expect("write request");
        let mut response = Vec::new();
        let _ = stream.read_to_end(&mut response);
        let text = String::from_utf8_lossy(&response);
        text.split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("no HTTP status in {text:?}"))
    }

    /// Runs `f` on a pooled connection.
    pub fn with_conn<T>(&self, f: impl FnOnce(&mut DbConn) -> T) -> T {
        let mut conn = self.conn();
        f(&mut conn)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The stop command is sent when `stop` is called; its completion need not be awaited.
        drop(self.server.stop(false));
    }
}

pub struct TestResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl From<ureq::http::Response<ureq::Body>> for TestResponse {
    fn from(mut response: ureq::http::Response<ureq::Body>) -> Self {
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = response.body_mut().read_to_string().expect("UTF-8 body");
        TestResponse {
            status,
            headers,
            body,
        }
    }
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// Asserts a 200 JSON answer and returns its body.
    pub fn ok_json(&self) -> serde_json::Value {
        assert_eq!(
            self.status, 200,
            "expected 200, got {}: {}",
            self.status, self.body
        );
        self.json()
    }

    /// Asserts a problem+json answer with this status and returns the problem.
    pub fn problem(&self, status: u16) -> serde_json::Value {
        assert_eq!(self.status, status, "body: {}", self.body);
        assert_eq!(
            self.header("content-type"),
            Some("application/problem+json"),
            "body: {}",
            self.body
        );
        let problem = self.json();
        assert_eq!(problem["status"], status);
        assert!(problem["type"].is_string() && problem["title"].is_string() && problem["detail"].is_string());
        problem
    }

    /// The `field` of each entry of a validation problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json()["errors"]
            .as_array()
            .map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| e["field"].as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Declares tests that run once on SQLite and once on PostgreSQL, each on a fresh seeded
/// database: `on_both_engines! { fn name(app) { ... } }` gives `name::sqlite` and
/// `name::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($(fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                fn body($app: &$crate::helpers::TestApp) $body

                #[test]
                fn sqlite() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Engine::Sqlite).expect("SQLite app");
                    body(&app);
                }

                #[test]
                fn postgres() {
                    if let Some(app) = $crate::helpers::TestApp::spawn($crate::helpers::Engine::Postgres) {
                        body(&app);
                    }
                }
            }
        )*
    };
}

/// The seed file's rows, read independently of the application, to check its answers.
pub fn seed_rows(file: &str) -> Vec<csv::StringRecord> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seed-data")
        .join(file);
    let mut reader = csv::Reader::from_path(&path).expect("seed file");
    reader.records().map(|r| r.expect("seed row")).collect()
}
