//! Programmes and their countries.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{programme_countries, programmes};
use crate::db::DbConn;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = programmes)]
pub struct ProgrammeRow {
    pub id: i32,
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub notes: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A programme with its countries (ISO alpha-3, sorted).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Programme {
    #[serde(flatten)]
    pub row: ProgrammeRow,
    pub countries: Vec<String>,
}

/// The fields of a programme a write sets.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = programmes)]
pub struct ProgrammeFields {
    pub name: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub notes: String,
}

fn with_countries(conn: &mut DbConn, row: ProgrammeRow) -> QueryResult<Programme> {
    let countries = programme_countries::table
        .filter(programme_countries::programme_id.eq(row.id))
        .select(programme_countries::country)
        .order(programme_countries::country.asc())
        .load(conn)?;
    Ok(Programme { row, countries })
}

/// Every programme, by id (there are few; the service keeps those the caller may see).
pub fn all(conn: &mut DbConn) -> QueryResult<Vec<Programme>> {
    let rows: Vec<ProgrammeRow> = programmes::table
        .select(ProgrammeRow::as_select())
        .order(programmes::id.asc())
        .load(conn)?;
    rows.into_iter().map(|r| with_countries(conn, r)).collect()
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<Programme>> {
    let row = programmes::table
        .find(id)
        .select(ProgrammeRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| with_countries(conn, r)).transpose()
}

fn set_countries(conn: &mut DbConn, id: i32, countries: &[String]) -> QueryResult<()> {
    diesel::delete(programme_countries::table.filter(programme_countries::programme_id.eq(id)))
        .execute(conn)?;
    for c in countries {
        diesel::insert_into(programme_countries::table)
            .values((
                programme_countries::programme_id.eq(id),
                programme_countries::country.eq(c),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert(conn: &mut DbConn, fields: &ProgrammeFields, countries: &[String]) -> QueryResult<Programme> {
    let now = super::now();
    diesel::insert_into(programmes::table)
        .values((
            fields,
            programmes::version.eq(1),
            programmes::created_at.eq(now),
            programmes::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "programmes")?;
    set_countries(conn, id, countries)?;
    get(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes a programme still at `version`; `None` when it has moved on.
pub fn update(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &ProgrammeFields,
    countries: &[String],
) -> QueryResult<Option<Programme>> {
    let changed = diesel::update(programmes::table.find(id).filter(programmes::version.eq(version)))
        .set((
            fields,
            programmes::version.eq(version + 1),
            programmes::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    set_countries(conn, id, countries)?;
    get(conn, id)
}

pub fn delete(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    diesel::delete(programme_countries::table.filter(programme_countries::programme_id.eq(id)))
        .execute(conn)?;
    diesel::delete(programmes::table.find(id))
        .execute(conn)
        .map(|_| ())
}
