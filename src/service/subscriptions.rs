//! A person following changes by e-mail (`/auth/me/subscriptions`, issue 17): ratification
//! changes by country and instrument, new supervisory comments, report requests' status
//! changes (of countries whose report requests the person reads), delivered in the daily
//! digest or at once. Mailing at once happens here; the digest takes its share in `digests`.

use chrono::NaiveDateTime;
use serde::Serialize;
use utoipa::ToSchema;

use crate::db::{self, DbConn};
use crate::domain::access::{Caller, EntityKind, Principal, Role};
use crate::domain::events::{describe, EventType};
use crate::error::{AppError, AppResult, FieldError};
use crate::outbound::mail::Mailer;
use crate::repo;
use crate::repo::subscriptions::{self as store, NewSubscription, SubscriptionRow, Waiting};
use crate::repo::webhooks::split;

/// A subscription as shown.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Subscription {
    pub id: i32,
    pub events: Vec<EventType>,
    /// The countries followed; absent: every country.
    #[schema(example = json!(["ZWE"]))]
    pub countries: Option<Vec<String>>,
    /// The instruments followed; absent: every instrument.
    #[schema(example = json!(["C087"]))]
    pub conventions: Option<Vec<String>>,
    /// `digest`: in the daily digest; `immediate`: an e-mail at once (within a pass of the
    /// worker).
    #[schema(example = "digest")]
    pub delivery: String,
    pub created_at: NaiveDateTime,
}

impl From<&SubscriptionRow> for Subscription {
    fn from(row: &SubscriptionRow) -> Self {
        Subscription {
            id: row.id,
            events: crate::repo::webhooks::event_types(&row.events),
            countries: row.countries.as_deref().map(split),
            conventions: row.conventions.as_deref().map(split),
            delivery: row.delivery.clone(),
            created_at: row.created_at,
        }
    }
}

/// What to follow.
#[derive(Debug, Clone)]
pub struct NewFollow {
    pub events: Vec<EventType>,
    pub countries: Option<Vec<String>>,
    pub conventions: Option<Vec<String>>,
    pub immediate: bool,
}

fn person(caller: &Caller) -> AppResult<i32> {
    caller
        .user_id()
        .ok_or_else(|| AppError::Forbidden("subscriptions belong to people".into()))
}

pub fn list(conn: &mut DbConn, caller: &Caller) -> AppResult<Vec<Subscription>> {
    let user = person(caller)?;
    Ok(store::of_user(conn, user)?
        .iter()
        .map(Subscription::from)
        .collect())
}

/// The most subscriptions one person may have.
pub const MAX_SUBSCRIPTIONS_PER_PERSON: usize = 25;

/// Follows changes; needs e-mail on the server (409 otherwise).
pub fn create(conn: &mut DbConn, caller: &Caller, new: NewFollow, mail_on: bool) -> AppResult<Subscription> {
    let user = person(caller)?;
    if !mail_on {
        return Err(AppError::Conflict(
            "e-mail is off on this server (NORMTRACK_SMTP_URL and NORMTRACK_MAIL_FROM are not set); \
             follow changes with a webhook instead"
                .into(),
        ));
    }
    if new.events.contains(&EventType::ReportRequestStatusChanged)
        && !caller.may_follow_report_requests(new.countries.as_deref())
    {
        return Err(AppError::Forbidden(
            "report requests are followed only in countries whose report requests you read: name them in `countries`"
                .into(),
        ));
    }
    db::write_transaction(conn, |conn| {
        if store::of_user(conn, user)?.len() >= MAX_SUBSCRIPTIONS_PER_PERSON {
            return Err(AppError::Conflict(format!(
                "you have {MAX_SUBSCRIPTIONS_PER_PERSON} subscriptions, the most one may have; remove one first"
            )));
        }
        let mut violations = Vec::new();
        for country in new.countries.iter().flatten() {
            if !repo::countries::exists(conn, country)? {
                violations.push(FieldError::new(
                    "countries",
                    format!("no member state has the code '{country}'"),
                ));
            }
        }
        for code in new.conventions.iter().flatten() {
            if !repo::conventions::exists(conn, code)? {
                violations.push(FieldError::new(
                    "conventions",
                    format!("no instrument has the code '{code}'"),
                ));
            }
        }
        if !violations.is_empty() {
            return Err(AppError::unprocessable(violations));
        }
        let events: Vec<&str> = new.events.iter().map(|e| e.as_str()).collect();
        let row = store::insert(
            conn,
            NewSubscription {
                user_id: user,
                events: events.join(","),
                countries: new.countries.as_ref().map(|c| c.join(",")),
                conventions: new.conventions.as_ref().map(|c| c.join(",")),
                delivery: if new.immediate { "immediate" } else { "digest" },
            },
        )?;
        let shown = Subscription::from(&row);
        super::audit::record_at(
            conn,
            caller,
            "create",
            EntityKind::Subscription,
            row.id,
            None,
            None,
            super::audit::snapshot(&shown),
        )?;
        Ok(shown)
    })
}

