//! Throwaway PostgreSQL databases for the test binaries (`tests/api`, `tests/reliability`),
//! one per test, created on the server at `NORMTRACK_TEST_POSTGRES_URL` and dropped after it.
//! Included by each binary with `#[path]`; it is not a test target of its own.

use std::sync::atomic::{AtomicU32, Ordering};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};

/// The PostgreSQL server the tests create their databases on.
pub fn admin_url() -> String {
    std::env::var("NORMTRACK_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string())
}

/// Under CI an unreachable PostgreSQL fails the tests instead of skipping them.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// A fresh, empty database whose name starts with `prefix`: `(url, name)`. `None` when
/// PostgreSQL is unreachable outside CI (the caller's test is then skipped with a message);
/// under `CI=true` an unreachable PostgreSQL panics.
pub fn create_database(prefix: &str) -> Option<(String, String)> {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let admin_url = admin_url();
    let mut admin = match PgConnection::establish(&admin_url) {
        Ok(conn) => conn,
        Err(e) if !under_ci() => {
            eprintln!("SKIPPED: PostgreSQL unreachable at {admin_url} ({e}); set CI=true to fail instead");
            return None;
        }
        Err(e) => panic!("PostgreSQL unreachable at {admin_url} under CI: {e}"),
    };
    let name = format!(
        "{prefix}_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create the test database");
    let base = admin_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(&admin_url);
    Some((format!("{base}/{name}"), name))
}

/// Drops a database made by [`create_database`], even with connections still open.
pub fn drop_database(name: &str) {
    if let Ok(mut admin) = PgConnection::establish(&admin_url()) {
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
