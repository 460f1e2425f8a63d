//! Supervisory comments and the instruments each examines. Public data: no read takes a
//! scope.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{gap_comments, supervisory_comment_conventions, supervisory_comments};
use crate::db::{Db, DbConn};
use crate::domain::pagination::PageRequest;
use crate::domain::supervision::{CommentKind, Footnote, SupervisoryBody};

#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Serialize)]
#[diesel(table_name = supervisory_comments)]
pub struct CommentRow {
    pub id: i32,
    pub normlex_id: Option<String>,
    pub body: SupervisoryBody,
    pub kind: CommentKind,
    pub country: String,
    pub year: i32,
    pub ilc_session: Option<i32>,
    pub published_year: Option<i32>,
    pub footnote: Footnote,
    pub reply_requested_for: Option<i32>,
    pub case_of_progress: Option<bool>,
    pub headings: String,
    pub observations_cited: String,
    pub label: String,
    pub link: Option<String>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A comment with the instruments it examines and the gaps opened from it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comment {
    #[serde(flatten)]
    pub row: CommentRow,
    pub conventions: Vec<String>,
    pub gaps: Vec<i32>,
}

/// The fields of a comment a write sets.
#[derive(Debug, Clone, PartialEq, Insertable, AsChangeset)]
#[diesel(table_name = supervisory_comments, treat_none_as_null = true)]
pub struct CommentFields {
    pub normlex_id: Option<String>,
    pub body: SupervisoryBody,
    pub kind: CommentKind,
    pub country: String,
    pub year: i32,
    pub ilc_session: Option<i32>,
    pub published_year: Option<i32>,
    pub footnote: Footnote,
    pub reply_requested_for: Option<i32>,
    pub case_of_progress: Option<bool>,
    pub headings: String,
    pub observations_cited: String,
    pub label: String,
    pub link: Option<String>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct CommentFilter {
    pub country: Option<String>,
    pub convention: Option<String>,
    pub body: Option<SupervisoryBody>,
    pub kind: Option<CommentKind>,
    pub year_from: Option<i32>,
    pub year_to: Option<i32>,
    pub reply_requested_for: Option<i32>,
}

fn filtered(filter: &CommentFilter) -> supervisory_comments::BoxedQuery<'static, Db> {
    let mut query = supervisory_comments::table.into_boxed();
    if let Some(country) = &filter.country {
        query = query.filter(supervisory_comments::country.eq(country.clone()));
    }
    if let Some(convention) = &filter.convention {
        query = query.filter(
            supervisory_comments::id.eq_any(
                supervisory_comment_conventions::table
                    .filter(supervisory_comment_conventions::convention.eq(convention.clone()))
                    .select(supervisory_comment_conventions::comment_id),
            ),
        );
    }
    if let Some(body) = filter.body {
        query = query.filter(supervisory_comments::body.eq(body));
    }
    if let Some(kind) = filter.kind {
        query = query.filter(supervisory_comments::kind.eq(kind));
    }
    if let Some(from) = filter.year_from {
        query = query.filter(supervisory_comments::year.ge(from));
    }
    if let Some(to) = filter.year_to {
        query = query.filter(supervisory_comments::year.le(to));
    }
    if let Some(year) = filter.reply_requested_for {
        query = query.filter(supervisory_comments::reply_requested_for.eq(year));
    }
    query
}

fn with_links(conn: &mut DbConn, rows: Vec<CommentRow>) -> QueryResult<Vec<Comment>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut conventions: HashMap<i32, Vec<String>> = HashMap::new();
    for (id, code) in supervisory_comment_conventions::table
        .filter(supervisory_comment_conventions::comment_id.eq_any(&ids))
        .select((
            supervisory_comment_conventions::comment_id,
            supervisory_comment_conventions::convention,
        ))
        .order((
            supervisory_comment_conventions::comment_id,
            supervisory_comment_conventions::convention,
        ))
        .load::<(i32, String)>(conn)?
    {
        conventions.entry(id).or_default().push(code);
    }
    let mut gaps: HashMap<i32, Vec<i32>> = HashMap::new();
    for (id, gap) in gap_comments::table
        .filter(gap_comments::comment_id.eq_any(&ids))
        .select((gap_comments::comment_id, gap_comments::gap_id))
        .order((gap_comments::comment_id, gap_comments::gap_id))
        .load::<(i32, i32)>(conn)?
    {
        gaps.entry(id).or_default().push(gap);
    }
    Ok(rows
        .into_iter()
        .map(|row| Comment {
            conventions: conventions.remove(&row.id).unwrap_or_default(),
            gaps: gaps.remove(&row.id).unwrap_or_default(),
            row,
        })
        .collect())
}

