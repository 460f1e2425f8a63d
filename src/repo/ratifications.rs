//! Ratification records and their history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{conventions, countries, ratification_history, ratifications};
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::ratification::Status;
use crate::domain::reference::{Category, Region};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = ratifications)]
pub struct RatificationRow {
    pub country: String,
    pub convention: String,
    pub status: String,
    pub stage: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    pub minimum_age: Option<i32>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub source_incomplete: bool,
}

/// A record with the names a reader needs beside the codes.
#[derive(Debug, Clone, Queryable)]
pub struct RatificationView {
    pub record: RatificationRow,
    pub country_name: String,
    pub convention_short_title: String,
}

/// `(status, in_force_on, denounced_on)` of one record.
pub type RecordState = (String, Option<NaiveDate>, Option<NaiveDate>);

/// The fields of a record that a write sets (timestamps and version are the store's).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = ratifications, treat_none_as_null = true)]
pub struct RatificationFields {
    pub country: String,
    pub convention: String,
    pub status: String,
    pub stage: Option<String>,
    pub registered_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    pub minimum_age: Option<i32>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub source_incomplete: bool,
}

impl RatificationFields {
    /// The writable fields of a stored record, as they are.
    pub fn of(row: &RatificationRow) -> RatificationFields {
        RatificationFields {
            country: row.country.clone(),
            convention: row.convention.clone(),
            status: row.status.clone(),
            stage: row.stage.clone(),
            registered_on: row.registered_on,
            in_force_on: row.in_force_on,
            denounced_on: row.denounced_on,
            minimum_age: row.minimum_age,
            notes: row.notes.clone(),
            source: row.source.clone(),
            source_date: row.source_date.clone(),
            source_incomplete: row.source_incomplete,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RatificationFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub status: Option<Status>,
    pub region: Option<Region>,
    pub category: Option<Category>,
}

type Joined = diesel::dsl::InnerJoin<
    diesel::dsl::InnerJoin<ratifications::table, countries::table>,
    conventions::table,
>;

fn filtered(filter: &RatificationFilter) -> diesel::dsl::IntoBoxed<'static, Joined, Db> {
    let mut query = ratifications::table
        .inner_join(countries::table)
        .inner_join(conventions::table)
        .into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(ratifications::country.eq(country.clone()));
    }
    if let Some(convention) = &filter.convention {
        query = query.filter(ratifications::convention.eq(convention.clone()));
    }
    if let Some(status) = filter.status {
        query = query.filter(ratifications::status.eq(status.as_str()));
    }
    if let Some(region) = filter.region {
        query = query.filter(countries::region.eq(region.as_str()));
    }
    if let Some(category) = filter.category {
        query = query.filter(conventions::category.eq(category.as_str()));
    }
    query
}

