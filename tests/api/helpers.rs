//! Spawns the real application on a fresh database for each test, on either engine, and
//! talks to it over real HTTP on a loopback port.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc;
use std::time::Duration;

use std::collections::HashMap;
use std::sync::OnceLock;

use normtrack::api::AppState;
use normtrack::auth::jwt::Claims;
use normtrack::config::Settings;
use normtrack::db::DbConn;
use normtrack::domain::access::{Principal, Role};
use normtrack::repo;
use normtrack::startup;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
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
                let (url, name) = crate::postgres::create_database("normtrack_test")?;
                Some(TestDb {
                    url,
                    postgres_name: Some(name),
                    _dir: None,
                })
            }
        }
    }

    pub fn settings(&self) -> Settings {
        Self::settings_for(&self.url)
    }

    /// The settings of an application on the database at `url`.
    pub fn settings_for(url: &str) -> Settings {
        Settings {
            database_url: url.to_string(),
            bind: "127.0.0.1:0".parse().unwrap(),
            pool_size: 4,
            jwt_secret: None,
            timeouts: Default::default(),
            limits: Default::default(),
            public_url: None,
            metrics_bind: None,
            // The worker is driven by each test (`notify::run_once`), never by a timer.
            notify: normtrack::config::Notify {
                interval_seconds: 0,
                ..Default::default()
            },
            sso: Vec::new(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            crate::postgres::drop_database(name);
        }
    }
}

/// Who sends a request: nobody, or one of the fixture's callers. The office user covers
/// [`OWN`]; the constituents belong to organizations of [`OWN`]; [`OTHER`] is a country none
/// of them covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Who {
    Anonymous,
    Admin,
    Office,
    Government,
    Employer,
    Worker,
    Viewer,
}

pub const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Admin,
    Who::Office,
    Who::Government,
    Who::Employer,
    Who::Worker,
    Who::Viewer,
];
pub const OWN: &str = "ZWE";
pub const OTHER: &str = "VNM";
/// The password of every fixture account.
pub const TEST_PASSWORD: &str = "correct horse battery staple";

impl Who {
    pub fn role(self) -> Option<Role> {
        match self {
            Who::Anonymous => None,
            Who::Admin => Some(Role::Admin),
            Who::Office => Some(Role::Office),
            Who::Government => Some(Role::Government),
            Who::Employer => Some(Role::Employer),
            Who::Worker => Some(Role::Worker),
            Who::Viewer => Some(Role::Viewer),
        }
    }

    pub fn email(self) -> String {
        format!("{:?}@fixture.example", self).to_lowercase()
    }
}

fn test_password_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| normtrack::auth::password::hash(TEST_PASSWORD).expect("hash"))
}

/// The callers and organizations every test app starts with.
pub struct Fixture {
    pub tokens: HashMap<Who, String>,
    pub users: HashMap<Who, i32>,
    /// Organizations by (country, kind).
    pub organizations: HashMap<(String, String), i32>,
    /// The viewer's dashboard token id.
    pub viewer_token: i32,
}

