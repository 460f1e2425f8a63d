//! Migrations for both engines, embedded in the binary. The two folders under
//! `migrations/` hold the same migration names; a test keeps them in lock-step.

use diesel::connection::SimpleConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use super::DbConn;

pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");

pub type MigrationError = Box<dyn std::error::Error + Send + Sync>;

/// Applies every pending migration; returns the names of those applied.
pub fn run_pending(conn: &mut DbConn) -> Result<Vec<String>, MigrationError> {
    let names = |versions: Vec<diesel::migration::MigrationVersion<'_>>| {
        versions.iter().map(|v| v.to_string()).collect::<Vec<_>>()
    };
    match conn {
        DbConn::Sqlite(c) => Ok(names(c.run_pending_migrations(SQLITE)?)),
        DbConn::Postgres(c) => {
            // Two instances starting together on one database must not both migrate.
            c.batch_execute("SELECT pg_advisory_lock(7243000002)")?;
            let result = c.run_pending_migrations(POSTGRES).map(names);
            c.batch_execute("SELECT pg_advisory_unlock(7243000002)")?;
            result
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;
    use std::path::Path;

    fn names(engine: &str) -> BTreeSet<String> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(engine);
        std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
            .map(|entry| {
                entry
                    .expect("directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn sqlite_and_postgres_migrations_are_in_lock_step() {
        let sqlite = names("sqlite");
        let postgres = names("postgres");
        assert!(!sqlite.is_empty(), "no migrations found");
        assert_eq!(sqlite, postgres, "migration folders differ between engines");
        for name in &sqlite {
            for engine in ["sqlite", "postgres"] {
                for file in ["up.sql", "down.sql"] {
                    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
                        .join("migrations")
                        .join(engine)
                        .join(name)
                        .join(file);
                    assert!(path.is_file(), "{} is missing", path.display());
                }
            }
        }
    }
}
