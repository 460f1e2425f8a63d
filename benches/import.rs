//! Import benchmark (not a test): on a throwaway database per engine, adds 200 generated
//! instruments and imports a file of every instrument × every member state (about 40,000
//! rows), printing rows per second, beside the time `sqlite3`'s own `.import` takes to load
//! the same file into a bare table.
//!
//! Run: `cargo bench --bench import` (PostgreSQL at NORMTRACK_BENCH_POSTGRES_URL, default
//! postgres://postgres@127.0.0.1:5432/postgres; skipped when unreachable).

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use normtrack::config::Settings;
use normtrack::domain::access::Caller;
use normtrack::repo;
use normtrack::repo::conventions::ConventionRow;

const GENERATED: i32 = 200;

fn settings(url: String) -> Settings {
    Settings {
        database_url: url,
        bind: "127.0.0.1:0".parse().expect("address"),
        pool_size: 2,
        jwt_secret: None,
        timeouts: Default::default(),
        limits: Default::default(),
        public_url: None,
        metrics_bind: None,
        notify: Default::default(),
        sso: Vec::new(),
    }
}

fn generated_instrument(i: i32) -> ConventionRow {
    ConventionRow {
        code: format!("C{}", 1000 + i),
        instrument_type: normtrack::domain::reference::InstrumentType::Convention,
        title: format!("Generated Benchmark Convention, 2000 (No. {})", 1000 + i),
        short_title: format!("Generated Benchmark Convention {i}"),
        category: normtrack::domain::reference::Category::Technical,
        principle: None,
        parent: None,
        adopted_year: 2000,
        adopted_on: chrono::NaiveDate::from_ymd_opt(2000, 6, 1),
        in_force_on: chrono::NaiveDate::from_ymd_opt(2001, 6, 1),
        dates_source: "benchmark".into(),
        dates_confidence: "generated".into(),
        normlex_id: None,
        reference_ratifications: None,
        reference_ratifications_as_of: None,
        reference_ratifications_source: None,
        version: 1,
    }
}

/// Every instrument × every member state: generated instruments ratified on varying days,
/// the seeded ones in progress.
fn build_file(codes: &[String], countries: &[String]) -> String {
    let mut csv =
        String::from("country,convention,status,stage,registered_on,minimum_age,source,source_date\n");
    let base = chrono::NaiveDate::from_ymd_opt(2002, 1, 1).expect("date");
    for (i, code) in codes.iter().enumerate() {
        for (j, country) in countries.iter().enumerate() {
            if code.len() > 4 {
                let day = base + chrono::Duration::days(((i * 7 + j * 13) % 7000) as i64);
                let _ = writeln!(csv, "{country},{code},ratified,,{day},,benchmark file,2026-11");
            } else {
                let _ = writeln!(
                    csv,
                    "{country},{code},in_progress,under_consideration,,,benchmark file,2026-11"
                );
            }
        }
    }
    csv
}

fn run(engine: &str, url: String) {
    let state = normtrack::startup::prepare_database(&settings(url)).expect("prepare database");
    let mut conn = state.pool.get().expect("connection");
    for i in 1..=GENERATED {
        repo::conventions::insert(&mut conn, &generated_instrument(i)).expect("instrument");
    }
    let codes: Vec<String> = repo::conventions::all(&mut conn)
        .expect("instruments")
        .into_iter()
        .map(|c| c.code)
        .collect();
    let countries = repo::countries::codes(&mut conn).expect("countries");
    let csv = build_file(&codes, &countries);
    let rows = codes.len() * countries.len();
    let today = chrono::Utc::now().date_naive();
    let caller = Caller::cli();

    let started = Instant::now();
    let summary = normtrack::service::ratifications::import(
        &mut conn,
        &caller,
        csv.as_bytes(),
        true,
        today,
        &mut |_, _, _| {},
    )
    .unwrap_or_else(|e| panic!("dry run failed: {e:?}"));
    let dry = started.elapsed();
    let started = Instant::now();
    let summary2 = normtrack::service::ratifications::import(
        &mut conn,
        &caller,
        csv.as_bytes(),
        false,
        today,
        &mut |_, _, _| {},
    )
    .unwrap_or_else(|e| panic!("import failed: {e:?}"));
    let wet = started.elapsed();
    assert_eq!(summary.rows, rows);
    let per_sec = |d: Duration| rows as f64 / d.as_secs_f64();
    println!(
        "{engine:<9} {rows} rows ({} MB): dry run {:.2} s ({:.0} rows/s); import {:.2} s ({:.0} rows/s; {} inserted, {} updated)",
        csv.len() / 1_000_000,
        dry.as_secs_f64(),
        per_sec(dry),
        wet.as_secs_f64(),
        per_sec(wet),
        summary2.inserted,
        summary2.updated
    );
    if engine == "sqlite" {
        sqlite3_import(&csv, rows);
    }
}

/// The same file through the `sqlite3` shell's `.import` into a bare table: the floor for
/// loading CSV into SQLite with no validation, history or audit.
fn sqlite3_import(csv: &str, rows: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("file.csv");
    std::fs::write(&file, csv).expect("write csv");
    let db = dir.path().join("bare.db");
    let started = Instant::now();
    let out = std::process::Command::new("sqlite3")
        .arg(&db)
        .arg(".mode csv")
        .arg(format!(".import {} ratifications", file.display()))
        .output();
    let elapsed = started.elapsed();
    match out {
        Ok(out) if out.status.success() => println!(
            "{:<9} {rows} rows: sqlite3 .import {:.2} s ({:.0} rows/s)",
            "sqlite3",
            elapsed.as_secs_f64(),
            rows as f64 / elapsed.as_secs_f64()
        ),
        Ok(out) => println!("sqlite3 .import failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => println!("sqlite3 not available ({e}); `apt-get install sqlite3` to compare"),
    }
}

fn main() {
    let dir = tempfile::tempdir().expect("temp dir");
    run(
        "sqlite",
        dir.path().join("bench.db").to_string_lossy().into_owned(),
    );

    let admin_url = std::env::var("NORMTRACK_BENCH_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    match PgConnection::establish(&admin_url) {
        Ok(mut admin) => {
            let name = format!("normtrack_bench_{}", std::process::id());
            admin
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("create database");
            let base = admin_url
                .rsplit_once('/')
                .map(|(b, _)| b)
                .unwrap_or(&admin_url)
                .to_string();
            run("postgres", format!("{base}/{name}"));
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
        Err(e) => println!("postgres  skipped: {e}"),
    }
}
