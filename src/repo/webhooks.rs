//! Webhook endpoints, the outbox of events and the deliveries of each event to each endpoint
//! (issue 17). Lists are stored comma-separated; the service turns them into lists.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{outbox_events, webhook_deliveries, webhooks};
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhooks)]
pub struct WebhookRow {
    pub id: i32,
    pub url: String,
    pub events: String,
    pub countries: Option<String>,
    pub conventions: Option<String>,
    pub description: String,
    pub secret: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub active: bool,
    pub removed_at: Option<NaiveDateTime>,
}

/// Splits a stored comma-separated list.
pub fn split(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Reads a stored list of event types (webhooks and subscriptions alike).
pub fn event_types(list: &str) -> Vec<crate::domain::events::EventType> {
    split(list).iter().filter_map(|e| e.parse().ok()).collect()
}

pub struct NewWebhook<'a> {
    pub url: &'a str,
    pub events: String,
    pub countries: Option<String>,
    pub conventions: Option<String>,
    pub description: &'a str,
    pub secret: &'a str,
    pub created_by: &'a str,
}

pub fn insert(conn: &mut DbConn, new: NewWebhook<'_>) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(new.url),
            webhooks::events.eq(new.events),
            webhooks::countries.eq(new.countries),
            webhooks::conventions.eq(new.conventions),
            webhooks::description.eq(new.description),
            webhooks::secret.eq(new.secret),
            webhooks::created_by.eq(new.created_by),
            webhooks::created_at.eq(super::now()),
            webhooks::active.eq(true),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "webhooks")?;
    get(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<WebhookRow>> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()
}

/// Active endpoints registered by `actor`.
pub fn active_of(conn: &mut DbConn, actor: &str) -> QueryResult<i64> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .filter(webhooks::created_by.eq(actor))
        .count()
        .get_result(conn)
}

/// Every endpoint, removed ones included, oldest first.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .select(WebhookRow::as_select())
        .order(webhooks::id.asc())
        .load(conn)
}

/// Whether any endpoint or person follows events at all (one cheap look per announcing write).
pub fn anyone_follows(conn: &mut DbConn) -> QueryResult<bool> {
    use crate::db::schema::subscriptions;
    let endpoints: bool = diesel::select(diesel::dsl::exists(
        webhooks::table.filter(webhooks::active.eq(true)),
    ))
    .get_result(conn)?;
    if endpoints {
        return Ok(true);
    }
    diesel::select(diesel::dsl::exists(
        subscriptions::table.filter(subscriptions::removed_at.is_null()),
    ))
    .get_result(conn)
}

/// The endpoints that receive events.
pub fn active(conn: &mut DbConn) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .filter(webhooks::active.eq(true))
        .select(WebhookRow::as_select())
        .order(webhooks::id.asc())
        .load(conn)
}

/// Stops an endpoint: it receives nothing more, its waiting deliveries are cancelled, and its
/// log is kept.
pub fn remove(conn: &mut DbConn, id: i32) -> QueryResult<usize> {
    let now = super::now();
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq("cancelled"),
        webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    diesel::update(webhooks::table.find(id))
        .set((webhooks::active.eq(false), webhooks::removed_at.eq(Some(now))))
        .execute(conn)
}

/// An event to write to the outbox, with the endpoints it goes to.
pub struct NewEvent {
    pub event_type: &'static str,
    pub country: Option<String>,
    pub conventions: String,
    pub payload: String,
    pub endpoints: Vec<i32>,
}

/// Writes events and one pending delivery per endpoint, in the caller's transaction; answers
/// the events' ids, in order.
pub fn enqueue(conn: &mut DbConn, events: Vec<NewEvent>) -> QueryResult<Vec<i32>> {
    let now = super::now();
    let mut ids = Vec::with_capacity(events.len());
    for event in events {
        diesel::insert_into(outbox_events::table)
            .values((
                outbox_events::event_type.eq(event.event_type),
                outbox_events::country.eq(&event.country),
                outbox_events::conventions.eq(&event.conventions),
                outbox_events::payload.eq(&event.payload),
                outbox_events::occurred_at.eq(now),
            ))
            .execute(conn)?;
        let event_id = crate::db::last_insert_id(conn, "outbox_events")?;
        ids.push(event_id);
        if event.endpoints.is_empty() {
            continue;
        }
        let rows: Vec<_> = event
            .endpoints
            .iter()
            .map(|webhook| {
                (
                    webhook_deliveries::webhook_id.eq(*webhook),
                    webhook_deliveries::event_id.eq(event_id),
                    webhook_deliveries::message_id.eq(format!("msg_{event_id}_{webhook}")),
                    webhook_deliveries::status.eq("pending"),
                    webhook_deliveries::attempts.eq(0),
                    webhook_deliveries::next_attempt_at.eq(now),
                    webhook_deliveries::created_at.eq(now),
                )
            })
            .collect();
        for chunk in rows.chunks(500) {
            crate::db::per_engine!(conn, |c| diesel::insert_into(webhook_deliveries::table)
                .values(chunk)
                .execute(c))?;
        }
    }
    Ok(ids)
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries)]
pub struct DeliveryRow {
    pub id: i32,
    pub webhook_id: i32,
    pub event_id: i32,
    pub message_id: String,
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub claimed_until: Option<NaiveDateTime>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub first_attempt_at: Option<NaiveDateTime>,
    pub last_attempt_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
}

