//! `/api/v1/dashboard/*`: aggregates for dashboards. Every role reads the public aggregates
//! (ratification counts, matrix, time line); report and milestone figures are limited to what
//! the caller may see. Answers carry an `ETag` computed from their body and honour
//! `If-None-Match` (304), so a dashboard polling an unchanged figure moves no data, and a
//! write changes the answer at once (nothing is kept between requests).

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Datelike;
use serde::Deserialize;
use utoipa::IntoParams;

use super::response_cache::Answer;
use super::today;
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::reference::{Category, Principle, Region};
use crate::error::{AppError, AppResult, Problem};
use crate::service::dashboard::{self, Matrix, Selection, Summary, Timeline};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SummaryQuery {
    #[param(value_type = Option<Region>)]
    pub region: Option<String>,
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
    /// One instrument.
    #[param(example = "C087")]
    pub convention: Option<String>,
    /// The day to describe (default today): records registered, in force, denounced by then.
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
    /// The reporting year of the report figures (default this year).
    #[param(value_type = Option<i32>, minimum = 2000, maximum = 2100)]
    pub year: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    #[param(value_type = Option<Region>)]
    pub region: Option<String>,
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
    #[param(example = "C087")]
    pub convention: Option<String>,
    /// The day to describe (default today).
    #[param(value_type = Option<NaiveDate>)]
    pub as_of: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    #[param(value_type = Option<Region>)]
    pub region: Option<String>,
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
    #[param(example = "C087")]
    pub convention: Option<String>,
}

fn selection(
    errors: &mut ParamErrors,
    region: Option<&str>,
    category: Option<&str>,
    principle: Option<&str>,
    convention: Option<&str>,
) -> Selection {
    Selection {
        region: errors.parse_enum("region", region),
        category: errors.parse_enum("category", category),
        principle: errors.parse_enum("principle", principle),
        convention: errors.parse_convention("convention", convention),
    }
}

/// The day asked for: not before 1919 (the ILO's first conventions), not after today.
/// Clients may keep an answer but must revalidate it (`If-None-Match`) before each use.
const REVALIDATE: &str = "private, no-cache";

/// Answers from the cache while the store epoch is the one the answer was computed at (no trip
/// to the database), else computes, keeps and answers it; `304 Not Modified` when the client holds the answer.
async fn cached<T, F>(state: &AppState, req: &HttpRequest, key: String, compute: F) -> AppResult<HttpResponse>
where
    T: serde::Serialize,
    F: FnOnce(&mut crate::db::DbConn) -> AppResult<T> + Send + 'static,
{
    // Names and titles are in the request's language: one answer per language.
    let key = format!("{key}|{}", crate::i18n::lang().code());
    let epoch = state.changes.epoch();
    let mut hit = epoch.and_then(|e| state.cache.get(&key, e));
    state.metrics.cache_lookup("dashboard", hit.is_some());
    let _computing = match hit {
        Some(_) => None,
        None => {
            // One computation at a time; whoever waited may find it done.
            let guard = state.cache.computing().await;
            hit = epoch.and_then(|e| state.cache.get(&key, e));
            Some(guard)
        }
    };
    let answer = match hit {
        Some(answer) => {
            if answer.fell_back {
                crate::i18n::note_fallback();
            }
            answer
        }
        None => {
            let body = with_db(state, move |conn| {
                serde_json::to_vec(&compute(conn)?).map_err(|e| AppError::Internal(e.to_string()))
            })
            .await?;
            let answer = Answer::new(body);
            if let Some(e) = epoch {
                state.cache.put(key, e, answer.clone());
            }
            answer
        }
    };
    let matches = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == answer.etag);
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, answer.etag))
            .insert_header((header::CACHE_CONTROL, REVALIDATE))
            .finish());
    }
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, answer.etag))
        .insert_header((header::CACHE_CONTROL, REVALIDATE))
        .content_type("application/json")
        .body(answer.body))
}

/// Ratification counts per instrument, per principle and per region as at a day, the countries
/// that had ratified every fundamental convention, and, within the caller's scope, the year's
/// report requests, milestones by status, and countries that missed their reports two years
/// or more in a row.
#[utoipa::path(
    get,
    path = "/dashboard/summary",
    tag = "dashboards",
    params(SummaryQuery, ("If-None-Match" = Option<String>, Header, description = "An ETag of an earlier answer")),
    responses(
        (status = 200, description = "The summary", body = Summary, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is after today or before 1919", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn summary(
    state: web::Data<AppState>,
    caller: Caller,
    req: HttpRequest,
    query: web::Query<SummaryQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let mut errors = ParamErrors::default();
    let selection = selection(
        &mut errors,
        q.region.as_deref(),
        q.category.as_deref(),
        q.principle.as_deref(),
        q.convention.as_deref(),
    );
    let day = errors.parse_as_of(q.as_of.as_deref());
    let year = match q.year.as_deref() {
        None => today().year(),
        Some(raw) => raw
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|y| crate::service::reporting::YEARS.contains(y))
            .unwrap_or_else(|| {
                errors.push("year", format!("'{raw}' is not a reporting year"));
                0
            }),
    };
    errors.finish()?;
    let scope = caller.read_scope();
    // Keyed by what the answer depends on, not by how the query was spelled.
    let key = format!("summary|{scope:?}|{}|{selection:?}|{day}|{year}", today());
    cached(&state, &req, key, move |conn| {
        dashboard::summary(conn, &selection, day, year, &scope, today())
    })
    .await
}

/// Countries × instruments with each cell's status and whether it was in force, as at a day
/// (for heat maps). Cells follow the order of `conventions`; a `null` status is unknown.
#[utoipa::path(
    get,
    path = "/dashboard/matrix",
    tag = "dashboards",
    params(MatrixQuery, ("If-None-Match" = Option<String>, Header, description = "An ETag of an earlier answer")),
    responses(
        (status = 200, description = "The matrix", body = Matrix, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`as_of` is after today or before 1919", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn matrix(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<MatrixQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let mut errors = ParamErrors::default();
    let selection = selection(
        &mut errors,
        q.region.as_deref(),
        q.category.as_deref(),
        q.principle.as_deref(),
        q.convention.as_deref(),
    );
    let day = errors.parse_as_of(q.as_of.as_deref());
    errors.finish()?;
    let key = format!("matrix|{}|{selection:?}|{day}", today());
    cached(&state, &req, key, move |conn| {
        dashboard::matrix(conn, &selection, day, today())
    })
    .await
}

/// Ratifications registered per year and cumulative, per instrument.
#[utoipa::path(
    get,
    path = "/dashboard/timeline",
    tag = "dashboards",
    params(TimelineQuery, ("If-None-Match" = Option<String>, Header, description = "An ETag of an earlier answer")),
    responses(
        (status = 200, description = "The time line", body = Timeline, headers(("ETag" = String))),
        (status = 304, description = "Unchanged since the ETag sent"),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn timeline(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<TimelineQuery>,
) -> AppResult<HttpResponse> {
    let q = query.into_inner();
    let mut errors = ParamErrors::default();
    let selection = selection(
        &mut errors,
        q.region.as_deref(),
        q.category.as_deref(),
        q.principle.as_deref(),
        q.convention.as_deref(),
    );
    errors.finish()?;
    let key = format!("timeline|{}|{selection:?}", today());
    cached(&state, &req, key, move |conn| {
        dashboard::timeline(conn, &selection, today())
    })
    .await
}
