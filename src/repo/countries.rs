//! Countries (ILO member states).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::{contains_pattern, lower};
use crate::db::schema::countries;
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::reference::Region;

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = countries)]
pub struct CountryRow {
    pub iso3: String,
    pub iso2: String,
    pub un_m49: String,
    pub name: String,
    pub region: Region,
    pub region_basis: String,
    pub member_since: Option<NaiveDate>,
    pub source: String,
}

#[derive(Debug, Clone, Default)]
pub struct CountryFilter {
    pub region: Option<Region>,
    /// Case-insensitive part of the name, or an exact ISO code.
    pub q: Option<String>,
}

fn filtered(filter: &CountryFilter) -> countries::BoxedQuery<'static, Db> {
    let mut query = countries::table.into_boxed();
    if let Some(region) = filter.region {
        query = query.filter(countries::region.eq(region.as_str()));
    }
    if let Some(q) = &filter.q {
        let code = q.trim().to_ascii_uppercase();
        query = query.filter(
            lower(countries::name)
                .like(contains_pattern(&q.trim().to_lowercase()))
                .escape('\\')
                .or(countries::iso3.eq(code.clone()))
                .or(countries::iso2.eq(code)),
        );
    }
    query
}

pub fn list(
    conn: &mut DbConn,
    filter: &CountryFilter,
    page: PageRequest,
) -> QueryResult<(Vec<CountryRow>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select(CountryRow::as_select())
        .order(countries::iso3.asc())
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn get(conn: &mut DbConn, iso3: &str) -> QueryResult<Option<CountryRow>> {
    countries::table
        .find(iso3)
        .select(CountryRow::as_select())
        .first(conn)
        .optional()
}

pub fn exists(conn: &mut DbConn, iso3: &str) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(countries::table.find(iso3))).get_result(conn)
}

/// Every member state's code.
pub fn codes(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    countries::table
        .select(countries::iso3)
        .order(countries::iso3.asc())
        .load(conn)
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    countries::table.count().get_result(conn)
}

pub fn insert(conn: &mut DbConn, row: &CountryRow) -> QueryResult<()> {
    diesel::insert_into(countries::table)
        .values(row)
        .execute(conn)
        .map(|_| ())
}

/// Every member state's name, by code.
pub fn names(conn: &mut DbConn) -> QueryResult<std::collections::HashMap<String, String>> {
    let rows: Vec<(String, String)> = countries::table
        .select((countries::iso3, countries::name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}
