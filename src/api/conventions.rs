//! `/api/v1/conventions`: the fundamental and governance instruments (and the technical
//! ones the seeded records need).

use crate::api::json_body::JsonBody;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::{page_response, path_convention, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Status, Tally};
use crate::domain::reference::{Category, Principle};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::{self, conventions::ConventionFilter};
use crate::service::conventions as service;

pub use crate::service::conventions::{Convention, ConventionInput, ReferenceCount};

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConventionQuery {
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
}
}

/// List instruments, ordered by code.
#[utoipa::path(
    get,
    path = "/conventions",
    tag = "reference data",
    params(ConventionQuery),
    responses(
        (status = 200, description = "One page of instruments", body = Page<Convention>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(state: web::Data<AppState>, query: web::Query<ConventionQuery>) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = ConventionFilter {
        category: errors.parse_enum("category", query.category.as_deref()),
        principle: errors.parse_enum("principle", query.principle.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(repo::conventions::list(conn, &filter, page)?)
    })
    .await?;
    page_response(rows, total, page, Convention::from_row)
}

/// An instrument with the counts of its records.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConventionDetail {
    #[serde(flatten)]
    pub convention: Convention,
    /// Counts over all member states (`pairs`); `unknown` counts states without a record.
    pub ratifications: Tally,
}

/// One instrument, with its ratification count.
#[utoipa::path(
    get,
    path = "/conventions/{code}",
    tag = "reference data",
    params(("code" = String, Path, description = "Instrument code", example = "C182")),
    responses(
        (status = 200, description = "The instrument", body = ConventionDetail),
        (status = 404, description = "No such instrument", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(state: web::Data<AppState>, path: web::Path<String>) -> AppResult<HttpResponse> {
    let code = path_convention(&path)?;
    let today = chrono::Utc::now().date_naive();
    let (row, states, member_states) = with_db(&state, move |conn| {
        let row = repo::conventions::get(conn, &code)?
            .ok_or_else(|| AppError::NotFound(format!("instrument '{code}'")))?;
        let states = repo::conventions::record_states(conn, &code)?;
        Ok((row, states, repo::countries::count(conn)?))
    })
    .await?;
    let states = states
        .into_iter()
        .map(|(status, in_force_on, denounced_on)| {
            let status: Status = status;
            Ok((status, in_force(status, in_force_on, denounced_on, today)))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &ConventionDetail {
            convention: Convention::from_row(row)?,
            ratifications: Tally::count(member_states, states),
        },
    ))
}

impl Versioned for Convention {
    fn etag(&self) -> String {
        etag("convention", &self.code, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/conventions/{}", self.code)
    }
}

impl Versioned for ConventionDetail {
    fn etag(&self) -> String {
        self.convention.etag()
    }

    fn location(&self) -> String {
        self.convention.location()
    }
}

/// Add an instrument (for example a governance or technical convention beyond the seeded
/// ones), so that its ratifications can be tracked.
#[utoipa::path(
    post,
    path = "/conventions",
    tag = "reference data",
    request_body = ConventionInput,
    responses(
        (status = 201, description = "Created", body = Convention, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The code exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inconsistent dates, category, principle or parent", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ConventionInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let row = with_db(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(versioned(
        actix_web::http::StatusCode::CREATED,
        &Convention::from_row(row)?,
    ))
}

/// Change an instrument. Needs `If-Match` with its `ETag`.
#[utoipa::path(
    put,
    path = "/conventions/{code}",
    tag = "reference data",
    params(("code" = String, Path, example = "C190"), ("If-Match" = String, Header, description = "The instrument's ETag")),
    request_body = ConventionInput,
    responses(
        (status = 200, description = "Changed", body = Convention, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such instrument", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Inconsistent dates, category, principle or parent", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<String>,
    body: JsonBody<ConventionInput>,
) -> AppResult<HttpResponse> {
    let code = path_convention(&path)?;
    let input = body.into_inner();
    let row = with_db(&state, move |conn| {
        service::update(conn, &caller, code, &if_match, input)
    })
    .await?;
    Ok(versioned(
        actix_web::http::StatusCode::OK,
        &Convention::from_row(row)?,
    ))
}
