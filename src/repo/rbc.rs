//! Responsible-business-conduct initiatives and where they apply. Every read takes the
//! caller's scope: a global initiative (no country) is seen by everyone signed in, a
//! national one by those who see one of its countries.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{
    rbc_initiative_arrangements, rbc_initiative_conventions, rbc_initiative_countries,
    rbc_initiative_organizations, rbc_initiatives,
};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::rbc::{status_on, InitiativeKind, InitiativeStatus};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = rbc_initiatives)]
pub struct InitiativeRow {
    pub id: i32,
    pub name: String,
    pub kind: InitiativeKind,
    pub kind_as_given: String,
    pub sectors: String,
    pub sectors_as_given: String,
    pub partners: String,
    pub funders: String,
    pub instruments_as_given: String,
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub status: Option<InitiativeStatus>,
    pub parent: Option<i32>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An initiative with what it is tied to.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Initiative {
    #[serde(flatten)]
    pub row: InitiativeRow,
    pub links: Links,
}

/// Where an initiative applies and what it is tied to.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Links {
    pub countries: Vec<String>,
    pub conventions: Vec<String>,
    pub arrangements: Vec<String>,
    pub organizations: Vec<i32>,
}

/// The fields of an initiative a write sets.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = rbc_initiatives, treat_none_as_null = true)]
pub struct InitiativeFields {
    pub name: String,
    pub kind: InitiativeKind,
    pub kind_as_given: String,
    pub sectors: String,
    pub sectors_as_given: String,
    pub partners: String,
    pub funders: String,
    pub instruments_as_given: String,
    pub starts: Option<String>,
    pub ends: Option<String>,
    pub status: Option<InitiativeStatus>,
    pub parent: Option<i32>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct InitiativeFilter {
    pub country: Option<String>,
    pub kind: Option<InitiativeKind>,
    pub convention: Option<String>,
    pub arrangement: Option<String>,
    /// The status as shown on `today` (`domain::rbc::status_on`): recorded, or read from
    /// the dates. Both or neither.
    pub status: Option<(InitiativeStatus, NaiveDate)>,
}

fn filtered(filter: &InitiativeFilter, scope: &Scope) -> rbc_initiatives::BoxedQuery<'static, Db> {
    let mut query = rbc_initiatives::table.into_boxed();
    if let Some(countries) = scope.countries() {
        let national = rbc_initiative_countries::table.select(rbc_initiative_countries::initiative_id);
        let seen = rbc_initiative_countries::table
            .filter(rbc_initiative_countries::country.eq_any(countries))
            .select(rbc_initiative_countries::initiative_id);
        query = query.filter(
            rbc_initiatives::id
                .ne_all(national)
                .or(rbc_initiatives::id.eq_any(seen)),
        );
    }
    if let Some(country) = &filter.country {
        query = query.filter(
            rbc_initiatives::id.eq_any(
                rbc_initiative_countries::table
                    .filter(rbc_initiative_countries::country.eq(country.clone()))
                    .select(rbc_initiative_countries::initiative_id),
            ),
        );
    }
    if let Some(kind) = filter.kind {
        query = query.filter(rbc_initiatives::kind.eq(kind));
    }
    if let Some(convention) = &filter.convention {
        query = query.filter(
            rbc_initiatives::id.eq_any(
                rbc_initiative_conventions::table
                    .filter(rbc_initiative_conventions::convention.eq(convention.clone()))
                    .select(rbc_initiative_conventions::initiative_id),
            ),
        );
    }
    if let Some(arrangement) = &filter.arrangement {
        query = query.filter(
            rbc_initiatives::id.eq_any(
                rbc_initiative_arrangements::table
                    .filter(rbc_initiative_arrangements::arrangement.eq(arrangement.clone()))
                    .select(rbc_initiative_arrangements::initiative_id),
            ),
        );
    }
    query
}

