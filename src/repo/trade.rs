//! Trade arrangements, their membership events and the instruments they name. Public data:
//! no read takes a scope.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{trade_arrangement_events, trade_arrangement_instruments, trade_arrangements};
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::trade::{ArrangementKind, CommitmentType, MembershipEvent};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable, Serialize)]
#[diesel(table_name = trade_arrangements)]
pub struct ArrangementRow {
    pub slug: String,
    pub name: String,
    pub kind: ArrangementKind,
    pub kind_as_given: String,
    pub granting_parties: String,
    pub partner_scope: String,
    pub legal_act: String,
    pub labour_provisions: String,
    pub commitment: String,
    pub enforcement: String,
    pub status: String,
    pub signed_on: Option<NaiveDate>,
    pub applies_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = trade_arrangement_events)]
pub struct EventRow {
    pub id: i32,
    pub arrangement: String,
    pub country: String,
    pub country_name: String,
    pub event: MembershipEvent,
    pub event_as_given: String,
    pub occurred_on: Option<String>,
    pub legal_act: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

/// An event to store.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = trade_arrangement_events)]
pub struct NewEvent {
    pub arrangement: String,
    pub country: String,
    pub country_name: String,
    pub event: MembershipEvent,
    pub event_as_given: String,
    pub occurred_on: Option<String>,
    pub legal_act: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = trade_arrangement_instruments)]
pub struct InstrumentRow {
    pub id: i32,
    pub arrangement: String,
    pub position: i32,
    pub list_ref: String,
    pub country: Option<String>,
    pub convention: Option<String>,
    pub named_as: String,
    pub is_ilo: bool,
    pub commitment_type: CommitmentType,
    pub article: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

/// A named instrument to store.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = trade_arrangement_instruments)]
pub struct NewInstrument {
    pub arrangement: String,
    pub position: i32,
    pub list_ref: String,
    pub country: Option<String>,
    pub convention: Option<String>,
    pub named_as: String,
    pub is_ilo: bool,
    pub commitment_type: CommitmentType,
    pub article: String,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct ArrangementFilter {
    pub kind: Option<ArrangementKind>,
    /// Arrangements with an event for this country.
    pub country: Option<String>,
    /// Arrangements naming this instrument.
    pub convention: Option<String>,
}

fn filtered(filter: &ArrangementFilter) -> trade_arrangements::BoxedQuery<'static, Db> {
    let mut query = trade_arrangements::table.into_boxed();
    if let Some(kind) = filter.kind {
        query = query.filter(trade_arrangements::kind.eq(kind));
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            trade_arrangements::slug.eq_any(
                trade_arrangement_events::table
                    .filter(trade_arrangement_events::country.eq(country.clone()))
                    .select(trade_arrangement_events::arrangement),
            ),
        );
    }
    if let Some(convention) = &filter.convention {
        query = query.filter(
            trade_arrangements::slug.eq_any(
                trade_arrangement_instruments::table
                    .filter(trade_arrangement_instruments::convention.eq(convention.clone()))
                    .select(trade_arrangement_instruments::arrangement),
            ),
        );
    }
    query
}

