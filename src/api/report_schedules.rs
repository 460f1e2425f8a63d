//! `/api/v1/report-schedules`: when each country reports on each instrument in the regular
//! cycle. Administrators and the country's office staff set them (`service::report_requests`);
//! constituents read their own country's.

use crate::api::json_body::JsonBody;
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::{etag, IfMatch};
use super::paging::paged_query;
use super::today;
use super::{created_or_ok, page_response, path_convention, path_country, versioned, with_db, Versioned};
use super::{AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::pagination::Page;
use crate::domain::reporting::{regular_due_in, ScheduleBasis};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::reporting::{self as store, ScheduleFilter};
use crate::service::report_requests as service;

// ----------------------------------------------------------------------------- schedules

/// When a country reports on an instrument in the regular cycle.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSchedule {
    #[schema(example = "ZWE")]
    pub country: String,
    #[schema(example = "C087")]
    pub convention: String,
    /// Years between regular reports: 3 for fundamental and governance conventions, 6 for
    /// technical ones, by default.
    #[schema(example = 3)]
    pub cycle_years: i32,
    /// A regular report is due this year and every `cycle_years` after.
    #[schema(example = 2027)]
    pub next_regular_year: i32,
    /// `default`: normtrack's documented approximation; `official`: the country's official
    /// schedule.
    pub basis: ScheduleBasis,
    pub notes: String,
    /// The next three years with a regular report, from this year on.
    pub upcoming_years: Vec<i32>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl ReportSchedule {
    fn from_store(s: store::ScheduleRow) -> AppResult<ReportSchedule> {
        let this_year = today().year();
        let upcoming_years = (this_year..this_year + 31)
            .filter(|y| regular_due_in(s.cycle_years, s.next_regular_year, *y))
            .take(3)
            .collect();
        Ok(ReportSchedule {
            basis: s.basis,
            country: s.country,
            convention: s.convention,
            cycle_years: s.cycle_years,
            next_regular_year: s.next_regular_year,
            notes: s.notes,
            upcoming_years,
            version: s.version,
            updated_at: s.updated_at.and_utc(),
        })
    }
}

impl Versioned for ReportSchedule {
    fn etag(&self) -> String {
        etag(
            "report_schedule",
            format!("{}-{}", self.country, self.convention),
            self.version,
        )
    }

    fn location(&self) -> String {
        format!("/api/v1/report-schedules/{}/{}", self.country, self.convention)
    }
}

paged_query! {
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ScheduleQuery {
    #[param(example = "ZWE")]
    pub country: Option<String>,
    #[param(example = "C087")]
    pub convention: Option<String>,
    #[param(value_type = Option<ScheduleBasis>)]
    pub basis: Option<String>,
}
}

/// List the reporting schedules the caller may see, by country and instrument.
#[utoipa::path(
    get,
    path = "/report-schedules",
    tag = "reporting",
    params(ScheduleQuery),
    responses(
        (status = 200, description = "One page of schedules", body = Page<ReportSchedule>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list_schedules(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ScheduleQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = ScheduleFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        basis: errors.parse_enum::<ScheduleBasis>("basis", query.basis.as_deref()),
    };
    let page = errors.parse_page(&*query);
    errors.finish()?;
    let scope = caller.read_scope();
    let (rows, total) = with_db(&state, move |conn| {
        Ok(store::list_schedules(conn, &filter, &scope, page)?)
    })
    .await?;
    page_response(rows, total, page, ReportSchedule::from_store)
}

/// One (country, instrument) schedule.
#[utoipa::path(
    get,
    path = "/report-schedules/{country}/{convention}",
    tag = "reporting",
    params(("country" = String, Path, example = "ZWE"), ("convention" = String, Path, example = "C087")),
    responses(
        (status = 200, description = "The schedule", body = ReportSchedule, headers(("ETag" = String))),
        (status = 404, description = "No schedule for the pair, or not the caller's to see", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (country, convention) = path.into_inner();
    let (country, convention) = (path_country(&country)?, path_convention(&convention)?);
    let scope = caller.read_scope();
    let row = with_db(&state, move |conn| {
        store::get_schedule(conn, &country, &convention, &scope)?
            .ok_or_else(|| AppError::NotFound(format!("the schedule of {country} for {convention}")))
    })
    .await?;
    Ok(versioned(StatusCode::OK, &ReportSchedule::from_store(row)?))
}

pub use crate::service::report_requests::ScheduleInput;

/// Set the schedule of a (country, instrument) pair you administer: creates it (201, no
/// `If-Match`) or changes it (200, `If-Match` required).
#[utoipa::path(
    put,
    path = "/report-schedules/{country}/{convention}",
    tag = "reporting",
    params(
        ("country" = String, Path, example = "ZWE"),
        ("convention" = String, Path, example = "C087"),
        ("If-Match" = Option<String>, Header, description = "The schedule's ETag; required to change an existing one")
    ),
    request_body(content = ScheduleInput, example = json!({"cycle_years": 3, "next_regular_year": 2028, "notes": "Official schedule, ILO letter of March 2026"})),
    responses(
        (status = 200, description = "Changed", body = ReportSchedule, headers(("ETag" = String))),
        (status = 201, description = "Created", body = ReportSchedule, headers(("ETag" = String))),
        (status = 400, description = "Malformed field", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Unknown country or instrument", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn put_schedule(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<(String, String)>,
    body: JsonBody<ScheduleInput>,
) -> AppResult<HttpResponse> {
    let (country, convention) = path.into_inner();
    let (country, convention) = (path_country(&country)?, path_convention(&convention)?);
    let input = body.into_inner();
    let (row, created) = with_db(&state, move |conn| {
        service::put_schedule(conn, &caller, country, convention, &if_match, input)
    })
    .await?;
    let status = created_or_ok(created);
    Ok(versioned(status, &ReportSchedule::from_store(row)?))
}
