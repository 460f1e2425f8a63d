//! `/api/v1/conventions`: the fundamental and governance instruments (and the technical
//! ones the seeded records need).

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{path_convention, stored, with_db, AppState, ParamErrors};
use crate::domain::pagination::Page;
use crate::domain::ratification::{in_force, Status, Tally};
use crate::domain::reference::{Category, InstrumentType, Principle};
use crate::error::{AppError, AppResult, Problem};
use crate::repo::{self, conventions::ConventionFilter, conventions::ConventionRow};

/// A count of ratifications published elsewhere, with its date and source.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceCount {
    pub count: i32,
    /// When the count was true, as the source says.
    pub as_of: Option<String>,
    pub source: Option<String>,
}

/// An international labour instrument.
#[derive(Debug, Serialize, ToSchema)]
pub struct Convention {
    /// Instrument code: the key.
    #[schema(example = "C087")]
    pub code: String,
    pub instrument_type: InstrumentType,
    pub title: String,
    pub short_title: String,
    pub category: Category,
    /// The fundamental principle; `null` for governance and technical instruments.
    pub principle: Option<Principle>,
    /// For a protocol, the convention it belongs to.
    #[schema(example = "C029")]
    pub parent: Option<String>,
    pub adopted_year: i32,
    pub adopted_on: Option<NaiveDate>,
    /// When the instrument itself entered into force.
    pub in_force_on: Option<NaiveDate>,
    /// Where the dates come from.
    pub dates_source: String,
    /// How sure the dates are (`UNVERIFIED` marks dates from general knowledge).
    pub dates_confidence: String,
    pub normlex_id: Option<String>,
    /// The ratification count a public source gave, where one is known.
    pub reference_count: Option<ReferenceCount>,
}

impl Convention {
    fn from_row(row: ConventionRow) -> AppResult<Convention> {
        Ok(Convention {
            instrument_type: stored("conventions.instrument_type", &row.instrument_type)?,
            category: stored("conventions.category", &row.category)?,
            principle: row
                .principle
                .as_deref()
                .map(|p| stored("conventions.principle", p))
                .transpose()?,
            reference_count: row.reference_ratifications.map(|count| ReferenceCount {
                count,
                as_of: row.reference_ratifications_as_of,
                source: row.reference_ratifications_source,
            }),
            code: row.code,
            title: row.title,
            short_title: row.short_title,
            parent: row.parent,
            adopted_year: row.adopted_year,
            adopted_on: row.adopted_on,
            in_force_on: row.in_force_on,
            dates_source: row.dates_source,
            dates_confidence: row.dates_confidence,
            normlex_id: row.normlex_id,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ConventionQuery {
    #[param(value_type = Option<Category>)]
    pub category: Option<String>,
    #[param(value_type = Option<Principle>)]
    pub principle: Option<String>,
    /// Page number, from 1.
    #[param(value_type = Option<i64>, minimum = 1)]
    pub page: Option<String>,
    /// Items per page, 1 to 500 (default 50).
    #[param(value_type = Option<i64>, minimum = 1, maximum = 500)]
    pub per_page: Option<String>,
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
    let page = errors.parse_page(query.page.as_deref(), query.per_page.as_deref());
    errors.finish()?;
    let (rows, total) = with_db(&state, move |conn| {
        Ok(repo::conventions::list(conn, &filter, page)?)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Convention::from_row)
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(Page::new(items, total, page)))
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
            let status: Status = stored("ratifications.status", &status)?;
            Ok((status, in_force(status, in_force_on, denounced_on, today)))
        })
        .collect::<AppResult<Vec<_>>>()?;
    Ok(HttpResponse::Ok().json(ConventionDetail {
        convention: Convention::from_row(row)?,
        ratifications: Tally::count(member_states, states),
    }))
}
