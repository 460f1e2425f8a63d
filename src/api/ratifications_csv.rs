//! The ratification records as CSV: the streamed export (`/ratifications.csv`) and the
//! all-or-nothing import (`/imports/ratifications`). Reading and checking the file is
//! `import::ratifications`; the write is `service::ratifications::import`.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::Utc;
use serde::Deserialize;
use utoipa::IntoParams;

use super::ratifications::{check_filter_exists, parse_filter, RatificationQuery};
use super::{with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::ratification::{Stage, Status};
use crate::domain::reference::{Category, Region};
use crate::error::{AppResult, Problem};
use crate::service::ratifications::{self as service, ImportSummary};

/// The filters of the CSV export: those of the list, without pages (the export has every
/// matching record).
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// ISO alpha-3 code of the country.
    #[param(example = "ZWE")]
    pub country: Option<String>,
    /// Instrument code.
    #[param(example = "C138")]
    pub convention: Option<String>,
    #[param(value_type = Option<Status>)]
    pub status: Option<String>,
    /// ILO region of the country.
    #[param(value_type = Option<Region>)]
    pub region: Option<String>,
    /// Category of the instrument.
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    /// How far a ratification in progress has come.
    #[param(value_type = Option<Stage>)]
    pub stage: Option<String>,
    /// Registered by the ILO on or after this day.
    #[param(value_type = Option<NaiveDate>)]
    pub registered_from: Option<String>,
    /// Registered by the ILO on or before this day.
    #[param(value_type = Option<NaiveDate>)]
    pub registered_until: Option<String>,
}

impl From<ExportQuery> for RatificationQuery {
    fn from(q: ExportQuery) -> Self {
        RatificationQuery {
            country: q.country,
            convention: q.convention,
            status: q.status,
            region: q.region,
            category: q.category,
            stage: q.stage,
            registered_from: q.registered_from,
            registered_until: q.registered_until,
            page: None,
            per_page: None,
        }
    }
}

/// The records as CSV, with the list's filters (no paging): the columns the import takes, so
/// an export can be edited and imported back. Dates are ISO 8601.
#[utoipa::path(
    get,
    path = "/ratifications.csv",
    tag = "ratifications",
    params(ExportQuery),
    responses(
        (status = 200, description = "CSV with a header row: country, convention, status, stage, registered_on, in_force_on, denounced_on, minimum_age, notes, source, source_date, source_incomplete", content_type = "text/csv", body = String),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No member state or instrument has the code given", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn export_csv(
    state: web::Data<AppState>,
    query: web::Query<ExportQuery>,
) -> AppResult<HttpResponse> {
    let query = RatificationQuery::from(query.into_inner());
    let mut errors = ParamErrors::default();
    let filter = parse_filter(&query, &mut errors);
    errors.finish()?;
    let checked = filter.clone();
    with_db(&state, move |conn| check_filter_exists(conn, &checked)).await?;
    let header = crate::import::ratifications::header_csv();
    Ok(super::streaming::csv_file(
        state,
        "ratifications.csv",
        header,
        move |conn, key: Option<(String, String)>| service::export_page(conn, &filter, key.as_ref()),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `true`: check the file and answer the counts, change nothing.
    #[param(value_type = Option<bool>)]
    pub dry_run: Option<String>,
}

/// Import a ratification CSV (`Content-Type: text/csv`), all or nothing. The columns are
/// those of the export: `country`, `convention`, `status`, `source` are required; `stage`,
/// `registered_on`, `in_force_on`, `denounced_on`, `minimum_age`, `notes`, `source_date`,
/// `source_incomplete` optional. Any bad row (unknown country or code, bad date, broken rule,
/// a key twice in the file, a country outside an office user's scope) rejects the whole file:
/// the 422 answer lists every bad row's line, column and reason. Rows equal to the stored
/// record count as unchanged.
#[utoipa::path(
    post,
    path = "/imports/ratifications",
    tag = "ratifications",
    params(ImportQuery),
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
    query: web::Query<ImportQuery>,
    body: super::body_deadline::BufferedBody,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let dry_run = errors
        .parse_bool("dry_run", query.dry_run.as_deref())
        .unwrap_or(false);
    errors.finish()?;
    super::streaming::require_csv(&req)?;
    let today = Utc::now().date_naive();
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
