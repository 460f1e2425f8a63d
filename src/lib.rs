//! normtrack: a ratification and reporting tracker for the ILO Fundamental Conventions.
//!
//! Layout: `api` (HTTP handlers, one module per resource), `domain` (types and rules, no
//! HTTP or SQL), `repo` (queries per aggregate), `db` (engines, pool, migrations, schema),
//! `import` (CSV formats), `seed` (the default data), `startup`, `config`, `telemetry`,
//! `openapi`, `error`, `cli`, `outbound` (webhook and e-mail transports).

pub mod api;
pub mod auth;
pub mod cli;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod import;
pub mod metrics;
pub mod openapi;
pub mod outbound;
pub mod page;
pub mod repo;
pub mod seed;
pub mod service;
pub mod startup;
pub mod telemetry;
