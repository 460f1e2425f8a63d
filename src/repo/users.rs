//! Accounts and the countries office users cover.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{user_countries, users};
use crate::db::{Db, DbConn};
use crate::domain::access::Role;
use crate::domain::pagination::PageRequest;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRow {
    pub id: i32,
    pub email: String,
    pub email_key: String,
    pub display_name: String,
    pub role: Role,
    pub country: Option<String>,
    pub organization: Option<i32>,
    pub active: bool,
    pub password_hash: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Moves on when the account's sessions end (password change, reset, deactivation,
    /// logout): access tokens of an older version are refused.
    pub token_version: i32,
    /// Signs in through single sign-on only: no password is accepted.
    pub sso_only: bool,
}

/// An account with the countries it covers (office) or its one country (constituents).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub row: UserRow,
    pub countries: Vec<String>,
}

/// The fields of an account a write sets (besides the password).
#[derive(Debug, Clone, PartialEq)]
pub struct UserFields {
    pub email: String,
    pub email_key: String,
    pub display_name: String,
    pub role: Role,
    pub countries: Vec<String>,
    pub country: Option<String>,
    pub organization: Option<i32>,
    pub active: bool,
    pub sso_only: bool,
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub role: Option<Role>,
    pub country: Option<String>,
    pub active: Option<bool>,
}

fn countries_of(conn: &mut DbConn, row: &UserRow) -> QueryResult<Vec<String>> {
    if let Some(country) = &row.country {
        return Ok(vec![country.clone()]);
    }
    user_countries::table
        .filter(user_countries::user_id.eq(row.id))
        .select(user_countries::country)
        .order(user_countries::country.asc())
        .load(conn)
}

fn with_countries(conn: &mut DbConn, row: UserRow) -> QueryResult<User> {
    let countries = countries_of(conn, &row)?;
    Ok(User { row, countries })
}

fn filtered(filter: &UserFilter) -> users::BoxedQuery<'static, Db> {
    let mut query = users::table.into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(*role));
    }
    if let Some(country) = &filter.country {
        let office_ids = user_countries::table
            .filter(user_countries::country.eq(country.clone()))
            .select(user_countries::user_id);
        query = query.filter(
            users::country
                .eq(country.clone())
                .or(users::id.eq_any(office_ids)),
        );
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    query
}

pub fn list(conn: &mut DbConn, filter: &UserFilter, page: PageRequest) -> QueryResult<(Vec<User>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows: Vec<UserRow> = filtered(filter)
        .select(UserRow::as_select())
        .order(users::id.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    let users = rows
        .into_iter()
        .map(|row| with_countries(conn, row))
        .collect::<QueryResult<Vec<_>>>()?;
    Ok((users, total))
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<User>> {
    let row = users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| with_countries(conn, row)).transpose()
}

pub fn by_email(conn: &mut DbConn, email_key: &str) -> QueryResult<Option<User>> {
    let row = users::table
        .filter(users::email_key.eq(email_key))
        .select(UserRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|row| with_countries(conn, row)).transpose()
}

pub fn email_taken(conn: &mut DbConn, email_key: &str, except: Option<i32>) -> QueryResult<bool> {
    let mut query = users::table
        .filter(users::email_key.eq(email_key))
        .into_boxed::<Db>();
    if let Some(id) = except {
        query = query.filter(users::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    users::table.count().get_result(conn)
}

fn office_countries(fields: &UserFields) -> &[String] {
    if fields.country.is_none() {
        &fields.countries
    } else {
        &[]
    }
}

fn replace_countries(conn: &mut DbConn, id: i32, countries: &[String]) -> QueryResult<()> {
    diesel::delete(user_countries::table.filter(user_countries::user_id.eq(id))).execute(conn)?;
    for country in countries {
        diesel::insert_into(user_countries::table)
            .values((
                user_countries::user_id.eq(id),
                user_countries::country.eq(country),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert(conn: &mut DbConn, fields: &UserFields, password_hash: &str) -> QueryResult<User> {
    let now = super::now();
    diesel::insert_into(users::table)
        .values((
            users::email.eq(&fields.email),
            users::email_key.eq(&fields.email_key),
            users::display_name.eq(&fields.display_name),
            users::role.eq(&fields.role),
            users::country.eq(&fields.country),
            users::organization.eq(fields.organization),
            users::active.eq(fields.active),
            users::sso_only.eq(fields.sso_only),
            users::password_hash.eq(password_hash),
            users::version.eq(1),
            users::created_at.eq(now),
            users::updated_at.eq(now),
        ))
        .execute(conn)?;
    let row: UserRow = users::table
        .filter(users::email_key.eq(&fields.email_key))
        .select(UserRow::as_select())
        .first(conn)?;
    replace_countries(conn, row.id, office_countries(fields))?;
    with_countries(conn, row)
}

/// Updates an account if it is still at `version`; `None` when it has moved on.
pub fn update(conn: &mut DbConn, id: i32, version: i32, fields: &UserFields) -> QueryResult<Option<User>> {
    let updated = diesel::update(users::table.find(id).filter(users::version.eq(version)))
        .set((
            users::email.eq(&fields.email),
            users::email_key.eq(&fields.email_key),
            users::display_name.eq(&fields.display_name),
            users::role.eq(&fields.role),
            users::country.eq(&fields.country),
            users::organization.eq(fields.organization),
            users::active.eq(fields.active),
            users::sso_only.eq(fields.sso_only),
            users::version.eq(version + 1),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    replace_countries(conn, id, office_countries(fields))?;
    get(conn, id)
}

/// Ends every session of account `id`: access tokens issued before now are refused.
pub fn end_sessions(conn: &mut DbConn, id: i32) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set(users::token_version.eq(users::token_version + 1))
        .execute(conn)
        .map(|n| n == 1)
}

/// Replaces the password hash (a new version of the account).
pub fn set_password(conn: &mut DbConn, id: i32, password_hash: &str) -> QueryResult<bool> {
    diesel::update(users::table.find(id))
        .set((
            users::password_hash.eq(password_hash),
            users::version.eq(users::version + 1),
            users::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|n| n == 1)
}
