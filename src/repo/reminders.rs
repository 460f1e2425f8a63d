//! Reminder settings and what was sent: one digest per person per day, and each reminder once
//! per (person, deadline, lead) (issue 17).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{country_reminder_defaults, digest_sends, reminder_sends, reminder_settings};
use crate::db::DbConn;

/// A person's stored settings (JSON), if they changed the defaults.
pub fn settings(conn: &mut DbConn, user: i32) -> QueryResult<Option<String>> {
    reminder_settings::table
        .find(user)
        .select(reminder_settings::settings)
        .first(conn)
        .optional()
}

/// Everyone's stored settings.
pub fn all_settings(conn: &mut DbConn) -> QueryResult<Vec<(i32, String)>> {
    reminder_settings::table
        .select((reminder_settings::user_id, reminder_settings::settings))
        .load(conn)
}

pub fn put_settings(conn: &mut DbConn, user: i32, settings: &str) -> QueryResult<()> {
    let now = super::now();
    let changed = diesel::update(reminder_settings::table.find(user))
        .set((
            reminder_settings::settings.eq(settings),
            reminder_settings::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(reminder_settings::table)
            .values((
                reminder_settings::user_id.eq(user),
                reminder_settings::settings.eq(settings),
                reminder_settings::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Whether a digest for (`user`, `day`) was already claimed, sent or not.
pub fn digest_claimed(conn: &mut DbConn, user: i32, day: NaiveDate) -> QueryResult<bool> {
    let found: i64 = digest_sends::table
        .filter(digest_sends::user_id.eq(user))
        .filter(digest_sends::day.eq(day))
        .count()
        .get_result(conn)?;
    Ok(found > 0)
}

/// Which of these (kind, deadline, lead) reminders `user` was already sent.
pub fn sent_reminders(conn: &mut DbConn, user: i32, ids: &[i32]) -> QueryResult<Vec<(String, i32, i32)>> {
    reminder_sends::table
        .filter(reminder_sends::user_id.eq(user))
        .filter(reminder_sends::deadline_id.eq_any(ids))
        .select((
            reminder_sends::kind,
            reminder_sends::deadline_id,
            reminder_sends::lead_days,
        ))
        .load(conn)
}

/// Claims a digest and its reminders before it is sent (in the caller's transaction).
pub fn claim_digest(
    conn: &mut DbConn,
    user: i32,
    day: NaiveDate,
    reminders: &[(&'static str, i32, i32)],
) -> QueryResult<()> {
    diesel::insert_into(digest_sends::table)
        .values((
            digest_sends::user_id.eq(user),
            digest_sends::day.eq(day),
            digest_sends::status.eq("sending"),
            digest_sends::items.eq(reminders.len() as i32),
            digest_sends::claimed_at.eq(super::now()),
        ))
        .execute(conn)?;
    let rows: Vec<_> = reminders
        .iter()
        .map(|(kind, id, lead)| {
            (
                reminder_sends::user_id.eq(user),
                reminder_sends::kind.eq(*kind),
                reminder_sends::deadline_id.eq(*id),
                reminder_sends::lead_days.eq(*lead),
                reminder_sends::day.eq(day),
            )
        })
        .collect();
    for chunk in rows.chunks(200) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(reminder_sends::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

/// Gives a claimed digest back (the mail server did not take it): a later pass tries again.
pub fn release_digest(conn: &mut DbConn, user: i32, day: NaiveDate) -> QueryResult<()> {
    diesel::delete(
        reminder_sends::table
            .filter(reminder_sends::user_id.eq(user))
            .filter(reminder_sends::day.eq(day)),
    )
    .execute(conn)?;
    diesel::delete(
        digest_sends::table
            .filter(digest_sends::user_id.eq(user))
            .filter(digest_sends::day.eq(day)),
    )
    .execute(conn)?;
    Ok(())
}

/// Marks a claimed digest `sent` or `failed`.
pub fn finish_digest(
    conn: &mut DbConn,
    user: i32,
    day: NaiveDate,
    at: NaiveDateTime,
    error: Option<String>,
) -> QueryResult<usize> {
    diesel::update(
        digest_sends::table
            .filter(digest_sends::user_id.eq(user))
            .filter(digest_sends::day.eq(day)),
    )
    .set((
        digest_sends::status.eq(if error.is_some() { "failed" } else { "sent" }),
        digest_sends::sent_at.eq(error.is_none().then_some(at)),
        digest_sends::last_error.eq(error),
    ))
    .execute(conn)
}

/// (status, count) of the digests of `day`.
pub fn digest_counts(conn: &mut DbConn, day: NaiveDate) -> QueryResult<Vec<(String, i64)>> {
    digest_sends::table
        .filter(digest_sends::day.eq(day))
        .group_by(digest_sends::status)
        .select((digest_sends::status, diesel::dsl::count_star()))
        .load(conn)
}

/// A country's default reminder rules (JSON), if its office set them.
pub fn country_defaults(conn: &mut DbConn, country: &str) -> QueryResult<Option<String>> {
    country_reminder_defaults::table
        .find(country)
        .select(country_reminder_defaults::settings)
        .first(conn)
        .optional()
}

/// Every country's defaults.
pub fn all_country_defaults(conn: &mut DbConn) -> QueryResult<Vec<(String, String)>> {
    country_reminder_defaults::table
        .select((
            country_reminder_defaults::country,
            country_reminder_defaults::settings,
        ))
        .load(conn)
}

pub fn put_country_defaults(conn: &mut DbConn, country: &str, settings: &str) -> QueryResult<()> {
    let now = super::now();
    let changed = diesel::update(country_reminder_defaults::table.find(country))
        .set((
            country_reminder_defaults::settings.eq(settings),
            country_reminder_defaults::updated_at.eq(now),
        ))
        .execute(conn)?;
    if changed == 0 {
        diesel::insert_into(country_reminder_defaults::table)
            .values((
                country_reminder_defaults::country.eq(country),
                country_reminder_defaults::settings.eq(settings),
                country_reminder_defaults::updated_at.eq(now),
            ))
            .execute(conn)?;
    }
    Ok(())
}
