//! The audit log: every write of every resource (actor, time, entity, before, after),
//! written in the same transaction as the write.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{audit_counts, audit_log};
use crate::db::{Db, DbConn};
use crate::domain::access::{EntityKind, Scope};
use crate::domain::pagination::{Cursor, PageRequest};

/// One write to record.
pub struct Entry<'a> {
    pub actor: &'a str,
    /// `create`, `update`, `revoke`, `password_reset`, …
    pub action: &'a str,
    pub entity: EntityKind,
    pub entity_id: String,
    pub country: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Serialises a record for the log.
pub fn snapshot<T: Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}

pub fn record(conn: &mut DbConn, entry: Entry<'_>) -> QueryResult<()> {
    record_many(conn, vec![entry])
}

#[derive(Insertable)]
#[diesel(table_name = audit_log)]
struct NewEntry<'a> {
    at: NaiveDateTime,
    actor: &'a str,
    action: &'a str,
    entity: EntityKind,
    entity_id: String,
    country: Option<&'a str>,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// Writes many entries, several hundred per statement (imports).
pub fn record_many(conn: &mut DbConn, entries: Vec<Entry<'_>>) -> QueryResult<()> {
    let at = super::now();
    let rows: Vec<NewEntry<'_>> = entries
        .into_iter()
        .map(|e| NewEntry {
            at,
            actor: e.actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            country: e.country,
            before_json: e.before.map(|v| v.to_string()),
            after_json: e.after.map(|v| v.to_string()),
        })
        .collect();
    for chunk in rows.chunks(500) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(audit_log::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log)]
pub struct AuditRow {
    pub id: i32,
    pub at: NaiveDateTime,
    pub actor: String,
    pub action: String,
    pub entity: EntityKind,
    pub entity_id: String,
    pub country: Option<String>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub country: Option<String>,
    pub actor: Option<String>,
    pub from: Option<NaiveDateTime>,
    pub until: Option<NaiveDateTime>,
}

/// Which entries a caller may see: for each kind of record it may read, the scope it reads
/// that kind in (`Caller::audit_visibility`). Entries of other kinds are never shown.
pub type Visibility = Vec<(EntityKind, Scope)>;

/// The visibility clause over a table with `entity` and `country` columns (the log and its
/// kept counts): nothing visible unless one of the caller's (kind, scope) pairs admits it.
///
/// It is checked on each row the query reads, never used to choose the rows: the kind is
/// read as `(entity || '')`, which no index covers, so the engines walk the log newest first
/// by its (time, id) index (or the index of a filter the caller gave, which ends with the
/// time too) and stop after a page. Left to itself, SQLite without statistics would read
/// every entry of the caller's kinds through the kind index and sort them: 75 ms at 100,000
/// entries.
macro_rules! visible {
    ($table:ident, $visibility:expr) => {{
        let entity =
            diesel::dsl::sql::<diesel::sql_types::Text>(concat!("(", stringify!($table), ".entity || '')"));
        let global: Vec<EntityKind> = $visibility
            .iter()
            .filter(|(_, scope)| *scope == Scope::Global)
            .map(|(kind, _)| *kind)
            .collect();
        let mut visible: Box<dyn BoxableExpression<$table::table, Db, SqlType = diesel::sql_types::Bool>> =
            Box::new(entity.clone().eq_any(global));
        for (kind, scope) in $visibility {
            if let Scope::Countries(countries) = scope {
                visible = Box::new(
                    visible.or(entity
                        .clone()
                        .eq(*kind)
                        .and($table::country.eq_any(countries.clone()).assume_not_null())),
                );
            }
        }
        visible
    }};
}

fn filtered(filter: &AuditFilter, visibility: &Visibility) -> audit_log::BoxedQuery<'static, Db> {
    let mut query = audit_log::table
        .into_boxed()
        .filter(visible!(audit_log, visibility));
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_log::entity.eq(entity.clone()));
    }
    if let Some(id) = &filter.entity_id {
        query = query.filter(audit_log::entity_id.eq(id.clone()));
    }
    if let Some(country) = &filter.country {
        query = query.filter(audit_log::country.eq(country.clone()));
    }
    if let Some(actor) = &filter.actor {
        query = query.filter(audit_log::actor.eq(actor.clone()));
    }
    if let Some(from) = filter.from {
        query = query.filter(audit_log::at.ge(from));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::at.lt(until));
    }
    query
}

/// How many entries the caller may see that match the filter. Filtered by kind and country
/// only (the log as a whole, a country's, a kind's), it is the sum of the kept counts, a few
/// hundred rows whatever the log's length; by record, actor or time it counts the entries,
/// through their indexes.
pub fn count(conn: &mut DbConn, filter: &AuditFilter, visibility: &Visibility) -> QueryResult<i64> {
    let by_kind_and_country_only = filter.entity_id.is_none()
        && filter.actor.is_none()
        && filter.from.is_none()
        && filter.until.is_none();
    if !by_kind_and_country_only {
        return filtered(filter, visibility).count().get_result(conn);
    }
    let mut query = audit_counts::table
        .into_boxed()
        .filter(visible!(audit_counts, visibility));
    if let Some(entity) = &filter.entity {
        query = query.filter(audit_counts::entity.eq(entity.clone()));
    }
    if let Some(country) = &filter.country {
        query = query.filter(audit_counts::country.eq(country.clone()));
    }
    query
        .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
            "CAST(COALESCE(SUM(n), 0) AS BIGINT)",
        ))
        .get_result(conn)
}

/// One page of the entries the caller may see, newest first (by time, then id), and whether
/// more follow. After a cursor (the last entry of the previous page) the page is read by key,
/// at the same cost however deep it is; without one, by offset.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    visibility: &Visibility,
    page: PageRequest,
    after: Option<&Cursor>,
) -> QueryResult<(Vec<AuditRow>, i64, bool)> {
    let total = count(conn, filter, visibility)?;
    let mut query = filtered(filter, visibility);
    if let Some(cursor) = after {
        // `at <= cursor` is implied by the rest, but only it lets the engines start reading the
        // (time, id) index at the cursor (neither turns the `or` into a range): without it a
        // page half a million entries deep took 40-75 ms instead of 1.
        query = query.filter(audit_log::at.le(cursor.at)).filter(
            audit_log::at
                .lt(cursor.at)
                .or(audit_log::at.eq(cursor.at).and(audit_log::id.lt(cursor.id))),
        );
    } else {
        query = query.offset(page.offset());
    }
    let mut rows = query
        .select(AuditRow::as_select())
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.per_page + 1)
        .load(conn)?;
    let more = rows.len() as i64 > page.per_page;
    rows.truncate(page.per_page as usize);
    Ok((rows, total, more))
}
