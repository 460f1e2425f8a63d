//! Serving an empty database migrates and seeds it; a database with data is never seeded
//! twice.

use diesel::prelude::*;
use normtrack::db::schema::{ratification_history, ratifications};
use normtrack::seed::{self, SeedOutcome};
use normtrack::startup;

use crate::helpers::{Engine, TestDb};

fn seeds_once_and_never_again(engine: Engine) {
    let Some(db) = TestDb::create(engine) else {
        return;
    };
    let state = startup::prepare_database(&db.settings()).expect("first start");
    let mut conn = state.pool.get().expect("connection");
    assert_eq!(normtrack::repo::countries::count(&mut conn).unwrap(), 187);
    assert_eq!(normtrack::repo::conventions::count(&mut conn).unwrap(), 17);
    assert_eq!(normtrack::repo::ratifications::count(&mut conn).unwrap(), 1054);
    assert_eq!(
        normtrack::repo::ratifications::history_count(&mut conn, "VNM", "C098").unwrap(),
        1,
        "every seeded record starts its history"
    );

    // Someone removes a record; a restart must not bring it back or duplicate anything.
    diesel::delete(
        ratification_history::table
            .filter(ratification_history::country.eq("VNM"))
            .filter(ratification_history::convention.eq("C098")),
    )
    .execute(&mut conn)
    .expect("delete history");
    diesel::delete(ratifications::table.find(("VNM", "C098")))
        .execute(&mut conn)
        .expect("delete record");
    let remaining = normtrack::repo::ratifications::count(&mut conn).unwrap();
    assert_eq!(remaining, 1053);
    drop(conn);
    drop(state);

    let state = startup::prepare_database(&db.settings()).expect("second start");
    let mut conn = state.pool.get().expect("connection");
    assert_eq!(seed::seed(&mut conn).unwrap(), SeedOutcome::AlreadySeeded);
    assert_eq!(normtrack::repo::countries::count(&mut conn).unwrap(), 187);
    assert_eq!(normtrack::repo::conventions::count(&mut conn).unwrap(), 17);
    assert_eq!(
        normtrack::repo::ratifications::count(&mut conn).unwrap(),
        remaining
    );
}

#[test]
fn restart_does_not_seed_twice_on_sqlite() {
    seeds_once_and_never_again(Engine::Sqlite);
}

#[test]
fn restart_does_not_seed_twice_on_postgres() {
    seeds_once_and_never_again(Engine::Postgres);
}

fn migrate_then_seed_commands_work_separately(engine: Engine) {
    let Some(db) = TestDb::create(engine) else {
        return;
    };
    let manager = normtrack::db::ConnectionManager::new(&db.url);
    let mut conn = manager.establish().expect("connect");
    let applied = normtrack::db::migrations::run_pending(&mut conn).expect("migrate");
    assert!(!applied.is_empty());
    assert!(normtrack::db::migrations::run_pending(&mut conn)
        .expect("migrate again")
        .is_empty());
    assert_eq!(
        normtrack::repo::countries::count(&mut conn).unwrap(),
        0,
        "migrate alone does not seed"
    );
    assert!(matches!(
        seed::seed(&mut conn).unwrap(),
        SeedOutcome::Seeded {
            countries: 187,
            conventions: 17,
            ratifications: 1054
        }
    ));
    assert_eq!(seed::seed(&mut conn).unwrap(), SeedOutcome::AlreadySeeded);
}

#[test]
fn migrate_and_seed_are_separate_steps_on_sqlite() {
    migrate_then_seed_commands_work_separately(Engine::Sqlite);
}

#[test]
fn migrate_and_seed_are_separate_steps_on_postgres() {
    migrate_then_seed_commands_work_separately(Engine::Postgres);
}
