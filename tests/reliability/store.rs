//! The test's own connection to the server's database, to look at what is stored after a
//! fault: counts of rows carrying a marker, SQLite's integrity checks, and whether a write
//! transaction is open right now.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use crate::server::{Database, Engine};

pub enum Store {
    Sqlite(diesel::SqliteConnection),
    Postgres(diesel::PgConnection),
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// Rows carrying one import's marker: the records, their history entries, the audit entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MarkerCounts {
    pub records: i64,
    pub history: i64,
    pub audit: i64,
}

impl MarkerCounts {
    pub const NONE: MarkerCounts = MarkerCounts {
        records: 0,
        history: 0,
        audit: 0,
    };
}

impl Store {
    pub fn open(db: &Database) -> Store {
        match db.engine {
            // No busy timeout: a probe must see a held write lock at once.
            Engine::Sqlite => Store::Sqlite(
                diesel::SqliteConnection::establish(&db.url).expect("open the SQLite file of the test"),
            ),
            Engine::Postgres => Store::Postgres(
                diesel::PgConnection::establish(&db.url).expect("connect to the test's PostgreSQL database"),
            ),
        }
    }

    fn count(&mut self, sql: &str) -> i64 {
        let query = diesel::sql_query(sql);
        let row: Count = match self {
            Store::Sqlite(c) => query.get_result(c),
            Store::Postgres(c) => query.get_result(c),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
        row.n
    }

    /// The records, history entries and audit entries that carry `marker` (a plain text of
    /// letters, digits and dashes).
    pub fn marker_counts(&mut self, marker: &str) -> MarkerCounts {
        assert!(marker.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
        MarkerCounts {
            records: self.count(&format!(
                "SELECT count(*) AS n FROM ratifications WHERE source = '{marker}'"
            )),
            history: self.count(&format!(
                "SELECT count(*) AS n FROM ratification_history WHERE after_json LIKE '%{marker}%'"
            )),
            audit: self.count(&format!(
                "SELECT count(*) AS n FROM audit_log WHERE after_json LIKE '%{marker}%'"
            )),
        }
    }

    /// SQLite: `PRAGMA integrity_check` is `ok` and `PRAGMA foreign_key_check` finds nothing.
    pub fn assert_sqlite_intact(&mut self) {
        let Store::Sqlite(c) = self else {
            return;
        };
        let lines: Vec<Line> =
            diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check")
                .load(c)
                .expect("PRAGMA integrity_check");
        let lines: Vec<String> = lines.into_iter().map(|l| l.line).collect();
        assert_eq!(lines, ["ok"], "PRAGMA integrity_check");
        let broken: Vec<Line> = diesel::sql_query(
            "SELECT \"table\" || ' row ' || coalesce(rowid, '?') || ' -> ' || parent AS line \
             FROM pragma_foreign_key_check",
        )
        .load(c)
        .expect("PRAGMA foreign_key_check");
        let broken: Vec<String> = broken.into_iter().map(|l| l.line).collect();
        assert!(broken.is_empty(), "PRAGMA foreign_key_check: {broken:?}");
        eprintln!("SQLite integrity_check ok, foreign_key_check empty");
    }

    /// Whether another connection has a write transaction open right now: on SQLite the write
    /// lock is held (`BEGIN IMMEDIATE` fails at once); on PostgreSQL a session of this
    /// database has a transaction id (it has written).
    pub fn writer_active(&mut self) -> bool {
        match self {
            Store::Sqlite(c) => match c.batch_execute("BEGIN IMMEDIATE") {
                Ok(()) => {
                    c.batch_execute("ROLLBACK").expect("roll the probe back");
                    false
                }
                Err(e) => {
                    let message = e.to_string();
                    assert!(
                        message.contains("locked") || message.contains("busy"),
                        "probe: {message}"
                    );
                    true
                }
            },
            Store::Postgres(_) => {
                self.count(
                    "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                     AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
                ) > 0
            }
        }
    }
}
