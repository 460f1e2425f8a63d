//! Reporting schedules: when each country reports on each instrument.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::report_schedules;
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::reporting::ScheduleBasis;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = report_schedules)]
pub struct ScheduleRow {
    pub id: i32,
    pub country: String,
    pub convention: String,
    pub cycle_years: i32,
    pub next_regular_year: i32,
    pub basis: ScheduleBasis,
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
    pub basis: ScheduleBasis,
    pub notes: String,
}

#[derive(Debug, Clone, Default)]
pub struct ScheduleFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub basis: Option<ScheduleBasis>,
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
        query = query.filter(report_schedules::basis.eq(*basis));
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
    pub basis: ScheduleBasis,
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
    let now = crate::repo::now();
    insert_schedules(
        conn,
        &[NewSchedule {
            country: country.into(),
            convention: convention.into(),
            cycle_years: fields.cycle_years,
            next_regular_year: fields.next_regular_year,
            basis: fields.basis,
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
        report_schedules::updated_at.eq(crate::repo::now()),
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
