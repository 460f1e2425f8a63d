//! Activities of responsible-business-conduct initiatives and their progress notes. Every
//! read takes the caller's scope: an activity is seen by those who see its country (one
//! that takes place in no one member state, of a global initiative, by everyone signed in).

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{rbc_activities, rbc_activity_notes};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::rbc_activities::{ActivityKind, ActivityStatus};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = rbc_activities)]
pub struct ActivityRow {
    pub id: i32,
    pub initiative_id: i32,
    pub country: Option<String>,
    pub kind: ActivityKind,
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: ActivityStatus,
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The fields of an activity a write sets.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = rbc_activities, treat_none_as_null = true)]
pub struct ActivityFields {
    pub initiative_id: i32,
    pub country: Option<String>,
    pub kind: ActivityKind,
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: ActivityStatus,
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = rbc_activity_notes)]
pub struct NoteRow {
    pub id: i32,
    pub activity_id: i32,
    pub author: String,
    pub organization: Option<i32>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub initiative: Option<i32>,
    pub country: Option<String>,
    pub kind: Option<ActivityKind>,
    pub status: Option<ActivityStatus>,
    pub organization: Option<i32>,
    /// `Some(true)`: only overdue (target before `today`, not settled); `Some(false)`: only
    /// those not overdue.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub target_from: Option<NaiveDate>,
    pub target_until: Option<NaiveDate>,
    /// Completed (or, a complaint, closed) on or after / on or before these days.
    pub completed_from: Option<NaiveDate>,
    pub completed_until: Option<NaiveDate>,
}

fn filtered(filter: &ActivityFilter, scope: &Scope) -> rbc_activities::BoxedQuery<'static, Db> {
    let mut query = rbc_activities::table.into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(
            rbc_activities::country
                .is_null()
                .or(rbc_activities::country.eq_any(countries)),
        );
    }
    if let Some(initiative) = filter.initiative {
        query = query.filter(rbc_activities::initiative_id.eq(initiative));
    }
    if let Some(country) = &filter.country {
        query = query.filter(rbc_activities::country.eq(country.clone()));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(rbc_activities::kind.eq(kind));
    }
    if let Some(status) = filter.status {
        query = query.filter(rbc_activities::status.eq(status));
    }
    if let Some(organization) = filter.organization {
        query = query.filter(rbc_activities::organization.eq(organization));
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        let pending = ActivityStatus::PENDING.to_vec();
        if overdue {
            query = query.filter(
                rbc_activities::target_on
                    .lt(today)
                    .and(rbc_activities::status.eq_any(pending)),
            );
        } else {
            query = query.filter(
                rbc_activities::target_on
                    .ge(today)
                    .or(rbc_activities::status.ne_all(pending)),
            );
        }
    }
    if let Some(from) = filter.target_from {
        query = query.filter(rbc_activities::target_on.ge(from));
    }
    if let Some(until) = filter.target_until {
        query = query.filter(rbc_activities::target_on.le(until));
    }
    if let Some(from) = filter.completed_from {
        query = query.filter(rbc_activities::completed_on.ge(from));
    }
    if let Some(until) = filter.completed_until {
        query = query.filter(rbc_activities::completed_on.le(until));
    }
    query
}

/// How many activities `filter` selects in `scope` (the total its list answers).
pub fn count(conn: &mut DbConn, filter: &ActivityFilter, scope: &Scope) -> QueryResult<i64> {
    filtered(filter, scope).count().get_result(conn)
}

/// One page of activities, by target day.
pub fn list(
    conn: &mut DbConn,
    filter: &ActivityFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<ActivityRow>, i64)> {
    let total = count(conn, filter, scope)?;
    let rows = filtered(filter, scope)
        .select(ActivityRow::as_select())
        .order((rbc_activities::target_on.asc(), rbc_activities::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// One activity, if it exists within the scope.
pub fn get(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<ActivityRow>> {
    filtered(&ActivityFilter::default(), scope)
        .filter(rbc_activities::id.eq(id))
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()
}

pub fn insert(conn: &mut DbConn, fields: &ActivityFields) -> QueryResult<ActivityRow> {
    let now = super::now();
    diesel::insert_into(rbc_activities::table)
        .values((
            fields,
            rbc_activities::version.eq(1),
            rbc_activities::created_at.eq(now),
            rbc_activities::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "rbc_activities")?;
    rbc_activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
}

/// Changes an activity still at `version`; `None` when it has moved on.
pub fn update(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &ActivityFields,
) -> QueryResult<Option<ActivityRow>> {
    let changed = diesel::update(
        rbc_activities::table
            .find(id)
            .filter(rbc_activities::version.eq(version)),
    )
    .set((
        fields,
        rbc_activities::version.eq(version + 1),
        rbc_activities::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    rbc_activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()
}

/// Deletes an activity and its progress notes.
pub fn delete(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    diesel::delete(rbc_activity_notes::table.filter(rbc_activity_notes::activity_id.eq(id))).execute(conn)?;
    diesel::delete(rbc_activities::table.find(id))
        .execute(conn)
        .map(|_| ())
}

/// The countries an initiative's activities take place in (`None`: in no one country), each once.
pub fn countries_of(conn: &mut DbConn, initiative_id: i32) -> QueryResult<Vec<Option<String>>> {
    rbc_activities::table
        .filter(rbc_activities::initiative_id.eq(initiative_id))
        .select(rbc_activities::country)
        .distinct()
        .load(conn)
}

/// An activity's progress notes, oldest first.
pub fn notes(conn: &mut DbConn, activity_id: i32) -> QueryResult<Vec<NoteRow>> {
    rbc_activity_notes::table
        .filter(rbc_activity_notes::activity_id.eq(activity_id))
        .select(NoteRow::as_select())
        .order(rbc_activity_notes::id.asc())
        .load(conn)
}

pub fn insert_note(
    conn: &mut DbConn,
    activity_id: i32,
    author: &str,
    organization: Option<i32>,
    body: &str,
) -> QueryResult<NoteRow> {
    diesel::insert_into(rbc_activity_notes::table)
        .values((
            rbc_activity_notes::activity_id.eq(activity_id),
            rbc_activity_notes::author.eq(author),
            rbc_activity_notes::organization.eq(organization),
            rbc_activity_notes::body.eq(body),
            rbc_activity_notes::created_at.eq(super::now()),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "rbc_activity_notes")?;
    rbc_activity_notes::table
        .find(id)
        .select(NoteRow::as_select())
        .first(conn)
}
