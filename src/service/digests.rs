//! The daily digest (issue 17): one e-mail per person per day listing what falls due at their
//! reminder leads within their work scope (the scope of `/deadlines`), grouped by country,
//! each with its link, and the changes they follow in the digest; nothing on a day with
//! nothing due and nothing changed.
//!
//! Never twice: the digest of (person, day) and each (person, deadline, lead) it lists are
//! claimed in a committed transaction before the message is sent, and marked after. A crash
//! in between leaves the claim `sending`: it is reported, never sent again. A message the
//! mail server did not take gives its claim back, to be tried at the next pass.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, Principal, Role};
use crate::domain::deadlines::Deadline;
use crate::domain::pagination::PageRequest;
use crate::domain::reminders::{lead_on, window, ReminderSettings};
use crate::error::{AppError, AppResult};
use crate::outbound::mail::Mailer;
use crate::repo;
use crate::repo::subscriptions::{self as subscribed, Waiting};
use crate::service::deadlines::{collect, DeadlineFilter};

/// What one pass of digests did.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct DigestReport {
    /// Digests sent.
    pub sent: usize,
    /// People with nothing due that day (nothing sent).
    pub empty: usize,
    /// Digests of that day claimed before (sent, failed, or cut short by a crash).
    pub already: usize,
    /// Digests not sent: tried again at the next pass when the mail server could not be
    /// reached or deferred them, never when it refused them or the exchange was cut off.
    pub failed: usize,
}

/// One deadline due at a lead.
#[derive(Debug, Clone)]
pub struct Due {
    pub deadline: Deadline,
    /// Days before the due date; negative: days overdue.
    pub lead: i32,
}

/// The digest of `person` on `today`: what falls due at their leads, minus reminders sent
/// before.
pub fn due_for(
    conn: &mut DbConn,
    person: &repo::users::User,
    settings: &ReminderSettings,
    today: NaiveDate,
) -> AppResult<Vec<Due>> {
    let caller = Caller {
        principal: Principal::User(person.row.id),
        role: person.row.role,
        countries: person.countries.clone(),
        organization: person.row.organization,
    };
    let (from, to) = window(settings, today);
    let filter = DeadlineFilter {
        from: Some(from),
        to: Some(to),
        ..Default::default()
    };
    let due: Vec<Due> = collect(conn, &caller.work_scope(), &filter, today)?
        .into_iter()
        .filter_map(|deadline| lead_on(settings, &deadline, today).map(|lead| Due { deadline, lead }))
        .collect();
    if due.is_empty() {
        return Ok(due);
    }
    let ids: Vec<i32> = due.iter().map(|d| d.deadline.id).collect();
    let sent = repo::reminders::sent_reminders(conn, person.row.id, &ids)?;
    Ok(due
        .into_iter()
        .filter(|d| {
            !sent.iter().any(|(kind, id, lead)| {
                kind == d.deadline.kind.as_str() && *id == d.deadline.id && *lead == d.lead
            })
        })
        .collect())
}

fn when(lead: i32, due_on: NaiveDate) -> String {
    match lead {
        0 => format!("due today, {due_on}"),
        1 => format!("due tomorrow, {due_on}"),
        l if l > 0 => format!("due in {l} days, {due_on}"),
        l => format!("overdue by {} days (due {due_on})", -l),
    }
}

/// The message: subject and plain text, with the deadlines due and the changes followed.
pub fn compose(
    name: &str,
    due: &[Due],
    changes: &[Waiting],
    today: NaiveDate,
    base: &str,
) -> (String, String) {
    let mut by_country: BTreeMap<(String, String), Vec<&Due>> = BTreeMap::new();
    for d in due {
        by_country
            .entry((d.deadline.country_name.clone(), d.deadline.country.clone()))
            .or_default()
            .push(d);
    }
    let count = due.len();
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let subject = match (count, changes.len()) {
        (0, n) => format!("normtrack: {n} change{} you follow ({today})", plural(n)),
        (c, 0) => format!("normtrack: {c} deadline{} to watch ({today})", plural(c)),
        (c, n) => format!(
            "normtrack: {c} deadline{} to watch, {n} change{} ({today})",
            plural(c),
            plural(n)
        ),
    };
    let mut body = format!("Hello {name},\n");
    if count > 0 {
        body.push_str(&format!(
            "\nThese deadlines of your work fall due at your reminder lead times ({today}):\n"
        ));
    }
    for ((country_name, country), items) in by_country {
        body.push_str(&format!("\n{country_name} ({country})\n"));
        for d in items {
            let conventions = if d.deadline.conventions.is_empty() {
                String::new()
            } else {
                format!(" [{}]", d.deadline.conventions.join(", "))
            };
            body.push_str(&format!(
                "  - {}: {}{} ({}, {})\n    {base}{}\n",
                when(d.lead, d.deadline.due_on),
                d.deadline.title,
                conventions,
                d.deadline.kind.as_str().replace('_', " "),
                d.deadline.status.replace('_', " "),
                d.deadline.link,
            ));
        }
    }
    if !changes.is_empty() {
        body.push_str("\nChanges you follow:\n\n");
        body.push_str(&super::subscriptions::lines(changes, base));
    }
    body.push_str(&format!(
        "\nYou receive this because reminders or subscriptions are on for your account. Change the lead times or turn \
         them off at {base}/api/v1/auth/me/reminders, your subscriptions at {base}/api/v1/auth/me/subscriptions.\n"
    ));
    (subject, body)
}

