//! `/api/v1/report-requests`: what the ILO supervisory bodies ask of a country, generated from
//! the per-(country, instrument) schedule or entered by hand (follow-ups, Article 19).
//! Administrators and the country's office staff enter and edit (`service::report_requests`);
//! the country's government and office move a request's status; constituents read their own
//! country's; other countries' constituents see nothing (404).

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::today;
use super::{page_response, versioned, with_db, Versioned};
use super::{AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reporting::{request_overdue, RequestKind, RequestStatus, Submission};
use crate::error::{AppResult, Problem};
use crate::repo::reporting::{self as store, RequestFilter};
use crate::service::report_requests::{self as service, request_not_found};
use crate::service::reporting::GenerationSummary;

/// What the supervisory system asks of a country.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportRequest {
    pub id: i32,
    pub kind: RequestKind,
    #[schema(example = "ZWE")]
    pub country: String,
    #[schema(example = json!(["C087"]))]
    pub conventions: Vec<String>,
    /// The reporting year.
    #[schema(example = 2027)]
    pub year: i32,
    pub due_on: NaiveDate,
    /// A detailed report (first reports, or when the supervisory bodies ask) rather than a
    /// simplified one.
    pub detailed: bool,
    pub status: RequestStatus,
    pub submitted_on: Option<NaiveDate>,
    /// Why a follow-up (out-of-cycle) report is asked for, or why a first report comes late.
    pub reason: Option<String>,
    /// Made by a generation run from the schedule (not entered by hand).
    pub generated: bool,
    /// Due date passed and not submitted. Derived on every read.
    pub overdue: bool,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Versioned for ReportRequest {
    fn etag(&self) -> String {
        etag("report_request", self.id, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/report-requests/{}", self.id)
    }
}

impl ReportRequest {
    pub fn from_store(r: store::Request) -> AppResult<ReportRequest> {
        let row = r.row;
        let status = row.status;
        Ok(ReportRequest {
            overdue: request_overdue(row.due_on, status, today()),
            status,
            kind: row.kind,
            id: row.id,
            country: row.country,
            conventions: r.conventions,
            year: row.year,
            due_on: row.due_on,
            detailed: row.detailed,
            submitted_on: row.submitted_on,
            reason: row.reason,
            generated: row.generation_key.is_some(),
            version: row.version,
            created_at: row.created_at.and_utc(),
            updated_at: row.updated_at.and_utc(),
        })
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RequestQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Requests covering this instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<RequestKind>)]
    pub kind: Option<String>,
    /// The reporting year.
    #[param(value_type = Option<i32>, minimum = 1919, maximum = 2200)]
    pub year: Option<String>,
    #[param(value_type = Option<RequestStatus>)]
    pub status: Option<String>,
    /// `true`: only overdue requests; `false`: only those not overdue.
    #[param(value_type = Option<bool>)]
    pub overdue: Option<String>,
    /// Due on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub due_from: Option<String>,
    /// Due on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub due_until: Option<String>,
    /// `on_time` (submitted by the due day), `late` (submitted after it) or `not_submitted`.
    #[param(value_type = Option<Submission>)]
    pub submission: Option<String>,
}
}

