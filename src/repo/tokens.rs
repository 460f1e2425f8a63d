//! Dashboard tokens. The token itself (a JWT) is never stored: only its id, name, expiry
//! and revocation.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::dashboard_tokens;
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = dashboard_tokens)]
pub struct TokenRow {
    pub id: i32,
    pub name: String,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
}

pub fn list(conn: &mut DbConn) -> QueryResult<Vec<TokenRow>> {
    dashboard_tokens::table
        .select(TokenRow::as_select())
        .order(dashboard_tokens::id.asc())
        .load(conn)
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<TokenRow>> {
    dashboard_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(
    conn: &mut DbConn,
    name: &str,
    created_by: Option<i32>,
    expires_at: NaiveDateTime,
) -> QueryResult<TokenRow> {
    let now = super::now();
    diesel::insert_into(dashboard_tokens::table)
        .values((
            dashboard_tokens::name.eq(name),
            dashboard_tokens::created_by.eq(created_by),
            dashboard_tokens::created_at.eq(now),
            dashboard_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "dashboard_tokens")?;
    dashboard_tokens::table
        .find(id)
        .select(TokenRow::as_select())
        .first(conn)
}

/// Revokes a token (idempotent); returns it, or `None` when there is no such token.
pub fn revoke(conn: &mut DbConn, id: i32) -> QueryResult<Option<TokenRow>> {
    diesel::update(
        dashboard_tokens::table
            .find(id)
            .filter(dashboard_tokens::revoked_at.is_null()),
    )
    .set(dashboard_tokens::revoked_at.eq(super::now()))
    .execute(conn)?;
    get(conn, id)
}
