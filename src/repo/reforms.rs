//! Gaps, their instruments, milestones and milestone comments. Every read takes the
//! caller's scope, so a query cannot forget the country filter.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{gap_comments, gap_conventions, gaps, milestone_comments, milestones};
use crate::db::{Db, DbConn};
use crate::domain::access::Scope;
use crate::domain::pagination::PageRequest;
use crate::domain::reforms::{GapStatus, MilestoneKind, MilestoneStatus};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = gaps)]
pub struct GapRow {
    pub id: i32,
    pub country: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub source_link: Option<String>,
    pub status: GapStatus,
    pub closed_on: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The day the gap was identified.
    pub opened_on: Option<NaiveDate>,
}

/// A gap with the instruments it concerns.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Gap {
    #[serde(flatten)]
    pub row: GapRow,
    pub conventions: Vec<String>,
    /// The supervisory comments the gap was opened from.
    pub comments: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GapFields {
    pub country: String,
    pub title: String,
    pub description: String,
    pub source: String,
    pub source_link: Option<String>,
    pub status: GapStatus,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub conventions: Vec<String>,
    pub comments: Vec<i32>,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = milestones)]
pub struct MilestoneRow {
    pub id: i32,
    pub gap_id: i32,
    pub kind: MilestoneKind,
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: MilestoneStatus,
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A milestone with its gap's country.
#[derive(Debug, Clone, PartialEq)]
pub struct Milestone {
    pub row: MilestoneRow,
    pub country: String,
}

#[derive(Debug, Clone, PartialEq, AsChangeset)]
#[diesel(table_name = milestones, treat_none_as_null = true)]
pub struct MilestoneFields {
    pub kind: MilestoneKind,
    pub title: String,
    pub target_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub status: MilestoneStatus,
    pub organization: Option<i32>,
    pub evidence_link: Option<String>,
    pub notes: String,
}

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = milestone_comments)]
pub struct CommentRow {
    pub id: i32,
    pub milestone_id: i32,
    pub author: String,
    pub organization: Option<i32>,
    pub body: String,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Clone, Default)]
pub struct GapFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub status: Option<GapStatus>,
    /// Opened on or after / on or before these days.
    pub opened_from: Option<NaiveDate>,
    pub opened_until: Option<NaiveDate>,
    /// Closed on or after / on or before these days.
    pub closed_from: Option<NaiveDate>,
    pub closed_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Default)]
pub struct MilestoneFilter {
    pub gap: Option<i32>,
    pub country: Option<String>,
    pub convention: Option<String>,
    pub status: Option<MilestoneStatus>,
    pub organization: Option<i32>,
    /// `Some(true)`: only overdue (target before `today`, neither completed nor cancelled);
    /// `Some(false)`: only those not overdue.
    pub overdue: Option<bool>,
    pub today: Option<NaiveDate>,
    pub target_from: Option<NaiveDate>,
    pub target_until: Option<NaiveDate>,
    /// Completed on or after / on or before these days.
    pub completed_from: Option<NaiveDate>,
    pub completed_until: Option<NaiveDate>,
}

