//! The reliability suite (issue 8, load and faults). Every test starts the real `normtrack`
//! binary as a separate process on a free loopback port over a fresh database (SQLite and
//! PostgreSQL) and drives it over HTTP from this process: load by every role at once, `kill
//! -9` in the middle of an import and of a stream of writes, a graceful stop (SIGTERM) with
//! a request in flight, PostgreSQL going away and coming back (through a proxy in this
//! process), and the request-head and keep-alive time limits.
//!
//! The tests are ignored by a plain `cargo test`; run them with
//! `cargo test --test reliability -- --ignored --test-threads=1 --nocapture`
//! (`NORMTRACK_LOAD_SECONDS` shortens the load test; under `CI=true` an unreachable
//! PostgreSQL fails instead of skipping).

mod client;
mod faults;
mod hostile;
mod load;
mod pg_proxy;
#[path = "../common/postgres.rs"]
mod postgres;
mod server;
mod store;
mod timeouts;
mod writes;
