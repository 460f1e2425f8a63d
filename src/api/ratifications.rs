//! `/api/v1/ratifications`: one record per (country, instrument), keyed
//! `/ratifications/{iso3}/{code}`.

use crate::api::json_body::JsonBody;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::concurrency::IfMatch;
use super::paging::paged_query;
use super::{created_or_ok, versioned, Versioned};
use super::{page_response, path_convention, path_country, with_db, AppState, ParamErrors};
use crate::domain::access::Caller;
use crate::domain::codes::parse_source_date;
use crate::domain::fields::text_field;
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Stage, Status};
use crate::domain::reference::{Category, Region};
use crate::error::FieldError;
use crate::error::{AppError, AppResult, Problem};
use crate::repo::ratifications::RatificationFields;
use crate::repo::{self, ratifications::RatificationFilter, ratifications::RatificationView};
use crate::service::ratifications::{self as service};

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
        let status = r.status;
        Ok(Ratification {
            in_force: in_force(status, r.in_force_on, r.denounced_on, today),
            stage: r.stage,
            status,
            country_name: crate::i18n::names::country(&r.country, &view.country_name),
            convention_title: crate::i18n::names::short_title(&r.convention, &view.convention_short_title),
            country: r.country,
            convention: r.convention,
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
}

impl Versioned for Ratification {
    fn etag(&self) -> String {
        crate::api::concurrency::ratification_etag(&self.country, &self.convention, self.version)
    }

    fn location(&self) -> String {
        format!("/api/v1/ratifications/{}/{}", self.country, self.convention)
    }
}

paged_query! {
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
    let page = errors.parse_page(&*query);
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
pub(super) fn parse_filter(query: &RatificationQuery, errors: &mut ParamErrors) -> RatificationFilter {
    RatificationFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors.parse_enum("status", query.status.as_deref()),
        region: errors.parse_enum("region", query.region.as_deref()),
        category: errors.parse_enum("category", query.category.as_deref()),
        stage: errors.parse_enum("stage", query.stage.as_deref()),
        registered_from: errors.parse_day("registered_from", query.registered_from.as_deref()),
        registered_until: errors.parse_day("registered_until", query.registered_until.as_deref()),
    }
}

/// A filter naming a country or instrument that does not exist is a 400, not an empty list.
pub(super) fn check_filter_exists(
    conn: &mut crate::db::DbConn,
    filter: &RatificationFilter,
) -> AppResult<()> {
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
    Ok(versioned(actix_web::http::StatusCode::OK, &record))
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
        let source = text_field(&mut errors, "source", &self.source, false);
        if source.is_empty() {
            errors.push(FieldError::new("source", "every record needs its source"));
        }
        let notes = text_field(&mut errors, "notes", &self.notes, false);
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
            status: self.status,
            stage: self.stage,
            registered_on: self.registered_on,
            in_force_on: self.in_force_on,
            denounced_on: self.denounced_on,
            minimum_age: self.declarations.and_then(|d| d.minimum_age),
            notes,
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
    Ok(versioned(
        created_or_ok(outcome == service::Outcome::Created),
        &record,
    ))
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
    let page = errors.parse_page(&*query);
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

paged_query! {
/// Only `page` and `per_page`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {

}
}
