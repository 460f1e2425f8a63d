//! `/api/v1/ratifications`: one record per (country, instrument), keyed
//! `/ratifications/{iso3}/{code}`.

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{path_convention, path_country, stored, with_db, AppState, ParamErrors};
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Stage, Status};
use crate::domain::reference::{Category, Region};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::{self, ratifications::RatificationFilter, ratifications::RatificationView};

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
        format!("\"{}-{}-v{}\"", self.country, self.convention, self.version)
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

/// List ratification records, ordered by country and instrument code. A (country,
/// instrument) pair without a record is unknown, not "not ratified".
#[utoipa::path(
    get,
    path = "/ratifications",
    tag = "ratifications",
    params(RatificationQuery),
    responses(
        (status = 200, description = "One page of records", body = Page<Ratification>),
        (status = 400, description = "A query parameter is invalid, or names an unknown country or instrument", body = Problem, content_type = "application/problem+json")
    )
)]
pub async fn list(
    state: web::Data<AppState>,
    query: web::Query<RatificationQuery>,
) -> AppResult<HttpResponse> {
    let mut errors = ParamErrors::default();
    let filter = RatificationFilter {
        country: errors.parse_country("country", query.country.as_deref()),
        convention: errors.parse_convention("convention", query.convention.as_deref()),
        status: errors.parse_enum("status", query.status.as_deref()),
        region: errors.parse_enum("region", query.region.as_deref()),
        category: errors.parse_enum("category", query.category.as_deref()),
    };
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let today = Utc::now().date_naive();
    let (rows, total) = with_db(&state, move |conn| {
        let mut unknown = ParamErrors::default();
        if let Some(country) = &filter.country {
            if !repo::countries::exists(conn, country)? {
                unknown.push("country", format!("no member state has the code '{country}'"));
            }
        }
        if let Some(convention) = &filter.convention {
            if !repo::conventions::exists(conn, convention)? {
                unknown.push("convention", format!("no instrument has the code '{convention}'"));
            }
        }
        unknown.finish()?;
        Ok(repo::ratifications::list(conn, &filter, page)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(|v| Ratification::from_view(v, today))
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, page)))
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
