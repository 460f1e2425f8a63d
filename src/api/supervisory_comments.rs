//! `/api/v1/supervisory-comments`: what the ILO supervisory bodies said (CEACR observations
//! and direct requests, Conference Committee cases), by country and instrument. Public data.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::paging::paged_query;
use super::{page_response, with_db, AppState, ParamErrors};
use crate::domain::pagination::Page;
use crate::domain::supervision::{CommentKind, Footnote, SupervisoryBody};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::comments::{self as store, CommentFilter};

/// A supervisory comment.
#[derive(Debug, Serialize, ToSchema)]
pub struct SupervisoryComment {
    pub id: i32,
    /// The NORMLEX comment id, where known.
    pub normlex_id: Option<String>,
    pub body: SupervisoryBody,
    pub kind: CommentKind,
    #[schema(example = "KHM")]
    pub country: String,
    /// The instruments it examines (tracked by normtrack or not).
    #[schema(example = json!(["C087"]))]
    pub conventions: Vec<String>,
    /// Year adopted (CEACR) or discussed (CAS).
    #[schema(example = 2024)]
    pub year: i32,
    /// The International Labour Conference session it was published for.
    pub ilc_session: Option<i32>,
    pub published_year: Option<i32>,
    pub footnote: Footnote,
    /// The year a reply (report) is asked for, if any.
    pub reply_requested_for: Option<i32>,
    /// Whether the body noted progress (`null`: the source does not say).
    pub case_of_progress: Option<bool>,
    /// The article-level headings, as the source gives them.
    pub headings: String,
    /// The social-partner observations and other supervision it cites, as the source words
    /// them.
    pub observations_cited: String,
    /// The label as NORMLEX prints it.
    pub label: String,
    pub link: Option<String>,
    pub notes: String,
    pub source: String,
    pub source_date: Option<String>,
    /// The gaps opened from it.
    pub gaps: Vec<i32>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl From<store::Comment> for SupervisoryComment {
    fn from(c: store::Comment) -> Self {
        let r = c.row;
        SupervisoryComment {
            id: r.id,
            normlex_id: r.normlex_id,
            body: r.body,
            kind: r.kind,
            country: r.country,
            conventions: c.conventions,
            year: r.year,
            ilc_session: r.ilc_session,
            published_year: r.published_year,
            footnote: r.footnote,
            reply_requested_for: r.reply_requested_for,
            case_of_progress: r.case_of_progress,
            headings: r.headings,
            observations_cited: r.observations_cited,
            label: r.label,
            link: r.link,
            notes: r.notes,
            source: r.source,
            source_date: r.source_date,
            gaps: c.gaps,
            version: r.version,
            updated_at: r.updated_at.and_utc(),
        }
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentQuery {
    #[param(example = "KHM")]
    pub country: Option<String>,
    /// Comments examining this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<SupervisoryBody>)]
    pub body: Option<String>,
    #[param(value_type = Option<CommentKind>)]
    pub kind: Option<String>,
    /// Adopted or discussed in this year or later.
    #[param(value_type = Option<i32>, minimum = 1919, maximum = 2200)]
    pub year_from: Option<String>,
    /// Adopted or discussed in this year or earlier.
    #[param(value_type = Option<i32>, minimum = 1919, maximum = 2200)]
    pub year_to: Option<String>,
}
}

/// List supervisory comments, newest first.
#[utoipa::path(
    get,
    path = "/supervisory-comments",
    tag = "supervision",
    params(CommentQuery),
    responses(
        (status = 200, description = "One page of comments", body = Page<SupervisoryComment>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`year_to` before `year_from`", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<CommentQuery>) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = CommentFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        body: errors.parse_enum::<SupervisoryBody>("body", query.body.as_deref()),
        kind: errors.parse_enum::<CommentKind>("kind", query.kind.as_deref()),
        year_from: errors.parse_year("year_from", query.year_from.as_deref()),
        year_to: errors.parse_year("year_to", query.year_to.as_deref()),
        reply_requested_for: None,
    };
    if let (Some(from), Some(to)) = (filter.year_from, filter.year_to) {
        if to < from {
            errors.push_rule("year_to", "is before year_from");
        }
    }
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| Ok(store::list(conn, &filter, page)?)).await?;
    page_response(rows, total, page, |c| Ok(SupervisoryComment::from(c)))
}

/// One supervisory comment.
#[utoipa::path(
    get,
    path = "/supervisory-comments/{id}",
    tag = "supervision",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The comment", body = SupervisoryComment),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(state: web::Data<AppState>, path: web::Path<i32>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let comment = with_db(&state, move |conn| {
        store::get(conn, id)?.ok_or_else(|| AppError::NotFound(format!("supervisory comment {id}")))
    })
    .await?;
    Ok(HttpResponse::Ok().json(SupervisoryComment::from(comment)))
}
