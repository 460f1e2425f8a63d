//! Reporting schedules, report requests (with their instruments) and tasks. Every read takes
//! a scope, so a query cannot forget the country filter.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{report_request_conventions, report_requests, report_schedules, tasks};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;

// ---------------------------------------------------------------------------- schedules

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = report_schedules)]
pub struct ScheduleRow {
    pub id: i32,
    pub country: String,
    pub convention: String,
    pub cycle_years: i32,
    pub next_regular_year: i32,
    pub basis: String,
    pub notes: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = report_schedules)]
pub struct ScheduleFields {
    pub cycle_years: i32,
    pub next_regular_year: i32,
    pub basis: String,
    pub notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct ScheduleFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub basis: Option<String>,
}

fn filtered_schedules(filter: &ScheduleFilter, scope: &Scope) -> report_schedules::BoxedQuery<'static, Db> {
    let mut query = report_schedules::table.into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(report_schedules::country.eq_any(countries));
    }
    if let Some(country) = &filter.country {
        query = query.filter(report_schedules::country.eq(country.clone()));
    }
    if let Some(convention) = &filter.convention {
        query = query.filter(report_schedules::convention.eq(convention.clone()));
    }
    if let Some(basis) = &filter.basis {
        query = query.filter(report_schedules::basis.eq(basis.clone()));
    }
    query
}