/// One page, newest first (by year, then id).
pub fn list(
    conn: &mut DbConn,
    filter: &CommentFilter,
    page: PageRequest,
) -> QueryResult<(Vec<Comment>, i64)> {
    let total = filtered(filter).count().get_result::<i64>(conn)?;
    let rows = filtered(filter)
        .select(CommentRow::as_select())
        .order((supervisory_comments::year.desc(), supervisory_comments::id.desc()))
        .limit(page.per_page)
        .offset(page.offset())
        .load(conn)?;
    Ok((with_links(conn, rows)?, total))
}

/// Every comment matching, newest first (views that bound the selection themselves).
pub fn all(conn: &mut DbConn, filter: &CommentFilter) -> QueryResult<Vec<Comment>> {
    let rows = filtered(filter)
        .select(CommentRow::as_select())
        .order((supervisory_comments::year.desc(), supervisory_comments::id.desc()))
        .load(conn)?;
    with_links(conn, rows)
}

/// Up to `limit` comments after id `after`, in id order (the CSV export's pages).
pub fn page_after(
    conn: &mut DbConn,
    filter: &CommentFilter,
    after: Option<i32>,
    limit: i64,
) -> QueryResult<Vec<Comment>> {
    let mut query = filtered(filter);
    if let Some(after) = after {
        query = query.filter(supervisory_comments::id.gt(after));
    }
    let rows = query
        .select(CommentRow::as_select())
        .order(supervisory_comments::id.asc())
        .limit(limit)
        .load(conn)?;
    with_links(conn, rows)
}

pub fn get(conn: &mut DbConn, id: i32) -> QueryResult<Option<Comment>> {
    let row = supervisory_comments::table
        .find(id)
        .select(CommentRow::as_select())
        .first(conn)
        .optional()?;
    Ok(match row {
        Some(row) => with_links(conn, vec![row])?.pop(),
        None => None,
    })
}

pub fn count(conn: &mut DbConn) -> QueryResult<i64> {
    supervisory_comments::table.count().get_result(conn)
}

/// Stores a new comment with its instruments; returns it.
pub fn insert(conn: &mut DbConn, fields: &CommentFields, conventions: &[String]) -> QueryResult<Comment> {
    let now = super::now();
    diesel::insert_into(supervisory_comments::table)
        .values((
            fields,
            supervisory_comments::version.eq(1),
            supervisory_comments::created_at.eq(now),
            supervisory_comments::updated_at.eq(now),
        ))
        .execute(conn)?;
    let id = crate::db::last_insert_id(conn, "supervisory_comments")?;
    set_conventions(conn, id, conventions)?;
    get(conn, id)?.ok_or(diesel::result::Error::NotFound)
}

/// Changes a comment still at `version`; `None` when it has moved on.
pub fn update(
    conn: &mut DbConn,
    id: i32,
    version: i32,
    fields: &CommentFields,
    conventions: &[String],
) -> QueryResult<Option<Comment>> {
    let changed = diesel::update(
        supervisory_comments::table
            .filter(supervisory_comments::id.eq(id))
            .filter(supervisory_comments::version.eq(version)),
    )
    .set((
        fields,
        supervisory_comments::version.eq(version + 1),
        supervisory_comments::updated_at.eq(super::now()),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Ok(None);
    }
    diesel::delete(
        supervisory_comment_conventions::table.filter(supervisory_comment_conventions::comment_id.eq(id)),
    )
    .execute(conn)?;
    set_conventions(conn, id, conventions)?;
    get(conn, id)
}

fn set_conventions(conn: &mut DbConn, id: i32, conventions: &[String]) -> QueryResult<()> {
    let rows: Vec<_> = conventions
        .iter()
        .map(|c| {
            (
                supervisory_comment_conventions::comment_id.eq(id),
                supervisory_comment_conventions::convention.eq(c.clone()),
            )
        })
        .collect();
    crate::db::per_engine!(conn, |c| diesel::insert_into(
        supervisory_comment_conventions::table
    )
    .values(&rows)
    .execute(c))?;
    Ok(())
}