pub fn list(
    conn: &mut DbConn,
    filter: &ArrangementFilter,
    page: PageRequest,
) -> QueryResult<(Vec<ArrangementRow>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select(ArrangementRow::as_select())
        .order(trade_arrangements::slug.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn get(conn: &mut DbConn, slug: &str) -> QueryResult<Option<ArrangementRow>> {
    trade_arrangements::table
        .find(slug)
        .select(ArrangementRow::as_select())
        .first(conn)
        .optional()
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    trade_arrangements::table.count().get_result(conn)
}

/// Every arrangement with at least one event for `country`.
pub fn for_country(conn: &mut DbConn, country: &str) -> QueryResult<Vec<ArrangementRow>> {
    filtered(&ArrangementFilter {
        country: Some(country.to_string()),
        ..Default::default()
    })
    .select(ArrangementRow::as_select())
    .order(trade_arrangements::slug.asc())
    .load(conn)
}

/// The events of an arrangement (of one country, when given), in date order (undated last).
pub fn events(conn: &mut DbConn, arrangement: &str, country: Option<&str>) -> QueryResult<Vec<EventRow>> {
    let mut query = trade_arrangement_events::table
        .filter(trade_arrangement_events::arrangement.eq(arrangement.to_string()))
        .into_boxed::<Db>();
    if let Some(country) = country {
        query = query.filter(trade_arrangement_events::country.eq(country.to_string()));
    }
    let mut rows: Vec<EventRow> = query
        .select(EventRow::as_select())
        .order((
            trade_arrangement_events::country.asc(),
            trade_arrangement_events::id.asc(),
        ))
        .load(conn)?;
    rows.sort_by(|a, b| {
        (a.occurred_on.is_none(), &a.occurred_on, &a.country, a.id).cmp(&(
            b.occurred_on.is_none(),
            &b.occurred_on,
            &b.country,
            b.id,
        ))
    });
    Ok(rows)
}

/// The instruments an arrangement names, in list order.
pub fn instruments(conn: &mut DbConn, arrangement: &str) -> QueryResult<Vec<InstrumentRow>> {
    trade_arrangement_instruments::table
        .filter(trade_arrangement_instruments::arrangement.eq(arrangement.to_string()))
        .select(InstrumentRow::as_select())
        .order((
            trade_arrangement_instruments::position.asc(),
            trade_arrangement_instruments::id.asc(),
        ))
        .load(conn)
}

/// The fields of an arrangement a write sets.
#[derive(Debug, Clone, PartialEq, AsChangeset, Insertable)]
#[diesel(table_name = trade_arrangements, treat_none_as_null = true)]
pub struct ArrangementFields {
    pub name: String,
    pub kind: ArrangementKind,
    pub kind_as_given: String,
    pub granting_parties: String,
    pub partner_scope: String,
    pub legal_act: String,
    pub labour_provisions: String,
    pub commitment: String,
    pub enforcement: String,
    pub status: String,
    pub signed_on: Option<NaiveDate>,
    pub applies_from: Option<NaiveDate>,
    pub expires_on: Option<NaiveDate>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

/// Creates arrangement `slug`.
pub fn create(conn: &mut DbConn, slug: &str, fields: &ArrangementFields) -> QueryResult<ArrangementRow> {
    let now = super::now();
    diesel::insert_into(trade_arrangements::table)
        .values((
            trade_arrangements::slug.eq(slug),
            fields,
            trade_arrangements::version.eq(1),
            trade_arrangements::created_at.eq(now),
            trade_arrangements::updated_at.eq(now),
        ))
        .execute(conn)?;
    get(conn, slug)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes an arrangement still at `version`; `None` when it has moved on.
pub fn touch(
    conn: &mut DbConn,
    slug: &str,
    version: i32,
    fields: Option<&ArrangementFields>,
) -> QueryResult<Option<ArrangementRow>> {
    let target = trade_arrangements::table
        .filter(trade_arrangements::slug.eq(slug))
        .filter(trade_arrangements::version.eq(version));
    let bump = (
        trade_arrangements::version.eq(version + 1),
        trade_arrangements::updated_at.eq(super::now()),
    );
    let changed = match fields {
        Some(fields) => diesel::update(target).set((fields, bump)).execute(conn)?,
        None => diesel::update(target).set(bump).execute(conn)?,
    };
    if changed == 0 {
        return Ok(None);
    }
    get(conn, slug)
}

/// Moves an arrangement's version on (an event or instrument was added), whatever it was.
pub fn bump(conn: &mut DbConn, slug: &str) -> QueryResult<()> {
    diesel::update(trade_arrangements::table.filter(trade_arrangements::slug.eq(slug)))
        .set((
            trade_arrangements::version.eq(trade_arrangements::version + 1),
            trade_arrangements::updated_at.eq(super::now()),
        ))
        .execute(conn)
        .map(|_| ())
}

/// Adds an event; returns it.
pub fn add_event(conn: &mut DbConn, event: &NewEvent) -> QueryResult<EventRow> {
    diesel::insert_into(trade_arrangement_events::table)
        .values(event)
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "trade_arrangement_events")?;
    trade_arrangement_events::table
        .find(id)
        .select(EventRow::as_select())
        .first(conn)
}

/// Adds a named instrument at the end of the arrangement's list; returns it.
pub fn add_instrument(conn: &mut DbConn, instrument: &NewInstrument) -> QueryResult<InstrumentRow> {
    diesel::insert_into(trade_arrangement_instruments::table)
        .values(instrument)
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "trade_arrangement_instruments")?;
    trade_arrangement_instruments::table
        .find(id)
        .select(InstrumentRow::as_select())
        .first(conn)
}

/// The next free list position of an arrangement.
pub fn next_position(conn: &mut DbConn, arrangement: &str) -> QueryResult<i32> {
    let max: Option<i32> = trade_arrangement_instruments::table
        .filter(trade_arrangement_instruments::arrangement.eq(arrangement.to_string()))
        .select(diesel::dsl::max(trade_arrangement_instruments::position))
        .first(conn)?;
    Ok(max.unwrap_or(0) + 1)
}

pub fn insert(conn: &mut DbConn, row: &ArrangementRow) -> QueryResult<()> {
    diesel::insert_into(trade_arrangements::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

pub fn insert_events(conn: &mut DbConn, rows: &[NewEvent]) -> QueryResult<()> {
    for chunk in rows.chunks(200) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(trade_arrangement_events::table)
            .values(chunk)
            .execute(c))?;
    }
    Ok(())
}

pub fn insert_instruments(conn: &mut DbConn, rows: &[NewInstrument]) -> QueryResult<()> {
    for chunk in rows.chunks(200) {
        crate::db::per_engine!(conn, |c| diesel::insert_into(
            trade_arrangement_instruments::table
        )
        .values(chunk)
        .execute(c))?;
    }
    Ok(())
}
