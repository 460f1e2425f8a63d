//! `/api/v1/programmes`: named sets of countries and a period (Trade for Decent Work,
//! 2019–2027), kept by administrators, and their four-area progress report as JSON and CSV.
//! A constituent sees the programmes that include its country, and only that country in
//! them; administrators and office staff see every country.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::json_body::JsonBody;
use super::paging::paged_query;
use super::{page_response, today, versioned, with_db, AppState, ParamErrors, Versioned};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::error::{AppError, AppResult, Problem};
use crate::repo::programmes as store;
use crate::service::programmes::{self as service, programme_etag, ProgrammeInput};
use crate::service::progress::{self, Progress};

/// A programme.
#[derive(Debug, Serialize, ToSchema)]
pub struct Programme {
    pub id: i32,
    #[schema(example = "Trade for Decent Work")]
    pub name: String,
    /// Its countries the caller sees (all of them for administrators and office staff).
    pub countries: Vec<String>,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub notes: String,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Programme {
    fn from_store(p: store::Programme) -> Programme {
        Programme {
            id: p.row.id,
            name: p.row.name,
            countries: p.countries,
            starts_on: p.row.starts_on,
            ends_on: p.row.ends_on,
            notes: p.row.notes,
            version: p.row.version,
            updated_at: p.row.updated_at.and_utc(),
        }
    }
}

impl Versioned for Programme {
    fn etag(&self) -> String {
        programme_etag(self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/programmes/{}", self.id)
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgrammeQuery {}
}

/// List the programmes the caller may see, by id.
#[utoipa::path(
    get,
    path = "/programmes",
    tag = "programmes",
    params(ProgrammeQuery),
    responses(
        (status = 200, description = "One page of programmes", body = Page<Programme>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ProgrammeQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| service::list(conn, &caller, page)).await?;
    page_response(rows, total, page, |p| Ok(Programme::from_store(p)))
}

/// One programme.
#[utoipa::path(
    get,
    path = "/programmes/{id}",
    tag = "programmes",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The programme", body = Programme, headers(("ETag" = String))),
        (status = 404, description = "No such programme, or none of its countries is the caller's", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let programme = with_db(&state, move |conn| service::get(conn, &caller, id)).await?;
    Ok(versioned(StatusCode::OK, &Programme::from_store(programme)))
}

/// Record a programme (administrators).
#[utoipa::path(
    post,
    path = "/programmes",
    tag = "programmes",
    request_body(content = ProgrammeInput, example = json!({"name": "Trade for Decent Work", "countries": ["BGD", "PHL", "VNM"], "starts_on": "2019-01-01", "ends_on": "2027-12-31"})),
    responses(
        (status = 201, description = "Created", body = Programme, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country; the period ends before it starts or leaves the years 1900 to 2200", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<ProgrammeInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let programme = with_db(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(versioned(StatusCode::CREATED, &Programme::from_store(programme)))
}

/// Change a programme (the whole record). Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/programmes/{id}",
    tag = "programmes",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The programme's ETag")),
    request_body = ProgrammeInput,
    responses(
        (status = 200, description = "Changed", body = Programme, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A broken rule", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<ProgrammeInput>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let programme = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input)
    })
    .await?;
    Ok(versioned(StatusCode::OK, &Programme::from_store(programme)))
}

/// Delete a programme. Needs `If-Match`.
#[utoipa::path(
    delete,
    path = "/programmes/{id}",
    tag = "programmes",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The programme's ETag")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 404, description = "No such programme", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn delete(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    with_db(&state, move |conn| service::delete(conn, &caller, id, &if_match)).await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// The first day of the period (default: the programme's first).
    #[param(value_type = Option<NaiveDate>)]
    pub from: Option<String>,
    /// The last day of the period (default: the programme's last).
    #[param(value_type = Option<NaiveDate>)]
    pub to: Option<String>,
}

async fn progress_of(
    state: web::Data<AppState>,
    caller: Caller,
    id: i32,
    query: &ProgressQuery,
) -> AppResult<Progress> {
    let mut errors = ParamErrors::default();
    let from = errors.parse_day("from", query.from.as_deref());
    let to = errors.parse_day("to", query.to.as_deref());
    errors.finish()?;
    with_db(&state, move |conn| {
        progress::report(conn, &caller, id, from, to, today())
    })
    .await
}

/// The programme's progress per country and per area (Ratifications, Reforms, Responsible
/// Business Conduct, Reporting): figures for the period, and "now" figures as of today.
/// Every figure carries the list query whose `total` it is.
#[utoipa::path(
    get,
    path = "/programmes/{id}/progress",
    tag = "programmes",
    params(("id" = i32, Path), ProgressQuery),
    responses(
        (status = 200, description = "The report", body = Progress),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or none of its countries is the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, or outside the years 1900 to 2200", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    query: web::Query<ProgressQuery>,
) -> AppResult<HttpResponse> {
    let report = progress_of(state, caller, path.into_inner(), &query).await?;
    Ok(HttpResponse::Ok().json(report))
}

/// The same report as CSV: one line per country and figure.
#[utoipa::path(
    get,
    path = "/programmes/{id}/progress.csv",
    tag = "programmes",
    params(("id" = i32, Path), ProgressQuery),
    responses(
        (status = 200, description = "CSV with a header row: country, country_name, area, figure, count, list, from, to, as_of", content_type = "text/csv", body = String),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such programme, or none of its countries is the caller's", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, or outside the years 1900 to 2200", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn progress_csv(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
    query: web::Query<ProgressQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let report = progress_of(state, caller, id, &query).await?;
    let mut writer = csv::Writer::from_writer(Vec::new());
    for line in progress::lines(&report) {
        writer
            .serialize(line)
            .map_err(|e| AppError::Internal(format!("progress CSV: {e}")))?;
    }
    let body = writer
        .into_inner()
        .map_err(|e| AppError::Internal(format!("progress CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/csv; charset=utf-8"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!(
                "attachment; filename=\"programme-{id}-progress-{}-{}.csv\"",
                report.from, report.to
            ),
        ))
        .body(body))
}
