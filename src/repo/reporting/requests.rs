//! Report requests, with the instruments each covers.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{report_request_conventions, report_requests};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::reporting::{RequestKind, RequestStatus, Submission};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = report_requests)]
pub struct RequestRow {
    pub id: i32,
    pub kind: RequestKind,
    pub country: String,
    pub year: i32,
    pub due_on: NaiveDate,
    pub detailed: bool,
    pub status: RequestStatus,
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
    pub kind: RequestKind,
    pub year: i32,
    pub due_on: NaiveDate,
    pub detailed: bool,
    pub status: RequestStatus,
    pub submitted_on: Option<NaiveDate>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub kind: Option<RequestKind>,
    pub year: Option<i32>,
    pub status: Option<RequestStatus>,
    /// `Some(true)`: only overdue (due before `today`, not submitted); `Some(false)`: only
    /// those not overdue.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub due_from: Option<NaiveDate>,
    pub due_until: Option<NaiveDate>,
    /// Submitted on time, late, or not (yet) submitted (`domain::programmes::submission`).
    pub submission: Option<Submission>,
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
        query = query.filter(report_requests::kind.eq(*kind));
    }
    if let Some(year) = filter.year {
        query = query.filter(report_requests::year.eq(year));
    }
    if let Some(status) = &filter.status {
        query = query.filter(report_requests::status.eq(*status));
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
    let submitted = RequestStatus::Submitted;
    match filter.submission {
        None => {}
        // A submitted request without its day counts as on time, as `submission` has it.
        Some(Submission::OnTime) => {
            query = query.filter(
                report_requests::status.eq(submitted).and(
                    report_requests::submitted_on
                        .is_null()
                        .or(report_requests::submitted_on.le(report_requests::due_on.nullable())),
                ),
            )
        }
        Some(Submission::Late) => {
            query = query.filter(
                report_requests::status
                    .eq(submitted)
                    .and(report_requests::submitted_on.gt(report_requests::due_on.nullable())),
            )
        }
        Some(Submission::NotSubmitted) => query = query.filter(report_requests::status.ne(submitted)),
    }
    query
}

/// How many requests `filter` selects in `scope` (the total its list answers).
pub fn count_requests(conn: &mut DbConn, filter: &RequestFilter, scope: &Scope) -> QueryResult<i64> {
    filtered_requests(filter, scope).count().get_result(conn)
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
    let total = count_requests(conn, filter, scope)?;
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
    let now = crate::repo::now();
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
        report_requests::updated_at.eq(crate::repo::now()),
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