impl Fixture {
    fn create(state: &AppState) -> Fixture {
        let mut conn = state.pool.get().expect("connection");
        let mut organizations = HashMap::new();
        for country in [OWN, OTHER] {
            for kind in ["government", "employer", "worker"] {
                let org = repo::organizations::insert(
                    &mut conn,
                    country,
                    kind.parse().expect("kind"),
                    &format!("Fixture {kind} of {country}"),
                )
                .expect("organization");
                organizations.insert((country.to_string(), kind.to_string()), org.id);
            }
        }
        let mut users = HashMap::new();
        let mut tokens = HashMap::new();
        let now = chrono::Utc::now().timestamp();
        for who in [
            Who::Admin,
            Who::Office,
            Who::Government,
            Who::Employer,
            Who::Worker,
        ] {
            let role = who.role().expect("role");
            let (countries, country, organization) = match role {
                Role::Office => (vec![OWN.to_string()], None, None),
                Role::Admin => (Vec::new(), None, None),
                _ => (
                    Vec::new(),
                    Some(OWN.to_string()),
                    Some(organizations[&(OWN.to_string(), role.as_str().to_string())]),
                ),
            };
            let fields = repo::users::UserFields {
                email: who.email(),
                email_key: who.email(),
                display_name: format!("{who:?}"),
                role,
                countries,
                country,
                organization,
                active: true,
                sso_only: false,
            };
            let user = repo::users::insert(&mut conn, &fields, test_password_hash()).expect("user");
            users.insert(who, user.row.id);
            let claims = Claims::new(Principal::User(user.row.id), role, now, 1800);
            tokens.insert(who, state.auth.keys.issue(&claims).expect("token"));
        }
        let expires = repo::now() + chrono::Duration::days(30);
        let token = repo::tokens::insert(
            &mut conn,
            "fixture dashboard",
            users.get(&Who::Admin).copied(),
            expires,
        )
        .expect("dashboard token");
        let claims = Claims::new(Principal::DashboardToken(token.id), Role::Viewer, now, 30 * 86400);
        tokens.insert(Who::Viewer, state.auth.keys.issue(&claims).expect("token"));
        Fixture {
            tokens,
            users,
            organizations,
            viewer_token: token.id,
        }
    }

    pub fn organization(&self, country: &str, kind: &str) -> i32 {
        self.organizations[&(country.to_string(), kind.to_string())]
    }
}

/// A request a test sends.
pub struct Req<'a> {
    pub method: &'a str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<(String, Vec<u8>)>,
}

impl<'a> Req<'a> {
    pub fn new(method: &'a str, path: impl Into<String>) -> Req<'a> {
        Req {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.body = Some(("application/json".into(), body.to_string().into_bytes()));
        self
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, content_type: &str, bytes: Vec<u8>) -> Self {
        self.body = Some((content_type.into(), bytes));
        self
    }
}

/// Everything the application logs during the tests (all tests share one subscriber).
static LOGS: std::sync::Mutex<Vec<u8>> = std::sync::Mutex::new(Vec::new());

struct LogCapture;

impl Write for LogCapture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        LOGS.lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the capturing subscriber (debug level) once per test process.
pub fn capture_logs() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .with_writer(|| LogCapture)
            .finish();
        let _ = tracing::subscriber::set_global_default(subscriber);
    });
}

/// What has been logged so far, by every test.
pub fn captured_logs() -> String {
    String::from_utf8_lossy(&LOGS.lock().unwrap_or_else(|p| p.into_inner())).into_owned()
}

/// The application, served on a loopback port, over a fresh seeded database.
pub struct TestApp {
    pub address: String,
    pub state: AppState,
    pub engine: Engine,
    pub fixture: Option<Fixture>,
    agent: ureq::Agent,
    server: actix_web::dev::ServerHandle,
    // Dropped last: the database outlives the server.
    _db: Option<TestDb>,
}

impl TestApp {
    pub fn spawn(engine: Engine) -> Option<TestApp> {
        Self::spawn_with(engine, |_| {})
    }