pub fn list_schedules(
    conn: &mut DbConn,
    filter: &ScheduleFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<ScheduleRow>, i64)> {
    let total = filtered_schedules(filter, scope).count().get_result(conn)?;
    let rows = filtered_schedules(filter, scope)
        .select(ScheduleRow::as_select())
        .order((
            report_schedules::country.asc(),
            report_schedules::convention.asc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Every schedule, for a generation run.
pub fn all_schedules(conn: &mut DbConn) -> QueryResult<Vec<ScheduleRow>> {
    report_schedules::table
        .select(ScheduleRow::as_select())
        .order(report_schedules::id.asc())
        .load(conn)
}

pub fn get_schedule(
    conn: &mut DbConn,
    country: &str,
    convention: &str,
    scope: &Scope,
) -> QueryResult<Option<ScheduleRow>> {
    filtered_schedules(&ScheduleFilter::default(), scope)
        .filter(report_schedules::country.eq(country.to_string()))
        .filter(report_schedules::convention.eq(convention.to_string()))
        .select(ScheduleRow::as_select())
        .first(conn)
        .optional()
}

/// A schedule to create.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = report_schedules)]
pub struct NewSchedule {
    pub country: String,
    pub convention: String,
    pub cycle_years: i32,
    pub next_regular_year: i32,
    pub basis: String,
    pub notes: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Creates schedules, several hundred per statement.
pub fn insert_schedules(conn: &mut DbConn, rows: &[NewSchedule]) -> QueryResult<()> {
    for chunk in rows.chunks(300) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(report_schedules::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn insert_schedule(
    conn: &mut DbConn,
    country: &str,
    convention: &str,
    fields: &ScheduleFields,
) -> QueryResult<ScheduleRow> {
    let now = super::now();
    insert_schedules(
        conn,
        &[NewSchedule {
            country: country.into(),
            convention: convention.into(),
            cycle_years: fields.cycle_years,
            next_regular_year: fields.next_regular_year,
            basis: fields.basis.clone(),
            notes: fields.notes.clone(),
            version: 1,
            created_at: now,
            updated_at: now,
        }],
    )?;
    get_schedule(conn, country, convention, &Scope::Global)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes a schedule still at `version`; `None` when it has moved on.
pub fn update_schedule(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &ScheduleFields,
) -> QueryResult<Option<ScheduleRow>> {
    let updated = diesel::update(
        report_schedules::table
            .find(id)
            .filter(report_schedules::version.eq(version)),
    )
    .set((
        fields,
        report_schedules::version.eq(version + 1),
        report_schedules::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    report_schedules::table
        .find(id)
        .select(ScheduleRow::as_select())
        .first(conn)
        .optional()
}

// ------------------------------------------------------------------------------ requests

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = report_requests)]
pub struct RequestRow {
    pub id: i32,
    pub kind: String,
    pub country: String,
    pub year: i32,
    pub due_on: NaiveDate,
    pub detailed: bool,
    pub status: String,
    pub submitted_on: Option<NaiveDate>,
    pub reason: Option<String>,
    pub generation_key: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A report request with the instruments it covers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Request {
    #[serde(flatten)]
    pub row: RequestRow,
    pub conventions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, AsChangeset, Insertable)]
#[diesel(table_name = report_requests, treat_none_as_null = true)]
pub struct RequestFields {
    pub kind: String,
    pub year: i32,
    pub due_on: NaiveDate,
    pub detailed: bool,
    pub status: String,
    pub submitted_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub kind: Option<String>,
    pub year: Option<i32>,
    pub status: Option<String>,
    /// `Some(true)`: only overdue (due before `today`, not submitted); `Some(false)`: only
    /// those not overdue.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_until: Option<NaiveDate>,
}

fn filtered_requests(filter: &RequestFilter, scope: &Scope) -> report_requests::BoxedQuery<'static, Db> {
    let mut query = report_requests::table.into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(report_requests::country.eq_any(countries));
    }
    if let Some(country) = &filter.country {
        query = query.filter(report_requests::country.eq(country.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(report_requests::kind.eq(kind.clone()));
    }
    if let Some(year) = filter.year {
        query = query.filter(report_requests::year.eq(year));
    }
    if let Some(status) = &filter.status {
        query = query.filter(report_requests::status.eq(status.clone()));
    }
    if let Some(convention) = &filter.convention {
        let ids = report_request_conventions::table
            .filter(report_request_conventions::convention.eq(convention.clone()))
            .select(report_request_conventions::report_request_id);
        query = query.filter(report_requests::id.eq_any(ids));
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        if overdue {
            query = query.filter(
                report_requests::due_on
                    .lt(today)
                    .and(report_requests::status.ne("submitted")),
            );
        } else {
            query = query.filter(
                report_requests::due_on
                    .ge(today)
                    .or(report_requests::status.eq("submitted")),
            );
        }
    }
    if let Some(from) = filter.due_from {
        query = query.filter(report_requests::due_on.ge(from));
    }
    if let Some(until) = filter.due_until {
        query = query.filter(report_requests::due_on.le(until));
    }
    query
}

fn with_conventions(conn: &mut DbConn, rows: Vec<RequestRow>) -> QueryResult<Vec<Request>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut pairs: Vec<(i32, String)> = Vec::new();
    for chunk in ids.chunks(500) {
        pairs.extend(
            report_request_conventions::table
                .filter(report_request_conventions::report_request_id.eq_any(chunk.to_vec()))
                .select((
                    report_request_conventions::report_request_id,
                    report_request_conventions::convention,
                ))
                .order((
                    report_request_conventions::report_request_id.asc(),
                    report_request_conventions::convention.asc(),
                ))
                .load::<(i32, String)>(conn)?,
        );
    }
    Ok(rows
        .into_iter()
        .map(|row| {
            let conventions = pairs
                .iter()
                .filter(|(id, _)| *id == row.id)
                .map(|(_, c)| c.clone())
                .collect();
            Request { row, conventions }
        })
        .collect())
}

pub fn list_requests(
    conn: &mut DbConn,
    filter: &RequestFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<Request>, i64)> {
    let total = filtered_requests(filter, scope).count().get_result(conn)?;
    let rows = filtered_requests(filter, scope)
        .select(RequestRow::as_select())
        .order((
            report_requests::due_on.asc(),
            report_requests::country.asc(),
            report_requests::id.asc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((with_conventions(conn, rows)?, total))
}

/// Every request matching, for the deadline time line (whose window bounds it).
pub fn all_requests(conn: &mut DbConn, filter: &RequestFilter, scope: &Scope) -> QueryResult<Vec<Request>> {
    let rows = filtered_requests(filter, scope)
        .select(RequestRow::as_select())
        .order((report_requests::due_on.asc(), report_requests::id.asc()))
        .load(conn)?;
    with_conventions(conn, rows)
}

/// One request, if it exists within the scope.
pub fn get_request(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<Request>> {
    let row = filtered_requests(&RequestFilter::default(), scope)
        .filter(report_requests::id.eq(id))
        .select(RequestRow::as_select())
        .first(conn)
        .optional()?;
    Ok(row
        .map(|r| with_conventions(conn, vec![r]))
        .transpose()?
        .and_then(|mut v| v.pop()))
}

/// What a generation run needs of a generated request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyedRequest {
    pub id: i32,
    pub country: String,
    pub year: i32,
    pub due_on: NaiveDate,
}

impl KeyedRequest {
    pub fn of(row: &RequestRow) -> KeyedRequest {
        KeyedRequest {
            id: row.id,
            country: row.country.clone(),
            year: row.year,
            due_on: row.due_on,
        }
    }
}

/// Every generated request, by its generation key.
pub fn request_keys(conn: &mut DbConn) -> QueryResult<HashMap<String, KeyedRequest>> {
    let rows: Vec<RequestRow> = report_requests::table
        .filter(report_requests::generation_key.is_not_null())
        .select(RequestRow::as_select())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|r| Some((r.generation_key.clone()?, KeyedRequest::of(&r))))
        .collect())
}

pub fn insert_request(
    conn: &mut DbConn,
    country: &str,
    fields: &RequestFields,
    conventions: &[String],
    key: Option<&str>,
) -> QueryResult<Request> {
    let now = super::now();
    diesel::insert_into(report_requests::table)
        .values((
            fields,
            report_requests::country.eq(country),
            report_requests::generation_key.eq(key),
            report_requests::version.eq(1),
            report_requests::created_at.eq(now),
            report_requests::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "report_requests")?;
    let row: RequestRow = report_requests::table
        .find(id)
        .select(RequestRow::as_select())
        .first(conn)?;
    for code in conventions {
        diesel::insert_into(report_request_conventions::table)
            .values((
                report_request_conventions::report_request_id.eq(row.id),
                report_request_conventions::convention.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(Request {
        row,
        conventions: conventions.to_vec(),
    })
}

/// Changes a request still at `version` (and, when given, its instruments); `None` when it
/// has moved on.
pub fn update_request(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &RequestFields,
    conventions: Option<&[String]>,
) -> QueryResult<Option<Request>> {
    let updated = diesel::update(
        report_requests::table
            .find(id)
            .filter(report_requests::version.eq(version)),
    )
    .set((
        fields,
        report_requests::version.eq(version + 1),
        report_requests::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    if let Some(conventions) = conventions {
        diesel::delete(
            report_request_conventions::table.filter(report_request_conventions::report_request_id.eq(id)),
        )
        .execute(conn)?;
        for code in conventions {
            diesel::insert_into(report_request_conventions::table)
                .values((
                    report_request_conventions::report_request_id.eq(id),
                    report_request_conventions::convention.eq(code),
                ))
                .execute(conn)?;
        }
    }
    get_request(conn, id, &Scope::Global)
}

// --------------------------------------------------------------------------------- tasks

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: i32,
    pub report_request_id: i32,
    pub kind: String,
    pub organization: i32,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub completed_on: Option<NaiveDate>,
    pub notes: String,
    pub generation_key: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A task with its report request's country.
#[derive(Debug, Clone, PartialEq)]
pub struct Task {
    pub row: TaskRow,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, AsChangeset, Insertable)]
#[diesel(table_name = tasks, treat_none_as_null = true)]
pub struct TaskFields {
    pub kind: String,
    pub organization: i32,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: String,
    pub completed_on: Option<NaiveDate>,
    pub notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub country: Option<String>,
    pub report_request: Option<i32>,
    pub organization: Option<i32>,
    pub kind: Option<String>,
    pub status: Option<String>,
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_until: Option<NaiveDate>,
}

type TaskJoin = diesel::dsl::InnerJoin<tasks::table, report_requests::table>;

fn filtered_tasks(filter: &TaskFilter, scope: &Scope) -> diesel::dsl::IntoBoxed<'static, TaskJoin, Db> {
    let mut query = tasks::table.inner_join(report_requests::table).into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(report_requests::country.eq_any(countries));
    }
    if let Some(country) = &filter.country {
        query = query.filter(report_requests::country.eq(country.clone()));
    }
    if let Some(id) = filter.report_request {
        query = query.filter(tasks::report_request_id.eq(id));
    }
    if let Some(organization) = filter.organization {
        query = query.filter(tasks::organization.eq(organization));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(tasks::kind.eq(kind.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(tasks::status.eq(status.clone()));
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        if overdue {
            query = query.filter(tasks::due_on.lt(today).and(tasks::status.ne("done")));
        } else {
            query = query.filter(tasks::due_on.ge(today).or(tasks::status.eq("done")));
        }
    }
    if let Some(from) = filter.due_from {
        query = query.filter(tasks::due_on.ge(from));
    }
    if let Some(until) = filter.due_until {
        query = query.filter(tasks::due_on.le(until));
    }
    query
}

fn to_tasks(rows: Vec<(TaskRow, String)>) -> Vec<Task> {
    rows.into_iter()
        .map(|(row, country)| Task { row, country })
        .collect()
}

pub fn list_tasks(
    conn: &mut DbConn,
    filter: &TaskFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<Task>, i64)> {
    let total = filtered_tasks(filter, scope).count().get_result(conn)?;
    let rows = filtered_tasks(filter, scope)
        .select((TaskRow::as_select(), report_requests::country))
        .order((tasks::due_on.asc(), tasks::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((to_tasks(rows), total))
}

/// Every task matching, for the deadline time line.
pub fn all_tasks(conn: &mut DbConn, filter: &TaskFilter, scope: &Scope) -> QueryResult<Vec<Task>> {
    let rows = filtered_tasks(filter, scope)
        .select((TaskRow::as_select(), report_requests::country))
        .order((tasks::due_on.asc(), tasks::id.asc()))
        .load(conn)?;
    Ok(to_tasks(rows))
}

/// One task, if it exists within the scope.
pub fn get_task(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<Task>> {
    filtered_tasks(&TaskFilter::default(), scope)
        .filter(tasks::id.eq(id))
        .select((TaskRow::as_select(), report_requests::country))
        .first::<(TaskRow, String)>(conn)
        .optional()
        .map(|row| row.map(|(row, country)| Task { row, country }))
}

/// The generation keys of every generated task.
pub fn task_keys(conn: &mut DbConn) -> QueryResult<HashSet<String>> {
    let keys: Vec<Option<String>> = tasks::table
        .filter(tasks::generation_key.is_not_null())
        .select(tasks::generation_key)
        .load(conn)?;
    Ok(keys.into_iter().flatten().collect())
}

pub fn insert_task(
    conn: &mut DbConn,
    report_request: i32,
    fields: &TaskFields,
    key: Option<&str>,
) -> QueryResult<TaskRow> {
    let now = super::now();
    diesel::insert_into(tasks::table)
        .values((
            fields,
            tasks::report_request_id.eq(report_request),
            tasks::generation_key.eq(key),
            tasks::version.eq(1),
            tasks::created_at.eq(now),
            tasks::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "tasks")?;
    tasks::table.find(id).select(TaskRow::as_select()).first(conn)
}

/// Changes a task still at `version`; `None` when it has moved on.
pub fn update_task(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &TaskFields,
) -> QueryResult<Option<TaskRow>> {
    let updated = diesel::update(tasks::table.find(id).filter(tasks::version.eq(version)))
        .set((
            fields,
            tasks::version.eq(version + 1),
            tasks::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    tasks::table
        .find(id)
        .select(TaskRow::as_select())
        .first(conn)
        .optional()
}
