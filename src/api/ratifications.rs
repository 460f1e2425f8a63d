//! `/api/v1/ratifications`: one record per (country, instrument), keyed
//! `/ratifications/{iso3}/{code}`.

use crate::api::json_body::JsonBody;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::{page_response, path_convention, path_country, stored, with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::codes::parse_source_date;
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Stage, Status};
use crate::domain::reference::{Category, Region};
use crate::domain::text::check_text;
use crate::error::FieldError;
use crate::error::{AppError, AppResult, Problem};
use crate::repo::ratifications::RatificationFields;
use crate::repo::{self, ratifications::RatificationFilter, ratifications::RatificationView};
use crate::service::ratifications::{self as service, ImportSummary};

/// Declarations made with a ratification.
#[derive(Debug, Serialize, ToSchema)]
pub struct Declarations {
    /// For C138: the declared minimum age for admission to employment.
    #[schema(example = 15)]
    pub minimum_age: Option<i32>,
}

/// Where one country stands with one instrument, and where that knowledge comes from.
#[derive(Debug, Serialize, ToSchema)]
pub struct Ratification {
    #[schema(example = "VNM")]
    pub country: String,
    #[schema(example = "Viet Nam")]
    pub country_name: String,
    #[schema(example = "C098")]
    pub convention: String,
    pub convention_title: String,
    pub status: Status,
    /// While `in_progress`.
    pub stage: Option<Stage>,
    /// The date the ILO registered the ratification; `null` when the source gives none.
    pub registered_on: Option<NaiveDate>,
    /// When it entered (or enters) into force for the country: as the source states, or by
    /// default twelve months after registration.
    pub in_force_on: Option<NaiveDate>,
    /// Derived from the dates and today; `null` when unknown.
    pub in_force: Option<bool>,
    pub denounced_on: Option<NaiveDate>,
    pub declarations: Declarations,
    pub notes: String,
    /// Where the record comes from.
    pub source: String,
    /// The date the source speaks for (`YYYY-MM-DD`, or `YYYY-MM` / `YYYY` when the source
    /// gives no day); `null` when unknown.
    pub source_date: Option<String>,
    /// Incremented by every change; the `ETag` is built from it.
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Ratification {
    fn from_view(view: RatificationView, today: NaiveDate) -> AppResult<Ratification> {
        let r = view.record;
        let status: Status = stored("ratifications.status", &r.status)?;
        Ok(Ratification {
            in_force: in_force(status, r.in_force_on, r.denounced_on, today),
            stage: r
                .stage
                .as_deref()
                .map(|s| stored("ratifications.stage", s))
                .transpose()?,
            status,
            country: r.country,
            country_name: view.country_name,
            convention: r.convention,
            convention_title: view.convention_short_title,
            registered_on: r.registered_on,
            in_force_on: r.in_force_on,
            denounced_on: r.denounced_on,
            declarations: Declarations {
                minimum_age: r.minimum_age,
            },
            notes: r.notes,
            source: r.source,
            source_date: r.source_date,
            version: r.version,
            updated_at: r.updated_at.and_utc(),
        })
    }

    /// The entity tag of this version of the record.
    pub fn etag(&self) -> String {
        crate::api::concurrency::ratification_etag(&self.country, &self.convention, self.version)
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RatificationQuery {
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
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
}

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
}

impl From<ExportQuery> for RatificationQuery {
    fn from(q: ExportQuery) -> Self {
        RatificationQuery {
            country: q.country,
            convention: q.convention,
            status: q.status,
            region: q.region,
            category: q.category,
            page: None,
            per_page: None,
        }
    }
}

/// List ratification records, ordered by country and instrument code. A (country,
/// instrument) pair without a record is unknown, not "not ratified".
#[utoipa::path(
    get,
    path = "/ratifications",
    tag = "ratifications",
    params(RatificationQuery),
    responses(
        (status = 200, description = "One page of records", body = Page<Ratification>),
        (status = 400, description = "A query parameter is invalid", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No member state or instrument has the code given", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RatificationQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = parse_filter(&query, &mut errors);
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let today = Utc::now().date_naive();
    let (rows, total) = with_db(&state, move |conn| {
        check_filter_exists(conn, &filter)?;
        Ok(repo::ratifications::list(conn, &filter, page)?)
    })
    .await?;
    page_response(rows, total, page, |v| Ratification::from_view(v, today))
}

/// Reads the list filters (shared by the list and the CSV export).
fn parse_filter(query: &RatificationQuery, errors: &mut ParamErrors) -> RatificationFilter {
    RatificationFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors.parse_enum("status", query.status.as_deref()),
        region: errors.parse_enum("region", query.region.as_deref()),
        category: errors.parse_enum("category", query.category.as_deref()),
    }
}

/// A filter naming a country or instrument that does not exist is a 400, not an empty list.
fn check_filter_exists(conn: &mut crate::db::DbConn, filter: &RatificationFilter) -> AppResult<()> {
    let mut unknown = ParamErrors::default();
    if let Some(country) = &filter.country {
        if !repo::countries::exists(conn, country)? {
            unknown.push_rule("country", format!("no member state has the code '{country}'"));
        }
    }
    if let Some(convention) = &filter.convention {
        if !repo::conventions::exists(conn, convention)? {
            unknown.push_rule("convention", format!("no instrument has the code '{convention}'"));
        }
    }
    unknown.finish()
}

/// One record, with its `ETag` (send it back in `If-Match` to change the record).
#[utoipa::path(
    get,
    path = "/ratifications/{iso3}/{code}",
    tag = "ratifications",
    params(
        ("iso3" = String, Path, description = "ISO 3166-1 alpha-3 code", example = "VNM"),
        ("code" = String, Path, description = "Instrument code", example = "C098")
    ),
    responses(
        (status = 200, description = "The record", body = Ratification,
            headers(("ETag" = String, description = "Version of the record"))),
        (status = 404, description = "No record for this pair (its status is unknown), or no such country or instrument", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn get(state: web::Data<AppState>, path: web::Path<(String, String)>) -> AppResult<HttpResponse> {
    let (iso3, code) = path.into_inner();
    let (iso3, code) = (path_country(&iso3)?, path_convention(&code)?);
    let today = Utc::now().date_naive();
    let view = with_db(&state, move |conn| {
        repo::ratifications::get(conn, &iso3, &code)?
            .ok_or_else(|| AppError::NotFound(format!("a ratification record for {iso3} and {code}")))
    })
    .await?;
    let record = Ratification::from_view(view, today)?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, record.etag()))
        .json(record))
}

/// The state to record for one (country, instrument) pair.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatificationInput {
    pub status: Status,
    /// Only while `in_progress`.
    pub stage: Option<Stage>,
    /// The date the ILO registered the ratification (`ratified`, `denounced`); not before the
    /// instrument's adoption, not in the future.
    pub registered_on: Option<NaiveDate>,
    /// Defaults to twelve months after registration (never before the instrument's own entry
    /// into force); never before registration.
    pub in_force_on: Option<NaiveDate>,
    /// For `denounced`: after the entry into force, not in the future.
    pub denounced_on: Option<NaiveDate>,
    #[serde(default)]
    pub declarations: Option<DeclarationsInput>,
    #[serde(default)]
    pub notes: String,
    /// Where the information comes from (required).
    #[schema(min_length = 1)]
    pub source: String,
    /// The date the source speaks for: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`.
    pub source_date: Option<String>,
    /// `true` when the source gives no registration date (or no C138 age): those stay empty
    /// and the entry into force is unknown.
    #[serde(default)]
    pub source_incomplete: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DeclarationsInput {
    /// C138 only: 15 or more, or 14 under the developing-country exception of Article 2(4).
    pub minimum_age: Option<i32>,
}

impl RatificationInput {
    fn into_fields(self, country: String, convention: String) -> AppResult<RatificationFields> {
        let mut errors = Vec::new();
        let source = self.source.trim().to_string();
        if source.is_empty() {
            errors.push(FieldError::new("source", "every record needs its source"));
        }
        for (field, text) in [("source", &self.source), ("notes", &self.notes)] {
            if let Err(e) = check_text(text) {
                errors.push(FieldError::new(field, e));
            }
        }
        let source_date = match self
            .source_date
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => parse_source_date(raw)
                .map_err(|e| errors.push(FieldError::new("source_date", e)))
                .ok(),
        };
        if !errors.is_empty() {
            return Err(AppError::invalid(errors));
        }
        Ok(RatificationFields {
            country,
            convention,
            status: self.status.as_str().to_string(),
            stage: self.stage.map(|s| s.as_str().to_string()),
            registered_on: self.registered_on,
            in_force_on: self.in_force_on,
            denounced_on: self.denounced_on,
            minimum_age: self.declarations.and_then(|d| d.minimum_age),
            notes: self.notes.trim().to_string(),
            source,
            source_date,
            source_incomplete: self.source_incomplete,
        })
    }
}

