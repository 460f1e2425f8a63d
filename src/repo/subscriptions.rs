//! People's subscriptions to changes, and the events waiting to be mailed to them (issue 17).

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{mail_items, outbox_events, subscriptions};
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = subscriptions)]
pub struct SubscriptionRow {
    pub id: i32,
    pub user_id: i32,
    pub events: String,
    pub countries: Option<String>,
    pub conventions: Option<String>,
    pub delivery: String,
    pub created_at: NaiveDateTime,
    pub removed_at: Option<NaiveDateTime>,
}

pub struct NewSubscription {
    pub user_id: i32,
    pub events: String,
    pub countries: Option<String>,
    pub conventions: Option<String>,
    pub delivery: &'static str,
}

pub fn insert(conn: &mut DbConn, new: NewSubscription) -> QueryResult<SubscriptionRow> {
    diesel::insert_into(subscriptions::table)
        .values((
            subscriptions::user_id.eq(new.user_id),
            subscriptions::events.eq(new.events),
            subscriptions::countries.eq(new.countries),
            subscriptions::conventions.eq(new.conventions),
            subscriptions::delivery.eq(new.delivery),
            subscriptions::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "subscriptions")?;
    get(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<SubscriptionRow>> {
    subscriptions::table
        .find(id)
        .select(SubscriptionRow::as_select())
        .first(conn)
        .optional()
}

/// A person's subscriptions in force, oldest first.
pub fn of_user(conn: &mut DbConn, user: i32) -> QueryResult<Vec<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::user_id.eq(user))
        .filter(subscriptions::removed_at.is_null())
        .order(subscriptions::id.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)
}

/// Every subscription in force.
pub fn active(conn: &mut DbConn) -> QueryResult<Vec<SubscriptionRow>> {
    subscriptions::table
        .filter(subscriptions::removed_at.is_null())
        .order(subscriptions::id.asc())
        .select(SubscriptionRow::as_select())
        .load(conn)
}

pub fn remove(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    diesel::update(subscriptions::table.find(id))
        .set(subscriptions::removed_at.eq(Some(super::now())))
        .execute(conn)
}

/// Queues `event` for these (person, delivery) pairs, once per person.
pub fn queue(conn: &mut DbConn, event: i32, people: &[(i32, &'static str)]) -> QueryResult<()> {
    let rows: Vec<_> = people
        .iter()
        .map(|(user, delivery)| {
            (
                mail_items::user_id.eq(*user),
                mail_items::event_id.eq(event),
                mail_items::delivery.eq(*delivery),
                mail_items::status.eq("pending"),
            )
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(mail_items::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// One waiting event of a person, with what it carries.
#[derive(Debug, Clone)]
pub struct Waiting {
    pub id: i32,
    pub user_id: i32,
    pub event_type: String,
    pub country: Option<String>,
    pub payload: String,
    pub occurred_at: NaiveDateTime,
}

/// The people with events waiting to be mailed this way.
pub fn people_waiting(conn: &mut DbConn, delivery: &str) -> QueryResult<Vec<i32>> {
    mail_items::table
        .filter(mail_items::status.eq("pending"))
        .filter(mail_items::delivery.eq(delivery))
        .select(mail_items::user_id)
        .distinct()
        .order(mail_items::user_id.asc())
        .load(conn)
}

/// A person's waiting events of one delivery, oldest first (at most `limit`).
pub fn waiting(conn: &mut DbConn, user: i32, delivery: &str, limit: i64) -> QueryResult<Vec<Waiting>> {
    let rows: Vec<(i32, i32, String, Option<String>, String, NaiveDateTime)> = mail_items::table
        .inner_join(outbox_events::table)
        .filter(mail_items::user_id.eq(user))
        .filter(mail_items::status.eq("pending"))
        .filter(mail_items::delivery.eq(delivery))
        .order(mail_items::id.asc())
        .limit(limit)
        .select((
            mail_items::id,
            mail_items::user_id,
            outbox_events::event_type,
            outbox_events::country,
            outbox_events::payload,
            outbox_events::occurred_at,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(
            |(id, user_id, event_type, country, payload, occurred_at)| Waiting {
                id,
                user_id,
                event_type,
                country,
                payload,
                occurred_at,
            },
        )
        .collect())
}

/// Moves items from `from` to `to` (claim, mark sent, give back, drop); answers how many moved.
pub fn mark(conn: &mut DbConn, ids: &[i32], from: &str, to: &str) -> QueryResult<usize> {
    let now = super::now();
    let mut moved = 0;
    for chunk in ids.chunks(500) {
        let target = mail_items::table
            .filter(mail_items::id.eq_any(chunk))
            .filter(mail_items::status.eq(from));
        moved += match to {
            "sending" => diesel::update(target)
                .set((mail_items::status.eq(to), mail_items::claimed_at.eq(Some(now))))
                .execute(conn)?,
            "sent" => diesel::update(target)
                .set((mail_items::status.eq(to), mail_items::sent_at.eq(Some(now))))
                .execute(conn)?,
            _ => diesel::update(target)
                .set(mail_items::status.eq(to))
                .execute(conn)?,
        };
    }
    Ok(moved)
}