    /// The application with settings of the test's choosing (limits, public address).
    pub fn spawn_with(engine: Engine, configure: impl FnOnce(&mut Settings)) -> Option<TestApp> {
        capture_logs();
        let db = TestDb::create(engine)?;
        let mut settings = db.settings();
        configure(&mut settings);
        let state = startup::prepare_database(&settings).expect("prepare database");
        let fixture = Fixture::create(&state);
        let mut app = Self::serve(state, engine, Some(db));
        app.fixture = Some(fixture);
        Some(app)
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
            fixture: None,
            agent,
            server,
            _db: db,
        }
    }

    /// The test database's URL, for running the command line against it.
    pub fn database_url(&self) -> &str {
        &self._db.as_ref().expect("a test database").url
    }

    /// A connection to the test's database, for arranging data the API cannot write yet.
    pub fn conn(&self) -> r2d2::PooledConnection<normtrack::db::ConnectionManager> {
        self.state.pool.get().expect("database connection")
    }

    pub fn fixture(&self) -> &Fixture {
        self.fixture.as_ref().expect("this app has no fixture")
    }

    pub fn token(&self, who: Who) -> Option<&str> {
        self.fixture
            .as_ref()
            .and_then(|f| f.tokens.get(&who))
            .map(String::as_str)
    }

    /// Sends a request as `who` (with that caller's bearer token, unless the request
    /// carries an `Authorization` header of its own).
    pub fn send(&self, who: Who, req: Req<'_>) -> TestResponse {
        let own = req
            .headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        let token = if own {
            None
        } else {
            self.token(who).map(str::to_string)
        };
        self.send_with_token(token.as_deref(), req)
    }

    /// Logs `who` (a person) in with the fixture password and returns a fresh access token.
    pub fn login(&self, who: Who) -> String {
        self.login_with(&who.email(), TEST_PASSWORD)
    }

    /// Logs in and returns the access token; panics unless the login succeeds.
    pub fn login_with(&self, email: &str, password: &str) -> String {
        let response = self.send_with_token(
            None,
            Req::new("POST", "/api/v1/auth/login")
                .json(serde_json::json!({"email": email, "password": password})),
        );
        response.ok_json()["access_token"]
            .as_str()
            .expect("an access token")
            .to_string()
    }

    /// Sends a request with this bearer token (or none).
    pub fn send_with_token(&self, token: Option<&str>, req: Req<'_>) -> TestResponse {
        let mut builder = ureq::http::Request::builder()
            .method(req.method)
            .uri(format!("{}{}", self.address, req.path));
        if let Some(token) = token {
            builder = builder.header("Authorization", format!("Bearer {token}"));
        }
        for (name, value) in &req.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let response = match req.body {
            Some((content_type, body)) => {
                let request = builder
                    .header("Content-Type", content_type)
                    .body(body)
                    .expect("request");
                self.agent.run(request)
            }
            None => self.agent.run(builder.body(()).expect("request")),
        };
        TestResponse::from(response.expect("HTTP request"))
    }

    /// GET as the administrator.
    pub fn get(&self, path: &str) -> TestResponse {
        self.get_as(Who::Admin, path)
    }

    pub fn get_as(&self, who: Who, path: &str) -> TestResponse {
        self.send(who, Req::new("GET", path))
    }

    /// GET as the administrator, with extra headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> TestResponse {
        let mut req = Req::new("GET", path);
        for (name, value) in headers {
            req = req.header(name, value);
        }
        self.send(Who::Admin, req)
    }

    /// POST as the administrator.
    pub fn post(&self, path: &str, content_type: &str, body: &[u8]) -> TestResponse {
        let mut req = Req::new("POST", path);
        req.body = Some((content_type.to_string(), body.to_vec()));
        self.send(Who::Admin, req)
    }

    /// The current `ETag` of a record, read by the administrator.
    pub fn etag_of(&self, path: &str) -> String {
        let response = self.get(path);
        assert_eq!(response.status, 200, "{path}: {}", response.body);
        response.header("etag").expect("ETag").to_string()
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
/// Imports a ratification CSV through the command line, as another process (or another
/// instance) writing to the same store would.
pub fn import_as_another_process(app: &TestApp, csv: &str) {
    let dir = tempfile::tempdir().expect("directory");
    let file = dir.path().join("ratification.csv");
    std::fs::write(&file, csv).expect("file");
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_normtrack"))
        .args(["import", "ratifications"])
        .arg(&file)
        .env("DATABASE_URL", app.database_url())
        .env("RUST_LOG", "warn")
        .output()
        .expect("normtrack runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The events of a calendar feed.
pub fn feed_events(calendar: &icalendar::Calendar) -> Vec<&icalendar::Event> {
    calendar
        .components
        .iter()
        .filter_map(|c| match c {
            icalendar::CalendarComponent::Event(e) => Some(e),
            _ => None,
        })
        .collect()
}

pub fn seed_rows(file: &str) -> Vec<csv::StringRecord> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seed-data")
        .join(file);
    let mut reader = csv::Reader::from_path(&path).expect("seed file");
    reader.records().map(|r| r.expect("seed row")).collect()
}
