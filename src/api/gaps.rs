//! `/api/v1/gaps`: reform gaps, documented distances between national law or practice and
//! one or more conventions. Administrators and the country's office staff create, change and
//! delete them (`service::reforms`); the country's constituents read them; other countries'
//! constituents see nothing (404).

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::today;
use super::{page_response, versioned, Versioned};
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reforms::GapStatus;
use crate::error::{AppResult, Problem};
use crate::repo::reforms::{self as store, GapFilter};
use crate::service::reforms::{self as service, gap_not_found};

/// A documented distance between national law or practice and one or more conventions.
#[derive(Debug, Serialize, ToSchema)]
pub struct Gap {
    pub id: i32,
    #[schema(example = "ZWE")]
    pub country: String,
    #[schema(example = json!(["C087", "C098"]))]
    pub conventions: Vec<String>,
    #[schema(example = "Public servants excluded from the right to organise")]
    pub title: String,
    pub description: String,
    /// Where the gap is documented, e.g. a supervisory body's comment and its year.
    #[schema(example = "CEACR observation, adopted 2023")]
    pub source: String,
    pub source_link: Option<String>,
    pub status: GapStatus,
    /// The day the gap was identified (for gaps recorded before this field, the day the
    /// record was made).
    pub opened_on: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// The supervisory comments the gap was opened from.
    pub comments: Vec<i32>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for Gap {
    fn etag(&self) -> String {
        etag("gap", self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/gaps/{}", self.id)
    }
}

impl Gap {
    fn from_store(gap: store::Gap) -> AppResult<Gap> {
        let r = gap.row;
        Ok(Gap {
            status: r.status,
            id: r.id,
            country: r.country,
            conventions: gap.conventions,
            comments: gap.comments,
            title: r.title,
            description: r.description,
            source: r.source,
            source_link: r.source_link,
            opened_on: r.opened_on,
            closed_on: r.closed_on,
            version: r.version,
            created_at: r.created_at.and_utc(),
            updated_at: r.updated_at.and_utc(),
        })
    }
}

// ------------------------------------------------------------------------------- gaps

pub use crate::service::reforms::GapInput;

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GapQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Gaps concerning this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<GapStatus>)]
    pub status: Option<String>,
    /// Opened on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub opened_from: Option<String>,
    /// Opened on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub opened_until: Option<String>,
    /// Closed on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub closed_from: Option<String>,
    /// Closed on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub closed_until: Option<String>,
}
}

/// List the gaps the caller may see, by country and id.
#[utoipa::path(
    get,
    path = "/gaps",
    tag = "reforms",
    params(GapQuery),
    responses(
        (status = 200, description = "One page of gaps", body = Page<Gap>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_gaps(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<GapQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = GapFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors.parse_enum::<GapStatus>("status", query.status.as_deref()),
        opened_from: errors.parse_day("opened_from", query.opened_from.as_deref()),
        opened_until: errors.parse_day("opened_until", query.opened_until.as_deref()),
        closed_from: errors.parse_day("closed_from", query.closed_from.as_deref()),
        closed_until: errors.parse_day("closed_until", query.closed_until.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_gaps(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, Gap::from_store)
}

/// One gap.
#[utoipa::path(
    get,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The gap", body = Gap, headers(("ETag" = String))),
        (status = 404, description = "No such gap, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_gap(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let gap = with_db(&state, move |conn| {
        store::get_gap(conn, id, &scope)?.ok_or_else(|| gap_not_found(id))
    })
    .await?;
    let gap = Gap::from_store(gap)?;
    Ok(versioned(StatusCode::OK, &gap))
}

/// Record a gap of a country you administer.
#[utoipa::path(
    post,
    path = "/gaps",
    tag = "reforms",
    request_body(content = GapInput, example = json!({"country": "ZWE", "conventions": ["C087"], "title": "Public servants excluded from the right to organise", "source": "CEACR observation, adopted 2023"})),
    responses(
        (status = 201, description = "Created", body = Gap, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country or instrument, or a broken rule", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create_gap(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<GapInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let gap = with_db(&state, move |conn| {
        service::create_gap(conn, &caller, input, today())
    })
    .await?;
    let gap = Gap::from_store(gap)?;
    Ok(versioned(StatusCode::CREATED, &gap))
}

/// Change a gap (the whole record; the country stays). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The gap's ETag")),
    request_body = GapInput,
    responses(
        (status = 200, description = "Changed", body = Gap, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such gap", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule (e.g. closing with milestones still due)", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update_gap(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<GapInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let gap = with_db(&state, move |conn| {
        service::update_gap(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    let gap = Gap::from_store(gap)?;
    Ok(versioned(StatusCode::OK, &gap))
}

/// Delete a gap that has no milestones (delete those first). Needs `If-Match`.
#[utoipa::path(
    delete,
    path = "/gaps/{id}",
    tag = "reforms",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The gap's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such gap", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The gap still has milestones", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete_gap(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| {
        service::delete_gap(conn, &caller, id, &if_match)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