/// A delivery with what it carries and where it goes.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub delivery: DeliveryRow,
    pub event_type: String,
    pub payload: String,
    pub url: String,
    pub secret: String,
}

/// A page of an endpoint's deliveries, newest first, with the total.
pub fn deliveries(
    conn: &mut DbConn,
    webhook: i32,
    offset: i64,
    limit: i64,
) -> QueryResult<(Vec<(DeliveryRow, String)>, i64)> {
    let total = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .count()
        .get_result(conn)?;
    let rows = webhook_deliveries::table
        .inner_join(outbox_events::table)
        .filter(webhook_deliveries::webhook_id.eq(webhook))
        .order(webhook_deliveries::id.desc())
        .offset(offset)
        .limit(limit)
        .select((DeliveryRow::as_select(), outbox_events::event_type))
        .load(conn)?;
    Ok((rows, total))
}

/// One delivery with its event's type.
pub fn delivery(conn: &mut DbConn, id: i32) -> QueryResult<Option<(DeliveryRow, String)>> {
    webhook_deliveries::table
        .inner_join(outbox_events::table)
        .filter(webhook_deliveries::id.eq(id))
        .select((DeliveryRow::as_select(), outbox_events::event_type))
        .first(conn)
        .optional()
}

/// Claims up to `limit` deliveries due at `now` until `until`, in the caller's transaction.
/// On PostgreSQL the rows are locked with `SKIP LOCKED`, so instances claiming at the same
/// time take different rows; on SQLite the write transaction already excludes other writers.
pub fn claim(
    conn: &mut DbConn,
    now: NaiveDateTime,
    until: NaiveDateTime,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    let active = webhooks::table
        .filter(webhooks::active.eq(true))
        .select(webhooks::id);
    let due = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        // An endpoint removed while a change that names it was being written gets nothing.
        .filter(webhook_deliveries::webhook_id.eq_any(active))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .filter(
            webhook_deliveries::claimed_until
                .is_null()
                .or(webhook_deliveries::claimed_until.lt(now)),
        )
        .order(webhook_deliveries::next_attempt_at.asc())
        .then_order_by(webhook_deliveries::id.asc())
        .limit(limit)
        .select(webhook_deliveries::id);
    let ids: Vec<i32> = match conn {
        DbConn::Postgres(c) => due.for_update().skip_locked().load(c)?,
        DbConn::Sqlite(c) => due.load(c)?,
    };
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&ids)))
        .set(webhook_deliveries::claimed_until.eq(Some(until)))
        .execute(conn)?;
    let rows: Vec<(DeliveryRow, String, String, String, String)> = webhook_deliveries::table
        .inner_join(outbox_events::table)
        .inner_join(webhooks::table)
        .filter(webhook_deliveries::id.eq_any(&ids))
        .order(webhook_deliveries::id.asc())
        .select((
            DeliveryRow::as_select(),
            outbox_events::event_type,
            outbox_events::payload,
            webhooks::url,
            webhooks::secret,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(delivery, event_type, payload, url, secret)| Claimed {
            delivery,
            event_type,
            payload,
            url,
            secret,
        })
        .collect())
}

/// The outcome of one attempt.
pub struct Attempt<'a> {
    pub id: i32,
    pub at: NaiveDateTime,
    /// `delivered`, `pending` (to retry at `next_attempt_at`) or `failed`.
    pub status: &'a str,
    pub next_attempt_at: NaiveDateTime,
    /// The first attempt since the delivery was (re)queued.
    pub first_attempt_at: NaiveDateTime,
    pub http_status: Option<i32>,
    pub error: Option<String>,
}

/// Records an attempt of a delivery this worker holds (a delivery cancelled meanwhile stays
/// cancelled).
pub fn record_attempt(conn: &mut DbConn, attempt: Attempt<'_>) -> QueryResult<usize> {
    diesel::update(
        webhook_deliveries::table
            .find(attempt.id)
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq(attempt.status),
        webhook_deliveries::attempts.eq(webhook_deliveries::attempts + 1),
        webhook_deliveries::next_attempt_at.eq(attempt.next_attempt_at),
        webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
        webhook_deliveries::last_status.eq(attempt.http_status),
        webhook_deliveries::last_error.eq(attempt.error),
        webhook_deliveries::first_attempt_at.eq(Some(attempt.first_attempt_at)),
        webhook_deliveries::last_attempt_at.eq(Some(attempt.at)),
        webhook_deliveries::delivered_at.eq((attempt.status == "delivered").then_some(attempt.at)),
    ))
    .execute(conn)
}

/// Puts a delivery back in the queue now (re-delivery on request), whatever its state but
/// cancelled, unless a worker holds it at this moment; its attempts start again. Answers
/// whether it was put back.
pub fn requeue(conn: &mut DbConn, id: i32, now: NaiveDateTime) -> QueryResult<bool> {
    let moved = diesel::update(
        webhook_deliveries::table
            .find(id)
            .filter(webhook_deliveries::status.ne("cancelled"))
            .filter(
                webhook_deliveries::claimed_until
                    .is_null()
                    .or(webhook_deliveries::claimed_until.lt(now)),
            ),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::attempts.eq(0),
        webhook_deliveries::next_attempt_at.eq(now),
        webhook_deliveries::first_attempt_at.eq(None::<NaiveDateTime>),
        webhook_deliveries::claimed_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(moved == 1)
}
