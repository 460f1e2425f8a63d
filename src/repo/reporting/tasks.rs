//! Tasks: the work a report request sets each constituent.

use std::collections::HashSet;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{report_requests, tasks};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::reporting::{TaskKind, TaskStatus};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = tasks)]
pub struct TaskRow {
    pub id: i32,
    pub report_request_id: i32,
    pub kind: TaskKind,
    pub organization: i32,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
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
    pub kind: TaskKind,
    pub organization: i32,
    pub title: String,
    pub due_on: NaiveDate,
    pub status: TaskStatus,
    pub completed_on: Option<NaiveDate>,
    pub notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct TaskFilter {
    pub country: Option<String>,
    pub report_request: Option<i32>,
    pub organization: Option<i32>,
    pub kind: Option<TaskKind>,
    pub status: Option<TaskStatus>,
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
        query = query.filter(tasks::kind.eq(*kind));
    }
    if let Some(status) = &filter.status {
        query = query.filter(tasks::status.eq(*status));
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
    let now = crate::repo::now();
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
            tasks::updated_at.eq(crate::repo::now()),
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