/// Sends the digests of `today` to everyone with something due or changes waiting.
pub fn run(pool: &db::Pool, mailer: &Mailer, today: NaiveDate, base: &str) -> AppResult<DigestReport> {
    let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
    let conn: &mut DbConn = &mut conn;
    let everyone = repo::users::list(
        conn,
        &repo::users::UserFilter {
            active: Some(true),
            ..Default::default()
        },
        PageRequest {
            page: 1,
            per_page: i64::from(i32::MAX),
        },
    )?
    .0;
    let stored: HashMap<i32, String> = repo::reminders::all_settings(conn)?.into_iter().collect();
    let defaults: HashMap<String, String> =
        repo::reminders::all_country_defaults(conn)?.into_iter().collect();
    let waiting: std::collections::HashSet<i32> =
        subscribed::people_waiting(conn, "digest")?.into_iter().collect();
    let mut report = DigestReport::default();
    for person in everyone.iter().filter(|p| p.row.role != Role::Viewer) {
        let settings = super::reminders::effective(
            stored.get(&person.row.id).map(String::as_str),
            person
                .row
                .country
                .as_ref()
                .and_then(|c| defaults.get(c))
                .map(String::as_str),
        );
        let follows = waiting.contains(&person.row.id);
        if !settings.sends_anything() && !follows {
            continue;
        }
        if repo::reminders::digest_claimed(conn, person.row.id, today)? {
            report.already += 1;
            continue;
        }
        let due = if settings.sends_anything() {
            due_for(conn, person, &settings, today)?
        } else {
            Vec::new()
        };
        let (changes, hidden) = if follows {
            let reader = super::subscriptions::caller_of(person);
            subscribed::waiting(
                conn,
                person.row.id,
                "digest",
                super::subscriptions::MAX_PER_MESSAGE,
            )?
            .into_iter()
            .partition(|item| super::subscriptions::may_read(&reader, item))
        } else {
            (Vec::new(), Vec::new())
        };
        let hidden: Vec<i32> = hidden.iter().map(|i| i.id).collect();
        if !hidden.is_empty() {
            db::write_transaction(conn, |conn| subscribed::mark(conn, &hidden, "pending", "dropped"))?;
        }
        if due.is_empty() && changes.is_empty() {
            report.empty += 1;
            continue;
        }
        let reminders: Vec<(&'static str, i32, i32)> = due
            .iter()
            .map(|d| (d.deadline.kind.as_str(), d.deadline.id, d.lead))
            .collect();
        let items: Vec<i32> = changes.iter().map(|i| i.id).collect();
        // Another instance may claim the same digest at the same moment: the key refuses the
        // second claim, which then counts it as already claimed.
        let claimed = db::write_transaction(conn, |conn| {
            if repo::reminders::digest_claimed(conn, person.row.id, today)? {
                return Ok::<bool, diesel::result::Error>(false);
            }
            repo::reminders::claim_digest(conn, person.row.id, today, &reminders)?;
            if subscribed::mark(conn, &items, "pending", "sending")? != items.len() {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok(true)
        });
        match claimed {
            Ok(true) => {}
            Ok(false)
            | Err(diesel::result::Error::RollbackTransaction)
            | Err(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::UniqueViolation,
                _,
            )) => {
                report.already += 1;
                continue;
            }
            Err(e) => return Err(e.into()),
        }
        let (subject, body) = compose(&person.row.display_name, &due, &changes, today, base);
        match mailer.send(&person.row.email, &subject, body) {
            Ok(()) => {
                report.sent += 1;
                db::write_transaction(conn, |conn| {
                    repo::reminders::finish_digest(conn, person.row.id, today, repo::now(), None)?;
                    subscribed::mark(conn, &items, "sending", "sent")
                })?;
            }
            Err(error) if error.retry() => {
                // Nothing was taken: the claim is given back and a later pass tries again (an
                // unreachable mail server delays mail, it does not lose it).
                tracing::warn!(user = person.row.id, %today, %error, "digest not sent; will retry");
                report.failed += 1;
                db::write_transaction(conn, |conn| {
                    repo::reminders::release_digest(conn, person.row.id, today)?;
                    subscribed::mark(conn, &items, "sending", "pending")
                })?;
            }
            Err(error) => {
                // Refused for good, or cut off when it may have been taken: never twice.
                tracing::warn!(user = person.row.id, %today, %error, "digest not sent; not retried");
                report.failed += 1;
                db::write_transaction(conn, |conn| {
                    repo::reminders::finish_digest(
                        conn,
                        person.row.id,
                        today,
                        repo::now(),
                        Some(error.to_string()),
                    )?;
                    subscribed::mark(conn, &items, "sending", "dropped")
                })?;
            }
        }
    }
    // Changes waiting for people who no longer get digests (deactivated, or now viewers).
    let served: std::collections::HashSet<i32> = everyone
        .iter()
        .filter(|p| p.row.role != Role::Viewer)
        .map(|p| p.row.id)
        .collect();
    for user in waiting.iter().filter(|u| !served.contains(u)) {
        let stale: Vec<i32> = subscribed::waiting(conn, *user, "digest", i64::from(i32::MAX))?
            .iter()
            .map(|i| i.id)
            .collect();
        db::write_transaction(conn, |conn| subscribed::mark(conn, &stale, "pending", "dropped"))?;
    }
    Ok(report)
}