fn filtered_gaps(filter: &GapFilter, scope: &Scope) -> gaps::BoxedQuery<'static, Db> {
    let mut query = gaps::table.into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(gaps::country.eq_any(countries));
    }
    if let Some(country) = &filter.country {
        query = query.filter(gaps::country.eq(country.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(gaps::status.eq(*status));
    }
    if let Some(from) = filter.opened_from {
        query = query.filter(gaps::opened_on.ge(from));
    }
    if let Some(until) = filter.opened_until {
        query = query.filter(gaps::opened_on.le(until));
    }
    if let Some(from) = filter.closed_from {
        query = query.filter(gaps::closed_on.ge(from));
    }
    if let Some(until) = filter.closed_until {
        query = query.filter(gaps::closed_on.le(until));
    }
    if let Some(convention) = &filter.convention {
        let ids = gap_conventions::table
            .filter(gap_conventions::convention.eq(convention.clone()))
            .select(gap_conventions::gap_id);
        query = query.filter(gaps::id.eq_any(ids));
    }
    query
}

fn conventions_of(conn: &mut DbConn, gap_id: i32) -> QueryResult<Vec<String>> {
    gap_conventions::table
        .filter(gap_conventions::gap_id.eq(gap_id))
        .select(gap_conventions::convention)
        .order(gap_conventions::convention.asc())
        .load(conn)
}

fn with_conventions(conn: &mut DbConn, row: GapRow) -> QueryResult<Gap> {
    let conventions = conventions_of(conn, row.id)?;
    let comments = gap_comments::table
        .filter(gap_comments::gap_id.eq(row.id))
        .select(gap_comments::comment_id)
        .order(gap_comments::comment_id.asc())
        .load(conn)?;
    Ok(Gap {
        row,
        conventions,
        comments,
    })
}

pub fn list_gaps(
    conn: &mut DbConn,
    filter: &GapFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<Gap>, i64)> {
    let total = count_gaps(conn, filter, scope)?;
    let rows: Vec<GapRow> = filtered_gaps(filter, scope)
        .select(GapRow::as_select())
        .order((gaps::country.asc(), gaps::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    let gaps = rows
        .into_iter()
        .map(|r| with_conventions(conn, r))
        .collect::<QueryResult<Vec<_>>>()?;
    Ok((gaps, total))
}

/// One gap, if it exists within the scope.
pub fn get_gap(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<Gap>> {
    let row = filtered_gaps(&GapFilter::default(), scope)
        .filter(gaps::id.eq(id))
        .select(GapRow::as_select())
        .first(conn)
        .optional()?;
    row.map(|r| with_conventions(conn, r)).transpose()
}

fn replace_comments(conn: &mut DbConn, gap_id: i32, comments: &[i32]) -> QueryResult<()> {
    diesel::delete(gap_comments::table.filter(gap_comments::gap_id.eq(gap_id))).execute(conn)?;
    for id in comments {
        diesel::insert_into(gap_comments::table)
            .values((gap_comments::gap_id.eq(gap_id), gap_comments::comment_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

fn replace_conventions(conn: &mut DbConn, gap_id: i32, conventions: &[String]) -> QueryResult<()> {
    diesel::delete(gap_conventions::table.filter(gap_conventions::gap_id.eq(gap_id))).execute(conn)?;
    for code in conventions {
        diesel::insert_into(gap_conventions::table)
            .values((
                gap_conventions::gap_id.eq(gap_id),
                gap_conventions::convention.eq(code),
            ))
            .execute(conn)?;
    }
    Ok(())
}

pub fn insert_gap(conn: &mut DbConn, fields: &GapFields) -> QueryResult<Gap> {
    let now = super::now();
    diesel::insert_into(gaps::table)
        .values((
            gaps::country.eq(&fields.country),
            gaps::title.eq(&fields.title),
            gaps::description.eq(&fields.description),
            gaps::source.eq(&fields.source),
            gaps::source_link.eq(&fields.source_link),
            gaps::status.eq(&fields.status),
            gaps::opened_on.eq(fields.opened_on),
            gaps::closed_on.eq(fields.closed_on),
            gaps::version.eq(1),
            gaps::created_at.eq(now),
            gaps::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "gaps")?;
    let row: GapRow = gaps::table.find(id).select(GapRow::as_select()).first(conn)?;
    replace_conventions(conn, row.id, &fields.conventions)?;
    replace_comments(conn, row.id, &fields.comments)?;
    with_conventions(conn, row)
}

/// Changes a gap still at `version`; `None` when it has moved on.
pub fn update_gap(conn: &mut DbConn, id: i32, version: i32, fields: &GapFields) -> QueryResult<Option<Gap>> {
    let updated = diesel::update(gaps::table.find(id).filter(gaps::version.eq(version)))
        .set((
            gaps::title.eq(&fields.title),
            gaps::description.eq(&fields.description),
            gaps::source.eq(&fields.source),
            gaps::source_link.eq(&fields.source_link),
            gaps::status.eq(&fields.status),
            gaps::opened_on.eq(fields.opened_on),
            gaps::closed_on.eq(fields.closed_on),
            gaps::version.eq(version + 1),
            gaps::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    replace_conventions(conn, id, &fields.conventions)?;
    replace_comments(conn, id, &fields.comments)?;
    get_gap(conn, id, &Scope::Global)
}

pub fn delete_gap(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    diesel::delete(gap_conventions::table.filter(gap_conventions::gap_id.eq(id))).execute(conn)?;
    diesel::delete(gap_comments::table.filter(gap_comments::gap_id.eq(id))).execute(conn)?;
    diesel::delete(gaps::table.find(id)).execute(conn).map(|_| ())
}

/// Statuses of a gap's milestones.
pub fn milestone_statuses(conn: &mut DbConn, gap_id: i32) -> QueryResult<Vec<MilestoneStatus>> {
    milestones::table
        .filter(milestones::gap_id.eq(gap_id))
        .select(milestones::status)
        .load(conn)
}

type MilestoneJoin = diesel::dsl::InnerJoin<milestones::table, gaps::table>;

fn filtered_milestones(
    filter: &MilestoneFilter,
    scope: &Scope,
) -> diesel::dsl::IntoBoxed<'static, MilestoneJoin, Db> {
    let mut query = milestones::table.inner_join(gaps::table).into_boxed();
    if let Some(countries) = scope.countries() {
        query = query.filter(gaps::country.eq_any(countries));
    }
    if let Some(gap) = filter.gap {
        query = query.filter(milestones::gap_id.eq(gap));
    }
    if let Some(country) = &filter.country {
        query = query.filter(gaps::country.eq(country.clone()));
    }
    if let Some(status) = &filter.status {
        query = query.filter(milestones::status.eq(*status));
    }
    if let Some(organization) = filter.organization {
        query = query.filter(milestones::organization.eq(organization));
    }
    if let Some(convention) = &filter.convention {
        let ids = gap_conventions::table
            .filter(gap_conventions::convention.eq(convention.clone()))
            .select(gap_conventions::gap_id);
        query = query.filter(milestones::gap_id.eq_any(ids));
    }
    if let (Some(overdue), Some(today)) = (filter.overdue, filter.today) {
        let pending = vec!["planned".to_string(), "in_progress".to_string()];
        if overdue {
            query = query.filter(
                milestones::target_on
                    .lt(today)
                    .and(milestones::status.eq_any(pending)),
            );
        } else {
            query = query.filter(
                milestones::target_on
                    .ge(today)
                    .or(milestones::status.ne_all(pending)),
            );
        }
    }
    if let Some(from) = filter.target_from {
        query = query.filter(milestones::target_on.ge(from));
    }
    if let Some(until) = filter.target_until {
        query = query.filter(milestones::target_on.le(until));
    }
    if let Some(from) = filter.completed_from {
        query = query.filter(milestones::completed_on.ge(from));
    }
    if let Some(until) = filter.completed_until {
        query = query.filter(milestones::completed_on.le(until));
    }
    query
}

/// How many gaps `filter` selects in `scope` (the total its list answers).
pub fn count_gaps(conn: &mut DbConn, filter: &GapFilter, scope: &Scope) -> QueryResult<i64> {
    filtered_gaps(filter, scope).count().get_result(conn)
}

/// How many milestones `filter` selects in `scope` (the total its list answers).
pub fn count_milestones(conn: &mut DbConn, filter: &MilestoneFilter, scope: &Scope) -> QueryResult<i64> {
    filtered_milestones(filter, scope).count().get_result(conn)
}

pub fn list_milestones(
    conn: &mut DbConn,
    filter: &MilestoneFilter,
    scope: &Scope,
    page: PageRequest,
) -> QueryResult<(Vec<Milestone>, i64)> {
    let total = count_milestones(conn, filter, scope)?;
    let rows: Vec<(MilestoneRow, String)> = filtered_milestones(filter, scope)
        .select((MilestoneRow::as_select(), gaps::country))
        .order((milestones::target_on.asc(), milestones::id.asc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((
        rows.into_iter()
            .map(|(row, country)| Milestone { row, country })
            .collect(),
        total,
    ))
}

/// One milestone, if it exists within the scope.
pub fn get_milestone(conn: &mut DbConn, id: i32, scope: &Scope) -> QueryResult<Option<Milestone>> {
    filtered_milestones(&MilestoneFilter::default(), scope)
        .filter(milestones::id.eq(id))
        .select((MilestoneRow::as_select(), gaps::country))
        .first::<(MilestoneRow, String)>(conn)
        .optional()
        .map(|row| row.map(|(row, country)| Milestone { row, country }))
}

pub fn insert_milestone(
    conn: &mut DbConn,
    gap_id: i32,
    fields: &MilestoneFields,
) -> QueryResult<MilestoneRow> {
    let now = super::now();
    diesel::insert_into(milestones::table)
        .values((
            milestones::gap_id.eq(gap_id),
            milestones::kind.eq(&fields.kind),
            milestones::title.eq(&fields.title),
            milestones::target_on.eq(fields.target_on),
            milestones::completed_on.eq(fields.completed_on),
            milestones::status.eq(&fields.status),
            milestones::organization.eq(fields.organization),
            milestones::evidence_link.eq(&fields.evidence_link),
            milestones::notes.eq(&fields.notes),
            milestones::version.eq(1),
            milestones::created_at.eq(now),
            milestones::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "milestones")?;
    milestones::table
        .find(id)
        .select(MilestoneRow::as_select())
        .first(conn)
}

pub fn update_milestone(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &MilestoneFields,
) -> QueryResult<Option<MilestoneRow>> {
    let updated = diesel::update(milestones::table.find(id).filter(milestones::version.eq(version)))
        .set((
            fields,
            milestones::version.eq(version + 1),
            milestones::updated_at.eq(super::now()),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Ok(None);
    }
    milestones::table
        .find(id)
        .select(MilestoneRow::as_select())
        .first(conn)
        .optional()
}

pub fn delete_milestone(conn: &mut DbConn, id: i32) -> QueryResult<()> {
    diesel::delete(milestone_comments::table.filter(milestone_comments::milestone_id.eq(id)))
        .execute(conn)?;
    diesel::delete(milestones::table.find(id))
        .execute(conn)
        .map(|_| ())
}

pub fn comments(conn: &mut DbConn, milestone_id: i32) -> QueryResult<Vec<CommentRow>> {
    milestone_comments::table
        .filter(milestone_comments::milestone_id.eq(milestone_id))
        .select(CommentRow::as_select())
        .order((milestone_comments::created_at.asc(), milestone_comments::id.asc()))
        .load(conn)
}

pub fn insert_comment(
    conn: &mut DbConn,
    milestone_id: i32,
    author: &str,
    organization: Option<i32>,
    body: &str,
) -> QueryResult<CommentRow> {
    let now = super::now();
    diesel::insert_into(milestone_comments::table)
        .values((
            milestone_comments::milestone_id.eq(milestone_id),
            milestone_comments::author.eq(author),
            milestone_comments::organization.eq(organization),
            milestone_comments::body.eq(body),
            milestone_comments::created_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "milestone_comments")?;
    milestone_comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
}