/// Stops following; events already waiting are still mailed.
pub fn remove(conn: &mut DbConn, caller: &Caller, id: i32) -> AppResult<()> {
    let user = person(caller)?;
    db::write_transaction(conn, |conn| {
        let row = store::get(conn, id)?
            .filter(|row| row.user_id == user && row.removed_at.is_none())
            .ok_or_else(|| AppError::NotFound(format!("you have no subscription {id}")))?;
        store::remove(conn, id)?;
        super::audit::record_at(
            conn,
            caller,
            "remove",
            EntityKind::Subscription,
            id,
            None,
            super::audit::snapshot(&Subscription::from(&row)),
            None,
        )
    })
}

/// The person `user` as a caller (for the read checks at mailing time).
pub fn caller_of(person: &repo::users::User) -> Caller {
    Caller {
        principal: Principal::User(person.row.id),
        role: person.row.role,
        countries: person.countries.clone(),
        organization: person.row.organization,
    }
}

/// Whether `person` may still read what `item` tells (report requests of its country).
pub fn may_read(person: &Caller, item: &Waiting) -> bool {
    item.event_type != EventType::ReportRequestStatusChanged.as_str()
        || item
            .country
            .as_deref()
            .is_some_and(|c| person.may_read_country(c))
}

/// The lines telling `items`, each with its link.
pub fn lines(items: &[Waiting], base: &str) -> String {
    let mut text = String::new();
    for item in items {
        let payload: serde_json::Value = serde_json::from_str(&item.payload).unwrap_or_default();
        let (line, link) = describe(&item.event_type, &payload);
        text.push_str(&format!(
            "  - {} {line}\n    {base}{link}\n",
            item.occurred_at.format("%Y-%m-%d %H:%M")
        ));
    }
    text
}

/// The most events one message lists.
pub const MAX_PER_MESSAGE: i64 = 200;

/// What one pass of mailing at once did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImmediateReport {
    /// Messages sent.
    pub sent: usize,
    /// Messages not sent (tried again at the next pass when the server could not be reached or
    /// deferred them).
    pub failed: usize,
}

/// Mails each person with events waiting "at once" one message listing them. Claimed before
/// sending (a crash between sending and marking never sends them again), given back when the
/// mail server does not take the message.
pub fn mail_immediate(pool: &db::Pool, mailer: &Mailer, base: &str) -> AppResult<ImmediateReport> {
    let mut conn = pool.get().map_err(|e| AppError::Unavailable(e.to_string()))?;
    let conn: &mut DbConn = &mut conn;
    let mut report = ImmediateReport::default();
    for user in store::people_waiting(conn, "immediate")? {
        let Some(person) =
            repo::users::get(conn, user)?.filter(|p| p.row.active && p.row.role != Role::Viewer)
        else {
            let items = store::waiting(conn, user, "immediate", i64::MAX)?;
            let ids: Vec<i32> = items.iter().map(|i| i.id).collect();
            db::write_transaction(conn, |conn| store::mark(conn, &ids, "pending", "dropped"))?;
            continue;
        };
        let reader = caller_of(&person);
        let items = store::waiting(conn, user, "immediate", MAX_PER_MESSAGE)?;
        let (readable, hidden): (Vec<Waiting>, Vec<Waiting>) =
            items.into_iter().partition(|i| may_read(&reader, i));
        let hidden: Vec<i32> = hidden.iter().map(|i| i.id).collect();
        let ids: Vec<i32> = readable.iter().map(|i| i.id).collect();
        // Claimed by this pass alone, all or none: when another instance claimed some of them
        // first, this pass leaves them all to it.
        let claimed = db::write_transaction(conn, |conn| {
            store::mark(conn, &hidden, "pending", "dropped")?;
            if store::mark(conn, &ids, "pending", "sending")? != ids.len() {
                return Err(diesel::result::Error::RollbackTransaction);
            }
            Ok(())
        });
        match claimed {
            Ok(()) => {}
            Err(diesel::result::Error::RollbackTransaction) => continue,
            Err(e) => return Err(e.into()),
        }
        if ids.is_empty() {
            continue;
        }
        let count = readable.len();
        let subject = format!(
            "normtrack: {count} change{} you follow",
            if count == 1 { "" } else { "s" }
        );
        let body = format!(
            "Hello {},\n\nChanges you follow:\n\n{}\nYou receive this because you subscribed at {base}/api/v1/auth/me/subscriptions.\n",
            person.row.display_name,
            lines(&readable, base)
        );
        match mailer.send(&person.row.email, &subject, body) {
            Ok(()) => {
                report.sent += 1;
                db::write_transaction(conn, |conn| store::mark(conn, &ids, "sending", "sent"))?;
            }
            Err(error) => {
                report.failed += 1;
                let back = if error.retry() { "pending" } else { "dropped" };
                tracing::warn!(user, %error, retried = error.retry(), "change e-mail not sent");
                db::write_transaction(conn, |conn| store::mark(conn, &ids, "sending", back))?;
            }
        }
    }
    Ok(report)
}
