//! The real `normtrack` binary in its own process, on a free loopback port, over a fresh
//! database: started, killed (`SIGKILL`), stopped (`SIGTERM`) and restarted on the same
//! database. Its standard output and error go to a log file the tests scan.

use std::collections::HashMap;
use std::fs::OpenOptions;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

pub use crate::postgres::admin_url as postgres_admin_url;

/// A database that exists for one test and is removed after it, with a directory for the
/// server's logs (and, on SQLite, the database file).
pub struct Database {
    pub engine: Engine,
    pub url: String,
    postgres_name: Option<String>,
    dir: tempfile::TempDir,
}

impl Database {
    /// A fresh, empty database; `None` when PostgreSQL is unreachable outside CI (the test is
    /// then skipped with a message). Under `CI=true` an unreachable PostgreSQL fails the test.
    pub fn create(engine: Engine) -> Option<Database> {
        let dir = tempfile::tempdir().expect("a temporary directory for the database and logs");
        match engine {
            Engine::Sqlite => Some(Database {
                engine,
                url: dir.path().join("normtrack.db").to_string_lossy().into_owned(),
                postgres_name: None,
                dir,
            }),
            Engine::Postgres => {
                let (url, name) = crate::postgres::create_database("normtrack_test_rel")?;
                Some(Database {
                    engine,
                    url,
                    postgres_name: Some(name),
                    dir,
                })
            }
        }
    }

    /// The directory of the server logs (and the SQLite file).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Some(name) = &self.postgres_name {
            crate::postgres::drop_database(name);
        }
    }
}

/// A demo account: e-mail address and password.
#[derive(Debug, Clone)]
pub struct Account {
    pub email: String,
    pub password: String,
}

/// Runs `normtrack seed --demo` on `database_url` (which also migrates and seeds it) and
/// returns the demo accounts by the local part of their address (`admin`, `office`,
/// `government.zwe`, `employer.vnm`, `viewer`, …).
pub fn seed_demo(database_url: &str) -> HashMap<String, Account> {
    let output = Command::new(binary())
        .args(["seed", "--demo"])
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .output()
        .expect("run normtrack seed --demo");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "normtrack seed --demo failed: {stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut accounts = HashMap::new();
    for line in stdout.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [_role, email, password] = words[..] {
            if let Some((local, _)) = email.split_once('@') {
                accounts.insert(
                    local.to_string(),
                    Account {
                        email: email.to_string(),
                        password: password.to_string(),
                    },
                );
            }
        }
    }
    assert!(
        accounts.contains_key("admin") && accounts.contains_key("viewer"),
        "no demo accounts in: {stdout}"
    );
    accounts
}

/// The server binary: `NORMTRACK_TEST_BIN` when set (e.g. when another checkout shares the
/// target directory and may overwrite `target/debug/normtrack`), else the one cargo built.
pub fn binary() -> PathBuf {
    std::env::var_os("NORMTRACK_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_normtrack")))
}

/// A loopback port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port()
}

/// Peak resident memory of a process so far, in MiB.
pub fn peak_mb(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc/<pid>/status");
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/<pid>/status");
    kb / 1024
}

/// `normtrack serve` in its own process.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
    database_url: String,
    env: Vec<(String, String)>,
    log: PathBuf,
    exit: Option<ExitStatus>,
}

impl ServerProcess {
    /// Starts the server on `database_url` with extra environment variables, logging to
    /// `server.log` in `log_dir`, and waits until `/healthz` answers.
    pub fn start(database_url: &str, env: &[(&str, &str)], log_dir: &Path) -> ServerProcess {
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        let log = log_dir.join("server.log");
        let addr: SocketAddr = format!("127.0.0.1:{}", free_port())
            .parse()
            .expect("a socket address");
        let child = spawn(database_url, addr, &env, &log);
        let mut server = ServerProcess {
            child,
            addr,
            database_url: database_url.to_string(),
            env,
            log,
            exit: None,
        };
        server.wait_until_live();
        server
    }

    /// Starts the server again on the same database and port, after it stopped.
    pub fn restart(&mut self) {
        assert!(self.exit.is_some(), "restart of a server that still runs");
        self.child = spawn(&self.database_url, self.addr, &self.env, &self.log);
        self.exit = None;
        self.wait_until_live();
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    fn wait_until_live(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(90);
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server process") {
                panic!("the server exited at start ({status}):\n{}", self.log_text());
            }
            if raw_get_status(self.addr, "/healthz") == Some(200) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "the server did not answer /healthz within 90 s:\n{}",
                self.log_text()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// `kill -9`: the process gets no chance to clean up.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.exit = Some(self.child.wait().expect("reap the killed server"));
        log_line(&self.log, "----- test: server killed with SIGKILL -----");
    }

    /// Sends SIGTERM (a graceful stop) without waiting.
    pub fn sigterm(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .expect("run kill -TERM");
        assert!(status.success(), "kill -TERM {} failed", self.pid());
    }

    /// Waits up to `within` for the process to exit.
    pub fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + within;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll the server process") {
                self.exit = Some(status);
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Everything the server (all its runs) wrote to standard output and error.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_path(&self) -> &Path {
        &self.log
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if std::thread::panicking() {
            let log = self.log_text();
            let tail: Vec<&str> = log.lines().rev().take(60).collect();
            eprintln!(
                "----- the last lines of the server log ({}) -----",
                self.log.display()
            );
            for line in tail.iter().rev() {
                eprintln!("{line}");
            }
        }
        if self.exit.is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn log_line(log: &Path, line: &str) {
    if let Ok(mut file) = OpenOptions::new().append(true).create(true).open(log) {
        let _ = writeln!(file, "{line}");
    }
}

fn spawn(database_url: &str, addr: SocketAddr, env: &[(String, String)], log: &Path) -> Child {
    log_line(
        log,
        &format!("----- test: starting normtrack serve on {addr} -----"),
    );
    let file = OpenOptions::new()
        .append(true)
        .create(true)
        .open(log)
        .expect("open the server log");
    let mut command = Command::new(binary());
    command
        .arg("serve")
        .env_clear()
        .env("DATABASE_URL", database_url)
        .env("NORMTRACK_BIND", addr.to_string())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(file.try_clone().expect("clone the log handle"))
        .stderr(file);
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().expect("spawn normtrack serve")
}

/// The status of a `GET` sent over a fresh connection, or `None` when nothing answers.
pub fn raw_get_status(addr: SocketAddr, path: &str) -> Option<u16> {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    stream
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").as_bytes())
        .ok()?;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    String::from_utf8_lossy(&response)
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Lines of a server log that show a failure the suite never accepts.
pub fn bad_log_lines(log: &str) -> Vec<String> {
    log.lines()
        .filter(|line| {
            let lower = line.to_lowercase();
            lower.contains("database is locked") || lower.contains("panicked")
        })
        .map(str::to_string)
        .collect()
}
