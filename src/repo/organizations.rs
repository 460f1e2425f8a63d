//! Organizations: the government, employer and worker constituents of a country.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::organizations;
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::reference::OrganizationKind;

#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = organizations)]
pub struct OrganizationRow {
    pub id: i32,
    pub country: String,
    pub kind: OrganizationKind,
    pub name: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct OrganizationFilter {
    pub country: Option<String>,
    pub kind: Option<OrganizationKind>,
}

fn filtered(filter: &OrganizationFilter) -> organizations::BoxedQuery<'static, Db> {
    let mut query = organizations::table.into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(organizations::country.eq(country.clone()));
    }
    if let Some(kind) = &filter.kind {
        query = query.filter(organizations::kind.eq(*kind));
    }
    query
}

pub fn list(
    conn: &mut DbConn,
    filter: &OrganizationFilter,
    page: PageRequest,
) -> QueryResult<(Vec<OrganizationRow>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select(OrganizationRow::as_select())
        .order((
            organizations::country.asc(),
            organizations::kind.asc(),
            organizations::name.asc(),
            organizations::id.asc(),
        ))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((rows, total))
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<OrganizationRow>> {
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
        .optional()
}

/// Whether another organization of the country already has this kind and name.
pub fn name_taken(
    conn: &mut DbConn,
    country: &str,
    kind: &OrganizationKind,
    name: &str,
    except: Option<i32>,
) -> QueryResult<bool> {
    let mut query = organizations::table
        .filter(organizations::country.eq(country))
        .filter(organizations::kind.eq(*kind))
        .filter(organizations::name.eq(name))
        .into_boxed::<Db>();
    if let Some(id) = except {
        query = query.filter(organizations::id.ne(id));
    }
    Ok(query.count().get_result::<i64>(conn)? > 0)
}

pub fn insert(
    conn: &mut DbConn,
    country: &str,
    kind: OrganizationKind,
    name: &str,
) -> QueryResult<OrganizationRow> {
    let now = super::now();
    diesel::insert_into(organizations::table)
        .values((
            organizations::country.eq(country),
            organizations::kind.eq(kind),
            organizations::name.eq(name),
            organizations::version.eq(1),
            organizations::created_at.eq(now),
            organizations::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "organizations")?;
    organizations::table
        .find(id)
        .select(OrganizationRow::as_select())
        .first(conn)
}

/// Renames an organization if it is still at `version`; `None` when it has moved on.
pub fn rename(conn: &mut DbConn, id: i32, version: i32, name: &str) -> QueryResult<Option<OrganizationRow>> {
    let updated = diesel::update(
        organizations::table
            .find(id)
            .filter(organizations::version.eq(version)),
    )
    .set((
        organizations::name.eq(name),
        organizations::version.eq(version + 1),
        organizations::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    get(conn, id)
}

/// Every organization of these countries (all countries when `None`).
pub fn all_of(conn: &mut DbConn, countries: Option<&[String]>) -> QueryResult<Vec<OrganizationRow>> {
    let mut query = organizations::table
        .select(OrganizationRow::as_select())
        .into_boxed::<crate::db::Db>();
    if let Some(countries) = countries {
        query = query.filter(organizations::country.eq_any(countries.to_vec()));
    }
    query.order(organizations::id.asc()).load(conn)
}
