//! Conventions and protocols (instruments).

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::schema::{conventions, ratifications};
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::reference::{Category, InstrumentType, Principle};

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = conventions)]
pub struct ConventionRow {
    pub code: String,
    pub instrument_type: InstrumentType,
    pub title: String,
    pub short_title: String,
    pub category: Category,
    pub principle: Option<Principle>,
    pub parent: Option<String>,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub dates_source: String,
    pub dates_confidence: String,
    pub normlex_id: Option<String>,
    pub reference_ratifications: Option<i32>,
    pub reference_ratifications_as_of: Option<String>,
    pub reference_ratifications_source: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Default)]
pub struct ConventionFilter {
    pub category: Option<Category>,
    pub principle: Option<Principle>,
}

fn filtered(filter: &ConventionFilter) -> conventions::BoxedQuery<'static, Db> {
    let mut query = conventions::table.into_boxed();
    if let Some(category) = filter.category {
        query = query.filter(conventions::category.eq(category.as_str()));
    }
    if let Some(principle) = filter.principle {
        query = query.filter(conventions::principle.eq(principle.as_str()));
    }
    query
}

pub fn list(
    conn: &mut DbConn,
    filter: &ConventionFilter,
    page: PageRequest,
) -> QueryResult<(Vec<ConventionRow>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select(ConventionRow::as_select())
        .order(conventions::code.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn get(conn: &mut DbConn, code: &str) -> QueryResult<Option<ConventionRow>> {
    conventions::table
        .find(code)
        .select(ConventionRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConn, code: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(conventions::table.find(code))).get_result(conn)
}

/// Every instrument, by code.
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<ConventionRow>> {
    conventions::table
        .select(ConventionRow::as_select())
        .order(conventions::code.asc())
        .load(conn)
}

/// Every instrument of one category, by code.
pub fn all_of(conn: &mut DbConn, category: Category) -> QueryResult<Vec<ConventionRow>> {
    conventions::table
        .filter(conventions::category.eq(category.as_str()))
        .select(ConventionRow::as_select())
        .order(conventions::code.asc())
        .load(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    conventions::table.count().get_result(conn)
}

pub fn insert(conn: &mut DbConn, row: &ConventionRow) -> QueryResult<()> {
    diesel::insert_into(conventions::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Replaces an instrument if it is still at `row.version - 1`; `None` when it has moved on.
pub fn update(conn: &mut DbConn, row: &ConventionRow) -> QueryResult<Option<ConventionRow>> {
    let updated = diesel::update(
        conventions::table
            .find(&row.code)
            .filter(conventions::version.eq(row.version - 1)),
    )
    .set((
        conventions::instrument_type.eq(&row.instrument_type),
        conventions::title.eq(&row.title),
        conventions::short_title.eq(&row.short_title),
        conventions::category.eq(&row.category),
        conventions::principle.eq(&row.principle),
        conventions::parent.eq(&row.parent),
        conventions::adopted_year.eq(row.adopted_year),
        conventions::adopted_on.eq(row.adopted_on),
        conventions::in_force_on.eq(row.in_force_on),
        conventions::dates_source.eq(&row.dates_source),
        conventions::dates_confidence.eq(&row.dates_confidence),
        conventions::normlex_id.eq(&row.normlex_id),
        conventions::version.eq(row.version),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    get(conn, &row.code)
}

/// Codes of the protocols that belong to this convention.
pub fn protocols_of(conn: &mut DbConn, code: &str) -> QueryResult<Vec<String>> {
    conventions::table
        .filter(conventions::parent.eq(code))
        .select(conventions::code)
        .order(conventions::code.asc())
        .load(conn)
}

/// The state of every record of an instrument: `(status, in_force_on, denounced_on)`.
pub fn record_states(conn: &mut DbConn, code: &str) -> QueryResult<Vec<super::ratifications::RecordState>> {
    ratifications::table
        .filter(ratifications::convention.eq(code))
        .select((
            ratifications::status,
            ratifications::in_force_on,
            ratifications::denounced_on,
        ))
        .load(conn)
}