/// List the report requests the caller may see, by due date.
#[utoipa::path(
    get,
    path = "/report-requests",
    tag = "reporting",
    params(RequestQuery),
    responses(
        (status = 200, description = "One page of report requests", body = Page<ReportRequest>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<RequestQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = RequestFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        kind: errors.parse_enum::<RequestKind>("kind", query.kind.as_deref()),
        year: errors.parse_year("year", query.year.as_deref()),
        status: errors.parse_enum::<RequestStatus>("status", query.status.as_deref()),
        overdue: errors.parse_bool("overdue", query.overdue.as_deref()),
        today: Some(today()),
        due_from: errors.parse_day("due_from", query.due_from.as_deref()),
        due_until: errors.parse_day("due_until", query.due_until.as_deref()),
        submission: errors.parse_enum::<Submission>("submission", query.submission.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_requests(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, ReportRequest::from_store)
}

/// One report request.
#[utoipa::path(
    get,
    path = "/report-requests/{id}",
    tag = "reporting",
    params(("id" = i32, Path)),
    responses(
        (status = 200, description = "The report request", body = ReportRequest, headers(("ETag" = String))),
        (status = 404, description = "No such request, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<i32>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let scope = caller.read_scope();
    let request = with_db(&state, move |conn| {
        store::get_request(conn, id, &scope)?.ok_or_else(|| request_not_found(id))
    })
    .await?;
    Ok(versioned(StatusCode::OK, &ReportRequest::from_store(request)?))
}

pub use crate::service::report_requests::NewReportRequest;

/// Enter a follow-up or Article 19 request for a country you administer.
#[utoipa::path(
    post,
    path = "/report-requests",
    tag = "reporting",
    request_body(content = NewReportRequest, example = json!({"kind": "article22_follow_up", "country": "ZWE", "conventions": ["C087"], "year": 2027, "due_on": "2027-09-01", "detailed": true, "reason": "CEACR asks for a report on the application of the amended Labour Act"})),
    responses(
        (status = 201, description = "Created", body = ReportRequest, headers(("ETag" = String), ("Location" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown country or instrument, or a broken rule", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<NewReportRequest>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let request = with_db(&state, move |conn| service::create(conn, &caller, input)).await?;
    Ok(versioned(
        StatusCode::CREATED,
        &ReportRequest::from_store(request)?,
    ))
}

pub use crate::service::report_requests::{ReportRequestUpdate, StatusMove};

/// Change a request's dates, form, reason and status. Needs `If-Match`.
#[utoipa::path(
    put,
    path = "/report-requests/{id}",
    tag = "reporting",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The request's ETag")),
    request_body = ReportRequestUpdate,
    responses(
        (status = 200, description = "Changed", body = ReportRequest, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
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
    body: JsonBody<ReportRequestUpdate>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let request = with_db(&state, move |conn| {
        service::update(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    Ok(versioned(StatusCode::OK, &ReportRequest::from_store(request)?))
}

/// Move a request's status (`requested` → `in_preparation` → `submitted`, or back). The
/// country's government and office; submitting needs the date it was submitted. Needs
/// `If-Match`.
#[utoipa::path(
    put,
    path = "/report-requests/{id}/status",
    tag = "reporting",
    params(("id" = i32, Path), ("If-Match" = String, Header, description = "The request's ETag")),
    request_body(content = StatusMove, example = json!({"status": "submitted", "submitted_on": "2027-08-28"})),
    responses(
        (status = 200, description = "Moved", body = ReportRequest, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Submitted without a date, or a date in the future", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn move_status(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<i32>,
    body: JsonBody<StatusMove>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let input = body.into_inner();
    let request = with_db(&state, move |conn| {
        service::move_status(conn, &caller, id, &if_match, input, today())
    })
    .await?;
    Ok(versioned(StatusCode::OK, &ReportRequest::from_store(request)?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GenerateInput {
    #[schema(example = 2027)]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// The due date of the year's reports; defaults to 1 September of `year`.
    pub due_on: Option<NaiveDate>,
}

/// Generate a year's Article 22 requests from the schedule: regular reports for every
/// ratification in force, first reports for those that entered into force the year before
/// (and first reports still missing), and the standard tasks of each country's organizations.
/// Idempotent: a second run creates nothing new and counts what is already present.
#[utoipa::path(
    post,
    path = "/report-requests/generate",
    tag = "reporting",
    request_body(content = GenerateInput, example = json!({"year": 2027})),
    responses(
        (status = 200, description = "What the run created and found", body = GenerationSummary),
        (status = 400, description = "Malformed field or a year out of range", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A due date outside the year", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn generate(
    state: web::Data<AppState>,
    caller: Caller,
    body: JsonBody<GenerateInput>,
) -> AppResult<HttpResponse> {
    let input = body.into_inner();
    let summary = with_db(&state, move |conn| {
        crate::service::reporting::generate(conn, &caller, input.year, input.due_on, today())
    })
    .await?;
    Ok(HttpResponse::Ok().json(summary))
}
