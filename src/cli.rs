//! The `normtrack` command line.

use std::io::{Read, Write};
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
    Seed {
        /// Also add demo organizations and one demo user per role (passwords printed once).
        #[arg(long)]
        demo: bool,
    },
    /// Manage accounts.
    Users {
        #[command(subcommand)]
        command: UsersCommand,
    },
    /// Import records from a CSV file, all or nothing.
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Export records as CSV.
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Reporting to the ILO supervisory bodies.
    Reports {
        #[command(subcommand)]
        command: ReportsCommand,
    },
    /// Deliver webhooks and e-mail digests.
    Notify {
        #[command(subcommand)]
        command: NotifyCommand,
    },
    /// Print the OpenAPI document (or write it to a file).
    Openapi {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
pub enum NotifyCommand {
    /// Deliver what is due: webhook deliveries, then the day's digests (when e-mail is
    /// configured). With `--once`, one pass for cron or catch-up; without, a worker that keeps
    /// going every `NORMTRACK_NOTIFY_INTERVAL` seconds (default 5), as inside `serve`.
    Run {
        /// One pass, then stop.
        #[arg(long)]
        once: bool,
        /// The day whose digests to send (YYYY-MM-DD); default today (UTC). Webhooks are
        /// always delivered by the clock.
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum ReportsCommand {
    /// Generate a year's Article 22 report requests and standard tasks from the schedule
    /// (idempotent: a second run creates nothing new).
    Generate {
        /// The reporting year.
        #[arg(long)]
        year: i32,
        /// The due date of the year's reports (YYYY-MM-DD); default 1 September of the year.
        #[arg(long)]
        due_on: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// Create an account; the password is read from standard input (never an argument),
    /// unless the account signs in through single sign-on only (`--sso-only`).
    /// On a fresh database this is how the first administrator is made.
    Create {
        #[arg(long)]
        email: String,
        /// admin, office, government, employer, worker or viewer.
        #[arg(long)]
        role: String,
        /// A country the user covers (office, repeatable) or belongs to (constituents).
        #[arg(long = "country")]
        countries: Vec<String>,
        /// The organization of a government, employer or worker user.
        #[arg(long)]
        organization: Option<i32>,
        #[arg(long)]
        display_name: Option<String>,
        /// The account signs in through its organization's identity provider only: no
        /// password is read or accepted.
        #[arg(long)]
        sso_only: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import a ratification CSV (the columns of the export); shows progress on large files.
    Ratifications {
        file: PathBuf,
        /// Check the file and print the counts; change nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write every ratification record as CSV (to standard output, or a file).
    Ratifications {
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
        Command::Seed { demo } => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            db::migrations::run_pending(&mut conn)?;
            match seed::seed(&mut conn)? {
                SeedOutcome::Seeded { countries, conventions, ratifications } => println!(
                    "seeded {countries} countries, {conventions} instruments, {ratifications} ratification records"
                ),
                SeedOutcome::AlreadySeeded => println!("the database already has data; nothing seeded"),
            }
            if let Some(s) = seed::seed_trade_and_supervision(&mut conn)? {
                println!(
                    "seeded {} trade arrangements ({} membership events, {} instruments named), {} supervisory comments",
                    s.arrangements, s.events, s.instruments, s.comments
                );
            }
            if let Some(n) = seed::seed_rbc(&mut conn)? {
                println!("seeded {n} responsible-business-conduct initiatives");
            }
            if demo {
                let created = crate::demo::seed_demo(&mut conn)?;
                if created.is_empty() {
                    println!("the demo accounts exist already; their passwords are not shown again");
                } else {
                    println!("demo accounts (passwords shown once; DEMO data, not for production):");
                    for account in created {
                        println!(
                            "  {:<10} {:<34} {}",
                            account.role, account.email, account.password
                        );
                    }
                }
            }
            Ok(())
        }
        Command::Users {
            command:
                UsersCommand::Create {
                    email,
                    role,
                    countries,
                    organization,
                    display_name,
                    sso_only,
                },
        } => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            db::migrations::run_pending(&mut conn)?;
            let role: crate::domain::access::Role = role.parse()?;
            let password = if sso_only {
                None
            } else {
                let mut password = String::new();
                std::io::stdin().read_to_string(&mut password)?;
                Some(password.trim_end_matches(['\r', '\n']).to_string())
            };
            let (countries, country) = if role.is_constituent() {
                (Vec::new(), countries.into_iter().next())
            } else {
                (countries, None)
            };
            let new = crate::service::users::NewUser {
                email,
                display_name,
                role,
                countries,
                country,
                organization,
                password,
                active: true,
                sso_only,
            };
            let user =
                crate::service::users::create_user(&mut conn, &crate::domain::access::Caller::cli(), new)
                    .map_err(describe)?;
            println!(
                "created user {} ({}, {})",
                user.row.id, user.row.email, user.row.role
            );
            Ok(())
        }
        Command::Import {
            what: ImportCommand::Ratifications { file, dry_run },
        } => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            db::migrations::run_pending(&mut conn)?;
            let csv = std::fs::read(&file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
            let today = chrono::Utc::now().date_naive();
            let mut last = std::time::Instant::now();
            let mut progress = |phase: &str, done: usize, total: usize| {
                if done == total || last.elapsed().as_millis() >= 500 {
                    eprintln!("{phase} {done}/{total} rows");
                    last = std::time::Instant::now();
                }
            };
            let caller = crate::domain::access::Caller::cli();
            match crate::service::ratifications::import(
                &mut conn,
                &caller,
                &csv,
                dry_run,
                today,
                &mut progress,
            ) {
                Ok(s) => {
                    let verb = if s.dry_run { "would be" } else { "were" };
                    println!(
                        "{} rows: {} {verb} inserted, {} {verb} updated, {} unchanged",
                        s.rows, s.inserted, s.updated, s.unchanged
                    );
                    Ok(())
                }
                Err(crate::service::ratifications::ImportError::Rows(rows)) => {
                    let (total, omitted) = (rows.total(), rows.omitted());
                    for row in &rows.into_sorted() {
                        eprintln!("{}: {row}", file.display());
                    }
                    if omitted > 0 {
                        eprintln!("{}: {omitted} more error(s) not listed", file.display());
                    }
                    Err(format!("{total} error(s) in the file; nothing was imported").into())
                }
                Err(crate::service::ratifications::ImportError::App(e)) => Err(describe(e)),
            }
        }
        Command::Export {
            what: ExportCommand::Ratifications { output },
        } => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            let mut out: Box<dyn Write> = match output {
                Some(path) => Box::new(std::io::BufWriter::new(std::fs::File::create(&path)?)),
                None => Box::new(std::io::stdout().lock()),
            };
            // Page by page, as the API streams it: memory does not grow with the data.
            out.write_all(&crate::import::ratifications::header_csv())?;
            let filter = Default::default();
            let mut after = None;
            loop {
                let (bytes, next) =
                    crate::service::ratifications::export_page(&mut conn, &filter, after.as_ref())
                        .map_err(describe)?;
                out.write_all(&bytes)?;
                match next {
                    Some(key) => after = Some(key),
                    None => break,
                }
            }
            out.flush()?;
            Ok(())
        }
        Command::Reports {
            command: ReportsCommand::Generate { year, due_on },
        } => {
            let settings = Settings::from_env()?;
            let mut conn = open(&settings)?;
            db::migrations::run_pending(&mut conn)?;
            eprintln!("generating the report requests of {year}...");
            let caller = crate::domain::access::Caller::cli();
            let today = chrono::Utc::now().date_naive();
            let s = crate::service::reporting::generate(&mut conn, &caller, year, due_on, today)
                .map_err(describe)?;
            println!(
                "{year} (due {}): created {} regular and {} first report requests and {} tasks; \
                 already present {} regular, {} first, {} tasks; {} default schedules made",
                s.due_on,
                s.created.article22_regular,
                s.created.article22_first,
                s.created.tasks,
                s.already_present.article22_regular,
                s.already_present.article22_first,
                s.already_present.tasks,
                s.schedules_created
            );
            Ok(())
        }
        Command::Notify {
            command: NotifyCommand::Run { once, as_of },
        } => {
            let settings = Settings::from_env()?;
            let pool = db::build_pool(
                &settings.database_url,
                &db::PoolSettings {
                    max_size: 2,
                    connection_timeout: settings.timeouts.db_connection,
                },
            )?;
            {
                let mut conn = pool.get()?;
                db::migrations::run_pending(&mut conn)?;
            }
            let outbound = outbound(&settings)?;
            if !once {
                let interval = std::time::Duration::from_secs(settings.notify.interval_seconds.max(1));
                eprintln!("delivering every {} s; stop with Ctrl-C", interval.as_secs());
                crate::service::notify::spawn_worker(pool, outbound, interval)?;
                loop {
                    std::thread::park();
                }
            }
            let now = crate::repo::now();
            let day = as_of.unwrap_or(now.date());
            let report =
                crate::service::notify::run_once(&pool, &outbound, now, day, true).map_err(describe)?;
            println!(
                "webhooks: {} delivered, {} to retry, {} given up",
                report.delivered, report.retrying, report.failed
            );
            if let Some(c) = &report.changes {
                println!(
                    "changes mailed at once: {} sent, {} not taken by the mail server (retried at the next pass)",
                    c.sent, c.failed
                );
            }
            match report.digests {
                Some(d) => println!(
                    "digests of {day}: {} sent, {} with nothing due, {} sent before, {} not taken by the mail server (retried at the next pass)",
                    d.sent, d.empty, d.already, d.failed
                ),
                None => println!("digests: e-mail is off (set NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM)"),
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

/// A problem as one line for the terminal, with its field errors.
fn describe(e: crate::error::AppError) -> Box<dyn std::error::Error + Send + Sync> {
    let problem = e.problem();
    let mut text = problem.detail;
    for field in problem.errors {
        text.push_str(&format!("\n  {}: {}", field.field, field.message));
    }
    text.into()
}

/// What the notification worker sends with, from the settings.
fn outbound(
    settings: &Settings,
) -> Result<crate::service::notify::Outbound, Box<dyn std::error::Error + Send + Sync>> {
    Ok(crate::service::notify::Outbound {
        webhooks: crate::outbound::http::WebhookClient::new(settings.notify.webhooks),
        mailer: settings.notify.mailer()?,
        public_base: settings.public_base(),
    })
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
    if state.notify.mailer.is_none() {
        tracing::warn!(
            "e-mail is off: NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM are not set; no reminders are sent"
        );
    }
    if settings.notify.interval_seconds > 0 {
        let interval = std::time::Duration::from_secs(settings.notify.interval_seconds);
        crate::service::notify::spawn_worker(state.pool.clone(), outbound(&settings)?, interval)?;
        tracing::info!(every_seconds = interval.as_secs(), "notification worker started");
    }
    if let Some(address) = settings.metrics_bind {
        let metrics = startup::run_metrics(TcpListener::bind(address)?, state.clone())?;
        tracing::info!(%address, "metrics served without a token");
        actix_web::rt::spawn(metrics);
    }
    startup::run_with(listener, state, &settings.timeouts)?.await?;
    tracing::info!("normtrack stopped");
    Ok(())
}
