//! Ratification records and their history.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{conventions, countries, ratification_history, ratifications};
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::ratification::{Stage, Status};
use crate::domain::reference::{Category, Region};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, serde::Serialize)]
#[diesel(table_name = ratifications)]
pub struct RatificationRow {
    pub country: String,
    pub convention: String,
    pub status: Status,
    pub stage: Option<Stage>,
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
pub type RecordState = (Status, Option<NaiveDate>, Option<NaiveDate>);

/// The fields of a record that a write sets (timestamps and version are the store's).
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset, serde::Serialize)]
#[diesel(table_name = ratifications, treat_none_as_null = true)]
pub struct RatificationFields {
    pub country: String,
    pub convention: String,
    pub status: Status,
    pub stage: Option<Stage>,
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
    /// The record these fields make at `version` (what the store now holds).
    pub fn stored(
        &self,
        version: i32,
        created_at: NaiveDateTime,
        updated_at: NaiveDateTime,
    ) -> RatificationRow {
        RatificationRow {
            country: self.country.clone(),
            convention: self.convention.clone(),
            status: self.status,
            stage: self.stage,
            registered_on: self.registered_on,
            in_force_on: self.in_force_on,
            denounced_on: self.denounced_on,
            minimum_age: self.minimum_age,
            notes: self.notes.clone(),
            source: self.source.clone(),
            source_date: self.source_date.clone(),
            version,
            created_at,
            updated_at,
            source_incomplete: self.source_incomplete,
        }
    }

    /// The writable fields of a stored record, as they are.
    pub fn of(row: &RatificationRow) -> RatificationFields {
        RatificationFields {
            country: row.country.clone(),
            convention: row.convention.clone(),
            status: row.status,
            stage: row.stage,
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
    /// How far a ratification in progress has come.
    pub stage: Option<Stage>,
    /// Registered by the ILO on or after / on or before these days.
    pub registered_from: Option<NaiveDate>,
    pub registered_until: Option<NaiveDate>,
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
    if let Some(stage) = filter.stage {
        query = query.filter(ratifications::stage.eq(stage));
    }
    if let Some(from) = filter.registered_from {
        query = query.filter(ratifications::registered_on.ge(from));
    }
    if let Some(until) = filter.registered_until {
        query = query.filter(ratifications::registered_on.le(until));
    }
    query
}

/// How many records the filter selects (the total its list answers).
pub fn count_matching(conn: &mut DbConn, filter: &RatificationFilter) -> QueryResult<i64> {
    filtered(filter).count().get_result(conn)
}

/// One page of records, ordered by country and instrument code.
pub fn list(
    conn: &mut DbConn,
    filter: &RatificationFilter,
    page: PageRequest,
) -> QueryResult<(Vec<RatificationView>, i64)> {
    let total = count_matching(conn, filter)?;
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

/// Up to `limit` records matching the filter that come after `after` (country, instrument)
/// in the order of [`all_matching`]: one page of an export that is read a page at a time.
pub fn page_matching(
    conn: &mut DbConn,
    filter: &RatificationFilter,
    after: Option<&(String, String)>,
    limit: i64,
) -> QueryResult<Vec<RatificationRow>> {
    let mut query = filtered(filter);
    if let Some((country, convention)) = after {
        query = query.filter(
            ratifications::country
                .gt(country.clone())
                .or(ratifications::country
                    .eq(country.clone())
                    .and(ratifications::convention.gt(convention.clone()))),
        );
    }
    query
        .select(RatificationRow::as_select())
        .order((ratifications::country.asc(), ratifications::convention.asc()))
        .limit(limit)
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
    Ok(insert_many(conn, std::slice::from_ref(fields), actor)?.remove(0))
}

/// A whole stored record, for multi-row inserts.
#[derive(Insertable)]
#[diesel(table_name = ratifications)]
struct NewRecord {
    #[diesel(embed)]
    fields: RatificationFields,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = ratification_history)]
struct NewHistory<'a> {
    country: &'a str,
    convention: &'a str,
    version: i32,
    actor: &'a str,
    changed_at: NaiveDateTime,
    before_json: Option<String>,
    after_json: Option<String>,
}

/// Rows per multi-row `INSERT`: well under SQLite's 32,766 bound parameters.
const BATCH: usize = 500;

/// Creates records (version 1) with their first history rows, many rows per statement, in
/// the caller's transaction. Returns the stored records in the order given.
pub fn insert_many(
    conn: &mut DbConn,
    fields: &[RatificationFields],
    actor: &str,
) -> QueryResult<Vec<RatificationRow>> {
    let now = super::now();
    let rows: Vec<RatificationRow> = fields.iter().map(|f| f.stored(1, now, now)).collect();
    for chunk in fields.chunks(BATCH) {
        let records: Vec<NewRecord> = chunk
            .iter()
            .map(|f| NewRecord {
                fields: f.clone(),
                version: 1,
                created_at: now,
                updated_at: now,
            })
            .collect();
        crate::db::per_engine!(conn, |c| diesel::insert_into(ratifications::table)
            .values(&records)
            .execute(c))?;
    }
    let changes: Vec<(Option<&RatificationRow>, &RatificationRow)> = rows.iter().map(|r| (None, r)).collect();
    record_history_many(conn, &changes, actor, now)?;
    Ok(rows)
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
    let row = fields.stored(before.version + 1, before.created_at, now);
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

/// What the dashboard reads of a record: where it stands and how old its source is.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = ratifications)]
pub struct StandingRow {
    pub country: String,
    pub convention: String,
    pub status: Status,
    pub registered_on: Option<NaiveDate>,
    pub in_force_on: Option<NaiveDate>,
    pub denounced_on: Option<NaiveDate>,
    pub source_date: Option<String>,
}

/// Every record's standing columns, by country and instrument: the dashboard's whole matrix
/// without the notes, sources and timestamps it never shows.
pub fn all_standings(conn: &mut DbConn) -> QueryResult<Vec<StandingRow>> {
    ratifications::table
        .select(StandingRow::as_select())
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
    record_history_many(conn, &[(before, after)], actor, at)
}

/// Writes history rows (who, when, before, after), many per statement.
fn record_history_many(
    conn: &mut DbConn,
    changes: &[(Option<&RatificationRow>, &RatificationRow)],
    actor: &str,
    at: NaiveDateTime,
) -> QueryResult<()> {
    let to_json = |row: &RatificationRow| serde_json::to_string(row).unwrap_or_default();
    for chunk in changes.chunks(BATCH) {
        let rows: Vec<NewHistory<'_>> = chunk
            .iter()
            .map(|(before, after)| NewHistory {
                country: &after.country,
                convention: &after.convention,
                version: after.version,
                actor,
                changed_at: at,
                before_json: before.map(to_json),
                after_json: Some(to_json(after)),
            })
            .collect();
        crate::db::per_engine!(conn, |c| diesel::insert_into(ratification_history::table)
            .values(&rows)
            .execute(c))?;
    }
    Ok(())
}

/// How many history rows one record has.
pub fn history_count(conn: &mut DbConn, country: &str, convention: &str) -> QueryResult<i64> {
    ratification_history::table
        .filter(ratification_history::country.eq(country))
        .filter(ratification_history::convention.eq(convention))
        .count()
        .get_result(conn)
}