fn with_links(conn: &mut DbConn, rows: Vec<InitiativeRow>) -> QueryResult<Vec<Initiative>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut links: HashMap<i32, Links> = HashMap::new();
    for (id, c) in rbc_initiative_countries::table
        .filter(rbc_initiative_countries::initiative_id.eq_any(&ids))
        .select((
            rbc_initiative_countries::initiative_id,
            rbc_initiative_countries::country,
        ))
        .order(rbc_initiative_countries::country)
        .load::<(i32, String)>(conn)?
    {
        links.entry(id).or_default().countries.push(c);
    }
    for (id, c) in rbc_initiative_conventions::table
        .filter(rbc_initiative_conventions::initiative_id.eq_any(&ids))
        .select((
            rbc_initiative_conventions::initiative_id,
            rbc_initiative_conventions::convention,
        ))
        .order(rbc_initiative_conventions::convention)
        .load::<(i32, String)>(conn)?
    {
        links.entry(id).or_default().conventions.push(c);
    }
    for (id, a) in rbc_initiative_arrangements::table
        .filter(rbc_initiative_arrangements::initiative_id.eq_any(&ids))
        .select((
            rbc_initiative_arrangements::initiative_id,
            rbc_initiative_arrangements::arrangement,
        ))
        .order(rbc_initiative_arrangements::arrangement)
        .load::<(i32, String)>(conn)?
    {
        links.entry(id).or_default().arrangements.push(a);
    }
    for (id, o) in rbc_initiative_organizations::table
        .filter(rbc_initiative_organizations::initiative_id.eq_any(&ids))
        .select((
            rbc_initiative_organizations::initiative_id,
            rbc_initiative_organizations::organization_id,
        ))
        .order(rbc_initiative_organizations::organization_id)
        .load::<(i32, i32)>(conn)?
    {
        links.entry(id).or_default().organizations.push(o);
    }
    Ok(rows
        .into_iter()
        .map(|row| Initiative {
            links: links.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// The ids `filter` selects in `scope`, by id. The status as shown is read from the dates
/// at the precision their source gives, so it is sorted out here rather than in SQL (there
/// are tens of initiatives, not millions).
fn matching_ids(conn: &mut DbConn, filter: &InitiativeFilter, scope: &Scope) -> QueryResult<Vec<i32>> {
    type Dated = (i32, Option<InitiativeStatus>, Option<String>, Option<String>);
    let rows: Vec<Dated> = filtered(filter, scope)
        .select((
            rbc_initiatives::id,
            rbc_initiatives::status,
            rbc_initiatives::starts,
            rbc_initiatives::ends,
        ))
        .order(rbc_initiatives::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter(|(_, recorded, starts, ends)| match filter.status {
            None => true,
            Some((wanted, today)) => {
                status_on(*recorded, starts.as_deref(), ends.as_deref(), today) == Some(wanted)
            }
        })
        .map(|(id, ..)| id)
        .collect())
}

/// How many initiatives `filter` selects in `scope` (the total its list answers).
pub fn count_matching(conn: &mut DbConn, filter: &InitiativeFilter, scope: &Scope) -> QueryResult<i64> {
    Ok(matching_ids(conn, filter, scope)?.len() as i64)
}

pub fn list(
    conn: &mut DbConn,
    filter: &InitiativeFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<Initiative>, i64)> {
    let ids = matching_ids(conn, filter, scope)?;
    let total = ids.len() as i64;
    let wanted = ids[page.window(ids.len())].to_vec();
    let rows = rbc_initiatives::table
        .filter(rbc_initiatives::id.eq_any(wanted))
        .select(InitiativeRow::as_select())
        .order(rbc_initiatives::id.asc())
        .load(conn)?;
    Ok((with_links(conn, rows)?, total))
}

/// One initiative, if it exists within the scope.
pub fn get(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<Initiative>> {
    let row = filtered(&InitiativeFilter::default(), scope)
        .filter(rbc_initiatives::id.eq(id))
        .select(InitiativeRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => with_links(conn, vec![row])?.pop(),
        None => None,
    })
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    rbc_initiatives::table.count().get_result(conn)
}

fn set_links(conn: &mut DbConn, id: i32, links: &Links) -> QueryResult<()> {
    diesel::delete(rbc_initiative_countries::table.filter(rbc_initiative_countries::initiative_id.eq(id)))
        .execute(conn)?;
    diesel::delete(
        rbc_initiative_conventions::table.filter(rbc_initiative_conventions::initiative_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        rbc_initiative_arrangements::table.filter(rbc_initiative_arrangements::initiative_id.eq(id)),
    )
    .execute(conn)?;
    diesel::delete(
        rbc_initiative_organizations::table.filter(rbc_initiative_organizations::initiative_id.eq(id)),
    )
    .execute(conn)?;
    for c in &links.countries {
        diesel::insert_into(rbc_initiative_countries::table)
            .values((
                rbc_initiative_countries::initiative_id.eq(id),
                rbc_initiative_countries::country.eq(c),
            ))
            .execute(conn)?;
    }
    for c in &links.conventions {
        diesel::insert_into(rbc_initiative_conventions::table)
            .values((
                rbc_initiative_conventions::initiative_id.eq(id),
                rbc_initiative_conventions::convention.eq(c),
            ))
            .execute(conn)?;
    }
    for a in &links.arrangements {
        diesel::insert_into(rbc_initiative_arrangements::table)
            .values((
                rbc_initiative_arrangements::initiative_id.eq(id),
                rbc_initiative_arrangements::arrangement.eq(a),
            ))
            .execute(conn)?;
    }
    for o in &links.organizations {
        diesel::insert_into(rbc_initiative_organizations::table)
            .values((
                rbc_initiative_organizations::initiative_id.eq(id),
                rbc_initiative_organizations::organization_id.eq(o),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// Stores a new initiative with its links; returns it.
pub fn insert(conn: &mut DbConn, fields: &InitiativeFields, links: &Links) -> QueryResult<Initiative> {
    let now = super::now();
    diesel::insert_into(rbc_initiatives::table)
        .values((
            fields,
            rbc_initiatives::version.eq(1),
            rbc_initiatives::created_at.eq(now),
            rbc_initiatives::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "rbc_initiatives")?;
    set_links(conn, id, links)?;
    get(conn, id, &Scope::Global)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes an initiative still at `version`; `None` when it has moved on.
pub fn update(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &InitiativeFields,
    links: &Links,
) -> QueryResult<Option<Initiative>> {
    let changed = diesel::update(
        rbc_initiatives::table
            .filter(rbc_initiatives::id.eq(id))
            .filter(rbc_initiatives::version.eq(version)),
    )
    .set((
        fields,
        rbc_initiatives::version.eq(version + 1),
        rbc_initiatives::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    set_links(conn, id, links)?;
    get(conn, id, &Scope::Global)
}