/// One page of records, ordered by country and instrument code.
pub fn list(
    conn: &mut DbConn,
    filter: &RatificationFilter,
    page: PageRequest,
) -> QueryResult<(Vec<RatificationView>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select((
            RatificationRow::as_select(),
            countries::name,
            conventions::short_title,
        ))
        .order((ratifications::country.asc(), ratifications::convention.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load::<(RatificationRow, String, String)>(conn)?;
    Ok((rows.into_iter().map(view).collect(), total))
}

/// Every record matching the filter, ordered by country and instrument code.
pub fn all_matching(conn: &mut DbConn, filter: &RatificationFilter) -> QueryResult<Vec<RatificationRow>> {
    filtered(filter)
        .select(RatificationRow::as_select())
        .order((ratifications::country.asc(), ratifications::convention.asc()))
        .load(conn)
}

fn view(
    (record, country_name, convention_short_title): (RatificationRow, String, String),
) -> RatificationView {
    RatificationView {
        record,
        country_name,
        convention_short_title,
    }
}

pub fn get(conn: &mut DbConn, country: &str, convention: &str) -> QueryResult<Option<RatificationView>> {
    ratifications::table
        .inner_join(countries::table)
        .inner_join(conventions::table)
        .filter(ratifications::country.eq(country))
        .filter(ratifications::convention.eq(convention))
        .select((
            RatificationRow::as_select(),
            countries::name,
            conventions::short_title,
        ))
        .first::<(RatificationRow, String, String)>(conn)
        .optional()
        .map(|row| row.map(view))
}

/// Every record of one country, by instrument code.
pub fn for_country(conn: &mut DbConn, country: &str) -> QueryResult<Vec<RatificationRow>> {
    ratifications::table
        .filter(ratifications::country.eq(country))
        .select(RatificationRow::as_select())
        .order(ratifications::convention.asc())
        .load(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    ratifications::table.count().get_result(conn)
}

/// Creates a record (version 1) and its first history row, in the caller's transaction.
pub fn insert(conn: &mut DbConn, fields: &RatificationFields, actor: &str) -> QueryResult<RatificationRow> {
    let now = super::now();
    diesel::insert_into(ratifications::table)
        .values((
            fields,
            ratifications::version.eq(1),
            ratifications::created_at.eq(now),
            ratifications::updated_at.eq(now),
        ))
        .execute(conn)?;
    let row = ratifications::table
        .find((&fields.country, &fields.convention))
        .select(RatificationRow::as_select())
        .first(conn)?;
    record_history(conn, None, &row, actor, now)?;
    Ok(row)
}

/// Changes a record if it is still at `version`, writing its history row; `None` when the
/// record has moved on (or is gone).
pub fn update(
    conn: &mut DbConn,
    before: &RatificationRow,
    fields: &RatificationFields,
    actor: &str,
) -> QueryResult<Option<RatificationRow>> {
    let now = super::now();
    let updated = diesel::update(
        ratifications::table
            .find((&before.country, &before.convention))
            .filter(ratifications::version.eq(before.version)),
    )
    .set((
        fields,
        ratifications::version.eq(before.version + 1),
        ratifications::updated_at.eq(now),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    let row = ratifications::table
        .find((&fields.country, &fields.convention))
        .select(RatificationRow::as_select())
        .first(conn)?;
    record_history(conn, Some(before), &row, actor, now)?;
    Ok(Some(row))
}

/// The stored record of a pair, without the names.
pub fn find(conn: &mut DbConn, country: &str, convention: &str) -> QueryResult<Option<RatificationRow>> {
    ratifications::table
        .find((country, convention))
        .select(RatificationRow::as_select())
        .first(conn)
        .optional()
}

/// Every record of these countries (all countries when `None`), for validating a whole file
/// against the stored state in one read.
pub fn all_for(conn: &mut DbConn, countries: Option<&[String]>) -> QueryResult<Vec<RatificationRow>> {
    let mut query = ratifications::table
        .select(RatificationRow::as_select())
        .into_boxed::<Db>();
    if let Some(countries) = countries {
        query = query.filter(ratifications::country.eq_any(countries.to_vec()));
    }
    query
        .order((ratifications::country.asc(), ratifications::convention.asc()))
        .load(conn)
}

/// One history row as stored.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ratification_history)]
pub struct HistoryRow {
    pub id: i32,
    pub version: i32,
    pub actor: String,
    pub changed_at: NaiveDateTime,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

/// History of one record, newest first.
pub fn history(
    conn: &mut DbConn,
    country: &str,
    convention: &str,
    page: PageRequest,
) -> QueryResult<(Vec<HistoryRow>, i64)> {
    let filtered = || {
        ratification_history::table
            .filter(ratification_history::country.eq(country.to_string()))
            .filter(ratification_history::convention.eq(convention.to_string()))
    };
    let total = filtered().count().get_result(conn)?;
    let rows = filtered()
        .select(HistoryRow::as_select())
        .order((
            ratification_history::changed_at.desc(),
            ratification_history::id.desc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

/// Writes one history row: who changed the record, when, and its state before and after.
fn record_history(
    conn: &mut DbConn,
    before: Option<&RatificationRow>,
    after: &RatificationRow,
    actor: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let to_json = |row: &RatificationRow| serde_json::to_string(row).unwrap_or_default();
    diesel::insert_into(ratification_history::table)
        .values((
            ratification_history::country.eq(&after.country),
            ratification_history::convention.eq(&after.convention),
            ratification_history::version.eq(after.version),
            ratification_history::actor.eq(actor),
            ratification_history::changed_at.eq(at),
            ratification_history::before_json.eq(before.map(to_json)),
            ratification_history::after_json.eq(Some(to_json(after))),
        ))
        .execute(conn)
        .map(|_| ())
}

/// How many history rows one record has.
pub fn history_count(conn: &mut DbConn, country: &str, convention: &str) -> QueryResult<i64> {
    ratification_history::table
        .filter(ratification_history::country.eq(country))
        .filter(ratification_history::convention.eq(convention))
        .count()
        .get_result(conn)
}
