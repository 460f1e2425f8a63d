//! The notification worker (issue 17): delivers what the outbox holds to webhooks (signed,
//! retried with backoff for 24 hours, at least once with a stable `webhook-id`) and sends the
//! day's digests. It runs inside `serve` every `NORMTRACK_NOTIFY_INTERVAL` seconds and as
//! `normtrack notify run --once` from cron. Several instances on one PostgreSQL share the work:
//! each delivery is claimed with `SKIP LOCKED` before it is sent, each digest by its key.

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::db::{self, DbConn};
use crate::domain::delivery_backoff::{after_failure, AfterFailure};
use crate::domain::webhook_signature::{headers, Secret};
use crate::error::{AppError, AppResult};
use crate::outbound::http::WebhookClient;
use crate::outbound::mail::Mailer;
use crate::repo::webhooks::{self as store, Attempt, Claimed};

use super::digests::DigestReport;

/// Deliveries claimed at a time.
const BATCH: i64 = 10;
/// How long a claim holds: longer than a batch can take (10 × 10 s); a worker that died
/// holding one lets it go after this.
pub const CLAIM_FOR: Duration = Duration::minutes(5);
/// The most deliveries one pass attempts.
const PASS_LIMIT: usize = 1_000;

/// What the worker sends with.
pub struct Outbound {
    pub webhooks: WebhookClient,
    /// `None`: e-mail is off.
    pub mailer: Option<Mailer>,
    /// The address links in e-mails start with.
    pub public_base: String,
}

/// What one pass did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct PassReport {
    pub delivered: usize,
    /// Failed attempts to be tried again later.
    pub retrying: usize,
    /// Deliveries given up after 24 hours of retries.
    pub failed: usize,
    /// `None`: e-mail is off, or digests were not due this pass.
    pub digests: Option<DigestReport>,
    /// Changes mailed at once; `None`: e-mail is off.
    pub changes: Option<super::subscriptions::ImmediateReport>,
}

fn connection(pool: &db::Pool) -> AppResult<db::PooledConn> {
    pool.get().map_err(|e| AppError::Unavailable(e.to_string()))
}

/// Attempts one claimed delivery and records the outcome.
fn attempt(
    conn: &mut DbConn,
    client: &WebhookClient,
    claimed: &Claimed,
    now: NaiveDateTime,
) -> AppResult<&'static str> {
    let body = claimed.payload.as_bytes();
    let outcome = match Secret::parse(&claimed.secret) {
        Ok(secret) => {
            let sent_at = chrono::Utc::now().timestamp();
            let signed = headers(&secret, &claimed.delivery.message_id, sent_at, body);
            client.post(&claimed.url, &signed, body)
        }
        Err(_) => crate::outbound::http::Outcome {
            status: None,
            error: Some("the endpoint's secret is unreadable".into()),
        },
    };
    let attempts = claimed.delivery.attempts + 1;
    let first = claimed.delivery.first_attempt_at.unwrap_or(now);
    let (status, next) = match &outcome.error {
        None => ("delivered", now),
        Some(_) => match after_failure(attempts, first, now) {
            AfterFailure::RetryAt(next) => ("pending", next),
            AfterFailure::GiveUp => ("failed", now),
        },
    };
    if let Some(error) = &outcome.error {
        tracing::info!(
            delivery = claimed.delivery.id,
            attempts,
            status,
            error,
            "webhook delivery failed"
        );
    }
    db::write_transaction(conn, |conn| {
        store::record_attempt(
            conn,
            Attempt {
                id: claimed.delivery.id,
                at: now,
                status,
                next_attempt_at: next,
                first_attempt_at: first,
                http_status: outcome.status.map(i32::from),
                error: outcome.error.clone(),
            },
        )
    })?;
    Ok(status)
}

/// Delivers what is due at `now`.
pub fn deliver_webhooks(
    pool: &db::Pool,
    client: &WebhookClient,
    now: NaiveDateTime,
) -> AppResult<PassReport> {
    let mut conn = connection(pool)?;
    let conn: &mut DbConn = &mut conn;
    // The pass's clock starts at `now` and runs on with real time, so that a long pass claims
    // each batch (and dates each attempt) at the time it really does.
    let started = std::time::Instant::now();
    let clock = || now + Duration::from_std(started.elapsed()).unwrap_or_else(|_| Duration::zero());
    let mut report = PassReport::default();
    let mut done = 0;
    while done < PASS_LIMIT {
        let at = clock();
        let batch = db::write_transaction(conn, |conn| store::claim(conn, at, at + CLAIM_FOR, BATCH))?;
        if batch.is_empty() {
            break;
        }
        done += batch.len();
        for claimed in &batch {
            match attempt(conn, client, claimed, clock())? {
                "delivered" => report.delivered += 1,
                "failed" => report.failed += 1,
                _ => report.retrying += 1,
            }
        }
    }
    Ok(report)
}

/// One pass: webhooks due at `now`, then (with e-mail on) the changes mailed at once and the
/// digests of `today`.
pub fn run_once(
    pool: &db::Pool,
    outbound: &Outbound,
    now: NaiveDateTime,
    today: NaiveDate,
    digests: bool,
) -> AppResult<PassReport> {
    let mut report = deliver_webhooks(pool, &outbound.webhooks, now)?;
    if let Some(mailer) = &outbound.mailer {
        report.changes = Some(super::subscriptions::mail_immediate(
            pool,
            mailer,
            &outbound.public_base,
        )?);
        if digests {
            report.digests = Some(super::digests::run(pool, mailer, today, &outbound.public_base)?);
        }
    }
    Ok(report)
}

/// How often the worker inside `serve` looks at the digests (they are claimed per person and
/// day, so looking again costs one read per person).
const DIGEST_EVERY: std::time::Duration = std::time::Duration::from_secs(15 * 60);

/// Starts the worker inside `serve`: a pass every `interval`, on its own thread.
pub fn spawn_worker(
    pool: db::Pool,
    outbound: Outbound,
    interval: std::time::Duration,
) -> std::io::Result<()> {
    std::thread::Builder::new().name("notify".into()).spawn(move || {
        let mut last_digests: Option<std::time::Instant> = None;
        loop {
            let digests = last_digests.is_none_or(|at| at.elapsed() >= DIGEST_EVERY);
            let now = crate::repo::now();
            match run_once(&pool, &outbound, now, now.date(), digests) {
                Ok(report) => {
                    if digests {
                        last_digests = Some(std::time::Instant::now());
                    }
                    if report.delivered + report.retrying + report.failed > 0
                        || report.digests.as_ref().is_some_and(|d| d.sent + d.failed > 0)
                    {
                        tracing::info!(?report, "notification pass");
                    }
                }
                Err(e) => tracing::warn!(error = %e, "notification pass failed; trying again at the next"),
            }
            std::thread::sleep(interval);
        }
    })?;
    Ok(())
}
