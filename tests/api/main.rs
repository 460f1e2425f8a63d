//! One integration-test binary: every test runs the real server over real HTTP, on SQLite
//! and on PostgreSQL.

mod helpers;
#[path = "../common/postgres.rs"]
mod postgres;

mod abuse;
mod access_matrix;
mod accounts;
mod auth;
mod dashboard;
mod errors;
mod health;
mod languages;
mod layers;
mod notifications;
mod notify_support;
mod observability;
mod openapi;
mod page;
mod programmes;
mod public_read;
mod ratifications;
mod rbc;
mod read_cache;
mod reference_data;
mod reforms;
mod reporting;
mod security;
mod seeding;
mod sso;
mod tracking;
mod trade;
mod webhook_signature;
