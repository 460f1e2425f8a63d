//! The `normtrack` command line.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::config::Settings;
use crate::db;
use crate::seed::{self, SeedOutcome};
use crate::startup;

#[derive(Debug, Parser)]
#[command(
    name = "normtrack",
    version,
    about = "Ratification and reporting tracker for the ILO Fundamental Conventions"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the API (migrates and, when empty, seeds the database first).
    Serve,
    /// Apply pending migrations and stop.
    Migrate,
    /// Load the default seed data into an empty database (never twice).
    Seed,
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

pub type CliResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

pub fn run(cli: Cli) -> CliResult {
    match cli.command {
        Command::Serve => serve(),
        Command::Migrate => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            let applied = db::migrations::run_pending(&mut conn)?;
            println!("{} migration(s) applied", applied.len());
            for name in applied {
                println!("  {name}");
            }
            Ok(())
        }
        Command::Seed => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            db::migrations::run_pending(&mut conn)?;
            match seed::seed(&mut conn)? {
                SeedOutcome::Seeded { countries, conventions, ratifications } => println!(
                    "seeded {countries} countries, {conventions} instruments, {ratifications} ratification records"
                ),
                SeedOutcome::AlreadySeeded => println!("the database already has data; nothing seeded"),
            }
            Ok(())
        }
        Command::Openapi { output } => {
            let json = crate::openapi::document_json();
            match output {
                Some(path) => std::fs::write(&path, json)?,
                None => std::io::stdout().write_all(json.as_bytes())?,
            }
            Ok(())
        }
    }
}

fn open(settings: &Settings) -> Result<db::DbConn, Box<dyn std::error::Error + Send + Sync>> {
    let manager = db::ConnectionManager::new(&settings.database_url);
    Ok(manager.establish()?)
}

#[actix_web::main]
async fn serve() -> CliResult {
    let settings = Settings::from_env()?;
    let prepared = settings.clone();
    let state = actix_web::web::block(move || startup::prepare_database(&prepared)).await??;
    let listener = TcpListener::bind(settings.bind)?;
    tracing::info!(address = %settings.bind, engine = state.engine.name(), "normtrack listening");
    startup::run(listener, state)?.await?;
    Ok(())
}
