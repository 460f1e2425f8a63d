//! Calendar feed tokens: read-only, revocable, one owner each. The token itself (a JWT) is
//! never stored: only its id, owner, name, expiry and revocation.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::feed_tokens;
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = feed_tokens)]
pub struct FeedTokenRow {
    pub id: i32,
    pub user_id: i32,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

/// A user's feed tokens (every user's when `None`).
pub fn list(conn: &mut DbConn, user_id: Option<i32>) -> QueryResult<Vec<FeedTokenRow>> {
    let mut query = feed_tokens::table
        .select(FeedTokenRow::as_select())
        .into_boxed::<crate::db::Db>();
    if let Some(user_id) = user_id {
        query = query.filter(feed_tokens::user_id.eq(user_id));
    }
    query.order(feed_tokens::id.asc()).load(conn)
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<FeedTokenRow>> {
    feed_tokens::table
        .find(id)
        .select(FeedTokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    user_id: i32,
    name: &str,
    expires_at: NaiveDateTime,
) -> QueryResult<FeedTokenRow> {
    let now = super::now();
    diesel::insert_into(feed_tokens::table)
        .values((
            feed_tokens::user_id.eq(user_id),
            feed_tokens::name.eq(name),
            feed_tokens::created_at.eq(now),
            feed_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "feed_tokens")?;
    feed_tokens::table
        .find(id)
        .select(FeedTokenRow::as_select())
        .first(conn)
}

/// Revokes a token (idempotent); returns it, or `None` when there is no such token.
pub fn revoke(conn: &mut DbConn, id: i32) -> QueryResult<Option<FeedTokenRow>> {
    diesel::update(
        feed_tokens::table
            .find(id)
            .filter(feed_tokens::revoked_at.is_null()),
    )
    .set(feed_tokens::revoked_at.eq(super::now()))
    .execute(conn)?;
    get(conn, id)
}

/// Revokes every live feed token of a person; returns those it revoked.
pub fn revoke_all_of(conn: &mut DbConn, user_id: i32) -> QueryResult<Vec<FeedTokenRow>> {
    let live: Vec<FeedTokenRow> = feed_tokens::table
        .filter(feed_tokens::user_id.eq(user_id))
        .filter(feed_tokens::revoked_at.is_null())
        .select(FeedTokenRow::as_select())
        .load(conn)?;
    let ids: Vec<i32> = live.iter().map(|t| t.id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    diesel::update(feed_tokens::table.filter(feed_tokens::id.eq_any(&ids)))
        .set(feed_tokens::revoked_at.eq(super::now()))
        .execute(conn)?;
    feed_tokens::table
        .filter(feed_tokens::id.eq_any(ids))
        .select(FeedTokenRow::as_select())
        .load(conn)
}
