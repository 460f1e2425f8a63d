//! `/api/v1/supervisory-comments`: what the ILO supervisory bodies said (CEACR observations
//! and direct requests, Conference Committee cases), by country and instrument. Public data.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{page_response, today, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::supervision::{CommentKind, Footnote, SupervisoryBody};
use crate::error::{AppResult, Problem};
use crate::repo::comments::{self as store, CommentFilter};
use crate::service::comments::{self as service, comment_etag, comment_not_found, CommentInput};
use crate::service::imports::ImportSummary;

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
    /// The gaps opened from it (shown to those who may see the country's reforms).
    pub gaps: Vec<i32>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl SupervisoryComment {
    /// The comment as `caller` may see it: the gaps opened from it only for those who may
    /// see the country's reforms.
    fn for_caller(c: store::Comment, caller: &Caller) -> Self {
        let mut comment = SupervisoryComment::from(c);
        if !caller.may_read_country(&comment.country) {
            comment.gaps.clear();
        }
        comment
    }
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

impl Versioned for SupervisoryComment {
    fn etag(&self) -> String {
        comment_etag(self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/supervisory-comments/{}", self.id)
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
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<CommentQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = parse_filter(&query, &mut errors);
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| Ok(store::list(conn, &filter, page)?)).await?;
    page_response(rows, total, page, |c| {
        Ok(SupervisoryComment::for_caller(c, &caller))
    })
}

fn parse_filter(query: &CommentQuery, errors: &mut ParamErrors) -> CommentFilter {
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
    filter
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
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let comment = with_db(&state, move |conn| {
        store::get(conn, id)?.ok_or_else(|| comment_not_found(id))
    })
    .await?;
    Ok(versioned(
        StatusCode::OK,
        &SupervisoryComment::for_caller(comment, &caller),
    ))
}

/// Record a supervisory comment of a country you administer (administrators, and the
/// country's office).
#[utoipa::path(
    post,
    path = "/supervisory-comments",
    tag = "supervision",
    request_body(content = CommentInput, example = json!({"body": "ceacr", "kind": "observation", "country": "KHM", "conventions": ["C087"], "year": 2024, "ilc_session": 113, "published_year": 2025, "reply_requested_for": 2026, "headings": "Art. 2: right to organise of public servants", "source": "NORMLEX", "source_date": "2025"})),
    responses(
        (status = 201, description = "Created", body = SupervisoryComment, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country, or a broken rule (kind and body, years)", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<CommentInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let comment = with_db(&state, move |conn| service::create(conn, &caller, input, today())).await?;
    Ok(versioned(StatusCode::CREATED, &SupervisoryComment::from(comment)))
}

/// Change a supervisory comment (the whole record; the country stays). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/supervisory-comments/{id}",
    tag = "supervision",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The comment's ETag")),
    request_body = CommentInput,
    responses(
        (status = 200, description = "Changed", body = SupervisoryComment, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such comment", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule (the country changes, kind and body, years)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<CommentInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let comment = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    Ok(versioned(StatusCode::OK, &SupervisoryComment::from(comment)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentExportQuery {
    #[param(example = "KHM")]
    pub country: Option<String>,
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<SupervisoryBody>)]
    pub body: Option<String>,
    #[param(value_type = Option<CommentKind>)]
    pub kind: Option<String>,
    #[param(value_type = Option<i32>, minimum = 1919, maximum = 2200)]
    pub year_from: Option<String>,
    #[param(value_type = Option<i32>, minimum = 1919, maximum = 2200)]
    pub year_to: Option<String>,
}

/// The comments as CSV, with the list's filters (no paging), in id order: the columns the
/// import takes (`conventions` space-separated), so an export imports back unchanged.
#[utoipa::path(
    get,
    path = "/supervisory-comments.csv",
    tag = "supervision",
    params(CommentExportQuery),
    responses(
        (status = 200, description = "CSV with a header row: id, normlex_id, body, kind, country, conventions, year, ilc_session, published_year, footnote, reply_requested_for, case_of_progress, headings, observations_cited, label, link, notes, source, source_date", content_type = "text/csv", body = String),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`year_to` before `year_from`", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn export_csv(
    state: web::Data<AppState>,
    query: web::Query<CommentExportQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let query = CommentQuery {
        country: q.country,
        convention: q.convention,
        body: q.body,
        kind: q.kind,
        year_from: q.year_from,
        year_to: q.year_to,
        page: None,
        per_page: None,
    };
    let mut errors = ParamErrors::default();
    let filter = parse_filter(&query, &mut errors);
    errors.finish()?;
    let header = crate::import::comments::header_csv();
    Ok(super::streaming::csv_file(
        state,
        "supervisory-comments.csv",
        header,
        move |conn, after: Option<i32>| service::export_page(conn, &filter, after),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CommentImportQuery {
    /// `true`: check the file and answer the counts, change nothing.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
}

/// Import a supervisory-comment CSV (`Content-Type: text/csv`; the export's columns), all or
/// nothing: a row with an `id` changes that comment, one without adds one; rows equal to the
/// stored comment count as unchanged. Any bad row (malformed cell, unknown country, broken
/// rule, a country you do not administer, an `id` twice) rejects the whole file; the 422
/// answer lists every bad row's line, column and reason.
#[utoipa::path(
    post,
    path = "/imports/supervisory-comments",
    tag = "supervision",
    params(CommentImportQuery),
    request_body(content = String, content_type = "text/csv", description = "The CSV file, with a header row"),
    responses(
        (status = 200, description = "Imported (or, on a dry run, checked)", body = ImportSummary),
        (status = 400, description = "Invalid query", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "File too large", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not text/csv", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad rows; nothing imported. `errors` has `line`, `field` (the column) and `message` for each", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn import(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<CommentImportQuery>,
    body: super::body_deadline::BufferedBody,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let dry_run = errors
        .parse_bool("dry_run", query.dry_run.as_deref())
        .unwrap_or(false);
    errors.finish()?;
    super::streaming::require_csv(&req)?;
    let today = today();
    let summary = with_db(&state, move |conn| {
        Ok(service::import(
            conn,
            &caller,
            &body.0,
            dry_run,
            today,
            &mut |_, _, _| {},
        )?)
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}
