//! The audit log: every write of every resource (actor, time, entity, before, after),
//! written in the same transaction as the write.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::audit_log;
use crate::db::{Db, DbConn};
use crate::domain::access::{EntityKind, Scope};
use crate::domain::pagination::PageRequest;

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

fn filtered(filter: &AuditFilter, visibility: &Visibility) -> audit_log::BoxedQuery<'static, Db> {
    let mut query = audit_log::table.into_boxed();
    let global: Vec<EntityKind> = visibility
        .iter()
        .filter(|(_, scope)| *scope == Scope::Global)
        .map(|(kind, _)| *kind)
        .collect();
    // Nothing visible unless one of the clauses below admits it.
    let mut visible: Box<dyn BoxableExpression<audit_log::table, Db, SqlType = diesel::sql_types::Bool>> =
        Box::new(audit_log::entity.eq_any(global));
    for (kind, scope) in visibility {
        if let Scope::Countries(countries) = scope {
            visible = Box::new(
                visible.or(audit_log::entity
                    .eq(*kind)
                    .and(audit_log::country.eq_any(countries.clone()).assume_not_null())),
            );
        }
    }
    query = query.filter(visible);
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

/// Entries the caller may see, newest first.
pub fn list(
    conn: &mut DbConn,
    filter: &AuditFilter,
    visibility: &Visibility,
    page: PageRequest,
) -> QueryResult<(Vec<AuditRow>, i64)> {
    let total = filtered(filter, visibility).count().get_result(conn)?;
    let rows = filtered(filter, visibility)
        .select(AuditRow::as_select())
        .order((audit_log::at.desc(), audit_log::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}