/// Record where a country stands with an instrument. Creating a record needs no
/// `If-Match`; changing one needs its current `ETag` (428 without, 412 when stale). Every
/// change writes a history row and an audit entry in the same transaction.
#[utoipa::path(
    put,
    path = "/ratifications/{iso3}/{code}",
    tag = "ratifications",
    params(
        ("iso3" = String, Path, description = "ISO 3166-1 alpha-3 code", example = "VNM"),
        ("code" = String, Path, description = "Instrument code", example = "C098"),
        ("If-Match" = Option<String>, Header, description = "The record's ETag; required to change an existing record")
    ),
    request_body = RatificationInput,
    responses(
        (status = 200, description = "Changed (or unchanged)", body = Ratification, headers(("ETag" = String))),
        (status = 201, description = "Created", body = Ratification, headers(("ETag" = String))),
        (status = 400, description = "Malformed body", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such country or instrument", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "Stale If-Match", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A rule is broken; `errors` names the fields", body = Problem, content_type = "application/problem+json"),
        (status = 428, description = "If-Match missing for an existing record", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn put(
    state: web::Data<AppState>,
    caller: Caller,
    if_match: IfMatch,
    path: web::Path<(String, String)>,
    body: JsonBody<RatificationInput>,
) -> AppResult<HttpResponse> {
    let (iso3, code) = path.into_inner();
    let (iso3, code) = (path_country(&iso3)?, path_convention(&code)?);
    let fields = body.into_inner().into_fields(iso3.clone(), code.clone())?;
    let today = Utc::now().date_naive();
    let (outcome, view) = with_db(&state, move |conn| {
        let (outcome, _) = service::put(conn, &caller, fields, &if_match, today)?;
        let view = repo::ratifications::get(conn, &iso3, &code)?
            .ok_or_else(|| AppError::Internal("record missing after write".into()))?;
        Ok((outcome, view))
    })
    .await?;
    let record = Ratification::from_view(view, today)?;
    let mut response = match outcome {
        service::Outcome::Created => HttpResponse::Created(),
        service::Outcome::Updated | service::Outcome::Unchanged => HttpResponse::Ok(),
    };
    Ok(response.insert_header((header::ETAG, record.etag())).json(record))
}

/// One change of a record.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryEntry {
    /// The record's version after the change.
    pub version: i32,
    /// `user:<id>`, `seed` or `cli`.
    pub actor: String,
    pub changed_at: DateTime<Utc>,
    /// The record before (`null` for its creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
}

/// Every change of one record, newest first: who, when, before and after.
#[utoipa::path(
    get,
    path = "/ratifications/{iso3}/{code}/history",
    tag = "ratifications",
    params(
        ("iso3" = String, Path, example = "VNM"),
        ("code" = String, Path, example = "C098"),
        PageQuery
    ),
    responses(
        (status = 200, description = "One page of changes", body = Page<HistoryEntry>),
        (status = 404, description = "No record for this pair", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn history(
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (iso3, code) = path.into_inner();
    let (iso3, code) = (path_country(&iso3)?, path_convention(&code)?);
    let mut errors = ParamErrors::default();
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        if repo::ratifications::find(conn, &iso3, &code)?.is_none() {
            return Err(AppError::NotFound(format!(
                "a ratification record for {iso3} and {code}"
            )));
        }
        Ok(repo::ratifications::history(conn, &iso3, &code, page)?)
    })
    .await?;
    let parse = |raw: Option<String>| raw.and_then(|s| serde_json::from_str(&s).ok());
    let items = rows
        .into_iter()
        .map(|r| HistoryEntry {
            version: r.version,
            actor: r.actor,
            changed_at: r.changed_at.and_utc(),
            before: parse(r.before_json),
            after: parse(r.after_json),
        })
        .collect();
    Ok(HttpResponse::Ok().json(Page::new(items, total, page)))
}

/// Only `page` and `per_page`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
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
    // Streamed a page at a time, each page read with a connection of its own: memory stays
    // flat however large the notes are, and a slow reader holds no database connection.
    let (tx, body) = super::streaming::channel();
    let state = state.into_inner();
    actix_web::rt::spawn(async move {
        let header = crate::import::ratifications::header_csv();
        if tx.send(Ok(header.into())).await.is_err() {
            return;
        }
        let mut after: Option<(String, String)> = None;
        loop {
            let (filter, key) = (filter.clone(), after.take());
            let page = with_db(&state, move |conn| {
                crate::service::ratifications::export_page(conn, &filter, key.as_ref())
            })
            .await;
            match page {
                Ok((bytes, next)) => {
                    if tx.send(Ok(bytes.into())).await.is_err() {
                        return; // the client went away
                    }
                    match next {
                        Some(key) => after = Some(key),
                        None => return,
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "CSV export cut short");
                    let _ = tx.send(Err(std::io::Error::other(e.to_string()))).await;
                    return;
                }
            }
        }
    });
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            "attachment; filename=\"ratifications.csv\"",
        ))
        .body(body))
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
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type
        .split(';')
        .next()
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/csv"))
    {
        return Err(AppError::UnsupportedMediaType(
            "the body must be a CSV file (Content-Type: text/csv)".into(),
        ));
    }
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
